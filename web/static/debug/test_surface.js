// window.app: a read-only view of the page's store for the browser tests and a curious person in the console
// (`app.step`, `app.look.trace`, `app.lossData()`). This is the only module that touches window.app, and the page
// never reads it: behaviour goes through the store (tests/browser/structure.test.mjs keeps it so).
//
// extras: values that are not state, e.g. lossData() or the #testhooks functions under `debug`.
export function exposeForTests(store, extras = {}) {
  const view = new Proxy(extras, {
    get: (target, key) => (key in target ? target[key] : store.get()[key]),
    has: (target, key) => key in target || key in store.get(),
    ownKeys: (target) => [...new Set([...Reflect.ownKeys(target), ...Reflect.ownKeys(store.get())])],
    getOwnPropertyDescriptor: (target, key) =>
      (key in target ? Reflect.getOwnPropertyDescriptor(target, key)
        : { value: store.get()[key], enumerable: true, configurable: true, writable: false }),
    set: () => false,
  });
  Object.defineProperty(window, 'app', { value: view, configurable: true });
  return view;
}
