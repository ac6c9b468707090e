// The loss chart's series (ui/chart.js): how the training losses are kept small (pairwise merging, a centred moving
// average) and how each series is drawn into a frame (ui/chart_scale.js). Drawing is O(points + width): the raw series
// is reduced to one min/max stroke per pixel column, so thousands of steps cost about as much as a hundred.

// steps, raw (bits per character, NaN for a rejected step) -> about half as many points: the first point kept as it
// is (the untrained model's loss, where the curve starts), then neighbours merged pairwise (the later step, the mean
// of their finite losses); an odd last point is kept as it is.
export function mergePairs(steps, raw) {
  if (steps.length === 0) return { steps: [], raw: [] };
  const merged = { steps: [steps[0]], raw: [raw[0]] };
  let i = 1;
  for (; i + 1 < steps.length; i += 2) {
    const a = raw[i], b = raw[i + 1];
    merged.steps.push(steps[i + 1]);
    merged.raw.push(Number.isFinite(a) && Number.isFinite(b) ? (a + b) / 2 : Number.isFinite(a) ? a : b);
  }
  if (i < steps.length) {
    merged.steps.push(steps[i]);
    merged.raw.push(raw[i]);
  }
  return merged;
}

// Mean of the finite values within ±half places of each point (prefix sums: O(n)); NaN where there is none.
export function centredAverage(raw, half) {
  const n = raw.length;
  const sum = new Float64Array(n + 1), count = new Float64Array(n + 1);
  for (let i = 0; i < n; ++i) {
    const v = raw[i];
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

// Raw training loss: per pixel column, a vertical stroke from the min to the max value in that column, the
// columns' midpoints joined so that a gap between columns does not look like missing data.
export function drawRawColumns(ctx, steps, raw, { X, Y }, colour) {
  ctx.strokeStyle = colour;
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
  for (let i = 0; i < steps.length; ++i) {
    const px = Math.floor(X(steps[i]));
    if (px !== col) {
      flush();
      col = px;
      lo = Infinity;
      hi = -Infinity;
    }
    const v = raw[i];
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  flush();
  ctx.stroke();
}

// Smoothed: a centred moving average (no lag, unlike the status line's running average), its window growing with
// the run so the curve stays about equally smooth at any zoom; one point per pixel column (the column's last).
export function drawSmoothed(ctx, steps, raw, { X, Y }, colour) {
  const n = steps.length;
  const smooth = centredAverage(raw, Math.max(2, Math.round(n / 60)));
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2.25;
  ctx.lineJoin = 'round';
  ctx.beginPath();
  let started = false;
  for (let i = 0; i < n; ++i) {
    const px = Math.floor(X(steps[i]));
    const last = i === n - 1 || Math.floor(X(steps[i + 1])) !== px;
    if (!last || !Number.isFinite(smooth[i])) continue;
    const y = Y(smooth[i]);
    if (!started) { ctx.moveTo(px + 0.5, y); started = true; } else ctx.lineTo(px + 0.5, y);
  }
  ctx.stroke();
}

// Validation: a line through the points, and the points themselves while they stay apart (dense points read
// better as the line alone).
export function drawValidation(ctx, val, { X, Y, pw }, colour) {
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = 2;
  ctx.beginPath();
  val.forEach((p, i) => (i ? ctx.lineTo(X(p.step), Y(p.bits)) : ctx.moveTo(X(p.step), Y(p.bits))));
  ctx.stroke();
  const spacing = pw / val.length;
  const radius = spacing >= 12 ? 3.5 : spacing >= 6 ? 2 : 0;
  if (radius > 0) for (const p of val) {
    ctx.beginPath();
    ctx.arc(X(p.step), Y(p.bits), radius, 0, 2 * Math.PI);
    ctx.fill();
  }
}
