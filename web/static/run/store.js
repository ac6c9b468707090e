// The page's state in one small store: no module keeps the run's state in a global; main.js creates one store and
// hands it to every section that needs it.
//
//   const store = createStore({ step: 0 });
//   store.get().step                         // the current state (treat it as read-only)
//   store.update({ step: 5 })                // shallow merge, then every subscriber is called
//   store.update((s) => ({ step: s.step + 1 }))
//   const stop = store.subscribe((state, changed) => ...)   // changed: the keys the update named
//
// Ownership: each key has one writer. A section that keeps a growing record (the gradient-norm series, the look-inside
// results) owns the object under its key and publishes it again with update() after it changes it.
export function createStore(initial = {}) {
  let state = { ...initial };
  const listeners = new Set();
  return {
    get: () => state,
    update(patch) {
      const changes = typeof patch === 'function' ? patch(state) : patch;
      if (!changes) return;
      state = { ...state, ...changes };
      const keys = Object.keys(changes);
      for (const listener of [...listeners]) listener(state, keys);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
