// The engine worker: the only place that runs WebAssembly. It owns one model (an embind Session), trains it in
// chunks of ~40 ms, and between chunks answers whatever the page asked (pause, sample, save, ...).
// Message kinds and fields: protocol.js.
//
// The page starts it as one script: build.sh bundles worker_simd.js or worker_nosimd.js (each imports this file and
// its build's JS glue) with protocol.js, so loading costs the script and the .wasm, and nothing waits for a module
// graph. The entry calls startEngineWorker() at the end of this file.
import { Limits, Rep, Req, message, parseConfigText } from '../protocol.js';

performance.mark('rnnlab:worker');   // start-up marks: see boot.js
// The compiled engine travels between the page and its workers in messages of this kind (boot.js keeps it).
const ENGINE_CODE = 'rnnlab:engine-code';
// The page posts the compiled engine when it already has one (a hard reset, the comparison's worker) and then says
// so with "code" in this worker's address; otherwise this worker fetches and compiles it itself.
const codePosted = new URL(self.location.href).searchParams.has('code');
let codeArrived;
const codeFromPage = new Promise((resolve, reject) => { codeArrived = { resolve, reject }; });
codeFromPage.catch(() => {});   // a failure is reported where it is awaited, at the end
// Requests that arrive while the engine loads wait here (handled in order once it is ready).
const early = [];
self.onmessage = (e) => {
  if (e.data && e.data.kind === ENGINE_CODE) {
    if (e.data.module) codeArrived.resolve(e.data.module);
    else codeArrived.reject(new Error(e.data.error));
  } else if (!engine) {
    early.push(e.data);
  } else {
    safeHandle(e.data);
  }
};

const CHUNK_MS = 40;              // one training burst; a pause or sample request waits at most this long (or one step)
const EVAL_MIN_GAP_MS = 250;      // validation loss at most this often while training, and
const EVAL_COST_SHARE = 0.1;      // using at most about this share of the training time
const EVAL_MAX_CHARS = 4096;      // validation characters scored each time (a fixed prefix, so points compare)
const MAX_REJECTED_STREAK = 5;    // this many rejected steps in a row pause training and ask for a lower rate
const TIMELINE_LENGTH = 160;      // characters in each timeline sample
const TIMELINE_TEMPERATURE = 0.8;

let engine = null;
let session = null;               // embind Session, or null before the first model
let gen = 0;                      // generation of `session`
let model = null;                 // what the page needs to know about the model (batch, unroll, lr, ...)
                                  // plus calls (train_step calls so far) and edits (mid-run changes so far), the
                                  // coordinates of exact-step resume (resume.js)
let run = null;                   // the training loop in progress: { id, requestId }
let simulatedRejections = 0;      // DEBUG_REJECT test hook

const encoder = new TextEncoder();
const post = (kind, id, g, fields, transfer) => self.postMessage(message(kind, id, g, fields), transfer || []);

// Yielding through a MessageChannel costs microseconds; setTimeout(0) costs ~4 ms in a worker (nested-timer clamp).
const channel = new MessageChannel();
let wake = null;
channel.port1.onmessage = () => wake && wake();
const yieldToEventLoop = () => new Promise((resolve) => { wake = resolve; channel.port2.postMessage(0); });

// Text arrives as a JS string (typed or pasted) or as raw file bytes. The engine reads UTF-8 bytes; TextEncoder
// is native and ~10x faster than embind's own string conversion for multi-megabyte texts.
function textBytes(msg) {
  if (msg.bytes instanceof Uint8Array) return msg.bytes;
  return encoder.encode(msg.text ?? '');
}

// How much of the bytes is clearly not text: invalid UTF-8 (counted by the engine) and NUL bytes (UTF-16 files,
// images and archives are full of them, yet NUL is valid UTF-8).
function textProblem(bytes, stats) {
  let nul = 0;
  for (let i = 0; i < bytes.length; ++i) if (bytes[i] === 0) ++nul;
  const chars = Math.max(1, stats.chars);
  const invalidFraction = stats.invalidReplaced / chars;
  const nulFraction = nul / Math.max(1, bytes.length);
  if (invalidFraction > Limits.MAX_INVALID_FRACTION || nulFraction > Limits.MAX_INVALID_FRACTION)
    return { invalidFraction, nulFraction };
  return null;
}

