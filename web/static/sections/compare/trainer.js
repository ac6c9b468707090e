// The comparison's own engine: a second worker (engine/engine_client.js), started for a comparison and ended after
// it, so the person's model is never touched (no save/restore round trip, its training may go on meanwhile), and
// Cancel simply ends this worker. Cells are trained one after another on the page's text with the page's settings.
//
//   const trainer = createTrainer({ text, config });   // text() -> { text } | { bytes }; config(cell) -> config text
//   await trainer.start();
//   const result = await trainer.trainCell({ cell, steps, label, onProgress: (step, curve) => ... });
//     // -> { config (parsed), parameterCount, curve: [{ step, bits }], finalStep, stoppedEarly, sample }
//   trainer.stop();   // ends the worker; a cell in training rejects with { reset: true }
import { Req, Rep, parseConfigText } from '../../engine/protocol.js';
import { EngineClient } from '../../engine/engine_client.js';
import { fmtInt } from '../../ui/format.js';

const SAMPLE = { length: 240, temperature: 0.8, seed: 1 };
const EVAL_POINTS = 20;   // validation points per run: at every steps/20 (the same steps for every run)

// The trainer's state: the page's hooks, the worker's client, the generation of the cell in training, while one
// trains what waits for its pause ({ gen, onProgress, resolve, reject, error }), and while the worker starts the
// rejection of start()'s promise.
export function createTrainer({ text, config }) {
  const trainer = { text, config, client: null, gen: 0, waiting: null, starting: null };
  return {
    start: () => start(trainer),
    stop: () => stop(trainer),
    trainCell: (cell) => trainCell(trainer, cell),
  };
}

// Worker reports go to the cell in training, and only if they are about it (its generation).
function onReport(trainer, msg) {
  const { waiting } = trainer;
  if (!waiting || msg.gen !== waiting.gen) return;
  if (msg.kind === Rep.PROGRESS) waiting.onProgress(msg);
  else if (msg.kind === Rep.PAUSED) waiting.resolve(msg);
  else if (msg.kind === Rep.ERROR) waiting.error = msg.message;
}

// Resolves when the new worker's engine is ready; rejects with { reset: true } if stop() comes first.
function start(trainer) {
  return new Promise((resolve, reject) => {
    trainer.starting = reject;
    trainer.client = new EngineClient({
      createWorker: () => self.rnnlabBoot.newEngineWorker(),
      onReady: () => {
        trainer.starting = null;
        resolve();
      },
      onFatal: (problem) => {
        reject(new Error(problem));
        if (trainer.waiting) trainer.waiting.reject(new Error(problem));
      },
      onReport: (msg) => onReport(trainer, msg),
    });
  });
}

function stop(trainer) {
  if (trainer.client) trainer.client.stop();
  trainer.client = null;
  // Cancelled while the worker was still starting: without this the comparison would wait for it for ever.
  if (trainer.starting) trainer.starting(Object.assign(new Error('cancelled'), { reset: true }));
  trainer.starting = null;
  if (trainer.waiting) trainer.waiting.reject(Object.assign(new Error('cancelled'), { reset: true }));
  trainer.waiting = null;
}

// Trains until the worker pauses at `steps`; resolves with the PAUSED report and the worker's error text, if any.
function trainUntilPaused(trainer, steps, curve, onProgress) {
  const { gen } = trainer;
  return new Promise((resolve, reject) => {
    trainer.waiting = {
      gen, resolve, reject,
      onProgress: (msg) => {
        if (msg.eval) curve.push({ step: msg.eval.step, bits: msg.eval.bitsPerChar });
        onProgress(msg.step, curve);
      },
    };
    trainer.client.send(Req.TRAIN, gen, { stopAt: steps, evalEvery: Math.max(1, Math.round(steps / EVAL_POINTS)) });
  }).then((paused) => {
    const problem = trainer.waiting?.error;
    trainer.waiting = null;
    return { paused, problem };
  });
}

// One cell, from a fresh model to its final sample.
async function trainCell(trainer, { cell, steps, label, onProgress }) {
  const gen = (trainer.gen += 1);
  const opened = await trainer.client.request(Req.OPEN, gen, { ...trainer.text(), config: trainer.config(cell) });
  const curve = [];
  if (opened.eval) curve.push({ step: 0, bits: opened.eval.bitsPerChar });
  onProgress(0, curve);
  const { paused, problem } = await trainUntilPaused(trainer, steps, curve, onProgress);
  if (paused.eval) curve.push({ step: paused.eval.step, bits: paused.eval.bitsPerChar });
  if (paused.reason === 'error') throw new Error(problem || `${label} stopped with an error`);
  const sampled = await trainer.client.request(Req.SAMPLE, gen, { options: SAMPLE });
  return {
    config: parseConfigText(opened.config), parameterCount: opened.parameterCount, curve, finalStep: paused.step,
    stoppedEarly: paused.reason === 'diverged' ? `diverged at step ${fmtInt(paused.step)}` : null,
    sample: sampled.text,
  };
}
