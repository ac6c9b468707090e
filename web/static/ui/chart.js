// A small hand-written loss chart on a <canvas>: training loss per step (thin), a smoothed curve (thick) and the
// validation loss (points joined by a line), all in bits per character against the step. Drawing is O(width):
// the raw series is reduced to one min/max pair per pixel column, so thousands of steps cost the same as a hundred.

const MAX_POINTS = 8000;   // training points kept; older ones are merged pairwise beyond this
const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

function niceStep(range, targetTicks) {
  const rough = range / Math.max(1, targetTicks);
  const pow = Math.pow(10, Math.floor(Math.log10(rough)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= rough) return m * pow;
  return 10 * pow;
}

function formatTick(v, step) {
  if (Math.abs(v) >= 10000) return (v / 1000).toFixed(0) + 'k';
  if (Math.abs(v) >= 1000) return (v / 1000).toFixed(step >= 1000 ? 0 : 1).replace(/\.0$/, '') + 'k';
  const decimals = step >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(step)));
  return v.toFixed(decimals);
}

export class LossChart {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.steps = [];      // x of every training report
    this.raw = [];        // bits per character per step (NaN for rejected steps)
    this.val = [];        // [{ step, bits }]
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
    const steps = [], raw = [];
    for (let i = 0; i + 1 < this.steps.length; i += 2) {
      const a = this.raw[i], b = this.raw[i + 1];
      steps.push(this.steps[i + 1]);
      raw.push(Number.isFinite(a) && Number.isFinite(b) ? (a + b) / 2 : Number.isFinite(a) ? a : b);
    }
    if (this.steps.length % 2) {
      steps.push(this.steps[this.steps.length - 1]);
      raw.push(this.raw[this.raw.length - 1]);
    }
    this.steps = steps;
    this.raw = raw;
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

  // Mean of the finite raw values within +-half steps of each point (prefix sums: O(n)).
  centredAverage(half) {
    const n = this.raw.length;
    const sum = new Float64Array(n + 1), count = new Float64Array(n + 1);
    for (let i = 0; i < n; ++i) {
      const v = this.raw[i];
      const ok = Number.isFinite(v);
      sum[i + 1] = sum[i] + (ok ? v : 0);
      count[i + 1] = count[i] + (ok ? 1 : 0);
    }
    const out = new Float64Array(n);
    for (let i = 0; i < n; ++i) {
      const a = Math.max(0, i - half), b = Math.min(n, i + half + 1);
      const c = count[b] - count[a];
      out[i] = c > 0 ? (sum[b] - sum[a]) / c : NaN;
    }
    return out;
  }

  draw() {
    const { ctx, dpr } = this;
    const W = this.cssWidth, H = this.cssHeight;
    if (!W || !H) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    const c = this.colors();
    ctx.font = FONT;

    const n = this.steps.length;
    if (n === 0 && this.val.length === 0) {
      ctx.fillStyle = c.text;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('The loss appears here once training starts.', W / 2, H / 2);
      return;
    }

    // Ranges: x from the first to the last step seen; y over finite values, a little padding.
    let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
    const see = (x, y) => {
      if (x < xMin) xMin = x;
      if (x > xMax) xMax = x;
      if (Number.isFinite(y)) {
        if (y < yMin) yMin = y;
        if (y > yMax) yMax = y;
      }
    };
    for (let i = 0; i < n; ++i) see(this.steps[i], this.raw[i]);
    for (const p of this.val) see(p.step, p.bits);
    if (!Number.isFinite(yMin)) { yMin = 0; yMax = 1; }
    if (xMin === xMax) xMax = xMin + 1;
    // Start the y axis at 0 when that costs little; otherwise zoom in on the data.
    if (yMin < 0.35 * yMax) yMin = 0;
    if (yMax - yMin < 0.1) { yMax += 0.05; yMin = Math.max(0, yMin - 0.05); }
    const yStep = niceStep(yMax - yMin, H < 200 ? 4 : 5);
    yMin = Math.floor(yMin / yStep) * yStep;
    yMax = Math.ceil(yMax / yStep) * yStep;

    const yLabelWidth = Math.max(...[yMin, yMax].map((v) => ctx.measureText(formatTick(v, yStep)).width)) + 10;
    const left = Math.ceil(yLabelWidth), right = 10, top = 10, bottom = 22;
    const pw = Math.max(10, W - left - right), ph = Math.max(10, H - top - bottom);
    const X = (x) => left + ((x - xMin) / (xMax - xMin)) * pw;
    const Y = (y) => top + (1 - (y - yMin) / (yMax - yMin)) * ph;

    // Grid and ticks.
    ctx.strokeStyle = c.grid;
    ctx.lineWidth = 1;
    ctx.fillStyle = c.text;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let y = yMin; y <= yMax + yStep / 2; y += yStep) {
      const py = Math.round(Y(y)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(left, py);
      ctx.lineTo(left + pw, py);
      ctx.stroke();
      ctx.fillText(formatTick(y, yStep), left - 6, py);
    }
    const xStep = Math.max(1, niceStep(xMax - xMin, Math.max(2, Math.floor(pw / 70))));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let x = Math.ceil(xMin / xStep) * xStep; x <= xMax; x += xStep) {
      const px = Math.round(X(x)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(px, top + ph);
      ctx.lineTo(px, top + ph + 4);
      ctx.stroke();
      // Keep end labels inside the canvas.
      const label = formatTick(x, xStep);
      const half = ctx.measureText(label).width / 2;
      ctx.fillText(label, Math.min(Math.max(px, half + 1), W - half - 1), top + ph + 6);
    }

    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top - 2, pw, ph + 4);
    ctx.clip();

