// What the worker does for each request the page sends (message kinds and fields: ../protocol.js), one small
// handler per kind. Each gets the worker's context (worker_model.js), the message, and yieldToEventLoop for the
// handlers that run in chunks. Requests that need a model check it is the one the page means (its generation).
import { Limits, Rep, Req } from '../protocol.js';
import { bestOf, noteEvaluation } from './best_watch.js';
import { replay } from './replay.js';
import { LEAVES_WEIGHTS, scoreWholeSplit } from './whole_split.js';
import { trainLoop } from './train_loop.js';
import { weightsChecksum } from './weights_checksum.js';
import { adopt, loadModelFile, attachText } from './model_files.js';
import { serveAsHelper } from './helper.js';
import { cellOf, evaluate, nextTimelineStep, textBytes, textProblem } from './worker_model.js';

// The model the message is about exists; otherwise the page is told (stale: it has moved on) and false returned.
function needModel(ctx, msg) {
  if (ctx.session && msg.gen === ctx.gen) return true;
  ctx.post(Rep.ERROR, msg.id, msg.gen, { message: 'no model yet: press Train to create one', stale: true });
  return false;
}

// Save and export: calls and edits say where in the run the file was taken (exact-step resume). withBest: the best
// model's file goes along (a copy: the worker keeps its own for USE_BEST).
function fileReply(ctx, msg, res, name, withBest = false) {
  if (!res.ok) return ctx.post(Rep.ERROR, msg.id, ctx.gen, { message: res.error });
  const { model } = ctx;
  const best = withBest && ctx.bestFile && model.bestStep >= 0
    ? { step: model.bestStep, bits: model.bestBits, bytes: ctx.bestFile.slice() } : null;
  ctx.post(Rep.FILE, msg.id, ctx.gen, { bytes: res.bytes, name, type: 'application/octet-stream',
                                        calls: model.calls, edits: model.edits, best },
           best ? [res.bytes.buffer, best.bytes.buffer] : [res.bytes.buffer]);
}

function sample(ctx, msg) {
  const options = { ...msg.options };
  options.length = Math.min(Math.max(0, options.length | 0), Limits.MAX_SAMPLE_LENGTH);
  let pending = '';
  let lastFlush = performance.now();
  const res = ctx.session.sample(options, (ch) => {
    pending += ch;
    const now = performance.now();
    if (now - lastFlush >= 30) {   // stream in small batches: one message per character would flood the page
      ctx.post(Rep.SAMPLE_CHUNK, msg.id, ctx.gen, { text: pending });
      pending = '';
      lastFlush = now;
    }
    return true;
  });
  if (!res.ok) return ctx.post(Rep.ERROR, msg.id, ctx.gen, { message: res.error });
  if (pending) ctx.post(Rep.SAMPLE_CHUNK, msg.id, ctx.gen, { text: pending });
  ctx.post(Rep.SAMPLE_DONE, msg.id, ctx.gen, { text: res.text, primeUsed: res.primeUsed, primeSkipped: res.primeSkipped });
}

// "Look inside": the engine copies its arrays out of the heap; they are transferred, not cloned.
function look(ctx, msg) {
  const args = { ...msg.args };
  if (msg.op === 'ngram') args.evalChars = ctx.model.evalChars;   // n-gram and network score the same characters
  const start = performance.now();
  const res = ctx.session.look(msg.op, args);
  const ms = performance.now() - start;   // how long training waited for this (live refresh reports it)
  if (!res.ok) return ctx.post(Rep.ERROR, msg.id, ctx.gen, { message: res.error });
  const transfer = [];
  for (const v of Object.values(res)) {
    for (const a of Array.isArray(v) ? v : [v]) if (ArrayBuffer.isView(a)) transfer.push(a.buffer);
  }
  ctx.post(Rep.LOOKED, msg.id, ctx.gen, {
    op: msg.op, result: res, step: ctx.model.step, cell: cellOf(ctx.model), ms,
    network: msg.op === 'ngram' ? evaluate(ctx, { prefix: true }) : null,
  }, transfer);
}

