// Nothing lost on reload: the current run (the engine's model file with its text, the text box, the loss history
// and the timeline) is kept in IndexedDB every ~10 s while training and whenever training pauses. Reopening the
// page restores it, paused at the same step; "New" forgets it and starts fresh. Storage that is full, blocked or
// missing is reported in a line under the buttons and never stops the page.

const DB_NAME = 'rnnlab';
const STORE = 'session';
const KEY = 'current';
const RECORD_VERSION = 1;
const SAVE_EVERY_MS = 10_000;

const $ = (id) => document.getElementById(id);

let api = null;   // from main.js: see initStorage
let dbPromise = null;
let lastSaveAt = 0;
let lastSavedKey = '';
let saving = false;
let lastState = 'none';
let broken = false;

function storageMessage(text, kind = 'info') {
  const p = $('storage-message');
  if (!p) return;
  p.hidden = !text;
  p.classList.toggle('error', kind === 'error');
  p.textContent = text || '';
  if (window.app) window.app.storageMessage = text || '';
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error || new Error('IndexedDB request failed'));
  });
}

function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      if (typeof indexedDB === 'undefined') { reject(new Error('this browser offers no IndexedDB')); return; }
      let req;
      try {
        req = indexedDB.open(DB_NAME, 1);
      } catch (e) {
        reject(e);
        return;
      }
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error || new Error('IndexedDB could not be opened'));
      req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
    });
    dbPromise.catch(() => {});
  }
  return dbPromise;
}

async function put(record) {
  const db = await openDb();
  const tx = db.transaction(STORE, 'readwrite');
  tx.objectStore(STORE).put(record, KEY);
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error || new Error('the save did not complete'));
    tx.onabort = () => reject(tx.error || new Error('the save was aborted'));
  });
}

async function get() {
  const db = await openDb();
  return request(db.transaction(STORE, 'readonly').objectStore(STORE).get(KEY));
}

export async function forget() {
  try {
    const db = await openDb();
    await request(db.transaction(STORE, 'readwrite').objectStore(STORE).delete(KEY));
  } catch { /* nothing stored, nothing to forget */ }
  lastSavedKey = '';
}

function describeFailure(e) {
  const name = e && e.name;
  if (name === 'QuotaExceededError') return 'The browser\'s storage is full, so this run is not kept for a reload. Save the model file to keep it.';
  return `This run cannot be kept for a reload (${(e && e.message) || 'storage unavailable'}). Save the model file to keep it.`;
}

async function saveNow() {
  if (saving || broken) return;
  const run = api.snapshot();
  if (run.state !== 'training' && run.state !== 'paused') return;
  const key = `${run.gen}:${run.step}`;
  if (key === lastSavedKey) return;
  saving = true;
  try {
    const bytes = await api.saveModel();
    if (!bytes) return;
    await put({ version: RECORD_VERSION, savedAt: Date.now(), bytes, ...api.history() });
    lastSavedKey = key;
    lastSaveAt = Date.now();
    if (window.app) window.app.savedStep = run.step;
    storageMessage('');
  } catch (e) {
    if (e && e.reset) return;
    broken = e && e.name !== 'QuotaExceededError' ? true : broken;
    storageMessage(describeFailure(e), 'error');
  } finally {
    saving = false;
  }
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
    record = await get();
  } catch (e) {
    storageMessage(describeFailure(e), 'error');
    broken = true;
    return false;
  }
  if (!record || record.version !== RECORD_VERSION || !(record.bytes instanceof Uint8Array)) return false;
  while (!api.isReady()) await new Promise((r) => setTimeout(r, 50));
  const ok = await api.restore(record);
  if (ok) {
    lastSavedKey = `${api.snapshot().gen}:${api.snapshot().step}`;
    lastState = 'paused';
    if (window.app) window.app.restoredStep = window.app.savedStep = api.snapshot().step;
  }
  return ok;
}

// pageApi: { snapshot() -> { state, gen, step }, saveModel() -> Promise<Uint8Array>, history() -> plain data,
//   restore(record) -> Promise<boolean>, isReady() -> boolean, reset() }.
// Resolves to true once a saved run has been restored (else the page loads its default text).
export async function initStorage(pageApi, { restoreSaved = true } = {}) {
  api = pageApi;
  $('new-button').addEventListener('click', async () => {
    await forget();
    storageMessage('');
    api.reset();
  });
  setInterval(tick, 1000);
  window.addEventListener('pagehide', () => { if (api.snapshot().state === 'training') saveNow(); });
  if (!restoreSaved) return false;
  let has = false;
  try {
    const record = await get();
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
