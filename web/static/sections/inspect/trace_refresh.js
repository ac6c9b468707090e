// The live refresh of the traced views (live.js decides when): the same text through the model as it is now. When
// only the values changed, the characters stay in place (focus and tooltip too) and are recoloured, each view in its
// own short task so the page never stalls.
import { say } from './status.js';
import { sameShape, traceRecord, traceState } from './trace_data.js';

const $ = (id) => document.getElementById(id);
const LIVE_SLICE = 200;   // characters recoloured per task (a few ms each)

// v: the trace view's state (trace_view.js); showTrace(v, reply): the full redraw for a trace of another shape or
// text. Returns how long each main-thread task took (ms), or null when nothing was refreshed.
export async function refreshTrace(v, showTrace) {
  if (v.busy || !v.lastArgs) return null;   // the person's own request goes first
  const mine = ++v.seq;
  let reply = null;
  try {
    reply = await v.request('trace', v.lastArgs);
  } catch {
    reply = null;   // e.g. the model was reset meanwhile; the next refresh tries again
  }
  if (!reply || mine !== v.seq) return null;
  const r = reply.result;
  if (!sameShape(v.trace, r, reply.cell) || r.text !== v.trace.text) return timed([() => showTrace(v, reply)]);
  v.trace = { ...r, cell: reply.cell, step: reply.step, chars: v.trace.chars };
  v.record.trace = traceRecord(v.trace);
  v.publish();
  const slices = await inTasks(recolourSteps(v));
  // Not the status line (a live region): a screen reader would announce every refresh.
  if ($('look-live').checked) {
    say('look-live-state', traceState(v.trace, reply, true));
    say('look-state', '');   // its step number is out of date now (clearing is not announced)
  }
  return slices;
}

function recolourSteps(v) {
  const n = v.trace.chars.length;
  const steps = [];
  for (let a = 0; a < n; a += LIVE_SLICE) steps.push(() => v.chars.colourCells(a, a + LIVE_SLICE));
  for (let a = 0; a < n; a += LIVE_SLICE) steps.push(() => v.chars.colourPreds(a, a + LIVE_SLICE));
  steps.push(...v.heat.steps(v.trace, v.selection()));
  return steps;
}

// Runs each step and returns how long it took (ms).
function timed(steps) {
  return steps.map((step) => {
    const t0 = performance.now();
    step();
    return performance.now() - t0;
  });
}

// Runs each step in its own task (a zero timeout between them, so input and painting can come in between) and
// returns how long each took (ms).
async function inTasks(steps) {
  const slices = [];
  for (const step of steps) {
    slices.push(...timed([step]));
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return slices;
}
