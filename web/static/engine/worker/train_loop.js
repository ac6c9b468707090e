// The training loop: chunks of about CHUNK_MS of train_step calls, a progress report after each, the validation
// loss now and then, a timeline sample at round steps, and a pause when the run blows up or reaches its budget.
// Between chunks it yields, so the page's other requests are answered within one chunk.
import { Rep } from '../protocol.js';
import { bestOf, noteEvaluation } from './best_watch.js';
import { scoreWholeSplit } from './whole_split.js';
import { createShareChoice } from './share_choice.js';
import { evaluate, nextTimelineStep } from './worker_model.js';

export const CHUNK_MS = 40;       // one training burst; a pause or sample request waits at most this long (or one step)
const EVAL_MIN_GAP_MS = 250;      // validation loss at most this often while training, and
const EVAL_COST_SHARE = 0.1;      // using at most about this share of the training time
const MAX_REJECTED_STREAK = 5;    // this many bad steps in a row pause training and ask for a lower rate
const TIMELINE_LENGTH = 160;      // characters in each timeline sample
const TIMELINE_TEMPERATURE = 0.8;
const THROUGHPUT_CHUNKS = 50;     // chars/s is over the last this many chunks

// Watches a run for blowing up: non-finite steps (rejected by the engine) and finite losses far above a
// know-nothing model's (the engine's `diverging`). Returns { reason, bits } once MAX_REJECTED_STREAK come in a row.
function createDivergenceWatch() {
  let streak = 0;
  let nonFinite = false;   // the current streak holds a non-finite (rejected) step
  return (reports) => {
    let diverged = null;
    for (const r of reports) {
      streak = r.rejected || r.diverging ? streak + 1 : 0;
      if (streak === 0) nonFinite = false;
      if (r.rejected) nonFinite = true;
      // Described by the streak itself: later steps of the same chunk may look healthy again.
      if (streak >= MAX_REJECTED_STREAK && !diverged)
        diverged = { reason: nonFinite ? 'nonfinite' : 'exploding', bits: r.loss === null ? null : r.loss / Math.LN2 };
    }
    return diverged;
  };
}

// Characters per second over the last chunks.
function createThroughput() {
  const chunks = [];
  return (chars, ms) => {
    chunks.push({ chars, ms });
    while (chunks.length > THROUGHPUT_CHUNKS) chunks.shift();
    const totalMs = chunks.reduce((a, w) => a + w.ms, 0);
    return totalMs > 0 ? (chunks.reduce((a, w) => a + w.chars, 0) * 1000) / totalMs : 0;
  };
}

// When to score the validation text: at fixed steps (evalEvery > 0, the comparison) or by time, keeping its cost a
// small share of training. Returns a function of (step, accepted) -> evaluation or null, and the last step scored.
function createEvalSchedule(ctx, evalEvery) {
  let nextEval = evalEvery ? (Math.floor(ctx.model.step / evalEvery) + 1) * evalEvery : Infinity;
  let lastEval = performance.now();
  let evalMs = 0;   // what the last evaluation cost
  const schedule = { lastStep: -1, nextStep: () => nextEval };
  schedule.maybe = (accepted) => {
    const step = ctx.model.step;
    if (evalEvery) {
      if (step < nextEval) return null;
      schedule.lastStep = step;
      nextEval = (Math.floor(step / evalEvery) + 1) * evalEvery;
      return evaluate(ctx);
    }
    const now = performance.now();
    if (now - lastEval < Math.max(EVAL_MIN_GAP_MS, evalMs / EVAL_COST_SHARE) || accepted === 0) return null;
    const result = evaluate(ctx);
    lastEval = performance.now();
    evalMs = lastEval - now;
    return result;
  };
  return schedule;
}

// Test hook only (DEBUG_REJECT): the engine's own guard is exercised by the native tests; no configuration inside
// the accepted ranges reliably produces a non-finite step for a browser test.
function simulateRejections(ctx, reports) {
  for (const r of reports) {
    if (ctx.simulatedRejections <= 0) return;
    --ctx.simulatedRejections;
    r.rejected = true;
    r.loss = null;
    r.gradNorm = null;
  }
}

function postTimelineSample(ctx, requestId) {
  const { session, model } = ctx;
  const s = session.sample({ length: TIMELINE_LENGTH, temperature: TIMELINE_TEMPERATURE, seed: model.step }, null);
  if (s.ok) ctx.post(Rep.TIMELINE, requestId, ctx.gen, { step: model.step, text: s.text });
  model.nextTimeline = nextTimelineStep(model.step);
}