function evaluate() {
  if (!model || model.valChars < 2) return null;
  const e = session.evaluate(model.evalChars);
  if (!e.ok || e.bitsPerChar === null) return null;
  return { step: model.step, bitsPerChar: e.bitsPerChar, perplexity: e.perplexity, chars: e.chars };
}

function describe(info) {
  const cfg = info.config;
  const values = parseConfigText(cfg);
  const valChars = info.stats.valChars;
  return {
    stats: info.stats,
    hasText: info.hasText,
    parameterCount: info.parameterCount,
    config: cfg,
    step: info.step,
    epoch: info.epoch,
    batch: Number(values.batch),
    unroll: Number(values.unroll),
    lr: Number(values.lr),
    valChars,
    evalChars: Math.min(valChars, EVAL_MAX_CHARS),
    calls: info.step + info.rejectedSteps,
    edits: 0,
    linkWeightsBytes: info.linkWeightsBytes,
  };
}

function replaceSession(next, info, newGen) {
  stopRun();
  if (session) session.delete();
  session = next;
  gen = newGen;
  model = describe(info);
  model.nextTimeline = nextTimelineStep(model.step);
  simulatedRejections = 0;
}

// Timeline samples at steps 50, 100, 200, 300, 500, 750, 1000, then every 500 to 5000, then every 2500.
function nextTimelineStep(step) {
  const early = [50, 100, 200, 300, 500, 750, 1000];
  for (const s of early) if (s > step) return s;
  if (step < 5000) return (Math.floor(step / 500) + 1) * 500;
  return (Math.floor(step / 2500) + 1) * 2500;
}

function stopRun() {
  run = null;
}

