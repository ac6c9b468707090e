// Nothing lost on reload, and no run ever overwrites another. Every run is a record under its own id in IndexedDB
// (run_db.js); this module keeps the tab's current run there: every ~10 s while training, whenever training pauses,
// and at once after a new model or a mid-run change (learning rate, rounding for a share link, going back to the last
// good weights). A new model, a share link's model and a loaded model file each begin a new run. Between checkpoints
// a small progress marker (resume.js, one per run) lets a reload come back at exactly the step the page showed.
// Reopening the page restores the tab's run (tab_run.js), paused; "New" starts fresh and keeps the old run in the list.
// Storage that is full, blocked or missing is reported in a line under the buttons and never stops the page; a full
// store keeps the run's last checkpoint whole and offers to delete old runs (sections/runs).
import { clearMarker, markerEntry, readMarker, writeMarker } from './resume.js';
import { createRunDb, newRunId, summaryOf } from './run_db.js';
import { createRunList } from './run_list.js';
import { createRunLocks, rememberRunId, rememberedRunId } from './tab_run.js';
import { createWaitNotice } from './waiting.js';

const RECORD_VERSION = 1;
const SAVE_EVERY_MS = 10_000;
const MARKER_EVERY_MS = 200;   // progress marker writes while training (and always on pagehide)

const $ = (id) => document.getElementById(id);
const wait = (ms) => new Promise((r) => setTimeout(r, ms));

