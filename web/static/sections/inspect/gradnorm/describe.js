// The gradient-norm chart in words: what a sighted person reads off it, as numbers (the chart's accessible name and
// the line under it). DOM-free.
import { fmtInt } from '../../../ui/format.js';

const RECENT = 100;   // the words summarise the last RECENT steps

// A norm in at most three significant digits: 0.153, 12.5, 1.2e+3.
export const fmtNorm = (v) => (v >= 1000 || v < 0.01 ? v.toExponential(1) : String(Number(v.toPrecision(3))));

// gn: the series (series.js). Starts "Gradient norm chart: no training steps yet" or "Gradient norm per step, log
// scale, steps ...".
export function describeSeries(gn) {
  const n = gn.steps.length;
  if (!n) return 'Gradient norm chart: no training steps yet. ' + clipText(gn) + '.';
  const recent = gn.norms.slice(-RECENT);
  const sorted = [...recent].sort((a, b) => a - b);
  const clipped = gn.clipped.slice(-RECENT).filter(Boolean).length;
  let text = `Gradient norm per step, log scale, steps ${fmtInt(gn.steps[0])} to ${fmtInt(gn.steps[n - 1])}: over the ` +
    `last ${recent.length} steps the median norm is ${fmtNorm(sorted[sorted.length >> 1])} and the largest ` +
    `${fmtNorm(sorted[sorted.length - 1])}; ${clipped} of them clipped. ${clipText(gn)}.`;
  for (const s of gn.switches) {
    text += s.text.startsWith('clipping') ? ` Clipping turned ${s.on ? 'on' : 'off'} at step ${fmtInt(s.step)}.`
      : ` Threshold set to ${s.text.slice('threshold '.length)} at step ${fmtInt(s.step)}.`;
  }
  return text;
}

function clipText(gn) {
  const t = clipPhrase(gn);
  return t[0].toUpperCase() + t.slice(1);
}

function clipPhrase(gn) {
  if (gn.mode === 'none') return `clipping off (threshold ${fmtNorm(gn.threshold)} not applied)`;
  if (gn.mode === 'value') return `element-wise clipping to ±${fmtNorm(gn.threshold)} (the line is not drawn: it is not a norm)`;
  return `clipping at a global norm of ${fmtNorm(gn.threshold)}`;   // (not "clip threshold": the form's label)
}