async function trainLoop(myRun) {
  const window = [];               // recent chunks: { chars, ms } for the throughput figure
  let lastEval = performance.now();
  let evalMs = 0;                  // what the last evaluation cost
  let streak = 0;
  let nonFinite = false;           // the current streak holds a non-finite (rejected) step
  const charsPerStep = model.batch * model.unroll;
  // Fixed evaluation steps (compare.js): the first multiple of evalEvery after the current step.
  const evalEvery = myRun.evalEvery > 0 ? myRun.evalEvery : 0;
  let nextEval = evalEvery ? (Math.floor(model.step / evalEvery) + 1) * evalEvery : Infinity;
  let lastEvalStep = -1;
  while (run === myRun) {
    const stopAt = myRun.stopAt > 0 ? myRun.stopAt : Infinity;   // read each chunk: STOP_AT may move it
    // Stop exactly at the next timeline step, so its sample is labelled with a round number (and likewise at a
    // fixed evaluation step or the step budget).
    const target = Math.min(model.nextTimeline, nextEval, stopAt);
    const res = session.train(Math.max(1, target - model.step), CHUNK_MS);
    if (run !== myRun) break;      // cannot happen synchronously, but keeps the invariant obvious
    if (!res.ok) {
      run = null;
      post(Rep.ERROR, myRun.requestId, gen, { message: res.error });
      post(Rep.PAUSED, myRun.requestId, gen, { step: model.step, reason: 'error' });
      return;
    }
    const reports = res.reports;
    let diverged = null;             // { reason, bits } once MAX_REJECTED_STREAK bad steps came in a row
    for (const r of reports) {
      if (simulatedRejections > 0) {
        // Test hook only (see DEBUG_REJECT): the engine's own guard is exercised by the native tests; no
        // configuration inside the accepted ranges reliably produces a non-finite step for a browser test.
        --simulatedRejections;
        r.rejected = true;
        r.loss = null;
        r.gradNorm = null;
      }
      // Non-finite steps (rejected by the engine) and finite losses far above a know-nothing model's (the
      // engine's `diverging`) both mean the run is blowing up.
      streak = r.rejected || r.diverging ? streak + 1 : 0;
      if (streak === 0) nonFinite = false;
      if (r.rejected) nonFinite = true;
      if (streak >= MAX_REJECTED_STREAK && !diverged) {
        // Described by the streak itself: later steps of the same chunk may look healthy again.
        diverged = { reason: nonFinite ? 'nonfinite' : 'exploding', bits: r.loss === null ? null : r.loss / Math.LN2 };
      }
    }
    const last = reports[reports.length - 1];
    model.step = last.step;
    model.epoch = last.epoch;
    model.calls += reports.length;
    const accepted = reports.filter((r) => !r.rejected).length;
    window.push({ chars: reports.length * charsPerStep, ms: res.millis });
    while (window.length > 50) window.shift();
    const totalMs = window.reduce((a, w) => a + w.ms, 0);
    const charsPerSec = totalMs > 0 ? (window.reduce((a, w) => a + w.chars, 0) * 1000) / totalMs : 0;

    let evalResult = null;
    const now = performance.now();
    if (evalEvery) {
      if (model.step >= nextEval) {
        evalResult = evaluate();
        lastEvalStep = model.step;
        nextEval = (Math.floor(model.step / evalEvery) + 1) * evalEvery;
      }
    } else if (now - lastEval >= Math.max(EVAL_MIN_GAP_MS, evalMs / EVAL_COST_SHARE) && accepted > 0) {
      evalResult = evaluate();
      lastEval = performance.now();
      evalMs = lastEval - now;
    }
    post(Rep.PROGRESS, myRun.requestId, gen, {
      reports, eval: evalResult, charsPerSec, step: model.step, epoch: model.epoch,
    });

    if (model.step >= model.nextTimeline) {
      const s = session.sample({ length: TIMELINE_LENGTH, temperature: TIMELINE_TEMPERATURE, seed: model.step }, null);
      if (s.ok) post(Rep.TIMELINE, myRun.requestId, gen, { step: model.step, text: s.text });
      model.nextTimeline = nextTimelineStep(model.step);
    }

    if (diverged) {
      run = null;
      post(Rep.DIVERGED, myRun.requestId, gen, {
        step: model.step, lr: model.lr, count: MAX_REJECTED_STREAK,
        reason: diverged.reason, bits: diverged.bits,
        lastGoodStep: session.lastGoodStep(),
      });
      post(Rep.PAUSED, myRun.requestId, gen, { step: model.step, reason: 'diverged', eval: evaluate() });
      return;
    }
    if (model.step >= stopAt) {
      run = null;
      post(Rep.PAUSED, myRun.requestId, gen, {
        step: model.step, reason: 'budget', eval: lastEvalStep === model.step ? null : evaluate(),
      });
      return;
    }
    await yieldToEventLoop();
  }
}

