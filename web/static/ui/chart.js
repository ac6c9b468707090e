// The page's loss chart on a <canvas>: training loss per step (thin), a smoothed curve (thick) and the validation
// loss (points joined by a line), all in bits per character against the step. Hand-written rather than a charting
// library: bench/decisions/README.md has the measurements behind that choice.
//
// This file owns the data and when to draw; chart_scale.js the ranges, box, ticks and axes; chart_series.js the
// reduction of long series and the drawing of each. Used by main.js:
//   const chart = new LossChart(canvas);
//   chart.addTrain(step, bits); chart.addVal(step, bits); chart.request();   // draws at most once per frame
//   chart.clear(); chart.truncate(step);                                      // both redraw
//   chart.steps, chart.raw, chart.val: the data (kept across reloads by run/storage.js, read by tests)
import { dataRange, drawAxisLines, drawGridAndTicks, frameFor } from './chart_scale.js';
import { drawRawColumns, drawSmoothed, drawValidation, mergePairs } from './chart_series.js';

// The uniform guess's line: dashed, grey, across the plot (when it is within the loss range shown).
function drawGuess(ctx, bits, { left, pw, Y }, colour) {
  const y = Math.round(Y(bits)) + 0.5;
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.globalAlpha = 0.6;
  ctx.setLineDash([6, 4]);
  ctx.beginPath();
  ctx.moveTo(left, y);
  ctx.lineTo(left + pw, y);
  ctx.stroke();
  ctx.restore();
}

const MAX_POINTS = 8000;   // training points kept; older ones are merged pairwise beyond this
const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

export class LossChart {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.steps = [];      // x of every training report
    this.raw = [];        // bits per character per step (NaN for rejected steps)
    this.val = [];        // [{ step, bits }]
    this.guess = null;    // the uniform guess's loss, log2 V bits per character (a dashed reference line)
    this.pending = false;
    this.cssWidth = 0;
    this.cssHeight = 0;
    const ro = new ResizeObserver(() => this.resize());
    ro.observe(canvas);
    this.resize();
  }

  clear() {
    this.steps = [];
    this.raw = [];
    this.val = [];
    this.request();
  }

  // After going back to an earlier training state: forget everything measured after `step`.
  truncate(step) {
    const n = this.steps.findIndex((s) => s > step);
    if (n >= 0) {
      this.steps.length = n;
      this.raw.length = n;
    }
    this.val = this.val.filter((v) => v.step <= step);
    this.request();
  }

  addTrain(step, bits) {
    this.steps.push(step);
    this.raw.push(bits);
    if (this.steps.length > MAX_POINTS) this.compact();
  }

  // Keeps drawing cost bounded on long runs: merges neighbouring steps pairwise (mean of their finite losses).
  compact() {
    ({ steps: this.steps, raw: this.raw } = mergePairs(this.steps, this.raw));
  }

  // The loss of guessing uniformly among V characters: drawn as a dashed line wherever it falls in the plot.
  setGuess(bits) {
    this.guess = Number.isFinite(bits) ? bits : null;
    this.request();
  }

  addVal(step, bits) {
    this.val.push({ step, bits });
  }

  // Redraws at most once per animation frame, however many reports arrived.
  request() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  // The canvas's backing store follows its box at the screen's pixel density; drawing is in CSS pixels.
  resize() {
    const rect = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(rect.width * dpr));
    const h = Math.max(1, Math.round(rect.height * dpr));
    if (w !== this.canvas.width || h !== this.canvas.height) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    this.cssWidth = rect.width;
    this.cssHeight = rect.height;
    this.dpr = dpr;
    this.request();
  }

  // The page's colours (CSS custom properties on the canvas), so the chart follows light and dark themes.
  colors() {
    const cs = getComputedStyle(this.canvas);
    const v = (name, fallback) => cs.getPropertyValue(name).trim() || fallback;
    return {
      text: v('--chart-text', '#444'),
      grid: v('--chart-grid', '#e3e3e3'),
      raw: v('--chart-raw', '#9cc3f5'),
      smooth: v('--chart-smooth', '#1f5fbf'),
      val: v('--chart-val', '#c2410c'),
    };
  }

  draw() {
    const { ctx, dpr } = this;
    const W = this.cssWidth, H = this.cssHeight;
    if (!W || !H) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    const c = this.colors();
    ctx.font = FONT;
    if (this.steps.length === 0 && this.val.length === 0) {
      ctx.fillStyle = c.text;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('The loss appears here once training starts.', W / 2, H / 2);
      return;
    }
    const frame = frameFor(ctx, dataRange(this.steps, this.raw, this.val), W, H);
    drawGridAndTicks(ctx, frame, c, W);
    // The series stay inside the plot (a little slack so thick lines at the edges are not cut).
    ctx.save();
    ctx.beginPath();
    ctx.rect(frame.left, frame.top - 2, frame.pw, frame.ph + 4);
    ctx.clip();
    if (this.steps.length > 0) {
      drawRawColumns(ctx, this.steps, this.raw, frame, c.raw);
      drawSmoothed(ctx, this.steps, this.raw, frame, c.smooth);
    }
    if (this.val.length) drawValidation(ctx, this.val, frame, c.val);
    if (this.guess !== null) drawGuess(ctx, this.guess, frame, c.text);
    ctx.restore();
    drawAxisLines(ctx, frame, c.text);
  }
}
