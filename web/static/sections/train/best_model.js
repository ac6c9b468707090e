// The best model by validation loss (the worker keeps it: engine/worker/best_watch.js): the "Stop when validation
// stops improving" option, the notice when training stops because the model is memorising its text (or a pause
// finds validation past its best), going back to the best model, how many characters the validation figure is
// over, and the lines under Sample and Model file that say which model they use.
//
// Needs: store (writes bestKept { step, bits } | null and valCoverage { chars, spreadOver } | null; reads step,
//   state, model, valBits), client, runLog, view (truncate, touch), hooks { noteProgress(force), checkpointNow() },
//   resume() and trainMessage() (train_section.js).
// Gives: stopWhenFlat() (the option's value, sent with TRAIN), noteReport(msg) (PROGRESS and PAUSED), onPaused(msg),
//   clear() (a new model).
import { Req } from '../../engine/protocol.js';
import { $, sentence } from '../../ui/dom.js';
import { fmtBits, fmtInt } from '../../ui/format.js';

// Structure: this init is a factory whose body is short named functions sharing one run's state (the structure test,
// tests/structure/page_structure.mjs, counts each function's own lines); splitting it into module-level functions
// over an explicit state object, as sections/text does, is the next step when it grows.
export function initBestModel({ store, client, runLog, view, hooks, resume, trainMessage }) {
  const get = () => store.get();

  function showNotice(text, best) {
    $('best-notice').hidden = !text;
    $('best-notice-text').textContent = text || '';
    if (best) $('use-best-button').textContent = `Use the best model (step ${fmtInt(best.step)})`;
  }

  // Fields every PROGRESS and PAUSED may carry: the best kept so far and what the last validation figure covered.
  function noteReport(msg) {
    if (msg.best !== undefined) store.update({ bestKept: msg.best });
    if (msg.eval && Number.isFinite(msg.eval.chars)) store.update({ valCoverage: { chars: msg.eval.chars, spreadOver: msg.eval.spreadOver } });
  }

  function onPaused(msg) {
    noteReport(msg);
    const best = get().bestKept;
    if (msg.reason === 'memorising' && best) {
      showNotice(`Training stopped at step ${fmtInt(msg.step)}: the validation loss has not improved since step ` +
        `${fmtInt(best.step)} (${fmtBits(best.bits)} bits/char${nowBits()}). The model is memorising its training ` +
        'text rather than learning what carries over to new text. Use the best model, go on training, or leave it ' +
        'stopped.', best);
    } else if (best && best.step !== msg.step && get().valBits !== null && get().valBits > best.bits) {
      showNotice(`Validation was best at step ${fmtInt(best.step)} (${fmtBits(best.bits)} bits/char${nowBits()}).`, best);
    } else {
      showNotice('');
    }
  }

  const nowBits = () => (get().valBits === null ? '' : `; now ${fmtBits(get().valBits)}`);

  async function useBest() {
    let reply;
    try {
      reply = await client.request(Req.USE_BEST, get().gen);
    } catch (e) {
      if (!e.reset) trainMessage(sentence(e.message));
      return;
    }
    runLog.markStale(reply.edit);   // a replay cannot go back to these weights: the next checkpoint must hold them
    hooks.noteProgress(true);
    view.truncate(reply.step);
    store.update({ epoch: reply.epoch, bestKept: reply.best, valBits: reply.eval ? reply.eval.bitsPerChar : get().valBits });
    view.touch();
    showNotice('');
    trainMessage(`Now using the best model: step ${fmtInt(reply.step)}, validation ${fmtBits(reply.best.bits)} ` +
      'bits/char. Sample, Save and Share use it; Resume trains on from it.', 'info');
    $('train-button').focus();
    await hooks.checkpointNow();
  }

  function goOn() {
    showNotice('');
    trainMessage('');
    resume();
    $('train-button').focus();
  }

  // "Model at step N (best validation …)" or "(current …)" under Sample and Model file.
  function renderModelUsed() {
    const { model, step, bestKept } = get();
    let line = '';
    if (model) {
      if (bestKept && bestKept.step === step) line = `Model at step ${fmtInt(step)} (the best validation loss, ${fmtBits(bestKept.bits)} bits/char).`;
      else if (bestKept) line = `Model at step ${fmtInt(step)} (current; validation was best at step ${fmtInt(bestKept.step)}, ${fmtBits(bestKept.bits)} bits/char).`;
      else line = `Model at step ${fmtInt(step)} (current).`;
    }
    for (const id of ['sample-model-used', 'file-model-used']) {
      $(id).hidden = !line;
      $(id).textContent = line;
    }
  }

  function renderCoverage() {
    const c = get().valCoverage;
    const el = $('val-coverage');
    el.hidden = !c;
    if (!c) return;
    // The whole split loses at most a few characters: the first (nothing before it) and a remainder that does not
    // divide into the parallel streams.
    el.textContent = c.spreadOver > c.chars
      ? `Validation loss over ${fmtInt(c.chars)} characters spread evenly over all ${fmtInt(c.spreadOver)} of the validation text.`
      : `Validation loss over ${fmtInt(c.chars)} characters: the whole validation text.`;
  }

  $('use-best-button').addEventListener('click', useBest);
  $('go-on-button').addEventListener('click', goOn);
  $('stop-when-flat').addEventListener('change', () => {
    if (get().state === 'training') client.send(Req.STOP_WHEN_FLAT, get().gen, { on: $('stop-when-flat').checked });
  });
  store.subscribe((state, keys) => {
    if (keys.some((k) => k === 'step' || k === 'bestKept' || k === 'model')) renderModelUsed();
    if (keys.includes('valCoverage')) renderCoverage();
  });

  return {
    stopWhenFlat: () => $('stop-when-flat').checked,
    noteReport,
    onPaused,
    clear() {
      store.update({ bestKept: null, valCoverage: null });
      showNotice('');
    },
    hideNotice: () => showNotice(''),
  };
}
