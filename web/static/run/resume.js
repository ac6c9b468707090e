// Exact-step resume after a reload mid-training: the progress marker.
//
// storage.js keeps a full checkpoint (the engine's model file, with optimizer state and data cursor, plus the page's
// loss history) in IndexedDB every ~10 s, on pause and after every mid-run change. That is megabytes, too heavy to
// write on every step, and an asynchronous write may not finish while a page unloads. So in between, this module
// keeps a tiny marker in localStorage, written synchronously (throttled on progress reports, and always on
// pagehide): how many train_step calls the page has seen since the checkpoint, the mid-run edits since (learning
// rate and clipping changes, and the rounding that Share does, each at the call after which the worker applied
// it), and the validation points, timeline samples and losses since. On reload the page loads the checkpoint and the worker
// replays those calls with those edits ("Restoring step N…"). The engine is bit-deterministic (same state and
// calls give the same losses: tests/test_session.cpp), so the page ends at the step it showed, with the same loss
// history, and training on gives the losses of an uninterrupted run. The replayed losses are compared with the
// marker's, so a replay that went astray is said, not hidden.
//
// Calls, not steps, are counted: a rejected (non-finite) step moves the data cursor without moving the step.
// A change that cannot be replayed (going back to the last good weights after a blow-up) makes the marker stale
// until a checkpoint taken after it lands; the page forces one at once and waits for it before training on, so a
// reload in between falls back to the previous checkpoint, as before this marker existed.
// A checkpoint may land while the page unloads, so the marker is written against both the last checkpoint and the
// one being written (matched by serial), and the reload uses whichever it finds in IndexedDB.

// One marker per run (its id in the key and in the marker), so two tabs training two runs never overwrite each
// other's marker, and a marker is never applied to another run.
const keyFor = (runId) => `rnnlab.progress.${runId}`;
const MARKER_VERSION = 2;

// The fields that say what a mid-run edit did: the new learning rate, or the new clipping.
function editFields(e) {
  if (e.kind === 'lr') return { kind: 'lr', lr: e.lr };
  if (e.kind === 'clip') return { kind: 'clip', mode: e.mode, value: e.value };
  return { kind: e.kind };
}

const CLIP_MODES = ['norm', 'value', 'none'];
const validEdit = (ev) => ev.kind === 'round' || (ev.kind === 'lr' && Number.isFinite(ev.lr) && ev.lr > 0) ||
  (ev.kind === 'clip' && CLIP_MODES.includes(ev.mode) && Number.isFinite(ev.value) && ev.value > 0);

// base: where a checkpoint was taken { serial, gen, calls, edits, valCount, timelineCount } (storage.js).
// now: the page at this moment (main.js progress()): { gen, step, calls, events: [{ at, index, kind, lr?, mode?,
//   value? }] (kind 'lr', 'clip' or 'round'),
//   staleFrom (edit index of an unreplayable change, or null), valHistory, timeline, losses: { start, bits } }.
// Returns the marker entry for that checkpoint, or null when the page no longer runs the model it holds.
export function markerEntry(base, now) {
  if (!base || base.gen !== now.gen) return null;
  const calls = now.calls - base.calls;
  const first = base.calls - now.losses.start;
  if (calls < 0 || first < 0 || (now.staleFrom !== null && now.staleFrom >= base.edits))
    return { serial: base.serial, stale: true };
  return {
    serial: base.serial,
    calls,
    step: now.step,
    events: now.events.filter((e) => e.index >= base.edits)
      .map((e) => ({ after: e.at - base.calls, ...editFields(e) })),
    val: now.valHistory.slice(base.valCount),
    timeline: now.timeline.slice(base.timelineCount),
    losses: now.losses.bits.slice(first),
  };
}

export function writeMarker(runId, entries) {
  try {
    localStorage.setItem(keyFor(runId), JSON.stringify({ version: MARKER_VERSION, runId, entries: entries.filter(Boolean) }));
    return true;
  } catch {
    return false;   // storage full or unavailable: a reload then resumes at the last checkpoint
  }
}

export function clearMarker(runId) {
  try { localStorage.removeItem(keyFor(runId)); } catch { /* nothing to clear */ }
}

// The entry that continues the checkpoint with this serial, or null. Anything malformed counts as no marker.
export function readMarker(runId, serial) {
  let m;
  try {
    m = JSON.parse(localStorage.getItem(keyFor(runId)) || 'null');
  } catch {
    return null;
  }
  if (!m || m.version !== MARKER_VERSION || m.runId !== runId || !Array.isArray(m.entries) || serial === undefined) return null;
  const e = m.entries.find((x) => x && x.serial === serial);
  if (!e || e.stale) return null;
  const whole = (n) => Number.isInteger(n) && n >= 0;
  if (!whole(e.calls) || !whole(e.step) || !Array.isArray(e.events) || !Array.isArray(e.val) ||
      !Array.isArray(e.timeline) || !Array.isArray(e.losses) || e.losses.length !== e.calls) return null;
  for (const ev of e.events) {
    if (!whole(ev.after) || ev.after > e.calls) return null;
    if (!validEdit(ev)) return null;
  }
  return e;
}

// The same loss, bit for bit (null for a rejected step)?
export function sameLosses(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i] || (x === null && b[i] === null));
}
