// What section 3 shows of a run as it trains: the loss chart, the status figures, the timeline of samples, and the
// gradient-norm view's series (the view itself: sections/inspect/gradnorm.js).
//
// Needs: store (writes step, epoch, trainBits, valBits, valHistory, bestVal, charsPerSec, timeline; reads them),
//   chart (ui/chart.js LossChart), gradNorm (the gradient-norm view).
// Gives: reset(), addReport(r) -> bits, addProgress(msg), addValPoint(ev), addTimeline(step, text), truncate(step),
//   setFromHistory(record), touch() (the status needs redrawing). The status redraws at most 4 times a second.
import { $ } from '../../ui/dom.js';
import { fmtBits, fmtInt, fmtLr, fmtPerplexity } from '../../ui/format.js';

const STATUS_EVERY_MS = 250;
const RECENT_STEPS = 100;    // the clipping share is over these
const SMOOTHING_STEPS = 20;  // the status line's training loss is the mean over these accepted steps

// v: the view's state { store, chart, gradNorm, recent (the last RECENT_STEPS reports: { clipped, rejected, loss }),
//   lastGrad, lastLr (the rate the last step used: a schedule changes it step by step), rejectedTotal, dirty }.

function reset(v) {
  v.chart.clear();
  Object.assign(v, { recent: [], lastGrad: null, lastLr: null, rejectedTotal: 0 });
  v.store.update({ step: 0, epoch: 0, trainBits: null, valBits: null, valHistory: [], charsPerSec: 0, bestVal: null,
                   timeline: [] });
  $('timeline').replaceChildren();
  $('timeline-empty').hidden = false;
  for (const id of ['st-step', 'st-epoch', 'st-train', 'st-val', 'st-ppl', 'st-lr', 'st-speed', 'st-grad', 'st-clip'])
    $(id).textContent = '—';
  $('loss-chart').setAttribute('aria-label', 'Loss chart: no data yet');
  v.gradNorm.reset();
}

// One train_step call's report, from training or from a replay after a reload. Returns its loss in bits per
// character (null when rejected) for the run log.
function addReport(v, r) {
  const bits = r.loss === null ? NaN : r.loss / Math.LN2;
  if (r.rejected) v.rejectedTotal += 1;
  else v.lastGrad = r.gradNorm;
  if (Number.isFinite(r.lr)) v.lastLr = r.lr;
  v.recent.push(r);
  if (v.recent.length > RECENT_STEPS) v.recent.shift();
  v.chart.addTrain(r.step, r.rejected ? NaN : bits);
  return Number.isFinite(bits) && !r.rejected ? bits : null;
}

// Helpers are there, but this run trains in one worker: why, once both ways are measured (engine/worker/share_choice.js).
function unsharedNote(rates) {
  if (!rates) return '';
  if (rates.alone && rates.shared)
    return ` on 1 worker (faster than shared, ${fmtInt(rates.shared)} chars/s, for this model on this machine)`;
  return ' on 1 worker';
}

function addProgress(v, msg) {
  v.gradNorm.add(msg.reports);
  const last = v.recent.slice(-SMOOTHING_STEPS).filter((r) => !r.rejected && r.loss !== null);
  v.store.update({
    step: msg.step, epoch: msg.epoch, charsPerSec: msg.charsPerSec, workers: msg.workers || 1,
    unshared: msg.unshared ?? null, shareTiming: msg.timing ? { ...msg.timing, steps: msg.reports.length } : null,
    trainBits: last.length ? last.reduce((a, r) => a + r.loss, 0) / last.length / Math.LN2 : null,
  });
  addValPoint(v, msg.eval);
  v.chart.request();
  v.dirty = true;
}

function addValPoint(v, ev) {
  if (!ev || !Number.isFinite(ev.bitsPerChar)) return;
  const { valHistory, bestVal } = v.store.get();
  valHistory.push({ step: ev.step, bits: ev.bitsPerChar });
  const better = !bestVal || ev.bitsPerChar < bestVal.bits;
  v.store.update({ valHistory, valBits: ev.bitsPerChar, bestVal: better ? { step: ev.step, bits: ev.bitsPerChar } : bestVal });
  v.chart.addVal(ev.step, ev.bitsPerChar);
  v.chart.request();
  v.dirty = true;
}

function addTimeline(v, step, text) {
  const li = document.createElement('li');
  const head = document.createElement('span');
  head.className = 'tl-step';
  head.textContent = `step ${fmtInt(step)}`;
  const body = document.createElement('span');
  body.className = 'tl-text';
  body.textContent = text;
  li.append(head, body);
  const list = $('timeline');
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
  list.append(li);
  if (atBottom) list.scrollTop = list.scrollHeight;
  $('timeline-empty').hidden = true;
  v.store.get().timeline.push({ step, text });
}

// Back to the last good weights at `step`: what came after it is dropped from the chart and the views.
function truncate(v, step) {
  v.store.update({ step, valHistory: v.store.get().valHistory.filter((p) => p.step <= step) });
  v.recent = [];
  v.chart.truncate(step);
  v.gradNorm.truncate(step);
  v.dirty = true;
}

