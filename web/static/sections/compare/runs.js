// The compared runs as records: their names, the one-line summary of their settings, and their look on the chart
// (colour, dash, point shape). DOM-free; the chart (chart.js) and the list (run_list.js) draw from these records.
//
// A run: { label, cell, kind: 'comparison' | 'yours', curve: [{ step, bits }], steps, finalStep, finalBits,
//          stoppedEarly: text | null, summary, sample, style: { colour, dash, shape } }

import { fmtInt } from '../../ui/format.js';

export const CELL_NAMES = { rnn: 'RNN', lstm: 'LSTM', gru: 'GRU', lstm_peephole: 'LSTM with peepholes',
                            lstm_cifg: 'LSTM, CIFG', lstm_nfg: 'LSTM, no forget gate' };
export const THREE = ['rnn', 'lstm', 'gru'];
export const VARIANTS = ['lstm_peephole', 'lstm_cifg', 'lstm_nfg'];

// Okabe–Ito colours (distinguishable with the common colour-vision deficiencies), each run also gets its own dash
// pattern and point shape, and its name is written at the end of its line: colour is never the only cue.
const COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000'];
const DASHES = [[], [8, 4], [2, 3], [10, 3, 2, 3], [4, 4], [1, 3], [12, 4]];
const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'circle', 'square', 'triangle'];

export const cellName = (cell) => CELL_NAMES[cell] || cell;

// The run's look follows from its place in the list (so it is not stored, compare_store.js).
export function styled(run, index) {
  run.style = { colour: COLOURS[index % COLOURS.length], dash: DASHES[index % DASHES.length],
                shape: SHAPES[index % SHAPES.length] };
  return run;
}

// Names stay unique, so the legend, the end-of-line labels and the list always tell runs apart.
export function uniqueLabel(name, runs) {
  const taken = new Set(runs.map((r) => r.label));
  if (!taken.has(name)) return name;
  for (let i = 2; ; ++i) if (!taken.has(`${name} (${i})`)) return `${name} (${i})`;
}

// cfg: the run's config as parseConfigText gives it (strings) -> "1 layer × 32 units, embedding 16, ..."
export function summary(cfg, parameterCount, steps) {
  const num = (v) => String(Number(Number(v).toPrecision(4)));
  return `${cfg.layers} layer${cfg.layers === '1' ? '' : 's'} × ${cfg.hidden} units, ` +
    (Number(cfg.embed) > 0 ? `embedding ${cfg.embed}` : 'one-hot input') +
    `, ${fmtInt(parameterCount)} parameters; ${cfg.optimizer} at ${num(cfg.lr)}, batch ${cfg.batch} × unroll ` +
    `${cfg.unroll}, clipping ${cfg.clip === 'none' ? 'off' : num(cfg.clip_value)}, seed ${cfg.seed}; ` +
    `${fmtInt(steps)} steps`;
}

// An SVG path of the point shape centred on (x, y) with radius r: used by the canvas (Path2D) and the SVG swatches.
export function shapePath(shape, x, y, r) {
  if (shape === 'square') return `M${x - r} ${y - r}h${2 * r}v${2 * r}h${-2 * r}z`;
  if (shape === 'triangle') return `M${x} ${y - r - 1}L${x + r + 1} ${y + r}L${x - r - 1} ${y + r}z`;
  if (shape === 'diamond') return `M${x} ${y - r - 1}L${x + r + 1} ${y}L${x} ${y + r + 1}L${x - r - 1} ${y}z`;
  return `M${x - r} ${y}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`;
}
