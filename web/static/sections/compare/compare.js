// Section 7, "Compare runs": several runs side by side, each with its cell type and settings, its validation curve,
// its final validation loss and a final sample. "Train the three cells on this text" trains a vanilla RNN, an LSTM
// and a GRU with the same text, size and seed for the same number of steps (side by side, each on a worker of its
// own, as far as the Workers setting allows; one after another otherwise); "Train the LSTM variants" does the same
// for the variants of "LSTM: A Search Space Odyssey"; "Add my current run" adds the
// person's own model as it is now. The runs are kept across reloads (compare_store.js) until Clear.
//
// This module coordinates; the pieces live beside it: trainer.js (the comparison's own worker: the person's model is
// never touched), runs.js (run records: names, summaries, looks), validation_chart.js (the chart and its words),
// run_list.js (legend and list), compare_store.js (keeping the runs).
//
// Needs: initCompare({ store, text, config, currentRun, lanes })
//   store: the page's store (run/store.js); this section is the one writer of its key `compare`:
//          { runs: [run records], busy: a comparison is training, progress: { run, runs, cell, step, steps } | null }
//   text() -> { text } | { bytes }: the page's text; config(cell) -> config text with the page's settings and `cell`;
//   currentRun() -> Promise<{ config, parameterCount, step, curve: [{ step, bits }], sample }>: the person's model;
//   lanes() -> how many runs may train at once (the Workers setting).
// Emits: store updates of `compare`; nothing else leaves the section (it reads no other section's DOM).
import { parseConfigText } from '../../engine/protocol.js';
import { fmtInt, fmtBits } from '../../ui/format.js';
import { loadRuns, saveRuns } from './compare_store.js';
import { THREE, VARIANTS, cellName, styled, summary, uniqueLabel } from './runs.js';
import { createTrainer } from './trainer.js';
import { createValidationChart, describeRuns } from './validation_chart.js';
import { renderRunList } from './run_list.js';

const $ = (id) => document.getElementById(id);
const STATUS_MS = 3000;   // the status is a live region: reworded every few seconds, not at every progress report
const NOT_KEPT = ' They could not be kept for your next visit: this browser\'s storage is off or full.';
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

// window.localStorage, or null where the browser denies it (reading the property itself can throw).
function pageStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function elements() {
  return {
    three: $('cmp-three'), variants: $('cmp-variants'), cancel: $('cmp-cancel'), add: $('cmp-add'),
    clear: $('cmp-clear'), steps: $('cmp-steps'), progress: $('cmp-progress'), state: $('cmp-state'),
    canvas: $('cmp-chart'), legend: $('cmp-legend'), list: $('cmp-runs'), empty: $('cmp-empty'),
  };
}

// section: this section's state and parts (made by initCompare). The record under `compare` changed: tell the store.
const publish = (section) => section.store.update({ compare: section.record });
const say = (section, text) => { section.el.state.textContent = text; };

function renderControls(section) {
  const { el, record } = section;
  el.three.disabled = record.busy;
  el.variants.disabled = record.busy;
  el.cancel.disabled = !record.busy;
  el.add.disabled = section.adding;
  el.clear.disabled = record.busy || record.runs.length === 0;
}

function render(section) {
  renderRunList(section.el, section.record.runs);
  section.el.canvas.setAttribute('aria-label', describeRuns(section.record.runs));
  renderControls(section);
  section.chart.draw();
}

function addRun(section, run) {
  section.record.runs.push(styled(run, section.record.runs.length));
  section.kept = saveRuns(pageStorage(), section.record.runs);
  publish(section);
  render(section);
}

// What trainer.trainCell reports, shown on the progress bar at once and in the status every few seconds. The bar
// is the share of all the comparison's steps done, whichever runs train at the moment.
function progressReporter(section, { label, cell, index, count, steps }) {
  let said = -Infinity;
  return (step, curve) => {
    section.record.progress = { run: index + 1, runs: count, cell, step, steps };
    publish(section);
    section.done[index] = Math.min(1, step / steps);
    section.el.progress.value = section.done.reduce((a, x) => a + x, 0) / count;
    if (step > 0 && performance.now() - said < STATUS_MS) return;
    said = performance.now();
    say(section, `Training ${label} (${index + 1} of ${count}): step ${fmtInt(step)} of ${fmtInt(steps)}` +
      (curve.length ? `, validation ${fmtBits(curve[curve.length - 1].bits)} bits/char.` : '.'));
  };
}

async function trainOne(section, trainer, cell, steps, index, count) {
  const label = uniqueLabel(cellName(cell), section.record.runs);
  const onProgress = progressReporter(section, { label, cell, index, count, steps });
  const r = await trainer.trainCell({ cell, steps, label, onProgress });
  const finalBits = r.curve.length ? r.curve[r.curve.length - 1].bits : null;
  return { label, cell, kind: 'comparison', curve: r.curve, steps, summary: summary(r.config, r.parameterCount, steps),
           sample: r.sample, stoppedEarly: r.stoppedEarly, finalBits, finalStep: r.finalStep };
}