// A kept run's chart and validation history (storage.js), before the steps since its checkpoint are replayed.
function setFromHistory(v, record) {
  const h = record.chart;
  if (h && Array.isArray(h.steps) && Array.isArray(h.raw) && h.steps.length === h.raw.length) {
    v.chart.steps = h.steps.slice();
    v.chart.raw = h.raw.slice();
    v.chart.val = Array.isArray(h.val) ? h.val.slice() : [];
  }
  if (Array.isArray(record.valHistory)) {
    const valHistory = record.valHistory.slice();
    const last = valHistory[valHistory.length - 1];
    v.store.update(last ? { valHistory, valBits: last.bits } : { valHistory });
  }
  if (Array.isArray(record.timeline)) for (const t of record.timeline) addTimeline(v, Number(t.step), String(t.text));
}

function bestFromHistory(v) {
  let bestVal = null;
  for (const p of v.store.get().valHistory) if (!bestVal || p.bits < bestVal.bits) bestVal = { ...p };
  v.store.update({ bestVal });
  v.chart.request();
  v.dirty = true;
}

function renderStatus(v) {
  if (!v.dirty) return;
  v.dirty = false;
  const s = v.store.get();
  $('st-step').textContent = fmtInt(s.step);
  $('st-epoch').textContent = s.epoch.toFixed(2);
  $('st-train').textContent = s.trainBits === null ? '—' : `${fmtBits(s.trainBits)} bits/char`;
  $('st-val').textContent = s.valBits === null ? '—' : `${fmtBits(s.valBits)} bits/char`;
  if (s.bestVal && s.bestVal.bits < s.valBits - 0.0005) {
    const best = document.createElement('small');
    best.textContent = `best ${fmtBits(s.bestVal.bits)} at step ${fmtInt(s.bestVal.step)}`;
    $('st-val').append(best);
  }
  $('st-ppl').textContent = s.valBits === null ? '—' : fmtPerplexity(Math.pow(2, s.valBits));
  $('st-lr').textContent = v.lastLr === null ? '—' : fmtLr(v.lastLr);
  $('st-speed').textContent = s.charsPerSec
    ? `${fmtInt(s.charsPerSec)} chars/s` + (s.workers > 1 ? ` on ${s.workers} workers` : '') +
      unsharedNote(s.unshared)
    : '—';
  $('st-grad').textContent = Number.isFinite(v.lastGrad) ? v.lastGrad.toFixed(3) : '—';
  const clipped = v.recent.filter((r) => r.clipped).length;
  $('st-clip').textContent = v.recent.length
    ? `${Math.round((100 * clipped) / v.recent.length)}%` + (v.rejectedTotal ? ` · ${fmtInt(v.rejectedTotal)} rejected` : '')
    : '—';
  const parts = [];
  if (s.trainBits !== null) parts.push(`train ${fmtBits(s.trainBits)}`);
  if (s.valBits !== null) parts.push(`validation ${fmtBits(s.valBits)}`);
  // The phone's train bar (style.css): the step and the losses beside the button.
  $('bar-figures').textContent = s.model ? `Step ${fmtInt(s.step)}` + (parts.length ? ` · ${parts.join(' · ')} bits/char` : '') : '';
  $('loss-chart').setAttribute('aria-label',
    `Loss chart in bits per character at step ${fmtInt(s.step)}: ${parts.join(', ') || 'no data yet'}`);
}

// The steps a reload replayed (kept_run.js): their reports went through addReport already.
function addReplayed(v, reply) {
  v.gradNorm.add(reply.reports);
  v.store.update({ step: reply.step, epoch: reply.epoch });
  v.dirty = true;
}

export function createRunView({ store, chart, gradNorm }) {
  const v = { store, chart, gradNorm, recent: [], lastGrad: null, lastLr: null, rejectedTotal: 0, dirty: false };
  setInterval(() => renderStatus(v), STATUS_EVERY_MS);
  return {
    reset: () => reset(v),
    addReport: (r) => addReport(v, r),
    addProgress: (msg) => addProgress(v, msg),
    addValPoint: (ev) => addValPoint(v, ev),
    addTimeline: (step, text) => addTimeline(v, step, text),
    truncate: (step) => truncate(v, step),
    setFromHistory: (record) => setFromHistory(v, record),
    bestFromHistory: () => bestFromHistory(v),
    renderStatus: () => renderStatus(v),
    addReplayed: (reply) => addReplayed(v, reply),
    chartData: () => ({ steps: chart.steps.slice(), raw: chart.raw.slice(), val: chart.val.slice() }),
    // The rate of a model that has not stepped yet in this page: the model's own.
    showRate: (lr) => { if (v.lastLr === null && Number.isFinite(lr)) { v.lastLr = lr; v.dirty = true; } },
    touch: () => { v.dirty = true; },
  };
}