function setLearningRate(ctx, msg) {
  const { session, model } = ctx;
  const res = session.setLearningRate(msg.lr);
  if (!res.ok) return ctx.post(Rep.ERROR, msg.id, ctx.gen, { message: res.error });
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
  ctx.post(Rep.LR_SET, msg.id, ctx.gen, { lr: msg.lr, step: model.step, calls: model.calls, edit, restored });
}

// Rounds the model in place between training chunks: an edit the page records for exact-step resume.
function roundForLink(ctx, msg) {
  const before = evaluate(ctx);
  const res = ctx.session.roundForLink(textBytes(msg));
  if (!res.ok) return ctx.post(Rep.ERROR, msg.id, ctx.gen, { message: res.error });
  const edit = ctx.model.edits++;
  // crc: the rounded weights' checksum at this very call, for the short link made with this one (training may go on).
  ctx.post(Rep.LINK_WEIGHTS, msg.id, ctx.gen, {
    bytes: res.bytes, step: ctx.model.step, calls: ctx.model.calls, edit, before, after: evaluate(ctx),
    crc: weightsChecksum(ctx.session),
  }, [res.bytes.buffer]);
}

// The weights' checksum with the call and step it belongs to, taken between training chunks (short links).
function checksum(ctx, msg) {
  let crc;
  try {
    crc = weightsChecksum(ctx.session);
  } catch (e) {
    return ctx.post(Rep.ERROR, msg.id, ctx.gen, { message: e.message });
  }
  ctx.post(Rep.CHECKSUM, msg.id, ctx.gen, { crc, step: ctx.model.step, calls: ctx.model.calls, edits: ctx.model.edits,
                                             eval: msg.evaluate ? evaluate(ctx) : null });
}

function startTraining(ctx, msg, yieldToEventLoop) {
  if (ctx.run) return;   // already training
  const run = (ctx.run = { requestId: msg.id, stopAt: Number(msg.stopAt) || 0, evalEvery: Number(msg.evalEvery) || 0,
                           stopWhenFlat: msg.stopWhenFlat === true });
  trainLoop(ctx, run, yieldToEventLoop).catch((e) => {
    ctx.run = null;
    ctx.post(Rep.ERROR, msg.id, ctx.gen, { message: 'internal error while training: ' + e.message });
    ctx.post(Rep.PAUSED, msg.id, ctx.gen, { step: ctx.model.step, reason: 'error' });
  });
}

// Back to the best model by validation loss (Session::restore_best): weights, optimizer state, cursor and step as
// they were. Like going back to the last good weights, exact-step resume cannot replay it: the page checkpoints.
function useBest(ctx, msg) {
  if (ctx.run) return ctx.post(Rep.ERROR, msg.id, ctx.gen, { message: 'pause training before going back to the best model' });
  const { model, session } = ctx;
  const back = backToBest(ctx);
  if (!back.ok) return ctx.post(Rep.ERROR, msg.id, ctx.gen, { message: back.error });
  if (back.step < 0) return ctx.post(Rep.ERROR, msg.id, ctx.gen, { message: 'no best model is kept yet: train until validation is measured' });
  model.step = back.step;
  model.evalsSinceBest = 0;
  model.nextTimeline = nextTimelineStep(model.step);
  const edit = model.edits++;
  ctx.post(Rep.BEST_USED, msg.id, ctx.gen, {
    step: model.step, epoch: back.epoch, calls: model.calls, edit, eval: evaluate(ctx), best: bestOf(model),
  });
  scoreWholeSplit(ctx, msg.id);   // the best model's figure over the whole split, as after a pause
}

// The engine's own snapshot when it holds this best; after a reload, the best model's file kept with the run.
function backToBest(ctx) {
  const { model, session } = ctx;
  if (model.bestStep >= 0 && session.bestStep() === model.bestStep) return session.restoreBest();
  if (model.bestStep < 0 || !ctx.bestFile) return { ok: true, step: -1 };
  const loaded = session.loadBest(ctx.bestFile);
  return loaded.ok ? { ok: true, step: loaded.step, epoch: loaded.epoch } : loaded;
}

