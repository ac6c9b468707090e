// The best model by validation loss, and the rule that says training has stopped improving (the model has started
// memorising its text). After every validation evaluation during training the worker calls noteEvaluation: a new
// best is kept in the engine (Session::keep_best, the whole training state, so "Use the best model" goes back to
// it exactly) and its step and loss go into the model description the page sees. Its file is taken at the same
// moment (Session.save without the text: the weights, optimizer state and cursor, a few times the parameters in
// bytes, far less than the evaluation that found it costs), because the engine's snapshot cannot be written out
// later; the page stores it with the run, so the best model survives a reload.
//
// The rule: no better validation loss over the last PATIENCE_EVALS evaluations AND at least
// max(MIN_STEPS_SINCE_BEST, STEPS_SINCE_BEST_SHARE x best step) steps since the best. Why both:
// - evaluations come by time (train_loop.js: at least 250 ms apart, at most ~10% of training), so a count of them
//   alone means "a second or so" on a tiny text and "many steps" on a big one; the step condition keeps a short
//   noisy plateau early in a run (the best at step 200, a bump to 260) from stopping it;
// - the share makes the wait grow with the run: on Hello (best within ~100-300 steps, under a second) it stops
//   100 steps and 5 evaluations after the best, a second or two later; on prose with the old default model (best
//   at ~750) it stops ~225 steps after, while validation has clearly turned (it rises steadily from there on).
// It stops once per best: after "Go on training" it stops again only after a newer best has stalled.
export const PATIENCE_EVALS = 5;
export const MIN_STEPS_SINCE_BEST = 100;
export const STEPS_SINCE_BEST_SHARE = 0.3;

// The fields describe() starts a model with.
export const noBest = () => ({ bestStep: -1, bestBits: null, evalsSinceBest: 0, stallStoppedAt: -1 });

// ev: an evaluation from worker_model.evaluate (or null). Returns true when training should pause now, with the
// option to stop on (stopWhenFlat) set.
export function noteEvaluation(ctx, ev, stopWhenFlat) {
  const { model, session } = ctx;
  if (!ev || !Number.isFinite(ev.bitsPerChar)) return false;
  if (model.bestBits === null || ev.bitsPerChar < model.bestBits) {
    const kept = session.keepBest();
    if (!kept.ok) return false;   // a model without its text has nothing to keep (it cannot train either)
    Object.assign(model, { bestStep: ev.step, bestBits: ev.bitsPerChar, evalsSinceBest: 0 });
    const file = session.save(false);
    ctx.bestFile = file.ok ? file.bytes : null;
    return false;
  }
  model.evalsSinceBest += 1;
  return stopWhenFlat && stalled(model);
}

export function stalled(model) {
  if (model.bestStep < 0 || model.stallStoppedAt === model.bestStep) return false;
  const since = model.step - model.bestStep;
  return model.evalsSinceBest >= PATIENCE_EVALS &&
    since >= Math.max(MIN_STEPS_SINCE_BEST, STEPS_SINCE_BEST_SHARE * model.bestStep);
}

// What the page is told about the best model (PROGRESS, PAUSED, BEST_USED).
export const bestOf = (model) => (model.bestStep >= 0 ? { step: model.bestStep, bits: model.bestBits } : null);
