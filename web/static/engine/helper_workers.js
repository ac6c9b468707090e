// The page's helper workers: engine workers that share the training of the page's model with its own worker (the
// primary), each computing some of every step's shards (engine/worker/pool.js says how, and why the losses are the
// same bits with any number of workers). The page starts them, connects each to the primary with a MessageChannel,
// and ends them; the primary drives them. How many: the "Workers" setting, by default the cores the browser
// reports minus one for the page, at most MAX_WORKERS (the page's worker counts as one).
import { retire } from './engine_client.js';
import { Rep, Req, message } from './protocol.js';

export const MAX_WORKERS = 8;
const MAX_FAILURES = 3;

export function defaultWorkers() {
  const cores = Number(globalThis.navigator?.hardwareConcurrency) || 1;
  return Math.max(1, Math.min(MAX_WORKERS, cores - 1));
}

// client: the page's EngineClient (the primary). newWorker(): { worker } a fresh engine worker (boot.js).
// onChange({ wanted, connected }): the helpers changed; onLost(text): one failed or stopped answering (a sentence).
// shareEveryStep: a test hook, so that small test models exercise the sharing too (engine/worker/train_loop.js).
export function createHelperWorkers({ client, newWorker, onChange = () => {}, onLost = () => {}, shareEveryStep = false }) {
  let wanted = 1;           // workers in all, the primary included
  let helpers = [];         // { index, worker, ready, connected }
  let nextIndex = 1;
  let failures = 0;         // helpers that failed: after MAX_FAILURES no more are started in their place

  const report = () => onChange({ wanted, connected: helpers.filter((h) => h.connected).length });

  function start() {
    const { worker } = newWorker();
    const h = { index: nextIndex++, worker, ready: false, connected: false };
    worker.onmessage = (e) => {
      const msg = e.data || {};
      if (msg.kind === Rep.READY) {
        h.ready = true;
        connect(h);
      } else if (msg.kind === Rep.ERROR && msg.fatal) {
        lose(h, msg.message);
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      lose(h, e.message || 'it could not be loaded');
    };
    helpers.push(h);
  }

  function connect(h) {
    if (!client.ready || h.connected) return;
    const channel = new MessageChannel();
    h.worker.postMessage(message(Req.HELP, 0, 0, { port: channel.port2 }), [channel.port2]);
    client.worker.postMessage(message(Req.HELPER, 0, 0, { index: h.index, port: channel.port1, shareEveryStep }),
                              [channel.port1]);
    h.connected = true;
    report();
  }

  function end(h, reason) {
    helpers = helpers.filter((x) => x !== h);
    if (h.connected && client.worker) client.send(Req.HELPER_GONE, 0, { index: h.index, reason });
    retire(h.worker, h.ready);
  }

  function lose(h, reason) {
    if (!helpers.includes(h)) return;
    end(h, reason);
    failures++;
    onLost(`A training worker failed (${reason}); training goes on with the others` +
           (failures < MAX_FAILURES ? ', and another is started in its place.' : '. No more are started: ' +
            `${MAX_FAILURES} have failed on this page.`));
    adjust();
  }

  function adjust() {
    while (helpers.length < wanted - 1 && failures < MAX_FAILURES) start();
    while (helpers.length > wanted - 1) end(helpers[helpers.length - 1], 'fewer workers were asked for');
    report();
  }

  return {
    setWanted(n) {
      wanted = Math.max(1, Math.min(MAX_WORKERS, Math.round(Number(n)) || 1));
      failures = 0;   // asked again: try again
      adjust();
    },
    wanted: () => wanted,
    // The primary is (again) ready: a fresh primary knows no helper, so each connects anew; their replicas are
    // synced from it before they take part.
    primaryReady() {
      for (const h of helpers) {
        h.connected = false;
        if (h.ready) connect(h);
      }
      report();
    },
    // The primary said it gave up on a helper (it stopped answering): end that worker, start another.
    lost(index, reason) {
      const h = helpers.find((x) => x.index === index);
      if (!h) return;
      h.connected = false;   // the primary has already dropped it
      end(h, reason);
      failures++;
      onLost(`A training worker was left out: ${reason}. The others computed its share of the step, so the ` +
             'losses are unchanged.');
      adjust();
    },
    // Test hook: end helper number i (0-based) at once, as if it had crashed (the page sees it fail), or silently
    // (nobody is told: the primary finds out when it stops answering).
    kill(i, silent = false) {
      const h = helpers[i];
      if (!h) return false;
      h.worker.terminate();
      if (!silent) lose(h, 'ended by a test');
      return true;
    },
    count: () => helpers.filter((h) => h.connected).length + 1,
  };
}
