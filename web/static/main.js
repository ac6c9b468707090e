// The page: text, settings, training controls, chart, timeline, sampling. It never runs WebAssembly itself; the
// engine lives in worker.js and every exchange goes through the messages in protocol.js. User text and samples are
// only ever written with textContent.
import { Req, Rep, Limits, parseConfigText } from './engine/protocol.js';
import { EngineClient } from './engine/engine_client.js';
import { LossChart } from './ui/chart.js';
import { initShare } from './sections/share/share.js';
import { isShareHash } from './run/link_schema.js';
import { checkpointNow, holdCheckpoints, initStorage, noteProgress } from './run/storage.js';
import { sameLosses } from './run/resume.js';
import { initInspect } from './sections/inspect/inspect.js';
import { initGradNorm } from './sections/inspect/gradnorm.js';
import { initCompare } from './sections/compare/compare.js';
import { readPauseAt } from './sections/train/pause_at.js';
import { fmtInt, fmtBits } from './ui/format.js';
import { createStore } from './run/store.js';
import { exposeForTests } from './debug/test_surface.js';

performance.mark('rnnlab:main');   // start-up marks: boot.js
// boot.js (run by index.html before this module) started the engine worker; a restart makes a fresh one.
const { engineWorker } = self.rnnlabBoot;

const $ = (id) => document.getElementById(id);
const capitalize = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s);
const sentence = (s) => { const t = capitalize(String(s).trim()); return /[.!?]$/.test(t) ? t : t + '.'; };

function fmtBytes(n) {
  if (n >= 1024 * 1024 * 1024) return (n / 1024 ** 3).toFixed(1) + ' GB';
  if (n >= 1024 * 1024) return (n / 1024 ** 2).toFixed(n >= 100 * 1024 ** 2 ? 0 : 1) + ' MB';
  if (n >= 1024) return (n / 1024).toFixed(n >= 100 * 1024 ? 0 : 1) + ' KB';
  return n + ' bytes';
}

// A diverged model's perplexity can be astronomically large: keep it short enough for its box.
function fmtPerplexity(p) {
  if (!Number.isFinite(p)) return '∞';
  return p < 1e5 ? p.toFixed(2) : p.toExponential(1);
}

function fmtLr(lr) {
  return Number(lr.toPrecision(3)).toString();
}

// The run's state (run/store.js), and its read-only view for the browser tests (debug/test_surface.js).
const store = createStore({
  ready: false, state: 'none', gen: 0, step: 0, epoch: 0, trainBits: null, valBits: null, valHistory: [],
  charsPerSec: 0, timeline: [], stats: null, sampling: false, sampleText: '', lastError: null, worker: 0,
  calls: 0,   // train_step calls of the current model (steps plus rejected steps): exact-step resume counts these
});
const app = exposeForTests(store);   // INTERIM: writes go to the store until every section uses the store itself
// The loss chart's data, for tests: { steps, raw (bits per character, NaN for rejected steps), val }.
app.lossData = () => ({ steps: chart.steps.slice(), raw: chart.raw.slice(), val: chart.val.map((v) => ({ ...v })) });

// ---------------------------------------------------------------------------------------------------------------
// Settings

const DEFAULTS = {
  // Measured on the prose preset in Chromium: readable words after about a minute, and dropout between the two
  // layers keeps the validation loss from climbing steeply once the model starts memorizing the short text.
  cell: 'lstm', layers: '2', hidden: '128', embed: '32', unroll: '64', batch: '16', optimizer: 'adam', lr: '0.003',
  schedule: 'constant', step_every: '1000', step_gamma: '0.5', cosine_steps: '5000', min_lr_fraction: '0.1',
  clip: 'norm', clip_value: '5', dropout: '0.3', seed: '1', val_percent: '10', vocab_max: '256',
};

// Form control id -> config key (config_text.hpp). val_percent is shown in percent and sent as val_fraction.
const FIELDS = {
  'cfg-cell': 'cell', 'cfg-layers': 'layers', 'cfg-hidden': 'hidden', 'cfg-embed': 'embed', 'cfg-unroll': 'unroll',
  'cfg-batch': 'batch', 'cfg-optimizer': 'optimizer', 'cfg-lr': 'lr', 'cfg-schedule': 'schedule',
  'cfg-step-every': 'step_every', 'cfg-step-gamma': 'step_gamma', 'cfg-cosine-steps': 'cosine_steps',
  'cfg-min-lr': 'min_lr_fraction', 'cfg-clip': 'clip', 'cfg-clip-value': 'clip_value', 'cfg-dropout': 'dropout',
  'cfg-seed': 'seed', 'cfg-val': 'val_percent', 'cfg-vocab': 'vocab_max',
};
const LABELS = {
  cell: 'cell', layers: 'layers', hidden: 'hidden units', embed: 'embedding', unroll: 'unroll', batch: 'batch',
  optimizer: 'optimizer', lr: 'learning rate', schedule: 'schedule', step_every: 'decay interval', step_gamma: 'decay factor',
  cosine_steps: 'decay length', min_lr_fraction: 'final rate', clip: 'clipping', clip_value: 'clip threshold',
  dropout: 'dropout', seed: 'seed', val_percent: 'validation share', vocab_max: 'max distinct characters',
};

// Model sizes suited to each preset text (other settings are left as the person chose them).
const SIZE_KEYS = ['layers', 'hidden', 'embed', 'unroll', 'batch', 'dropout', 'lr'];
const PRESETS = {
  hello: { file: 'presets/hello.txt', label: 'Hello',
           size: { layers: '1', hidden: '32', embed: '8', unroll: '16', batch: '8', dropout: '0', lr: '0.01' } },
  prose: { file: 'presets/prose.txt', label: 'Prose', size: {} },
  code: { file: 'presets/code.txt', label: 'Source code', size: {} },
};

function formValues() {
  const v = {};
  for (const [id, key] of Object.entries(FIELDS)) v[key] = $(id).value.trim();
  return v;
}

function setFormValues(values) {
  for (const [id, key] of Object.entries(FIELDS)) if (key in values) $(id).value = values[key];
  updateConditionalFields();
}

// The form as config_text lines; values go to the engine as typed, so its messages name what is wrong.
function configText(v = formValues()) {
  const lines = [];
  for (const key of Object.values(FIELDS)) {
    if (key === 'val_percent') {
      const pct = Number(v.val_percent);
      lines.push('val_fraction=' + (v.val_percent !== '' && Number.isFinite(pct) ? String(pct / 100) : v.val_percent));
    } else {
      lines.push(`${key}=${v[key]}`);
    }
  }
  return lines.join('\n') + '\n';
}

// Form values from a model's own configuration (after loading a model file).
function valuesFromConfig(cfg) {
  const v = {};
  for (const key of Object.values(FIELDS)) {
    if (key === 'val_percent') v[key] = String(Math.round(Number(cfg.val_fraction) * 1000) / 10);
    else if (key in cfg) v[key] = /^-?[\d.]+(e[-+]?\d+)?$/i.test(cfg[key]) ? String(Number(Number(cfg[key]).toPrecision(6))) : cfg[key];
  }
  return v;
}

function updateConditionalFields() {
  const schedule = $('cfg-schedule').value;
  for (const el of document.querySelectorAll('[data-for-schedule]')) el.hidden = el.dataset.forSchedule !== schedule;
  $('clip-value-field').hidden = $('cfg-clip').value === 'none';
  const method = $('smp-method').value;
  $('smp-temp-field').hidden = method === 'argmax';
  $('smp-k-field').hidden = method !== 'topk';
  $('smp-p-field').hidden = method !== 'topp';
}

