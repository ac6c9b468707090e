// Exact-step resume (run/resume.js): after a reload the page loads its last checkpoint and asks for the train_step
// calls made since, with the mid-run changes (learning rate, clipping, rounding for a link) at the calls where they
// happened. The engine is deterministic, so this ends exactly where the page was, with the same losses. Runs in
// chunks and reports RESTORING between them, so the page can say how far it is.
import { Rep } from '../protocol.js';
import { CHUNK_MS } from './train_loop.js';
import { nextTimelineStep } from './worker_model.js';

// One recorded change, applied to the session as it was applied during the run.
function applyEdit(ctx, e) {
  const { session, model } = ctx;
  let res;
  if (e.kind === 'lr') {
    res = session.setLearningRate(e.lr);
    if (res.ok) model.lr = e.lr;
  } else if (e.kind === 'round') {
    res = session.roundWeights();
  } else if (e.kind === 'clip') {
    res = session.setClipping(String(e.mode), Number(e.value));
    if (res.ok) model.config = res.config;
  }
  if (res && !res.ok) throw new Error(res.error);
  model.edits += 1;
}

export async function replay(ctx, msg, yieldToEventLoop) {
  const { model } = ctx;
  const total = Math.max(0, msg.calls | 0);
  const events = (msg.events || []).slice().sort((a, b) => a.after - b.after);
  const reports = [];
  let done = 0, next = 0;
  const myRun = (ctx.run = { requestId: msg.id, replay: true });
  const applyDue = () => {
    for (; next < events.length && events[next].after <= done; ++next) applyEdit(ctx, events[next]);
  };
  applyDue();
  while (done < total) {
    if (ctx.run !== myRun) {   // replaced meanwhile: the page has moved on, but its request still gets an answer
      ctx.post(Rep.ERROR, msg.id, msg.gen, { message: 'the restore was interrupted', stale: true });
      return;
    }
    const until = next < events.length ? Math.min(total, events[next].after) : total;
    const res = ctx.session.train(until - done, CHUNK_MS);
    if (!res.ok) throw new Error(res.error);
    reports.push(...res.reports);
    done += res.reports.length;
    const last = res.reports[res.reports.length - 1];
    Object.assign(model, { step: last.step, epoch: last.epoch, calls: model.calls + res.reports.length });
    applyDue();
    ctx.post(Rep.RESTORING, msg.id, ctx.gen, { step: model.step, done, total });
    await yieldToEventLoop();
  }
  applyDue();
  if (ctx.run === myRun) ctx.run = null;
  model.nextTimeline = nextTimelineStep(model.step);
  ctx.post(Rep.REPLAYED, msg.id, ctx.gen, { reports, step: model.step, epoch: model.epoch, calls: model.calls,
                                            edits: model.edits, config: model.config });
}
