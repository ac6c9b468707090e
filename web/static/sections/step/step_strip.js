// The network unrolled in time: one column per character read, the current step marked. Forward rows fill in as the
// walk goes forward; the gradient's norm ‖dL/dh_t‖ is drawn along the columns (log scale) as the walk goes backward,
// so vanishing (RNN) and the cell path (LSTM) show on the same input. Truncation cuts are marked between columns.
import { charGlyph } from '../../ui/chars.js';
import { diverging } from '../../ui/scales.js';
import { argmax, carriedInNorm, inputChar, isLstm, named, norm, row, symbol } from './step_data.js';
import { m } from './step_math.js';
import { num, sci } from './step_table.js';

const BAR_PX = 44;

function th(text, attrs = {}) {
  const e = document.createElement('th');
  if (text instanceof Node) e.append(text); else e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function headRow(u, t, onPick) {
  const tr = document.createElement('tr');
  tr.append(th('step', { scope: 'col' }), th('carried in', { scope: 'col' }));
  for (let s = 0; s < u.T; ++s) {
    const cell = th('', { scope: 'col' });
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'step-col';
    b.textContent = `${s + 1} ${charGlyph(inputChar(u, s))}`;
    b.setAttribute('aria-label', `Step ${s + 1}: reads ${named(inputChar(u, s))}` +
      (u.windowStart[s] && s > 0 ? ' (truncation cuts before it)' : ''));
    if (s === t) b.setAttribute('aria-current', 'step');
    b.tabIndex = s === t ? 0 : -1;
    b.addEventListener('click', () => onPick(s));
    cell.append(b);
    if (u.windowStart[s] && s > 0) cell.classList.add('step-cut');
    if (s === t) cell.classList.add('step-now');
    tr.append(cell);
  }
  return tr;
}

// One row: a header and, per column, a function of the step giving { text, title?, node? } or null (not reached).
function bodyRow(u, t, name, first, at) {
  const tr = document.createElement('tr');
  tr.append(th(name, { scope: 'row' }));
  const c0 = document.createElement('td');
  c0.textContent = first ?? '';
  tr.append(c0);
  for (let s = 0; s < u.T; ++s) {
    const td = document.createElement('td');
    const v = at(s);
    if (v?.node) td.append(v.node);
    if (v?.text) td.append(v.text);
    if (v?.label) td.setAttribute('aria-label', v.label);
    if (u.windowStart[s] && s > 0) td.classList.add('step-cut');
    if (s === t) td.classList.add('step-now');
    tr.append(td);
  }
  return tr;
}

// The top layer's h_t as a strip of coloured stripes, one per unit (printable models): one element per column, its
// stripes a hard-stop gradient (a thousand small elements for 64 steps × 16 units made each step slow to draw).
function stateSquares(u, s) {
  const h = row(u.layers[u.L - 1].h, s + 1, u.H);
  const span = document.createElement('span');
  span.className = 'step-squares';
  span.setAttribute('aria-hidden', 'true');
  span.style.width = `${8 * u.H}px`;
  const w = 100 / u.H;
  span.style.backgroundImage = `linear-gradient(to right, ${[...h].map((v, i) =>
    `${diverging(v)} ${(i * w).toFixed(2)}% ${((i + 1) * w).toFixed(2)}%`).join(', ')})`;
  return { node: span, label: `h: ${[...h].map(num).join(', ')}` };
}

function bar(value, lo, hi) {
  const div = document.createElement('div');
  div.className = 'step-bar';
  const frac = hi > lo ? (Math.log10(value) - lo) / (hi - lo) : 1;
  div.style.height = `${Math.round(3 + Math.max(0, frac) * BAR_PX)}px`;
  div.setAttribute('aria-hidden', 'true');
  return div;
}

function normRow(u, t, name, norms, carried, reached) {
  const finite = [...norms, carried].filter((v) => v > 0);
  const lo = Math.log10(Math.min(...finite)), hi = Math.log10(Math.max(...finite));
  const cell = (v) => {
    const wrap = document.createElement('div');
    wrap.className = 'step-bar-cell';
    wrap.append(bar(Math.max(v, 1e-30), lo, hi), sci(v));
    return wrap;
  };
  const tr = bodyRow(u, t, name, null, (s) => (reached(s) ? { node: cell(norms[s]) } : null));
  if (carried !== null && reached(0) && t === 0) tr.children[1].replaceChildren(cell(carried));
  return tr;
}

// dir: 'forward' | 'backward'. onPick(s): a column's button was pressed.
export function renderStrip(container, u, t, dir, onPick) {
  const top = u.layers[u.L - 1];
  const fwd = (s) => dir === 'backward' || s <= t;
  const bwd = (s) => dir === 'backward' && s >= t;
  const table = document.createElement('table');
  table.className = 'step-strip';
  const cap = document.createElement('caption');
  cap.textContent = `“${u.text}” unrolled: ${u.T} steps, ${dir === 'forward' ? 'forward' : 'backward'} at step ${t + 1}` +
    (u.L > 1 ? ` (the rows show layer ${u.L}, the top one)` : '');
  const body = document.createElement('tbody');
  body.append(
    bodyRow(u, t, m(u.printable ? 'h_t' : '‖ h_t ‖'), '0',
      (s) => (fwd(s) ? (u.printable ? stateSquares(u, s) : { text: num(norm(row(top.h, s + 1, u.H))) }) : null)),
    bodyRow(u, t, 'top prediction', null, (s) => {
      if (!fwd(s)) return null;
      const probs = row(u.probs, s, u.V);
      const top = argmax(probs);
      return { text: `${charGlyph(symbol(u, top))} ${num(probs[top])}`, label: `${named(symbol(u, top))}, p = ${num(probs[top])}` };
    }),
    bodyRow(u, t, 'next character', null, (s) => (fwd(s) ? { text: charGlyph(symbol(u, u.targets[s])), label: named(symbol(u, u.targets[s])) } : null)),
    bodyRow(u, t, '−log p (nats)', null, (s) => (fwd(s) ? { text: num(u.loss[s]) } : null)),
    normRow(u, t, m('‖ ∂L / ∂h_t ‖'), top.dhNorm, carriedInNorm(u), bwd),
  );
  if (isLstm(u.cell)) {
    const dc = [...Array(u.T).keys()].map((s) => norm(row(top.dc, s, u.H)));
    body.append(normRow(u, t, m('‖ ∂L / ∂c_t ‖'), dc, null, bwd));
  }
  const head = document.createElement('thead');
  head.append(headRow(u, t, onPick));
  table.append(cap, head, body);
  container.replaceChildren(table);
}
