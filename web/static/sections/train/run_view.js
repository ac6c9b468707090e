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

export function createRunView({ store, chart, gradNorm }) {
  let recent = [];          // the last RECENT_STEPS reports: { clipped, rejected, loss }
  let lastGrad = null;
  let lastLr = null;        // the rate the last step used (a schedule changes it step by step)
  let rejectedTotal = 0;
  let dirty = false;

  function reset() {
    chart.clear();
    recent = [];
    lastGrad = null;
    lastLr = null;
    rejectedTotal = 0;
    store.update({ step: 0, epoch: 0, trainBits: null, valBits: null, valHistory: [], charsPerSec: 0, bestVal: null,
                   timeline: [] });
    $('timeline').replaceChildren();
    $('timeline-empty').hidden = false;
    for (const id of ['st-step', 'st-epoch', 'st-train', 'st-val', 'st-ppl', 'st-lr', 'st-speed', 'st-grad', 'st-clip'])
      $(id).textContent = '—';
    $('loss-chart').setAttribute('aria-label', 'Loss chart: no data yet');
    gradNorm.reset();
  }

  // One train_step call's report, from training or from a replay after a reload. Returns its loss in bits per
  // character (null when rejected) for the run log.
  function addReport(r) {
    const bits = r.loss === null ? NaN : r.loss / Math.LN2;
    if (r.rejected) rejectedTotal += 1;
    else lastGrad = r.gradNorm;
    if (Number.isFinite(r.lr)) lastLr = r.lr;
    recent.push(r);
    if (recent.length > RECENT_STEPS) recent.shift();
    chart.addTrain(r.step, r.rejected ? NaN : bits);
    return Number.isFinite(bits) && !r.rejected ? bits : null;
  }

  function addProgress(msg) {
    gradNorm.add(msg.reports);
    const last = recent.slice(-SMOOTHING_STEPS).filter((r) => !r.rejected && r.loss !== null);
    store.update({
      step: msg.step, epoch: msg.epoch, charsPerSec: msg.charsPerSec,
      trainBits: last.length ? last.reduce((a, r) => a + r.loss, 0) / last.length / Math.LN2 : null,
    });
    addValPoint(msg.eval);
    chart.request();
    dirty = true;
  }

  function addValPoint(ev) {
    if (!ev || !Number.isFinite(ev.bitsPerChar)) return;
    const { valHistory, bestVal } = store.get();
    valHistory.push({ step: ev.step, bits: ev.bitsPerChar });
    const better = !bestVal || ev.bitsPerChar < bestVal.bits;
    store.update({ valHistory, valBits: ev.bitsPerChar, bestVal: better ? { step: ev.step, bits: ev.bitsPerChar } : bestVal });
    chart.addVal(ev.step, ev.bitsPerChar);
    chart.request();
    dirty = true;
  }

  function addTimeline(step, text) {
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
    store.get().timeline.push({ step, text });
  }

  // Back to the last good weights at `step`: what came after it is dropped from the chart and the views.
  function truncate(step) {
    store.update({ step, valHistory: store.get().valHistory.filter((v) => v.step <= step) });
    recent = [];
    chart.truncate(step);
    gradNorm.truncate(step);
    dirty = true;
  }

  // A kept run's chart and validation history (storage.js), before the steps since its checkpoint are replayed.
  function setFromHistory(record) {
    const h = record.chart;
    if (h && Array.isArray(h.steps) && Array.isArray(h.raw) && h.steps.length === h.raw.length) {
      chart.steps = h.steps.slice();
      chart.raw = h.raw.slice();
      chart.val = Array.isArray(h.val) ? h.val.slice() : [];
    }
    if (Array.isArray(record.valHistory)) {
      const valHistory = record.valHistory.slice();
      const last = valHistory[valHistory.length - 1];
      store.update(last ? { valHistory, valBits: last.bits } : { valHistory });
    }
    if (Array.isArray(record.timeline)) for (const t of record.timeline) addTimeline(Number(t.step), String(t.text));
  }

  function bestFromHistory() {
    let bestVal = null;
    for (const v of store.get().valHistory) if (!bestVal || v.bits < bestVal.bits) bestVal = { ...v };
    store.update({ bestVal });
    chart.request();
    dirty = true;
  }

  function renderStatus() {
    if (!dirty) return;
    dirty = false;
    const s = store.get();
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
    $('st-lr').textContent = lastLr === null ? '—' : fmtLr(lastLr);
    $('st-speed').textContent = s.charsPerSec ? `${fmtInt(s.charsPerSec)} chars/s` : '—';
    $('st-grad').textContent = Number.isFinite(lastGrad) ? lastGrad.toFixed(3) : '—';
    renderClipShare();
    const parts = [];
    if (s.trainBits !== null) parts.push(`train ${fmtBits(s.trainBits)}`);
    if (s.valBits !== null) parts.push(`validation ${fmtBits(s.valBits)}`);
    $('loss-chart').setAttribute('aria-label',
      `Loss chart in bits per character at step ${fmtInt(s.step)}: ${parts.join(', ') || 'no data yet'}`);
  }

  function renderClipShare() {
    const clipped = recent.filter((r) => r.clipped).length;
    $('st-clip').textContent = recent.length
      ? `${Math.round((100 * clipped) / recent.length)}%` + (rejectedTotal ? ` · ${fmtInt(rejectedTotal)} rejected` : '')
      : '—';
  }

  // The steps a reload replayed (kept_run.js): their reports went through addReport already.
  function addReplayed(reply) {
    gradNorm.add(reply.reports);
    store.update({ step: reply.step, epoch: reply.epoch });
    dirty = true;
  }

  const chartData = () => ({ steps: chart.steps.slice(), raw: chart.raw.slice(), val: chart.val.slice() });

  setInterval(renderStatus, STATUS_EVERY_MS);
  return {
    showRate: (lr) => { if (lastLr === null && Number.isFinite(lr)) { lastLr = lr; dirty = true; } },
    reset, addReport, addProgress, addValPoint, addTimeline, truncate, setFromHistory, bestFromHistory, renderStatus,
    addReplayed, chartData,
    touch: () => { dirty = true; },
  };
}
