// The engine worker with the build without SIMD, for browsers that lack wasm SIMD (or "nosimd" in the page's
// address). Bundled like worker_simd.js, with the fallback build's glue.
import createEngine from './rnnlab_engine_nosimd.js';
import { startEngineWorker } from './worker.js';

startEngineWorker({ createEngine, wasmFile: 'rnnlab_engine_nosimd.wasm', simd: false });
