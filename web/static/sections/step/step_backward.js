// Backpropagation through time at one step: dL/dy from the output, dh_t arriving from above and from the future,
// through the nonlinearity into the pre-activation, on into dh_{t−1}, and the weight gradients accumulating. Numbers
// are the engine's (gradients of the mean loss over the T steps, as training uses).
import { explained, m } from './step_math.js';
import { backwardAt, forwardAt, isLstm, named, norm, outputAt, symbol } from './step_data.js';
import { columns, num, para, part, sci, table } from './step_table.js';
import { gradGrid } from './step_grad_grid.js';
import { unitButtons } from './step_units.js';

const units = (H) => [...Array(H).keys()];

function outputPart(u, t) {
  const o = outputAt(u, t);
  const box = part('Output: the error signal');
  box.append(explained('∂L / ∂y_t = ( p_t − onehot ( target ) ) / T',
    `The gradient of the loss with respect to the scores is the predicted probabilities minus 1 at the target: it pushes the target's score up and every other score down. It is divided by T = ${u.T} because training minimises the mean loss over the steps.`));
  const shown = u.V <= 12 ? o.order : o.order.slice(0, 6);
  if (!shown.includes(o.target)) shown.push(o.target);
  box.append(table(`Step ${t + 1}: the error signal`, ['character', m('p'), m('∂L / ∂y')],
    shown.map((v) => [named(symbol(u, v)) + (v === o.target ? ' (target)' : ''), num(o.probs[v]), num(o.dlogits[v])])));
  return columns(box);
}

function truncationNote(u, k, t, b) {
  if (!b.cut) return null;
  const carried = norm(forwardAt(u, k, t).hPrev);
  if (t === 0) return para(`Step 1 starts from the state carried in (${carried === 0 ? 'zeros here' : `norm ${sci(carried)}`}). Backpropagation stops at it: the gradient that would reach that state (norm ${sci(norm(b.toPrev))}) is dropped.`);
  return para(`Truncation cuts here: backpropagation through time stops at step ${t + 1}. The gradient that would flow on into the state before this step (norm ${sci(norm(b.toPrev))}) is dropped, although that state itself (norm ${sci(carried)}, the h_{t−1} column going forward) is carried into this step.`, 'step-note step-cut');
}

function rnnRows(u, f, b) {
  return units(u.H).map((j) => {
    const tanhPrime = 1 - f.h[j] * f.h[j];
    return [String(j), num(b.above[j]), num(b.future[j]), num(b.dh[j]), num(tanhPrime), num(b.dpre[j]),
      b.toPrev ? num(b.toPrev[j]) : '—'];
  });
}

function lstmRows(u, b) {
  return units(u.H).map((j) => [String(j), num(b.above[j]), num(b.future[j]), num(b.dh[j]), num(b.dcFuture[j]),
    num(b.dc[j]), b.toPrev ? num(b.toPrev[j]) : '—']);
}