// Parameter count exactly as the engine lays out its slab (params.cpp), without the alignment padding.
function parameterCount(v, V) {
  const G = { lstm: 4, gru: 3, rnn: 1 }[v.cell] || 4;
  const L = Number(v.layers), H = Number(v.hidden), E = Number(v.embed);
  let p = E > 0 ? V * E : 0;
  for (let k = 0; k < L; ++k) {
    const input = k > 0 ? H : E > 0 ? E : V;
    p += G * H * input + G * H * H + 2 * G * H;
  }
  return p + V * H + V;
}

// A rough upper estimate of the engine's memory: weights, gradients and optimizer moments, the activations kept
// for backpropagation over one chunk, and the text (bytes, code points while decoding, token ids, the split).
function memoryEstimate(v, V, P, textBytes) {
  const G = { lstm: 4, gru: 3, rnn: 1 }[v.cell] || 4;
  const L = Number(v.layers), H = Number(v.hidden), E = Number(v.embed), B = Number(v.batch), T = Number(v.unroll);
  const moments = { adam: 2, rmsprop: 1, adagrad: 1, sgd: 1 }[v.optimizer] ?? 2;
  const N = B * T;
  let activations = 2 * V * N;
  for (let k = 0; k < L; ++k) {
    const input = k > 0 ? H : E > 0 ? E : V;
    activations += N * input + 2 * (T + 1) * B * H + 2 * G * H * N + 4 * H * N;
  }
  return 4 * (P * (2 + moments) + activations) + 13 * textBytes + 4 * 1024 * 1024;
}

// ---------------------------------------------------------------------------------------------------------------
// Page state

const chart = new LossChart($('loss-chart'));
let gradNorm = null;          // the gradient-norm view (gradnorm.js)
let lastClipMode = 'norm';    // what the clipping switch turns back on
let client = null;
let gen = 0;                  // generation of the current model (0: none)
let state = 'none';           // none | opening | training | pausing | paused
let model = null;             // from OPENED: stats, parameterCount, config, batch, unroll, lr, ...
let source = null;            // { kind, name, text?: string, bytes?: Uint8Array, readOnly }
let sourceVersion = 0;        // bumped whenever the text changes
let textStats = null;         // stats of the current source (from INSPECTED)
let oversize = null;          // { make: () => source, size } waiting for "Use the first 10 MB"
let configError = null;
let recent = [];              // last 100 accepted/rejected reports: { clipped, rejected }
let lastGrad = null;
let rejectedTotal = 0;
let statusDirty = false;
let sampleRequest = 0;
// Exact-step resume (resume.js): the mid-run edits of this model ({ at: calls before it, index, kind, lr }), the
// edit index of a change a replay cannot repeat (or null), and the losses of recent calls ({ start: call, bits }).
let runEvents = [];
let staleFrom = null;
let lossLog = { start: 0, bits: [] };

function startRunLog(calls) {
  app.calls = calls;
  runEvents = [];
  staleFrom = null;
  lossLog = { start: calls, bits: [] };
}

function setState(next) {
  state = next;
  app.state = next;
  renderControls();
  renderStatus();
}

function renderControls() {
  const ready = client && app.ready;
  const tb = $('train-button');
  tb.textContent = state === 'training' || state === 'pausing' ? 'Pause' : state === 'paused' ? 'Resume' : 'Train';
  tb.disabled = !ready || state === 'opening' || state === 'pausing';
  $('reset-button').disabled = !ready || state === 'none' || state === 'opening';
  const hasModel = model !== null && (state === 'training' || state === 'paused' || state === 'pausing');
  $('sample-button').disabled = !hasModel || app.sampling;
  $('save-button').disabled = !hasModel;
  $('export-button').disabled = !hasModel;
  const labels = {
    none: 'No model yet', opening: 'Preparing the model…', training: 'Training', pausing: 'Pausing…', paused: 'Paused',
  };
  $('run-state').textContent = labels[state];
  renderPendingNote();
}

function showMessage(boxId, textId, text, kind = 'error') {
  const box = $(boxId);
  box.hidden = !text;
  box.classList.toggle('error', kind === 'error');
  box.classList.toggle('info', kind === 'info');
  $(textId || boxId).textContent = text || '';
}

function trainMessage(text, kind = 'error', offerLowerLr = null, goBackTo = null) {
  showMessage('train-message', 'train-message-text', text, kind);
  const b = $('lower-lr-button');
  b.hidden = offerLowerLr === null;
  if (offerLowerLr !== null) {
    b.textContent = goBackTo === null
      ? `Lower the learning rate to ${fmtLr(offerLowerLr)} and resume`
      : `Go back to step ${fmtInt(goBackTo)} with learning rate ${fmtLr(offerLowerLr)} and resume`;
    b.dataset.lr = String(offerLowerLr);
    b.dataset.restore = goBackTo === null ? '' : '1';
  }
  if (text && kind === 'error') app.lastError = text;
}

// ---------------------------------------------------------------------------------------------------------------
// Text: presets, typing and pasting, files, statistics

function currentText() {
  if (!source) return { text: '' };
  if (source.bytes) return { bytes: source.bytes };
  if (source.kind === 'typed') return { text: $('text-input').value };
  return { text: source.text };
}

function setSource(next) {
  source = next;
  sourceVersion += 1;
  oversize = null;
  $('text-use-first').hidden = true;
  const ta = $('text-input');
  if (next.readOnly) {
    ta.readOnly = true;
    ta.value = next.preview;
    $('text-note').hidden = false;
    $('text-note-text').textContent = next.note;
  } else {
    ta.readOnly = false;
    ta.value = next.text ?? '';
    $('text-note').hidden = true;
    if (next.kind !== 'typed') source = { kind: 'typed', name: next.name };
  }
  for (const b of document.querySelectorAll('.preset')) b.setAttribute('aria-pressed', String(b.dataset.preset === next.preset));
  refreshStats();
  renderPendingNote();
}

async function choosePreset(name, { applySize = true } = {}) {
  const preset = PRESETS[name];
  try {
    const res = await fetch(preset.file);
    if (!res.ok) throw new Error(`${preset.file}: HTTP ${res.status}`);
    const text = await res.text();
    setSource({ kind: 'typed', name: preset.label, preset: name, text });
    if (applySize) {
      const size = {};
      for (const k of SIZE_KEYS) size[k] = preset.size[k] ?? DEFAULTS[k];
      const before = formValues();
      setFormValues(size);
      const changed = SIZE_KEYS.some((k) => before[k] !== formValues()[k]);
      if (changed) showMessage('text-message', 'text-message-text',
        `Model size set for the ${preset.label.toLowerCase()} text: ` +
        SIZE_KEYS.map((k) => `${LABELS[k]} ${size[k]}`).join(', ') + '.', 'info');
      onConfigChanged();
    }
  } catch (e) {
    showMessage('text-message', 'text-message-text', `The preset could not be loaded (${e.message}).`);
  }
}

