// The page's entry: it creates the run's store, the connection to the engine worker and the sections, and wires
// them to each other. Nothing here runs WebAssembly (the engine lives in engine/worker/) and no section reaches into
// another's DOM: they talk through the store and the small interfaces passed here.
//
//   sections/text      1 Text            sections/settings  2 Settings      sections/train  3 Train
//   sections/sample    4 Sample          sections/files     5 Model file    sections/share  Share links
//   sections/step      6 Step through    sections/inspect   7 Look inside    sections/compare  8 Compare runs
//   sections/runs      Your runs (kept runs)
//   run/               the run's state (store), kept across reloads (storage, resume), exact-step bookkeeping
import { Rep, Req } from './engine/protocol.js';
import { EngineClient } from './engine/engine_client.js';
import { exposeForTests } from './debug/test_surface.js';
import { currentRunFor } from './run/current_run.js';
import { keptRunApi } from './run/kept_run.js';
import { createRunLog } from './run/run_log.js';
import { initStorage } from './run/storage.js';
import { createStore } from './run/store.js';
import { isShareHash } from './run/link_schema.js';
import { initCompare } from './sections/compare/compare.js';
import { initFiles } from './sections/files/files_section.js';
import { initGradNorm } from './sections/inspect/gradnorm.js';
import { initInspect } from './sections/inspect/inspect.js';
import { initSample } from './sections/sample/sample_section.js';
import { initRuns } from './sections/runs/runs_section.js';
import { initSettings } from './sections/settings/settings_section.js';
import { linkModelApi } from './sections/share/link_model.js';
import { initShare } from './sections/share/share.js';
import { initStep } from './sections/step/step_section.js';
import { initText } from './sections/text/text_section.js';
import { createRunView } from './sections/train/run_view.js';
import { initTrain } from './sections/train/train_section.js';
import { initWorkers, workersChanged } from './sections/train/workers.js';
import { createHelperWorkers } from './engine/helper_workers.js';
import { LossChart } from './ui/chart.js';
import { initDisclosures } from './ui/disclosure.js';
import { $ } from './ui/dom.js';
import { registerOffline } from './offline/register.js';

performance.mark('rnnlab:main');   // start-up marks: engine/boot.js

// The run's state. Keys: engine (ready, simd, worker), model (gen, state, model, modelConfig, step, calls, ...),
// text (source, sourceVersion, preset, stats), views (look, gradNorm, compare) and what the tests read.
const INITIAL_STATE = {
  ready: false, state: 'none', gen: 0, step: 0, epoch: 0, trainBits: null, valBits: null, valHistory: [], bestVal: null,
  charsPerSec: 0, timeline: [], stats: null, sampling: false, sampleText: '', lastSample: null, lastError: null, worker: 0,
  calls: 0, workers: 1, unshared: null, shareTiming: null, workersWanted: 1, workersReady: 1, workersNote: '',
  model: null, modelConfig: null, source: null, sourceVersion: 0, preset: null, oversize: false,
  runs: [], runId: null, storageFull: false, storageUsage: null, storageWaitingFor: null,
};

// s: the page's sections object itself, so the hooks below reach s.storage once init() has made it (a fresh object
// here left them without storage: new models were not checkpointed at once, nor marked as new runs).
function createSections(store, client, s) {
  const gradNorm = initGradNorm({ store, setClipping: (on) => s.settings.setClipping(on) });
  const clipShown = (mode, value, atStep) => gradNorm.setClip(mode, value, atStep ?? null);
  s.chart = new LossChart($('loss-chart'));
  // The uniform guess (log2 V) on the loss chart follows the model's vocabulary.
  store.subscribe((state, keys) => {
    if (keys.includes('model')) s.chart.setGuess(state.model?.stats?.vocabSize ? Math.log2(state.model.stats.vocabSize) : null);
  });
  s.settings = initSettings({ store, client, hooks: {
    clipShown, trainMessage: (...a) => s.train.trainMessage(...a), recordEdit: (r, e) => s.train.recordEdit(r, e),
    refreshStats: () => s.text.refreshStats(),
  } });
  s.text = initText({ store, client, settings: s.settings });
  s.runLog = createRunLog(store);
  s.view = createRunView({ store, chart: s.chart, gradNorm });
  s.train = initTrain({ store, client, view: s.view, runLog: s.runLog, settings: s.settings, text: s.text, hooks: {
    clipShown, checkpointNow: () => s.storage?.checkpointNow(), noteProgress: (force) => s.storage?.noteProgress(force),
    onNewRun: () => keepRunAcrossReloads(s), onReset: () => s.sample.clear(),
  } });
  // A finished sample is kept with the run at once (while paused no checkpoint would come otherwise).
  s.sample = initSample({ store, client, hooks: { sampled: () => s.storage?.checkpointNow() } });
  s.files = initFiles({ store, client, train: s.train, settings: s.settings, text: s.text,
                        hooks: { onNewRun: (name) => s.storage?.newRun(name) } });
  const look = (op, args) => client.request(Req.LOOK, store.get().gen, { op, args });
  initStep({ store, request: look, trainSteps: (n) => s.train.trainSteps(n), lecture: () => lectureSetup(s) });
  initInspect({ store, request: look, currentGen: () => store.get().gen });
  initCompare({ store, text: s.text.currentText, config: (cell) => s.settings.configText({ ...s.settings.values(), cell }),
                currentRun: currentRunFor({ store, client }), lanes: () => store.get().workersWanted });
  s.settings.showFormClipping();
  s.clipShown = clipShown;
  return s;
}

