// What the page waits for while it brings back a kept run. Each step (the browser's storage, the run's record, the
// engine) is named in the store (`storageWaitingFor`) while it runs; one that takes more than a few seconds is said
// plainly under the buttons, so a page that does not come up tells the person (and a test) why, instead of hanging
// silently. A step that finishes clears its line.
const SAY_AFTER_MS = 4000;

// say(text): shows a line (or clears it with ''). Returns { during(what, promise) -> that promise's result }.
export function createWaitNotice(store, say) {
  const shown = { what: null };
  function during(what, promise) {
    store.update({ storageWaitingFor: what });
    const timer = setTimeout(() => {
      shown.what = what;
      say(`Still waiting for ${what}… (the page goes on once it answers; closing other tabs of this page may help).`);
      console.info(`rnnlab: still waiting for ${what}`);
    }, SAY_AFTER_MS);
    const finish = () => {
      clearTimeout(timer);
      if (store.get().storageWaitingFor === what) store.update({ storageWaitingFor: null });
      if (shown.what === what) { shown.what = null; say(''); }
    };
    return Promise.resolve(promise).finally(finish);
  }
  return { during };
}

// `promise`, or `fallback` when it has not settled within `ms` (for answers the page can do without).
export function within(ms, promise, fallback) {
  return Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(fallback), ms))]);
}
