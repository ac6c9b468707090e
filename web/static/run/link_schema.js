// Share links: the experiment (settings, sampling options, the text or a preset's name, and optionally the trained
// weights) in the page's #hash. DOM-free on purpose, so the codec runs under node (tests/browser/link_codec.test.mjs).
//
// Format (version 2):  #v=2&cell=lstm&layers=2&...&seed=1&...&preset=prose   or  ...&text=<base64url>   [&w=<base64url>]
// Format (version 3):  version 2's keys (without w=) plus a recipe: calls=&step=&crc=[&edits=] (link_recipe.js), the
//   short link that makes the model again by training, checked against the weights' CRC-32.
//   Every key comes from SCHEMA below: one table drives parsing, clamping and writing. Unknown keys are ignored,
//   missing keys take the default, numbers outside [min, max] are clamped (and reported), anything of the wrong
//   type rejects the whole link. text= is the UTF-8 text compressed with deflate-raw and base64url-encoded.
//   w= (version 2) is the engine's link-weights payload (engine/rnnlab/link_weights.hpp: 8 bits per weight, one
//   scale per row, CRC-32), compressed and encoded the same way. Weights that cannot be used (damaged, too large,
//   a newer format) do not reject the link: its text and settings still open, and weightsProblem says why.
//   Version 1 (no weights) links keep opening through their own decoder.
// Limits (Caps): a link this page makes is at most 1,048,572 characters in all (address, path and #hash), because
// Firefox refuses longer URLs (NS_ERROR_MALFORMED_URI) and the page then never loads to explain; encodeLink is told
// the address (base) so it counts the whole URL. Links up to 2 MiB, Chromium's limit (kMaxURLChars), which older
// pages made, still open where the browser takes them. The text at most 1 MiB; the weights at most 2 MiB before
// compression, and inflating stops there, so a small hostile link cannot expand without bound.
// Nothing from a link is ever executed: values are plain strings and numbers that the page writes with textContent
// and form values only; the weights go to the engine as bytes, which checks them against the link's own model.
//
// decodeLink never throws: it resolves to { ok: true, value } or { ok: false, code, message }.

import { LinkError, base64urlDecode, base64urlEncode, deflate, inflate } from './link_bytes.js';
import { RecipeError, readRecipe, writeRecipe } from './link_recipe.js';

export { LinkError, base64urlDecode, base64urlEncode, deflate, inflate };

export const LINK_VERSION = 3;
export const Caps = Object.freeze({
  MAX_URL_CHARS: 1_048_572,          // the whole URL of a link this page makes (Firefox's limit)
  MAX_HASH_CHARS: 2 * 1024 * 1024,   // the #hash of a link this page opens (Chromium's URL limit)
  MAX_TEXT_BYTES: 1024 * 1024,       // the text, raw UTF-8
  MAX_WEIGHT_BYTES: 2 * 1024 * 1024, // the weights payload before compression
  MAX_PRIME_CHARS: 1000,
});

// The link-weights payload's first bytes (link_weights.hpp) and the newest payload format this page reads.
export const WEIGHTS_MAGIC = 'RNLW';
export const WEIGHTS_VERSION = 1;

export const PRESET_NAMES = Object.freeze(['hello', 'prose', 'code']);

