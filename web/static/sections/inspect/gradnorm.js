// "Gradient norm per step": the global L2 norm of every training step's gradient (before clipping) on a log scale,
// the clipping threshold as a dashed line, clipped steps marked with a triangle (a shape, not only a colour), and a
// switch that turns clipping off or on for the running model, so a person can watch what clipping holds back.
// The numbers come from the progress reports main.js already receives (StepReport: gradNorm, clipped); nothing
// extra is asked of the engine.
//
//   gradnorm/series.js    the numbers (the store's `gradNorm` record, written only here)
//   gradnorm/chart.js     the drawing          gradnorm/describe.js   the same in words
//
// This file decides when to draw and describe: the chart at most once per frame on screen and rarely off screen,
// the words at most once a second (reports come ~25 times a second).
//
// Needs the store and setClipping(on) (asks main.js to switch clipping for the running model; main.js answers
// through setClip()). Returns { add(reports), reset(), truncate(step), setClip(mode, threshold, atStep) }.
import { addReports, clearSeries, createSeries, setSeriesClipping, truncateSeries } from './gradnorm/series.js';
import { describeSeries } from './gradnorm/describe.js';
import { drawGradNorm } from './gradnorm/chart.js';

const $ = (id) => document.getElementById(id);
const DESCRIBE_MS = 1000;
const OFFSCREEN_MS = 2000;

export function initGradNorm({ store, setClipping }) {
  const canvas = $('gn-chart');
  const box = $('gn-clip');
  const gn = createSeries();
  const redraw = scheduleDrawing(canvas, () => drawGradNorm(canvas, gn));
  const words = throttled(describe, DESCRIBE_MS);

  function describe() {
    const text = describeSeries(gn);
    canvas.setAttribute('aria-label', text);
    $('gn-state').textContent = gn.steps.length ? text.replace(/^Gradient norm per step, log scale, steps/, 'Steps') : '';
  }

  // After each change: publish the record, then words and picture.
  function changed(describeNow) {
    store.update({ gradNorm: gn });
    if (describeNow) words.now(); else words.soon();
    redraw();
  }

  function setClip(mode, threshold, atStep = null) {
    setSeriesClipping(gn, mode, threshold, atStep);
    box.checked = mode !== 'none';
    changed(true);
  }

  box.addEventListener('change', () => setClipping(box.checked));
  store.update({ gradNorm: gn });
  words.now();
  return {
    add: (reports) => { addReports(gn, reports); changed(false); },
    reset: () => { clearSeries(gn); changed(true); },
    truncate: (step) => { truncateSeries(gn, step); changed(true); },
    setClip,
  };
}

// now(): fn at once. soon(): fn at once unless it ran less than ms ago, else ms from now, so it runs at most about
// once every ms and always after the last call (the last report is always described).
function throttled(fn, ms) {
  let last = 0, timer = 0;
  const now = () => { last = performance.now(); fn(); };
  const soon = () => {
    clearTimeout(timer);
    if (performance.now() - last >= ms) now();
    else timer = setTimeout(now, ms);
  };
  return { now, soon };
}

// draw() every frame while the canvas is on screen; off screen at most every OFFSCREEN_MS, so the chart is never
// blank when it comes into view (or into a full-page screenshot) before its next frame. Returns request().
function scheduleDrawing(canvas, draw) {
  let visible = false, pending = false, drawn = -Infinity;
  function request() {
    if (pending || (!visible && performance.now() - drawn < OFFSCREEN_MS)) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      drawn = performance.now();
      draw();
    });
  }
  new IntersectionObserver((entries) => {
    visible = entries.some((e) => e.isIntersecting);
    request();
  }).observe(canvas);
  new ResizeObserver(request).observe(canvas);
  return request;
}
