// The page side of share links (the codec is link_schema.js): the Share button, and opening a link.
// Everything from a link goes into form values and the text box (value / textContent), never into HTML.
import { Caps, SCHEMA, decodeLink, encodeLink, isShareHash } from './link_schema.js';

const $ = (id) => document.getElementById(id);

// Sampling keys of the schema -> form controls (the config keys use main.js's own field table).
const SAMPLE_FIELDS = {
  prime: 'smp-prime', length: 'smp-length', method: 'smp-method', temp: 'smp-temp', k: 'smp-k', p: 'smp-p',
  sseed: 'smp-seed',
};

let api = null;   // { choosePreset, setSource, setFormValues, formValues, onConfigChanged }

function linkMessage(text, kind = 'error') {
  const box = $('link-message');
  if (!box) return;
  box.hidden = !text;
  box.classList.toggle('error', kind === 'error');
  box.classList.toggle('info', kind === 'info');
  box.textContent = text || '';
  if (window.app) window.app.linkMessage = text || '';
}

function shareMessage(text, kind = 'info') {
  const p = $('share-message');
  p.hidden = !text;
  p.classList.toggle('error', kind === 'error');
  p.classList.toggle('info', kind === 'info');
  p.textContent = text || '';
}

function currentValues() {
  const values = { ...api.formValues() };
  for (const [key, id] of Object.entries(SAMPLE_FIELDS)) values[key] = $(id).value;
  return values;
}

async function onShare() {
  const button = $('share-button');
  button.disabled = true;
  shareMessage('Making the link…');
  try {
    const pressed = document.querySelector('.preset[aria-pressed="true"]');
    const ta = $('text-input');
    const input = { values: currentValues() };
    if (pressed) input.preset = pressed.dataset.preset;
    else if (ta.readOnly) {
      shareMessage('The text is too large for a link: download the model file instead.', 'error');
      return;
    } else input.text = ta.value;
    const r = await encodeLink(input);
    if (!r.ok) {
      $('share-panel').hidden = true;
      shareMessage(r.message, 'error');
      return;
    }
    const url = location.href.replace(/#.*$/, '') + '#' + r.hash;
    const out = $('share-url');
    out.value = url;
    $('share-panel').hidden = false;
    if (window.app) window.app.shareUrl = url;
    let copied = false;
    try {
      await navigator.clipboard.writeText(url);
      copied = true;
    } catch { /* the person can copy from the box */ }
    out.focus();
    out.select();
    const size = url.length.toLocaleString('en-US');
    shareMessage(`Link ready (${size} characters)` + (copied ? ', copied to the clipboard.' : ': press Ctrl+C (or ⌘C) to copy it.') +
      (url.length > 64 * 1024 ? ' Some apps cut long links short; a saved model file travels better.' : '') +
      ($('smp-seed').value.trim() === '' ? ' Set a sample seed to make the samples repeatable too.' : ''));
  } finally {
    button.disabled = false;
  }
}

async function onCopyLink() {
  const out = $('share-url');
  try {
    await navigator.clipboard.writeText(out.value);
    shareMessage('Copied to the clipboard.');
  } catch {
    out.focus();
    out.select();
    shareMessage('Press Ctrl+C (or ⌘C) to copy the selected link.');
  }
}

function formString(field, v) {
  if (v === '') return '';
  if (typeof v !== 'number') return v;
  return field.type === 'int' ? String(v) : String(Number(v.toPrecision(12)));
}

// Fills the page from a link. Resolves once the text and settings are in place (or the defaults, on a bad link).
async function openLink(hash, { initial = false } = {}) {
  const r = await decodeLink(hash);
  if (!r.ok) {
    linkMessage(`This share link could not be opened: ${r.message}` +
      (initial ? ' The page starts with its default settings.' : ' Nothing on the page was changed.'));
    if (initial) await api.choosePreset('prose', { applySize: false });
    return false;
  }
  const { config, sample, text, preset, clamped } = r.value;
  if (preset) await api.choosePreset(preset, { applySize: false });
  else api.setSource({ kind: 'typed', name: 'Text from the link', text });
  const values = {};
  for (const f of SCHEMA) if (f.group === 'config') values[f.key] = formString(f, config[f.key]);
  api.setFormValues(values);
  for (const [key, id] of Object.entries(SAMPLE_FIELDS)) {
    const f = SCHEMA.find((x) => x.key === key);
    $(id).value = formString(f, sample[key]);
  }
  $('smp-temp-out').textContent = $('smp-temp').value;
  $('smp-method').dispatchEvent(new Event('change'));
  api.onConfigChanged({ stats: true });
  linkMessage('Opened a shared experiment: its text and settings are filled in. Press Train to train it' +
    (clamped.length ? `. Out-of-range values were brought into range: ${clamped.join(', ')}.` : '.'), 'info');
  if (window.app) window.app.linkOpened = (window.app.linkOpened || 0) + 1;
  return true;
}

// Called once by main.js. Returns true when the address holds a share link (this module then loads the text).
export function initShare(pageApi) {
  api = pageApi;
  $('share-button').addEventListener('click', onShare);
  $('share-copy').addEventListener('click', onCopyLink);
  window.addEventListener('hashchange', () => {
    if (isShareHash(location.hash)) openLink(location.hash);
  });
  if (!isShareHash(location.hash)) return false;
  openLink(location.hash, { initial: true });
  return true;
}

export { Caps };
