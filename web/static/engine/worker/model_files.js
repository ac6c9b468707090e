// Models that come from files, in the worker: opening a model file or a safetensors export (asking for the cell when
// the weights alone cannot tell it), and giving a model loaded without a text the page's text to train on (refused
// when too much of that text is outside the model's vocabulary, unless the person confirmed).
import { Limits, Rep } from '../protocol.js';
import { describe, evaluate, nextTimelineStep, replaceSession, textBytes } from './worker_model.js';

// The cells whose weights have the same shapes (three gate blocks each): a safetensors file of one of them without
// its rnnlab.config metadata loads as any of them, and only one is right (Session::import_safetensors refuses it).
const THREE_GATE_CELLS = ['gru', 'lstm_cifg', 'lstm_nfg'];

// A new session from the page's text and settings, or from a file; it replaces the current one only if it opened.
// extra: more fields for the reply (a model file's own text), with their buffers to transfer.
export function adopt(ctx, msg, next, res, evalIf = true, extra = () => ({ fields: {}, transfer: [] })) {
  if (!res.ok) {
    next.delete();
    return ctx.post(Rep.ERROR, msg.id, msg.gen, { message: res.error });
  }
  replaceSession(ctx, next, res, msg.gen);
  const { fields, transfer } = extra();
  ctx.post(Rep.OPENED, msg.id, ctx.gen, { ...ctx.model, eval: evalIf ? evaluate(ctx) : null, ...fields }, transfer);
}

// A model file's own training text, so the page can show what the model trains on (none: an empty array).
function modelText(ctx) {
  const res = ctx.session.text();
  const bytes = res.ok ? res.bytes : new Uint8Array(0);
  return { fields: { text: bytes }, transfer: [bytes.buffer] };
}

// Told apart by content: safetensors starts with its header's length (u64, little-endian) and then '{' (weights
// only); everything else goes to the model-file reader, which starts with "RNNLAB\x1a\n" and names what is wrong
// with any other file.
function isSafetensors(b) {
  const headerLength = b.length >= 9 ? new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true) : 0n;
  return b.length >= 9 && b[8] === 0x7b && headerLength > 1n && headerLength <= BigInt(b.length - 8);
}

// The cells a refused safetensors file loads as when told the cell: two or more means the file is ambiguous (and
// nothing else is wrong with it), so the person is asked. Each try builds a model and frees it at once.
function cellsThatFit(ctx, bytes) {
  return THREE_GATE_CELLS.filter((cell) => {
    const probe = new ctx.engine.Session();
    const res = probe.importSafetensorsAs(bytes, cell);
    probe.delete();
    return res.ok;
  });
}

// LOAD: { bytes, cell? }. cell: the person's answer to CELL_NEEDED.
export function loadModelFile(ctx, msg) {
  const next = new ctx.engine.Session();
  const safetensors = isSafetensors(msg.bytes);
  let res;
  if (safetensors && msg.cell) res = next.importSafetensorsAs(msg.bytes, String(msg.cell));
  else res = safetensors ? next.importSafetensors(msg.bytes) : next.load(msg.bytes);
  if (!res.ok && safetensors && !msg.cell) {
    const cells = cellsThatFit(ctx, msg.bytes);
    if (cells.length > 1) {
      next.delete();
      return ctx.post(Rep.CELL_NEEDED, msg.id, msg.gen, { cells });
    }
  }
  adopt(ctx, msg, next, res, res.ok && res.stats.valChars > 1 && res.hasText, () => modelText(ctx));
}

// ATTACH_TEXT: { text | bytes, allowOutside }. Counts first and attaches only when the count is acceptable, so a
// refusal leaves the model as it was. The run's coordinates (calls, edits) carry on.
export function attachText(ctx, msg) {
  if (ctx.run) return ctx.post(Rep.ERROR, msg.id, ctx.gen, { message: 'pause training before giving the model a text' });
  const bytes = textBytes(msg);
  const count = ctx.session.outsideVocab(bytes);
  if (!count.ok) return ctx.post(Rep.ERROR, msg.id, ctx.gen, { message: count.error });
  const { outside, chars } = count;
  if (outside > Limits.MAX_OUTSIDE_VOCAB * chars && msg.allowOutside !== true)
    return ctx.post(Rep.OUTSIDE_VOCAB, msg.id, ctx.gen, { outside, chars });
  const res = ctx.session.attachText(bytes);
  if (!res.ok) return ctx.post(Rep.ERROR, msg.id, ctx.gen, { message: res.error });
  const { calls, edits } = ctx.model;
  ctx.model = { ...describe(res), calls, edits };
  ctx.model.nextTimeline = nextTimelineStep(ctx.model.step);
  const evalIf = ctx.model.valChars > 1;
  ctx.post(Rep.OPENED, msg.id, ctx.gen, { ...ctx.model, eval: evalIf ? evaluate(ctx) : null, outside, outsideChars: chars });
}
