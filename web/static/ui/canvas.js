// What every chart's draw() starts with: the canvas sized to its box at the screen's pixel density and cleared, a
// context that draws in CSS pixels with the page's chart font, and the page's colours (CSS custom properties).

// Null while the canvas has no size (its section is hidden); else { ctx, w, h, colour(name, fallback) }, w and h in
// CSS pixels.
export function beginDrawing(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, h = canvas.clientHeight;
  if (!w || !h) return null;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.font = '12px system-ui, sans-serif';
  const css = getComputedStyle(document.documentElement);
  return { ctx, w, h, colour: (name, fallback) => css.getPropertyValue(name).trim() || fallback };
}
