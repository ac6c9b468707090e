// The overview's rows: a listbox over the picture, one option per unit, named with the unit's mean magnitude and
// where it is largest, so a keyboard or a screen reader can walk the units the picture shows. Arrow keys move the
// active row (aria-activedescendant), Enter or a click picks it; the value under the pointer is written out in
// words below the picture.
//
// Needs the listbox, its scrolling box and the readout line; emits onSelect(unit).
import { charName, signed } from '../chars.js';
import { AXIS_H, COL_W, LEFT } from './layout.js';
import { valueAt } from './compute.js';

const KEY_MOVES = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };

// Returns { build(view, stats, label, selected), markSelected(unit), clear() } where view is what the picture shows:
// { trace, H, T, rowH, src } (src from valueSource()).
export function createHeatRows({ rows, scroll, readout, onSelect }) {
  // The rows' state, passed explicitly to the functions below.
  const r = { rows, scroll, readout, onSelect,
              view: null,      // what the picture shows
              active: 0,       // the option with keyboard focus (aria-activedescendant)
              selected: -1 };  // the unit the single-unit view shows
  rows.addEventListener('click', (e) => {
    const o = e.target.closest('.heat-row');
    if (!o) return;
    setActive(r, Number(o.dataset.unit), false);
    onSelect(Number(o.dataset.unit));
  });
  rows.addEventListener('keydown', (e) => onKey(r, e));
  rows.addEventListener('focus', () => setActive(r, r.active));
  rows.addEventListener('mousemove', (e) => onPointer(r, e));
  rows.addEventListener('mouseleave', () => { readout.textContent = ''; });
  return {
    build: (view, stats, label, selectedUnit) => build(r, view, stats, label, selectedUnit),
    markSelected: (unit) => markSelected(r, unit),
    clear: () => { r.view = null; rows.replaceChildren(); },
  };
}

function build(r, view, stats, label, selectedUnit) {
  r.view = view;
  r.selected = selectedUnit;
  const reuse = r.rows.children.length === view.H;   // a live refresh: same units, new values
  const options = stats.map((s) => describeRow(r, reuse ? r.rows.children[s.unit] : document.createElement('div'), s));
  if (!reuse) r.rows.replaceChildren(...options);
  r.rows.style.height = `${view.H * view.rowH}px`;
  r.rows.style.width = `${LEFT + view.T * COL_W}px`;
  r.rows.setAttribute('aria-label', `Units of ${label}, one row each; Enter shows the unit above`);
  setActive(r, Math.min(r.active, view.H - 1), false);
}

// Row o as unit s ({ unit, meanAbs, peak, at }): named with its statistics for assistive technology.
function describeRow(r, o, s) {
  o.id = `heat-unit-${s.unit}`;
  o.className = o.classList.contains('active') ? 'heat-row active' : 'heat-row';
  o.setAttribute('role', 'option');
  o.style.height = `${r.view.rowH}px`;
  o.dataset.unit = String(s.unit);
  o.setAttribute('aria-label', `Unit ${s.unit}: mean magnitude ${s.meanAbs.toFixed(2)}, largest ${signed(s.peak, 2)} ` +
    `at character ${s.at + 1} (${charName(r.view.trace.chars[s.at])})`);
  o.setAttribute('aria-selected', String(s.unit === r.selected));
  return o;
}

function setActive(r, j, scrollIntoView = true) {
  if (!r.view) return;
  r.active = Math.max(0, Math.min(r.view.H - 1, j));
  for (const o of r.rows.querySelectorAll('.heat-row.active')) o.classList.remove('active');
  const o = r.rows.children[r.active];
  if (!o) return;
  o.classList.add('active');
  r.rows.setAttribute('aria-activedescendant', o.id);
  if (scrollIntoView) keepInSight(r.scroll, r.active * r.view.rowH, (r.active + 1) * r.view.rowH);
}

// Scrolls the box just enough that rows top..bottom (px) are above the text axis.
function keepInSight(scroll, top, bottom) {
  if (top < scroll.scrollTop) scroll.scrollTop = top;
  else if (bottom > scroll.scrollTop + scroll.clientHeight - AXIS_H) scroll.scrollTop = bottom - scroll.clientHeight + AXIS_H;
}

// Marks the unit the single-unit view shows (no redraw: the marker is a CSS outline on its row).
function markSelected(r, unit) {
  r.selected = unit;
  for (const o of r.rows.children) o.setAttribute('aria-selected', String(Number(o.dataset.unit) === unit));
}

function onKey(r, e) {
  if (!r.view) return;
  if (e.key in KEY_MOVES) setActive(r, r.active + KEY_MOVES[e.key]);
  else if (e.key === 'Home') setActive(r, 0);
  else if (e.key === 'End') setActive(r, r.view.H - 1);
  else if (e.key === 'Enter' || e.key === ' ') r.onSelect(r.active);
  else return;
  e.preventDefault();
}

// The value under the pointer, in words below the picture (the rows' names carry the same for keyboards).
function onPointer(r, e) {
  const o = e.target.closest('.heat-row');
  if (!r.view || !o) return;
  const t = Math.floor((e.clientX - r.rows.getBoundingClientRect().left - LEFT) / COL_W);
  if (t < 0 || t >= r.view.T) { r.readout.textContent = ''; return; }
  const j = Number(o.dataset.unit);
  // As precise as the unit view's values.
  r.readout.textContent = `Unit ${j} at character ${t + 1} (${charName(r.view.trace.chars[t])}): ${signed(valueAt(r.view.src, t, j))}`;
}
