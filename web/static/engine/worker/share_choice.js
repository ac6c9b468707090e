// Whether a run shares its steps with the helper workers (pool.js), decided by measuring: a shared step costs
// messages, a copy of the gradient to each helper and the tree, and while two workers compute, the page and the
// browser compete for the same cores, so on a small model or a busy machine one worker alone is faster. The losses
// are the same bits either way, so the run simply takes whichever was faster: it trains a chunk alone, then a chunk
// shared, keeps the faster per step, and measures the other again every REPROBE_MS (machines and loads change).
const REPROBE_MS = 20_000;
const MARGIN = 0.95;   // sharing must be at least 5% faster per step to be chosen

export function createShareChoice() {
  const ms = { alone: null, shared: null };   // the latest milliseconds per step of each way
  let choice = 'alone';
  let probing = null;                         // the way the next noted chunk measures on purpose
  let probedAt = -Infinity;
  const other = () => (choice === 'alone' ? 'shared' : 'alone');
  return {
    // 'shared' or 'alone' for the next chunk.
    next() {
      if (ms.alone === null) return (probing = 'alone');
      if (ms.shared === null) return (probing = 'shared');
      if (performance.now() - probedAt > REPROBE_MS) return (probing = other());
      return choice;
    },
    // A chunk's steps took `millis` in all (a sync of the helpers is left out: it is paid once, not per step).
    note(way, steps, millis) {
      if (steps <= 0) return;
      ms[way] = millis / steps;
      if (way === probing) {
        probing = null;
        probedAt = performance.now();
      }
      if (ms.alone !== null && ms.shared !== null) choice = ms.shared < MARGIN * ms.alone ? 'shared' : 'alone';
    },
    // Chars per second each way, for the speed line (null until measured).
    rates: (charsPerStep) => ({
      alone: ms.alone ? (1000 * charsPerStep) / ms.alone : null,
      shared: ms.shared ? (1000 * charsPerStep) / ms.shared : null,
    }),
  };
}
