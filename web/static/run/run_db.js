// The runs kept in this browser, in IndexedDB: every run is a record under its own id ('runs': the model file, text,
// chart, timeline, validation history) with a small summary beside it ('runIndex': name, text, step, best
// validation, times), so the list of runs is read without loading megabytes of models. A record and its summary are
// written in one transaction: a failed write (a full store) leaves the run's previous checkpoint whole.
//
// Version 1 pages kept one run under the key 'current' in the store 'session'; the upgrade to version 2 moves it
// into the list (its id is made here), so a person's run survives the new page.
const DB_NAME = 'rnnlab';
const DB_VERSION = 2;
const OLD_STORE = 'session';
const RUNS = 'runs';
const INDEX = 'runIndex';

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error || new Error('IndexedDB request failed'));
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error || new Error('the save did not complete'));
    tx.onabort = () => reject(tx.error || new Error('the save was aborted'));
  });
}

export const newRunId = () => `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

// The summary the list shows, from a full record.
export function summaryOf(id, record, extra = {}) {
  const vals = Array.isArray(record.valHistory) ? record.valHistory : [];
  const best = vals.reduce((b, v) => (Number.isFinite(v.bits) && (!b || v.bits < b.bits) ? v : b), null);
  return {
    id, name: record.name || 'Your run', textName: record.textName || 'Your text',
    textChars: typeof record.text === 'string' ? record.text.length : (record.textChars ?? null),
    step: record.step ?? 0, bestVal: best ? { step: best.step, bits: best.bits } : null,
    createdAt: record.createdAt || record.savedAt || Date.now(), usedAt: record.usedAt || record.savedAt || Date.now(),
    bytes: record.bytes ? record.bytes.length : 0, ...extra,
  };
}

// Version 1's single run becomes the first run of the list, within the upgrade's own transaction.
function migrate(db, tx) {
  if (!db.objectStoreNames.contains(OLD_STORE)) return;
  const old = tx.objectStore(OLD_STORE);
  old.get('current').onsuccess = (e) => {
    const record = e.target.result;
    if (record && record.bytes) {
      const id = newRunId();
      const kept = { ...record, name: 'Your run from before', textName: 'Your text' };
      tx.objectStore(RUNS).put(kept, id);
      tx.objectStore(INDEX).put(summaryOf(id, kept), id);
    }
    old.delete('current');
  };
}

// onGone: the connection was closed for another page's upgrade (the next call opens it again).
function openDb(onGone) {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') { reject(new Error('this browser offers no IndexedDB')); return; }
    let req;
    try {
      req = indexedDB.open(DB_NAME, DB_VERSION);
    } catch (e) {
      reject(e);
      return;
    }
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(RUNS)) db.createObjectStore(RUNS);
      if (!db.objectStoreNames.contains(INDEX)) db.createObjectStore(INDEX);
      migrate(db, req.transaction);
    };
    req.onsuccess = () => {
      // Another tab with a newer page asks for an upgrade: let it (this tab's next write reopens).
      req.result.onversionchange = () => { req.result.close(); onGone(); };
      resolve(req.result);
    };
    req.onerror = () => reject(req.error || new Error('IndexedDB could not be opened'));
    // Blocked: an older page of this site (another tab, or one the browser keeps for Back) has the database open and
    // has not closed it for the upgrade yet. The request goes on and succeeds once it does: wait for that (storage.js
    // says what the page waits for) rather than fail a page that will work in a moment.
    req.onblocked = () => console.info('rnnlab: IndexedDB waits for another page of this site to close it');
  });
}

// { getRun(id), putRun(id, record, summary), list() -> summaries, putSummary(summary), removeRun(id), close(),
//   reopen() }.
// close(): on pagehide, so a page kept for Back holds no connection, and opens none (a timer's write would otherwise
// reopen it as the page is frozen, and a frozen page's open request can hold up the next page's): calls made until
// reopen() (on pageshow) wait for it. Every call rejects with the browser's own error (quota, no IndexedDB).
export function createRunDb() {
  let dbPromise = null;
  let suspended = null;   // while closed for a page kept for Back: { resumed: Promise, resume() }
  const db = () => {
    if (suspended) return suspended.resumed.then(db);
    if (!dbPromise) {
      const opening = openDb(() => { if (dbPromise === opening) dbPromise = null; });
      dbPromise = opening;
      opening.catch(() => {});
    }
    return dbPromise;
  };
  // A write that throws before it is queued (a full store) aborts the whole transaction, so nothing half lands.
  async function write(stores, fn) {
    const tx = (await db()).transaction(stores, 'readwrite');
    const finished = done(tx);
    finished.catch(() => {});
    try {
      fn(tx);
    } catch (e) {
      try { tx.abort(); } catch { /* already finished */ }
      throw e;
    }
    await finished;
  }
  return {
    close() {
      const open = dbPromise;
      dbPromise = null;
      if (open) open.then((d) => d.close(), () => {});
      if (!suspended) {
        let resume;
        const resumed = new Promise((r) => { resume = r; });
        suspended = { resumed, resume };
      }
    },
    reopen() {
      const was = suspended;
      suspended = null;
      if (was) was.resume();
    },
    async getRun(id) {
      return request((await db()).transaction(RUNS, 'readonly').objectStore(RUNS).get(id));
    },
    async list() {
      return request((await db()).transaction(INDEX, 'readonly').objectStore(INDEX).getAll());
    },
    putRun: (id, record, summary) => write([RUNS, INDEX], (tx) => {
      tx.objectStore(RUNS).put(record, id);
      tx.objectStore(INDEX).put(summary, id);
    }),
    putSummary: (summary) => write([INDEX], (tx) => tx.objectStore(INDEX).put(summary, summary.id)),
    removeRun: (id) => write([RUNS, INDEX], (tx) => {
      tx.objectStore(RUNS).delete(id);
      tx.objectStore(INDEX).delete(id);
    }),
  };
}
