// Draws the gradient-norm series (series.js) on a log scale: the norms (per pixel column, a stroke from the
// smallest to the largest value in it, so 20,000 steps cost what the width costs), the clipping threshold as a dashed
// line, clipped steps as triangles (a shape, not only a colour), and dotted lines where clipping was switched.
// O(points + width) per frame.
import { beginDrawing } from '../../../ui/canvas.js';
import { fmtInt } from '../../../ui/format.js';
import { decadeTicks, logAxis } from '../../../ui/log_scale.js';
import { fmtNorm } from './describe.js';

const PAD = { left: 46, right: 10, top: 10, bottom: 24 };   // px around the plot: the axes' labels
const MARK_GAP_PX = 7;       // at most one clipped-step triangle per this many pixels

export function drawGradNorm(canvas, gn) {
  const drawing = beginDrawing(canvas);
  if (!drawing) return;
  const { ctx, w, h, colour } = drawing;
  const ink = { text: colour('--chart-text', '#444'), grid: colour('--chart-grid', '#ddd'),
                line: colour('--chart-smooth', '#1f5fbf'), mark: colour('--chart-val', '#c2410c') };
  const n = gn.steps.length;
  if (!n) {
    ctx.fillStyle = ink.text;
    ctx.fillText('The gradient norm of each step appears here while the model trains.', 12, h / 2);
    return;
  }
  const c = frame(gn, w, h);
  drawAxes(ctx, c, ink, h);
  drawSwitches(ctx, c, gn.switches, ink);
  drawNorms(ctx, c, gn, ink);
  if (gn.mode !== 'value') drawThreshold(ctx, c, gn, ink);
  drawClipMarks(ctx, c, gn, ink);
  drawFrame(ctx, c, ink);
}

// The plot area and the maps step -> x and norm -> y; the threshold stays in view when it is a norm.
function frame(gn, w, h) {
  const plot = { left: PAD.left, top: PAD.top, w: w - PAD.left - PAD.right, h: h - PAD.top - PAD.bottom };
  let lo = Infinity, hi = -Infinity;
  for (const v of gn.norms) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (gn.mode === 'norm') { lo = Math.min(lo, gn.threshold); hi = Math.max(hi, gn.threshold); }
  const axis = logAxis(lo, hi, plot.top, plot.h);
  const s0 = gn.steps[0], s1 = Math.max(gn.steps[gn.steps.length - 1], s0 + 1);
  return { plot, axis, s0, s1, X: (s) => plot.left + (plot.w * (s - s0)) / (s1 - s0), Y: axis.y };
}

function drawAxes(ctx, { plot, axis, s0, s1, Y }, ink, h) {
  ctx.strokeStyle = ink.grid;
  ctx.fillStyle = ink.text;
  ctx.lineWidth = 1;
  ctx.textBaseline = 'middle';
  for (const e of decadeTicks(axis, 5)) {
    const y = Math.round(Y(10 ** e)) + 0.5;
    ctx.beginPath(); ctx.moveTo(plot.left, y); ctx.lineTo(plot.left + plot.w, y); ctx.stroke();
    ctx.fillText(e >= -2 && e <= 3 ? String(10 ** e) : `1e${e}`, 4, y);
  }
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(`step ${fmtInt(s0)}`, plot.left, h - 6);
  const endLabel = `step ${fmtInt(s1)}`;
  ctx.fillText(endLabel, plot.left + plot.w - ctx.measureText(endLabel).width, h - 6);
}

// Where clipping was switched: a dotted vertical line with a word, so the change in behaviour has a cause.
function drawSwitches(ctx, { plot, X }, switches, ink) {
  ctx.setLineDash([2, 3]);
  for (const s of switches) {
    const x = Math.round(X(s.step)) + 0.5;
    ctx.strokeStyle = ink.text;
    ctx.beginPath(); ctx.moveTo(x, plot.top); ctx.lineTo(x, plot.top + plot.h); ctx.stroke();
    ctx.fillText(s.text, Math.min(x + 4, plot.left + plot.w - ctx.measureText(s.text).width), plot.top + 12);
  }
  ctx.setLineDash([]);
}

// The norms: per pixel column, a stroke from the smallest to the largest value in it, joined column to column.
function drawNorms(ctx, { X, Y }, gn, ink) {
  ctx.strokeStyle = ink.line;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  let col = -1, cmin = 0, cmax = 0, started = false;
  const flush = () => {
    if (col < 0) return;
    const x = col + 0.5;
    if (started) ctx.lineTo(x, Y(cmax)); else ctx.moveTo(x, Y(cmax));
    ctx.lineTo(x, Y(cmin) + 0.01);
    started = true;
  };
  for (let i = 0; i < gn.steps.length; ++i) {
    const c = Math.floor(X(gn.steps[i]));
    if (c !== col) { flush(); col = c; cmin = cmax = gn.norms[i]; }
    else { cmin = Math.min(cmin, gn.norms[i]); cmax = Math.max(cmax, gn.norms[i]); }
  }
  flush();
  ctx.stroke();
}

// Threshold: dashed, labelled; grey when clipping is off (what would have been cut).
function drawThreshold(ctx, { plot, Y }, gn, ink) {
  const y = Math.round(Y(gn.threshold)) + 0.5;
  ctx.strokeStyle = gn.mode === 'none' ? ink.text : ink.mark;
  ctx.setLineDash([6, 4]);
  ctx.lineWidth = 1.5;
  ctx.beginPath(); ctx.moveTo(plot.left, y); ctx.lineTo(plot.left + plot.w, y); ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = ctx.strokeStyle;
  const label = gn.mode === 'none' ? `threshold ${fmtNorm(gn.threshold)} (clipping off)` : `clip threshold ${fmtNorm(gn.threshold)}`;
  ctx.fillText(label, plot.left + plot.w - ctx.measureText(label).width - 2, y - 5);
}

// Clipped steps: a filled triangle above the step's norm, thinned to one per MARK_GAP_PX.
function drawClipMarks(ctx, { plot, X, Y }, gn, ink) {
  ctx.fillStyle = ink.mark;
  let lastX = -Infinity;
  for (let i = 0; i < gn.steps.length; ++i) {
    if (!gn.clipped[i]) continue;
    const x = X(gn.steps[i]);
    if (x - lastX < MARK_GAP_PX) continue;
    lastX = x;
    const y = Math.max(plot.top + 6, Y(gn.norms[i]) - 3);
    ctx.beginPath();
    ctx.moveTo(x, y - 6); ctx.lineTo(x + 4, y); ctx.lineTo(x - 4, y); ctx.closePath();
    ctx.fill();
  }
}

// The axes' lines, over the data.
function drawFrame(ctx, { plot }, ink) {
  ctx.strokeStyle = ink.text;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(plot.left + 0.5, plot.top); ctx.lineTo(plot.left + 0.5, plot.top + plot.h + 0.5);
  ctx.lineTo(plot.left + plot.w, plot.top + plot.h + 0.5);
  ctx.stroke();
}