// The one table. type: 'enum' (values), 'int', 'num', 'str' (maxLength); optional: may be empty (then written
// only when set). group: which part of the page a key belongs to ('config' or 'sample').
export const SCHEMA = Object.freeze([
  { key: 'cell', group: 'config', type: 'enum', def: 'lstm',
    values: ['lstm', 'gru', 'rnn', 'lstm_peephole', 'lstm_cifg', 'lstm_nfg'] },
  { key: 'layers', group: 'config', type: 'int', def: 2, min: 1, max: 4 },
  { key: 'hidden', group: 'config', type: 'int', def: 128, min: 1, max: 1024 },
  { key: 'embed', group: 'config', type: 'int', def: 32, min: 0, max: 1024 },
  { key: 'unroll', group: 'config', type: 'int', def: 64, min: 1, max: 1024 },
  { key: 'batch', group: 'config', type: 'int', def: 16, min: 1, max: 256 },
  { key: 'optimizer', group: 'config', type: 'enum', def: 'adam', values: ['adam', 'rmsprop', 'adagrad', 'sgd'] },
  { key: 'lr', group: 'config', type: 'num', def: 0.003, min: 1e-8, max: 10 },
  { key: 'schedule', group: 'config', type: 'enum', def: 'constant', values: ['constant', 'step', 'cosine'] },
  { key: 'step_every', group: 'config', type: 'int', def: 1000, min: 1, max: 100_000_000 },
  { key: 'step_gamma', group: 'config', type: 'num', def: 0.5, min: 1e-6, max: 1 },
  { key: 'cosine_steps', group: 'config', type: 'int', def: 5000, min: 1, max: 100_000_000 },
  { key: 'min_lr_fraction', group: 'config', type: 'num', def: 0.1, min: 0, max: 1 },
  { key: 'clip', group: 'config', type: 'enum', def: 'norm', values: ['norm', 'value', 'none'] },
  { key: 'clip_value', group: 'config', type: 'num', def: 5, min: 1e-6, max: 1e6 },
  { key: 'dropout', group: 'config', type: 'num', def: 0.3, min: 0, max: 0.9 },
  { key: 'seed', group: 'config', type: 'int', def: 1, min: 0, max: Number.MAX_SAFE_INTEGER },
  { key: 'val_percent', group: 'config', type: 'num', def: 10, min: 0, max: 50 },
  { key: 'vocab_max', group: 'config', type: 'int', def: 256, min: 2, max: 8192 },
  { key: 'prime', group: 'sample', type: 'str', def: '', maxLength: Caps.MAX_PRIME_CHARS, optional: true },
  { key: 'length', group: 'sample', type: 'int', def: 500, min: 1, max: 20_000 },
  { key: 'method', group: 'sample', type: 'enum', def: 'temperature', values: ['temperature', 'topk', 'topp', 'argmax'] },
  { key: 'temp', group: 'sample', type: 'num', def: 0.8, min: 0.05, max: 2 },
  { key: 'k', group: 'sample', type: 'int', def: 5, min: 1, max: 8192 },
  { key: 'p', group: 'sample', type: 'num', def: 0.9, min: 0.01, max: 1 },
  { key: 'sseed', group: 'sample', type: 'int', def: '', min: 0, max: Number.MAX_SAFE_INTEGER, optional: true },
]);

const INT_RE = /^\d{1,16}$/;
const NUM_RE = /^\d{1,16}(\.\d{1,16})?(e[-+]?\d{1,3})?$/i;

// One value from a link (or the form) -> { value, clamped } or a LinkError. value is canonical: a number for
// int/num, a string for enum/str, '' for an empty optional.
export function parseValue(field, raw) {
  const s = String(raw).trim();
  if (field.optional && s === '') return { value: '', clamped: false };
  switch (field.type) {
    case 'enum':
      if (!field.values.includes(s)) throw new LinkError('malformed', `${field.key} must be one of ${field.values.join(', ')}.`);
      return { value: s, clamped: false };
    case 'str':
      if (String(raw).length > field.maxLength) throw new LinkError('too_large', `${field.key} is longer than ${field.maxLength} characters.`);
      return { value: String(raw), clamped: false };
    case 'int':
    case 'num': {
      const re = field.type === 'int' ? INT_RE : NUM_RE;
      const n = Number(s);
      if (!re.test(s) || !Number.isFinite(n))
        throw new LinkError('malformed', `${field.key} must be ${field.type === 'int' ? 'a whole number' : 'a number'}.`);
      const v = Math.min(field.max, Math.max(field.min, n));
      return { value: v, clamped: v !== n };
    }
    default:
      throw new LinkError('malformed', `unknown field type for ${field.key}.`);
  }
}

export function defaults() {
  const out = {};
  for (const f of SCHEMA) out[f.key] = f.def;
  return out;
}

// --- writing --------------------------------------------------------------------------------------------------

const TOO_LARGE = 'too large for a link: download the model file instead.';
// For the person who received a link that cannot be opened.
const ASK_FOR_FILE = 'ask whoever sent it for the model file instead.';
const maxLinkChars = () => Caps.MAX_HASH_CHARS.toLocaleString('en-US');

const fmtChars = (n) => n.toLocaleString('en-US');

// The settings and sampling options as link keys, checked as the form would check them.
function settingsParts(values) {
  const parts = [];
  for (const f of SCHEMA) {
    const raw = f.key in values ? values[f.key] : f.def;
    let v, clamped;
    try {
      ({ value: v, clamped } = parseValue(f, raw));
    } catch (e) {
      throw new LinkError('invalid_settings', `The settings have a problem (${e.message}) Fix it before sharing.`);
    }
    if (clamped) {
      throw new LinkError('invalid_settings',
        `The settings have a problem (${f.key} must be between ${f.min} and ${f.max}.) Fix it before sharing.`);
    }
    if (f.optional && v === '') continue;
    parts.push(`${f.key}=${encodeURIComponent(String(v))}`);
  }
  return parts;
}

