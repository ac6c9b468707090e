// Tracing a text: "Look inside" and "Find units" ask the engine to run the model over a text (op "trace"), then the
// unit view, the prediction view and the units × characters overview show the result. trace_refresh.js runs the
// same text through the model as it is now, while it trains.
//
// Needs request(op, args), the look record and publish() (it writes record.trace, .selected and .heatmap), and the
// ranking view (it shows a ranking that came with a trace, and clears one made for another model).
// Returns { choose({ layer, kind, unit }), refresh, ready, elements } (the last three for live.js).
import { createHeatmap } from '../../ui/heatmap/heatmap.js';
import { createCharViews } from './char_views.js';
import { createTooltip } from './tooltip.js';
import { createUnitPicker } from './unit_picker.js';
import { askOrSay, say } from './status.js';
import { sameShape, traceRecord, traceState } from './trace_data.js';
import { refreshTrace } from './trace_refresh.js';

const $ = (id) => document.getElementById(id);
const MAX_CHARS = 1000;
const RANKED_UNITS = 5;

export function createTraceView({ request, record, publish, ranking }) {
  // The view's state, passed explicitly to the functions below and in trace_refresh.js.
  const v = {
    request, record, publish, ranking,
    trace: null,      // the last trace: the reply's arrays + chars (array of strings) + cell + step
    lastArgs: null,   // what the shown trace was made from: a live refresh asks for the same
    seq: 0,           // the newest trace request: an older reply (a live refresh overtaken) is dropped
    busy: false,      // a person's request is under way
  };
  const getTrace = () => v.trace;
  v.selection = () => v.picker.selection(v.trace);
  v.picker = createUnitPicker({ getTrace, onChange: () => showUnit(v) });
  const tooltip = createTooltip({ getTrace, selection: v.selection });
  v.chars = createCharViews({
    getTrace, selection: v.selection, tooltip, stepUnit: v.picker.step,
    onColoured: (selected) => { record.selected = selected; publish(); },
  });
  v.heat = createHeatmap({
    onSelect: (unit) => { v.picker.choose({ unit }); showUnit(v); },
    onShown: (info) => { record.heatmap = info; publish(); },
  });
  $('look-run').addEventListener('click', () => run(v));
  $('look-find').addEventListener('click', () => run(v, $('look-feature').value));
  return {
    choose: (choice) => { v.picker.choose(choice); showUnit(v); },
    refresh: () => refreshTrace(v, showTrace),
    ready: () => v.trace !== null,
    elements: [...v.chars.elements, $('heat-scroll')],
  };
}

// The chosen unit in the unit view and the overview (after the form, a ranked unit or an overview row chose it).
function showUnit(v) {
  v.chars.colourCells();
  if (v.trace) v.heat.show(v.trace, v.selection());
}

function argsFromForm(extra = {}) {
  const text = $('look-text').value;
  return text.trim() ? { text, maxChars: MAX_CHARS, ...extra } : { maxChars: MAX_CHARS, ...extra };
}

// feature: rank the units by it too ("Find units"), else null.
async function run(v, feature = null) {
  if (v.busy) return;
  setBusy(v, true);
  say('look-state', feature ? 'Ranking units…' : 'Running the model over the text…');
  const mine = ++v.seq;
  const args = argsFromForm(feature ? { feature, count: RANKED_UNITS } : {});
  const reply = await askOrSay(v.request, 'trace', args, 'look-state');
  setBusy(v, false);
  if (!reply || mine !== v.seq) return;
  v.lastArgs = argsFromForm();   // a live refresh re-traces the same text (without re-ranking)
  showTrace(v, reply);
  say('look-live-state', '');
  if (feature) v.ranking.show(reply.result.ranking || [], feature);
}

function setBusy(v, on) {
  v.busy = on;
  $('look-run').disabled = on;
  $('look-find').disabled = on;
}

// A new trace in every view; when it has the shape of the last one, the chosen unit stays.
function showTrace(v, reply) {
  const r = reply.result;
  const keep = sameShape(v.trace, r, reply.cell);
  v.trace = { ...r, cell: reply.cell, step: reply.step, chars: [...r.text] };
  v.record.trace = traceRecord(v.trace);
  v.publish();
  v.picker.fill(v.trace, keep);
  v.chars.build(v.trace);
  v.chars.colourCells();
  v.chars.colourPreds();
  v.heat.show(v.trace, v.selection());
  say('look-state', traceState(v.trace, reply));
  if (!keep) v.ranking.clear();   // a ranking belongs to the model it was made for
}