// store: the page's store (this module writes storageMessage, storageFull, savedStep, restoredStep, runId; run_list.js
//   writes runs and storageUsage).
// api: { snapshot() -> { state, gen, step }, saveModel() -> Promise<{ bytes, calls, edits, best: { step, bits, bytes } | null }>,
//   history() -> plain data with { gen, step, calls, valHistory, timeline, ... }, progress() -> resume.js's `now`,
//   checkpointed(calls) (a checkpoint taken at that call has landed), restore(record, markerEntry, label) ->
//   Promise<{ base } | false>, isReady() -> boolean, pause() -> Promise, textName() -> string, reset() } (kept_run.js).
// Returns { restored: Promise<boolean> (true once a saved run is back; else the page loads its default text),
//   noteProgress(force), checkpointNow(), holdCheckpoints(on), newRun(name), runs (run_list.js: switchTo, rename,
//   remove, exportRun, refresh) }.
// Structure: this init is a factory whose body is short named functions sharing one run's state (the structure test,
// tests/structure/page_structure.mjs, counts each function's own lines); splitting it into module-level functions
// over an explicit state object, as sections/text does, is the next step when it grows.
export function initStorage(store, api, { restoreSaved = true } = {}) {
  const db = createRunDb();
  const locks = createRunLocks();
  const list = createRunList(store, db);
  const run = { id: null, name: '', textName: '', createdAt: 0 };   // the tab's current run
  let lastSaveAt = 0;
  let lastSavedKey = '';
  let failedKey = '';       // the step whose save failed (a full store): not retried every second
  let saving = false;
  let broken = false;
  let again = false;        // a save was asked for while one was running: save once more when it ends
  let base = null;          // where the checkpoint in IndexedDB was taken (resume.js)
  let pendingBase = null;   // the checkpoint being written
  let lastMarkerAt = 0;
  let serialCounter = 0;
  let held = false;         // test hook (main.js, #testhooks): no checkpoints, so a reload must replay
  const waits = createWaitNotice(store, (text) => storageMessage(text));

  function storageMessage(text, kind = 'info') {
    const p = $('storage-message');
    if (p) {
      p.hidden = !text;
      p.classList.toggle('error', kind === 'error');
      p.textContent = text || '';
    }
    store.update({ storageMessage: text || '' });
  }

  // The tab now works on run `id` (null: none yet). Its checkpoints and marker start afresh.
  function adopt(id, meta = {}) {
    run.id = id;
    run.name = meta.name || '';
    run.textName = meta.textName || '';
    run.createdAt = meta.createdAt || Date.now();
    base = pendingBase = null;
    lastSavedKey = '';
    rememberRunId(id);
    store.update({ runId: id });
  }

  // A new model, a link's model or a model file: a new run, checkpointed at once. The run before it stays in the list.
  async function newRun(name) {
    adopt(newRunId(), { name: name || defaultName(), textName: api.textName() });
    await locks.claim(run.id);
    await checkpointNow();
  }

  // The text's name and the time, numbered when another run already has that name, so the list tells runs apart.
  function defaultName() {
    const when = new Date().toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
    const name = `${api.textName()}, ${when}`;
    const taken = new Set((store.get().runs || []).map((r) => r.name));
    let n = 1;
    while (taken.has(n === 1 ? name : `${name} (${n})`)) n++;
    return n === 1 ? name : `${name} (${n})`;
  }

  // The progress marker, against the stored checkpoint and the one being written. force: now, whatever the throttle.
  function noteProgress(force = false) {
    // Without a checkpoint of this page's run there is nothing to continue: keep whatever marker the last page left
    // (a reload during a restore must still find it).
    if (!run.id || (!base && !pendingBase)) return;
    const now = Date.now();
    if (!force && now - lastMarkerAt < MARKER_EVERY_MS) return;
    lastMarkerAt = now;
    const progress = api.progress();
    const entries = [markerEntry(base, progress), markerEntry(pendingBase, progress)];
    // The page runs another model now (a new run is starting): leave this run's marker as it was.
    if (entries.every((e) => !e)) return;
    writeMarker(run.id, entries);
  }

  function describeFailure(e) {
    const name = e && e.name;
    if (name === 'QuotaExceededError') {
      return 'The browser\'s storage is full, so the latest steps of this run are not kept for a reload (its last ' +
        'checkpoint is). Delete runs you no longer need under Your runs, or save the model file.';
    }
    return `This run cannot be kept for a reload (${(e && e.message) || 'storage unavailable'}). Save the model file to keep it.`;
  }

  function recordFor(file, history, serial) {
    const now = Date.now();
    return { version: RECORD_VERSION, savedAt: now, bytes: file.bytes, best: file.best || null, serial, ...history,
             name: run.name, textName: run.textName, createdAt: run.createdAt, usedAt: now };
  }

  // One checkpoint of the current run. Returns false when the page's state moved on while the model was saved.
  async function writeCheckpoint() {
    const file = await api.saveModel();
    if (!file) return true;
    // The history is read in the same task as the file's reply, so both describe the same call of the run; the
    // check only guards that assumption.
    const history = api.history();
    const { gen } = api.snapshot();
    if (history.calls !== file.calls || history.gen !== gen) return false;
    const serial = `${Date.now().toString(36)}-${++serialCounter}-${Math.random().toString(36).slice(2, 8)}`;
    pendingBase = { serial, gen: history.gen, calls: file.calls, edits: file.edits,
                    valCount: history.valHistory.length, timelineCount: history.timeline.length };
    noteProgress(true);
    const id = run.id;
    const record = recordFor(file, history, serial);
    await db.putRun(id, record, summaryOf(id, record));
    if (id !== run.id) return true;   // the tab moved to another run meanwhile: that run's bookkeeping is its own
    base = pendingBase;
    pendingBase = null;
    api.checkpointed(base.calls);
    noteProgress(true);
    store.update({ savedStep: history.step });
    return true;
  }

  // force: save even at the same step (after a mid-run change the step is the same, the model is not).
  async function saveNow(force = false) {
    if (broken || held) return;
    if (saving) {
      again = again || force;
      return;
    }
    const now = api.snapshot();
    if (now.state !== 'training' && now.state !== 'paused') return;
    if (!run.id) adopt(newRunId(), { name: defaultName(), textName: api.textName() });
    const key = `${run.id}:${now.gen}:${now.step}`;
    if (key === lastSavedKey && !force) return;
    saving = true;
    try {
      if (!(await writeCheckpoint())) { again = true; return; }
      lastSavedKey = key;
      lastSaveAt = Date.now();
      if (store.get().storageFull || store.get().storageMessage) storageMessage('');
      store.update({ storageFull: false });
      list.refresh();
    } catch (e) {
      pendingBase = null;
      failedKey = key;
      if (e && e.reset) return;
      broken = e && e.name !== 'QuotaExceededError' ? true : broken;
      storageMessage(describeFailure(e), 'error');
      store.update({ storageFull: !!(e && e.name === 'QuotaExceededError') });
      list.refresh();
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
    while (saving) await wait(20);
    await saveNow(true);
    while (saving) await wait(20);
  }

  // A paused run whose step is not kept yet is saved (a pause right after Resume may fall between two ticks); a
  // failed save is not retried at the same step, only after progress or a deleted run (runs.afterDelete).
  function tick() {
    const { state, gen, step } = api.snapshot();
    const key = `${run.id}:${gen}:${step}`;
    if (state === 'paused' && key !== lastSavedKey && key !== failedKey) saveNow();
    else if (state === 'training' && Date.now() - lastSaveAt >= SAVE_EVERY_MS) saveNow();
  }

  // Brings back run `id` as the page's run, paused. label: how the model-file section names what was loaded.
  async function restore(id, label) {
    let record;
    try {
      record = await waits.during('the kept run\'s record in the browser\'s storage (IndexedDB)', db.getRun(id));
    } catch (e) {
      storageMessage(describeFailure(e), 'error');
      broken = true;
      return false;
    }
    if (!record || record.version !== RECORD_VERSION || !(record.bytes instanceof Uint8Array)) return false;
    await waits.during('the engine to start', (async () => { while (!api.isReady()) await wait(50); })());
    const summary = (store.get().runs || []).find((r) => r.id === id) || summaryOf(id, record);
    const restored = await waits.during('the engine to load the kept run', api.restore(record, readMarker(id, record.serial), label));
    if (!restored) return false;
    adopt(id, { name: summary.name, textName: record.textName, createdAt: record.createdAt });
    base = restored.base;
    lastSavedKey = `${id}:${api.snapshot().gen}:${record.step ?? -1}`;
    noteProgress(true);
    store.update({ savedStep: record.step ?? api.snapshot().step, restoredStep: api.snapshot().step });
    list.touch(id);
    return true;
  }

  // The run a tab opens: its own (a reload), none after "New", else the most recently used run no other tab holds.
  async function chooseRun(runs) {
    const own = rememberedRunId();
    if (own === '') return null;
    // After a reload the old page's lock may take a moment to go.
    if (own && runs.some((r) => r.id === own)) {
      for (let i = 0; i < 20; i++) {
        if (await locks.claim(own)) return own;
        await wait(100);
      }
    }
    const others = await locks.heldByOthers();
    const free = runs.filter((r) => !others.has(r.id)).sort((a, b) => b.usedAt - a.usedAt);
    for (const r of free) if (await locks.claim(r.id)) return r.id;
    return null;
  }

  // Back to a page the browser kept: its run again, unless another page has opened that run meanwhile.
  async function reclaim() {
    if (await locks.resume()) return;
    storageMessage('This run is now open in another tab or page, so this page no longer keeps it: reload to open ' +
      'another run, or go to that page.', 'error');
    broken = true;
  }

  // Switches the page to another kept run, paused. The current run is paused and checkpointed first; if that
  // checkpoint fails the switch does not happen (the person's run is never dropped).
  async function switchTo(id) {
    if (id === run.id) return { ok: true };
    if (!(await locks.claim(id))) return { ok: false, message: 'That run is open in another tab: switch to that tab.' };
    if (api.snapshot().state === 'training' || api.snapshot().state === 'pausing') await api.pause();
    if (run.id && api.snapshot().state === 'paused') {
      await checkpointNow();
      if (store.get().storageFull || broken) {
        await locks.claim(run.id);
        return { ok: false, message: 'This run could not be kept first, so the page stays on it. Free some space, then try again.' };
      }
    }
    const restored = await restore(id, 'the run from your list');
    if (!restored) {
      await locks.claim(run.id);
      return { ok: false, message: 'That run could not be opened (its record is missing or from another version).' };
    }
    return { ok: true };
  }

  // "New": the current run is checkpointed and stays in the list; this tab then starts fresh.
  async function startFresh() {
    if (run.id && ['training', 'pausing', 'paused'].includes(api.snapshot().state)) {
      if (api.snapshot().state !== 'paused') await api.pause();
      await checkpointNow();
    }
    locks.release();
    adopt(null);
    storageMessage('');
    api.reset();
    list.refresh();
  }

  async function start() {
    $('new-button').addEventListener('click', startFresh);
    setInterval(tick, 1000);
    // The marker is synchronous, so it lands even as the page unloads; the asynchronous checkpoint would not. A page
    // the browser keeps for Back lets go of its run's lock and its database connection, so the next page of this
    // site finds both free; shown again, it takes its run back.
    window.addEventListener('pagehide', () => {
      noteProgress(true);
      locks.suspend();
      db.close();
    });
    window.addEventListener('pageshow', (e) => {
      db.reopen();
      if (e.persisted) reclaim();
    });
    let runs;
    try {
      runs = await waits.during('the browser\'s storage (IndexedDB)', list.refresh({ throwing: true }));
    } catch (e) {
      storageMessage(describeFailure(e), 'error');
      broken = true;
      return false;
    }
    if (!restoreSaved) return false;
    const id = await waits.during('the kept run (another page of this site may hold it)', chooseRun(runs));
    if (!id) return false;
    const restored = await restore(id, 'the run kept from your last visit');
    if (!restored) locks.release();
    return restored;
  }

  const runs = { ...list, switchTo, isCurrent: (id) => id === run.id,
                 remove: async (id) => { if (id !== run.id) { await list.remove(id); clearMarker(id); } },
                 rename: (id, name) => { if (id === run.id) run.name = name; return list.rename(id, name); },
                 afterDelete: () => { if (store.get().storageFull) saveNow(true); } };
  return { restored: start(), noteProgress, checkpointNow, holdCheckpoints, newRun, runs };
}
