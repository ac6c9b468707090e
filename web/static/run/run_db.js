// The run kept across reloads, in IndexedDB: one record under one key. Opening the database is lazy and happens at
// most once per page; every call rejects with the browser's own error (quota, blocked, no IndexedDB).
const DB_NAME = 'rnnlab';
const STORE = 'session';
const KEY = 'current';

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error || new Error('IndexedDB request failed'));
  });
}

function openDb() {
  return new Promise((resolve, reject) => {
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
}

// { get() -> record | undefined, put(record), remove() }
export function createRunDb() {
  let dbPromise = null;
  const db = () => {
    if (!dbPromise) {
      dbPromise = openDb();
      dbPromise.catch(() => {});
    }
    return dbPromise;
  };
  return {
    async get() {
      return request((await db()).transaction(STORE, 'readonly').objectStore(STORE).get(KEY));
    },
    async put(record) {
      const tx = (await db()).transaction(STORE, 'readwrite');
      tx.objectStore(STORE).put(record, KEY);
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error || new Error('the save did not complete'));
        tx.onabort = () => reject(tx.error || new Error('the save was aborted'));
      });
    },
    async remove() {
      await request((await db()).transaction(STORE, 'readwrite').objectStore(STORE).delete(KEY));
    },
  };
}
