// The page side of share links (the codec is link_schema.js): the Share button, and opening a link.
// Everything from a link goes into form values and the text box (value / textContent), never into HTML; its weights
// go to the engine as bytes, which checks them against the model the link's own text and settings describe.
//
// Weights: with a model on the page, Share rounds that model's own weights to the link's 8 bits (in the worker,
// between training chunks) and puts them in the link, so the sender and the receiver hold the same weights and
// sample the same text for the same seed. The page says what the rounding cost on the validation text. The link
// then carries the model's own settings (the form may hold changes not yet applied). A model too large for a link
// (its worst-case encoded weights would make the whole URL longer than Caps.MAX_HASH_CHARS) is not rounded: the
// link carries the text and settings only, and the page offers the model file instead.
import { Caps, SCHEMA, decodeLink, encodeLink, isShareHash } from '../../run/link_schema.js';
import { fmtInt, fmtBits } from '../../ui/format.js';

const $ = (id) => document.getElementById(id);

const mib = (n) => (n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 2 : 1) + ' MiB';

// The longest #hash a payload of n bytes can need: deflate's stored blocks add 5 bytes per 64 KiB at worst, and
// base64url writes 4 characters per 3 bytes. Below this, the weights always fit, whatever they compress to.
function worstCaseChars(n) {
  return Math.ceil(((n + 5 * Math.ceil(n / 65535) + 16) * 4) / 3) + 3;
}

