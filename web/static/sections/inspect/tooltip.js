// The tooltip of the coloured texts: for a character of the unit view, its value; for a character of the prediction
// view, what came next and the five most likely next characters. Shown on hover and on keyboard focus, placed under
// the character and kept inside the section. Text is only written with textContent (it is the person's or the
// model's).
//
// Needs getTrace() and selection() (the chosen unit's values); the views are named 'cells' and 'preds'.
import { charName, signed } from '../../ui/chars.js';
import { pct, prediction } from './trace_data.js';

const $ = (id) => document.getElementById(id);

export function createTooltip({ getTrace, selection }) {
  const tip = $('look-tip');

  // span: a character element (data-t = its position); view: 'cells' or 'preds'.
  function show(span, view) {
    const trace = getTrace();
    if (!span || !trace) return;
    const t = Number(span.dataset.t);
    tip.replaceChildren(...(view === 'cells' ? valueLines(trace, t) : predictionLines(trace, t)));
    tip.dataset.view = view;
    tip.dataset.t = String(t);
    tip.hidden = false;
    place(tip, span);
  }

  function valueLines(trace, t) {
    const sel = selection();
    const head = document.createElement('p');
    head.textContent = `${charName(trace.chars[t])} · ${sel.label}: ${signed(sel.get(t))}`;
    return [head];
  }

  const hide = () => { tip.hidden = true; };

  // Whether the tooltip was last shown for this view (it may be hidden now).
  const belongsTo = (view) => tip.dataset.view === view;

  // After the view's characters were recoloured: a visible tooltip of that view shows the new value.
  function refresh(view, spans) {
    if (!tip.hidden && belongsTo(view)) show(spans[Number(tip.dataset.t)], view);
  }

  return { show, hide, belongsTo, refresh };
}

function predictionLines(trace, t) {
  const { next, p, top } = prediction(trace, t);
  const head = document.createElement('p');
  head.textContent = Number.isFinite(p)
    ? `After ${charName(trace.chars[t])}: the next character was ${charName(next)}, given ${pct(p)}.`
    : `After ${charName(trace.chars[t])} (end of text).`;
  const list = document.createElement('ol');
  list.setAttribute('aria-label', 'Most likely next characters');
  for (const c of top) {
    const li = document.createElement('li');
    li.textContent = `${charName(c.ch)} ${pct(c.p)}`;
    list.append(li);
  }
  return [head, list];
}

// Under the character, inside the section (8 px from its edges).
function place(tip, span) {
  const section = $('look-section').getBoundingClientRect();
  const r = span.getBoundingClientRect();
  const width = tip.offsetWidth;
  tip.style.top = `${r.bottom - section.top + 6}px`;
  tip.style.left = `${Math.max(8, Math.min(r.left - section.left, section.width - width - 8))}px`;
}
