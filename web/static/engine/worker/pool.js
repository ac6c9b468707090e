// The primary worker's helpers: other engine workers, each holding a replica of the primary's session, that compute
// some of every training step's shards (engine/rnnlab/shards.hpp). Per step the primary
//   1. begins the step and sends each helper its range of shards (STEP),
//   2. computes the first range itself, collects the helpers' pieces and adds them up in the fixed tree,
//   3. sends the sum to every helper (APPLY) and takes the optimizer step; each helper takes the same one.
// The sums do not depend on who computes which shard, so the losses are the same bits with any number of helpers,
// and a helper that fails costs nothing but time: the primary computes its shards itself and goes on without it.
// Replicas start from the primary's model file (SYNC) and are sent it again whenever anything but a training step
// changed the model (markStale), or a helper's step differs from the primary's.
import { PoolMsg } from '../protocol.js';

// Loading a model file takes a helper well under a second per MB here; a helper slower than this is given up on.
const syncTimeoutMs = (bytes) => 5_000 + 2 * bytes / 1_000;
const STEP_TIMEOUT_MIN_MS = 5_000;  // a helper answering a step later than this, and than
const STEP_TIMEOUT_FACTOR = 30;     // this many times the primary's own share of a step, is given up on

// onLost(index, reason): a helper was given up (the page is told; it ends that worker).
export function createPool(onLost) {
  const helpers = new Map();   // index -> { index, port, synced, step, waiting: Map(seq -> settle) }
  let seq = 0;
  let ownMs = 0;               // the primary's own share of the last step, for the step timeout
  let everyStep = false;       // share even the smallest steps (a test hook: Req.HELPER's shareEveryStep)

  function send(h, msg, transfer, timeoutMs) {
    const mine = ++seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => settle(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      const settle = (error, reply) => {
        clearTimeout(timer);
        h.waiting.delete(mine);
        if (error) reject(error);
        else resolve(reply);
      };
      h.waiting.set(mine, settle);
      h.port.postMessage({ ...msg, seq: mine }, transfer);
    });
  }

  function receive(h, reply) {
    const settle = h.waiting.get(reply.seq);
    if (!settle) return;
    if (reply.ok) settle(null, reply);
    else settle(Object.assign(new Error(reply.error || 'it failed'), { outOfStep: reply.outOfStep === true }));
  }

  function drop(index, reason, tellPage) {
    const h = helpers.get(index);
    if (!h) return;
    helpers.delete(index);
    for (const settle of [...h.waiting.values()]) settle(new Error(reason));
    h.port.close();
    if (tellPage) onLost(index, reason);
  }

  // The helper's replica is the primary's model as it is now, or it is dropped.
  async function sync(h, bytes, at) {
    try {
      const copy = bytes.slice();
      const r = await send(h, { kind: PoolMsg.SYNC, bytes: copy }, [copy.buffer], syncTimeoutMs(copy.length));
      if (r.step !== at) throw new Error(`it loaded step ${r.step}, not ${at}`);
      Object.assign(h, { synced: true, step: r.step });
    } catch (e) {
      drop(h.index, `it could not take the model (${e.message})`, true);
    }
  }

  // at: the session's step (ctx.model counts a chunk's steps only once it is over).
  async function syncAll(ctx, at) {
    const behind = [...helpers.values()].filter((h) => !h.synced || h.step !== at);
    if (!behind.length) return;
    const saved = ctx.session.save(true);
    if (!saved.ok) throw new Error(saved.error);
    await Promise.all(behind.map((h) => sync(h, saved.bytes, at)));
  }

  // Shards [first, first + count) by helper h, or by the primary itself when h fails.
  async function piecesFrom(ctx, h, { first, count, step, timing }) {
    try {
      const r = await send(h, { kind: PoolMsg.STEP, step, first, count }, [],
                           Math.max(STEP_TIMEOUT_MIN_MS, STEP_TIMEOUT_FACTOR * ownMs));
      timing.helper = Math.max(timing.helper, r.ms);   // the slowest helper's own time, for the waits' breakdown
      return r.pieces;
    } catch (e) {
      if (e.outOfStep) h.synced = false;   // mended by a sync before the next step
      else drop(h.index, `it stopped answering (${e.message})`, true);
      return computeOwn(ctx, first, count);
    }
  }

  function computeOwn(ctx, first, count) {
    const r = ctx.session.computeShards(first, count);
    if (!r.ok) throw new Error(r.error);
    return r.pieces;
  }

  // One training step over the primary and its helpers, from step `at`: { ok, report, workers } or { ok: false, error }.
  // timing (ms, added to): sync, own (the primary's shards), wait (for the helpers' after its own), helper (the
  // slowest helper's own time for its shards), combine (the tree and the copies for the helpers), apply (the
  // primary's optimizer step).
  async function step(ctx, at, timing) {
    try {
      let t = performance.now();
      const lap = (key) => {
        const now = performance.now();
        timing[key] += now - t;
        t = now;
      };
      await syncAll(ctx, at);
      lap('sync');
      const { session } = ctx;
      const stepBefore = at;
      const stepTiming = { helper: 0 };
      const begun = session.beginStep();
      if (!begun.ok) return begun;
      const K = begun.shards;
      const team = [...helpers.values()].slice(0, K - 1);
      const lanes = team.length + 1;
      const range = (r) => ({ first: Math.floor((r * K) / lanes), end: Math.floor(((r + 1) * K) / lanes) });
      const theirs = team.map((h, i) => {
        const { first, end } = range(i + 1);
        return piecesFrom(ctx, h, { first, count: end - first, step: stepBefore, timing: stepTiming });
      });
      // The primary's own pieces and the sum stay in the engine (shard_bindings.hpp): only the helpers' cross.
      const own = session.computeShardsHeld(0, range(0).end);
      if (!own.ok) return own;
      ownMs = performance.now() - t;
      lap('own');
      const pieces = [].concat(...(await Promise.all(theirs)));
      lap('wait');
      timing.helper += stepTiming.helper;
      const sum = session.combineHeld(pieces);
      if (!sum.ok) return sum;
      const listeners = team.filter((h) => helpers.has(h.index));
      listeners.forEach((h, i) => {   // the last one gets the sum itself, the others copies
        const piece = i === listeners.length - 1 ? sum.piece
          : { ...sum.piece, grads: sum.piece.grads.slice(), state: sum.piece.state.slice() };
        h.port.postMessage({ kind: PoolMsg.APPLY, piece }, [piece.grads.buffer, piece.state.buffer]);
      });
      lap('combine');
      const applied = session.applyHeld();
      if (!applied.ok) return applied;
      lap('apply');
      // A helper applies the same sum, so it is at the same step; a difference (the primary's test hook for a
      // non-finite gradient) is found at the next step's STEP and mended by a sync.
      for (const h of team) if (helpers.has(h.index)) h.step = applied.report.step;
      return { ok: true, report: applied.report, workers: lanes };
    } catch (e) {
      return { ok: false, error: e.message };
    }
  }

  return {
    attach(index, port, shareEveryStep = false) {
      everyStep = shareEveryStep;
      drop(index, 'replaced', false);
      const h = { index, port, synced: false, step: -1, waiting: new Map() };
      port.onmessage = (e) => receive(h, e.data);
      helpers.set(index, h);
    },
    detach: (index, reason) => drop(index, reason, false),
    // The model changed by something other than a training step: every replica needs the model file again.
    markStale() {
      for (const h of helpers.values()) h.synced = false;
    },
    size: () => helpers.size,
    sharesEveryStep: () => everyStep,
    // Up to maxSteps steps, for about ms: what Session.train(maxSteps, ms) returns, how many workers took part, and
    // where the time went (timing: ms summed over the steps, see step()).
    async train(ctx, maxSteps, ms) {
      const start = performance.now();
      const reports = [];
      let workers = 1;
      let at = ctx.model.step;
      const timing = { sync: 0, own: 0, wait: 0, helper: 0, combine: 0, apply: 0 };
      while (reports.length < maxSteps && (reports.length === 0 || performance.now() - start < ms)) {
        const r = await step(ctx, at, timing);
        if (!r.ok) return r;
        reports.push(r.report);
        workers = r.workers;
        at = r.report.step;
      }
      return { ok: true, reports, millis: performance.now() - start, workers, timing };
    },
  };
}
