// The unit chooser of the Look-inside views: layer, value (h, c or a gate) and unit number, and the Previous/Next
// unit buttons. It owns those form controls; everything else asks it which unit is chosen.
//
// Needs getTrace() (the trace shown, or null). Emits onChange() whenever the chosen unit changes from the form.
import { unitValues, valueKinds } from './trace_data.js';

const $ = (id) => document.getElementById(id);

export function createUnitPicker({ getTrace, onChange }) {
  const layer = $('look-layer'), kind = $('look-kind'), unit = $('look-unit');

  // Refills the choices for a new trace; keep: the trace has the shape of the previous one, so the choice stays.
  function fill(trace, keep) {
    const prev = keep ? { layer: layer.value, kind: kind.value, unit: unit.value } : null;
    layer.replaceChildren(...Array.from({ length: trace.layers }, (_, k) => new Option(String(k + 1), String(k))));
    kind.replaceChildren(...valueKinds(trace).map((k) => new Option(k.label, k.value)));
    unit.max = String(trace.hidden - 1);
    if (prev) {
      layer.value = prev.layer;
      kind.value = [...kind.options].some((o) => o.value === prev.kind) ? prev.kind : 'h';
      unit.value = String(Math.min(Number(prev.unit) || 0, trace.hidden - 1));
    } else {
      unit.value = '0';
    }
  }

  // The chosen unit's values in the trace: { layer, kind, unit, get(t), scale, label } (trace_data.js).
  function selection(trace) {
    const chosen = {
      layer: Number(layer.value) || 0,
      kind: kind.value || 'h',
      unit: clampUnit(trace, unit.value),
    };
    return unitValues(trace, chosen, kind.selectedOptions[0]?.textContent || chosen.kind);
  }

  // Sets the choice without announcing it (the caller redraws): { layer, kind, unit }, any of them.
  function choose(choice) {
    if (choice.layer !== undefined) layer.value = String(choice.layer);
    if (choice.kind !== undefined) kind.value = choice.kind;
    if (choice.unit !== undefined) unit.value = String(choice.unit);
  }

  // The next (+1) or previous (-1) unit, wrapping around.
  function step(delta) {
    const trace = getTrace();
    if (!trace) return;
    unit.value = String((Math.round(Number(unit.value) || 0) + delta + trace.hidden) % trace.hidden);
    onChange();
  }

  layer.addEventListener('change', onChange);
  kind.addEventListener('change', onChange);
  unit.addEventListener('input', onChange);
  unit.addEventListener('change', () => {
    const trace = getTrace();
    if (!trace) return;
    unit.value = String(clampUnit(trace, unit.value));
    onChange();
  });
  $('look-prev').addEventListener('click', () => step(-1));
  $('look-next').addEventListener('click', () => step(1));

  return { fill, selection, choose, step };
}

// A unit number typed by a person, as a unit that exists: rounded and kept within 0..hidden-1.
const clampUnit = (trace, typed) => Math.max(0, Math.min(trace.hidden - 1, Math.round(Number(typed) || 0)));
