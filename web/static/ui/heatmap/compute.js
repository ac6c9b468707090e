// The overview's numbers, apart from any drawing: where the chosen layer and value live in a trace, and one pass
// over them that gives the picture (one pixel per unit and character) and each unit's statistics. DOM-free except
// for ImageData (a plain pixel buffer).
import { divergingRgb } from '../scales.js';

const LUT_STEPS = 255;     // colours per half of the scale, looked up instead of computed per cell

// [r, g, b] of v in [-1, 1] in steps of 1/LUT_STEPS: index round((v + 1) * LUT_STEPS).
const LUT = (() => {
  const lut = new Uint8ClampedArray((2 * LUT_STEPS + 1) * 3);
  for (let i = 0; i <= 2 * LUT_STEPS; ++i) lut.set(divergingRgb(i / LUT_STEPS - 1), i * 3);
  return lut;
})();

// Where the chosen layer and value live in the trace: value(t, j) = a[t * stride + base + j], and the scale that
// maps them to [-1, 1]. trace: { hidden, h, c, gates, gateRows } (per layer: Float32Array of T × hidden, gates
// T × gateRows); kind: 'h', 'c' or 'g<i>' (gate i).
export function valueSource(trace, layer, kind) {
  const H = trace.hidden;
  if (kind === 'h' || kind === 'c') {
    const a = (kind === 'h' ? trace.h : trace.c)[layer];
    let scale = 1;
    if (kind === 'c') {   // unbounded: scaled by the largest magnitude in the whole layer, as the caption says
      scale = 1e-6;
      for (let i = 0; i < a.length; ++i) scale = Math.max(scale, Math.abs(a[i]));
    }
    return { a, stride: H, base: 0, scale };
  }
  return { a: trace.gates[layer], stride: trace.gateRows, base: Number(kind.slice(1)) * H, scale: 1 };
}

export const valueAt = (src, t, unit) => src.a[t * src.stride + src.base + unit];

// T characters × H units -> { img: ImageData T wide and H high (row j = unit j), stats: [{ unit, meanAbs, peak
// (the value of largest magnitude), at (its character) }] }.
export function computeHeat(T, H, { a, stride, base, scale }) {
  const img = new ImageData(T, H);
  const px = img.data;
  const sum = new Float64Array(H), peak = new Float32Array(H), at = new Int32Array(H);
  for (let t = 0; t < T; ++t) {
    const row = t * stride + base;
    for (let j = 0; j < H; ++j) {
      const v = a[row + j];
      const m = Math.abs(v);
      sum[j] += m;
      if (m > Math.abs(peak[j])) { peak[j] = v; at[j] = t; }
      const x = v / scale;
      const c = Math.round(((x < -1 ? -1 : x > 1 ? 1 : x) + 1) * LUT_STEPS) * 3;
      const o = (j * T + t) * 4;
      px[o] = LUT[c]; px[o + 1] = LUT[c + 1]; px[o + 2] = LUT[c + 2]; px[o + 3] = 255;
    }
  }
  const stats = [];
  for (let j = 0; j < H; ++j) stats.push({ unit: j, meanAbs: sum[j] / T, peak: peak[j], at: at[j] });
  return { img, stats };
}

// Rows as tall as fit about 480 px, between 2 and 10 px each.
export const rowHeight = (H) => Math.max(2, Math.min(10, Math.floor(480 / H)));
