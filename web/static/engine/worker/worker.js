// The engine worker: the only place that runs WebAssembly. It owns one model (an embind Session), trains it in
// chunks of ~40 ms, and between chunks answers whatever the page asked (pause, sample, save, ...): handlers.js.
// Message kinds and fields: ../protocol.js.
//
// The page starts it as one script: build.sh bundles worker_simd.js or worker_nosimd.js (each imports this file and
// its build's JS glue) with the rest, so loading costs the script and the .wasm, and nothing waits for a module
// graph. The entry calls startEngineWorker().
import { BUILD, versioned } from '../../offline/build.js';
import { Rep, message } from '../protocol.js';
import { POOL_REQUESTS, handle } from './handlers.js';
import { createWorkerContext } from './worker_model.js';
import { createYield } from './yield.js';

performance.mark('rnnlab:worker');   // start-up marks: see engine/boot.js
// The compiled engine travels between the page and its workers in messages of this kind (boot.js keeps it).
const ENGINE_CODE = 'rnnlab:engine-code';

// Streaming compilation overlaps the download; a host that does not serve .wasm as application/wasm makes it fail,
// and then the bytes are compiled in one piece.
async function compileEngine(url) {
  try {
    return await WebAssembly.compileStreaming(fetch(url, { credentials: 'same-origin' }));
  } catch {
    const res = await fetch(url, { credentials: 'same-origin' });
    if (!res.ok) throw new Error(`${new URL(url).pathname}: HTTP ${res.status}`);
    return WebAssembly.compile(await res.arrayBuffer());
  }
}

// The page posts the compiled engine when it already has one (a hard reset, the comparison's worker) and then says
// so with "code" in this worker's address; otherwise this worker fetches and compiles it itself.
// Why the worker compiles, not the page: the page's main thread is busy during start-up (its first layout, main.js).
// A module compiled there reached this worker only when that thread was next free, 100-300 ms late in traces, and
// the worker's own start waits on the same thread; compiled here, the engine depends on the page for nothing.
async function engineCode(codeFromPage, wasmFile) {
  if (new URL(self.location.href).searchParams.has('code')) return codeFromPage;
  const code = await compileEngine(new URL(versioned(wasmFile), self.location.href));   // this build's engine
  self.postMessage({ kind: ENGINE_CODE, module: code });   // boot.js keeps it for the next worker
  return code;
}

// The glue's instantiateWasm hook: instantiate the module compiled above instead of fetching the .wasm again.
// (The glue's own promise would never settle if instantiation failed, hence the race.)
function instantiate(createEngine, code) {
  let failed;
  const instantiateFailed = new Promise((resolve, reject) => { failed = reject; });
  return Promise.race([instantiateFailed, createEngine({
    instantiateWasm(imports, receiveInstance) {
      WebAssembly.instantiate(code, imports).then((instance) => receiveInstance(instance, code), failed);
      return {};
    },
  })]);
}

// Start-up, called once by the entry script with its build: the glue's factory, the .wasm's file name (next to this
// script) and whether it is the SIMD build. Requests that arrive while the engine loads wait, and are handled in
// order once it is ready.
export async function startEngineWorker({ createEngine, wasmFile, simd }) {
  const post = (kind, id, g, fields, transfer) => self.postMessage(message(kind, id, g, fields), transfer || []);
  const ctx = createWorkerContext(post);
  const yieldToEventLoop = createYield();
  const safeHandle = (msg) => {
    try {
      handle(ctx, msg, yieldToEventLoop);
    } catch (e) {
      post(Rep.ERROR, msg.id, msg.gen, { message: 'internal error: ' + (e && e.message ? e.message : String(e)) });
    }
  };
  const held = [];   // requests that came while a training chunk waited for the helpers (ctx.holding)
  ctx.releaseHeld = () => {
    ctx.holding = false;
    while (held.length && !ctx.holding) safeHandle(held.shift());
  };
  const receive = (msg) => {
    if (ctx.holding && !POOL_REQUESTS.has(msg.kind)) held.push(msg);
    else safeHandle(msg);
  };
  const early = [];
  let codeArrived;
  const codeFromPage = new Promise((resolve, reject) => { codeArrived = { resolve, reject }; });
  codeFromPage.catch(() => {});   // a failure is reported where it is awaited
  self.onmessage = (e) => {
    if (e.data && e.data.kind === ENGINE_CODE) {
      if (e.data.module) codeArrived.resolve(e.data.module);
      else codeArrived.reject(new Error(e.data.error));
    } else if (!ctx.engine) early.push(e.data);
    else receive(e.data);
  };
  try {
    const code = await engineCode(codeFromPage, wasmFile);
    performance.mark('rnnlab:engine-code');
    ctx.engine = await instantiate(createEngine, code);
    performance.mark('rnnlab:engine-ready');
    post(Rep.READY, 0, 0, { simd, build: BUILD });   // build: which build's worker and engine this is
    for (const msg of early.splice(0)) safeHandle(msg);
  } catch (e) {
    post(Rep.ERROR, 0, 0, { message: 'The engine could not start: ' + String(e && e.message ? e.message : e), fatal: true });
  }
}
