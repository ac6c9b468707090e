// Section 1, "Text": the presets, typing and pasting, text files (open or drop), the cap on size, and the text's
// statistics from the engine.
//
// Needs: store (writes source, sourceVersion, preset, stats, oversize, lastError; reads gen), client (INSPECT),
//   settings (configText() for the statistics; applySize() for a preset's model size).
// Gives: currentText() (what a new model trains on: { text } or { bytes }), setSource(), setBytes(), choosePreset(),
//   refreshStats(), and shareInput() (what a share link can carry of the text).
import { versioned } from '../../offline/build.js';
import { Limits, Req } from '../../engine/protocol.js';
import { $, sentence, showMessage } from '../../ui/dom.js';
import { fmtBytes, fmtInt } from '../../ui/format.js';
import { PRESETS, SIZE_KEYS } from './presets.js';
import { firstBytesOfString, firstBytesOfUtf8, largeTextSource, stringFits } from './text_limits.js';
import { renderTextStats } from './text_stats.js';

const STATS_DELAY_MS = 200;   // the statistics follow typing once it pauses
const SHAREABLE_BYTES = 2 * 1024 * 1024;   // file texts larger than this are not even decoded for a link

// t: the section's state { store, client, settings, pendingCut (() => source: the first 10 MB of a text over the cap,
//   made on "Use the first 10 MB"), statsTimer, statsRequest (only the latest statistics request's answer is shown),
//   messageFrom (who wrote the message under the text box) }.
// from: who wrote the message ('stats' for the statistics' own verdict on the text): a late statistics reply may only
// replace its own words, never a newer message about a file or a paste.
function message(t, text, kind = 'error', from = 'text') {
  t.messageFrom = text ? from : null;
  showMessage('text-message', 'text-message-text', text, kind);
}
const source = (t) => t.store.get().source;

function currentText(t) {
  const s = source(t);
  if (!s) return { text: '' };
  if (s.bytes) return { bytes: s.bytes };
  if (s.kind === 'typed') return { text: $('text-input').value };
  return { text: s.text };
}

function setSource(t, next) {
  setOversize(t, null);
  const ta = $('text-input');
  let kept = next;
  ta.readOnly = Boolean(next.readOnly);
  ta.value = next.readOnly ? next.preview : next.text ?? '';
  $('text-note').hidden = !next.readOnly;
  if (next.readOnly) $('text-note-text').textContent = next.note;
  else if (next.kind !== 'typed') kept = { kind: 'typed', name: next.name };
  t.store.update({ source: kept, sourceVersion: t.store.get().sourceVersion + 1, preset: next.preset || null });
  markPreset(t, next.preset);
  refreshStats(t);
}

function markPreset(t, name) {
  for (const b of document.querySelectorAll('.preset')) b.setAttribute('aria-pressed', String(b.dataset.preset === name));
}

function setOversize(t, make) {
  t.pendingCut = make;
  $('text-use-first').hidden = !make;
  t.store.update({ oversize: Boolean(make) });
}

// onlyIfUntouched: the page's default text at start-up, which must not replace what a person has already typed (nor
// the size settings they already changed).
async function choosePreset(t, name, { applySize = true, onlyIfUntouched = false } = {}) {
  const preset = PRESETS[name];
  const untouched = () => t.store.get().sourceVersion === 0 && $('text-input').value === '';
  if (onlyIfUntouched && !untouched()) return;
  try {
    const res = await fetch(versioned(preset.file));   // this build's text (offline/build.js)
    if (!res.ok) throw new Error(`${preset.file}: HTTP ${res.status}`);
    const text = await res.text();
    if (onlyIfUntouched && !untouched()) return;   // typed while the preset was on its way
    setSource(t, { kind: 'typed', name: preset.label, preset: name, text });
    if (applySize && (!onlyIfUntouched || t.settings.holdsDefaults(SIZE_KEYS))) {
      const sizes = t.settings.applySize(preset.size, SIZE_KEYS);
      if (sizes) message(t, `Model size set for the ${preset.label.toLowerCase()} text: ${sizes.join(', ')} (${preset.why}).`, 'info');
    }
  } catch (e) {
    message(t, `The preset could not be loaded (${e.message}).`);
  }
}

