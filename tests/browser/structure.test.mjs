// The page's structure stays as issue #12 left it (tests/structure/page_structure.mjs says what is checked): the
// checker is tested on small sources first, so that a checker that finds nothing cannot pass for a clean page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { MAX_FUNCTION_LINES, checkSource, measure, pageSources } from '../structure/page_structure.mjs';

const STATIC = fileURLToPath(new URL('../../web/static/', import.meta.url));
const body = (n) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');

test('a function longer than the limit is reported, with its name and line', () => {
  const src = `export function tooLong() {\n${body(MAX_FUNCTION_LINES)}\n}\n`;
  const problems = checkSource('x.js', src);
  assert.equal(problems.length, 1);
  assert.match(problems[0], /x\.js:1: tooLong is \d+ lines long/);
});

test('a factory made of short functions is not one long function', () => {
  const inner = (name) => `  function ${name}() {\n${body(MAX_FUNCTION_LINES - 10)}\n  }\n`;
  const src = `export function init() {\n${inner('a')}${inner('b')}  return { a, b };\n}\n`;
  assert.deepEqual(checkSource('x.js', src), []);
});

test('module-level mutable state and window.app outside the test surface are reported', () => {
  const src = "let count = 0;\nexport const f = () => { window.app.step = count; };\n";
  const problems = checkSource('sections/x.js', src);
  assert.equal(problems.length, 2);
  assert.match(problems[0], /module-level let/);
  assert.match(problems[1], /touches window\.app/);
  assert.deepEqual(checkSource('debug/test_surface.js', "export const f = () => window.app;\n"), []);
});

test('a file says why it is long, or it is reported', () => {
  const long = Array.from({ length: 450 }, (_, i) => `export const c${i} = ${i};`).join('\n');
  assert.equal(checkSource('x.js', long).length, 1);
  assert.deepEqual(checkSource('x.js', '// structure-exception: a generated table\n' + long), []);
});

test('web/static keeps its structure: short functions and files, no globals, window.app only for tests', () => {
  const sources = pageSources(STATIC);
  assert.ok(sources.length > 20, 'the page\'s modules are found');
  const problems = sources.flatMap(({ file, source }) => checkSource(file, source));
  const { longestFunction: f, longestFile } = measure(STATIC);
  assert.deepEqual(problems, [], `longest function: ${f.name} in ${f.file} (${f.own} lines); ` +
    `longest file: ${longestFile.file} (${longestFile.lines} lines)`);
});
