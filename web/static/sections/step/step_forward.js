// The forward pass at one step, layer by layer and then the output: the equations, a sentence each, and the engine's
// numbers for every unit (or, for models too big to print, the norms and the units that change most).
import { explained, m } from './step_math.js';
import { forwardAt, gateNames, inputChar, isLstm, named, norm, outputAt, symbol, targetChar } from './step_data.js';
import { columns, num, para, part, table } from './step_table.js';
import { unitButtons } from './step_units.js';

const units = (H) => [...Array(H).keys()];

function inputSentence(u, k, t) {
  const y = u.layers[k];
  if (k > 0) return `The input here is the state of layer ${k} below (${y.in} numbers).`;
  if (u.oneHot) return `The input is the one-hot vector of ${named(inputChar(u, t))}: a 1 in row ${u.inputs[t]} of ${u.V}, zeros elsewhere, so the input term is simply column ${u.inputs[t]} of the input weights.`;
  return `The input is the embedding of ${named(inputChar(u, t))}: row ${u.inputs[t]} of the embedding table (${y.in} numbers).`;
}

function rnnLayer(u, k, t, f) {
  const box = part(`Layer ${k + 1}: the recurrent step`);
  box.append(explained('h_t = tanh ( W_hh h_{t−1} + W_xh x_t + b )',
    'Each unit adds up what it reads now (the input term) and what it remembers (the recurrent term, from the last ' +
    'state), plus a bias, and squashes the sum into −1…1 with tanh. That is the whole memory of a vanilla RNN.'));
  box.append(para(inputSentence(u, k, t)));
  box.append(table(`Layer ${k + 1} at step ${t + 1}, one row per unit`,
    ['unit', m('h_{t−1}'), m('W_xh x_t'), m('W_hh h_{t−1}'), m('b'), 'sum', m('h_t = tanh ( sum )')],
    units(u.H).map((j) => [String(j), num(f.hPrev[j]), num(f.wx[j]), num(f.wh[j]), num(f.bias[j]), num(f.pre[j]), num(f.h[j])])));
  return columns(box);
}

const LSTM_WORDS = {
  lstm: ['c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t', 'The cell keeps what the forget gate f lets through and adds what the input gate i lets in of the candidate g. The update is element by element (⊙), with no matrix in the way: this is the path along which the gradient survives many steps.'],
  lstm_peephole: ['c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t', 'As the LSTM, but the gates also look at the cell itself (peepholes).'],
  lstm_cifg: ['c_t = ( 1 − i_t ) ⊙ c_{t−1} + i_t ⊙ g_t', 'The forget gate is tied to the input gate: what comes in pushes out as much of the old cell.'],
  lstm_nfg: ['c_t = c_{t−1} + i_t ⊙ g_t', 'No forget gate: the cell only adds, so it keeps everything it has seen.'],
};

function gatedLayer(u, k, t, f) {
  const names = gateNames(u.cell);
  const lstm = isLstm(u.cell);
  const box = part(`Layer ${k + 1}: the ${lstm ? 'LSTM' : 'GRU'} step`);
  if (lstm) {
    box.append(explained(['i_t , f_t , o_t = σ ( W_x x_t + W_h h_{t−1} + b )', 'g_t = tanh ( W_x x_t + W_h h_{t−1} + b )'],
      'Each gate is a sigmoid between 0 (closed) and 1 (open), computed from the input and the last state; g is the candidate content, between −1 and 1.'));
    box.append(explained(...LSTM_WORDS[u.cell]));
    box.append(explained('h_t = o_t ⊙ tanh ( c_t )', 'The output gate o decides how much of the cell shows in the state the next layer and the next step see.'));
  } else {
    box.append(explained('r_t , z_t = σ ( W_x x_t + W_h h_{t−1} + b )',
      'Two gates, each a sigmoid between 0 and 1, computed from the input and the last state.'));
    box.append(explained('n_t = tanh ( W_in x_t + b_in + r_t ⊙ ( W_hn h_{t−1} + b_hn ) )',
      'The reset gate r decides how much of the last state goes into the candidate n.'));
    box.append(explained('h_t = ( 1 − z_t ) ⊙ n_t + z_t ⊙ h_{t−1}', 'The update gate z mixes: 1 keeps the old state, 0 takes the candidate.'));
  }
  box.append(para(inputSentence(u, k, t)));
  const extra = lstm ? [m('c_{t−1}'), m('c_t')] : [m('h_{t−1}')];
  box.append(table(`Layer ${k + 1} at step ${t + 1}: gates, one row per unit`, ['unit', ...names.map(m), ...extra, m('h_t')],
    units(u.H).map((j) => [String(j), ...names.map((_, g) => num(f.gates[g * u.H + j])),
      ...(lstm ? [num(f.cPrev[j]), num(f.c[j])] : [num(f.hPrev[j])]), num(f.h[j])])));
  return columns(box);
}

