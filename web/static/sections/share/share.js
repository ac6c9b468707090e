// The page side of share links (the codec is run/link_schema.js): the Share button, and opening a link.
// Everything from a link goes into form values and the text box (value / textContent), never into HTML; its weights
// go to the engine as bytes, which checks them against the model the link's own text and settings describe.
//
// Share offers two links (share_links.js): the short link, which makes the model again by training in the
// receiver's browser and checks the result against the weights' checksum, and the instant link, which carries the
// weights rounded to 8 bits when they fit in a link every browser opens (share_panel.js shows them and the QR code).
// Opening a short link trains its model again with a progress bar (remake.js); opening an instant link samples at once.
import { Caps, SCHEMA, decodeLink, isShareHash } from '../../run/link_schema.js';
import { fmtInt, fmtBits } from '../../ui/format.js';
import { remakeLinkModel } from './remake.js';
import { makeLinks } from './share_links.js';
import { copyBox, copyFromClick, showLinks } from './share_panel.js';

const $ = (id) => document.getElementById(id);

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

// The link the click copies: the short one when it makes the model again (or there is no model), else the
// instant one when there is one.
function linkToCopy({ short, instant }) {
  if (short.recipe || !instant || !instant.url) return short.url ? { url: short.url, which: 'short' } : null;
  return { url: instant.url, which: 'instant' };
}

async function makeShared(api) {
  const { preset, text, tooLarge } = api.text.shareInput();
  if (tooLarge) return { error: 'The text is too large for a link: download the model file instead.' };
  return { links: await makeLinks(api, { values: currentValues(api), ...(preset ? { preset } : { text }) }) };
}

function onShare(api) {
  const button = $('share-button');
  if (button.disabled) return;
  button.disabled = true;
  shareMessage('Making the links…');
  const made = makeShared(api);
  // The copy starts in the click's own task (WebKit allows no later write); it waits for the link.
  const copied = copyFromClick(made.then((m) => (m.links && linkToCopy(m.links)?.url) || null));
  made.then(async ({ links, error }) => {
    if (error || (!links.short.url && !(links.instant && links.instant.url))) {
      $('share-panel').hidden = true;
      shareMessage(error || links.short.note, 'error');
      return;
    }
    const shown = showLinks(links);
    const pick = linkToCopy(links);
    api.store.update({ shareUrl: shown.instantUrl || shown.shortUrl, shortUrl: shown.shortUrl, instantUrl: shown.instantUrl,
                       shareQr: shown.qr, shareWeights: shown.instantUrl ? 'included' : 'none' });
    $(pick.which === 'short' ? 'share-short' : 'share-url').focus();
    // A clipboard that never answers (a permission prompt left open) must not keep the button disabled.
    const ok = await Promise.race([copied, new Promise((r) => setTimeout(() => r(false), 3000))]);
    shareMessage(`Links ready: the ${pick.which} link ` + (ok ? 'is copied to the clipboard.' : 'is selected: press Ctrl+C (or ⌘C) to copy it.') +
      (!api.sample.seedIsSet() ? ' Set a sample seed to make the samples repeatable too.' : ''));
    if (!ok) $(pick.which === 'short' ? 'share-short' : 'share-url').select();
  }).catch((e) => shareMessage('The links could not be made: ' + String(e && e.message), 'error'))
    .finally(() => { button.disabled = false; });
}

async function onCopy(inputId, which) {
  const ok = await copyBox(inputId);
  shareMessage(ok ? `The ${which} link is copied to the clipboard.` : `Press Ctrl+C (or ⌘C) to copy the selected ${which} link.`);
}

function formString(field, v) {
  if (v === '') return '';
  if (typeof v !== 'number') return v;
  return field.type === 'int' ? String(v) : String(Number(v.toPrecision(12)));
}

// The link's text and settings into the page.
async function fillFromLink(api, { config, sample, text, preset }) {
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
}

// An instant link's weights as the page's model. Returns the problem that kept them out, or null.
async function openWeights(api, weights, range) {
  const opened = await api.openLinkModel(weights);
  if (!opened.ok) return opened.message;
  linkMessage(api, `Opened a shared model, trained for ${fmtInt(opened.step)} steps` +
    (Number.isFinite(opened.valBits) ? ` (validation ${fmtBits(opened.valBits)} bits/char)` : '') +
    ': press Sample to sample from it now (the same seed gives the sender\'s sample), or Resume to train it ' +
    'further (the optimizer starts afresh).' + range, 'info');
  return null;
}

// Fills the page from a link. Resolves once the text and settings are in place (or the defaults, on a bad link), and
// the link's model is open or made again.
async function openLink(api, hash, { initial = false } = {}) {
  const r = await decodeLink(hash);
  if (!r.ok) {
    linkMessage(api, `This share link could not be opened: ${r.message}` +
      (initial ? ' The page starts with its default settings.' : ' Nothing on the page was changed.'));
    if (initial) await api.text.choosePreset('prose');
    return false;
  }
  const { clamped, weights = null, weightsProblem = null, recipe = null, recipeProblem = null } = r.value;
  await fillFromLink(api, r.value);
  const range = clamped.length ? ` Out-of-range values were brought into range: ${clamped.join(', ')}.` : '';
  let problem = (weightsProblem || recipeProblem)?.message ?? null;
  if (weights) problem = (await openWeights(api, weights, range)) ?? problem;
  else if (recipe) await remakeLinkModel(api, recipe, (t, kind) => linkMessage(api, t, kind), range);
  if (problem) {
    linkMessage(api, `Opened a shared experiment: its text and settings are filled in, but its ${recipeProblem ? 'model' : 'trained weights'} ` +
      `could not be used: ${problem.replace(/\.?$/, '.')} Press Train to train it.` + range, 'error');
  } else if (!weights && !recipe) {
    linkMessage(api, 'Opened a shared experiment: its text and settings are filled in. Press Train to train it.' + range, 'info');
  }
  api.store.update({ linkOpened: (api.store.get().linkOpened || 0) + 1 });
  return true;
}

// Called once by main.js. Returns true when the address holds a share link (this module then loads the text).
// api: { store, client, text, settings, sample (the sections), linkModel(), roundForLink(text), openLinkModel(weights),
//   remakeModel(recipe, onProgress) } (link_model.js).
export function initShare(api) {
  $('share-button').addEventListener('click', () => onShare(api));
  $('share-short-copy').addEventListener('click', () => onCopy('share-short', 'short'));
  $('share-copy').addEventListener('click', () => onCopy('share-url', 'instant'));
  $('remake-stop').addEventListener('click', () => api.stopRemake());
  window.addEventListener('hashchange', () => {
    if (isShareHash(location.hash)) openLink(api, location.hash);
  });
  if (!isShareHash(location.hash)) return false;
  openLink(api, location.hash, { initial: true });
  return true;
}

export { Caps };
