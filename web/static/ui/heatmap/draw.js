// Draws the overview's picture: the cells (one ImageData of T × H pixels drawn scaled, no per-cell fillRect), the
// unit numbers on the left and the text along the bottom. The text is drawn once per text and reused, since a live
// refresh keeps the text and only changes the values.
import { charGlyph } from '../chars.js';
import { AXIS_H, COL_W, LEFT } from './layout.js';

const TICK_STEPS = [1, 2, 4, 5, 8, 10, 16, 20, 32, 50, 64, 100, 128];

// canvas: the overview's <canvas>. Returns draw(trace, H, T, rowH, img) with trace: { text, chars }.
export function createHeatDrawing(canvas) {
  let axisCache = null;   // { text, dpr, canvas }

  function draw(trace, H, T, rowH, img) {
    const dpr = window.devicePixelRatio || 1;
    const w = LEFT + T * COL_W, h = H * rowH + AXIS_H;
    sizeCanvas(w, h, dpr);
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, LEFT, h);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(pixels(img, T, H), LEFT, 0, T * COL_W, H * rowH);
    drawUnitNumbers(ctx, H, rowH);
    ctx.drawImage(textAxis(trace, dpr), 0, H * rowH, w, AXIS_H);
  }

  // Resizing reallocates the (large) canvas: only when the size really changes.
  function sizeCanvas(w, h, dpr) {
    if (canvas.width === Math.round(w * dpr) && canvas.height === Math.round(h * dpr)) return;
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }

  // The text along the bottom, drawn once per text and screen density.
  function textAxis(trace, dpr) {
    if (axisCache && axisCache.text === trace.text && axisCache.dpr === dpr) return axisCache.canvas;
    const T = trace.chars.length, w = LEFT + T * COL_W;
    const c = document.createElement('canvas');
    c.width = Math.round(w * dpr);
    c.height = Math.round(AXIS_H * dpr);
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.font = '11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (let t = 0; t < T; ++t) {
      const ch = trace.chars[t];
      ctx.fillStyle = ch === ' ' || ch === '\n' || ch === '\t' ? '#999' : '#000';
      ctx.fillText(charGlyph(ch), LEFT + t * COL_W + COL_W / 2, AXIS_H / 2);
    }
    axisCache = { text: trace.text, dpr, canvas: c };
    return c;
  }

  return draw;
}

// The ImageData on a canvas of its own, so it can be drawn scaled (putImageData cannot scale).
function pixels(img, T, H) {
  const cells = document.createElement('canvas');
  cells.width = T;
  cells.height = H;
  cells.getContext('2d').putImageData(img, 0, 0);
  return cells;
}

// Unit numbers at least 12 px apart, at a round step (1, 2, 4, 5, 8, 10...).
function drawUnitNumbers(ctx, H, rowH) {
  ctx.fillStyle = '#333';
  ctx.font = '10px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  const every = Math.max(1, Math.ceil(12 / rowH));
  const tick = TICK_STEPS.find((n) => n >= every) || every;
  for (let j = 0; j < H; j += tick) ctx.fillText(String(j), 2, j * rowH + rowH / 2);
}