function offerFirstPart(t, description, make) {
  setOversize(t, make);
  message(t, `${description} is more than the ${fmtBytes(Limits.MAX_TEXT_BYTES)} the playground trains on. ` +
    'Use its first 10 MB, or choose a shorter text.');
}

function onPaste(t, e) {
  const text = e.clipboardData ? e.clipboardData.getData('text/plain') : '';
  if (text.length <= Limits.EDITABLE_CHARS) return;   // small enough for the box: let the browser paste it
  e.preventDefault();
  takeLargeText(t, text, 'The pasted text');
}

// A text too long for the box, however it came (paste, or an input event that put it there): a read-only preview
// when it fits the cap, else the offer to use its first 10 MB.
function takeLargeText(t, text, name) {
  if (stringFits(text)) {
    setSource(t, largeTextSource('paste', name, text, new Blob([text]).size));
    return;
  }
  offerFirstPart(t, `${name} (${fmtInt(text.length)} characters)`, () => {
    const cut = firstBytesOfString(text, Limits.MAX_TEXT_BYTES);
    return largeTextSource('paste', `The first 10 MB of ${name.toLowerCase()}`, cut, new Blob([cut]).size);
  });
}

async function loadTextFile(t, file) {
  const over = file.size > Limits.MAX_TEXT_BYTES;
  // Never read more than the cap (plus a few bytes to finish a character): a 2 GB file costs no more than 10 MB.
  const blob = over ? file.slice(0, Limits.MAX_TEXT_BYTES + 4) : file;
  message(t, `Reading ${file.name}…`, 'info');
  let bytes;
  try {
    bytes = new Uint8Array(await blob.arrayBuffer());
  } catch (e) {
    message(t, `${file.name} could not be read (${e.message}).`);
    return;
  }
  if (over) bytes = firstBytesOfUtf8(bytes, Limits.MAX_TEXT_BYTES);
  if (!(await looksLikeText(t, file.name, bytes))) return;
  const make = () => {
    if (!over && bytes.length <= Limits.EDITABLE_CHARS)
      return { kind: 'typed', name: file.name, text: new TextDecoder().decode(bytes) };
    return largeTextSource('file', over ? `The first 10 MB of ${file.name}` : file.name, bytes, bytes.length);
  };
  if (over) {
    offerFirstPart(t, `${file.name} (${fmtBytes(file.size)})`, make);
  } else {
    message(t, '');
    setSource(t, make());
  }
}

// The engine's verdict on a file's bytes: an empty file, one distinct character, or not UTF-8 text at all.
async function looksLikeText(t, name, bytes) {
  let reply;
  try {
    reply = await t.client.request(Req.INSPECT, t.store.get().gen, { bytes, config: t.settings.configText() });
  } catch (e) {
    if (!e.reset) message(t, `${name}: ${sentence(e.message)}`);
    return false;
  }
  if (!reply.problem) return true;
  const pct = Math.max(reply.problem.invalidFraction, reply.problem.nulFraction) * 100;
  message(t, `${name}: this file does not look like UTF-8 text (${pct < 1 ? pct.toFixed(1) : Math.round(pct)}% of it ` +
    'is not valid text). Choose a plain-text file saved as UTF-8.');
  t.store.update({ lastError: $('text-message-text').textContent });
  return false;
}

function refreshStats(t) {
  clearTimeout(t.statsTimer);
  t.statsTimer = setTimeout(() => askStats(t), STATS_DELAY_MS);
}

