// The comparison's chart: every run's validation loss (bits per character) against the training step, one line per
// run in its own colour, dash and point shape (runs.js), its name and final loss at the end of the line when the
// names fit. Redrawn when the runs change and when the canvas changes size.
//
//   const chart = createValidationChart(canvas, () => runs);   // runs: runs.js records, read at each draw
//   chart.draw();
//   describeRuns(runs) -> the canvas's aria-label (the chart in words, for a screen reader)
import { beginDrawing } from '../../ui/canvas.js';
import { fmtInt, fmtBits } from '../../ui/format.js';
import { shapePath } from './runs.js';
import { niceStep } from '../../ui/chart_scale.js';

const LINE_WIDTH = 2.25;
const POINT_RADIUS = 3;
const LABEL_GAP = 15;          // px between stacked end-of-line names
const LABELS_MAX_SHARE = 0.4;  // names at the line ends only if they take at most this share of the width

export function describeRuns(runs) {
  if (!runs.length) return 'Validation curves of the compared runs: none yet';
  return 'Validation loss in bits per character against training step: ' +
    runs.map((r) => `${r.label} from ${fmtBits(r.curve[0]?.bits)} to ${fmtBits(r.finalBits)} at step ` +
      fmtInt(r.finalStep)).join('; ') + '.';
}

const endLabel = (run) => `${run.label} ${fmtBits(run.finalBits)}`;

// The plot's box and scales: x from step 0 to the last step, y over whole half-bits around the finite losses.
function frameFor(ctx, runs, w, h) {
  const labelWidth = Math.max(...runs.map((r) => ctx.measureText(endLabel(r)).width)) + 14;
  const labelsInside = labelWidth <= LABELS_MAX_SHARE * w;
  const left = 40, right = labelsInside ? labelWidth : 10, top = 10, bottom = 24;
  const pw = w - left - right, ph = h - top - bottom;
  let xMax = 1, yMin = Infinity, yMax = -Infinity;
  for (const r of runs) for (const p of r.curve) {
    xMax = Math.max(xMax, p.step);
    if (Number.isFinite(p.bits)) { yMin = Math.min(yMin, p.bits); yMax = Math.max(yMax, p.bits); }
  }
  yMin = Math.floor(yMin * 2) / 2;
  yMax = Math.max(yMin + 0.5, Math.ceil(yMax * 2) / 2);
  return {
    w, h, left, top, pw, ph, xMax, yMin, yMax, labelsInside,
    X: (s) => left + (pw * s) / xMax,
    Y: (b) => top + ph * (1 - (b - yMin) / (yMax - yMin)),
  };
}

// Horizontal grid lines with their losses at the left; step ticks along the bottom, the last step named in full.
function drawAxes(ctx, f, text, grid) {
  const { left, top, pw, h, xMax, yMin, yMax, X, Y } = f;
  ctx.strokeStyle = grid;
  ctx.fillStyle = text;
  ctx.lineWidth = 1;
  ctx.textBaseline = 'middle';
  const yStep = yMax - yMin > 3 ? 1 : 0.5;
  for (let b = yMin; b <= yMax + 1e-9; b += yStep) {
    const y = Math.round(Y(b)) + 0.5;
    ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + pw, y); ctx.stroke();
    ctx.fillText(b.toFixed(1), 6, Y(b));
  }
  ctx.textBaseline = 'alphabetic';
  ctx.textAlign = 'center';
  const xStep = niceStep(xMax, Math.max(2, Math.floor(pw / 80)));
  for (let s = 0; s < xMax - xStep / 2; s += xStep) ctx.fillText(fmtInt(s), X(s), h - 6);
  ctx.textAlign = 'left';
  const xLabel = `step ${fmtInt(xMax)}`;
  ctx.fillText(xLabel, left + pw - ctx.measureText(xLabel).width, h - 6);
  if (pw > 300) ctx.fillText('bits/char (validation)', left + 8, top + 12);
}

// One run: its line in its dash, a point of its shape at every validation; returns where the line ends.
function drawRun(ctx, run, { X, Y }) {
  const { colour, dash, shape } = run.style;
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = LINE_WIDTH;
  ctx.setLineDash(dash);
  ctx.beginPath();
  run.curve.forEach((p, i) => (i ? ctx.lineTo(X(p.step), Y(p.bits)) : ctx.moveTo(X(p.step), Y(p.bits))));
  ctx.stroke();
  ctx.setLineDash([]);
  for (const p of run.curve) ctx.fill(new Path2D(shapePath(shape, X(p.step), Y(p.bits), POINT_RADIUS)));
  const last = run.curve[run.curve.length - 1];
  return { y: Y(last.bits), x: X(last.step), run };
}

// Names at the ends of the lines, pushed apart so they never overlap.
function drawEndLabels(ctx, ends, { left, pw, h }) {
  ends.sort((a, b) => a.y - b.y);
  for (let i = 1; i < ends.length; ++i) ends[i].y = Math.max(ends[i].y, ends[i - 1].y + LABEL_GAP);
  ctx.textBaseline = 'middle';
  for (const e of ends) {
    ctx.fillStyle = e.run.style.colour;
    ctx.fillText(endLabel(e.run), left + pw + 8, Math.min(e.y, h - 8));
  }
}

export function createValidationChart(canvas, getRuns) {
  function draw() {
    const drawing = beginDrawing(canvas);
    if (!drawing) return;
    const { ctx, w, h, colour } = drawing;
    const text = colour('--chart-text', '#444'), grid = colour('--chart-grid', '#ddd');
    const runs = getRuns().filter((r) => r.curve.length);
    if (!runs.length) {
      ctx.fillStyle = text;
      ctx.fillText('Validation curves appear here.', 12, h / 2);
      return;
    }
    const frame = frameFor(ctx, runs, w, h);
    drawAxes(ctx, frame, text, grid);
    const ends = runs.map((r) => drawRun(ctx, r, frame));
    if (frame.labelsInside) drawEndLabels(ctx, ends, frame);
  }
  new ResizeObserver(draw).observe(canvas);
  return { draw };
}
