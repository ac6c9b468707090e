// Keeping texts within the playground's cap (Limits.MAX_TEXT_BYTES) without ever reading or encoding more than it,
// and describing a text too long for the text box. DOM-free.
import { Limits } from '../../engine/protocol.js';
import { fmtBytes, fmtInt } from '../../ui/format.js';

// Cuts a string to at most maxBytes of UTF-8, at a character boundary. Work is bounded by maxBytes.
export function firstBytesOfString(text, maxBytes) {
  const buffer = new Uint8Array(maxBytes);
  const { read } = new TextEncoder().encodeInto(text.slice(0, maxBytes), buffer);
  return text.slice(0, read);
}

// Cuts UTF-8 bytes to at most maxBytes without splitting a character.
export function firstBytesOfUtf8(bytes, maxBytes) {
  if (bytes.length <= maxBytes) return bytes;
  let end = maxBytes;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) --end;   // bytes[end] starts the first character left out
  return bytes.subarray(0, end);
}

// Whether a string is within the cap. UTF-8 needs at least one byte per UTF-16 unit, so a string longer than the
// cap in units is over it in bytes.
export function stringFits(text) {
  return text.length <= Limits.MAX_TEXT_BYTES &&
    new TextEncoder().encodeInto(text, new Uint8Array(Limits.MAX_TEXT_BYTES)).read === text.length;
}

// A source too long to edit: the box shows its start, read-only, and a note says so. payload: string or UTF-8 bytes.
export function largeTextSource(kind, name, payload, size) {
  const previewText = typeof payload === 'string'
    ? payload.slice(0, Limits.PREVIEW_CHARS)
    : new TextDecoder().decode(payload.subarray(0, Limits.PREVIEW_CHARS * 2)).slice(0, Limits.PREVIEW_CHARS);
  const s = {
    kind, name, readOnly: true, preview: previewText,
    note: `${name} (${fmtBytes(size)}) is too long to edit here; the box shows its first ` +
          `${fmtInt(Limits.PREVIEW_CHARS)} characters. The whole text is used for training.`,
  };
  if (typeof payload === 'string') s.text = payload; else s.bytes = payload;
  return s;
}
