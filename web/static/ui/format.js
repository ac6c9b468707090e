// Number formats the page's modules share, so a step or a loss reads the same in every section. DOM-free.

// 12345 -> "12,345" (steps, characters, parameters).
export const fmtInt = (n) => Math.round(n).toLocaleString('en-US');

// Bits per character to three decimals; a dash for a loss that is not a finite number.
export const fmtBits = (b) => (Number.isFinite(b) ? b.toFixed(3) : '—');