// After a reload: the best model's file from the run's record. The engine checks it belongs to this text when it is
// used (USE_BEST); a file that does not load then gives a message and leaves the model as it is.
function keepBestFile(ctx, msg) {
  if (!(msg.bytes instanceof Uint8Array) || !Number.isFinite(msg.step) || !Number.isFinite(msg.bits))
    return ctx.post(Rep.ERROR, msg.id, ctx.gen, { message: 'the kept best model is not a model file' });
  ctx.bestFile = msg.bytes;
  Object.assign(ctx.model, { bestStep: msg.step, bestBits: msg.bits, evalsSinceBest: 0 });
  ctx.post(Rep.BEST_KEPT, msg.id, ctx.gen, { best: bestOf(ctx.model) });
}

function startReplay(ctx, msg, yieldToEventLoop) {
  if (ctx.run) return ctx.post(Rep.ERROR, msg.id, ctx.gen, { message: 'cannot restore while training' });
  replay(ctx, msg, yieldToEventLoop).catch((e) => {
    ctx.run = null;
    ctx.post(Rep.ERROR, msg.id, ctx.gen, { message: 'the run could not be restored exactly: ' + e.message });
  });
}

// Handlers that need the page's current model; the others below work without one.
const WITH_MODEL = {
  [Req.LINK_WEIGHTS]: roundForLink,
  [Req.CHECKSUM]: checksum,
  [Req.REPLAY]: startReplay,
  [Req.TRAIN]: startTraining,
  [Req.SAMPLE]: sample,
  [Req.USE_BEST]: useBest,
  [Req.KEEP_BEST]: keepBestFile,
  [Req.SET_LR]: setLearningRate,
  [Req.SET_CLIP]: (ctx, msg) => {
    const res = ctx.session.setClipping(String(msg.mode), Number(msg.value));
    if (!res.ok) return ctx.post(Rep.ERROR, msg.id, ctx.gen, { message: res.error });
    ctx.model.config = res.config;
    const edit = ctx.model.edits++;   // replayed by exact-step resume, like a learning-rate change
    ctx.post(Rep.CLIP_SET, msg.id, ctx.gen, { config: res.config, calls: ctx.model.calls, edit });
  },
  [Req.SAVE]: (ctx, msg) =>
    fileReply(ctx, msg, ctx.session.save(true), `rnnlab-step${ctx.model.step}.rnnlab`, msg.withBest === true),
  [Req.EXPORT]: (ctx, msg) =>
    fileReply(ctx, msg, ctx.session.exportSafetensors(), `rnnlab-step${ctx.model.step}.safetensors`),
  [Req.LOOK]: look,
  [Req.ATTACH_TEXT]: attachText,
};

