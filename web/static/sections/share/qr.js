// The short link as a QR code, drawn on a canvas by the page (qrcode-generator from npm makes the modules; nothing
// is fetched). Medium error correction when the link fits it, so a code on a slide survives a smudge or a low-grade
// projector; low correction for longer links, up to the 2,953 bytes of the largest code (version 40-L).
import { qrcode } from 'qrcode-generator';

export const QR_MAX_BYTES = 2953;
const QUIET = 4;          // modules of white border all round, as the standard asks
const TARGET_PX = 360;    // about this many canvas pixels wide, whole pixels per module

function codeFor(text) {
  for (const level of ['M', 'L']) {
    try {
      const qr = qrcode(0, level);   // 0: the smallest version that holds the data
      qr.addData(text, 'Byte');
      qr.make();
      return qr;
    } catch { /* too long for this level: try the next */ }
  }
  return null;
}

// Draws `text` on `canvas`. Returns { ok: true, modules } or { ok: false, bytes } when no QR code holds it.
export function drawQr(canvas, text) {
  const bytes = new TextEncoder().encode(text).length;
  const qr = bytes <= QR_MAX_BYTES ? codeFor(text) : null;
  if (!qr) return { ok: false, bytes };
  const n = qr.getModuleCount();
  const scale = Math.max(2, Math.floor(TARGET_PX / (n + 2 * QUIET)));
  const size = (n + 2 * QUIET) * scale;
  canvas.width = size;
  canvas.height = size;
  const g = canvas.getContext('2d');
  g.fillStyle = '#fff';
  g.fillRect(0, 0, size, size);
  g.fillStyle = '#000';
  for (let r = 0; r < n; ++r) {
    for (let c = 0; c < n; ++c) if (qr.isDark(r, c)) g.fillRect((c + QUIET) * scale, (r + QUIET) * scale, scale, scale);
  }
  return { ok: true, modules: n };
}
