// The two coloured copies of the traced text: #look-cells (each character coloured by the chosen unit's value on
// the diverging scale) and #look-preds (each character shaded by the probability the model gave to the character
// that came next). Every character is an element with role img and a label with its number, so the colours have a
// text alternative. Colouring can go in slices (from..to) so a live refresh stays in short tasks.
//
// Needs getTrace(), selection() (the chosen unit's values), the tooltip and stepUnit(delta) (for Up/Down).
// Emits onColoured(selected) after the unit view is recoloured: { layer, kind, unit, label, values: [per char] }.
import { diverging, sequential } from '../../ui/scales.js';
import { charName, signed } from '../../ui/chars.js';
import { pct, prediction } from './trace_data.js';
import { wireCharBox } from './char_keys.js';

const $ = (id) => document.getElementById(id);
const DARK = 0.6;   // above this intensity the background is dark enough for white text

export function createCharViews({ getTrace, selection, tooltip, stepUnit, onColoured }) {
  const cells = $('look-cells'), preds = $('look-preds');
  let active = 0;   // the position that has (or last had) keyboard focus: the tab stop of both texts

  // New characters for a new trace (the colours follow with colourCells/colourPreds).
  function build(trace) {
    for (const box of [cells, preds]) box.replaceChildren(...trace.chars.map((ch, t) => charElement(ch, t, t === active)));
    active = Math.min(active, trace.chars.length - 1);
  }

  // Makes position t the one tab stop of both texts.
  function rove(t) {
    active = t;
    for (const box of [cells, preds]) {
      for (const s of box.querySelectorAll('[tabindex="0"]')) s.tabIndex = -1;
      if (box.children[active]) box.children[active].tabIndex = 0;
    }
  }

  // Colours characters from..to-1 (all by default). The values are cheap to read and always kept whole.
  function colourCells(from = 0, to = Infinity) {
    const trace = getTrace();
    if (!trace) return;
    const sel = selection();
    const spans = cells.children;
    const values = new Array(trace.chars.length);
    for (let t = 0; t < values.length; ++t) values[t] = sel.get(t);
    for (let t = from; t < Math.min(to, spans.length); ++t) {
      const x = values[t] / sel.scale;
      const s = spans[t];
      s.style.backgroundColor = diverging(x);
      s.style.color = Math.abs(x) > DARK ? '#fff' : '#000';
      s.setAttribute('aria-label', `${charName(trace.chars[t])}: ${signed(values[t])}`);
    }
    cells.setAttribute('aria-label', `Text coloured by ${sel.label}`);
    $('look-scale-note').textContent =
      sel.kind === 'c' ? `(cell state scaled by its largest magnitude here, ${sel.scale.toFixed(2)})` : '';
    onColoured({ layer: sel.layer, kind: sel.kind, unit: sel.unit, label: sel.label, values });
    tooltip.refresh('cells', spans);
  }

  function colourPreds(from = 0, to = Infinity) {
    const trace = getTrace();
    if (trace) shadeByPrediction(trace, preds.children, from, Math.min(to, preds.children.length));
  }

  wireCharBox(cells, 'cells', { tooltip, getTrace, rove, stepUnit });
  wireCharBox(preds, 'preds', { tooltip, getTrace, rove, stepUnit });
  return { build, colourCells, colourPreds, elements: [cells, preds] };
}

// Shades characters from..to-1 by the probability given to the character that came next; each one's label names
// it and the five most likely next characters.
function shadeByPrediction(trace, spans, from, to) {
  for (let t = from; t < to; ++t) {
    const { next, p, top } = prediction(trace, t);
    const s = spans[t];
    const known = Number.isFinite(p);
    s.style.backgroundColor = known ? sequential(p) : '';
    s.style.color = known && p > DARK ? '#fff' : '#000';
    s.setAttribute('aria-label', `${charName(trace.chars[t])}: ` +
      (known ? `next ${charName(next)} with probability ${pct(p)}` : 'end of text') +
      `; most likely next: ${top.map((c) => `${charName(c.ch)} ${pct(c.p)}`).join(', ')}`);
  }
}

// One character: focusable (only the tab stop is in the tab order), a newline shown as ↵ and kept as a line break.
function charElement(ch, t, isTabStop) {
  const s = document.createElement('span');
  s.setAttribute('role', 'img');
  s.tabIndex = isTabStop ? 0 : -1;
  s.dataset.t = String(t);
  if (ch === '\n') {
    s.className = 'nl';
    s.textContent = '↵\n';
  } else {
    s.textContent = ch;
  }
  return s;
}