const WITHOUT_MODEL = {
  [Req.INSPECT]: (ctx, msg) => {
    const bytes = textBytes(msg);
    const res = ctx.engine.textStats(bytes, msg.config);
    if (!res.ok) return ctx.post(Rep.ERROR, msg.id, ctx.gen, { message: res.error });
    ctx.post(Rep.INSPECTED, msg.id, ctx.gen, { stats: res.stats, problem: textProblem(bytes, res.stats) });
  },
  [Req.CHECK_CONFIG]: (ctx, msg) => {
    const res = ctx.engine.checkConfig(msg.config);
    if (!res.ok) return ctx.post(Rep.ERROR, msg.id, ctx.gen, { message: res.error });
    ctx.post(Rep.CHECKED, msg.id, ctx.gen, {});
  },
  [Req.OPEN]: (ctx, msg) => {
    const next = new ctx.engine.Session();
    let res = next.open(textBytes(msg), msg.config);
    // A share link's weights (link_weights.hpp) replace the fresh ones; the engine checks they fit this model.
    if (res.ok && msg.linkWeights) res = next.loadLinkWeights(msg.linkWeights);
    adopt(ctx, msg, next, res);
  },
  [Req.LOAD]: loadModelFile,
  [Req.STOP_AT]: (ctx, msg) => {
    // The page checked the step against the last step it saw; training may have gone past it since. A step
    // already passed is dropped: pausing now, at another step, would not be what was asked.
    const stopAt = Number(msg.stopAt) || 0;
    if (ctx.run && msg.gen === ctx.gen) ctx.run.stopAt = stopAt > ctx.model.step ? stopAt : 0;
  },
  [Req.PAUSE]: (ctx, msg) => {
    if (!ctx.session || msg.gen !== ctx.gen) return;
    const wasRunning = ctx.run !== null;
    ctx.run = null;
    const ev = wasRunning ? evaluate(ctx) : null;
    noteEvaluation(ctx, ev, false);   // a pause is one more point for the best model, never a reason to stop
    ctx.post(Rep.PAUSED, msg.id, ctx.gen, { step: ctx.model.step, reason: 'request', eval: ev, best: bestOf(ctx.model) });
    if (wasRunning) scoreWholeSplit(ctx, msg.id);
  },
  [Req.STOP_WHEN_FLAT]: (ctx, msg) => {
    if (ctx.run && msg.gen === ctx.gen) ctx.run.stopWhenFlat = msg.on === true;
  },
  [Req.DEBUG_REJECT]: (ctx, msg) => { ctx.simulatedRejections = Math.max(0, msg.count | 0); },
  [Req.HELPER]: (ctx, msg) => ctx.pool.attach(msg.index, msg.port, msg.shareEveryStep === true),
  [Req.HELPER_GONE]: (ctx, msg) => ctx.pool.detach(msg.index, String(msg.reason)),
  [Req.HELP]: (ctx, msg) => {
    if (ctx.helping) ctx.helping.stop();
    ctx.helping = serveAsHelper(ctx.engine, msg.port);
  },
  // Test hook (#testhooks only): a real non-finite gradient, which the engine itself must reject.
  [Req.DEBUG_NONFINITE]: (ctx, msg) => {
    if (ctx.session && msg.gen === ctx.gen) ctx.session.injectNonFiniteAt(Math.max(1, Number(msg.step) || 1));
  },
  // Test hook (#testhooks only): how much memory the engine holds. wasmBytes is the size of its linear memory, which
  // only grows (a leak in the engine shows as growth once the free space is used up); emvalHandles counts the JS
  // values the C++ side holds through embind (a leak across the boundary shows there at once).
  [Req.DEBUG_MEMORY]: (ctx, msg) => {
    const m = ctx.engine;
    ctx.post(Rep.MEMORY, msg.id, msg.gen, { wasmBytes: m.HEAP8.buffer.byteLength,
                                            emvalHandles: typeof m.count_emval_handles === 'function' ? m.count_emval_handles() : null });
  },
};

// Requests about the helpers, handled at once even while a step waits for them (worker.js).
export const POOL_REQUESTS = new Set([Req.HELPER, Req.HELPER_GONE, Req.HELP]);

export function handle(ctx, msg, yieldToEventLoop) {
  if (!LEAVES_WEIGHTS.has(msg.kind)) ctx.wholeSplit = null;   // its figure would mix two models
  // Anything else that may change the model makes the helpers' replicas stale (a training step keeps them in step).
  if (!LEAVES_WEIGHTS.has(msg.kind) && msg.kind !== Req.TRAIN && !POOL_REQUESTS.has(msg.kind)) ctx.pool.markStale();
  const withModel = WITH_MODEL[msg.kind];
  if (withModel) {
    if (needModel(ctx, msg)) withModel(ctx, msg, yieldToEventLoop);
    return;
  }
  const handler = WITHOUT_MODEL[msg.kind];
  if (handler) handler(ctx, msg, yieldToEventLoop);
  else ctx.post(Rep.ERROR, msg.id, msg.gen, { message: `unknown request '${msg.kind}'` });
}