// The Share button and opening links. api: see initShare.
// The weights for the link, rounding the page's model: { weights, values, note } (weights null when there are none).
async function linkWeights(api, input, text) {
  const m = api.linkModel();
  if (!m) return { weights: null, note: '' };
  const plain = await encodeLink({ ...input, values: { ...input.values, ...m.values } });
  if (!plain.ok) return { weights: null, note: '' };
  // The page's own address comes before the #hash, and Chromium's 2 MiB limit is on the whole URL.
  const address = location.href.replace(/#.*$/, '').length;
  if (m.bytes > Caps.MAX_WEIGHT_BYTES || address + plain.length + worstCaseChars(m.bytes) > Caps.MAX_URL_CHARS) {
    return { weights: null, note: `The model is too large for a link (its 8-bit weights are ${mib(m.bytes)}; a link ` +
      `holds at most ${Caps.MAX_URL_CHARS.toLocaleString("en-US")} characters in all), so the link carries the text and settings only. ` +
      'Save model gives a file that carries the trained model instead.' };
  }
  let reply;
  try {
    reply = await api.roundForLink(text);
  } catch (e) {
    if (e.reset) return { weights: null, note: '' };
    return { weights: null, note: `The link carries no weights: ${e.message}.` };
  }
  const before = reply.before?.bitsPerChar, after = reply.after?.bitsPerChar;
  const cost = Number.isFinite(before) && Number.isFinite(after)
    ? `; validation ${fmtBits(before)} → ${fmtBits(after)} bits/char` : '';
  const pending = m.pending.length ? ` The link carries the model's own settings, not the changed ones (${m.pending.join(', ')}).` : '';
  api.store.update({ linkRounding: { step: reply.step, before, after } });
  return {
    weights: reply.bytes, values: m.values,
    note: `Weights of step ${fmtInt(reply.step)} rounded to 8 bits for the link, on this page too, so both pages ` +
      `sample the same${cost}.${pending}`,
  };
}

function linkMessage(api, text, kind = 'error') {
  const box = $('link-message');
  if (!box) return;
  box.hidden = !text;
  box.classList.toggle('error', kind === 'error');
  box.classList.toggle('info', kind === 'info');
  box.textContent = text || '';
  api.store.update({ linkMessage: text || '' });
}

function shareMessage(text, kind = 'info') {
  const p = $('share-message');
  p.hidden = !text;
  p.classList.toggle('error', kind === 'error');
  p.classList.toggle('info', kind === 'info');
  p.textContent = text || '';
}

function currentValues(api) {
  return { ...api.settings.values(), ...api.sample.values() };
}

async function onShare(api) {
  const button = $('share-button');
  button.disabled = true;
  shareMessage('Making the link…');
  try {
    const { preset, text, tooLarge } = api.text.shareInput();
    if (tooLarge) {
      shareMessage('The text is too large for a link: download the model file instead.', 'error');
      return;
    }
    const input = { values: currentValues(api), ...(preset ? { preset } : { text }) };
    const w = await linkWeights(api, input, input.text ?? api.text.typedText());
    if (w.weights) {
      input.values = { ...input.values, ...w.values };
      input.weights = w.weights;
    }
    const r = await encodeLink(input);
    if (!r.ok) {
      $('share-panel').hidden = true;
      shareMessage(r.message, 'error');
      return;
    }
    let weightsNote = w.note;
    if (w.weights && r.weights !== 'included') {
      weightsNote = `The link carries no weights: ${r.weights}. Save model gives a file that carries the trained ` +
        'model instead.';
    }
    const url = location.href.replace(/#.*$/, '') + '#' + r.hash;
    const out = $('share-url');
    out.value = url;
    $('share-panel').hidden = false;
    api.store.update({ shareUrl: url, shareWeights: r.weights });
    let copied = false;
    try {
      await navigator.clipboard.writeText(url);
      copied = true;
    } catch { /* the person can copy from the box */ }
    out.focus();
    out.select();
    const size = url.length.toLocaleString('en-US');
    shareMessage(`Link ready (${size} characters)` + (copied ? ', copied to the clipboard.' : ': press Ctrl+C (or ⌘C) to copy it.') +
      (weightsNote ? ' ' + weightsNote : '') +
      (url.length > 64 * 1024 ? ' Some apps cut long links short; a saved model file travels better.' : '') +
      (!api.sample.seedIsSet() ? ' Set a sample seed to make the samples repeatable too.' : ''));
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
async function openLink(api, hash, { initial = false } = {}) {
  const r = await decodeLink(hash);
  if (!r.ok) {
    linkMessage(api, `This share link could not be opened: ${r.message}` +
      (initial ? ' The page starts with its default settings.' : ' Nothing on the page was changed.'));
    if (initial) await api.text.choosePreset('prose', { applySize: false });
    return false;
  }
  const { config, sample, text, preset, clamped, weights = null, weightsProblem = null } = r.value;
  if (preset) await api.text.choosePreset(preset, { applySize: false });
  else api.text.setSource({ kind: 'typed', name: 'Text from the link', text });
  const values = {};
  const sampleValues = {};
  for (const f of SCHEMA) {
    if (f.group === 'config') values[f.key] = formString(f, config[f.key]);
    else if (f.key in sample) sampleValues[f.key] = formString(f, sample[f.key]);
  }
  api.settings.setValues(values);
  api.sample.setValues(sampleValues);
  api.settings.changed({ stats: true });
  const range = clamped.length ? ` Out-of-range values were brought into range: ${clamped.join(', ')}.` : '';
  let problem = weightsProblem ? weightsProblem.message : null;
  if (weights) {
    const opened = await api.openLinkModel(weights);
    if (opened.ok) {
      linkMessage(api, `Opened a shared model, trained for ${fmtInt(opened.step)} steps` +
        (Number.isFinite(opened.valBits) ? ` (validation ${fmtBits(opened.valBits)} bits/char)` : '') +
        ': press Sample to sample from it now (the same seed gives the sender\'s sample), or Resume to train it ' +
        'further (the optimizer starts afresh).' + range, 'info');
    } else {
      problem = opened.message;
    }
  }
  if (problem) {
    linkMessage(api, 'Opened a shared experiment: its text and settings are filled in, but its trained weights could not ' +
      `be used: ${problem.replace(/\.?$/, '.')} Press Train to train it.` + range, 'error');
  } else if (!weights) {
    linkMessage(api, 'Opened a shared experiment: its text and settings are filled in. Press Train to train it.' + range, 'info');
  }
  api.store.update({ linkOpened: (api.store.get().linkOpened || 0) + 1 });
  return true;
}


// Called once by main.js. Returns true when the address holds a share link (this module then loads the text).
// api: { store, text, settings, sample (the sections), linkModel(), roundForLink(text), openLinkModel(weights) }.
export function initShare(api) {
  $('share-button').addEventListener('click', () => onShare(api));
  $('share-copy').addEventListener('click', onCopyLink);
  window.addEventListener('hashchange', () => {
    if (isShareHash(location.hash)) openLink(api, location.hash);
  });
  if (!isShareHash(location.hash)) return false;
  openLink(api, location.hash, { initial: true });
  return true;
}

export { Caps };
