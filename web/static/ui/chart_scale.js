// The loss chart's scales (ui/chart.js): the ranges its data spans, the plot's box inside the canvas, the tick steps
// and labels, and the grid, ticks and axis lines drawn from them. Shared with the other charts for niceStep().
//
// A frame: { left, top, pw, ph (the plot's box, CSS px), xMin, xMax, yMin, yMax, yStep, X(step) -> px, Y(bits) -> px }

// The step between ticks: 1, 2, 2.5 or 5 times a power of ten, giving about `targetTicks` ticks over `range`.
export function niceStep(range, targetTicks) {
  const rough = range / Math.max(1, targetTicks);
  const pow = Math.pow(10, Math.floor(Math.log10(rough)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= rough) return m * pow;
  return 10 * pow;
}

// A tick's label: thousands as "k", with as many decimals as the step needs, so that neighbouring ticks never read
// the same ("1.6k 1.6k 1.7k" for ticks 50 apart became "1.6k 1.65k 1.7k").
export function formatTick(v, step) {
  if (Math.abs(v) >= 1000) {
    const decimals = step >= 1000 ? 0 : Math.min(3, Math.ceil(-Math.log10(step / 1000) - 1e-9));
    return trimZeros((v / 1000).toFixed(decimals)) + 'k';
  }
  const decimals = step >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(step) - 1e-9));
  return v.toFixed(decimals);
}

const trimZeros = (s) => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);

// x from the first to the last step seen; y over the finite losses (training and validation).
export function dataRange(steps, raw, val) {
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  const see = (x, y) => {
    if (x < xMin) xMin = x;
    if (x > xMax) xMax = x;
    if (Number.isFinite(y)) {
      if (y < yMin) yMin = y;
      if (y > yMax) yMax = y;
    }
  };
  for (let i = 0; i < steps.length; ++i) see(steps[i], raw[i]);
  for (const p of val) see(p.step, p.bits);
  if (!Number.isFinite(yMin)) { yMin = 0; yMax = 1; }
  if (xMin === xMax) xMax = xMin + 1;
  return { xMin, xMax, yMin, yMax };
}

// The y axis rounded out to whole ticks: from 0 when that costs little (the loss's floor is 0), otherwise zoomed in
// on the data, and never flatter than 0.1 bits.
function yAxis({ yMin, yMax }, height) {
  if (yMin < 0.35 * yMax) yMin = 0;
  if (yMax - yMin < 0.1) { yMax += 0.05; yMin = Math.max(0, yMin - 0.05); }
  const yStep = niceStep(yMax - yMin, height < 200 ? 4 : 5);
  return { yMin: Math.floor(yMin / yStep) * yStep, yMax: Math.ceil(yMax / yStep) * yStep, yStep };
}

// The plot's box: room at the left for the widest y label (measured with ctx's font), at the bottom for the steps.
export function frameFor(ctx, range, width, height) {
  const { xMin, xMax } = range;
  const { yMin, yMax, yStep } = yAxis(range, height);
  const yLabelWidth = Math.max(...[yMin, yMax].map((v) => ctx.measureText(formatTick(v, yStep)).width)) + 10;
  const left = Math.ceil(yLabelWidth), right = 10, top = 10, bottom = 22;
  const pw = Math.max(10, width - left - right), ph = Math.max(10, height - top - bottom);
  return {
    left, top, pw, ph, xMin, xMax, yMin, yMax, yStep,
    X: (x) => left + ((x - xMin) / (xMax - xMin)) * pw,
    Y: (y) => top + (1 - (y - yMin) / (yMax - yMin)) * ph,
  };
}

// Horizontal grid lines with the loss at each, then step ticks under the plot (end labels kept inside the canvas).
export function drawGridAndTicks(ctx, frame, colours, width) {
  const { left, top, pw, ph, xMin, xMax, yMin, yMax, yStep, X, Y } = frame;
  ctx.strokeStyle = colours.grid;
  ctx.lineWidth = 1;
  ctx.fillStyle = colours.text;
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
    const label = formatTick(x, xStep);
    const half = ctx.measureText(label).width / 2;
    ctx.fillText(label, Math.min(Math.max(px, half + 1), width - half - 1), top + ph + 6);
  }
}

// The y axis and the x axis as two lines meeting at the origin.
export function drawAxisLines(ctx, { left, top, pw, ph }, colour) {
  ctx.strokeStyle = colour;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(left + 0.5, top);
  ctx.lineTo(left + 0.5, top + ph + 0.5);
  ctx.lineTo(left + pw, top + ph + 0.5);
  ctx.stroke();
}
