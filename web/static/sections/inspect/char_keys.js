// Pointer and keyboard for the coloured texts: hovering or focusing a character shows its tooltip; the texts are
// one tab stop each (a roving tabindex shared by both, so focus lands on the same position in either); Left/Right,
// Home/End move along the text, Up/Down in the unit view step through units, Escape hides the tooltip.
//
// Needs the text's box, its view name ('cells' or 'preds'), the tooltip, getTrace(), rove(t) (make position t the
// tab stop of both texts) and stepUnit(delta).
export function wireCharBox(box, view, { tooltip, getTrace, rove, stepUnit }) {
  const isChar = (el) => el.dataset && el.dataset.t !== undefined;

  box.addEventListener('mouseover', (e) => {
    if (isChar(e.target)) tooltip.show(e.target, view);
  });
  box.addEventListener('mouseleave', () => {
    // Only this view's own tooltip, and not while a character here has keyboard focus. (Chromium sends mouse
    // events when content scrolls under a still pointer, e.g. when focus scrolls the other view into sight.)
    if (tooltip.belongsTo(view) && !box.contains(document.activeElement)) tooltip.hide();
  });
  box.addEventListener('focusin', (e) => {
    if (e.target.dataset.t === undefined) return;
    rove(Number(e.target.dataset.t));
    tooltip.show(e.target, view);
  });
  box.addEventListener('focusout', (e) => {
    if (!box.contains(e.relatedTarget)) tooltip.hide();
  });
  box.addEventListener('keydown', (e) => {
    const trace = getTrace();
    if (!trace || e.target.dataset.t === undefined) return;
    if (e.key === 'Escape') tooltip.hide();
    else if (view === 'cells' && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) stepUnit(e.key === 'ArrowUp' ? 1 : -1);
    else {
      const next = movedTo(e.key, Number(e.target.dataset.t), trace.chars.length);
      if (next === null) return;
      box.children[next].focus();
    }
    e.preventDefault();
  });
}

// Where a key moves focus from position t in a text of n characters; null for keys that do not move.
function movedTo(key, t, n) {
  if (key === 'ArrowRight') return Math.min(n - 1, t + 1);
  if (key === 'ArrowLeft') return Math.max(0, t - 1);
  if (key === 'Home') return 0;
  if (key === 'End') return n - 1;
  return null;
}
