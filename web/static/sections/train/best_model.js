// The best model by validation loss (the worker keeps it: engine/worker/best_watch.js): the "Stop when validation
// stops improving" option, the notice when training stops because the model is memorising its text (or a pause
// finds validation past its best), going back to the best model, how many characters the validation figure is
// over, and the lines under Sample and Model file that say which model they use.
//
// Needs: store (writes bestKept { step, bits } | null, valCoverage { chars, spreadOver } | null and wholeSplit
//   { step, done, chars, total, bits, perplexity } | null; reads step, state, model, valBits), client, runLog, view
//   (truncate, touch), hooks { noteProgress(force), checkpointNow() }, resume() and trainMessage() (train_section.js).
// Gives: stopWhenFlat() (the option's value, sent with TRAIN), noteReport(msg) (PROGRESS and PAUSED), onPaused(msg),
//   noteWholeSplit(msg) (WHOLE_SPLIT: after a pause, the figure over the whole split when training scores a sample),
//   offerBest() (a run back from storage whose validation is past its best offers the best model again), clear()
//   (a new model).
import { Req } from '../../engine/protocol.js';
import { $, sentence } from '../../ui/dom.js';
import { fmtBits, fmtInt, fmtPerplexity } from '../../ui/format.js';

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
    } else {
      offerBest(msg.step);
    }
  }

  // The current model is past the best one and validation is worse now: the best is offered (after a pause by hand,
  // or a run brought back from storage).
  function offerBest(step = get().step) {
    const best = get().bestKept;
    if (best && best.step !== step && get().valBits !== null && get().valBits > best.bits)
      showNotice(`Validation was best at step ${fmtInt(best.step)} (${fmtBits(best.bits)} bits/char${nowBits()}).`, best);
    else showNotice('');
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

  // Under Sample and Model file: which model they use, the current one or the best one ("Sample uses the best model:
  // step N, …" / "Save, Export and Share use the current model at step N; validation was best at step M …").
  function renderModelUsed() {
    const { model, step, bestKept } = get();
    let which = '';
    if (model) {
      if (bestKept && bestKept.step === step) which = `the best model: step ${fmtInt(step)}, validation ${fmtBits(bestKept.bits)} bits/char.`;
      else if (bestKept) which = `the current model at step ${fmtInt(step)}; validation was best at step ${fmtInt(bestKept.step)} ` +
        `(${fmtBits(bestKept.bits)} bits/char): "Use the best model" under Train goes back to it.`;
      else which = `the current model at step ${fmtInt(step)}.`;
    }
    for (const [id, who] of [['sample-model-used', 'Sample uses'], ['file-model-used', 'Save, Export and Share use']]) {
      $(id).hidden = !which;
      $(id).textContent = which ? `${who} ${which}` : '';
    }
  }

  // What the validation figure is over, and after a pause on a large split, the figure over all of it. The whole
  // split loses at most a few characters: the first (nothing before it) and a remainder that does not divide into
  // the parallel streams.
  function renderCoverage() {
    const { valCoverage: c, wholeSplit: w } = get();
    const el = $('val-coverage');
    el.hidden = !c && !w;
    let text = '';
    if (c) text = c.spreadOver > c.chars
      ? `Validation loss (above and on the chart): a sample of ${fmtInt(c.chars)} characters spread evenly over all ` +
        `${fmtInt(c.spreadOver)} of the validation text.`
      : `Validation loss over ${fmtInt(c.chars)} characters: the whole validation text.`;
    if (w && w.done) text += ` Whole split, ${fmtInt(w.chars)} characters, at step ${fmtInt(w.step)}: ` +
      `${fmtBits(w.bits)} bits/char (perplexity ${fmtPerplexity(w.perplexity)}).`;
    else if (w) text += ` Scoring the whole split (${fmtInt(w.total)} characters) at step ${fmtInt(w.step)}: ` +
      `${Math.floor((100 * w.chars) / Math.max(1, w.total))}%…`;
    el.textContent = text.trim();
  }

  function noteWholeSplit(msg) {
    if (get().state !== 'paused' || msg.step !== get().step) return;   // training went on, or another model
    store.update({ wholeSplit: { step: msg.step, done: msg.done, chars: msg.chars, total: msg.total,
                                 bits: msg.bitsPerChar ?? null, perplexity: msg.perplexity ?? null } });
  }

  $('use-best-button').addEventListener('click', useBest);
  $('go-on-button').addEventListener('click', goOn);
  $('stop-when-flat').addEventListener('change', () => {
    if (get().state === 'training') client.send(Req.STOP_WHEN_FLAT, get().gen, { on: $('stop-when-flat').checked });
  });
  store.subscribe((state, keys) => {
    if (keys.some((k) => k === 'step' || k === 'bestKept' || k === 'model')) renderModelUsed();
    // A figure over the whole split belongs to the step it was scored at: training on (or another model) drops it.
    if (state.wholeSplit && ((keys.includes('state') && state.state !== 'paused') ||
                             (keys.includes('step') && state.step !== state.wholeSplit.step))) store.update({ wholeSplit: null });
    if (keys.includes('valCoverage') || keys.includes('wholeSplit')) renderCoverage();
  });

  return {
    stopWhenFlat: () => $('stop-when-flat').checked,
    noteReport,
    onPaused,
    offerBest: () => offerBest(),
    noteWholeSplit,
    clear() {
      store.update({ bestKept: null, valCoverage: null, wholeSplit: null });
      showNotice('');
    },
    hideNotice: () => showNotice(''),
  };
}