function largeTextSource(kind, name, payload, size) {
  const previewText = typeof payload === 'string'
    ? payload.slice(0, Limits.PREVIEW_CHARS)
    : new TextDecoder().decode(payload.subarray(0, Limits.PREVIEW_CHARS * 2)).slice(0, Limits.PREVIEW_CHARS);
  const s = {
    kind, name, readOnly: true, preview: previewText,
    note: `${name} (${fmtBytes(size)}) is too long to edit here; the box shows its first ` +
          `${fmtInt(Limits.PREVIEW_CHARS)} characters. The whole text is used for training.`,
  };
  if (typeof payload === 'string') s.text = payload; else s.bytes = payload;
  return s;
}

// Cuts a string to at most maxBytes of UTF-8, at a character boundary. Work is bounded by maxBytes.
function firstBytesOfString(text, maxBytes) {
  const buffer = new Uint8Array(maxBytes);
  const { read } = new TextEncoder().encodeInto(text.slice(0, maxBytes), buffer);
  return text.slice(0, read);
}

// Cuts UTF-8 bytes to at most maxBytes without splitting a character.
function firstBytesOfUtf8(bytes, maxBytes) {
  if (bytes.length <= maxBytes) return bytes;
  let end = maxBytes;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) --end;   // bytes[end] starts the first character left out
  return bytes.subarray(0, end);
}

function offerFirstPart(description, make) {
  oversize = { make };
  showMessage('text-message', 'text-message-text',
    `${description} is more than the ${fmtBytes(Limits.MAX_TEXT_BYTES)} the playground trains on. ` +
    'Use its first 10 MB, or choose a shorter text.');
  $('text-use-first').hidden = false;
}

function onPaste(e) {
  const text = e.clipboardData ? e.clipboardData.getData('text/plain') : '';
  if (text.length <= Limits.EDITABLE_CHARS) return;   // small enough for the box: let the browser paste it
  e.preventDefault();
  const name = 'The pasted text';
  // UTF-8 needs at least one byte per UTF-16 unit, so a string longer than the cap in units is over it in bytes.
  const fits = text.length <= Limits.MAX_TEXT_BYTES &&
    new TextEncoder().encodeInto(text, new Uint8Array(Limits.MAX_TEXT_BYTES)).read === text.length;
  if (fits) {
    setSource(largeTextSource('paste', name, text, new Blob([text]).size));
  } else {
    offerFirstPart(`${name} (${fmtInt(text.length)} characters)`, () => {
      const cut = firstBytesOfString(text, Limits.MAX_TEXT_BYTES);
      return largeTextSource('paste', 'The first 10 MB of the pasted text', cut, new Blob([cut]).size);
    });
  }
}

async function loadTextFile(file) {
  const over = file.size > Limits.MAX_TEXT_BYTES;
  // Never read more than the cap (plus a few bytes to finish a character): a 2 GB file costs no more than 10 MB.
  const blob = over ? file.slice(0, Limits.MAX_TEXT_BYTES + 4) : file;
  showMessage('text-message', 'text-message-text', `Reading ${file.name}…`, 'info');
  let bytes;
  try {
    bytes = new Uint8Array(await blob.arrayBuffer());
  } catch (e) {
    showMessage('text-message', 'text-message-text', `${file.name} could not be read (${e.message}).`);
    return;
  }
  if (over) bytes = firstBytesOfUtf8(bytes, Limits.MAX_TEXT_BYTES);
  let reply;
  try {
    reply = await client.request(Req.INSPECT, gen, { bytes, config: configText() });
  } catch (e) {
    if (e.reset) return;
    // Empty file, one distinct character, ...: the engine's message says what is wrong.
    showMessage('text-message', 'text-message-text', `${file.name}: ${sentence(e.message)}`);
    return;
  }
  if (reply.problem) {
    const pct = Math.max(reply.problem.invalidFraction, reply.problem.nulFraction) * 100;
    showMessage('text-message', 'text-message-text',
      `${file.name}: this file does not look like UTF-8 text (${pct < 1 ? pct.toFixed(1) : Math.round(pct)}% of it ` +
      'is not valid text). Choose a plain-text file saved as UTF-8.');
    app.lastError = $('text-message-text').textContent;
    return;
  }
  const make = () => {
    if (!over && bytes.length <= Limits.EDITABLE_CHARS)
      return { kind: 'typed', name: file.name, text: new TextDecoder().decode(bytes) };
    const name = over ? `The first 10 MB of ${file.name}` : file.name;
    return largeTextSource('file', name, bytes, bytes.length);
  };
  if (over) offerFirstPart(`${file.name} (${fmtBytes(file.size)})`, make);
  else {
    showMessage('text-message', 'text-message-text', '');
    setSource(make());
  }
}

let statsTimer = 0;
let statsRequest = 0;
function refreshStats() {
  clearTimeout(statsTimer);
  statsTimer = setTimeout(async () => {
    if (!client) return;
    const mine = ++statsRequest;   // only the latest request's answer is shown
    let problem = null;
    try {
      const reply = await client.request(Req.INSPECT, gen, { ...currentText(), config: configText() });
      if (mine !== statsRequest) return;
      textStats = reply.stats;
      if (reply.problem) problem = 'This text does not look like UTF-8 text: much of it is not valid UTF-8.';
      // An information note (e.g. "model size set for this preset") stays until the text changes.
      if (!oversize && !$('text-message').classList.contains('info')) showMessage('text-message', 'text-message-text', problem || '');
    } catch (e) {
      if (e.reset || mine !== statsRequest) return;
      textStats = null;
      problem = sentence(e.message);   // empty text, a single distinct character, ...
      if (!oversize) showMessage('text-message', 'text-message-text', problem);
    }
    app.stats = textStats;
    renderStats();
    renderModelSize();
  }, 200);
}

function renderStats() {
  const s = textStats;
  if (!s) {
    for (const id of ['stat-chars', 'stat-vocab', 'stat-train', 'stat-val']) $(id).textContent = '—';
    $('stat-detail').textContent = '';
    return;
  }
  $('stat-chars').textContent = fmtInt(s.chars);
  $('stat-vocab').textContent = fmtInt(s.vocabSize);
  const total = Math.max(1, s.trainChars + s.valChars);
  $('stat-train').textContent = `${fmtInt(s.trainChars)} (${Math.round((100 * s.trainChars) / total)}%)`;
  $('stat-val').textContent = `${fmtInt(s.valChars)} (${Math.round((100 * s.valChars) / total)}%)`;
  const notes = [fmtBytes(s.bytes) + ' of UTF-8'];
  if (s.collapsedDistinct > 0)
    notes.push(`${fmtInt(s.collapsedDistinct)} rare characters (${fmtInt(s.collapsedOccurrences)} occurrences) share ` +
               'one symbol, because the vocabulary is capped');
  if (s.invalidReplaced > 0) notes.push(`${fmtInt(s.invalidReplaced)} invalid UTF-8 sequences replaced by �`);
  $('stat-detail').textContent = notes.join(' · ') + '.';
}

// ---------------------------------------------------------------------------------------------------------------
// Settings panel: size, memory, warnings, validation by the engine

let configTimer = 0;
function onConfigChanged({ stats = false } = {}) {
  updateConditionalFields();
  renderModelSize();
  renderPendingNote();
  clearTimeout(configTimer);
  configTimer = setTimeout(async () => {
    if (!client) return;
    try {
      await client.request(Req.CHECK_CONFIG, gen, { config: configText() });
      configError = null;
    } catch (e) {
      if (e.reset) return;
      configError = sentence(e.message);
    }
    $('config-error').hidden = !configError;
    $('config-error').textContent = configError || '';
    if (!configError && model && (state === 'training' || state === 'paused')) {
      maybeApplyLr();
      maybeApplyClip();
    }
    if (stats) refreshStats();
  }, 200);
}

