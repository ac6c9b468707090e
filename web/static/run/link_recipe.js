// The recipe part of a short link (link format 3): instead of the weights, how to make them again. Training is
// deterministic and bit-identical across browsers, so the link's text, settings and seed, plus how many train_step
// calls the sender made and the mid-run changes at the calls where they happened, give the receiver the very same
// weights; a CRC-32 of those weights (engine/worker/weights_checksum.js) lets the receiver check that they did.
// DOM-free, like link_schema.js, so it runs under node (tests/browser/link_codec.test.mjs).
//
// Keys:  calls=<train_step calls>  step=<the step the sender saw>  crc=<8 hex digits>  [edits=<edit>~<edit>...]
//   edit: l<at>_<learning rate> | c<at>_<norm|value|none>_<value> | r<at>   (at: calls made before it)
//   r is the rounding to 8 bits that making an instant link does to the sender's model (link_weights.hpp).
// Only these characters are used, so the recipe needs no percent-escaping and stays short.

export const RECIPE_CAPS = Object.freeze({
  MAX_CALLS: 100_000_000,
  MAX_EDITS: 1000,
});

const CLIP_MODES = ['norm', 'value', 'none'];
const WHOLE = /^\d{1,9}$/;
const NUMBER = /^\d{1,16}(\.\d{1,17})?(e[-+]?\d{1,3})?$/i;

export class RecipeError extends Error {}

// A number as the shortest text that reads back as the same double.
const num = (x) => String(Number(x));

function editText(e) {
  if (e.kind === 'lr') return `l${e.at}_${num(e.lr)}`;
  if (e.kind === 'clip') return `c${e.at}_${e.mode}_${num(e.value)}`;
  if (e.kind === 'round') return `r${e.at}`;
  throw new RecipeError(`unknown change "${e.kind}"`);
}

// recipe: { calls, step, crc (unsigned 32-bit), events: [{ at, kind: 'lr'|'clip'|'round', lr?, mode?, value? }] }
// -> the link's recipe keys, joined with '&'.
export function writeRecipe({ calls, step, crc, events = [] }) {
  if (!Number.isInteger(calls) || calls < 0 || calls > RECIPE_CAPS.MAX_CALLS) throw new RecipeError('the step count is out of range');
  if (!Number.isInteger(crc) || crc < 0 || crc > 0xffffffff) throw new RecipeError('the checksum is not a 32-bit number');
  if (events.length > RECIPE_CAPS.MAX_EDITS) throw new RecipeError(`more than ${RECIPE_CAPS.MAX_EDITS} mid-run changes`);
  const parts = [`calls=${calls}`, `step=${step}`, `crc=${crc.toString(16).padStart(8, '0')}`];
  if (events.length) parts.push('edits=' + events.map(editText).join('~'));
  return parts.join('&');
}

function parseEdit(s) {
  const m = /^([lcr])(\d{1,9})(?:_(.*))?$/.exec(s);
  if (!m) throw new RecipeError(`a mid-run change ("${s.slice(0, 20)}") is not readable`);
  const at = Number(m[2]);
  const rest = m[3] === undefined ? [] : m[3].split('_');
  if (m[1] === 'r' && rest.length === 0) return { at, kind: 'round' };
  if (m[1] === 'l' && rest.length === 1 && NUMBER.test(rest[0]) && Number(rest[0]) > 0) return { at, kind: 'lr', lr: Number(rest[0]) };
  if (m[1] === 'c' && rest.length === 2 && CLIP_MODES.includes(rest[0]) && NUMBER.test(rest[1]) && Number(rest[1]) > 0)
    return { at, kind: 'clip', mode: rest[0], value: Number(rest[1]) };
  throw new RecipeError(`a mid-run change ("${s.slice(0, 20)}") is not readable`);
}

// params: URLSearchParams of a format 3 link -> { calls, step, crc, events } (events in call order), or a
// RecipeError saying what is wrong.
export function readRecipe(params) {
  const calls = params.get('calls'), step = params.get('step'), crc = params.get('crc'), edits = params.get('edits');
  if (calls === null || !WHOLE.test(calls) || Number(calls) > RECIPE_CAPS.MAX_CALLS) throw new RecipeError('its step count is missing or not a whole number');
  if (crc === null || !/^[0-9a-f]{8}$/i.test(crc)) throw new RecipeError('its weights checksum is missing or damaged');
  const stepN = step !== null && WHOLE.test(step) ? Number(step) : Number(calls);
  const events = [];
  if (edits) {
    const list = edits.split('~');
    if (list.length > RECIPE_CAPS.MAX_EDITS) throw new RecipeError(`it lists more than ${RECIPE_CAPS.MAX_EDITS} mid-run changes`);
    for (const s of list) events.push(parseEdit(s));
  }
  for (const e of events) if (e.at > Number(calls)) throw new RecipeError('a mid-run change comes after the last step');
  events.sort((a, b) => a.at - b.at);
  return { calls: Number(calls), step: stepN, crc: parseInt(crc, 16) >>> 0, events };
}
