// A helper worker: a replica of the primary worker's session that computes the shards of each step the primary
// sends it and takes the same optimizer steps (the primary's side, and why this is exact: pool.js). It answers only
// its port; the page just starts it and tells it where the primary is (Req.HELP).
import { PoolMsg } from '../protocol.js';

// Returns { stop() }: a later HELP (the page's worker was restarted) replaces this one.
export function serveAsHelper(engine, port) {
  let session = null;
  let step = -1;   // the replica's step, or -1 without one (or after a failure): the next STEP asks for a sync

  const answer = (kind, seq, fields, transfer = []) => port.postMessage({ kind, seq, ...fields }, transfer);

  const handlers = {
    [PoolMsg.SYNC](msg) {
      if (session) session.delete();
      session = new engine.Session();
      const res = session.load(msg.bytes);
      step = res.ok ? res.step : -1;
      answer(PoolMsg.SYNCED, msg.seq, res.ok ? { ok: true, step } : { ok: false, error: res.error });
    },
    [PoolMsg.STEP](msg) {
      const start = performance.now();
      if (!session || msg.step !== step)
        return answer(PoolMsg.PIECES, msg.seq, { ok: false, outOfStep: true, error: `the replica is at step ${step}` });
      const begun = session.beginStep();
      const res = begun.ok ? session.computeShards(msg.first, msg.count) : begun;
      if (!res.ok) {
        step = -1;
        return answer(PoolMsg.PIECES, msg.seq, { ok: false, outOfStep: true, error: res.error });
      }
      const transfer = res.pieces.flatMap((p) => [p.grads.buffer, p.state.buffer]);
      answer(PoolMsg.PIECES, msg.seq, { ok: true, pieces: res.pieces, ms: performance.now() - start }, transfer);
    },
    [PoolMsg.APPLY](msg) {
      const res = session ? session.applyStep(msg.piece) : { ok: false };
      step = res.ok ? res.report.step : -1;
    },
  };

  port.onmessage = (e) => {
    const handler = handlers[e.data && e.data.kind];
    if (!handler) return;
    try {
      handler(e.data);
    } catch (err) {
      step = -1;
      if (e.data.seq) answer(PoolMsg.PIECES, e.data.seq, { ok: false, error: 'internal error: ' + err.message });
    }
  };
  return {
    stop() {
      port.close();
      if (session) session.delete();
      session = null;
    },
  };
}
