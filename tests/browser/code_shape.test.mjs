// Keeps the page's restructured modules easy to live in (issue #12), under plain node: no function longer than
// MAX_FUNCTION_LINES, no file longer than MAX_FILE_LINES unless it says why ("longer than 400 lines because"), no
// module-level `let`/`var` (state lives in the store or in what an init creates), and no window.app (the tests'
// view of the store, defined only in debug/test_surface.js). CHECKED lists the folders and files converted so far;
// add to it as more are converted, until it is the whole of web/static/.
//
// Parses with acorn from Debian's node-acorn (a dependency of the emscripten package that build.sh installs).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const STATIC = fileURLToPath(new URL('../../web/static/', import.meta.url));
const CHECKED = ['sections/inspect', 'ui/heatmap', 'ui/canvas.js', 'ui/chars.js', 'ui/log_scale.js', 'ui/scales.js'];
const MAX_FUNCTION_LINES = 60;
const MAX_FILE_LINES = 400;
const require = createRequire(import.meta.url);
const acorn = require('/usr/share/nodejs/acorn');
const walk = require('/usr/share/nodejs/acorn-walk');

function jsFiles(path) {
  const full = join(STATIC, path);
  if (!statSync(full).isDirectory()) return [full];
  return readdirSync(full).flatMap((name) => jsFiles(join(path, name))).filter((f) => f.endsWith('.js'));
}

// Every function (declarations, expressions, arrows, methods) that spans more than `limit` lines: ["file:line name (n lines)"].
export function longFunctions(source, file, limit = MAX_FUNCTION_LINES) {
  const ast = acorn.parse(source, { ecmaVersion: 'latest', sourceType: 'module', locations: true });
  const found = [];
  walk.full(ast, (node) => {
    if (!/Function/.test(node.type)) return;
    const lines = node.loc.end.line - node.loc.start.line + 1;
    if (lines > limit) found.push(`${file}:${node.loc.start.line} ${node.id?.name ?? '(anonymous)'} (${lines} lines)`);
  });
  return found;
}

// Top-level `let` or `var` declarations: ["file:line"].
export function moduleState(source, file) {
  const ast = acorn.parse(source, { ecmaVersion: 'latest', sourceType: 'module', locations: true });
  const decls = ast.body.map((n) => (n.type === 'ExportNamedDeclaration' ? n.declaration : n)).filter(Boolean);
  return decls.filter((n) => n.type === 'VariableDeclaration' && n.kind !== 'const').map((n) => `${file}:${n.loc.start.line}`);
}

const files = CHECKED.flatMap(jsFiles).map((f) => ({ name: relative(STATIC, f), source: readFileSync(f, 'utf8') }));

describe('shape of the restructured page modules', () => {
  it('finds the modules it checks', () => {
    assert.ok(files.length >= 20, `${files.length} files under ${CHECKED.join(', ')}`);
  });

  it(`has no function over ${MAX_FUNCTION_LINES} lines`, () => {
    assert.deepEqual(files.flatMap((f) => longFunctions(f.source, f.name)), []);
  });

  it(`has no file over ${MAX_FILE_LINES} lines that does not say why`, () => {
    const long = files.filter((f) => f.source.split('\n').length > MAX_FILE_LINES &&
                                     !/longer than 400 lines because/.test(f.source));
    assert.deepEqual(long.map((f) => f.name), []);
  });

  it('keeps no mutable state at module level', () => {
    assert.deepEqual(files.flatMap((f) => moduleState(f.source, f.name)), []);
  });

  it('never touches window.app', () => {
    assert.deepEqual(files.filter((f) => /window\.app\b/.test(f.source)).map((f) => f.name), []);
  });

  it('catches what it is there to catch', () => {
    const long = `function big() {\n${'  x();\n'.repeat(MAX_FUNCTION_LINES)}}\nconst ok = () => 1;\n`;
    assert.equal(longFunctions(long, 'x.js').length, 1);
    assert.deepEqual(longFunctions('const f = () => {\n  return 1;\n};\n', 'x.js'), []);
    assert.deepEqual(moduleState('let n = 0;\nexport var m = 1;\nconst k = 2;\nfunction f() { let i = 0; }\n', 'x.js'),
      ['x.js:1', 'x.js:2']);
  });
});
