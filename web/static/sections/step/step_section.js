// Section 6, "Step through the unrolled network": the classic lecture on "hello" with the engine's real numbers.
// One column per character; walk forward (each layer's step, the prediction, the loss) and backward (the error
// signal, dh from above and from the future, through the nonlinearity, the weight gradients accumulating), then
// see the update, check the gradients numerically, ask what a prediction used, and hold a unit to see what it does.
// All engine work is a "look" request to the worker (step_through_bindings.cpp); these modules only draw.
//
// Needs: store (reads state, gen, step, model), request(op, args) (a look request to the current model),
//   trainSteps(n) (the train section: n real training steps from a pause; false when it cannot), lecture() (sets
//   the lecture's text and settings). Emits nothing.
import { $, sentence } from '../../ui/dom.js';
import { renderBackward } from './step_backward.js';
import { initCheck } from './step_check.js';
import { initClamp } from './step_clamp.js';
import { carriedInNorm, inputChar, named, outputAt, symbol, targetChar } from './step_data.js';
import { renderForward } from './step_forward.js';
import { renderStrip } from './step_strip.js';
import { num, sci } from './step_table.js';
import { renderUnit } from './step_units.js';
import { renderUpdate } from './step_update.js';
import { initUses } from './step_uses.js';

const MAX_CHARS = 65;

const hasModel = ({ model, state }) => Boolean(model) && state !== 'none' && state !== 'opening';

function inputArgs() {
  const w = Number($('step-window').value);
  return { text: $('step-text').value, window: Number.isInteger(w) && w > 0 ? w : 0 };
}

function inputProblem({ text, window }) {
  const n = [...text].length;
  if (n < 2) return 'Type at least 2 characters: each step reads one and predicts the next.';
  if (n > MAX_CHARS) return `The input has ${n} characters; the step-through shows at most ${MAX_CHARS}.`;
  if (window > 64) return 'The truncation length is at most 64 steps (0 = none).';
  return null;
}

// Runs the unrolled trace (and the update preview) on the input; keep: stay at the same step (a refresh).
async function unroll(st, { keep = false } = {}) {
  const args = inputArgs();
  const problem = inputProblem(args);
  if (problem) { $('step-state').textContent = problem; return; }
  const mine = ++st.seq;
  $('step-state').textContent = 'Unrolling…';
  try {
    const u = (await st.request('unroll', args)).result;
    const preview = (await st.request('previewUpdate', args)).result;
    if (mine !== st.seq) return;
    const same = keep && st.u && st.u.T === u.T;
    Object.assign(st, { u, preview, args, shownStep: st.store.get().step, unit: null });
    if (!same) Object.assign(st, { t: 0, dir: 'forward' });
    $('step-state').textContent = `${u.T} steps on “${u.text}”, ${u.cell === 'rnn' ? 'RNN' : u.cell.toUpperCase()}, ` +
      `${u.L} × ${u.H} units, mean loss ${num(u.meanLoss)} nats, at training step ${st.shownStep}.`;
    $('step-unit-view').hidden = true;
    setUnitBounds(u);
    render(st);
  } catch (e) {
    if (mine === st.seq && !e.reset) $('step-state').textContent = sentence(e.message);
  }
}

function setUnitBounds(u) {
  $('step-unit-layer').max = String(u.L);
  $('step-unit').max = String(u.H - 1);
}

async function openUnit(st, layer, unit) {
  if (!st.u) return;
  try {
    const v = (await st.request('unrollUnit', { ...st.args, layer, unit })).result;
    renderUnit($('step-unit-view'), st.u, v);
    $('step-unit-view').scrollIntoView?.({ block: 'nearest' });
  } catch (e) {
    if (!e.reset) $('step-state').textContent = sentence(e.message);
  }
}

function whereText(st) {
  const { u, t, dir } = st;
  const head = `${dir === 'forward' ? 'Forward' : 'Backward'}, step ${t + 1} of ${u.T}: reads ${named(inputChar(u, t))}`;
  if (dir === 'forward') {
    const o = outputAt(u, t);
    return `${head}; top prediction ${named(symbol(u, o.top))} (p = ${num(o.probs[o.top])}); next character ` +
      `${named(targetChar(u, t))}, p = ${num(o.probs[o.target])}, loss ${num(o.loss)} nats.`;
  }
  const top = u.layers[u.L - 1];
  const back = t === 0 ? ` The gradient reaching the carried-in state: ${sci(carriedInNorm(u))}.` : '';
  return `${head}; ‖dL/dh_t‖ = ${sci(top.dhNorm[t])} (layer ${u.L}).${back}`;
}

function render(st) {
  const { u, t, dir } = st;
  const stripHadFocus = $('step-strip').contains(document.activeElement);
  $('step-view').hidden = false;
  renderStrip($('step-strip'), u, t, dir, (s) => go(st, s, dir, true));
  const openUnitFn = (layer, unit) => openUnit(st, layer, unit);
  if (dir === 'forward') renderForward($('step-detail'), u, t, openUnitFn);
  else renderBackward($('step-detail'), u, t, openUnitFn);
  $('step-where').textContent = whereText(st);
  $('step-forward').setAttribute('aria-pressed', String(dir === 'forward'));
  $('step-backward').setAttribute('aria-pressed', String(dir === 'backward'));
  const atStart = dir === 'forward' && t === 0, atEnd = dir === 'backward' && t === 0;
  $('step-prev').setAttribute('aria-disabled', String(atStart));
  $('step-next').setAttribute('aria-disabled', String(atEnd));
  $('step-dropout').hidden = !u.dropoutIgnored;
  $('step-dropout').textContent = 'This model trains with dropout; the step-through shows the network without it, so a real training step differs by the dropped inputs.';
  renderUpdate($('step-update'), st.preview, u);
  if (stripHadFocus) $('step-strip').querySelector('[aria-current="step"]')?.focus({ preventScroll: true });
  requestAnimationFrame(keepColumnInView);   // measured at the next frame's layout, not forced here
}

