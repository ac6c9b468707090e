// The gradient-flow chart: for each measurement, the gradient's norm k characters back (k = 0..window-1) on a log
// scale, one coloured curve per measurement with a legend, so cell types can be overlaid.
import { beginDrawing } from '../../ui/canvas.js';
import { decadeTicks, logAxis } from '../../ui/log_scale.js';

const FLOW_COLOURS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
const PAD = { left: 48, right: 10, top: 10, bottom: 28 };   // px around the plot: the axes' labels
const LAG_LABEL_EVERY = 10;

// flows: [{ label, values: [norm at k] }]. Draws nothing while the canvas has no size.
export function drawFlowChart(canvas, flows) {
  const drawing = beginDrawing(canvas);
  if (!drawing) return;
  const { ctx, w, h, colour } = drawing;
  const plot = { left: PAD.left, top: PAD.top, w: w - PAD.left - PAD.right, h: h - PAD.top - PAD.bottom };
  const text = colour('--muted', '#666');
  if (!flows.length) {
    ctx.fillStyle = text;
    ctx.fillText('Press “Measure gradient flow” to add a curve.', plot.left, plot.top + plot.h / 2);
    return;
  }
  const lags = Math.max(0, ...flows.map((f) => f.values.length));
  const axis = logAxis(...positiveRange(flows), plot.top, plot.h);
  const x = (k) => plot.left + (plot.w * k) / Math.max(1, lags - 1);
  drawAxes(ctx, { plot, axis, x, lags, h, text, grid: colour('--chart-grid', '#ddd') });
  flows.forEach((f, i) => drawCurve(ctx, f, i, { plot, axis, x }));
}

// [smallest, largest] of the positive finite values; 1e-6..1 when there are none.
function positiveRange(flows) {
  let lo = Infinity, hi = -Infinity;
  for (const f of flows) {
    for (const v of f.values) if (v > 0 && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  }
  return Number.isFinite(lo) ? [lo, hi] : [1e-6, 1];
}

function drawAxes(ctx, { plot, axis, x, lags, h, text, grid }) {
  ctx.strokeStyle = grid;
  ctx.fillStyle = text;
  ctx.lineWidth = 1;
  for (const e of decadeTicks(axis, 6)) {
    const y = axis.y(10 ** e);
    ctx.beginPath(); ctx.moveTo(plot.left, y); ctx.lineTo(plot.left + plot.w, y); ctx.stroke();
    ctx.fillText(`1e${e}`, 4, y + 4);
  }
  for (let k = 0; k < lags; k += LAG_LABEL_EVERY) ctx.fillText(String(k), x(k) - 4, h - 12);
  if (plot.w > 400) ctx.fillText('k (characters back)', plot.left + plot.w - 120, h - 12);
}

// Curve i with its legend entry; a value that is not positive (no gradient measured) breaks the line.
function drawCurve(ctx, flow, i, { plot, axis, x }) {
  ctx.strokeStyle = FLOW_COLOURS[i % FLOW_COLOURS.length];
  ctx.lineWidth = 2;
  ctx.beginPath();
  let started = false;
  flow.values.forEach((v, k) => {
    if (!(v > 0)) { started = false; return; }
    if (started) ctx.lineTo(x(k), axis.y(v)); else ctx.moveTo(x(k), axis.y(v));
    started = true;
  });
  ctx.stroke();
  ctx.fillStyle = ctx.strokeStyle;
  ctx.fillRect(plot.left + plot.w - 190, plot.top + 6 + 16 * i, 14, 3);
  ctx.fillText(flow.label, plot.left + plot.w - 170, plot.top + 11 + 16 * i);
}
