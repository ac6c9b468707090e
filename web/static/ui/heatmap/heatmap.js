// The units × characters overview: every unit of the chosen layer and value (rows) against every traced character
// (columns), coloured on the same diverging scale as the single-unit view, with the text along the bottom. It is
// there to spot the units worth a closer look: clicking a row, or moving to it with the arrow keys and pressing
// Enter, shows that unit in the single-unit view.
//
//   compute.js  the numbers (picture pixels, per-unit statistics)     draw.js     the picture
//   rows.js     the listbox over it (keyboard, mouse, readout)         summary.js  the words
//
// Needs the #heat-* elements of index.html. Emits onSelect(unit) when a row is picked, and onShown(info) after each
// full redraw: info = { units, chars, layer, kind, mostActive: [unit] }, or null when cleared.
import { computeHeat, rowHeight, valueSource } from './compute.js';
import { createHeatDrawing } from './draw.js';
import { createHeatRows } from './rows.js';
import { describeHeat } from './summary.js';

const $ = (id) => document.getElementById(id);

export function createHeatmap({ onSelect, onShown = () => {} }) {
  const canvas = $('heat-canvas');
  const draw = createHeatDrawing(canvas);
  const rows = createHeatRows({ rows: $('heat-rows'), scroll: $('heat-scroll'), readout: $('heat-readout'), onSelect });
  let shown = null;          // what the picture shows: { trace, layer, kind, H, T, rowH, src }

  // Draws the overview for a trace ({ hidden, chars, text, h, c, gates, gateRows }) and a selection ({ layer, kind,
  // unit, label }). Only redraws the picture when the trace, layer or value changed; a new unit alone just moves the
  // marker.
  function show(trace, sel) {
    for (const step of steps(trace, sel)) step();
  }

  // The same work as separate steps, so a live refresh can run each in its own short task.
  function steps(trace, sel) {
    if (!trace) return [clear];
    if (shown && shown.trace === trace && shown.layer === sel.layer && shown.kind === sel.kind)
      return [() => rows.markSelected(sel.unit)];
    const H = trace.hidden, T = trace.chars.length;
    const view = { trace, layer: sel.layer, kind: sel.kind, H, T, rowH: rowHeight(H), src: valueSource(trace, sel.layer, sel.kind) };
    const label = sel.label.replace(/, unit \d+$/, '');
    let heat = null;
    return [
      () => { heat = computeHeat(T, H, view.src); },
      () => {
        shown = view;
        draw(trace, H, T, view.rowH, heat.img);
      },
      () => {
        rows.build(view, heat.stats, label, sel.unit);
        const words = describeHeat(heat.stats, label, T, view.src.scale, sel.kind);
        $('heat-caption').textContent = words.caption;
        $('heat-summary').textContent = words.summary;
        canvas.setAttribute('aria-label', `Units × characters overview of ${label}. ${words.summary}`);
        $('heat-block').hidden = false;
        onShown({ units: H, chars: T, layer: sel.layer, kind: sel.kind, mostActive: words.mostActive });
      },
    ];
  }

  function clear() {
    shown = null;
    $('heat-block').hidden = true;
    rows.clear();
    onShown(null);
  }

  return { show, steps, clear, markSelected: rows.markSelected };
}