// Exact-step resume (resume.js): after a reload the page loads its last checkpoint and asks for the train_step
// calls made since, with the mid-run changes (learning rate, rounding for a link) at the calls where they happened.
// The engine is deterministic, so this ends exactly where the page was, with the same losses. Runs in chunks and
// reports RESTORING between them, so the page can say how far it is.
async function replay(msg) {
  const total = Math.max(0, msg.calls | 0);
  const events = (msg.events || []).slice().sort((a, b) => a.after - b.after);
  const reports = [];
  let done = 0, next = 0;
  const myRun = (run = { requestId: msg.id, replay: true });
  const applyDue = () => {
    for (; next < events.length && events[next].after <= done; ++next) {
      const e = events[next];
      if (e.kind === 'lr') {
        const res = session.setLearningRate(e.lr);
        if (!res.ok) throw new Error(res.error);
        model.lr = e.lr;
      } else if (e.kind === 'round') {
        const res = session.roundWeights();
        if (!res.ok) throw new Error(res.error);
      } else if (e.kind === 'clip') {
        const res = session.setClipping(String(e.mode), Number(e.value));
        if (!res.ok) throw new Error(res.error);
        model.config = res.config;
      }
      model.edits += 1;
    }
  };
  applyDue();
  while (done < total) {
    if (run !== myRun) {   // replaced meanwhile: the page has moved on, but its request still gets an answer
      post(Rep.ERROR, msg.id, msg.gen, { message: 'the restore was interrupted', stale: true });
      return;
    }
    const until = next < events.length ? Math.min(total, events[next].after) : total;
    const res = session.train(until - done, CHUNK_MS);
    if (!res.ok) throw new Error(res.error);
    for (const r of res.reports) reports.push(r);
    done += res.reports.length;
    const last = res.reports[res.reports.length - 1];
    model.step = last.step;
    model.epoch = last.epoch;
    model.calls += res.reports.length;
    applyDue();
    post(Rep.RESTORING, msg.id, gen, { step: model.step, done, total });
    await yieldToEventLoop();
  }
  applyDue();
  if (run === myRun) run = null;
  model.nextTimeline = nextTimelineStep(model.step);
  post(Rep.REPLAYED, msg.id, gen, { reports, step: model.step, epoch: model.epoch, calls: model.calls, edits: model.edits,
                                     config: model.config });
}

function sample(msg) {
  const options = { ...msg.options };
  options.length = Math.min(Math.max(0, options.length | 0), Limits.MAX_SAMPLE_LENGTH);
  let pending = '';
  let lastFlush = performance.now();
  const res = session.sample(options, (ch) => {
    pending += ch;
    const now = performance.now();
    if (now - lastFlush >= 30) {   // stream in small batches: one message per character would flood the page
      post(Rep.SAMPLE_CHUNK, msg.id, gen, { text: pending });
      pending = '';
      lastFlush = now;
    }
    return true;
  });
  if (!res.ok) {
    post(Rep.ERROR, msg.id, gen, { message: res.error });
    return;
  }
  if (pending) post(Rep.SAMPLE_CHUNK, msg.id, gen, { text: pending });
  post(Rep.SAMPLE_DONE, msg.id, gen, { text: res.text, primeUsed: res.primeUsed, primeSkipped: res.primeSkipped });
}

// "Look inside" (inspect.js): the engine copies its arrays out of the heap; they are transferred, not cloned.
function look(msg) {
  const args = { ...msg.args };
  if (msg.op === 'ngram') args.evalChars = model.evalChars;   // the same validation prefix as the network's loss
  const start = performance.now();
  const res = session.look(msg.op, args);
  const ms = performance.now() - start;   // how long training waited for this (live refresh reports it)
  if (!res.ok) return post(Rep.ERROR, msg.id, gen, { message: res.error });
  const transfer = [];
  for (const v of Object.values(res)) {
    for (const a of Array.isArray(v) ? v : [v]) if (ArrayBuffer.isView(a)) transfer.push(a.buffer);
  }
  post(Rep.LOOKED, msg.id, gen, {
    op: msg.op, result: res, step: model.step, cell: parseConfigText(model.config).cell, ms,
    network: msg.op === 'ngram' ? evaluate() : null,
  }, transfer);
}

// calls and edits say where in the run the file was taken (exact-step resume, resume.js).
function fileReply(msg, res, name, type) {
  if (!res.ok) return post(Rep.ERROR, msg.id, gen, { message: res.error });
  post(Rep.FILE, msg.id, gen, { bytes: res.bytes, name, type, calls: model.calls, edits: model.edits },
       [res.bytes.buffer]);
}