// On a narrow screen the columns scroll sideways inside their box: the current one is kept in sight.
function keepColumnInView() {
  const box = $('step-strip');
  const cur = box.querySelector('[aria-current="step"]')?.closest('th');
  if (!cur) return;
  const left = cur.getBoundingClientRect().left - box.getBoundingClientRect().left + box.scrollLeft;
  const right = left + cur.offsetWidth;
  if (left < box.scrollLeft + 80 || right > box.scrollLeft + box.clientWidth)
    box.scrollLeft = Math.max(0, left - box.clientWidth / 2 + cur.offsetWidth / 2);
}

function go(st, t, dir, focusStrip = false) {
  if (!st.u) return;
  st.t = Math.max(0, Math.min(st.u.T - 1, t));
  st.dir = dir;
  render(st);
  if (focusStrip) $('step-strip').querySelector('[aria-current="step"]')?.focus({ preventScroll: true });
}

// Next step follows the pass: forward left to right, then on into the backward pass from the last step.
function next(st) {
  const { t, dir, u } = st;
  if (!u) return;
  if (dir === 'forward') go(st, t + 1 < u.T ? t + 1 : u.T - 1, t + 1 < u.T ? 'forward' : 'backward');
  else if (t > 0) go(st, t - 1, 'backward');
}

function previous(st) {
  const { t, dir, u } = st;
  if (!u) return;
  if (dir === 'backward') go(st, t + 1 < u.T ? t + 1 : u.T - 1, t + 1 < u.T ? 'backward' : 'forward');
  else if (t > 0) go(st, t - 1, 'forward');
}

function onKey(st, e) {
  if (!st.u || e.target.closest('input, textarea, select')) return;
  const moves = { ArrowRight: st.t + 1, ArrowLeft: st.t - 1, Home: 0, End: st.u.T - 1 };
  if (!(e.key in moves)) return;
  e.preventDefault();
  go(st, moves[e.key], st.dir, $('step-strip').contains(document.activeElement));
}

async function trainOne(st) {
  if (!st.trainSteps(1)) {
    $('step-train-state').textContent = st.store.get().state === 'paused'
      ? 'This model trains on another text than the one above: resume it or train a new one first (section 3).'
      : 'Pause training first (section 3); Train one step then takes exactly one step.';
    return;
  }
  st.afterTrain = true;
  $('step-train-state').textContent = 'Training one step…';
}

// A new model (trained, loaded or reset): nothing shown about the old one stays on screen.
function newModel(st) {
  st.seq++;
  st.afterTrain = false;
  for (const part of st.parts) part.clear();
  $('step-train-state').textContent = '';
  if (!st.u) return;
  st.u = null;
  $('step-view').hidden = true;
  $('step-state').textContent = 'A new model: press Unroll to step through it.';
}

function onStore(st, s, keys) {
  const ready = hasModel(s);
  $('step-run').disabled = !ready;
  $('step-train-one').disabled = !ready;
  if (keys.includes('gen')) newModel(st);
  // After Train one step (or any pause at a new step) the numbers are refreshed at the same place in the walk.
  if (st.u && s.state === 'paused' && s.step !== st.shownStep && (keys.includes('state') || keys.includes('step'))) {
    if (st.afterTrain) $('step-train-state').textContent = `Trained one step: now at step ${s.step}.`;
    st.afterTrain = false;
    unroll(st, { keep: true });
  }
}

function wire(st) {
  $('step-run').addEventListener('click', () => unroll(st));
  $('step-text').addEventListener('keydown', (e) => { if (e.key === 'Enter') unroll(st); });
  $('step-forward').addEventListener('click', () => go(st, 0, 'forward'));
  $('step-backward').addEventListener('click', () => go(st, st.u ? st.u.T - 1 : 0, 'backward'));
  $('step-next').addEventListener('click', () => next(st));
  $('step-prev').addEventListener('click', () => previous(st));
  $('step-view').addEventListener('keydown', (e) => onKey(st, e));
  $('step-train-one').addEventListener('click', () => trainOne(st));
  $('step-unit-open').addEventListener('click', () => openUnit(st, Number($('step-unit-layer').value) - 1, Number($('step-unit').value)));
  $('step-lecture').addEventListener('click', async () => {
    await st.lecture();
    $('step-lecture-note').hidden = false;
    $('step-lecture-note').textContent = 'The Hello text and the lecture\'s model (vanilla RNN, 1 layer of 8 units, one-hot input) are set. Press Train (or Reset, then Train, if a model is already there); a few seconds of training are enough for “hello”.';
  });
}

export function initStep({ store, request, trainSteps, lecture }) {
  const st = { store, request, trainSteps, lecture, u: null, preview: null, args: null, t: 0, dir: 'forward', seq: 0,
               shownStep: null, afterTrain: false, parts: [] };
  wire(st);
  st.parts = [initCheck({ request, args: () => st.args ?? inputArgs(), ready: () => hasModel(store.get()) }),
              initUses({ store, request }), initClamp({ store, request })];
  store.subscribe((s, keys) => onStore(st, s, keys));
  onStore(st, store.get(), []);
}
