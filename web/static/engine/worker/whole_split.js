// The whole validation split, scored when training pauses or ends. While training, a split longer than
// EVAL_WHOLE_MAX is scored by a fixed sample spread over it (worker_model.js), so evaluations stay cheap; on a pause the
// page also gets the figure over every character. The engine scores it in pieces (Session.scoreSplit, the same
// figure as one evaluate(0), bit for bit) of about PIECE_MS, and the worker yields between them, so a Resume, Sample
// or anything else the page asks meanwhile is answered within one piece. Anything that changes the model (training,
// another model, going back to the best or last good weights, rounding for a link) ends the scoring: its figure would
// mix two models.
import { Rep } from '../protocol.js';
import { EVAL_WHOLE_MAX } from './worker_model.js';
import { createYield } from './yield.js';

const PIECE_MS = 30;
const PROGRESS_EVERY_MS = 250;

// Requests that leave the weights as they are: a scoring under way goes on through them.
export const LEAVES_WEIGHTS = new Set(['sample', 'look', 'save', 'export', 'inspect', 'checkConfig', 'stopAt',
                                       'stopWhenFlat', 'pause']);

export const needsWholeSplit = (model) => Boolean(model) && model.valChars - 1 > EVAL_WHOLE_MAX;

// Scores the whole split of ctx's model as it is now, posting WHOLE_SPLIT { step, done, chars, total, bitsPerChar?,
// perplexity? } now and then and once done. Ends early (nothing more posted) when ctx.wholeSplit is no longer this one.
export async function scoreWholeSplit(ctx, requestId) {
  if (!ctx.session || !needsWholeSplit(ctx.model)) return;
  const mine = (ctx.wholeSplit = { gen: ctx.gen, step: ctx.model.step });
  const yieldToEventLoop = createYield();
  let first = true;
  let lastPost = performance.now();
  while (ctx.wholeSplit === mine && !ctx.run && ctx.gen === mine.gen) {
    const r = ctx.session.scoreSplit(PIECE_MS, first);   // embind: { ok: false, error } rather than a throw
    first = false;
    if (!r.ok) { ctx.wholeSplit = null; return; }
    const now = performance.now();
    if (r.done || now - lastPost >= PROGRESS_EVERY_MS) {
      lastPost = now;
      ctx.post(Rep.WHOLE_SPLIT, requestId, ctx.gen, {
        step: mine.step, done: r.done, chars: r.chars, total: r.total,
        ...(r.done ? { bitsPerChar: r.bitsPerChar, perplexity: r.perplexity } : {}),
      });
    }
    if (r.done) { ctx.wholeSplit = null; return; }
    await yieldToEventLoop();
  }
}
