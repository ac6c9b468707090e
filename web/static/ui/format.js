// Number formats the page's modules share, so a step or a loss reads the same in every section. DOM-free.

// 12345 -> "12,345" (steps, characters, parameters).
export const fmtInt = (n) => Math.round(n).toLocaleString('en-US');

// Bits per character to three decimals; a dash for a loss that is not a finite number.
export const fmtBits = (b) => (Number.isFinite(b) ? b.toFixed(3) : '—');

// 1536 -> "1.5 KB": file and memory sizes.
export function fmtBytes(n) {
  if (n >= 1024 * 1024 * 1024) return (n / 1024 ** 3).toFixed(1) + ' GB';
  if (n >= 1024 * 1024) return (n / 1024 ** 2).toFixed(n >= 100 * 1024 ** 2 ? 0 : 1) + ' MB';
  if (n >= 1024) return (n / 1024).toFixed(n >= 100 * 1024 ? 0 : 1) + ' KB';
  return n + ' bytes';
}

// A diverged model's perplexity can be astronomically large: keep it short enough for its box.
export function fmtPerplexity(p) {
  if (!Number.isFinite(p)) return '∞';
  return p < 1e5 ? p.toFixed(2) : p.toExponential(1);
}

// A learning rate with three significant digits and no trailing zeros (0.003, 1e-5).
export const fmtLr = (lr) => Number(lr.toPrecision(3)).toString();
