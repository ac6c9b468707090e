// What a configuration costs on a text: its exact parameter count, a rough memory estimate, and the warnings the
// settings panel shows (too big for the text, too big for a browser, slow). DOM-free, so it can be tested alone.
import { fmtBytes, fmtInt } from '../../ui/format.js';

const GATES = { lstm: 4, gru: 3, rnn: 1 };

// Parameter count exactly as the engine lays out its slab (params.cpp), without the alignment padding.
// v: form values (strings), V: vocabulary size.
export function parameterCount(v, V) {
  const G = GATES[v.cell] || 4;
  const L = Number(v.layers), H = Number(v.hidden), E = Number(v.embed);
  let p = E > 0 ? V * E : 0;
  for (let k = 0; k < L; ++k) {
    const input = k > 0 ? H : E > 0 ? E : V;
    p += G * H * input + G * H * H + 2 * G * H;
  }
  return p + V * H + V;
}

// A rough upper estimate of the engine's memory in bytes: weights, gradients and optimizer moments, the activations
// kept for backpropagation over one chunk, and the text (bytes, code points while decoding, token ids, the split).
export function memoryEstimate(v, V, P, textBytes) {
  const G = GATES[v.cell] || 4;
  const L = Number(v.layers), H = Number(v.hidden), E = Number(v.embed), B = Number(v.batch), T = Number(v.unroll);
  const moments = { adam: 2, rmsprop: 1, adagrad: 1, sgd: 1 }[v.optimizer] ?? 2;
  const N = B * T;
  let activations = 2 * V * N;
  for (let k = 0; k < L; ++k) {
    const input = k > 0 ? H : E > 0 ? E : V;
    activations += N * input + 2 * (T + 1) * B * H + 2 * G * H * N + 4 * H * N;
  }
  return 4 * (P * (2 + moments) + activations) + 13 * textBytes + 4 * 1024 * 1024;
}

// The size line and the warnings for form values v on a text with these statistics, or null when the values are not
// numbers yet. Returns { P, summary, notes: [{ kind: 'warn' | 'note', text }] }.
export function describeModelSize(v, stats) {
  const numeric = ['layers', 'hidden', 'embed', 'unroll', 'batch'].every((k) => v[k] !== '' && Number.isFinite(Number(v[k])));
  if (!numeric) return null;
  const V = stats.vocabSize;
  const P = parameterCount(v, V);
  const mem = memoryEstimate(v, V, P, stats.bytes);
  const B = Number(v.batch), T = Number(v.unroll);
  const summary = `${fmtInt(P)} parameters · about ${fmtBytes(mem)} of memory · each step reads ${fmtInt(B * T)} characters`;
  const notes = [...textFitNotes(P, stats.trainChars, B, T), ...memoryNotes(mem), ...speedNotes(v, V, P, B, T),
                 ...optimizerNotes(v)];
  return { P, summary, notes };
}

function textFitNotes(P, train, B, T) {
  const notes = [];
  const ratio = P / Math.max(1, train);
  if (ratio > 10) {
    notes.push({ kind: 'warn', text: `Too big for this text: ${fmtInt(P)} parameters for ${fmtInt(train)} training ` +
      'characters. A rule of thumb is that parameters should not greatly exceed training characters; this model will ' +
      'memorize the text rather than learn its patterns. Use fewer hidden units or layers, or a longer text.' });
  } else if (ratio > 2) {
    notes.push({ kind: 'note', text: `${fmtInt(P)} parameters for ${fmtInt(train)} training characters: the model is ` +
      'larger than the text and will start to memorize it after a while. Watch the validation loss: when it stops ' +
      'falling, further training only memorizes.' });
  }
  if (train < B * T + 1) {
    notes.push({ kind: 'warn', text: `The training part of the text (${fmtInt(train)} characters) is shorter than ` +
      `batch × unroll + 1 = ${fmtInt(B * T + 1)}. Use a smaller batch or unroll, or a longer text.` });
  }
  return notes;
}

function memoryNotes(mem) {
  if (mem > 1024 ** 3) {
    return [{ kind: 'warn', text: `Too big for a browser: about ${fmtBytes(mem)} of memory, more than a tab can ` +
      'usually give WebAssembly (2 GB at most, much less on phones). Use a smaller model, batch or unroll.' }];
  }
  if (mem > 300 * 1024 ** 2) return [{ kind: 'note', text: `About ${fmtBytes(mem)} of memory: phones and small devices may run out.` }];
  return [];
}

function speedNotes(v, V, P, B, T) {
  const embedParams = Number(v.embed) > 0 ? V * Number(v.embed) : 0;
  const stepSeconds = (6 * (P - embedParams) * B * T) / 8e9;   // ~8 GFLOP/s measured for this engine in Chromium
  if (stepSeconds <= 1) return [];
  return [{ kind: 'warn', text: `Slow in a browser: each training step will take about ${stepSeconds.toFixed(0)} s on a ` +
    'typical laptop. Training stays responsive, but learning will look slow; a smaller model learns faster here.' }];
}

// Plain SGD needs a rate about a hundred times Adam's. Measured with the CLI on the prose preset (the default
// 2-layer LSTM, 300 steps): 4.70 bits/char at 0.003 (no better than guessing), 3.37 at 0.1, 2.40 at 0.5, 2.37 at 1.
export const SGD_LOW_RATE = 0.1;
function optimizerNotes(v) {
  const lr = Number(v.lr);
  if (v.optimizer !== 'sgd' || !(lr > 0) || lr >= SGD_LOW_RATE) return [];
  return [{ kind: 'warn', text: `Plain SGD at a learning rate of ${v.lr} barely moves the weights, so the model will ` +
    'learn almost nothing. SGD needs a much larger rate than Adam: try 0.5 to 1.' }];
}
