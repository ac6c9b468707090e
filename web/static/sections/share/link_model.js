// What share links need of the page's model: the model as a link may carry it, rounding it for the link (an edit
// exact-step resume replays), and opening a link's weights as the page's model.
//
// Needs: store, client, train (adoptModel, setState, recordEdit, addReports), view (addValPoint, addReplayed), runLog
//   (replaceEvents), text (currentText), settings (configText, differing, values), onNewRun() (keep the new run across
//   reloads).
import { Req, parseConfigText } from '../../engine/protocol.js';
import { sentence } from '../../ui/dom.js';
import { fmtLr } from '../../ui/format.js';
import { valuesFromConfig } from '../settings/form.js';

export function linkModelApi({ store, client, train, view, runLog, text, settings, onNewRun }) {
  const get = () => store.get();
  const hasModel = () => get().model && ['training', 'paused', 'pausing'].includes(get().state);

  // The current model as a share link may carry it, or null without one.
  function linkModel() {
    if (!hasModel()) return null;
    const { model, step } = get();
    const values = valuesFromConfig(parseConfigText(model.config));
    values.lr = String(Number(model.lr.toPrecision(6)));
    return { values, step, bytes: model.linkWeightsBytes, pending: settings.differing() };
  }

  // Rounds the model to the link's precision in place (between training chunks) and returns the payload.
  async function roundForLink(linkText) {
    const reply = await client.request(Req.LINK_WEIGHTS, get().gen, { text: linkText });
    train.recordEdit(reply, { kind: 'round' });
    view.addValPoint(reply.after);   // the rounded model's validation loss, which the status then shows
    return reply;
  }

  // A link's weights: a model on the link's text and settings (already on the page), ready to sample at the step the
  // sender shared. Resolves to { ok: true, step, valBits } or { ok: false, message }.
  async function openLinkModel(weights) {
    while (!get().ready) await new Promise((r) => setTimeout(r, 50));
    const gen = get().gen + 1;
    const previous = get().state;
    train.setState('opening');
    let reply;
    try {
      reply = await client.request(Req.OPEN, gen, { ...text.currentText(), config: settings.configText(), linkWeights: weights });
    } catch (e) {
      if (get().state === 'opening') train.setState(get().model ? previous : 'none');
      return { ok: false, message: sentence(e.message) };
    }
    train.adoptModel(reply, { gen, sourceVersion: get().sourceVersion, step: reply.step });
    train.setState('paused');
    onNewRun();
    return { ok: true, step: reply.step, valBits: reply.eval ? reply.eval.bitsPerChar : null };
  }

  // A short link's model made again: a new model on the link's text and settings (already on the page), trained
  // through the sender's train_step calls with the sender's mid-run changes by the exact-step replay
  // (engine/worker/replay.js), then its weights' checksum taken. onProgress({ done, total, step }).
  // Resolves to { ok: true, step, crc } or { ok: false, message }.
  async function remakeModel(recipe, onProgress) {
    while (!get().ready) await new Promise((r) => setTimeout(r, 50));
    const gen = get().gen + 1;
    const previous = get().state;
    train.setState('opening');
    const from = { values: settings.values(), preset: get().preset };
    try {
      const reply = await client.request(Req.OPEN, gen, { ...text.currentText(), config: settings.configText() });
      train.adoptModel(reply, { gen, sourceVersion: get().sourceVersion, recipe: from });
      train.setState('opening');
      const events = recipe.events.map((e) => ({ after: e.at, kind: e.kind, lr: e.lr, mode: e.mode, value: e.value }));
      const done = await client.request(Req.REPLAY, gen, { calls: recipe.calls, events }, { onChunk: onProgress });
      train.addReports(done.reports);
      view.addReplayed(done);
      runLog.replaceEvents(recipe.events.map((e, index) => ({ ...e, index })));
      showReplayedChanges(recipe.events, done.config);
      const sum = await client.request(Req.CHECKSUM, gen, { evaluate: true });
      // The training loss and the validation loss at the step reached, as after training there.
      view.addProgress({ reports: [], step: done.step, epoch: done.epoch, charsPerSec: 0, eval: sum.eval });
      train.setState('paused');
      onNewRun();
      return { ok: true, step: done.step, crc: sum.crc };
    } catch (e) {
      if (e.reset) return { ok: false, stopped: true };   // stopped (stopRemake), or the engine restarted
      if (get().gen > gen) return { ok: false, superseded: true };   // another link's model replaced this one
      if (get().state === 'opening') train.setState(get().gen === gen ? 'paused' : get().model ? previous : 'none');
      return { ok: false, message: sentence(e.message) };
    }
  }

  // The learning rate and clipping the replayed changes left, in the model and the form (as after a reload).
  function showReplayedChanges(events, config) {
    const lrs = events.filter((e) => e.kind === 'lr');
    const lr = lrs.length ? lrs[lrs.length - 1].lr : get().model.lr;
    store.update({ model: { ...get().model, config, lr }, modelConfig: config });
    const v = valuesFromConfig(parseConfigText(config));
    settings.setValues({ lr: fmtLr(lr), clip: v.clip, clip_value: v.clip_value });
  }

  // Stops making a short link's model: the engine restarts, and the page keeps the link's text and settings.
  const stopRemake = () => train.reset();

  return { linkModel, roundForLink, openLinkModel, remakeModel, stopRemake };
}
