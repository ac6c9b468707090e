// The settings form (section 2) as values: which control holds which configuration key, the defaults, and the
// conversions between the form, the engine's configuration text (config_text.hpp) and a model's own configuration.
// Knows the form's element ids and nothing else of the page.
import { $ } from '../../ui/dom.js';

export const DEFAULTS = {
  // Measured on the prose preset in Chromium: readable words after about a minute, and dropout between the two
  // layers keeps the validation loss from climbing steeply once the model starts memorizing the short text.
  cell: 'lstm', layers: '2', hidden: '128', embed: '32', unroll: '64', batch: '16', optimizer: 'adam', lr: '0.003',
  schedule: 'constant', step_every: '1000', step_gamma: '0.5', cosine_steps: '5000', min_lr_fraction: '0.1',
  clip: 'norm', clip_value: '5', dropout: '0.3', seed: '1', val_percent: '10', vocab_max: '256',
};

// Form control id -> config key (config_text.hpp). val_percent is shown in percent and sent as val_fraction.
export const FIELDS = {
  'cfg-cell': 'cell', 'cfg-layers': 'layers', 'cfg-hidden': 'hidden', 'cfg-embed': 'embed', 'cfg-unroll': 'unroll',
  'cfg-batch': 'batch', 'cfg-optimizer': 'optimizer', 'cfg-lr': 'lr', 'cfg-schedule': 'schedule',
  'cfg-step-every': 'step_every', 'cfg-step-gamma': 'step_gamma', 'cfg-cosine-steps': 'cosine_steps',
  'cfg-min-lr': 'min_lr_fraction', 'cfg-clip': 'clip', 'cfg-clip-value': 'clip_value', 'cfg-dropout': 'dropout',
  'cfg-seed': 'seed', 'cfg-val': 'val_percent', 'cfg-vocab': 'vocab_max',
};

// Config key -> how the page names it in sentences.
export const LABELS = {
  cell: 'cell', layers: 'layers', hidden: 'hidden units', embed: 'embedding', unroll: 'unroll', batch: 'batch',
  optimizer: 'optimizer', lr: 'learning rate', schedule: 'schedule', step_every: 'decay interval', step_gamma: 'decay factor',
  cosine_steps: 'decay length', min_lr_fraction: 'final rate', clip: 'clipping', clip_value: 'clip threshold',
  dropout: 'dropout', seed: 'seed', val_percent: 'validation share', vocab_max: 'max distinct characters',
};

export function formValues() {
  const v = {};
  for (const [id, key] of Object.entries(FIELDS)) v[key] = $(id).value.trim();
  return v;
}

export function setFormValues(values) {
  for (const [id, key] of Object.entries(FIELDS)) if (key in values) $(id).value = values[key];
  showConditionalFields();
}

// Fields that only mean something for one schedule or clipping mode are shown only then.
export function showConditionalFields() {
  const schedule = $('cfg-schedule').value;
  for (const el of document.querySelectorAll('[data-for-schedule]')) el.hidden = el.dataset.forSchedule !== schedule;
  $('clip-value-field').hidden = $('cfg-clip').value === 'none';
}

// The form as config_text lines; values go to the engine as typed, so its messages name what is wrong.
export function configText(v = formValues()) {
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
export function valuesFromConfig(cfg) {
  const v = {};
  for (const key of Object.values(FIELDS)) {
    if (key === 'val_percent') v[key] = String(Math.round(Number(cfg.val_fraction) * 1000) / 10);
    else if (key in cfg) v[key] = /^-?[\d.]+(e[-+]?\d+)?$/i.test(cfg[key]) ? String(Number(Number(cfg[key]).toPrecision(6))) : cfg[key];
  }
  return v;
}

// The settings that differ between the form and a model's configuration (names as the page says them).
// modelLr: the rate the model trains with now (a person may have changed it while it trained).
export function differingSettings(modelConfig, modelLr, v = formValues()) {
  const theirs = { ...modelConfig, lr: String(modelLr), val_percent: String(Number(modelConfig.val_fraction) * 100) };
  const changed = [];
  for (const key of Object.values(FIELDS)) {
    if (theirs[key] === undefined || (key === 'clip_value' && v.clip === 'none')) continue;
    if (!sameSetting(v[key], theirs[key])) changed.push(LABELS[key] || key);
  }
  return changed;
}

function sameSetting(mine, theirs) {
  const a = Number(mine), b = Number(theirs);
  if (Number.isFinite(a) && Number.isFinite(b) && String(theirs).trim() !== '' && String(mine).trim() !== '')
    return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
  return String(mine) === String(theirs);
}
