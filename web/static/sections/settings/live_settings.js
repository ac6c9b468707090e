// The two settings a person may change on a running model, applied to it at once: the learning rate and gradient
// clipping (so turning clipping off shows its effect in the gradient-norm view). Each change is an edit that exact-step
// resume replays after a reload (hooks.recordEdit).
//
// section: { store, client, hooks: { clipShown, recordEdit, trainMessage }, clipRequest (the one under way, or null) }
import { Req, parseConfigText } from '../../engine/protocol.js';
import { $, sentence } from '../../ui/dom.js';
import { fmtInt, fmtLr } from '../../ui/format.js';

export async function applyLearningRate({ store, client, hooks }) {
  const lr = Number($('cfg-lr').value);
  const m = store.get().model;
  if (!Number.isFinite(lr) || Math.abs(lr - m.lr) <= 1e-6 * Math.abs(m.lr)) return;
  try {
    const reply = await client.request(Req.SET_LR, store.get().gen, { lr });
    store.update({ model: { ...store.get().model, lr } });
    hooks.recordEdit(reply, { kind: 'lr', lr });
    hooks.trainMessage(`Learning rate changed to ${fmtLr(lr)}.`, 'info');
  } catch (e) {
    if (!e.reset) hooks.trainMessage(sentence(e.message));
  }
}

const clipSentence = (mode, value, step) => (mode === 'none'
  ? `Gradient clipping is off from step ${fmtInt(step)} on.`
  : `Gradient clipping ${mode === 'norm' ? 'by global norm' : 'by value'} at ${value} from step ${fmtInt(step)} on.`);

export async function applyClipping(section) {
  const { store, client, hooks } = section;
  const cfg = parseConfigText(store.get().model.config);
  const mode = $('cfg-clip').value;
  const value = mode === 'none' ? Number(cfg.clip_value) : Number($('cfg-clip-value').value);
  const same = mode === cfg.clip && Math.abs(value - Number(cfg.clip_value)) <= 1e-6 * Math.abs(value);
  if (same || !Number.isFinite(value) || section.clipRequest) return;
  section.clipRequest = client.request(Req.SET_CLIP, store.get().gen, { mode, value });
  try {
    const reply = await section.clipRequest;
    if (reply.gen !== store.get().gen) return;
    const step = store.get().step;
    store.update({ model: { ...store.get().model, config: reply.config }, modelConfig: reply.config });
    hooks.clipShown(mode, value, step);
    hooks.recordEdit(reply, { kind: 'clip', mode, value });
    hooks.trainMessage(clipSentence(mode, value, step), 'info');
  } catch (e) {
    if (!e.reset) hooks.trainMessage(sentence(e.message));
  } finally {
    section.clipRequest = null;
  }
  applyClipping(section);   // the form may have changed again meanwhile
}