async function textPart(text, preset) {
  if (preset !== null) {
    if (!PRESET_NAMES.includes(preset)) throw new LinkError('malformed', `unknown preset ${preset}.`);
    return `preset=${preset}`;
  }
  const raw = new TextEncoder().encode(text ?? '');
  if (raw.length > Caps.MAX_TEXT_BYTES)
    throw new LinkError('too_large', `The text (${raw.length} bytes) is ${TOO_LARGE}`);
  return 'text=' + base64urlEncode(await deflate(raw));
}

function recipePart(recipe) {
  try {
    return writeRecipe(recipe);
  } catch (e) {
    if (e instanceof RecipeError) throw new LinkError('invalid_settings', `The steps to make the model again cannot go in a link: ${e.message}.`);
    throw e;
  }
}

// values: { key: string|number } as in the form (missing keys take defaults); text: the training text, or
// preset: a preset's name (used instead of the text); weights: the engine's link-weights payload (optional);
// recipe: { calls, step, crc, events } (link_recipe.js), which makes a format 3 short link (without weights);
// base: the address the #hash goes after (location.href without its hash), counted against Caps.MAX_URL_CHARS.
// Resolves to { ok: true, hash, length, weights } (hash without '#'; length: the whole URL's; weights: 'included',
// 'none', or a sentence saying why they were left out, the link then being made without them) or
// { ok: false, code, message }.
export async function encodeLink({ values = {}, text = null, preset = null, weights = null, recipe = null, base = '' } = {}) {
  try {
    const parts = [`v=${recipe ? 3 : 2}`, ...settingsParts(values), await textPart(text, preset)];
    if (recipe) parts.push(recipePart(recipe));
    const hash = parts.join('&');
    const room = Caps.MAX_URL_CHARS - base.length - 1;   // characters the hash may have after the address and '#'
    if (hash.length > room) {
      throw new LinkError('too_large', `The link would be ${fmtChars(base.length + 1 + hash.length)} characters, ` +
        `longer than the ${fmtChars(Caps.MAX_URL_CHARS)} every browser opens: download the model file instead.`);
    }
    const length = base.length + 1 + hash.length;
    if (!weights || recipe) return { ok: true, hash, length, weights: 'none' };
    const mib = (n) => (n / 1024 / 1024).toFixed(1) + ' MiB';
    if (weights.length > Caps.MAX_WEIGHT_BYTES) {
      return { ok: true, hash, length,
               weights: `the model's weights (${mib(weights.length)} at 8 bits) are over the ${mib(Caps.MAX_WEIGHT_BYTES)} a link may carry` };
    }
    const withWeights = hash + '&w=' + base64urlEncode(await deflate(weights));
    if (withWeights.length > room) {
      return { ok: true, hash, length, weights: `the link with the weights would be ` +
        `${fmtChars(base.length + 1 + withWeights.length)} characters, over the ${fmtChars(Caps.MAX_URL_CHARS)} every browser opens` };
    }
    return { ok: true, hash: withWeights, length: base.length + 1 + withWeights.length, weights: 'included' };
  } catch (e) {
    if (e instanceof LinkError) return { ok: false, code: e.code, message: e.message };
    return { ok: false, code: 'internal', message: 'The link could not be made: ' + String(e && e.message) };
  }
}

// --- reading --------------------------------------------------------------------------------------------------

// A #hash is treated as a share link when it starts with v= (other hashes, such as #testhooks, are not links).
export function isShareHash(hash) {
  return /^#?v=/.test(String(hash));
}

// Version 1. params: URLSearchParams. Resolves to { config, sample, text, preset, clamped: [keys] }.
async function decodeV1(params) {
  const config = {}, sample = {}, clamped = [];
  for (const f of SCHEMA) {
    const raw = params.get(f.key);
    let value = f.def;
    if (raw !== null) {
      const r = parseValue(f, raw);
      value = r.value;
      if (r.clamped) clamped.push(f.key);
    }
    (f.group === 'config' ? config : sample)[f.key] = value;
  }
  const preset = params.get('preset');
  const packed = params.get('text');
  let text = null;
  if (packed !== null) {
    // deflate cannot shrink text more than about 1032:1, so a larger packed text is larger than the cap anyway.
    if (packed.length > Caps.MAX_HASH_CHARS) throw new LinkError('too_large', `The text in the link is too large to open: ${ASK_FOR_FILE}`);
    const bytes = await inflate(base64urlDecode(packed), Caps.MAX_TEXT_BYTES);
    if (bytes === null) throw new LinkError('too_large', `The text in the link is larger than ${Caps.MAX_TEXT_BYTES.toLocaleString('en-US')} bytes: ${ASK_FOR_FILE}`);
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new LinkError('corrupt', 'the text in the link is not valid UTF-8.');
    }
    return { config, sample, text, preset: null, clamped };
  }
  if (preset !== null) {
    if (!PRESET_NAMES.includes(preset)) throw new LinkError('malformed', `unknown preset "${preset.slice(0, 40)}".`);
    return { config, sample, text: null, preset, clamped };
  }
  throw new LinkError('malformed', 'it holds neither a text nor a preset.');
}

