// The worker's view of its model (one embind Session): what the page needs to know about it, its validation loss,
// the steps timeline samples are taken at, and the checks on a text before it reaches the engine.
import { Limits, Rep, parseConfigText } from '../protocol.js';
import { noBest } from './best_watch.js';
import { createPool } from './pool.js';

// Validation splits up to EVAL_WHOLE_MAX characters are scored whole at every evaluation (about as long as 6,000
// training characters' forward passes at most, so with evaluations kept to ~10% of training time they still come
// every few seconds); longer ones by EVAL_SPREAD_CHARS characters in streams spread evenly over the whole split
// (Session::evaluate_spread), the same ones each time, so the points of a run compare.
export const EVAL_WHOLE_MAX = 65_536;
export const EVAL_SPREAD_CHARS = 16_384;

const encoder = new TextEncoder();

// The worker's state, passed to every handler: no module keeps it. post(kind, id, gen, fields, transfer).
export function createWorkerContext(post) {
  return {
    post,
    engine: null,               // the instantiated engine module
    session: null,              // embind Session, or null before the first model
    gen: 0,                     // generation of `session`
    model: null,                // describe() of the session, plus calls (train_step calls so far) and edits
                                // (mid-run changes so far): the coordinates of exact-step resume (run/resume.js)
    run: null,                  // the training loop or replay in progress: { requestId, stopAt, evalEvery, replay }
    wholeSplit: null,           // the whole-split scoring under way after a pause (whole_split.js), or null
    bestFile: null,             // the best model's file (Session.save(false)), taken when it became the best: the
                                // page keeps it with the run, and after a reload it is how the best comes back
    simulatedRejections: 0,     // DEBUG_REJECT test hook
    // The helper workers that share each training step (pool.js); a helper given up on is reported to the page.
    pool: createPool((index, reason) => post(Rep.HELPER_LOST, 0, 0, { index, reason })),
    // While a step waits for the helpers, the page's requests are held (worker.js) and handled once the chunk's
    // steps are counted (train_loop.js calls releaseHeld), as if the chunk were one engine call.
    holding: false,
    helping: null,              // as a helper of another worker: serveAsHelper's handle (helper.js)
    releaseHeld: () => {},
  };
}

// Text arrives as a JS string (typed or pasted) or as raw file bytes. The engine reads UTF-8 bytes; TextEncoder
// is native and ~10x faster than embind's own string conversion for multi-megabyte texts.
export function textBytes(msg) {
  if (msg.bytes instanceof Uint8Array) return msg.bytes;
  return encoder.encode(msg.text ?? '');
}

// How much of the bytes is clearly not text: invalid UTF-8 (counted by the engine) and NUL bytes (UTF-16 files,
// images and archives are full of them, yet NUL is valid UTF-8).
export function textProblem(bytes, stats) {
  let nul = 0;
  for (let i = 0; i < bytes.length; ++i) if (bytes[i] === 0) ++nul;
  const chars = Math.max(1, stats.chars);
  const invalidFraction = stats.invalidReplaced / chars;
  const nulFraction = nul / Math.max(1, bytes.length);
  if (invalidFraction > Limits.MAX_INVALID_FRACTION || nulFraction > Limits.MAX_INVALID_FRACTION)
    return { invalidFraction, nulFraction };
  return null;
}

// The validation loss (the whole split or the spread sample), or null without a validation text.
// chars: characters scored; spreadOver: characters of the split they were taken from.
export function evaluate(ctx, { prefix = false } = {}) {
  const { model, session } = ctx;
  if (!model || model.valChars < 2) return null;
  // prefix: the first evalChars characters instead (the n-gram baseline of "Look inside" scores those): the same
  // characters as the spread sample's whenever the split is scored whole.
  const e = prefix ? session.evaluate(model.evalChars) : session.evaluateSpread(model.evalChars);
  if (!e.ok || e.bitsPerChar === null) return null;
  return { step: model.step, bitsPerChar: e.bitsPerChar, perplexity: e.perplexity, chars: e.chars,
           spreadOver: e.spreadOver };
}

// What the page needs to know about a session (from its open/load reply).
export function describe(info) {
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
    evalChars: valChars <= EVAL_WHOLE_MAX ? valChars : EVAL_SPREAD_CHARS,
    calls: info.step + info.rejectedSteps,
    edits: 0,
    linkWeightsBytes: info.linkWeightsBytes,
    ...noBest(),
  };
}

export function replaceSession(ctx, next, info, newGen) {
  ctx.run = null;
  if (ctx.session) ctx.session.delete();
  ctx.session = next;
  ctx.gen = newGen;
  ctx.model = describe(info);
  ctx.model.nextTimeline = nextTimelineStep(ctx.model.step);
  ctx.simulatedRejections = 0;
  ctx.bestFile = null;
}

// Timeline samples at steps 50, 100, 200, 300, 500, 750, 1000, then every 500 to 5000, then every 2500.
export function nextTimelineStep(step) {
  const early = [50, 100, 200, 300, 500, 750, 1000];
  for (const s of early) if (s > step) return s;
  if (step < 5000) return (Math.floor(step / 500) + 1) * 500;
  return (Math.floor(step / 2500) + 1) * 2500;
}

export const cellOf = (model) => parseConfigText(model.config).cell;
