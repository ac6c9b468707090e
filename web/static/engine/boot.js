// Starts the engine as early as the page can. The engine needs nothing that main.js loads, so its worker should not
// wait for main.js. This is a classic script that index.html runs synchronously in <head>, before the browser lays
// out and paints the page for the first time (~100 ms of main-thread work on a busy machine); build.sh puts it
// inside the site's index.html (web/inline_boot.mjs), so it costs no round trip of its own. It
//   - picks the engine build (SIMD, or the fallback without it) and starts its worker, which fetches and compiles
//     the .wasm itself (worker.js says why not here);
//   - keeps the compiled engine the first worker sends back and hands it to every later worker (a hard reset, the
//     run comparison's own worker), so none downloads or compiles it again.
// main.js takes the worker, with whatever it said in the meantime, from self.rnnlabBoot.
//
// Marks (rnnlab:*) on the page's and the worker's performance timelines split start-up into its parts (see
// bench/browser/startup.mjs): boot (this script runs), main (main.js runs), and in the worker: worker (its script
// runs), engine-code (.wasm compiled), engine-ready (instantiated, READY posted).
'use strict';
(() => {
  const base = document.baseURI;   // the page's directory holds every file (inline, this script has no src)
  performance.mark('rnnlab:boot');

  // The engine comes in two builds: wasm SIMD (fast) and a fallback without SIMD for browsers that lack it. This tiny
  // module's one function (i32.const 0; i8x16.splat; i8x16.popcnt) returns a v128, so validate() tells which to load.
  // "nosimd" in the page's address loads the fallback on purpose (to test it on a browser with SIMD).
  const SIMD_PROBE = new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
  const simd = typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE) &&
    !/nosimd/.test(location.search + location.hash);   // without WebAssembly, the worker's error is shown
  // The page's build (stamped by build.sh), carried by the worker's address so that the service worker answers from
  // that build's cache (offline/sw.js); an unstamped page has none.
  const build = (document.querySelector('meta[name="rnnlab-build"]') || {}).content || '';
  const stamped = /^[0-9a-f]{16}$/.test(build);
  const workerFile = simd ? 'worker_simd.js' : 'worker_nosimd.js';

  // The compiled engine travels in messages of this kind (worker.js): from the first worker that compiled it to the
  // page, and from the page to each later worker, whose address then says "?code" so that it waits for it.
  // (WebAssembly.Module is shared with a worker, not copied.)
  const ENGINE_CODE = 'rnnlab:engine-code';
  let engineCode = null;
  function createWorker() {
    const query = [stamped ? `v=${build}` : '', engineCode ? 'code' : ''].filter(Boolean).join('&');
    const url = new URL(workerFile + (query ? `?${query}` : ''), base);
    const worker = new Worker(url, { type: 'module' });
    if (engineCode) {
      worker.postMessage({ kind: ENGINE_CODE, module: engineCode });
    } else {
      // Registered before anyone else listens, so it runs first and the message goes no further.
      worker.addEventListener('message', (e) => {
        if (!e.data || e.data.kind !== ENGINE_CODE) return;
        e.stopImmediatePropagation();
        engineCode ??= e.data.module;
      });
    }
    return worker;
  }

  let first = createWorker();
  const early = [];   // message and error events from `first` before main.js listens, in order
  first.onmessage = (e) => early.push(e);
  first.onerror = (e) => {
    e.preventDefault();   // reported by main.js once it listens
    early.push(e);
  };

  self.rnnlabBoot = {
    // The worker started at load time with its early events (the first call), or a fresh worker (a hard reset).
    // The caller sets its handlers and replays `early` in the same task, so no event falls between the two.
    engineWorker() {
      if (!first) return { worker: createWorker(), early: [] };
      const worker = first;
      first = null;
      return { worker, early: early.splice(0) };
    },
    // Always a fresh worker (the run comparison's own engine, compare.js).
    newEngineWorker() {
      return { worker: createWorker(), early: [] };
    },
  };
})();
