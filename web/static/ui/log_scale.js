// A base-10 logarithmic value axis for the charts that span several decades (gradient flow, gradient norm). DOM-free.

// The whole decades around [lo, hi] (both > 0): { e0, e1, y(v) } with y mapping 10^e0 to top + height and 10^e1 to
// top. At least one decade, so a flat series still gets an axis.
export function logAxis(lo, hi, top, height) {
  const e0 = Math.floor(Math.log10(lo));
  let e1 = Math.ceil(Math.log10(hi));
  if (e1 <= e0) e1 = e0 + 1;
  return { e0, e1, y: (v) => top + height * (1 - (Math.log10(v) - e0) / (e1 - e0)) };
}

// The decades to draw grid lines at: every decade, or every second, third... so there are at most maxLines + 1.
export function decadeTicks({ e0, e1 }, maxLines) {
  const every = Math.max(1, Math.ceil((e1 - e0) / maxLines));
  const ticks = [];
  for (let e = e0; e <= e1; e += every) ticks.push(e);
  return ticks;
}
