// The engine worker with the wasm SIMD build, the one boot.js starts on every browser that validates wasm SIMD.
// build.sh bundles this file, worker.js, protocol.js and the build's JS glue (rnnlab_engine.js, made by Emscripten,
// so it exists only in the build) into site/worker_simd.js.
import createEngine from './rnnlab_engine.js';
import { startEngineWorker } from './worker.js';

startEngineWorker({ createEngine, wasmFile: 'rnnlab_engine.wasm', simd: true });
