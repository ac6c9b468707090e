// One unit in full, for models too big to print every unit: its state, gates and gradients at every step (op
// "unrollUnit"). The buttons that open a unit sit beside the summaries; the view itself under the step's detail.
import { gateNames, isLstm } from './step_data.js';
import { m } from './step_math.js';
import { num, para, table } from './step_table.js';

export function unitButtons(layer, units, onOpenUnit) {
  const div = document.createElement('div');
  div.className = 'row wrap';
  for (const j of units) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = `Open unit ${j}`;
    b.setAttribute('aria-label', `Open unit ${j} of layer ${layer + 1}`);
    b.addEventListener('click', () => onOpenUnit(layer, j));
    div.append(b);
  }
  return div;
}

// v: the unrollUnit reply; u: the unroll it belongs to (for the characters and the cell type).
export function renderUnit(container, u, v) {
  const names = gateNames(u.cell);
  const G = v.G;
  const gateCols = names.length ? names : ['pre'];
  const rows = [];
  for (let t = 0; t < v.T; ++t) {
    const gates = names.length ? names.map((_, g) => num(v.gates[t * G + g])) : [num(v.pre[t])];
    rows.push([`${t + 1} ${String.fromCodePoint(u.vocab[u.inputs[t]])}`, num(v.h[t]), ...gates,
      ...(isLstm(u.cell) ? [num(v.c[t + 1])] : []), num(v.h[t + 1]), num(v.dhAbove[t]), num(v.dhFuture[t]), num(v.dh[t])]);
  }
  const heading = document.createElement('h4');
  heading.textContent = `Unit ${v.unit} of layer ${v.layer + 1}, at every step`;
  container.replaceChildren(heading,
    para('Forward: the state it carried in, its gates (or its pre-activation for a plain RNN) and its new state. Backward: the gradient reaching it from the output or the layer above, from the next step, and their sum.'),
    table(`Unit ${v.unit}, layer ${v.layer + 1}`,
      ['step', m('h_{t−1}'), ...gateCols.map(m), ...(isLstm(u.cell) ? [m('c_t')] : []), m('h_t'), 'from above', 'from the future', m('∂L / ∂h_t')],
      rows));
  container.hidden = false;
}
