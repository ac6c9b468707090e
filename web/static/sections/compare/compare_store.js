// Keeps the compared runs of section 7 (compare.js) across page reloads, in localStorage: each run cost minutes of
// training, and a reload (or a crash of the tab) should not throw them away. DOM-free, so tests run it under node.
//
// What is kept of a run: its name, cell, kind, validation curve, final loss and step, settings summary and final
// sample; not its colours, which follow from its place in the list. Everything read back is checked field by field
// (types, ranges, lengths), since anything in localStorage may be stale, from another version or hand-edited;
// nothing read is ever parsed as markup (compare.js writes it with textContent).
//
// Size: localStorage holds ~5 MB per site and resume.js's marker must always fit beside this, so curves are thinned
// to at most MAX_POINTS points (the first and last always kept) and samples and texts are capped.

const KEY = 'rnnlab.compare';
const VERSION = 1;
export const MAX_RUNS = 50;
export const MAX_POINTS = 400;
const MAX_SAMPLE = 4000;
const MAX_LABEL = 200;
const MAX_SUMMARY = 1000;
const MAX_STEP = 1e9;

// At most `max` points, evenly spread, the first and the last included.
function thin(curve, max) {
  if (curve.length <= max) return curve;
  const out = [];
  for (let i = 0; i < max; ++i) out.push(curve[Math.round((i * (curve.length - 1)) / (max - 1))]);
  return out;
}

// runs (compare.js's objects) -> the JSON text stored.
export function encodeRuns(runs) {
  return JSON.stringify({
    version: VERSION,
    runs: runs.slice(-MAX_RUNS).map((r) => ({
      label: r.label, cell: r.cell, kind: r.kind, steps: r.steps, finalStep: r.finalStep,
      finalBits: Number.isFinite(r.finalBits) ? r.finalBits : null,
      stoppedEarly: r.stoppedEarly || null,
      summary: String(r.summary).slice(0, MAX_SUMMARY), sample: String(r.sample).slice(0, MAX_SAMPLE),
      curve: thin(r.curve.filter((p) => Number.isFinite(p.bits)), MAX_POINTS).map((p) => ({ step: p.step, bits: p.bits })),
    })),
  });
}

const isCount = (v) => Number.isInteger(v) && v >= 0 && v <= MAX_STEP;
const isBits = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1000;
const isText = (v, max) => typeof v === 'string' && v.length <= max;

function validRun(r) {
  return r !== null && typeof r === 'object' &&
    isText(r.label, MAX_LABEL) && r.label.length > 0 &&
    typeof r.cell === 'string' && /^[a-z_]{1,40}$/.test(r.cell) &&
    (r.kind === 'comparison' || r.kind === 'yours') &&
    isCount(r.steps) && isCount(r.finalStep) &&
    (r.finalBits === null || isBits(r.finalBits)) &&
    (r.stoppedEarly === null || isText(r.stoppedEarly, MAX_LABEL)) &&
    isText(r.summary, MAX_SUMMARY) && isText(r.sample, MAX_SAMPLE) &&
    Array.isArray(r.curve) && r.curve.length <= MAX_POINTS &&
    r.curve.every((p) => p !== null && typeof p === 'object' && isCount(p.step) && isBits(p.bits));
}

// The JSON text stored -> { runs } or { runs: [], problem }; never throws. A missing value is no problem.
export function decodeRuns(text) {
  if (text === null || text === undefined) return { runs: [] };
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    return { runs: [], problem: 'not readable' };
  }
  if (data === null || typeof data !== 'object') return { runs: [], problem: 'damaged' };
  if (data.version !== VERSION) return { runs: [], problem: 'from another version' };
  if (!Array.isArray(data.runs) || data.runs.length > MAX_RUNS || !data.runs.every(validRun))
    return { runs: [], problem: 'damaged' };
  // Only the fields checked above, rebuilt: nothing else stored comes along.
  return {
    runs: data.runs.map((r) => ({
      label: r.label, cell: r.cell, kind: r.kind, steps: r.steps, finalStep: r.finalStep, finalBits: r.finalBits,
      stoppedEarly: r.stoppedEarly, summary: r.summary, sample: r.sample,
      curve: r.curve.map((p) => ({ step: p.step, bits: p.bits })),
    })),
  };
}

// storage: window.localStorage, null when the browser denies it, or a stand-in in tests. Neither function throws
// when storage is off or full: saveRuns returns false, and the runs on the page are unaffected.
export function saveRuns(storage, runs) {
  if (!storage) return false;
  try {
    if (runs.length) storage.setItem(KEY, encodeRuns(runs));
    else storage.removeItem(KEY);
    return true;
  } catch {
    return false;
  }
}

export function loadRuns(storage) {
  if (!storage) return { runs: [] };
  let text;
  try {
    text = storage.getItem(KEY);
  } catch {
    return { runs: [] };   // storage is off: nothing was kept
  }
  const result = decodeRuns(text);
  if (result.problem) {
    try { storage.removeItem(KEY); } catch { /* it stays unread */ }
  }
  return result;
}
