// The bookkeeping exact-step resume needs for the current model (resume.js, storage.js): how many train_step calls
// it has made (store key `calls`), the mid-run changes at the calls where they happened, the change a replay cannot
// repeat (a restore to the last good weights), and the losses of recent calls to check a replay against.
//
//   events: [{ at: calls before it, index: edit number, kind: 'lr' | 'clip' | 'round', lr?, mode?, value? }]
//   losses: { start: call number of bits[0], bits: [bits per character, or null for a rejected call] }
export function createRunLog(store) {
  let events = [];
  let staleFrom = null;
  let losses = { start: 0, bits: [] };

  return {
    start(calls) {
      store.update({ calls });
      events = [];
      staleFrom = null;
      losses = { start: calls, bits: [] };
    },
    // One train_step call's loss (null when it was rejected or not finite).
    addCall(bits) {
      store.update({ calls: store.get().calls + 1 });
      losses.bits.push(bits);
    },
    lastBits: () => losses.bits[losses.bits.length - 1],
    // A mid-run change the worker applied after `reply.calls` calls.
    recordEdit(reply, edit) {
      events.push({ at: reply.calls, index: reply.edit, ...edit });
    },
    markStale(edit) {
      staleFrom = edit;
    },
    replaceEvents(list) {
      events = list;
    },
    progress: () => ({ events, staleFrom, losses }),
    // Losses before the stored checkpoint are no longer needed to check a replay.
    checkpointed(calls) {
      const drop = Math.min(losses.bits.length, Math.max(0, calls - losses.start));
      losses = { start: losses.start + drop, bits: losses.bits.slice(drop) };
    },
  };
}