async function maybeApplyLr() {
  const lr = Number($('cfg-lr').value);
  if (!Number.isFinite(lr) || Math.abs(lr - model.lr) <= 1e-6 * Math.abs(model.lr)) return;
  try {
    const reply = await client.request(Req.SET_LR, gen, { lr });
    model.lr = lr;
    recordEdit(reply, { kind: 'lr', lr });
    trainMessage(`Learning rate changed to ${fmtLr(lr)}.`, 'info');
  } catch (e) {
    if (!e.reset) trainMessage(sentence(e.message));
  }
}

// Clipping applies to the running model at once, so turning it off shows its effect in the gradient-norm view.
let clipRequest = null;
async function maybeApplyClip() {
  const cfg = parseConfigText(model.config);
  const mode = $('cfg-clip').value;
  const value = mode === 'none' ? Number(cfg.clip_value) : Number($('cfg-clip-value').value);
  const same = mode === cfg.clip && Math.abs(value - Number(cfg.clip_value)) <= 1e-6 * Math.abs(value);
  if (same || !Number.isFinite(value) || clipRequest) return;
  const mine = (clipRequest = client.request(Req.SET_CLIP, gen, { mode, value }));
  try {
    const reply = await mine;
    if (reply.gen !== gen) return;
    model.config = reply.config;
    app.modelConfig = reply.config;
    gradNorm.setClip(mode, value, app.step);
    recordEdit(reply, { kind: 'clip', mode, value });
    trainMessage(mode === 'none' ? `Gradient clipping is off from step ${fmtInt(app.step)} on.`
      : `Gradient clipping ${mode === 'norm' ? 'by global norm' : 'by value'} at ${value} from step ${fmtInt(app.step)} on.`,
      'info');
  } catch (e) {
    if (!e.reset) trainMessage(sentence(e.message));
  } finally {
    clipRequest = null;
  }
  maybeApplyClip();   // the form may have changed again meanwhile
}

// The gradient-norm view's switch: the same as choosing in the form's "Gradient clipping" box.
function setClippingFromView(on) {
  const sel = $('cfg-clip');
  if (on === (sel.value !== 'none')) return;
  sel.value = on ? lastClipMode : 'none';
  onConfigChanged();
  if (!model) showFormClipping();
}

// Without a model the view shows what the next one will use.
function showFormClipping() {
  gradNorm.setClip($('cfg-clip').value, Number($('cfg-clip-value').value));
}

function showModelClipping() {
  const cfg = parseConfigText(model.config);
  gradNorm.setClip(cfg.clip, Number(cfg.clip_value));
}

function renderModelSize() {
  const v = formValues();
  const ul = $('config-warnings');
  ul.replaceChildren();
  const numeric = ['layers', 'hidden', 'embed', 'unroll', 'batch'].every((k) => v[k] !== '' && Number.isFinite(Number(v[k])));
  if (!numeric || !textStats) {
    $('model-size').textContent = textStats ? '—' : 'Parameters and memory appear once there is a text.';
    return;
  }
  const V = textStats.vocabSize;
  const P = parameterCount(v, V);
  const mem = memoryEstimate(v, V, P, textStats.bytes);
  const B = Number(v.batch), T = Number(v.unroll);
  $('model-size').textContent =
    `${fmtInt(P)} parameters · about ${fmtBytes(mem)} of memory · each step reads ${fmtInt(B * T)} characters`;
  app.parameterEstimate = P;
  const add = (kind, text) => {
    const li = document.createElement('li');
    li.className = kind;
    li.textContent = text;
    ul.append(li);
  };
  const train = textStats.trainChars;
  const ratio = P / Math.max(1, train);
  if (ratio > 10) {
    add('warn', `Too big for this text: ${fmtInt(P)} parameters for ${fmtInt(train)} training characters. ` +
      'A rule of thumb is that parameters should not greatly exceed training characters; this model will memorize ' +
      'the text rather than learn its patterns. Use fewer hidden units or layers, or a longer text.');
  } else if (ratio > 2) {
    add('note', `${fmtInt(P)} parameters for ${fmtInt(train)} training characters: the model is larger than the ` +
      'text and will start to memorize it after a while. Watch the validation loss: when it stops falling, ' +
      'further training only memorizes.');
  }
  if (train < B * T + 1)
    add('warn', `The training part of the text (${fmtInt(train)} characters) is shorter than batch × unroll + 1 = ` +
      `${fmtInt(B * T + 1)}. Use a smaller batch or unroll, or a longer text.`);
  if (mem > 1024 ** 3) {
    add('warn', `Too big for a browser: about ${fmtBytes(mem)} of memory, more than a tab can usually give ` +
      'WebAssembly (2 GB at most, much less on phones). Use a smaller model, batch or unroll.');
  } else if (mem > 300 * 1024 ** 2) {
    add('note', `About ${fmtBytes(mem)} of memory: phones and small devices may run out.`);
  }
  const embedParams = Number(v.embed) > 0 ? V * Number(v.embed) : 0;
  const stepSeconds = (6 * (P - embedParams) * B * T) / 8e9;   // ~8 GFLOP/s measured for this engine in Chromium
  if (stepSeconds > 1)
    add('warn', `Slow in a browser: each training step will take about ${stepSeconds.toFixed(0)} s on a typical ` +
      'laptop. Training stays responsive, but learning will look slow; a smaller model learns faster here.');
}

// Settings that differ from the model's take effect only on Reset (a new model); the learning rate and the
// clipping apply at once (maybeApplyLr, maybeApplyClip).
function pendingChanges() {
  if (!model) return [];
  const cfg = parseConfigText(model.config);
  const v = formValues();
  const changed = [];
  for (const key of Object.values(FIELDS)) {
    if (key === 'lr' || key === 'clip' || key === 'clip_value') continue;   // applied at once
    let mine = v[key], theirs = cfg[key];
    if (key === 'val_percent') { mine = Number(v.val_percent) / 100; theirs = cfg.val_fraction; }
    if (theirs === undefined) continue;
    const a = Number(mine), b = Number(theirs);
    const same = Number.isFinite(a) && Number.isFinite(b) && String(theirs).trim() !== ''
      ? Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b))
      : String(mine) === String(theirs);
    if (!same) changed.push(LABELS[key] || key);
  }
  return changed;
}

function renderPendingNote() {
  const note = $('pending-note');
  if (!model) { note.hidden = true; return; }
  const parts = [];
  const changed = pendingChanges();
  if (changed.length) parts.push(`Changed settings (${changed.join(', ')}) apply when you press Reset and train a new model.`);
  if (model.sourceVersion === -1) parts.push('This model trains on the text saved in its file; Reset starts a new model on the text above.');
  else if (model.sourceVersion !== sourceVersion) parts.push('The new text is used when you press Reset and train a new model.');
  note.hidden = parts.length === 0;
  note.textContent = parts.join(' ');
}

// ---------------------------------------------------------------------------------------------------------------
// Training