function layerPart(u, k, t, onOpenUnit) {
  const f = forwardAt(u, k, t), b = backwardAt(u, k, t);
  const top = k === u.L - 1;
  const box = part(`Layer ${k + 1}: the gradient's norm here is ${sci(b.dhNorm)}`);
  box.append(explained('∂L / ∂h_t = W_hy^T ∂L / ∂y_t + ∂L / ∂h^{future}_t',
    `The state h_t was used twice: by ${top ? 'the output' : 'the layer above'} and by the next step. So its gradient is the sum of what comes back from both.`));
  if (u.cell === 'rnn') {
    box.append(explained(['∂L / ∂a_t = ∂L / ∂h_t ⊙ ( 1 − h_t^2 )', '∂L / ∂h^{future}_{t−1} = W_hh^T ∂L / ∂a_t'],
      'Through tanh (its slope is 1 − h², small where a unit is saturated near ±1), then back through W_hh into the step before. Each step multiplies by this Jacobian again: that product is why gradients vanish or explode over many steps.'));
  } else if (isLstm(u.cell)) {
    box.append(explained(['∂L / ∂c_t = ∂L / ∂c^{future}_t + ∂L / ∂h_t ⊙ o_t ⊙ ( 1 − tanh^2 c_t )', '∂L / ∂c^{future}_{t−1} = ∂L / ∂c_t ⊙ f_t'],
      'Along the cell the gradient is only multiplied element by element by the forget gate: no matrix, no squashing slope. With f near 1 it passes many steps almost unchanged.'));
  } else {
    box.append(explained('∂L / ∂h^{future}_{t−1} = ∂L / ∂h_t ⊙ z_t + ( through r , n and W_hh )',
      'The GRU keeps a direct path too: the update gate z copies part of the gradient straight to the step before.'));
  }
  const note = truncationNote(u, k, t, b);
  if (note) box.append(note);
  if (!u.printable) return summaryPart(u, k, t, b, box, onOpenUnit);
  const gated = u.cell !== 'rnn';
  box.append(table(`Layer ${k + 1} at step ${t + 1}: gradients, one row per unit`,
    gated && isLstm(u.cell)
      ? ['unit', `from ${top ? 'output' : 'above'}`, 'from future', m('∂L / ∂h_t'), 'dc from the future', m('∂L / ∂c_t'), 'to the step before']
      : ['unit', `from ${top ? 'output' : 'above'}`, 'from future', m('∂L / ∂h_t'), ...(gated ? [] : [m('1 − h_t^2'), m('∂L / ∂a_t')]), 'to the step before'],
    isLstm(u.cell) ? lstmRows(u, b) : gated ? units(u.H).map((j) => [String(j), num(b.above[j]), num(b.future[j]),
      num(b.dh[j]), b.toPrev ? num(b.toPrev[j]) : '—']) : rnnRows(u, f, b)));
  box.append(...accumulated(u, t, b));
  const grid = gradGrid(u, k, t);
  if (grid) box.append(grid);
  return columns(box);
}

function summaryPart(u, k, t, b, box, onOpenUnit) {
  box.append(table(`Layer ${k + 1} at step ${t + 1}: sizes`, ['gradient', 'norm'],
    [['from above / output', sci(norm(b.above))], ['from future', sci(norm(b.future))], ['sum (state)', sci(b.dhNorm)],
     ...(b.dc ? [['cell', sci(norm(b.dc))]] : [])]));
  const width = Math.min(5, u.H);
  const top = [...u.layers[k].topBackward.subarray(t * width, (t + 1) * width)];
  box.append(table('Units with the largest gradient', ['unit', m('∂L / ∂h_t')], top.map((j) => [String(j), num(b.dh[j])])));
  box.append(unitButtons(k, top, onOpenUnit));
  box.append(...accumulated(u, t, b));
  return columns(box);
}

function accumulated(u, t, b) {
  return [explained(['∂L / ∂W_hh += ∂L / ∂a_t h_{t−1}^T', '∂L / ∂W_xh += ∂L / ∂a_t x_t^T', '∂L / ∂b += ∂L / ∂a_t'],
    'Every step adds its share to the weight gradients; the same weights are used at every step, so their gradient is the sum over the steps. The norms so far are in the table.'),
  table(`Weight gradients summed over steps ${t + 1} to ${u.T}`, ['block', 'norm'],
    [['dW_xh (input weights)', sci(b.runW.wih)], ['dW_hh (recurrent weights)', sci(b.runW.whh)],
     ['db (input-side bias)', sci(b.runW.bih)], ['db (recurrent-side bias)', sci(b.runW.bhh)]])];
}

// The backward detail of step t into container: the output first, then the layers from the top down.
export function renderBackward(container, u, t, onOpenUnit) {
  const parts = [outputPart(u, t)];
  for (let k = u.L - 1; k >= 0; --k) parts.push(layerPart(u, k, t, onOpenUnit));
  container.replaceChildren(...parts);
}
