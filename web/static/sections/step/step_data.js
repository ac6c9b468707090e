// Reading the engine's unrolled trace (op "unroll", web/inspect_bindings.cpp): every array is step-major,
// [t * width + i]. These helpers name the rows the view needs, so the drawing code never does index arithmetic.
// DOM-free.
import { charName } from '../../ui/chars.js';

// Gate names per cell, in the engine's (torch's) block order.
const GATES = {
  rnn: [], lstm: ['i', 'f', 'g', 'o'], lstm_peephole: ['i', 'f', 'g', 'o'], lstm_cifg: ['i', 'g', 'o'],
  lstm_nfg: ['i', 'g', 'o'], gru: ['r', 'z', 'n'],
};
export const gateNames = (cell) => GATES[cell] ?? [];
export const isLstm = (cell) => cell.startsWith('lstm');

export const row = (a, t, width) => a.subarray(t * width, (t + 1) * width);
export const norm = (a) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
export const argmax = (a) => a.reduce((best, v, i) => (v > a[best] ? i : best), 0);

export const symbol = (u, id) => String.fromCodePoint(u.vocab[id]);
export const inputChar = (u, t) => symbol(u, u.inputs[t]);
export const targetChar = (u, t) => symbol(u, u.targets[t]);
export const named = (ch) => charName(ch);

// The forward numbers of layer k at step t, as arrays of H (per unit) or G*H (per gate row).
export function forwardAt(u, k, t) {
  const y = u.layers[k];
  const GH = u.G * u.H;
  return {
    x: row(y.x, t, y.in), wx: row(y.wx, t, GH), wh: row(y.wh, t, GH), pre: row(y.pre, t, GH),
    gates: y.gates.length ? row(y.gates, t, GH) : null,
    hPrev: row(y.h, t, u.H), h: row(y.h, t + 1, u.H),
    cPrev: y.c.length ? row(y.c, t, u.H) : null, c: y.c.length ? row(y.c, t + 1, u.H) : null,
    bias: y.bIh.map((b, i) => b + y.bHh[i]),
  };
}

// The backward numbers of layer k at step t.
export function backwardAt(u, k, t) {
  const y = u.layers[k];
  const { H } = u;
  const GH = u.G * H;
  return {
    above: row(y.dhAbove, t, H), future: row(y.dhFuture, t, H), dh: row(y.dh, t, H), dhNorm: y.dhNorm[t],
    dpre: row(y.dpre, t, GH), dcFuture: y.dcFuture.length ? row(y.dcFuture, t, H) : null,
    dc: y.dc.length ? row(y.dc, t, H) : null,
    // What goes on to h_{t-1}: the next column's "from the future", or, where a window starts, what truncation drops.
    toPrev: u.windowStart[t] ? row(y.dhDropped, t, H) : t > 0 ? row(y.dhFuture, t - 1, H) : null,
    cut: Boolean(u.windowStart[t]),
    runW: { wih: y.runNormWIh[t], whh: y.runNormWHh[t], bih: y.runNormBIh[t], bhh: y.runNormBHh[t] },
  };
}

// The output at step t: logits, probabilities and dL/dy, with the vocabulary ordered by probability.
export function outputAt(u, t) {
  const { V } = u;
  const logits = row(u.logits, t, V), probs = row(u.probs, t, V), dlogits = row(u.dlogits, t, V);
  const order = [...probs.keys()].sort((a, b) => probs[b] - probs[a]);
  return { logits, probs, dlogits, order, top: order[0], target: u.targets[t], loss: u.loss[t] };
}

// The gradient that reaches the state carried in before step 0 (t − T from the last step): what full BPTT would
// pass further back and truncation drops.
export const carriedInNorm = (u, k = u.L - 1) => norm(row(u.layers[k].dhDropped, 0, u.H));

// The norm of dL/dh_t per step for layer k, plus the carried-in state's at the front.
export const dhNorms = (u, k = u.L - 1) => [...u.layers[k].dhNorm];