function resetRunView() {
  chart.clear();
  recent = [];
  lastGrad = null;
  rejectedTotal = 0;
  app.step = 0; app.epoch = 0; app.trainBits = null; app.valBits = null; app.valHistory = []; app.charsPerSec = 0;
  app.bestVal = null;
  app.timeline = [];
  $('timeline').replaceChildren();
  $('timeline-empty').hidden = false;
  for (const id of ['st-step', 'st-epoch', 'st-train', 'st-val', 'st-ppl', 'st-speed', 'st-grad', 'st-clip'])
    $(id).textContent = '—';
  $('loss-chart').setAttribute('aria-label', 'Loss chart: no data yet');
  gradNorm.reset();
}

function addValPoint(ev) {
  if (!ev || !Number.isFinite(ev.bitsPerChar)) return;
  app.valHistory.push({ step: ev.step, bits: ev.bitsPerChar });
  app.valBits = ev.bitsPerChar;
  if (!app.bestVal || ev.bitsPerChar < app.bestVal.bits) app.bestVal = { step: ev.step, bits: ev.bitsPerChar };
  chart.addVal(ev.step, ev.bitsPerChar);
  chart.request();
  statusDirty = true;
}

async function startNewModel() {
  // Empty texts, single characters and the like are refused by the engine itself, with its own message.
  if (oversize) { trainMessage('The text is longer than 10 MB: use its first 10 MB (button above) or a shorter text.'); return; }
  trainMessage('');
  const newGen = gen + 1;
  setState('opening');
  let reply;
  try {
    reply = await client.request(Req.OPEN, newGen, { ...currentText(), config: configText() });
  } catch (e) {
    if (e.reset) return;
    setState(model ? 'paused' : 'none');
    trainMessage(sentence(e.message));
    return;
  }
  gen = newGen;
  app.gen = gen;
  model = { ...reply, sourceVersion };
  app.modelConfig = reply.config;
  startRunLog(reply.calls);
  resetRunView();
  showModelClipping();
  addValPoint(reply.eval);
  app.parameterCount = reply.parameterCount;
  setState('training');
  client.send(Req.TRAIN, gen, { stopAt: pauseAtStep() });
  keepRunAcrossReloads();
}

