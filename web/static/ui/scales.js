// The colour scales of the Look-inside views, in one place so the coloured text, the units × characters overview
// and the legends agree. Diverging: blue (−1), white (0), red (+1); sequential: white (0) to green (1).

const NEGATIVE = [33, 102, 172];
const POSITIVE = [178, 24, 43];
const GREEN = [35, 139, 69];

const mix = (c, a) => Math.round(255 + (c - 255) * a);

// v in [-1, 1] (clamped) -> [r, g, b]
export function divergingRgb(v) {
  const a = Math.min(1, Math.abs(v));
  const c = v < 0 ? NEGATIVE : POSITIVE;
  return [mix(c[0], a), mix(c[1], a), mix(c[2], a)];
}

export function diverging(v) {
  const [r, g, b] = divergingRgb(v);
  return `rgb(${r}, ${g}, ${b})`;
}

// p in [0, 1] (clamped) -> CSS colour
export function sequential(p) {
  const a = Math.min(1, Math.max(0, p));
  return `rgb(${mix(GREEN[0], a)}, ${mix(GREEN[1], a)}, ${mix(GREEN[2], a)})`;
}
