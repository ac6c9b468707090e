// Equations for the step-through, written as native MathML (Chromium, Firefox and Safari draw it; no library, nothing
// from the network). A tiny notation keeps the equations readable in the source:
//   tokens are separated by spaces; "h_t", "W_hh", "h_{t−1}", "c^{future}_t" become a letter with a subscript and/or
//   superscript; "tanh", "softmax", "log" are function names; everything else (=, +, −, ⊙, (, ), ·, ᵀ) an operator.
// DOM only: each equation is built with createElementNS, so no string ever becomes HTML.
const NS = 'http://www.w3.org/1998/Math/MathML';
const FUNCTIONS = new Set(['tanh', 'softmax', 'log', 'onehot', 'σ', 'max']);

function el(tag, text, children = []) {
  const e = document.createElementNS(NS, tag);
  if (text !== undefined && text !== null) e.textContent = text;
  for (const c of children) e.append(c);
  return e;
}

// "t−1" -> <mrow><mi>t</mi><mo>−</mo><mn>1</mn></mrow>: the small expressions written in sub- and superscripts.
function script(text) {
  const parts = text.match(/[A-Za-z]+|\d+|[^A-Za-z\d\s]/g) || [];
  const nodes = parts.map((p) => (/^\d/.test(p) ? el('mn', p) : /^[A-Za-z]/.test(p) ? el('mi', p) : el('mo', p)));
  return nodes.length === 1 ? nodes[0] : el('mrow', null, nodes);
}

const unbrace = (s) => (s && s.startsWith('{') ? s.slice(1, -1) : s);

const SCRIPTED = /^([A-Za-zσα-ωΔ]+|\d+(?:\.\d+)?)((?:[_^](?:\{[^}]*\}|[^_^{}]+)){0,2})$/u;

// A letter or name with its sub- and superscripts, in either order ("h^{future}_t" = "h_t^{future}").
function scripted(base, scripts) {
  let sub = null, sup = null;
  for (const [, kind, body] of scripts.matchAll(/([_^])(\{[^}]*\}|[^_^{}]+)/g)) {
    if (kind === '_') sub = unbrace(body); else sup = unbrace(body);
  }
  let node;
  if (/^\d/.test(base)) node = el('mn', base);
  else node = el('mi', base);
  if (base.length > 1 && !FUNCTIONS.has(base)) node.setAttribute('mathvariant', 'normal');
  if (sub && sup) return el('msubsup', null, [node, script(sub), script(sup)]);
  if (sub) return el('msub', null, [node, script(sub)]);
  if (sup) return el('msup', null, [node, script(sup)]);
  return node;
}

// One token of the notation -> one MathML node. A leading ∂ is its own symbol: "∂h_t" is ∂ then h_t.
function token(tok) {
  if (tok.length > 1 && tok.startsWith('∂')) return el('mrow', null, [el('mi', '∂'), token(tok.slice(1))]);
  const m = SCRIPTED.exec(tok);
  return m ? scripted(m[1], m[2]) : el('mo', tok);
}

// An equation in the notation above -> a <math> element (display="block": centred on its own line).
export function equation(source, { block = true } = {}) {
  const m = el('math', null, [el('mrow', null, source.trim().split(/\s+/).map(token))]);
  if (block) m.setAttribute('display', 'block');
  return m;
}

// Inline math for table headers and labels: "h_{t−1}" -> <math>h<sub>t−1</sub></math>.
export const m = (source) => equation(source, { block: false });

// An equation with one or two plain sentences beside it: what it means, in words.
// source: one equation, or several (each on its own line) that the sentence explains together.
export function explained(source, words) {
  const fig = document.createElement('div');
  fig.className = 'step-eq';
  const p = document.createElement('p');
  p.className = 'step-eq-words';
  p.textContent = words;
  fig.append(...[source].flat().map((src) => equation(src)), p);
  return fig;
}
