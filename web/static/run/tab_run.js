// Which run this tab works on. Each tab remembers its own run id in sessionStorage (it survives a reload of that tab
// and nothing else), and holds a Web Lock named after it while the page is open, so a second tab never picks a run
// another tab is training: two tabs cannot clobber each other's run. A fresh tab opens the most recently used run
// that no other tab holds.
const KEY = 'rnnlab.runId';
const NO_RUN = '';   // "New" was pressed in this tab: a reload starts fresh rather than opening another run

// undefined: a fresh tab; '' : this tab has no run; otherwise the run's id.
export function rememberedRunId() {
  try {
    const v = sessionStorage.getItem(KEY);
    return v === null ? undefined : v;
  } catch {
    return undefined;
  }
}

export function rememberRunId(id) {
  try { sessionStorage.setItem(KEY, id || NO_RUN); } catch { /* the tab then opens the latest run after a reload */ }
}

const lockName = (id) => `rnnlab-run:${id}`;

// { claim(id) -> Promise<boolean> (false: another tab holds it), release(), heldByOthers() -> Promise<Set<id>>,
//   suspend(), resume() -> Promise<boolean> }.
// Without Web Locks every claim succeeds (older browsers: the tabs then share, as before this list existed).
// suspend/resume are for pagehide and a pageshow from the back/forward cache: a page the browser keeps after the
// person navigated away must not hold its run's lock, or the next page of this site (even in the same tab) would
// find its own run taken; coming back, it claims the run again.
export function createRunLocks() {
  const held = { id: null, release: null, suspended: null };
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;

  function release() {
    if (held.release) held.release();
    held.id = null;
    held.release = null;
  }

  function claim(id) {
    if (held.id === id) return Promise.resolve(true);
    release();
    if (!locks || !id) return Promise.resolve(true);
    return new Promise((resolve) => {
      locks.request(lockName(id), { ifAvailable: true }, (lock) => {
        if (!lock) { resolve(false); return undefined; }
        held.id = id;
        resolve(true);
        return new Promise((r) => { held.release = r; });   // held until release() or the page goes away
      }).catch(() => resolve(true));
    });
  }

  async function heldByOthers() {
    if (!locks) return new Set();
    try {
      const { held: all = [] } = await locks.query();
      const ids = all.map((l) => l.name).filter((n) => n && n.startsWith('rnnlab-run:')).map((n) => n.slice(11));
      return new Set(ids.filter((id) => id !== held.id));
    } catch {
      return new Set();
    }
  }

  function suspend() {
    if (held.id) held.suspended = held.id;
    release();
  }

  function resume() {
    const id = held.suspended;
    held.suspended = null;
    return id ? claim(id) : Promise.resolve(true);
  }

  return { claim, release, heldByOthers, suspend, resume };
}