async function askStats(t) {
  if (!t.client) return;
  const mine = ++t.statsRequest;   // only the latest request's answer is shown
  let stats = null;
  try {
    const reply = await t.client.request(Req.INSPECT, t.store.get().gen, { ...currentText(t), config: t.settings.configText() });
    if (mine !== t.statsRequest) return;
    stats = reply.stats;
    const problem = reply.problem ? 'This text does not look like UTF-8 text: much of it is not valid UTF-8.' : '';
    // Only the statistics' own earlier verdict is replaced: a note (e.g. "model size set for this preset") stays until
    // the text changes, and a newer message about a file or a paste stays too.
    if (!t.pendingCut && (t.messageFrom === null || t.messageFrom === 'stats')) message(t, problem, 'error', 'stats');
  } catch (e) {
    if (e.reset || mine !== t.statsRequest) return;
    // Empty text, a single distinct character, ...
    if (!t.pendingCut && (t.messageFrom === null || t.messageFrom === 'stats')) message(t, sentence(e.message), 'error', 'stats');
  }
  t.store.update({ stats });
  renderTextStats(stats, t.store.get().preset);
}

function onTyped(t) {
  const s = source(t);
  if (s && s.kind !== 'typed') return;
  const ta = $('text-input');
  if (ta.value.length > Limits.EDITABLE_CHARS) {
    // Text that arrived without a paste event (dropped text, a script, an input method): the same cap applies.
    const text = ta.value;
    ta.value = '';
    takeLargeText(t, text, 'The typed text');
    return;
  }
  setOversize(t, null);
  t.store.update({ source: { kind: 'typed', name: 'Your text' }, sourceVersion: t.store.get().sourceVersion + 1, preset: null });
  if (t.messageFrom !== null) message(t, '');   // the text changed: what was said of the previous one is out of date
  markPreset(t, null);
  refreshStats(t);
}

function wireDropZone(t) {
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
    loadTextFile(t, f);
  });
}

function wire(t) {
  for (const b of document.querySelectorAll('.preset')) b.addEventListener('click', () => choosePreset(t, b.dataset.preset));
  $('file-button').addEventListener('click', () => $('file-input').click());
  $('file-input').addEventListener('change', (e) => {
    const f = e.target.files[0];
    e.target.value = '';
    if (f) loadTextFile(t, f);
  });
  const ta = $('text-input');
  ta.addEventListener('paste', (e) => onPaste(t, e));
  ta.addEventListener('input', () => onTyped(t));
  $('text-clear').addEventListener('click', () => {
    setSource(t, { kind: 'typed', name: 'Your text', text: '' });
    ta.focus();
  });
  $('text-use-first').addEventListener('click', () => {
    if (!t.pendingCut) return;
    const next = t.pendingCut();
    message(t, '');
    setSource(t, next);
  });
  wireDropZone(t);
}

// What a share link can carry: the preset's name or the text (the codec refuses a text over its own cap, with
// its own message); tooLarge for a text far over that cap (bytes from a file are not decoded for nothing).
function shareInput(t) {
  const { preset } = t.store.get();
  if (preset) return { preset };
  const s = source(t);
  if (!s || !s.readOnly) return { text: $('text-input').value };
  if (typeof s.text === 'string') return { text: s.text };
  return s.bytes.length <= SHAREABLE_BYTES ? { text: new TextDecoder().decode(s.bytes) } : { tooLarge: true };
}

// UTF-8 bytes as the text (a model file's own text): editable when short, a read-only preview when long.
function setBytes(t, name, bytes) {
  if (bytes.length <= Limits.EDITABLE_CHARS) setSource(t, { kind: 'typed', name, text: new TextDecoder().decode(bytes) });
  else setSource(t, largeTextSource('file', name, bytes, bytes.length));
}

export function initText({ store, client, settings }) {
  const t = { store, client, settings, pendingCut: null, statsTimer: 0, statsRequest: 0, messageFrom: null };
  wire(t);
  return {
    currentText: () => currentText(t),
    setSource: (next) => setSource(t, next),
    setBytes: (name, bytes) => setBytes(t, name, bytes),
    choosePreset: (name, options) => choosePreset(t, name, options),
    refreshStats: () => refreshStats(t),
    shareInput: () => shareInput(t),
    typedText: () => $('text-input').value,
  };
}
