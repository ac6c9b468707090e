// Starts the engine as early as the page can. Start-up is a chain of round trips (the page, its modules, the worker's
// script, the engine's glue and .wasm) and the engine needs nothing that main.js loads, so it should not wait for
// main.js and its imports. This is a classic script that index.html runs synchronously in <head>, before the browser
// lays out and paints the page for the first time (~100 ms of main-thread work measured on a busy machine, which
// delayed an async module doing the same); build.sh puts it inside the site's index.html (web/inline_boot.mjs), so
// it costs no round trip of its own. It
//   - fetches and compiles the engine's .wasm here, in parallel with the worker's own start (a new worker takes
//     50-120 ms before its script runs), and hands the compiled module to every worker the page creates, so a hard
//     reset does not download it again;
//   - starts the worker, which meanwhile loads the engine's JS glue;
//   - preloads main.js's imports.
// main.js takes the worker, with whatever it said in the meantime, from self.rnnlabBoot.
//
// Marks (rnnlab:*) on the page's and the worker's performance timelines split start-up into its parts (see
// bench/browser/startup.mjs): boot (this script runs), engine-code (.wasm compiled, here), main (main.js runs),
// worker (its script runs), engine-glue (JS glue and protocol.js loaded), engine-ready (instantiated, READY posted).
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
    !/nosimd/.test(location.search + location.hash);   // without WebAssembly, compileEngine's error is shown
  const wasmUrl = new URL(simd ? 'rnnlab_engine.wasm' : 'rnnlab_engine_nosimd.wasm', base);

  // Streaming compilation overlaps the download; a host that does not serve .wasm as application/wasm makes it fail,
  // and then the bytes are compiled in one piece.
  async function compileEngine() {
    try {
      return await WebAssembly.compileStreaming(fetch(wasmUrl, { credentials: 'same-origin' }));
    } catch {
      const res = await fetch(wasmUrl, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(`${wasmUrl.pathname}: HTTP ${res.status}`);
      return WebAssembly.compile(await res.arrayBuffer());
    }
  }
  const engineCode = compileEngine();
  engineCode.then(() => performance.mark('rnnlab:engine-code'), () => {});

  // The worker learns the build from its address (?nosimd) and gets the compiled module in a message of this kind
  // (worker.js), sent as soon as it is ready (WebAssembly.Module is cloned to a worker without copying the code).
  const ENGINE_CODE = 'rnnlab:engine-code';
  function createWorker() {
    const worker = new Worker(new URL('./worker.js' + (simd ? '' : '?nosimd'), base), { type: 'module' });
    engineCode.then((module) => worker.postMessage({ kind: ENGINE_CODE, module }),
                    (e) => worker.postMessage({ kind: ENGINE_CODE, error: String((e && e.message) || e) }));
    return worker;
  }

  let first = createWorker();
  const early = [];   // message and error events from `first` before main.js listens, in order
  first.onmessage = (e) => early.push(e);
  first.onerror = (e) => {
    e.preventDefault();   // reported by main.js once it listens
    early.push(e);
  };

  // Then main.js's imports, requested all at once instead of one level of imports per round trip. They are
  // preloaded from here, after the worker, and not from index.html, because a browser opens only ~6 connections to
  // a host over HTTP/1.1: listed in the page they took them all, and the worker's script waited behind them (~150 ms
  // measured). tests/browser/site.test.mjs checks that this list is main.js's import graph.
  const MAIN_IMPORTS = ['protocol.js', 'engine_client.js', 'chart.js', 'share.js', 'link_schema.js', 'storage.js',
    'resume.js', 'inspect.js', 'scales.js', 'heatmap.js', 'live.js', 'canvas.js', 'gradnorm.js', 'compare.js'];
  for (const file of MAIN_IMPORTS) {
    const link = document.createElement('link');
    link.rel = 'modulepreload';
    link.href = new URL(file, base).href;
    document.head.append(link);
  }

  self.rnnlabBoot = {
    MAIN_IMPORTS,
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