// Too many units to print: the norms and the few units whose state changes most at this step.
function summaryLayer(u, k, t, f, onOpenUnit) {
  const box = part(`Layer ${k + 1} (${u.H} units: a summary)`,
    'Too many units to print each one: these are the sizes (norms) of the vectors, and the units whose state changes most at this step. Open any unit to see all of its numbers.');
  box.append(table(`Layer ${k + 1} at step ${t + 1}: sizes`, ['vector', 'norm'], [
    ['input term', num(norm(f.wx))], ['recurrent term', num(norm(f.wh))], ['state before', num(norm(f.hPrev))],
    ['state after', num(norm(f.h))], ...(f.c ? [['cell after', num(norm(f.c))]] : [])]));
  const width = Math.min(5, u.H);
  const top = [...u.layers[k].topForward.subarray(t * width, (t + 1) * width)];
  box.append(table('Units that change most', ['unit', m('h_{t−1}'), m('h_t'), 'change'],
    top.map((j) => [String(j), num(f.hPrev[j]), num(f.h[j]), num(f.h[j] - f.hPrev[j])])));
  box.append(unitButtons(k, top, onOpenUnit));
  return columns(box);
}

// The lecture's point about "hello": the same input can lead to different predictions (after the first "l" an "l",
// after the second an "o"), because the state carries what came before.
function sameInputEarlier(u, t, top) {
  for (let s = t - 1; s >= 0; --s) {
    if (u.inputs[s] !== u.inputs[t]) continue;
    const before = outputAt(u, s).top;
    if (before === top) return null;
    return `The same character ${named(inputChar(u, t))} was read at step ${s + 1}, where the top prediction was ` +
      `${named(symbol(u, before))}; now it is ${named(symbol(u, top))}. The input alone cannot tell these apart: the ` +
      'hidden state remembers what came before.';
  }
  return null;
}

function outputPart(u, t) {
  const o = outputAt(u, t);
  const box = part('Output: the prediction');
  box.append(explained('y_t = W_hy h_t + b_y', 'The top layer\'s state is turned into one score (logit) per character.'));
  box.append(explained(['p_t = softmax ( y_t )', 'L_t = − log p_t ( target )'],
    'Softmax turns the scores into probabilities that add up to 1. The loss is small when the character that really comes next got a high probability.'));
  const shown = u.V <= 12 ? o.order : o.order.slice(0, 8);
  if (!shown.includes(o.target)) shown.push(o.target);
  box.append(table(`Step ${t + 1}: the ${shown.length === u.V ? '' : 'most likely '}next characters`, ['character', 'logit y', 'p', ''],
    shown.map((v) => [named(symbol(u, v)), num(o.logits[v]), num(o.probs[v]),
      [v === o.target ? 'target' : '', v === o.top ? 'top' : ''].filter(Boolean).join(', ')])));
  const memory = sameInputEarlier(u, t, o.top);
  if (memory) box.append(para(memory, 'step-note step-memory'));
  box.append(para(`Reads ${named(inputChar(u, t))}; top prediction ${named(symbol(u, o.top))} (p = ${num(o.probs[o.top])}). ` +
    `The next character is ${named(targetChar(u, t))}: p = ${num(o.probs[o.target])}, loss −log p = ${num(o.loss)} nats.`));
  return columns(box);
}

// The forward detail of step t into container. onOpenUnit(layer, unit): a unit's full view (big models).
export function renderForward(container, u, t, onOpenUnit) {
  const parts = [];
  for (let k = 0; k < u.L; ++k) {
    const f = forwardAt(u, k, t);
    if (!u.printable) parts.push(summaryLayer(u, k, t, f, onOpenUnit));
    else parts.push(u.cell === 'rnn' ? rnnLayer(u, k, t, f) : gatedLayer(u, k, t, f));
  }
  parts.push(outputPart(u, t));
  container.replaceChildren(...parts);
}
