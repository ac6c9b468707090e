// Nothing lost on reload: the current run (the engine's model file with its text, the text box, the loss history
// and the timeline) is kept in IndexedDB every ~10 s while training, whenever training pauses, and at once after a
// new model or a mid-run change (learning rate, rounding for a share link, going back to the last good weights).
// Between checkpoints a small progress marker (resume.js) lets a reload come back at exactly the step the page
// showed, not the step of the last checkpoint. Reopening the page restores the run, paused; "New" forgets it and
// starts fresh. Storage that is full, blocked or missing is reported in a line under the buttons and never stops
// the page.
import { clearMarker, markerEntry, readMarker, writeMarker } from './resume.js';
import { createRunDb } from './run_db.js';

const RECORD_VERSION = 1;
const SAVE_EVERY_MS = 10_000;
const MARKER_EVERY_MS = 200;   // progress marker writes while training (and always on pagehide)

const $ = (id) => document.getElementById(id);

// store: the page's store (this module writes storageMessage, savedStep, restoredStep).
// api: { snapshot() -> { state, gen, step }, saveModel() -> Promise<{ bytes, calls, edits }>,
//   history() -> plain data with { gen, step, calls, valHistory, timeline, ... }, progress() -> resume.js's `now`,
//   checkpointed(calls) (a checkpoint taken at that call has landed), restore(record, markerEntry) ->
//   Promise<{ base } | false>, isReady() -> boolean, reset() } (run/kept_run.js).
// Returns { restored: Promise<boolean> (true once a saved run is back; else the page loads its default text),
//   noteProgress(force), checkpointNow(), holdCheckpoints(on) }.
export function initStorage(store, api, { restoreSaved = true } = {}) {
  const db = createRunDb();
  let lastSaveAt = 0;
  let lastSavedKey = '';
  let saving = false;
  let lastState = 'none';
  let broken = false;
  let again = false;        // a save was asked for while one was running: save once more when it ends
  let base = null;          // where the checkpoint in IndexedDB was taken (resume.js)
  let pendingBase = null;   // the checkpoint being written
  let lastMarkerAt = 0;
  let serialCounter = 0;
  let held = false;         // test hook (main.js, #testhooks): no checkpoints, so a reload must replay

  function storageMessage(text, kind = 'info') {
    const p = $('storage-message');
    if (!p) return;
    p.hidden = !text;
    p.classList.toggle('error', kind === 'error');
    p.textContent = text || '';
    store.update({ storageMessage: text || '' });
  }

  async function forget() {
    base = pendingBase = null;
    clearMarker();
    try {
      await db.remove();
    } catch { /* nothing stored, nothing to forget */ }
    lastSavedKey = '';
  }

  // The progress marker, against the stored checkpoint and the one being written. force: now, whatever the throttle.
  function noteProgress(force = false) {
    // Without a checkpoint of this page's run there is nothing to continue: keep whatever marker the last page left
    // (a reload during a restore must still find it).
    if (!base && !pendingBase) return;
    const now = Date.now();
    if (!force && now - lastMarkerAt < MARKER_EVERY_MS) return;
    lastMarkerAt = now;
    const progress = api.progress();
    writeMarker([markerEntry(base, progress), markerEntry(pendingBase, progress)]);
  }

  function describeFailure(e) {
    const name = e && e.name;
    if (name === 'QuotaExceededError') return 'The browser\'s storage is full, so this run is not kept for a reload. Save the model file to keep it.';
    return `This run cannot be kept for a reload (${(e && e.message) || 'storage unavailable'}). Save the model file to keep it.`;
  }

  // force: save even at the same step (after a mid-run change the step is the same, the model is not).
  async function saveNow(force = false) {
    if (broken || held) return;
    if (saving) {
      again = again || force;
      return;
    }
    const run = api.snapshot();
    if (run.state !== 'training' && run.state !== 'paused') return;
    const key = `${run.gen}:${run.step}`;
    if (key === lastSavedKey && !force) return;
    saving = true;
    try {
      const file = await api.saveModel();
      if (!file) return;
      // The history is read in the same task as the file's reply, so both describe the same call of the run; the
      // check only guards that assumption.
      const history = api.history();
      if (history.calls !== file.calls || history.gen !== run.gen) { again = true; return; }
      const serial = `${Date.now().toString(36)}-${++serialCounter}-${Math.random().toString(36).slice(2, 8)}`;
      pendingBase = { serial, gen: history.gen, calls: file.calls, edits: file.edits,
                      valCount: history.valHistory.length, timelineCount: history.timeline.length };
      noteProgress(true);
      await db.put({ version: RECORD_VERSION, savedAt: Date.now(), bytes: file.bytes, serial, ...history });
      base = pendingBase;
      pendingBase = null;
      api.checkpointed(base.calls);
      noteProgress(true);
      lastSavedKey = key;
      lastSaveAt = Date.now();
      store.update({ savedStep: history.step });
      storageMessage('');
    } catch (e) {
      pendingBase = null;
      if (e && e.reset) return;
      broken = e && e.name !== 'QuotaExceededError' ? true : broken;
      storageMessage(describeFailure(e), 'error');
    } finally {
      saving = false;
      if (again) {
        again = false;
        saveNow(true);
      }
    }
  }

  function holdCheckpoints(on) {
    held = !!on;
  }

  // A checkpoint now (a new model, a mid-run change). Resolves once one taken after this call has landed (or failed).
  async function checkpointNow() {
    while (saving) await new Promise((r) => setTimeout(r, 20));
    await saveNow(true);
    while (saving) await new Promise((r) => setTimeout(r, 20));
  }

  function tick() {
    const { state } = api.snapshot();
    const paused = state === 'paused' && lastState !== 'paused';
    lastState = state;
    if (paused || (state === 'training' && Date.now() - lastSaveAt >= SAVE_EVERY_MS)) saveNow();
  }

  async function restore() {
    let record;
    try {
      record = await db.get();
    } catch (e) {
      storageMessage(describeFailure(e), 'error');
      broken = true;
      return false;
    }
    if (!record || record.version !== RECORD_VERSION || !(record.bytes instanceof Uint8Array)) return false;
    while (!api.isReady()) await new Promise((r) => setTimeout(r, 50));
    const restored = await api.restore(record, readMarker(record.serial));
    if (restored) {
      base = restored.base;
      lastSavedKey = `${api.snapshot().gen}:${record.step ?? -1}`;
      lastState = 'paused';
      noteProgress(true);
      store.update({ savedStep: record.step ?? api.snapshot().step, restoredStep: api.snapshot().step });
    }
    return !!restored;
  }

  // Whether a run is kept, and bringing it back. Resolves to true once a saved run has been restored.
  async function start({ restoreSaved }) {
    $('new-button').addEventListener('click', async () => {
      await forget();
      storageMessage('');
      api.reset();
    });
    setInterval(tick, 1000);
    // Synchronous, so it lands even as the page unloads; the asynchronous checkpoint would not.
    window.addEventListener('pagehide', () => noteProgress(true));
    if (!restoreSaved) return false;
    let has = false;
    try {
      const record = await db.get();
      has = !!(record && record.version === RECORD_VERSION);
    } catch (e) {
      storageMessage(describeFailure(e), 'error');
      broken = true;
    }
    if (!has) return false;
    const restored = await restore();
    if (!restored) await forget();   // a record this page cannot use: start fresh next time too
    return restored;
  }

  return { restored: start({ restoreSaved }), noteProgress, checkpointNow, holdCheckpoints };
}
