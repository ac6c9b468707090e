// The page's code rules (issue #12), checked on the parsed source so a moved comment or string cannot fool them:
//   - no function longer than MAX_FUNCTION_LINES of its own (lines of functions nested in it count for those);
//   - no file longer than MAX_FILE_LINES;
//   - no module-level `let` or `var`: state lives in the store (run/store.js) or in what an init function creates;
//   - window.app (the tests' view of the store) is touched only by debug/test_surface.js.
// A file may exceed a length limit where it says why, in a comment containing "structure-exception:".
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'acorn';
import { ancestor } from 'acorn-walk';

export const MAX_FUNCTION_LINES = 60;
export const MAX_FILE_LINES = 400;
export const TEST_SURFACE = 'debug/test_surface.js';

const isFunction = (n) => n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' ||
  (n.type === 'ArrowFunctionExpression' && n.body.type === 'BlockStatement');

function functionName(node, parents) {
  if (node.id) return node.id.name;
  const parent = parents[parents.length - 2];
  if (parent?.type === 'VariableDeclarator') return parent.id.name;
  if (parent?.type === 'Property' || parent?.type === 'MethodDefinition') return parent.key.name ?? '(computed)';
  if (parent?.type === 'AssignmentExpression') return 'assigned function';
  return 'anonymous function';
}

function parseSource(source) {
  const options = { ecmaVersion: 'latest', locations: true };
  try {
    return parse(source, { ...options, sourceType: 'module' });
  } catch {
    return parse(source, { ...options, sourceType: 'script' });   // engine/boot.js is a classic script
  }
}

// Every function with its own length in lines: its span minus the spans of the functions directly inside it.
// (acorn-walk visits a node after its children, so the nesting is resolved once all are collected.)
function functionLengths(ast) {
  const found = [];
  ancestor(ast, {
    Function(node, _state, parents) {
      if (!isFunction(node)) return;
      const span = node.loc.end.line - node.loc.start.line + 1;
      const outer = [...parents].reverse().slice(1).find(isFunction) ?? null;
      found.push({ node, outer, name: functionName(node, parents), line: node.loc.start.line, span, own: span });
    },
  });
  const byNode = new Map(found.map((f) => [f.node, f]));
  for (const f of found) if (f.outer) byNode.get(f.outer).own -= f.span;
  return found.map(({ name, line, span, own }) => ({ name, line, span, own }));
}

function touchesTestSurface(ast) {
  const lines = [];
  ancestor(ast, {
    MemberExpression(node) {
      const obj = node.object;
      const global = obj.type === 'Identifier' && ['window', 'self', 'globalThis'].includes(obj.name);
      if (global && !node.computed && node.property.name === 'app') lines.push(node.loc.start.line);
    },
  });
  return lines;
}

// The problems of one file's source, as sentences naming the line. file: its path relative to web/static.
export function checkSource(file, source) {
  const problems = [];
  const ast = parseSource(source);
  const excepted = source.includes('structure-exception:');
  const lines = source.split('\n').length;
  if (lines > MAX_FILE_LINES && !excepted) problems.push(`${file}: ${lines} lines (at most ${MAX_FILE_LINES})`);
  for (const f of functionLengths(ast)) {
    if (f.own > MAX_FUNCTION_LINES && !excepted)
      problems.push(`${file}:${f.line}: ${f.name} is ${f.own} lines long (at most ${MAX_FUNCTION_LINES})`);
  }
  if (ast.sourceType === 'module') {
    for (const node of ast.body) {
      const decl = node.type === 'ExportNamedDeclaration' ? node.declaration : node;
      if (decl?.type === 'VariableDeclaration' && decl.kind !== 'const')
        problems.push(`${file}:${decl.loc.start.line}: module-level ${decl.kind} (keep state in the store or in an init function)`);
    }
  }
  if (file !== TEST_SURFACE) {
    for (const line of touchesTestSurface(ast)) problems.push(`${file}:${line}: touches window.app (only ${TEST_SURFACE} may)`);
  }
  return problems;
}

export function pageSources(root) {
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.js')) out.push({ file: relative(root, path), source: readFileSync(path, 'utf8') });
    }
  };
  walk(root);
  return out;
}

// The largest figures, for a person reading the test's output.
export function measure(root) {
  let longestFunction = { own: 0 }, longestFile = { lines: 0 };
  for (const { file, source } of pageSources(root)) {
    const lines = source.split('\n').length;
    if (lines > longestFile.lines) longestFile = { file, lines };
    for (const f of functionLengths(parseSource(source))) if (f.own > longestFunction.own) longestFunction = { file, ...f };
  }
  return { longestFunction, longestFile };
}
