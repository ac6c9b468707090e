// How a traced character is named in words (labels, tooltips) and drawn as a single visible glyph (the overview's
// text axis), so every Look-inside view says "space" or "newline" the same way. DOM-free.

// ' ' -> 'space', 'a' -> '“a”'; undefined (past the last character) -> 'end of text'.
export function charName(ch) {
  if (ch === ' ') return 'space';
  if (ch === '\n') return 'newline';
  if (ch === '\t') return 'tab';
  if (ch === undefined) return 'end of text';
  return `“${ch}”`;
}

// Whitespace made visible in one glyph: newline ↵, space ·, tab →.
export function charGlyph(ch) {
  if (ch === '\n') return '↵';
  if (ch === ' ') return '·';
  if (ch === '\t') return '→';
  return ch;
}

// A value with its sign always shown and a true minus sign: 0.5 -> "+0.500" (digits: 3).
export const signed = (v, digits = 3) => (v >= 0 ? '+' : '−') + Math.abs(v).toFixed(digits);
