// Section 2, "Model and training settings": the form, the engine's verdict on it, the model's size and warnings, and
// the two settings that apply to the running model at once (the learning rate and gradient clipping).
//
// Needs: store (reads stats, model, state, gen, step; writes parameterEstimate), client (the page's engine),
//   hooks: { clipShown(mode, value, atStep?) (the gradient-norm view shows it), trainMessage(text, kind),
//            recordEdit(reply, edit) (exact-step resume), refreshStats() (the text section) }.
// Gives: form access (values, setValues, configText), changed() to call after a programmatic change,
//   differing() (settings that apply only to a new model), setClipping(on) for the gradient-norm view's switch.
import { Req, parseConfigText } from '../../engine/protocol.js';
import { $, sentence } from '../../ui/dom.js';
import { fmtInt, fmtLr } from '../../ui/format.js';
import {
  DEFAULTS, FIELDS, LABELS, configText, differingSettings, formValues, setFormValues, showConditionalFields,
} from './form.js';
import { describeModelSize } from './model_size.js';

const CHECK_DELAY_MS = 200;   // the engine checks the form once typing pauses
// The settings a person may change on a running model: they apply at once (and are replayed after a reload).
const LIVE_FIELDS = ['cfg-lr', 'cfg-clip', 'cfg-clip-value'];

export function initSettings({ store, client, hooks }) {
  let lastClipMode = 'norm';   // what the gradient-norm view's switch turns back on
  let checkTimer = 0;
  let clipRequest = null;
  const model = () => store.get().model;
  const running = () => model() && (store.get().state === 'training' || store.get().state === 'paused');

  // Called after every change of the form (typed, or set by the page): size, then the engine's check. stats: the
  // change affects the text statistics (validation share, vocabulary cap). live: the person changed the learning
  // rate or clipping themselves, which then applies to the running model at once; any other change (a preset, a
  // link, a loaded file, Restore defaults) is for the next model only.
  function changed({ stats = false, live = false } = {}) {
    showConditionalFields();
    renderModelSize();
    store.update({ formVersion: (store.get().formVersion || 0) + 1 });   // the train section's pending note listens
    clearTimeout(checkTimer);
    checkTimer = setTimeout(() => checkAndApply(stats, live), CHECK_DELAY_MS);
  }

  async function checkAndApply(stats, live) {
    let error = null;
    try {
      await client.request(Req.CHECK_CONFIG, store.get().gen, { config: configText() });
    } catch (e) {
      if (e.reset) return;
      error = sentence(e.message);
    }
    $('config-error').hidden = !error;
    $('config-error').textContent = error || '';
    if (!error && live && running()) {
      applyLearningRate();
      applyClipping();
    }
    if (stats) hooks.refreshStats();
  }

  async function applyLearningRate() {
    const lr = Number($('cfg-lr').value);
    const m = model();
    if (!Number.isFinite(lr) || Math.abs(lr - m.lr) <= 1e-6 * Math.abs(m.lr)) return;
    try {
      const reply = await client.request(Req.SET_LR, store.get().gen, { lr });
      store.update({ model: { ...model(), lr } });
      hooks.recordEdit(reply, { kind: 'lr', lr });
      hooks.trainMessage(`Learning rate changed to ${fmtLr(lr)}.`, 'info');
    } catch (e) {
      if (!e.reset) hooks.trainMessage(sentence(e.message));
    }
  }

  // Clipping applies to the running model at once, so turning it off shows its effect in the gradient-norm view.
  async function applyClipping() {
    const cfg = parseConfigText(model().config);
    const mode = $('cfg-clip').value;
    const value = mode === 'none' ? Number(cfg.clip_value) : Number($('cfg-clip-value').value);
    const same = mode === cfg.clip && Math.abs(value - Number(cfg.clip_value)) <= 1e-6 * Math.abs(value);
    if (same || !Number.isFinite(value) || clipRequest) return;
    const gen = store.get().gen;
    const mine = (clipRequest = client.request(Req.SET_CLIP, gen, { mode, value }));
    try {
      const reply = await mine;
      if (reply.gen !== store.get().gen) return;
      const step = store.get().step;
      store.update({ model: { ...model(), config: reply.config }, modelConfig: reply.config });
      hooks.clipShown(mode, value, step);
      hooks.recordEdit(reply, { kind: 'clip', mode, value });
      hooks.trainMessage(mode === 'none' ? `Gradient clipping is off from step ${fmtInt(step)} on.`
        : `Gradient clipping ${mode === 'norm' ? 'by global norm' : 'by value'} at ${value} from step ${fmtInt(step)} on.`,
        'info');
    } catch (e) {
      if (!e.reset) hooks.trainMessage(sentence(e.message));
    } finally {
      clipRequest = null;
    }
    applyClipping();   // the form may have changed again meanwhile
  }

  function renderModelSize() {
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

  // The gradient-norm view's switch: the same as choosing in the form's "Gradient clipping" box.
  function setClipping(on) {
    const sel = $('cfg-clip');
    if (on === (sel.value !== 'none')) return;
    sel.value = on ? lastClipMode : 'none';
    changed({ live: true });
    if (!model()) showFormClipping();
  }

  // Without a model the gradient-norm view shows what the next one will use.
  function showFormClipping() {
    hooks.clipShown($('cfg-clip').value, Number($('cfg-clip-value').value));
  }

  function wire() {
    for (const id of Object.keys(FIELDS)) {
      const stats = id === 'cfg-val' || id === 'cfg-vocab';   // only these change the text statistics
      const live = LIVE_FIELDS.includes(id);
      $(id).addEventListener('input', () => changed({ stats, live }));
      $(id).addEventListener('change', () => changed({ stats, live }));
    }
    $('config-form').addEventListener('submit', (e) => e.preventDefault());
    $('defaults-button').addEventListener('click', () => {
      setFormValues(DEFAULTS);
      changed({ stats: true });
    });
    for (const id of ['cfg-clip', 'cfg-clip-value']) $(id).addEventListener('change', () => {
      if ($('cfg-clip').value !== 'none') lastClipMode = $('cfg-clip').value;
      if (!model()) showFormClipping();
    });
    store.subscribe((state, keys) => { if (keys.includes('stats')) renderModelSize(); });
  }

  // A preset's model size (size: config key -> value; keys it leaves out get the defaults). Returns how the page
  // words the sizes set, e.g. ["layers 1", "hidden units 32"], or null when the form already held them.
  function applySize(size, keys) {
    const values = {};
    for (const k of keys) values[k] = size[k] ?? DEFAULTS[k];
    const before = formValues();
    setFormValues(values);
    const after = formValues();
    changed();
    if (!keys.some((k) => before[k] !== after[k])) return null;
    return keys.map((k) => `${LABELS[k]} ${values[k]}`);
  }

  // On a phone the fields start folded: otherwise Train is about 1,800 px below the top.
  function foldOnPhones() {
    if (!matchMedia('(max-width: 600px)').matches) return;
    $('settings-toggle').setAttribute('aria-expanded', 'false');
    $('settings-fields').hidden = true;
  }

  wire();
  foldOnPhones();
  setFormValues(DEFAULTS);
  return {
    values: formValues,
    setValues: setFormValues,
    configText,
    changed,
    renderModelSize,
    setClipping,
    showFormClipping,
    applySize,
    differing: () => (model() ? differingSettings(parseConfigText(model().config), model().lr) : []),
  };
}
