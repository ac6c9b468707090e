// The page bench.mjs opens: the hand-written LossChart (web/static/ui/chart.js) and uPlot side by side, same size,
// same data. Each "frame" is what a training report costs the page: one more training point (and a validation point
// every VAL_EVERY steps), then one full redraw; a 1x1 getImageData after each redraw makes the browser rasterize it,
// as showing the frame would. Times are taken over batches of frames (Chromium coarsens performance.now()).
import uPlot from 'uplot';
import { LossChart } from '../../../web/static/ui/chart.js';
import { centredAverage } from '../../../web/static/ui/chart_series.js';

const VAL_EVERY = 100;
const lossAt = (step) => 4.5 * Math.exp(-step / 1500) + 1.4 + 0.25 * Math.sin(step * 12.9898) ** 2;

function series(points) {
  const steps = [], raw = [];
  for (let s = 1; s <= points; ++s) { steps.push(s); raw.push(lossAt(s)); }
  return { steps, raw };
}

function box(id) {
  const div = document.createElement('div');
  div.className = 'chart';
  div.style.width = '900px';
  div.id = id;
  document.body.append(div);
  return div;
}

// The hand-written chart as main.js drives it, drawn synchronously (main.js asks for one draw per frame).
function handWritten(points) {
  const canvas = document.createElement('canvas');
  box('hand').append(canvas);
  const chart = new LossChart(canvas);
  const { steps, raw } = series(points);
  steps.forEach((s, i) => chart.addTrain(s, raw[i]));
  for (let s = VAL_EVERY; s <= points; s += VAL_EVERY) chart.addVal(s, lossAt(s) - 0.1);
  chart.resize();
  let step = points;
  return () => {
    step += 1;
    chart.addTrain(step, lossAt(step));
    if (step % VAL_EVERY === 0) chart.addVal(step, lossAt(step) - 0.1);
    chart.draw();
    return chart.ctx;
  };
}

// uPlot with the same three series: raw (thin), the same centred average (thick), validation points joined.
function withUplot(points) {
  const { steps, raw } = series(points);
  const val = steps.map((s) => (s % VAL_EVERY === 0 ? lossAt(s) - 0.1 : null));
  const opts = {
    width: 900, height: 240, legend: { show: true }, cursor: { show: true },
    scales: { x: { time: false } },
    series: [{ label: 'step' },
      { label: 'training', stroke: '#9cc3f5', width: 1 },
      { label: 'smoothed', stroke: '#1f5fbf', width: 2.25 },
      { label: 'validation', stroke: '#c2410c', width: 2, spanGaps: true, points: { show: true, size: 5 } }],
  };
  const smooth = () => Array.from(centredAverage(raw, Math.max(2, Math.round(raw.length / 60))));
  const plot = new uPlot(opts, [steps, raw, smooth(), val], box('uplot'));
  let step = points;
  return () => {
    step += 1;
    steps.push(step);
    raw.push(lossAt(step));
    val.push(step % VAL_EVERY === 0 ? lossAt(step) - 0.1 : null);
    plot.setData([steps, raw, smooth(), val]);
    plot.redraw(false, false);   // uPlot defers its drawing to a microtask; see measure()
    return plot.ctx;
  };
}

// ms per frame: the median over `batches` batches of `perBatch` frames. raster: read a pixel back after each frame,
// which makes the browser rasterize it (else only the script's own drawing calls are timed).
async function measure(frame, batches, perBatch, raster) {
  const perFrame = [];
  for (let b = 0; b < batches; ++b) {
    const t0 = performance.now();
    for (let i = 0; i < perBatch; ++i) {
      const ctx = frame();
      await Promise.resolve();   // uPlot's commit runs in the microtask queued before this one
      if (raster) ctx.getImageData(0, 0, 1, 1);
    }
    perFrame.push((performance.now() - t0) / perBatch);
  }
  perFrame.sort((a, b) => a - b);
  return perFrame[perFrame.length >> 1];
}

window.runBench = async ({ points, rounds, batches, perBatch }) => {
  const frames = { hand: handWritten(points), uplot: withUplot(points) };
  const result = { script: { hand: [], uplot: [] }, raster: { hand: [], uplot: [] } };
  // Interleaved, so a slow moment of the shared machine hits both.
  for (let r = 0; r < rounds; ++r) {
    for (const [kind, raster] of [['script', false], ['raster', true]]) {
      for (const name of r % 2 ? ['uplot', 'hand'] : ['hand', 'uplot'])
        result[kind][name].push(await measure(frames[name], batches, perBatch, raster));
    }
  }
  return result;
};
window.benchReady = true;