// Once the page's run is checkpointed, a reload should bring back that run (exactly: resume.js), not reopen the
// share link the page was opened with: the link leaves the address (it stays in the Share box and history).
function keepRunAcrossReloads() {
  checkpointNow().then(() => {
    if (isShareHash(location.hash)) history.replaceState(history.state, '', location.href.replace(/#.*$/, ''));
  });
}

function onTrainButton() {
  if (state === 'none') startNewModel();
  else if (state === 'training') {
    setState('pausing');
    client.send(Req.PAUSE, gen);
  } else if (state === 'paused') {
    trainMessage('');
    setState('training');
    client.send(Req.TRAIN, gen, { stopAt: pauseAtStep() });
  }
}

// The step "Pause at step" asks training to pause at (0: none). A value that cannot be used is said in the
// training message (as information: training goes on) rather than stopping the run.
function pauseAtStep() {
  const field = $('pause-at');
  const { stopAt, problem } = readPauseAt(field.value, field.validity.badInput, app.step);
  field.setAttribute('aria-invalid', problem ? 'true' : 'false');
  if (problem) trainMessage(problem, 'info');
  return stopAt;
}

// A new value applies to the run under way, from its next chunk.
function onPauseAtChanged() {
  if (state !== 'training') {
    const field = $('pause-at');
    field.setAttribute('aria-invalid', 'false');
    return;
  }
  trainMessage('');
  client.send(Req.STOP_AT, gen, { stopAt: pauseAtStep() });
}

function onReset() {
  client.restart();
  app.ready = false;
  gen += 1;
  app.gen = gen;
  model = null;
  app.modelConfig = null;
  app.sampling = false;
  $('sample-state').textContent = '';
  trainMessage('');
  resetRunView();
  setState('none');
  $('engine-status').textContent = 'Restarting the engine…';
}

function onProgress(msg) {
  for (const r of msg.reports) addReport(r);
  gradNorm.add(msg.reports);
  app.step = msg.step;
  app.epoch = msg.epoch;
  app.charsPerSec = msg.charsPerSec;
  // The status line's training loss: the mean over the last 20 accepted steps (one step alone is noisy).
  const last = recent.slice(-20).filter((r) => !r.rejected && r.loss !== null);
  app.trainBits = last.length ? last.reduce((a, r) => a + r.loss, 0) / last.length / Math.LN2 : null;
  addValPoint(msg.eval);
  chart.request();
  statusDirty = true;
  noteProgress();
}

// One train_step call's report, from training or from a replay after a reload.
function addReport(r) {
  const bits = r.loss === null ? NaN : r.loss / Math.LN2;
  app.calls += 1;
  lossLog.bits.push(Number.isFinite(bits) && !r.rejected ? bits : null);
  if (r.rejected) {
    rejectedTotal += 1;
    trainMessage(`Step ${fmtInt(r.step + 1)} was rejected: its loss or gradient was not a finite number, so the ` +
      'weights were kept from the last good step and training went on. If this keeps happening, lower the ' +
      'learning rate or turn on gradient clipping.');
  } else {
    lastGrad = r.gradNorm;
  }
  recent.push(r);
  if (recent.length > 100) recent.shift();
  chart.addTrain(r.step, r.rejected ? NaN : bits);
}

function renderStatus() {
  if (!statusDirty) return;
  statusDirty = false;
  $('st-step').textContent = fmtInt(app.step);
  $('st-epoch').textContent = app.epoch.toFixed(2);
  $('st-train').textContent = app.trainBits === null ? '—' : `${fmtBits(app.trainBits)} bits/char`;
  $('st-val').textContent = app.valBits === null ? '—' : `${fmtBits(app.valBits)} bits/char`;
  if (app.bestVal && app.bestVal.bits < app.valBits - 0.0005) {
    const best = document.createElement('small');
    best.textContent = `best ${fmtBits(app.bestVal.bits)} at step ${fmtInt(app.bestVal.step)}`;
    $('st-val').append(best);
  }
  $('st-ppl').textContent = app.valBits === null ? '—' : fmtPerplexity(Math.pow(2, app.valBits));
  $('st-speed').textContent = app.charsPerSec ? `${fmtInt(app.charsPerSec)} chars/s` : '—';
  $('st-grad').textContent = Number.isFinite(lastGrad) ? lastGrad.toFixed(3) : '—';
  const clipped = recent.filter((r) => r.clipped).length;
  $('st-clip').textContent = recent.length
    ? `${Math.round((100 * clipped) / recent.length)}%` + (rejectedTotal ? ` · ${fmtInt(rejectedTotal)} rejected` : '')
    : '—';
  const parts = [];
  if (app.trainBits !== null) parts.push(`train ${fmtBits(app.trainBits)}`);
  if (app.valBits !== null) parts.push(`validation ${fmtBits(app.valBits)}`);
  $('loss-chart').setAttribute('aria-label',
    `Loss chart in bits per character at step ${fmtInt(app.step)}: ${parts.join(', ') || 'no data yet'}`);
}
setInterval(renderStatus, 250);

function addTimeline(step, text) {
  const li = document.createElement('li');
  const head = document.createElement('span');
  head.className = 'tl-step';
  head.textContent = `step ${fmtInt(step)}`;
  const body = document.createElement('span');
  body.className = 'tl-text';
  body.textContent = text;
  li.append(head, body);
  const list = $('timeline');
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
  list.append(li);
  if (atBottom) list.scrollTop = list.scrollHeight;
  $('timeline-empty').hidden = true;
  app.timeline.push({ step, text });
}

function onReport(msg) {
  if (msg.gen !== gen) return;   // from a model that has since been replaced or reset
  switch (msg.kind) {
    case Rep.PROGRESS:
      if (state === 'training' || state === 'pausing') onProgress(msg);
      break;
    case Rep.TIMELINE:
      addTimeline(msg.step, msg.text);
      break;
    case Rep.PAUSED:
      addValPoint(msg.eval);
      if (state !== 'none') setState('paused');
      if (msg.reason === 'budget')
        trainMessage(`Paused at step ${fmtInt(msg.step)}, as "Pause at step" asked. Resume to train on until you ` +
          'pause (or set a later step first).', 'info');
      break;
    case Rep.DIVERGED: {
      const lower = Math.max(1e-8, msg.lr / 10);
      const clipHint = $('cfg-clip').value === 'none' ? ', and turn on gradient clipping (applies at once)' : '';
      if (msg.reason === 'exploding') {
        const guess = Math.log2(textStats?.vocabSize || 2);
        trainMessage(`Training paused: the loss has exploded to ${fmtBits(msg.bits)} bits/char, far worse than ` +
          `guessing (${fmtBits(guess)} bits/char), so the learning rate (${fmtLr(msg.lr)}) is too high. ` +
          `Lower it${clipHint}. ` +
          (msg.lastGoodStep >= 0 ? `The last good weights are those of step ${fmtInt(msg.lastGoodStep)}.` : ''),
          'error', lower, msg.lastGoodStep >= 0 ? msg.lastGoodStep : null);
      } else {
        trainMessage(`Training paused: ${msg.count} steps in a row were rejected because the loss or a gradient was ` +
          `not a finite number (the model diverged). The weights are still those of step ${fmtInt(msg.step)}. ` +
          `Lower the learning rate (now ${fmtLr(msg.lr)})${clipHint}, then resume.`, 'error', lower);
      }
      break;
    }
    case Rep.ERROR:
      if (!msg.stale) trainMessage(sentence(msg.message));
      break;
    default:
      break;
  }
}

async function onLowerLr() {
  const lr = Number($('lower-lr-button').dataset.lr);
  $('cfg-lr').value = fmtLr(lr);
  const restore = $('lower-lr-button').dataset.restore === '1';
  let reply;
  try {
    reply = await client.request(Req.SET_LR, gen, { lr, restore });
  } catch (e) {
    if (!e.reset) trainMessage(sentence(e.message));
    return;
  }
  model.lr = lr;
  if (reply.restored) {
    staleFrom = reply.edit;   // a replay cannot go back to the same weights: the next checkpoint must hold this
    noteProgress(true);
  } else {
    recordEdit(reply, { kind: 'lr', lr });
  }
  if (restore) {
    app.step = reply.step;
    app.valHistory = app.valHistory.filter((v) => v.step <= reply.step);
    recent = [];
    chart.truncate(reply.step);
    gradNorm.truncate(reply.step);
    statusDirty = true;
  }
  trainMessage(`Learning rate lowered to ${fmtLr(lr)}; training resumed from the last good weights` +
    (restore ? ` (step ${fmtInt(reply.step)}).` : '.'), 'info');
  onConfigChanged();
  if (reply.restored) await checkpointNow();   // before any step is taken from the restored state
  if (state === 'paused') {
    setState('training');
    client.send(Req.TRAIN, gen, { stopAt: pauseAtStep() });
  }
}

// A mid-run change the worker applied after `reply.calls` train_step calls: replayed by exact-step resume.
function recordEdit(reply, edit) {
  runEvents.push({ at: reply.calls, index: reply.edit, ...edit });
  noteProgress(true);
  checkpointNow();
}

// ---------------------------------------------------------------------------------------------------------------
// Sampling

function sampleOptions() {
  const method = $('smp-method').value;
  const seedText = $('smp-seed').value.trim();
  const options = {
    prime: $('smp-prime').value,
    length: Number($('smp-length').value),
    temperature: method === 'argmax' ? 0 : Number($('smp-temp').value),
    topK: method === 'topk' ? Number($('smp-k').value) : 0,
    topP: method === 'topp' ? Number($('smp-p').value) : 1,
    seed: seedText === '' ? Math.floor(Math.random() * 2 ** 31) : Number(seedText),
  };
  if (!Number.isInteger(options.length) || options.length < 1 || options.length > Limits.MAX_SAMPLE_LENGTH)
    return { error: `Length must be a whole number from 1 to ${fmtInt(Limits.MAX_SAMPLE_LENGTH)}.` };
  if (method === 'topk' && !(Number.isInteger(options.topK) && options.topK >= 1))
    return { error: 'k must be a whole number of at least 1.' };
  if (method === 'topp' && !(options.topP > 0 && options.topP <= 1)) return { error: 'p must be above 0 and at most 1.' };
  if (!Number.isInteger(options.seed) || options.seed < 0) return { error: 'The seed must be a whole number (or empty for a random one).' };
  return { options };
}

async function onSample() {
  const { options, error } = sampleOptions();
  if (error) { $('sample-state').textContent = error; return; }
  const out = $('sample-output');
  out.replaceChildren();
  if (options.prime) {
    const prime = document.createElement('span');
    prime.className = 'prime';
    prime.textContent = options.prime;
    out.append(prime);
  }
  const mine = ++sampleRequest;
  app.sampling = true;
  app.sampleDone = false;
  app.sampleText = '';
  renderControls();
  $('copy-button').disabled = true;
  $('sample-state').textContent = 'Sampling…';
  try {
    const done = await client.request(Req.SAMPLE, gen, { options }, {
      onChunk: (text) => {
        if (mine !== sampleRequest) return;
        out.append(text);
        app.sampleText += text;
      },
    });
    if (mine !== sampleRequest) return;
    const skipped = done.primeSkipped ? ` ${fmtInt(done.primeSkipped)} prime characters are not in the vocabulary and were skipped.` : '';
    $('sample-state').textContent = `${fmtInt([...done.text].length)} characters, seed ${options.seed}.${skipped}`;
    app.sampleDone = true;
  } catch (e) {
    if (mine !== sampleRequest) return;
    $('sample-state').textContent = e.reset ? '' : sentence(e.message);
  } finally {
    if (mine === sampleRequest) {
      app.sampling = false;
      $('copy-button').disabled = out.textContent.length === 0;
      renderControls();
    }
  }
}

async function onCopy() {
  const text = $('sample-output').textContent;
  try {
    await navigator.clipboard.writeText(text);
    $('sample-state').textContent = 'Copied to the clipboard.';
  } catch {
    const range = document.createRange();
    range.selectNodeContents($('sample-output'));
    const sel = getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    $('sample-state').textContent = 'Press Ctrl+C (or ⌘C) to copy the selected sample.';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Model files

function download(bytes, name, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function onSaveOrExport(kind) {
  try {
    const reply = await client.request(kind, gen);
    download(reply.bytes, reply.name, reply.type);
    showMessage('file-message', null, `Saved ${reply.name} (${fmtBytes(reply.bytes.length)}).`, 'info');
  } catch (e) {
    if (!e.reset) showMessage('file-message', null, sentence(e.message));
  }
}

async function onLoadModel(file, { restoring = false } = {}) {
  if (state === 'training') {
    setState('pausing');
    client.send(Req.PAUSE, gen);
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  const newGen = gen + 1;
  let reply;
  try {
    reply = await client.request(Req.LOAD, newGen, { bytes }, { transfer: [bytes.buffer] });
  } catch (e) {
    if (e.reset) return;
    if (state === 'pausing') setState('paused');
    showMessage('file-message', null, `${file.name}: ${sentence(e.message)}`);
    return;
  }
  gen = newGen;
  app.gen = gen;
  model = { ...reply, sourceVersion: -1 };
  app.modelConfig = reply.config;
  startRunLog(reply.calls);
  setFormValues(valuesFromConfig(parseConfigText(reply.config)));
  onConfigChanged({ stats: true });
  resetRunView();
  showModelClipping();
  addValPoint(reply.eval);
  app.step = reply.step;
  statusDirty = true;
  setState('paused');
  if (!restoring) checkpointNow();
  showMessage('file-message', null,
    `Loaded ${file.name}: step ${fmtInt(reply.step)}, ${fmtInt(reply.parameterCount)} parameters` +
    (reply.hasText ? `, trained on a text of ${fmtInt(reply.stats.chars)} characters. Press Resume to continue training.`
                   : '. It holds no text, so it can sample but not train.'), 'info');
}

// ---------------------------------------------------------------------------------------------------------------
// Wiring

function onReady(msg) {
  app.ready = true;
  app.simd = msg.simd;
  app.readyAt = performance.now();   // ms since navigation: the start-up figure bench/browser/startup.mjs reports
  $('engine-status').textContent = msg.simd
    ? 'Engine ready: WebAssembly in a background worker.'
    : 'Engine ready, without SIMD: this browser lacks WebAssembly SIMD, so training runs several times slower. ' +
      'A current Chrome, Edge, Firefox or Safari is much faster.';
  renderControls();
  refreshStats();
  onConfigChanged();
}

function onFatal(text) {
  $('engine-status').textContent = text;
  $('engine-status').classList.add('error');
  app.lastError = text;
}

// The person's own model as a run for the comparison (compare.js): its curve so far and a sample made now.
async function currentRun() {
  if (!model || state === 'none' || state === 'opening') throw new Error('No model yet: train one first, then add it.');
  if (!model.hasText) throw new Error('This model has no validation curve (it was loaded without its text).');
  const sample = await client.request(Req.SAMPLE, gen, { options: { length: 240, temperature: 0.8, seed: 1 } });
  return { config: model.config, parameterCount: model.parameterCount, step: app.step,
           curve: app.valHistory.slice(), sample: sample.text };
}

// What storage.js needs to keep the run across reloads (see there and resume.js).
function storageApi() {
  return {
    isReady: () => app.ready,
    snapshot: () => ({ state, gen, step: app.step }),
    saveModel: async () => {
      const reply = await client.request(Req.SAVE, gen);
      return { bytes: reply.bytes, calls: reply.calls, edits: reply.edits };
    },
    history: () => ({
      gen, step: app.step, calls: app.calls,
      text: source && !source.readOnly ? $('text-input').value : null,
      chart: { steps: chart.steps.slice(), raw: chart.raw.slice(), val: chart.val.slice() },
      valHistory: app.valHistory.slice(), timeline: app.timeline.slice(),
    }),
    progress: () => ({
      gen, step: app.step, calls: app.calls, events: runEvents, staleFrom, valHistory: app.valHistory,
      timeline: app.timeline, losses: lossLog,
    }),
    checkpointed: (calls) => {
      // Losses before the stored checkpoint are no longer needed to check a replay.
      const drop = Math.min(lossLog.bits.length, Math.max(0, calls - lossLog.start));
      lossLog = { start: lossLog.start + drop, bits: lossLog.bits.slice(drop) };
    },
    restore: async (record, marker) => {
      if (typeof record.text === 'string') setSource({ kind: 'typed', name: 'Your text', text: record.text });
      const before = gen;
      await onLoadModel(new File([record.bytes], 'the run kept from your last visit'), { restoring: true });
      if (gen === before || !model) return false;
      if (typeof record.text === 'string') model.sourceVersion = sourceVersion;
      const h = record.chart;
      if (h && Array.isArray(h.steps) && Array.isArray(h.raw) && h.steps.length === h.raw.length) {
        chart.steps = h.steps.slice();
        chart.raw = h.raw.slice();
        chart.val = Array.isArray(h.val) ? h.val.slice() : [];
      }
      if (Array.isArray(record.valHistory)) {
        app.valHistory = record.valHistory.slice();
        const last = app.valHistory[app.valHistory.length - 1];
        if (last) app.valBits = last.bits;
      }
      if (Array.isArray(record.timeline)) for (const t of record.timeline) addTimeline(Number(t.step), String(t.text));
      const base = { serial: record.serial, gen, calls: app.calls, edits: 0, valCount: app.valHistory.length,
                     timelineCount: app.timeline.length };
      if (marker && (marker.calls > 0 || marker.events.length > 0)) await replaySince(marker, base);
      app.bestVal = null;
      for (const v of app.valHistory) if (!app.bestVal || v.bits < app.bestVal.bits) app.bestVal = { ...v };
      chart.request();
      statusDirty = true;
      renderPendingNote();
      return { base };
    },
    reset: () => { if (state !== 'none') onReset(); },
  };
}

// After a reload: the worker repeats the calls made since the checkpoint (resume.js), and the page adds what it
// showed then: the same losses (checked), validation points and timeline samples.
async function replaySince(marker, base) {
  const from = app.step;
  trainMessage(`Restoring step ${fmtInt(marker.step)}…`, 'info');
  app.restoring = true;
  setState('opening');   // no Resume before the replay is done
  let reply;
  try {
    reply = await client.request(Req.REPLAY, gen, { calls: marker.calls, events: marker.events }, {
      onChunk: (p) => {
        $('train-message-text').textContent = `Restoring step ${fmtInt(marker.step)}… (${fmtInt(p.step)} so far)`;
      },
    });
  } catch (e) {
    app.restoring = false;
    if (state === 'opening') setState('paused');
    if (!e.reset) trainMessage(`The run is back at step ${fmtInt(from)}, its last save: the steps after it could ` +
      `not be repeated (${e.message}).`);
    return;
  }
  const bits = [];
  for (const r of reply.reports) {
    addReport(r);
    bits.push(lossLog.bits[lossLog.bits.length - 1]);
  }
  gradNorm.add(reply.reports);
  app.step = reply.step;
  app.epoch = reply.epoch;
  runEvents = marker.events.map((e, index) => ({ at: base.calls + e.after, index, kind: e.kind, lr: e.lr, mode: e.mode,
                                                  value: e.value }));
  if (marker.events.some((e) => e.kind === 'clip')) {   // the replayed clipping, in the model, the form and the view
    model.config = reply.config;
    app.modelConfig = reply.config;
    const v = valuesFromConfig(parseConfigText(reply.config));
    $('cfg-clip').value = v.clip;
    $('cfg-clip-value').value = v.clip_value;
    showModelClipping();
  }
  const lrs = marker.events.filter((e) => e.kind === 'lr');
  if (lrs.length) {
    model.lr = lrs[lrs.length - 1].lr;
    $('cfg-lr').value = fmtLr(model.lr);
  }
  for (const v of marker.val) if (Number.isFinite(v.step) && Number.isFinite(v.bits)) addValPoint({ step: v.step, bitsPerChar: v.bits });
  for (const t of marker.timeline) addTimeline(Number(t.step), String(t.text));
  setState('paused');
  app.replayMatched = sameLosses(bits, marker.losses);
  app.replayedEvents = marker.events.length;
  app.restoring = false;
  trainMessage(app.replayMatched
    ? `Restored at step ${fmtInt(app.step)}, where the page was: the last save was at step ${fmtInt(from)}, and the ` +
      `${fmtInt(reply.reports.length)} steps since were repeated exactly. Press Resume to train on.`
    : `Restored at step ${fmtInt(app.step)}, but the repeated steps did not give the losses shown before the ` +
      'reload, so training on may differ from the run you had.', app.replayMatched ? 'info' : 'error');
}

// --- Share links (share.js) ---

// The current model as a share link may carry it, or null without one.
function linkModel() {
  if (!model || !(state === 'training' || state === 'paused' || state === 'pausing')) return null;
  const values = valuesFromConfig(parseConfigText(model.config));
  values.lr = String(Number(model.lr.toPrecision(6)));
  return { values, step: app.step, bytes: model.linkWeightsBytes, pending: pendingChanges() };
}

// Rounds the model to the link's precision in place (between training chunks) and returns the payload.
async function roundForLink(text) {
  const reply = await client.request(Req.LINK_WEIGHTS, gen, { text });
  recordEdit(reply, { kind: 'round' });
  return reply;
}

// A link's weights: a model on the link's text and settings (already on the page), ready to sample at the step the
// sender shared. Resolves to { ok: true, step } or { ok: false, message }.
async function openLinkModel(weights) {
  while (!app.ready) await new Promise((r) => setTimeout(r, 50));
  const newGen = gen + 1;
  const previous = state;
  setState('opening');
  let reply;
  try {
    reply = await client.request(Req.OPEN, newGen, { ...currentText(), config: configText(), linkWeights: weights });
  } catch (e) {
    if (state === 'opening') setState(model ? previous : 'none');
    return { ok: false, message: sentence(e.message) };
  }
  gen = newGen;
  app.gen = gen;
  model = { ...reply, sourceVersion };
  app.modelConfig = reply.config;
  app.parameterCount = reply.parameterCount;
  startRunLog(reply.calls);
  resetRunView();
  addValPoint(reply.eval);
  app.step = reply.step;
  statusDirty = true;
  setState('paused');
  keepRunAcrossReloads();
  return { ok: true, step: reply.step, valBits: reply.eval ? reply.eval.bitsPerChar : null };
}

function init() {
  client = new EngineClient({ onReport, onReady, onFatal, onStart: () => { app.worker += 1; },
                             createWorker: engineWorker });
  gradNorm = initGradNorm({ store, setClipping: setClippingFromView });
  // Section 6, Look inside (inspect.js): its requests go to the current model.
  initInspect({ store, request: (op, args) => client.request(Req.LOOK, gen, { op, args }), currentGen: () => gen });
  // Section 7, Compare runs (compare.js): its own worker, this page's text and settings, and the person's model.
  initCompare({ store, text: currentText, config: (cell) => configText({ ...formValues(), cell }), currentRun });

  for (const b of document.querySelectorAll('.preset')) b.addEventListener('click', () => choosePreset(b.dataset.preset));
  $('file-button').addEventListener('click', () => $('file-input').click());
  $('file-input').addEventListener('change', (e) => {
    const f = e.target.files[0];
    e.target.value = '';
    if (f) loadTextFile(f);
  });
  const ta = $('text-input');
  ta.addEventListener('paste', onPaste);
  ta.addEventListener('input', () => {
    if (source && source.kind !== 'typed') return;
    source = { kind: 'typed', name: 'Your text' };
    sourceVersion += 1;
    oversize = null;
    $('text-use-first').hidden = true;
    if ($('text-message').classList.contains('info')) showMessage('text-message', 'text-message-text', '');
    for (const b of document.querySelectorAll('.preset')) b.setAttribute('aria-pressed', 'false');
    refreshStats();
    renderPendingNote();
  });
  $('text-clear').addEventListener('click', () => {
    setSource({ kind: 'typed', name: 'Your text', text: '' });
    ta.focus();
  });
  $('text-use-first').addEventListener('click', () => {
    if (!oversize) return;
    const next = oversize.make();
    showMessage('text-message', 'text-message-text', '');
    setSource(next);
  });
  const zone = $('drop-zone');
  zone.addEventListener('dragover', (e) => {
    if (![...e.dataTransfer.types].includes('Files')) return;
    e.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (e) => {
    zone.classList.remove('dragging');
    const f = e.dataTransfer.files && e.dataTransfer.files[0];
    if (!f) return;
    e.preventDefault();
    loadTextFile(f);
  });

  for (const id of Object.keys(FIELDS)) {
    const el = $(id);
    // Only the split and the vocabulary cap change the text statistics.
    const stats = id === 'cfg-val' || id === 'cfg-vocab';
    el.addEventListener('input', () => onConfigChanged({ stats }));
    el.addEventListener('change', () => onConfigChanged({ stats }));
  }
  $('config-form').addEventListener('submit', (e) => e.preventDefault());
  $('defaults-button').addEventListener('click', () => {
    setFormValues(DEFAULTS);
    onConfigChanged({ stats: true });
  });

  for (const id of ['cfg-clip', 'cfg-clip-value']) $(id).addEventListener('change', () => {
    if ($('cfg-clip').value !== 'none') lastClipMode = $('cfg-clip').value;
    if (!model) showFormClipping();
  });
  $('train-button').addEventListener('click', onTrainButton);
  $('reset-button').addEventListener('click', onReset);
  $('pause-at').addEventListener('change', onPauseAtChanged);
  $('lower-lr-button').addEventListener('click', onLowerLr);

  $('smp-method').addEventListener('change', updateConditionalFields);
  $('smp-temp').addEventListener('input', () => { $('smp-temp-out').textContent = $('smp-temp').value; });
  $('sample-button').addEventListener('click', onSample);
  $('copy-button').addEventListener('click', onCopy);

  $('save-button').addEventListener('click', () => onSaveOrExport(Req.SAVE));
  $('export-button').addEventListener('click', () => onSaveOrExport(Req.EXPORT));
  $('load-button').addEventListener('click', () => $('load-input').click());
  $('load-input').addEventListener('change', (e) => {
    const f = e.target.files[0];
    e.target.value = '';
    if (f) onLoadModel(f);
  });

  // Test hook: with #testhooks in the address, tests can make the worker report rejected steps (see worker.js).
  if (location.hash.includes('testhooks')) {
    app.debug = {
      simulateRejections: (count) => client.send(Req.DEBUG_REJECT, gen, { count }),
      holdCheckpoints,   // no checkpoints from now on, so a reload has to replay (tests/browser/storage.test.mjs)
    };
  }

  setFormValues(DEFAULTS);
  showFormClipping();
  renderControls();
  // A share link in the address (share.js) brings its own text and settings.
  const fromLink = initShare({
    choosePreset, setSource, setFormValues, formValues, onConfigChanged, linkModel, roundForLink, openLinkModel,
  });
  // A run kept in IndexedDB (storage.js) comes back after a reload, unless a share link asks for another one.
  initStorage(storageApi(), { restoreSaved: !fromLink }).then((restored) => {
    if (!fromLink && !restored) choosePreset('prose', { applySize: false });
  });
}

init();