// Runs until ctx.run is no longer myRun (paused or replaced), the budget myRun.stopAt is reached, or the run blows up.
export async function trainLoop(ctx, myRun, yieldToEventLoop) {
  const { model } = ctx;
  const watch = createDivergenceWatch();
  const throughput = createThroughput();
  const evals = createEvalSchedule(ctx, myRun.evalEvery > 0 ? myRun.evalEvery : 0);
  const charsPerStep = model.batch * model.unroll;
  while (ctx.run === myRun) {
    const stopAt = myRun.stopAt > 0 ? myRun.stopAt : Infinity;   // read each chunk: STOP_AT may move it
    // Stop exactly at the next timeline step, so its sample is labelled with a round number (and likewise at a
    // fixed evaluation step or the step budget).
    const target = Math.min(model.nextTimeline, evals.nextStep(), stopAt);
    const res = await trainChunk(ctx, myRun, Math.max(1, target - model.step));
    try {
      if (!res.ok) return stopOnError(ctx, myRun, res.error);
      if (afterChunk(ctx, myRun, res, { watch, throughput, evals, charsPerStep })) return;
    } finally {
      ctx.releaseHeld();
    }
    await yieldToEventLoop();
  }
}

// One chunk: in the engine alone, or step by step with the helper workers (pool.js), whose waits hold the page's
// requests until the chunk's steps are counted (as if the chunk were one engine call). Which of the two: whichever
// this run measured faster (share_choice.js); the losses are the same bits either way.
async function trainChunk(ctx, myRun, maxSteps) {
  const helpers = ctx.pool.size();
  myRun.share ??= createShareChoice();
  const way = helpers === 0 ? 'none' : ctx.pool.sharesEveryStep() ? 'shared' : myRun.share.next();
  let res;
  if (way === 'shared') {
    ctx.holding = true;
    res = await ctx.pool.train(ctx, maxSteps, CHUNK_MS);
  } else {
    res = { ...ctx.session.train(maxSteps, CHUNK_MS), workers: 1 };
  }
  if (res.ok && way !== 'none') {
    myRun.share.note(way, res.reports.length, res.millis - (res.timing ? res.timing.sync : 0));
    if (way === 'alone') res.unshared = myRun.share.rates(ctx.model.batch * ctx.model.unroll);
  }
  return res;
}

// Counts the chunk's steps, reports them and decides whether the run stops here (true: it did).
function afterChunk(ctx, myRun, res, { watch, throughput, evals, charsPerStep }) {
  const { model } = ctx;
  const { reports } = res;
  simulateRejections(ctx, reports);
  const diverged = watch(reports);
  const last = reports[reports.length - 1];
  Object.assign(model, { step: last.step, epoch: last.epoch, calls: model.calls + reports.length });
  const charsPerSec = throughput(reports.length * charsPerStep, res.millis);
  const accepted = reports.filter((r) => !r.rejected).length;
  const ev = evals.maybe(accepted);
  const flat = noteEvaluation(ctx, ev, myRun.stopWhenFlat);
  ctx.post(Rep.PROGRESS, myRun.requestId, ctx.gen, {
    reports, eval: ev, charsPerSec, step: model.step, epoch: model.epoch, best: bestOf(model), workers: res.workers,
    unshared: res.unshared ?? null, timing: res.timing ?? null,
  });
  if (model.step >= model.nextTimeline) postTimelineSample(ctx, myRun.requestId);
  const stopAt = myRun.stopAt > 0 ? myRun.stopAt : Infinity;
  if (diverged) stopDiverged(ctx, myRun, diverged);
  else if (flat) stopMemorising(ctx, myRun);
  else if (model.step >= stopAt) stopAtBudget(ctx, myRun, evals.lastStep);
  else return false;
  return true;
}

function stopOnError(ctx, myRun, error) {
  ctx.run = null;
  ctx.post(Rep.ERROR, myRun.requestId, ctx.gen, { message: error });
  ctx.post(Rep.PAUSED, myRun.requestId, ctx.gen, { step: ctx.model.step, reason: 'error' });
}

function stopDiverged(ctx, myRun, diverged) {
  ctx.run = null;
  const { model } = ctx;
  ctx.post(Rep.DIVERGED, myRun.requestId, ctx.gen, {
    step: model.step, lr: model.lr, count: MAX_REJECTED_STREAK, reason: diverged.reason, bits: diverged.bits,
    lastGoodStep: ctx.session.lastGoodStep(),
  });
  ctx.post(Rep.PAUSED, myRun.requestId, ctx.gen, { step: model.step, reason: 'diverged', eval: evaluate(ctx) });
}

// Validation has stopped improving: the model is learning its training text by heart. The page offers the best.
function stopMemorising(ctx, myRun) {
  ctx.run = null;
  const { model } = ctx;
  model.stallStoppedAt = model.bestStep;
  ctx.post(Rep.PAUSED, myRun.requestId, ctx.gen, { step: model.step, reason: 'memorising', best: bestOf(model) });
  afterStop(ctx, myRun);
}

function stopAtBudget(ctx, myRun, lastEvalStep) {
  ctx.run = null;
  const step = ctx.model.step;
  ctx.post(Rep.PAUSED, myRun.requestId, ctx.gen, {
    step, reason: 'budget', eval: lastEvalStep === step ? null : evaluate(ctx),
  });
  afterStop(ctx, myRun);
}

// The page's own run gets the whole split's figure at its end; a comparison's runs (fixed evaluation steps) do not
// show it, so their workers go on to the next run at once.
function afterStop(ctx, myRun) {
  if (!myRun.evalEvery) scoreWholeSplit(ctx, myRun.requestId);
}
