// What a trace reply means, apart from the page: the names of cells and gates, a chosen unit's values over the text,
// and the prediction at a position. DOM-free, so every view reads a trace the same way.
//
// A trace (op "trace", see inspect_bindings.cpp) as the views keep it: { text, chars (array of one-character
// strings, T of them), layers, hidden (H), cell, step, h[layer] and c[layer] (Float32Array T × H, row t = character
// t), gates[layer] (T × gateRows, gate g's units at g*H..), gatesPerCell, hasCellState, pNext (T: probability
// given to the character that came next), topChars/topProbs (T × 5: the five most likely next characters) }.

const GATE_LETTERS = { lstm: 'ifgo', lstm_peephole: 'ifgo', gru: 'rzn', lstm_cifg: 'igo', lstm_nfg: 'igo' };
const GATE_NAMES = { i: 'input gate i', f: 'forget gate f', g: 'candidate g', o: 'output gate o', r: 'reset gate r',
                     z: 'update gate z', n: 'candidate n' };
export const CELL_NAMES = { lstm: 'LSTM', gru: 'GRU', rnn: 'RNN', rnn_tanh: 'RNN', lstm_peephole: 'LSTM with peepholes',
                            lstm_cifg: 'LSTM (CIFG)', lstm_nfg: 'LSTM (no forget gate)' };
const TOP_K = 5;

export const cellName = (cell) => CELL_NAMES[cell] || cell;

// 0.123 -> "12%", 0.0123 -> "1.2%".
export const pct = (p) => (p * 100).toFixed(p >= 0.1 ? 0 : 1) + '%';

// The values a unit can be coloured by: [{ label, value }] with value 'h', 'c' or 'g<i>'.
export function valueKinds(trace) {
  const kinds = [{ label: 'Hidden state h', value: 'h' }];
  if (trace.hasCellState) kinds.push({ label: 'Cell state c', value: 'c' });
  const letters = trace.gatesPerCell > 0 ? (GATE_LETTERS[trace.cell] || '').slice(0, trace.gatesPerCell) : '';
  [...letters].forEach((g, i) => kinds.push({ label: GATE_NAMES[g] || `gate ${i + 1}`, value: 'g' + i }));
  return kinds;
}

// One unit's values over the text: { layer, kind, unit, get(t), scale, label }. kindName: how the value is named in
// the label for a gate (the h and c are named by their letter).
export function unitValues(trace, { layer, kind, unit }, kindName) {
  const H = trace.hidden;
  let get;
  if (kind === 'h' || kind === 'c') {
    const a = (kind === 'h' ? trace.h : trace.c)[layer];
    get = (t) => a[t * H + unit];
  } else {
    const g = Number(kind.slice(1));
    const a = trace.gates[layer];
    get = (t) => a[t * trace.gateRows + g * H + unit];
  }
  let scale = 1;
  if (kind === 'c') {   // the cell state is unbounded: scale by its largest magnitude over this text
    scale = 1e-6;
    for (let t = 0; t < trace.chars.length; ++t) scale = Math.max(scale, Math.abs(get(t)));
  }
  const name = kind === 'h' || kind === 'c' ? kind : kindName;
  return { layer, kind, unit, get, scale, label: `layer ${layer + 1}, ${name}, unit ${unit}` };
}

// After character t: { next (the character that came, undefined at the end), p (the probability it was given),
// top: [{ ch, p }] (the most likely next characters) }.
export function prediction(trace, t) {
  const top = [];
  for (let i = 0; i < TOP_K; ++i) {
    const cp = trace.topChars[t * TOP_K + i];
    if (cp) top.push({ ch: String.fromCodePoint(cp), p: trace.topProbs[t * TOP_K + i] });
  }
  return { next: trace.chars[t + 1], p: trace.pNext[t], top };
}

// The part of a trace the store keeps (the tests and the live refresh read it).
export const traceRecord = (trace) =>
  ({ length: trace.length, layers: trace.layers, hidden: trace.hidden, cell: trace.cell, step: trace.step });

// Whether a new trace has the same shape as the one shown, so the views can keep their elements.
export const sameShape = (shown, r, cell) =>
  Boolean(shown) && shown.layers === r.layers && shown.hidden === r.hidden && shown.cell === cell;

// The status line after a trace: "612 characters through the LSTM at step 250." (live: how long the engine paused).
export function traceState(trace, reply, live = false) {
  return `${trace.chars.length.toLocaleString('en-US')} characters through the ${cellName(trace.cell)} ` +
    `at step ${reply.step.toLocaleString('en-US')}` +
    (live ? ` (refreshed while training; the engine paused ${Math.round(reply.ms)} ms for it).` : '.');
}