// The lecture's set-up for the step-through: the Hello text with a vanilla RNN of 8 units and one-hot input (the
// preset's own size, 32 units with an embedding, is too big to print unit by unit).
async function lectureSetup(s) {
  await s.text.choosePreset('hello');
  s.settings.setValues({ cell: 'rnn', layers: '1', hidden: '8', embed: '0', dropout: '0' });
  s.settings.changed();
}

// A new model is a new run in the list (run/storage.js). Once it is checkpointed, a reload should bring back that run
// (exactly: run/resume.js), not reopen the share link the page was opened with: the link leaves the address (it stays
// in the Share box and history).
function keepRunAcrossReloads(s) {
  s.storage?.newRun().then(() => {
    if (isShareHash(location.hash)) history.replaceState(history.state, '', location.href.replace(/#.*$/, ''));
  });
}

function engineCallbacks(store, sections) {
  return {
    onReport(msg) {
      if (msg.kind === Rep.HELPER_LOST) sections.helpers?.lost(msg.index, msg.reason);
      else sections.train?.onReport(msg);
    },
    onReady(msg) {
      // readyAt: bench/browser/startup.mjs; engineBuild: the worker's build, the page's own (offline/build.js)
      store.update({ ready: true, simd: msg.simd, engineBuild: msg.build, readyAt: performance.now() });
      $('engine-status').textContent = msg.simd
        ? 'Engine ready: WebAssembly in a background worker.'
        : 'Engine ready, without SIMD: this browser lacks WebAssembly SIMD, so training runs several times slower. ' +
          'A current Chrome, Edge, Firefox or Safari is much faster.';
      sections.text?.refreshStats();
      sections.settings?.changed();
      sections.helpers?.primaryReady();
    },
    onFatal(text) {
      $('engine-status').textContent = text;
      $('engine-status').classList.add('error');
      store.update({ lastError: text });
    },
    onStart: () => store.update({ worker: store.get().worker + 1 }),
  };
}

// window.app for the browser tests: the store's state, the chart's data, and with #testhooks in the address the
// hooks that make the worker report rejected steps (engine/worker/) and hold checkpoints so that a reload has to
// replay (tests/browser/storage.test.mjs).
function exposeState(store, client, sections) {
  exposeForTests(store, {
    lossData: () => {
      const { chart } = sections;
      return { steps: chart.steps.slice(), raw: chart.raw.slice(), val: chart.val.map((v) => ({ ...v })) };
    },
    ...(location.hash.includes('testhooks') ? { debug: {
      simulateRejections: (count) => client.send(Req.DEBUG_REJECT, store.get().gen, { count }),
      injectNonFiniteAt: (step) => client.send(Req.DEBUG_NONFINITE, store.get().gen, { step }),
      holdCheckpoints: (on) => sections.storage.holdCheckpoints(on),
      killWorker: (i, silent = false) => sections.helpers.kill(i, silent),
      engineMemory: async () => {
        const r = await client.request(Req.DEBUG_MEMORY, store.get().gen);
        return { wasmBytes: r.wasmBytes, emvalHandles: r.emvalHandles };
      },
    } } : {}),
  });
}

function init() {
  initDisclosures();
  const store = createStore(INITIAL_STATE);
  const sections = {};
  // engine/boot.js (run by index.html before this module) started the engine worker; a restart makes a fresh one.
  const client = new EngineClient({ ...engineCallbacks(store, sections), createWorker: self.rnnlabBoot.engineWorker });
  sections.helpers = createHelperWorkers({
    client, newWorker: () => self.rnnlabBoot.newEngineWorker(),
    onChange: (change) => workersChanged(store, change),
    onLost: (text) => store.update({ workersNote: text }),
    shareEveryStep: location.hash.includes('testhooks') && location.hash.includes('sharesteps'),
  });
  exposeState(store, client, sections);
  createSections(store, client, sections);
  initWorkers({ store, helpers: sections.helpers });
  const { text, settings, sample, train, files, runLog, view } = sections;
  // A share link in the address brings its own text and settings.
  const fromLink = initShare({ store, client, text, settings, sample,
    ...linkModelApi({ store, client, train, view, runLog, text, settings, onNewRun: () => keepRunAcrossReloads(sections) }) });
  // A run kept in IndexedDB comes back after a reload, unless a share link asks for another one.
  const kept = keptRunApi({ store, client, runLog, view, text, files, train, settings, sample,
                           clipShown: sections.clipShown });
  sections.storage = initStorage(store, kept, { restoreSaved: !fromLink });
  initRuns({ store, runs: sections.storage.runs });
  registerOffline(store);
  sections.storage.restored.then((restored) => {
    // A first visit (no kept run, no link) opens on the prose text at the size tuned for it (presets.js). A kept run
    // that came back keeps its own model and settings: no preset is applied then.
    if (!fromLink && !restored) text.choosePreset('prose', { onlyIfUntouched: true });
  });
}

init();
