// What storage.js needs from the page to keep the current run across reloads, and to bring it back: the model file,
// the text, the chart and timeline, the progress marker's contents, and after a reload the replay of the steps made
// since the last checkpoint (resume.js), checked against the losses the page showed.
//
// Needs: store, client, runLog, view (run_view.js), and the sections: text (setSource, typedText), files (loadModel),
//   train (setState, trainMessage, reset, addReports), settings (setValues, showClipping via clipShown), sample (show).
// Gives: the object initStorage() takes (see run/storage.js).
import { Req, parseConfigText } from '../engine/protocol.js';
import { fmtInt, fmtLr } from '../ui/format.js';
import { sameLosses } from './resume.js';
import { valuesFromConfig } from '../sections/settings/form.js';

// Structure: this init is a factory whose body is short named functions sharing one run's state (the structure test,
// tests/structure/page_structure.mjs, counts each function's own lines); splitting it into module-level functions
// over an explicit state object, as sections/text does, is the next step when it grows.
export function keptRunApi({ store, client, runLog, view, text, files, train, settings, sample, clipShown }) {
  const get = () => store.get();
  return {
    isReady: () => get().ready,
    snapshot: () => ({ state: get().state, gen: get().gen, step: get().step }),
    // The run's checkpoint: the model and, when one is kept, the best model's file beside it.
    saveModel: async () => {
      const reply = await client.request(Req.SAVE, get().gen, { withBest: true });
      return { bytes: reply.bytes, calls: reply.calls, edits: reply.edits, best: reply.best || null };
    },
    history: () => {
      const s = get();
      const source = s.source;
      return {
        gen: s.gen, step: s.step, calls: s.calls,
        text: source && !source.readOnly ? text.typedText() : null,
        chart: view.chartData(),
        valHistory: s.valHistory.slice(), timeline: s.timeline.slice(),
        sample: s.lastSample,
        recipe: runLog.recipe(),   // a short link's recipe (run_log.js), with the changes up to this checkpoint
      };
    },
    progress: () => {
      const s = get();
      const { events, staleFrom, losses } = runLog.progress();
      return { gen: s.gen, step: s.step, calls: s.calls, events, staleFrom, valHistory: s.valHistory,
               timeline: s.timeline, losses };
    },
    checkpointed: (calls) => runLog.checkpointed(calls),
    restore: (record, marker, label) => restoreRun(record, marker, label),
    reset: () => { if (get().state !== 'none') train.reset(); },
    textName: () => (get().source && get().source.name) || 'Your text',
    // Pauses training and resolves once the worker has paused (a switch to another run checkpoints this one first).
    pause: async () => {
      if (get().state === 'training') {
        train.setState('pausing');
        client.send(Req.PAUSE, get().gen);
      }
      while (get().state === 'pausing' || get().state === 'opening') await new Promise((r) => setTimeout(r, 30));
    },
  };

  async function restoreRun(record, marker, label = 'the run kept from your last visit') {
    const before = get().gen;
    await files.loadModel(new File([record.bytes], label), { restoring: true });
    if (get().gen === before || !get().model) return false;
    runLog.restoreRecipe(record.recipe);
    // The model's own text is in the box now; the person may have changed the box since (their text wins).
    if (typeof record.text === 'string' && record.text !== text.typedText())
      text.setSource({ kind: 'typed', name: record.textName || 'Your text', text: record.text });
    view.setFromHistory(record);
    sample.show(record.sample || null);
    await keepBest(record.best);
    const base = { serial: record.serial, gen: get().gen, calls: get().calls, edits: 0, valCount: get().valHistory.length,
                   timelineCount: get().timeline.length };
    if (marker && (marker.calls > 0 || marker.events.length > 0)) await replaySince(marker, base);
    view.bestFromHistory();
    train.offerBest();
    store.update({ formVersion: (get().formVersion || 0) + 1 });   // the pending note looks again
    return { base };
  }

  // The best model kept with the run goes back to the worker, so "Use the best model" works after a reload.
  async function keepBest(best) {
    if (!best || !(best.bytes instanceof Uint8Array) || !Number.isFinite(best.step)) return;
    try {
      const reply = await client.request(Req.KEEP_BEST, get().gen, { bytes: best.bytes.slice(), step: best.step, bits: best.bits });
      store.update({ bestKept: reply.best });
    } catch (e) {
      if (!e.reset) train.trainMessage(`The best model kept with this run could not be restored (${e.message}).`);
    }
  }

  // After a reload: the worker repeats the calls made since the checkpoint (resume.js), and the page adds what it
  // showed then: the same losses (checked), validation points and timeline samples.
  async function replaySince(marker, base) {
    const from = get().step;
    train.trainMessage(`Restoring step ${fmtInt(marker.step)}…`, 'info');
    store.update({ restoring: true });
    train.setState('opening');   // no Resume before the replay is done
    let reply;
    try {
      reply = await client.request(Req.REPLAY, get().gen, { calls: marker.calls, events: marker.events }, {
        onChunk: (p) => {
          document.getElementById('train-message-text').textContent =
            `Restoring step ${fmtInt(marker.step)}… (${fmtInt(p.step)} so far)`;
        },
      });
    } catch (e) {
      store.update({ restoring: false });
      if (get().state === 'opening') train.setState('paused');
      if (!e.reset) train.trainMessage(`The run is back at step ${fmtInt(from)}, its last save: the steps after it could ` +
        `not be repeated (${e.message}).`);
      return;
    }
    const bits = train.addReports(reply.reports);
    view.addReplayed(reply);
    runLog.replaceEvents(marker.events.map((e, index) => ({ at: base.calls + e.after, index, kind: e.kind, lr: e.lr,
                                                            mode: e.mode, value: e.value })));
    applyReplayedEdits(marker.events, reply.config);
    for (const v of marker.val) if (Number.isFinite(v.step) && Number.isFinite(v.bits)) view.addValPoint({ step: v.step, bitsPerChar: v.bits });
    for (const t of marker.timeline) view.addTimeline(Number(t.step), String(t.text));
    train.setState('paused');
    const matched = sameLosses(bits, marker.losses);
    store.update({ replayMatched: matched, replayedEvents: marker.events.length, restoring: false });
    train.trainMessage(matched
      ? `Restored at step ${fmtInt(get().step)}, where the page was: the last save was at step ${fmtInt(from)}, and the ` +
        `${fmtInt(reply.reports.length)} steps since were repeated exactly. Press Resume to train on.`
      : `Restored at step ${fmtInt(get().step)}, but the repeated steps did not give the losses shown before the ` +
        'reload, so training on may differ from the run you had.', matched ? 'info' : 'error');
  }

  // The replayed clipping and learning rate, in the model, the form and the gradient-norm view.
  function applyReplayedEdits(events, config) {
    if (events.some((e) => e.kind === 'clip')) {
      store.update({ model: { ...get().model, config }, modelConfig: config });
      const v = valuesFromConfig(parseConfigText(config));
      settings.setValues({ clip: v.clip, clip_value: v.clip_value });
      clipShown(v.clip, Number(v.clip_value));
    }
    const lrs = events.filter((e) => e.kind === 'lr');
    if (lrs.length) {
      const lr = lrs[lrs.length - 1].lr;
      store.update({ model: { ...get().model, lr } });
      settings.setValues({ lr: fmtLr(lr) });
    }
  }
}