function handle(msg) {
  const { kind, id } = msg;
  const needModel = () => {
    if (session && msg.gen === gen) return true;
    post(Rep.ERROR, id, msg.gen, { message: 'no model yet: press Train to create one', stale: true });
    return false;
  };
  switch (kind) {
    case Req.INSPECT: {
      const bytes = textBytes(msg);
      const res = engine.textStats(bytes, msg.config);
      if (!res.ok) return post(Rep.ERROR, id, gen, { message: res.error });
      return post(Rep.INSPECTED, id, gen, { stats: res.stats, problem: textProblem(bytes, res.stats) });
    }
    case Req.CHECK_CONFIG: {
      const res = engine.checkConfig(msg.config);
      if (!res.ok) return post(Rep.ERROR, id, gen, { message: res.error });
      return post(Rep.CHECKED, id, gen, {});
    }
    case Req.OPEN: {
      const next = new engine.Session();
      let res = next.open(textBytes(msg), msg.config);
      // A share link's weights (link_weights.hpp) replace the fresh ones; the engine checks they fit this model.
      if (res.ok && msg.linkWeights) res = next.loadLinkWeights(msg.linkWeights);
      if (!res.ok) {
        next.delete();
        return post(Rep.ERROR, id, msg.gen, { message: res.error });
      }
      replaceSession(next, res, msg.gen);
      return post(Rep.OPENED, id, gen, { ...model, eval: evaluate() });
    }
    case Req.LINK_WEIGHTS: {
      // Rounds the model in place between training chunks: an edit the page records for exact-step resume.
      if (!needModel()) return;
      const before = evaluate();
      const res = session.roundForLink(textBytes(msg));
      if (!res.ok) return post(Rep.ERROR, id, gen, { message: res.error });
      const edit = model.edits++;
      return post(Rep.LINK_WEIGHTS, id, gen, {
        bytes: res.bytes, step: model.step, calls: model.calls, edit, before, after: evaluate(),
      }, [res.bytes.buffer]);
    }
    case Req.REPLAY: {
      if (!needModel()) return;
      if (run) return post(Rep.ERROR, id, gen, { message: 'cannot restore while training' });
      replay(msg).catch((e) => {
        run = null;
        post(Rep.ERROR, id, gen, { message: 'the run could not be restored exactly: ' + e.message });
      });
      return;
    }
    case Req.LOAD: {
      const next = new engine.Session();
      // Told apart by content: safetensors starts with its header's length (u64, little-endian) and then '{'
      // (weights only); everything else goes to the model-file reader, which starts with "RNNLAB\x1a\n" and names
      // what is wrong with any other file.
      const b = msg.bytes;
      const headerLength = b.length >= 9 ? new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true) : 0n;
      const isSafetensors = b.length >= 9 && b[8] === 0x7b && headerLength > 1n && headerLength <= BigInt(b.length - 8);
      const res = isSafetensors ? next.importSafetensors(b) : next.load(b);
      if (!res.ok) {
        next.delete();
        return post(Rep.ERROR, id, msg.gen, { message: res.error });
      }
      replaceSession(next, res, msg.gen);
      return post(Rep.OPENED, id, gen, { ...model, eval: model.stats.valChars > 1 && res.hasText ? evaluate() : null });
    }
    case Req.TRAIN: {
      if (!needModel()) return;
      if (run) return;   // already training
      run = { requestId: id, stopAt: Number(msg.stopAt) || 0, evalEvery: Number(msg.evalEvery) || 0 };
      trainLoop(run).catch((e) => {
        run = null;
        post(Rep.ERROR, id, gen, { message: 'internal error while training: ' + e.message });
        post(Rep.PAUSED, id, gen, { step: model.step, reason: 'error' });
      });
      return;
    }
    case Req.STOP_AT: {
      // The page checked the step against the last step it saw; training may have gone past it since. A step
      // already passed is dropped: pausing now, at another step, would not be what was asked.
      const stopAt = Number(msg.stopAt) || 0;
      if (run && msg.gen === gen) run.stopAt = stopAt > model.step ? stopAt : 0;
      return;
    }
    case Req.PAUSE: {
      if (!session || msg.gen !== gen) return;
      const wasRunning = run !== null;
      stopRun();
      return post(Rep.PAUSED, id, gen, { step: model.step, reason: 'request', eval: wasRunning ? evaluate() : null });
    }
    case Req.SAMPLE:
      if (!needModel()) return;
      return sample(msg);
    case Req.SET_LR: {
      if (!needModel()) return;
      const res = session.setLearningRate(msg.lr);
      if (!res.ok) return post(Rep.ERROR, id, gen, { message: res.error });
      model.lr = msg.lr;
      let restored = false;
      if (msg.restore) {   // after a blow-up: back to the last healthy weights, optimizer state and cursor
        const back = session.restoreLastGood();
        if (back.ok && back.step >= 0) {
          model.step = back.step;
          model.nextTimeline = nextTimelineStep(model.step);
          restored = true;
        }
      }
      // calls and edit place the change in the run for exact-step resume; a restore cannot be replayed.
      const edit = model.edits++;
      return post(Rep.LR_SET, id, gen, { lr: msg.lr, step: model.step, calls: model.calls, edit, restored });
    }
    case Req.SET_CLIP: {
      if (!needModel()) return;
      const res = session.setClipping(String(msg.mode), Number(msg.value));
      if (!res.ok) return post(Rep.ERROR, id, gen, { message: res.error });
      model.config = res.config;
      const edit = model.edits++;   // replayed by exact-step resume, like a learning-rate change
      return post(Rep.CLIP_SET, id, gen, { config: res.config, calls: model.calls, edit });
    }
    case Req.SAVE:
      if (!needModel()) return;
      return fileReply(msg, session.save(true), `rnnlab-step${model.step}.rnnlab`, 'application/octet-stream');
    case Req.EXPORT:
      if (!needModel()) return;
      return fileReply(msg, session.exportSafetensors(), `rnnlab-step${model.step}.safetensors`,
                       'application/octet-stream');
    case Req.DEBUG_REJECT:
      simulatedRejections = Math.max(0, msg.count | 0);
      return;
    case Req.LOOK:
      if (!needModel()) return;
      return look(msg);
    default:
      return post(Rep.ERROR, id, msg.gen, { message: `unknown request '${kind}'` });
  }
}