// The weights of a version 2 link: the payload's bytes, or a LinkError. Only the container is checked here (it
// decodes, inflates within the cap, starts with the payload's signature and a format this page reads); the engine
// checks the rest against the model the link's settings and text describe.
export async function decodeWeights(packed) {
  const what = 'the weight data in the link';
  if (packed.length > Caps.MAX_HASH_CHARS) throw new LinkError('too_large', `${what} is ${TOO_LARGE}`);
  const bytes = await inflate(base64urlDecode(packed, what), Caps.MAX_WEIGHT_BYTES, what);
  if (bytes === null)
    throw new LinkError('too_large', `${what} is larger than ${Caps.MAX_WEIGHT_BYTES} bytes, more than a link may carry.`);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (bytes.length < 6 || magic !== WEIGHTS_MAGIC) throw new LinkError('corrupt', `${what} is not rnnlab weights.`);
  const version = bytes[4];
  if (version > WEIGHTS_VERSION)
    throw new LinkError('version', `${what} was made by a newer version of rnnlab (weights format ${version}; this page reads format ${WEIGHTS_VERSION}).`);
  if (version === 0) throw new LinkError('corrupt', `${what} is damaged (format version 0).`);
  return bytes;
}

// Version 2: version 1 plus optional weights (w=). A link whose weights cannot be used still opens its text and
// settings; weightsProblem ({ code, message }) says why the weights were left out.
async function decodeV2(params) {
  const value = await decodeV1(params);
  value.weights = null;
  value.weightsProblem = null;
  const packed = params.get('w');
  if (packed !== null) {
    try {
      value.weights = await decodeWeights(packed);
    } catch (e) {
      if (!(e instanceof LinkError)) throw e;
      value.weightsProblem = { code: e.code, message: e.message };
    }
  }
  return value;
}

// Version 3: version 2 plus an optional recipe (link_recipe.js). A recipe that cannot be read does not reject the
// link either: recipeProblem ({ code, message }) says why the model will not be made again.
async function decodeV3(params) {
  const value = await decodeV2(params);
  value.recipe = null;
  value.recipeProblem = null;
  if (params.has('calls') || params.has('crc')) {
    try {
      value.recipe = readRecipe(params);
    } catch (e) {
      if (!(e instanceof RecipeError)) throw e;
      value.recipeProblem = { code: 'corrupt', message: `the steps to make its model again cannot be read: ${e.message}` };
    }
  }
  return value;
}

// Old versions keep their decoder here, so links made by an older page keep working.
const DECODERS = new Map([[1, decodeV1], [2, decodeV2], [3, decodeV3]]);

export async function decodeLink(hash) {
  try {
    let s = String(hash);
    if (s.startsWith('#')) s = s.slice(1);
    if (s.length > Caps.MAX_HASH_CHARS) {
      throw new LinkError('too_large', `This link is longer than the ${maxLinkChars()} characters a link may have: ask ` +
        'whoever sent it for the short link (Share makes one, which trains the model again) or the model file instead.');
    }
    if (!isShareHash(s)) throw new LinkError('not_link', 'this address holds no rnnlab experiment.');
    const params = new URLSearchParams(s);
    const vs = params.get('v');
    if (!/^\d{1,6}$/.test(vs)) throw new LinkError('malformed', 'its format version is not a number.');
    const version = Number(vs);
    const decoder = DECODERS.get(version);
    if (!decoder) {
      throw new LinkError('version', version > LINK_VERSION
        ? `it was made by a newer version of rnnlab (link format ${version}); this page reads format ${LINK_VERSION} and older.`
        : `link format ${version} does not exist.`);
    }
    const value = await decoder(params);
    return { ok: true, version, value };
  } catch (e) {
    if (e instanceof LinkError) return { ok: false, code: e.code, message: e.message };
    return { ok: false, code: 'corrupt', message: 'the link could not be read.' };
  }
}
