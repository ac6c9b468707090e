// Making the two links Share offers (the codec is run/link_schema.js):
//   the short link: the text (or the preset's name), the settings the model was opened with, and its recipe (how many
//     steps, the mid-run changes, the weights' checksum), so the receiver's page trains the same model again;
//     without a model, or for a model that training cannot make again, the text and settings alone;
//   the instant link: the same with the weights rounded to 8 bits, when they fit in a link every browser opens.
// Making the instant link rounds the page's own model in place (between training chunks), so both pages sample
// the same; that rounding is one more mid-run change in the recipe, so the short link makes the rounded model too.
import { Req } from '../../engine/protocol.js';
import { Caps, encodeLink } from '../../run/link_schema.js';
import { fmtBits, fmtInt } from '../../ui/format.js';

const chars = (n) => n.toLocaleString('en-US');

// The longest #hash a payload of n bytes can need: deflate's stored blocks add 5 bytes per 64 KiB at worst, and
// base64url writes 4 characters per 3 bytes. Below this, the weights always fit, whatever they compress to.
function worstCaseChars(n) {
  return Math.ceil(((n + 5 * Math.ceil(n / 65535) + 16) * 4) / 3) + 3;
}

// Whether the model's weights surely fit an instant link next to `plain` (the link without them), and if not, why.
function weightsFit(m, plain, base) {
  const longest = base.length + 1 + plain.hash.length + worstCaseChars(m.bytes);
  if (m.bytes <= Caps.MAX_WEIGHT_BYTES && longest <= Caps.MAX_URL_CHARS) return { fits: true };
  return { fits: false, why: `No instant link: this model's weights (${fmtInt(m.bytes)} bytes at 8 bits) could make ` +
    `a link of up to ${chars(longest)} characters, more than the ${chars(Caps.MAX_URL_CHARS)} every browser opens. ` +
    'The short link above makes the same model, and Save model gives a file that carries it.' };
}

// The instant link: rounds the model and encodes its weights. Resolves to { url, note, round } or { url: null, note }.
async function instantLink(api, input, m, base) {
  let reply;
  try {
    reply = await api.roundForLink(input.text ?? api.text.typedText());
  } catch (e) {
    return { url: null, note: e.reset ? '' : `No instant link: ${e.message}.` };
  }
  const r = await encodeLink({ ...input, values: { ...input.values, ...m.values }, weights: reply.bytes, base });
  if (!r.ok || r.weights !== 'included')
    return { url: null, round: reply, note: `No instant link: ${r.ok ? r.weights : r.message}. Save model gives a file instead.` };
  const before = reply.before?.bitsPerChar, after = reply.after?.bitsPerChar;
  const cost = Number.isFinite(before) && Number.isFinite(after)
    ? ` (validation ${fmtBits(before)} → ${fmtBits(after)} bits/char)` : '';
  const pending = m.pending.length ? ` It carries the model's own settings, not the changed ones (${m.pending.join(', ')}).` : '';
  api.store.update({ linkRounding: { step: reply.step, before, after } });
  return {
    url: base + '#' + r.hash, round: reply,
    note: `Carries the weights: opens ready to sample, with no training (${chars(r.length)} characters). Weights of ` +
      `step ${fmtInt(reply.step)} rounded to 8 bits for the link, on this page too, so both pages sample the same${cost}.` + pending,
  };
}

// The recipe of the page's model at the call `at` answers for (a CHECKSUM or a rounding reply), or why there is none.
function recipeAt(api, at) {
  const recipe = api.store.get().recipe;
  if (!recipe || recipe.why) return { why: recipe ? recipe.why : 'there is no model' };
  return { values: recipe.values, preset: recipe.preset,
           recipe: { calls: at.calls, step: at.step, crc: at.crc, events: recipe.events.filter((e) => e.at <= at.calls) } };
}

// The short link's text: the preset the model was opened with, or the page's text when the model trains on it.
function recipeText(api, r, input) {
  if (r.preset) return { preset: r.preset };
  const { model, sourceVersion } = api.store.get();
  if (model.sourceVersion !== sourceVersion || input.preset) return null;
  return { text: input.text };
}

async function shortLink(api, input, at, base, why) {
  const r = at ? recipeAt(api, at) : { why };
  const textPart = r.why ? null : recipeText(api, r, input);
  if (r.why || !textPart) {
    const plain = await encodeLink({ ...input, base });
    if (!plain.ok) return { url: null, note: plain.message };
    const reason = r.why || 'the text has changed since the model started';
    return { url: base + '#' + plain.hash, length: plain.length,
             note: api.linkModel() ? `Opens this text and these settings; the receiver presses Train. It cannot make ` +
               `this model again because ${reason}: use the instant link or Save model for that.`
               : 'Opens this text and these settings; the receiver presses Train.' };
  }
  const e = await encodeLink({ values: { ...input.values, ...r.values }, ...textPart, recipe: r.recipe, base });
  if (!e.ok) return { url: null, note: e.message };
  return { url: base + '#' + e.hash, length: e.length, recipe: r.recipe,
           note: `Trains the same model again in the receiver's browser, to step ${fmtInt(r.recipe.step)}, and checks ` +
             `that its weights match these bit for bit (${chars(e.length)} characters: fits chat, mail and a QR code).` };
}

// Both links for the page as it is. input: { values, preset } or { values, text } (the form and the text box).
// Resolves to { short: { url, note, recipe? }, instant: { url, note } | null (no model) }.
export async function makeLinks(api, input) {
  const base = location.href.replace(/#.*$/, '');
  const m = api.linkModel();
  if (!m) return { short: await shortLink(api, input, null, base, 'there is no model'), instant: null };
  const plain = await encodeLink({ ...input, values: { ...input.values, ...m.values }, base });
  const fit = plain.ok ? weightsFit(m, plain, base) : { fits: false, why: `No instant link: ${plain.message}` };
  let instant = { url: null, note: fit.why };
  let at = null;
  if (fit.fits) {
    instant = await instantLink(api, input, m, base);
    at = instant.round || null;
  } else {
    try {
      at = await api.client.request(Req.CHECKSUM, api.store.get().gen);
    } catch { /* the model was replaced meanwhile: the short link carries the text and settings */ }
  }
  const short = await shortLink(api, input, at, base, 'the model changed while the link was made');
  return { short, instant };
}