function safeHandle(msg) {
  try {
    handle(msg);
  } catch (e) {
    post(Rep.ERROR, msg.id, msg.gen, { message: 'internal error: ' + (e && e.message ? e.message : String(e)) });
  }
}

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

// Start-up, called once by the entry script with its build: the glue's factory, the .wasm's file name (next to this
// script) and whether it is the SIMD build.
// Why the worker compiles, not the page: the page's main thread is busy during start-up (its first layout, main.js).
// A module compiled there reached this worker only when that thread was next free, 100-300 ms late in traces, and
// the worker's own start waits on the same thread; compiled here, the engine depends on the page for nothing.
export async function startEngineWorker({ createEngine, wasmFile, simd }) {
  try {
    let code;
    if (codePosted) {
      code = await codeFromPage;
    } else {
      code = await compileEngine(new URL(wasmFile, self.location.href));
      self.postMessage({ kind: ENGINE_CODE, module: code });   // boot.js keeps it for the next worker
    }
    performance.mark('rnnlab:engine-code');
    // The glue's instantiateWasm hook: instantiate the module compiled above instead of fetching the .wasm again.
    // (The glue's own promise would never settle if instantiation failed, hence the race.)
    let failed;
    const instantiateFailed = new Promise((resolve, reject) => { failed = reject; });
    engine = await Promise.race([instantiateFailed, createEngine({
      instantiateWasm(imports, receiveInstance) {
        WebAssembly.instantiate(code, imports).then((instance) => receiveInstance(instance, code), failed);
        return {};
      },
    })]);
    performance.mark('rnnlab:engine-ready');
    post(Rep.READY, 0, 0, { simd });
    for (const msg of early.splice(0)) safeHandle(msg);
  } catch (e) {
    post(Rep.ERROR, 0, 0, { message: 'The engine could not start: ' + String(e && e.message ? e.message : e), fatal: true });
  }
}
