// Section 3, "Train": the Train/Pause/Resume button, Reset, "Pause at step", the training message (with the offer to
// lower the learning rate after a blow-up), and the reports training sends (progress, timeline, pauses, divergence).
// It also adopts every new model the page gets (trained here, loaded from a file, opened from a link, restored).
//
// Needs: store, client, view (run_view.js), runLog (run/run_log.js), settings, text, and
//   hooks: { checkpointNow(), noteProgress(force), onNewRun() (a new model is kept across reloads) }.
// Gives: adoptModel(), setState(), trainMessage(), recordEdit(), resume(), pause(), reset(), onReport(), trainSteps(n).
import { Req, Rep, parseConfigText } from '../../engine/protocol.js';
import { $, sentence, showMessage } from '../../ui/dom.js';
import { fmtBits, fmtInt, fmtLr } from '../../ui/format.js';
import { initAttachText } from './attach_text.js';
import { initBestModel } from './best_model.js';
import { readPauseAt } from './pause_at.js';

const SELF_PAUSE_GRACE_MS = 600;
const STATE_LABELS = {
  none: 'No model yet', opening: 'Preparing the model…', training: 'Training', pausing: 'Pausing…', paused: 'Paused',
};

// Structure: this init is a factory whose body is short named functions sharing one run's state (the structure test,
// tests/structure/page_structure.mjs, counts each function's own lines); splitting it into module-level functions
// over an explicit state object, as sections/text does, is the next step when it grows.
export function initTrain({ store, client, view, runLog, settings, text, hooks }) {
  const get = () => store.get();

  function trainMessage(message, kind = 'error', offerLowerLr = null, goBackTo = null) {
    showMessage('train-message', 'train-message-text', message, kind);
    $('outside-vocab-button').hidden = true;   // attach_text.js shows it again with its own message
    const b = $('lower-lr-button');
    b.hidden = offerLowerLr === null;
    if (offerLowerLr !== null) {
      b.textContent = goBackTo === null
        ? `Lower the learning rate to ${fmtLr(offerLowerLr)} and resume`
        : `Go back to step ${fmtInt(goBackTo)} with learning rate ${fmtLr(offerLowerLr)} and resume`;
      b.dataset.lr = String(offerLowerLr);
      b.dataset.restore = goBackTo === null ? '' : '1';
    }
    if (message && kind === 'error') store.update({ lastError: message });
  }

  // The best model by validation loss: the stop option, the memorising notice, "Use the best model".
  const selfPause = { at: -Infinity };   // when the run last paused by itself (onTrainButton)
  const quiet = { budgetStep: -1 };        // the step trainSteps() pauses at, without the "Pause at step" message
  // A model loaded without a text trains on the page's (after a check of its vocabulary against it).
  const attach = initAttachText({ store, client, text, train: { adoptModel, setState, trainMessage, resume }, hooks });
  const best = initBestModel({ store, client, runLog, view, hooks, resume, trainMessage });

  function setState(next) {
    store.update({ state: next });
    view.renderStatus();
  }

  // The text on the page is not the one the paused model trains on: the main button then trains a new model on it,
  // and "Resume this model" resumes the old one on its own text.
  function textChanged() {
    const { model, sourceVersion } = get();
    return Boolean(model) && model.sourceVersion !== -1 && model.sourceVersion !== sourceVersion;
  }

  function mainButtonLabel(state) {
    if (state === 'training' || state === 'pausing') return 'Pause';
    if (state === 'paused') return textChanged() ? 'Train a new model on this text' : 'Resume';
    return 'Train';
  }

  function renderControls() {
    const { state, ready } = get();
    const tb = $('train-button');
    tb.textContent = mainButtonLabel(state);
    // Never disabled while a model opens or pauses: a disabled button drops keyboard focus to the page, and Space
    // would no longer pause. It says it is busy instead and ignores presses (onTrainButton).
    tb.disabled = !ready;
    tb.setAttribute('aria-disabled', String(state === 'opening' || state === 'pausing'));
    $('resume-button').hidden = !(state === 'paused' && textChanged());
    $('reset-button').disabled = !ready || state === 'none' || state === 'opening';
    $('run-state').textContent = STATE_LABELS[state];
    renderPendingNote();
  }

  // Settings and text that differ from the model's apply only to a new model: say so under the buttons.
  function renderPendingNote() {
    const { model, sourceVersion } = get();
    const note = $('pending-note');
    if (!model) { note.hidden = true; return; }
    const parts = [];
    const changed = settings.differing();
    if (changed.length) parts.push(`Changed settings (${changed.join(', ')}) apply when you press Reset and train a new model.`);
    if (model.hasText === false) parts.push('This model holds no text: Resume trains it on the text above; Reset starts a new model on it.');
    else if (model.sourceVersion === -1) parts.push('This model trains on the text saved in its file; Reset starts a new model on the text above.');
    else if (model.sourceVersion !== sourceVersion) parts.push('This model trains on the text it started with: "Train a new model on this text" starts one on the text above, "Resume this model" goes on with the old one.');
    note.hidden = parts.length === 0;
    note.textContent = parts.join(' ');
  }

  // A model the worker has just opened, loaded or restored becomes the page's: reply is the worker's OPENED.
  // sourceVersion: the text version it trains on (-1: the text inside its file). recipe: { values, preset } when it
  // starts from the page's text and settings, so training again makes it again (run/run_log.js); else none.
  function adoptModel(reply, { gen, sourceVersion, step = 0, recipe = null }) {
    store.update({ gen, model: { ...reply, sourceVersion }, modelConfig: reply.config, parameterCount: reply.parameterCount });
    runLog.start(reply.calls, recipe);
    view.reset();
    best.clear();
    best.noteReport({ eval: reply.eval });
    const cfg = parseConfigText(reply.config);
    hooks.clipShown(cfg.clip, Number(cfg.clip_value));
    view.addValPoint(reply.eval);
    view.showRate(reply.lr);
    store.update({ step, epoch: reply.epoch ?? 0 });
    view.touch();
  }

  async function startNewModel() {
    // Empty texts, single characters and the like are refused by the engine itself, with its own message.
    if (get().oversize) { trainMessage('The text is longer than 10 MB: use its first 10 MB (button above) or a shorter text.'); return; }
    trainMessage('');
    const gen = get().gen + 1;
    setState('opening');
    let reply;
    const recipe = { values: settings.values(), preset: get().preset };   // what the model is opened from
    try {
      reply = await client.request(Req.OPEN, gen, { ...text.currentText(), config: settings.configText() });
    } catch (e) {
      if (e.reset) return;
      setState(get().model ? 'paused' : 'none');
      trainMessage(sentence(e.message));
      return;
    }
    adoptModel(reply, { gen, sourceVersion: get().sourceVersion, recipe });
    setState('training');
    client.send(Req.TRAIN, gen, { stopAt: pauseAtStep(), stopWhenFlat: best.stopWhenFlat() });
    hooks.onNewRun();
  }

  function pause() {
    setState('pausing');
    client.send(Req.PAUSE, get().gen);
  }

  function resume() {
    setState('training');
    best.hideNotice();
    client.send(Req.TRAIN, get().gen, { stopAt: pauseAtStep(), stopWhenFlat: best.stopWhenFlat() });
  }

  // n real training steps from a pause, then paused again (the step-through's "Train one step"); false when the
  // model is not paused. The pause at the budget is asked for, so it says nothing in the training message.
  function trainSteps(n) {
    if (get().state !== 'paused' || textChanged()) return false;
    trainMessage('');
    quiet.budgetStep = get().step + n;
    setState('training');
    best.hideNotice();
    client.send(Req.TRAIN, get().gen, { stopAt: quiet.budgetStep, stopWhenFlat: false });
    return true;
  }

  function onTrainButton() {
    const { state } = get();
    if (state === 'opening' || state === 'pausing') return;   // busy (aria-disabled)
    // A press aimed at "Pause" just as the run stopped itself because validation stopped improving must not resume
    // it (it would then train on past the notice): within SELF_PAUSE_GRACE_MS the press is taken as done. Not after
    // "Pause at step": that pause was asked for, and Resume right after it is meant.
    if (state === 'paused' && performance.now() - selfPause.at < SELF_PAUSE_GRACE_MS) return;
    if (state === 'none') startNewModel();
    else if (state === 'training') pause();
    else if (state === 'paused' && textChanged()) startNewModel();
    else if (state === 'paused' && get().model?.hasText === false) attach.trainOnPageText();
    else if (state === 'paused') {
      trainMessage('');
      resume();
    }
  }

  // The step "Pause at step" asks training to pause at (0: none). A value that cannot be used is said in the
  // training message (as information: training goes on) rather than stopping the run.
  function pauseAtStep() {
    const field = $('pause-at');
    const { stopAt, problem } = readPauseAt(field.value, field.validity.badInput, get().step);
    field.setAttribute('aria-invalid', problem ? 'true' : 'false');
    if (problem) trainMessage(problem, 'info');
    return stopAt;
  }

  // A new value applies to the run under way, from its next chunk.
  function onPauseAtChanged() {
    if (get().state !== 'training') {
      $('pause-at').setAttribute('aria-invalid', 'false');
      return;
    }
    trainMessage('');
    client.send(Req.STOP_AT, get().gen, { stopAt: pauseAtStep() });
  }

  function reset() {
    client.restart();
    store.update({ ready: false, gen: get().gen + 1, model: null, modelConfig: null, sampling: false });
    hooks.onReset();
    trainMessage('');
    view.reset();
    best.clear();
    setState('none');
    $('engine-status').textContent = 'Restarting the engine…';
  }

  function onReport(msg) {
    if (msg.gen !== get().gen) return;   // from a model that has since been replaced or reset
    if (msg.kind === Rep.PROGRESS) onProgress(msg);
    else if (msg.kind === Rep.TIMELINE) view.addTimeline(msg.step, msg.text);
    else if (msg.kind === Rep.PAUSED) onPaused(msg);
    else if (msg.kind === Rep.DIVERGED) onDiverged(msg);
    else if (msg.kind === Rep.WHOLE_SPLIT) best.noteWholeSplit(msg);
    else if (msg.kind === Rep.ERROR && !msg.stale) trainMessage(sentence(msg.message));
  }

  function onProgress(msg) {
    const { state } = get();
    if (state !== 'training' && state !== 'pausing') return;
    addReports(msg.reports);
    view.addProgress(msg);
    best.noteReport(msg);
    hooks.noteProgress();
  }

  // Reports of train_step calls, from training or from a replay; returns their losses (bits per character).
  function addReports(reports) {
    const bits = [];
    for (const r of reports) {
      runLog.addCall(view.addReport(r));
      bits.push(runLog.lastBits());
      if (r.rejected) {
        trainMessage(`Step ${fmtInt(r.step + 1)} was rejected: its loss or gradient was not a finite number, so the ` +
          'weights were kept from the last good step and training went on. If this keeps happening, lower the ' +
          'learning rate or turn on gradient clipping.');
      }
    }
    return bits;
  }

  function onPaused(msg) {
    if (msg.reason === 'memorising') selfPause.at = performance.now();
    view.addValPoint(msg.eval);
    if (get().state !== 'none') setState('paused');
    best.onPaused(msg);
    if (msg.reason === 'budget' && msg.step === quiet.budgetStep) quiet.budgetStep = -1;
    else if (msg.reason === 'budget')
      trainMessage(`Paused at step ${fmtInt(msg.step)}, as "Pause at step" asked. Resume to train on until you ` +
        'pause (or set a later step first).', 'info');
  }

  function onDiverged(msg) {
    const lower = Math.max(1e-8, msg.lr / 10);
    const clipHint = $('cfg-clip').value === 'none' ? ', and turn on gradient clipping (applies at once)' : '';
    if (msg.reason === 'exploding') {
      const guess = Math.log2(get().stats?.vocabSize || 2);
      const goBack = msg.lastGoodStep >= 0 ? msg.lastGoodStep : null;
      trainMessage(`Training paused: the loss has exploded to ${fmtBits(msg.bits)} bits/char, far worse than ` +
        `guessing (${fmtBits(guess)} bits/char), so the learning rate (${fmtLr(msg.lr)}) is too high. ` +
        `Lower it${clipHint}. ` + (goBack !== null ? `The last good weights are those of step ${fmtInt(goBack)}.` : ''),
        'error', lower, goBack);
    } else {
      trainMessage(`Training paused: ${msg.count} steps in a row were rejected because the loss or a gradient was ` +
        `not a finite number (the model diverged). The weights are still those of step ${fmtInt(msg.step)}. ` +
        `Lower the learning rate (now ${fmtLr(msg.lr)})${clipHint}, then resume.`, 'error', lower);
    }
  }

  async function onLowerLr() {
    const lr = Number($('lower-lr-button').dataset.lr);
    $('cfg-lr').value = fmtLr(lr);
    const restore = $('lower-lr-button').dataset.restore === '1';
    let reply;
    try {
      reply = await client.request(Req.SET_LR, get().gen, { lr, restore });
    } catch (e) {
      if (!e.reset) trainMessage(sentence(e.message));
      return;
    }
    store.update({ model: { ...get().model, lr } });
    if (reply.restored) {
      runLog.markStale(reply.edit);   // a replay cannot go back to the same weights: the next checkpoint must hold this
      hooks.noteProgress(true);
    } else {
      recordEdit(reply, { kind: 'lr', lr });
    }
    if (restore) view.truncate(reply.step);
    trainMessage(`Learning rate lowered to ${fmtLr(lr)}; training resumed from the last good weights` +
      (restore ? ` (step ${fmtInt(reply.step)}).` : '.'), 'info');
    settings.changed();
    if (reply.restored) await hooks.checkpointNow();   // before any step is taken from the restored state
    if (get().state === 'paused') resume();
  }

  // A mid-run change the worker applied after `reply.calls` train_step calls: replayed by exact-step resume.
  function recordEdit(reply, edit) {
    runLog.recordEdit(reply, edit);
    hooks.noteProgress(true);
    hooks.checkpointNow();
  }

  $('train-button').addEventListener('click', onTrainButton);
  $('reset-button').addEventListener('click', reset);
  $('resume-button').addEventListener('click', () => {
    trainMessage('');
    resume();
    $('train-button').focus();   // the button that pauses it now; this one is hidden
  });
  $('pause-at').addEventListener('change', onPauseAtChanged);
  $('lower-lr-button').addEventListener('click', onLowerLr);
  store.subscribe((state, keys) => {
    if (keys.some((k) => k === 'state' || k === 'ready' || k === 'model' || k === 'sourceVersion' || k === 'formVersion'))
      renderControls();
  });
  renderControls();
  return { adoptModel, setState, trainMessage, recordEdit, reset, onReport, addReports, resume, trainSteps,
           offerBest: () => best.offerBest() };
}
