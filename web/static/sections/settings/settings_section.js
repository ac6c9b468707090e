// Section 2, "Model and training settings": the form, the engine's verdict on it, the model's size and warnings, and
// the two settings that apply to the running model at once (live_settings.js).
//
// Needs: store (reads stats, model, state, gen, step; writes parameterEstimate, formVersion), client (the page's
//   engine), hooks: { clipShown(mode, value, atStep?) (the gradient-norm view shows it), trainMessage(text, kind),
//   recordEdit(reply, edit) (exact-step resume), refreshStats() (the text section) }.
// Gives: form access (values, setValues, configText), changed() to call after a programmatic change,
//   differing() (settings that apply only to a new model), setClipping(on) for the gradient-norm view's switch,
//   applySize() for a preset, holdsDefaults(keys), showFormClipping().
import { Req, parseConfigText } from '../../engine/protocol.js';
import { $, sentence } from '../../ui/dom.js';
import {
  DEFAULTS, FIELDS, LABELS, configText, differingSettings, formValues, setFormValues, showConditionalFields,
} from './form.js';
import { applyClipping, applyLearningRate } from './live_settings.js';
import { describeModelSize } from './model_size.js';

const CHECK_DELAY_MS = 200;   // the engine checks the form once typing pauses
// The settings a person may change on a running model: they apply at once (and are replayed after a reload).
const LIVE_FIELDS = ['cfg-lr', 'cfg-clip', 'cfg-clip-value'];

const running = (store) => {
  const { model, state } = store.get();
  return Boolean(model) && (state === 'training' || state === 'paused');
};

// Called after every change of the form (typed, or set by the page): size, then the engine's check. stats: the
// change affects the text statistics (validation share, vocabulary cap). live: the person changed the learning
// rate or clipping themselves, which then applies to the running model at once; any other change (a preset, a
// link, a loaded file, Restore defaults) is for the next model only.
function changed(section, { stats = false, live = false } = {}) {
  showConditionalFields();
  renderModelSize(section.store);
  section.store.update({ formVersion: (section.store.get().formVersion || 0) + 1 });   // the pending note listens
  clearTimeout(section.checkTimer);
  section.checkTimer = setTimeout(() => checkAndApply(section, stats, live), CHECK_DELAY_MS);
}

async function checkAndApply(section, stats, live) {
  const { store, client, hooks } = section;
  let error = null;
  try {
    await client.request(Req.CHECK_CONFIG, store.get().gen, { config: configText() });
  } catch (e) {
    if (e.reset) return;
    error = sentence(e.message);
  }
  $('config-error').hidden = !error;
  $('config-error').textContent = error || '';
  if (!error && live && running(store)) {
    applyLearningRate(section);
    applyClipping(section);
  }
  if (stats) hooks.refreshStats();
}

function renderModelSize(store) {
  const stats = store.get().stats;
  const ul = $('config-warnings');
  ul.replaceChildren();
  const size = stats ? describeModelSize(formValues(), stats) : null;
  if (!size) {
    $('model-size').textContent = stats ? '—' : 'Parameters and memory appear once there is a text.';
    return;
  }
  $('model-size').textContent = size.summary;
  store.update({ parameterEstimate: size.P });
  for (const note of size.notes) {
    const li = document.createElement('li');
    li.className = note.kind;
    li.textContent = note.text;
    ul.append(li);
  }
}

// Without a model the gradient-norm view shows what the next one will use.
const showFormClipping = ({ hooks }) => hooks.clipShown($('cfg-clip').value, Number($('cfg-clip-value').value));

// The gradient-norm view's switch: the same as choosing in the form's "Gradient clipping" box.
function setClipping(section, on) {
  const sel = $('cfg-clip');
  if (on === (sel.value !== 'none')) return;
  sel.value = on ? section.lastClipMode : 'none';
  changed(section, { live: true });
  if (!section.store.get().model) showFormClipping(section);
}

// A preset's model size (size: config key -> value; keys it leaves out get the defaults). Returns how the page words
// the sizes set, e.g. ["layers 1", "hidden units 32"], or null when the form already held them.
function applySize(section, size, keys) {
  const values = {};
  for (const k of keys) values[k] = size[k] ?? DEFAULTS[k];
  const before = formValues();
  setFormValues(values);
  const after = formValues();
  changed(section);
  if (!keys.some((k) => before[k] !== after[k])) return null;
  return keys.map((k) => `${LABELS[k]} ${values[k]}`);
}

// On a phone the fields start folded: otherwise Train is about 1,800 px below the top.
function foldOnPhones() {
  if (!matchMedia('(max-width: 600px)').matches) return;
  $('settings-toggle').setAttribute('aria-expanded', 'false');
  $('settings-fields').hidden = true;
}

function wire(section) {
  for (const id of Object.keys(FIELDS)) {
    const stats = id === 'cfg-val' || id === 'cfg-vocab';   // only these change the text statistics
    const live = LIVE_FIELDS.includes(id);
    $(id).addEventListener('input', () => changed(section, { stats, live }));
    $(id).addEventListener('change', () => changed(section, { stats, live }));
  }
  $('config-form').addEventListener('submit', (e) => e.preventDefault());
  $('defaults-button').addEventListener('click', () => {
    setFormValues(DEFAULTS);
    changed(section, { stats: true });
  });
  for (const id of ['cfg-clip', 'cfg-clip-value']) $(id).addEventListener('change', () => {
    if ($('cfg-clip').value !== 'none') section.lastClipMode = $('cfg-clip').value;
    if (!section.store.get().model) showFormClipping(section);
  });
  section.store.subscribe((state, keys) => { if (keys.includes('stats')) renderModelSize(section.store); });
}

export function initSettings({ store, client, hooks }) {
  // lastClipMode: what the gradient-norm view's switch turns back on.
  const section = { store, client, hooks, lastClipMode: 'norm', checkTimer: 0, clipRequest: null };
  wire(section);
  foldOnPhones();
  setFormValues(DEFAULTS);
  const model = () => store.get().model;
  return {
    values: formValues,
    setValues: setFormValues,
    configText,
    changed: (options) => changed(section, options),
    renderModelSize: () => renderModelSize(store),
    setClipping: (on) => setClipping(section, on),
    showFormClipping: () => showFormClipping(section),
    applySize: (size, keys) => applySize(section, size, keys),
    // Whether the form still holds the defaults for these keys (nobody changed them yet).
    holdsDefaults: (keys) => keys.every((k) => formValues()[k] === DEFAULTS[k]),
    differing: () => (model() ? differingSettings(parseConfigText(model().config), model().lr) : []),
  };
}
