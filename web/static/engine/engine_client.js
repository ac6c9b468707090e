// One connection to an engine worker (worker.js): request/reply by id, unsolicited reports (progress, timeline,
// paused) handed to onReport. The page's own model has one; the run comparison (compare.js) opens a second one so
// that training the three cells never touches the person's model. Workers come from boot.js (createWorker), which
// hands each later worker the engine the first one compiled.
import { Rep, message } from './protocol.js';

export class EngineClient {
  // createWorker() returns { worker, early }: a worker and the events it sent before anyone listened (replayed here).
  // onStart() is called each time a worker is started (the first time and after every restart).
  constructor({ createWorker, onReport, onReady, onFatal, onStart = () => {} }) {
    this.createWorker = createWorker;
    this.onReport = onReport;
    this.onReady = onReady;
    this.onFatal = onFatal;
    this.onStart = onStart;
    this.nextId = 1;
    this.pending = new Map();   // id -> { resolve, reject, onChunk }
    this.start();
  }

  start() {
    this.ready = false;
    const { worker, early } = this.createWorker();
    this.worker = worker;
    this.onStart();
    worker.onmessage = (e) => {
      if (worker === this.worker) this.receive(e.data);
    };
    worker.onerror = (e) => {
      if (worker !== this.worker) return;
      e.preventDefault();
      this.onFatal('The engine worker failed: ' + (e.message || 'it could not be loaded') + '. Reload the page.');
    };
    for (const e of early) (e.type === 'error' ? worker.onerror : worker.onmessage)(e);
  }

  // Hard reset: whatever the worker is doing (a long sample, a training chunk) ends now.
  restart() {
    this.stop();
    this.start();
  }

  // Ends the worker for good (until start()); every pending request is rejected with { reset: true }.
  stop() {
    if (!this.worker) return;
    retire(this.worker, this.ready);
    this.worker = null;
    this.ready = false;
    for (const p of this.pending.values()) p.reject(Object.assign(new Error('reset'), { reset: true }));
    this.pending.clear();
  }

  send(kind, gen, fields = {}, transfer = []) {
    const id = this.nextId++;
    this.worker.postMessage(message(kind, id, gen, fields), transfer);
    return id;
  }

  request(kind, gen, fields = {}, { onChunk, transfer } = {}) {
    return new Promise((resolve, reject) => {
      const id = this.send(kind, gen, fields, transfer);
      this.pending.set(id, { resolve, reject, onChunk });
    });
  }

  receive(msg) {
    if (msg.kind === Rep.READY) {
      this.ready = true;
      this.onReady(msg);
      return;
    }
    if (msg.kind === Rep.ERROR && msg.fatal) {
      this.onFatal(msg.message);
      return;
    }
    const p = this.pending.get(msg.id);
    if (p) {
      if (msg.kind === Rep.SAMPLE_CHUNK || msg.kind === Rep.RESTORING) {   // progress of a request, not its reply
        if (p.onChunk) p.onChunk(msg.kind === Rep.SAMPLE_CHUNK ? msg.text : msg);
        return;
      }
      this.pending.delete(msg.id);
      if (msg.kind === Rep.ERROR) p.reject(new Error(msg.message));
      else p.resolve(msg);
      return;
    }
    this.onReport(msg);
  }
}

// Ends a worker that is no longer this client's. One still loading (its script, the engine's .wasm) is let finish
// loading first: Chromium counts a response that a worker ended mid-read as still being answered by the service
// worker, and while it does, a new build's service worker waits for as long as this page stays open, so the next
// visit would get the old build (offline/sw.js, tests/browser/offline.test.mjs). Its messages go nowhere.
const LOADING_GRACE_MS = 30_000;
export function retire(worker, ready) {
  if (ready) {
    worker.terminate();
    return;
  }
  const end = () => worker.terminate();
  worker.onmessage = (e) => { if (e.data && e.data.kind === Rep.READY) end(); };
  worker.onerror = end;
  setTimeout(end, LOADING_GRACE_MS);
}