    // Raw training loss: per pixel column, a vertical stroke from the min to the max value in that column.
    if (n > 0) {
      ctx.strokeStyle = c.raw;
      ctx.lineWidth = 1;
      ctx.beginPath();
      let col = -1, lo = Infinity, hi = -Infinity, prevX = null, prevY = null;
      const flush = () => {
        if (col < 0 || !Number.isFinite(lo)) return;
        const x = col + 0.5;
        if (prevX !== null) {
          ctx.moveTo(prevX, prevY);
          ctx.lineTo(x, Y((lo + hi) / 2));
        }
        ctx.moveTo(x, Y(hi));
        ctx.lineTo(x, Y(lo) + 0.01);
        prevX = x;
        prevY = Y((lo + hi) / 2);
      };
      for (let i = 0; i < n; ++i) {
        const px = Math.floor(X(this.steps[i]));
        if (px !== col) {
          flush();
          col = px;
          lo = Infinity;
          hi = -Infinity;
        }
        const v = this.raw[i];
        if (Number.isFinite(v)) {
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
      flush();
      ctx.stroke();

      // Smoothed: a centred moving average (no lag, unlike the status line's running average), its window
      // growing with the run so the curve stays about equally smooth at any zoom; one point per pixel column.
      const smooth = this.centredAverage(Math.max(2, Math.round(n / 60)));
      ctx.strokeStyle = c.smooth;
      ctx.lineWidth = 2.25;
      ctx.lineJoin = 'round';
      ctx.beginPath();
      let started = false;
      for (let i = 0; i < n; ++i) {
        const px = Math.floor(X(this.steps[i]));
        const last = i === n - 1 || Math.floor(X(this.steps[i + 1])) !== px;
        if (!last || !Number.isFinite(smooth[i])) continue;
        const y = Y(smooth[i]);
        if (!started) { ctx.moveTo(px + 0.5, y); started = true; } else ctx.lineTo(px + 0.5, y);
      }
      ctx.stroke();
    }

    // Validation: a line through the points, and the points themselves.
    if (this.val.length) {
      ctx.strokeStyle = c.val;
      ctx.fillStyle = c.val;
      ctx.lineWidth = 2;
      ctx.beginPath();
      this.val.forEach((p, i) => (i ? ctx.lineTo(X(p.step), Y(p.bits)) : ctx.moveTo(X(p.step), Y(p.bits))));
      ctx.stroke();
      // Dots only while they stay apart; dense points read better as the line alone.
      const spacing = pw / this.val.length;
      const radius = spacing >= 12 ? 3.5 : spacing >= 6 ? 2 : 0;
      if (radius > 0) for (const p of this.val) {
        ctx.beginPath();
        ctx.arc(X(p.step), Y(p.bits), radius, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    ctx.restore();

    // Axes.
    ctx.strokeStyle = c.text;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(left + 0.5, top);
    ctx.lineTo(left + 0.5, top + ph + 0.5);
    ctx.lineTo(left + pw, top + ph + 0.5);
    ctx.stroke();
  }
}