function setBusy(section, busy) {
  section.record.busy = busy;
  if (!busy) section.record.progress = null;
  publish(section);
  section.el.progress.hidden = !busy;
  if (busy) section.el.progress.value = 0;
  renderControls(section);
}

async function trainCells(section, cells) {
  if (section.record.busy) return;
  const steps = Number(section.el.steps.value);
  if (!Number.isInteger(steps) || steps < 10 || steps > 5000) {
    say(section, 'Steps per cell must be a whole number from 10 to 5,000.');
    return;
  }
  section.cancelled = false;
  setBusy(section, true);
  const lanes = Math.max(1, Math.min(cells.length, section.hooks.lanes()));
  say(section, lanes > 1 ? `Starting ${lanes} engines for the comparison, one per run at a time…`
                         : 'Starting a second engine for the comparison…');
  section.trainers = Array.from({ length: lanes }, () => createTrainer(section.hooks.trainerFor));
  section.done = cells.map(() => 0);
  const results = [];
  let done = 0;
  // Runs are added in the order of `cells`, each as soon as it and those before it have finished.
  const addFinished = () => {
    while (done < cells.length && results[done]) addRun(section, results[done++]);
  };
  try {
    await Promise.all(section.trainers.map((t) => t.start()));
    await Promise.all(section.trainers.map(async (trainer, lane) => {
      for (let i = lane; i < cells.length; i += lanes) {
        results[i] = await trainOne(section, trainer, cells[i], steps, i, cells.length);
        addFinished();
      }
    }));
    say(section, `Done: ${cells.length} runs of ${fmtInt(steps)} steps each, on the same text with the same settings ` +
      'and seed.' + (section.kept ? '' : NOT_KEPT));
  } catch (e) {
    say(section, section.cancelled || e.reset
      ? `Cancelled${done ? `; the ${done} finished run${done > 1 ? 's are' : ' is'} kept` : ''}.`
      : `The comparison stopped: ${e.message}`);
  } finally {
    stopTrainers(section);
    setBusy(section, false);
  }
}

function stopTrainers(section) {
  for (const t of section.trainers) t.stop();
}

function cancel(section) {
  section.cancelled = true;
  stopTrainers(section);
}

async function addCurrent(section) {
  section.adding = true;
  renderControls(section);
  try {
    const r = await section.hooks.currentRun();
    const cfg = parseConfigText(r.config);
    const finalBits = r.curve.length ? r.curve[r.curve.length - 1].bits : null;
    addRun(section, {
      label: uniqueLabel(`Your ${cellName(cfg.cell)}`, section.record.runs), cell: cfg.cell, kind: 'yours',
      curve: r.curve, steps: r.step, finalStep: r.step, finalBits, sample: r.sample,
      summary: summary(cfg, r.parameterCount, r.step),
    });
    say(section, `Added your model at step ${fmtInt(r.step)}.` + (section.kept ? '' : NOT_KEPT));
  } catch (e) {
    if (!e.reset) say(section, e.message);
  } finally {
    section.adding = false;
    renderControls(section);
  }
}

function clearRuns(section) {
  section.record.runs = [];
  section.kept = saveRuns(pageStorage(), section.record.runs);
  publish(section);
  render(section);
  say(section, '');
}

// The runs of an earlier visit, if any were kept.
function restoreEarlier(section) {
  const earlier = loadRuns(pageStorage());
  section.record.runs = earlier.runs.map(styled);
  publish(section);
  if (earlier.problem) {
    say(section, `The compared runs kept from an earlier visit were ${earlier.problem}, so they were cleared. ` +
      'Train new ones with the buttons above.');
  } else if (section.record.runs.length) {
    say(section, `${plural(section.record.runs.length, 'run')} kept from your last visit. Clear runs removes them.`);
  }
  render(section);
}

export function initCompare({ store, text, config, currentRun, lanes = () => 1 }) {
  const section = {
    store, hooks: { currentRun, lanes, trainerFor: { text, config } }, el: elements(),
    record: { runs: [], busy: false, progress: null },
    trainers: [], done: [], chart: null,
    cancelled: false, adding: false,   // adding: "Add my current run" waits for the person's model's sample
    kept: true,                        // whether the runs as they are now are stored for the next visit
  };
  section.chart = createValidationChart(section.el.canvas, () => section.record.runs);
  section.el.three.addEventListener('click', () => trainCells(section, THREE));
  section.el.variants.addEventListener('click', () => trainCells(section, VARIANTS));
  section.el.cancel.addEventListener('click', () => cancel(section));
  section.el.add.addEventListener('click', () => addCurrent(section));
  section.el.clear.addEventListener('click', () => clearRuns(section));
  restoreEarlier(section);
}
