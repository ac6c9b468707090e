// Section 7, "Compare runs": several runs side by side, each with its cell type and settings, its validation curve,
// its final validation loss and a final sample. "Train the three cells on this text" trains a vanilla RNN, an LSTM
// and a GRU one after another with the same text, size and seed for the same number of steps; "Train the LSTM
// variants" does the same for the variants of "LSTM: A Search Space Odyssey"; "Add my current run" adds the
// person's own model as it is now.
//
// Worker model: the comparison runs in a second engine worker of its own (engine_client.js), started for the
// comparison and ended after it. The person's model is never touched: no save/restore round trip, its training
// may go on meanwhile, and Cancel simply ends the comparison worker.
//
// The runs are kept across reloads (compare_store.js) until Clear.
import { Req, Rep, parseConfigText } from '../../engine/protocol.js';
import { EngineClient } from '../../engine/engine_client.js';
import { beginDrawing } from '../../ui/canvas.js';
import { loadRuns, saveRuns } from './compare_store.js';
import { fmtInt, fmtBits } from '../../ui/format.js';

const $ = (id) => document.getElementById(id);
const CELL_NAMES = { rnn: 'RNN', lstm: 'LSTM', gru: 'GRU', lstm_peephole: 'LSTM with peepholes',
                     lstm_cifg: 'LSTM, CIFG', lstm_nfg: 'LSTM, no forget gate' };
const THREE = ['rnn', 'lstm', 'gru'];
const VARIANTS = ['lstm_peephole', 'lstm_cifg', 'lstm_nfg'];
// Okabe–Ito colours (distinguishable with the common colour-vision deficiencies), each run also gets its own dash
// pattern and point shape, and its name is written at the end of its line: colour is never the only cue.
const COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000'];
const DASHES = [[], [8, 4], [2, 3], [10, 3, 2, 3], [4, 4], [1, 3], [12, 4]];
const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'circle', 'square', 'triangle'];
const SAMPLE = { length: 240, temperature: 0.8, seed: 1 };
const STATUS_MS = 3000;
const EVAL_POINTS = 20;   // validation points per run: at every steps/20 (the same steps for every run)

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

// window.localStorage, or null where the browser denies it (reading the property itself can throw).
function pageStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
const NOT_KEPT = ' They could not be kept for your next visit: this browser\'s storage is off or full.';

function niceStep(range, ticks) {
  const rough = range / ticks;
  const pow = 10 ** Math.floor(Math.log10(rough));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= rough) return m * pow;
  return 10 * pow;
}

function summary(cfg, parameterCount, steps) {
  const num = (v) => String(Number(Number(v).toPrecision(4)));
  return `${cfg.layers} layer${cfg.layers === '1' ? '' : 's'} × ${cfg.hidden} units, ` +
    (Number(cfg.embed) > 0 ? `embedding ${cfg.embed}` : 'one-hot input') +
    `, ${fmtInt(parameterCount)} parameters; ${cfg.optimizer} at ${num(cfg.lr)}, batch ${cfg.batch} × unroll ` +
    `${cfg.unroll}, clipping ${cfg.clip === 'none' ? 'off' : num(cfg.clip_value)}, seed ${cfg.seed}; ` +
    `${fmtInt(steps)} steps`;
}

// hooks: text() -> { text } | { bytes } (the page's text), config(cell) -> config text with the page's settings,
// currentRun() -> Promise<{ config, parameterCount, step, curve: [{ step, bits }], sample }> (the person's model).
export function initCompare(hooks) {
  const app = window.app;
  const cmp = (app.compare = { runs: [], busy: false, progress: null });
  const canvas = $('cmp-chart');
  let client = null;
  let gen = 0;
  let waiting = null;       // { gen, onProgress, resolve, reject } while a run trains
  let cancelled = false;
  let adding = false;       // "Add my current run" waiting for the person's model's sample

  // ------------------------------------------------------------------------------------------------------------
  // The comparison worker

  function connect() {
    return new Promise((resolve, reject) => {
      client = new EngineClient({
        createWorker: () => self.rnnlabBoot.newEngineWorker(),
        onReady: () => resolve(),
        onFatal: (text) => {
          reject(new Error(text));
          if (waiting) waiting.reject(new Error(text));
        },
        onReport: (msg) => {
          if (!waiting || msg.gen !== waiting.gen) return;
          if (msg.kind === Rep.PROGRESS) waiting.onProgress(msg);
          else if (msg.kind === Rep.PAUSED) waiting.resolve(msg);
          else if (msg.kind === Rep.ERROR) waiting.error = msg.message;
        },
      });
    });
  }

  function disconnect() {
    if (client) client.stop();
    client = null;
    if (waiting) waiting.reject(Object.assign(new Error('cancelled'), { reset: true }));
    waiting = null;
  }

  // Trains one cell for `steps` steps in the comparison worker and returns its run.
  async function trainOne(cell, steps, index, count) {
    gen += 1;
    const config = hooks.config(cell);
    const opened = await client.request(Req.OPEN, gen, { ...hooks.text(), config });
    const curve = [];
    if (opened.eval) curve.push({ step: 0, bits: opened.eval.bitsPerChar });
    const run = { label: labelFor(CELL_NAMES[cell] || cell), cell, kind: 'comparison', curve, steps,
                  summary: summary(parseConfigText(opened.config), opened.parameterCount, steps), sample: '' };
    let said = -Infinity;
    const show = (step) => {
      cmp.progress = { run: index + 1, runs: count, cell, step, steps };
      $('cmp-progress').value = (index + Math.min(1, step / steps)) / count;
      // The status is a live region: reworded every few seconds, not at every progress report.
      if (step > 0 && performance.now() - said < STATUS_MS) return;
      said = performance.now();
      $('cmp-state').textContent = `Training ${run.label} (${index + 1} of ${count}): step ${fmtInt(step)} of ` +
        `${fmtInt(steps)}` + (curve.length ? `, validation ${fmtBits(curve[curve.length - 1].bits)} bits/char.` : '.');
    };
    show(0);
    const paused = await new Promise((resolve, reject) => {
      waiting = {
        gen, resolve, reject,
        onProgress: (msg) => {
          if (msg.eval) curve.push({ step: msg.eval.step, bits: msg.eval.bitsPerChar });
          show(msg.step);
        },
      };
      client.send(Req.TRAIN, gen, { stopAt: steps, evalEvery: Math.max(1, Math.round(steps / EVAL_POINTS)) });
    });
    const problem = waiting?.error;
    waiting = null;
    if (paused.eval) curve.push({ step: paused.eval.step, bits: paused.eval.bitsPerChar });
    if (paused.reason === 'error') throw new Error(problem || `${run.label} stopped with an error`);
    run.stoppedEarly = paused.reason === 'diverged' ? `diverged at step ${fmtInt(paused.step)}` : null;
    run.finalBits = curve.length ? curve[curve.length - 1].bits : null;
    run.finalStep = paused.step;
    const s = await client.request(Req.SAMPLE, gen, { options: SAMPLE });
    run.sample = s.text;
    return run;
  }

  async function trainCells(cells) {
    if (cmp.busy) return;
    const steps = Number($('cmp-steps').value);
    if (!Number.isInteger(steps) || steps < 10 || steps > 5000) {
      $('cmp-state').textContent = 'Steps per cell must be a whole number from 10 to 5,000.';
      return;
    }
    cmp.busy = true;
    cancelled = false;
    renderControls();
    $('cmp-progress').hidden = false;
    $('cmp-progress').value = 0;
    $('cmp-state').textContent = 'Starting a second engine for the comparison…';
    let done = 0;
    try {
      await connect();
      for (let i = 0; i < cells.length; ++i) {
        const run = await trainOne(cells[i], steps, i, cells.length);
        addRun(run);
        done += 1;
      }
      $('cmp-state').textContent = `Done: ${cells.length} runs of ${fmtInt(steps)} steps each, on the same text ` +
        'with the same settings and seed.' + (kept ? '' : NOT_KEPT);
    } catch (e) {
      $('cmp-state').textContent = cancelled || e.reset
        ? `Cancelled${done ? `; the ${done} finished run${done > 1 ? 's are' : ' is'} kept` : ''}.`
        : `The comparison stopped: ${e.message}`;
    } finally {
      disconnect();
      cmp.busy = false;
      cmp.progress = null;
      $('cmp-progress').hidden = true;
      renderControls();
    }
  }

  function cancel() {
    cancelled = true;
    disconnect();
  }

  async function addCurrent() {
    adding = true;
    renderControls();
    try {
      const r = await hooks.currentRun();
      const cfg = parseConfigText(r.config);
      const finalBits = r.curve.length ? r.curve[r.curve.length - 1].bits : null;
      addRun({
        label: labelFor(`Your ${CELL_NAMES[cfg.cell] || cfg.cell}`), cell: cfg.cell, kind: 'yours', curve: r.curve,
        steps: r.step, finalStep: r.step, finalBits, sample: r.sample, summary: summary(cfg, r.parameterCount, r.step),
      });
      $('cmp-state').textContent = `Added your model at step ${fmtInt(r.step)}.` + (kept ? '' : NOT_KEPT);
    } catch (e) {
      if (!e.reset) $('cmp-state').textContent = e.message;
    } finally {
      adding = false;
      renderControls();
    }
  }

  // Names stay unique, so the legend, the end-of-line labels and the list always tell runs apart.
  function labelFor(name) {
    const taken = new Set(cmp.runs.map((r) => r.label));
    if (!taken.has(name)) return name;
    for (let i = 2; ; ++i) if (!taken.has(`${name} (${i})`)) return `${name} (${i})`;
  }

  function styled(run, i) {
    run.style = { colour: COLOURS[i % COLOURS.length], dash: DASHES[i % DASHES.length], shape: SHAPES[i % SHAPES.length] };
    return run;
  }

  // Whether the runs as they are now are stored for the next visit.
  let kept = true;
  function addRun(run) {
    cmp.runs.push(styled(run, cmp.runs.length));
    kept = saveRuns(pageStorage(), cmp.runs);
    render();
  }

  // ------------------------------------------------------------------------------------------------------------
  // Drawing

  function renderControls() {
    $('cmp-three').disabled = cmp.busy;
    $('cmp-variants').disabled = cmp.busy;
    $('cmp-cancel').disabled = !cmp.busy;
    $('cmp-add').disabled = adding;
    $('cmp-clear').disabled = cmp.busy || cmp.runs.length === 0;
  }

  function swatch(style) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', '34');
    svg.setAttribute('height', '12');
    svg.setAttribute('aria-hidden', 'true');
    svg.classList.add('cmp-swatch');
    const line = document.createElementNS(ns, 'line');
    for (const [k, v] of Object.entries({ x1: 1, y1: 6, x2: 33, y2: 6, stroke: style.colour, 'stroke-width': 2.5 }))
      line.setAttribute(k, String(v));
    if (style.dash.length) line.setAttribute('stroke-dasharray', style.dash.join(' '));
    svg.append(line);
    const p = document.createElementNS(ns, 'path');
    p.setAttribute('d', shapePath(style.shape, 17, 6, 4));
    p.setAttribute('fill', style.colour);
    svg.append(p);
    return svg;
  }

  function shapePath(shape, x, y, r) {
    if (shape === 'square') return `M${x - r} ${y - r}h${2 * r}v${2 * r}h${-2 * r}z`;
    if (shape === 'triangle') return `M${x} ${y - r - 1}L${x + r + 1} ${y + r}L${x - r - 1} ${y + r}z`;
    if (shape === 'diamond') return `M${x} ${y - r - 1}L${x + r + 1} ${y}L${x} ${y + r + 1}L${x - r - 1} ${y}z`;
    return `M${x - r} ${y}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`;
  }

  function render() {
    const legend = $('cmp-legend');
    legend.replaceChildren(...cmp.runs.map((r) => {
      const li = document.createElement('li');
      const name = document.createElement('span');
      name.textContent = `${r.label}: ${fmtBits(r.finalBits)} bits/char`;
      li.append(swatch(r.style), name);
      return li;
    }));
    const list = $('cmp-runs');
    list.replaceChildren(...cmp.runs.map((r, i) => {
      const li = document.createElement('li');
      li.className = 'cmp-run';
      const head = document.createElement('h4');
      head.id = `cmp-run-${i}`;
      head.append(swatch(r.style), document.createTextNode(r.label));
      const final = document.createElement('p');
      final.className = 'cmp-final';
      final.textContent = `Final validation loss ${fmtBits(r.finalBits)} bits/char at step ${fmtInt(r.finalStep)}` +
        (r.stoppedEarly ? ` (${r.stoppedEarly})` : '') + '.';
      const cfg = document.createElement('p');
      cfg.className = 'hint';
      cfg.textContent = r.summary;
      const sample = document.createElement('pre');
      sample.className = 'sample-output cmp-sample';
      sample.tabIndex = 0;
      sample.setAttribute('role', 'region');
      sample.setAttribute('aria-label', `Final sample of ${r.label}`);
      sample.textContent = r.sample;
      li.append(head, final, cfg, sample);
      return li;
    }));
    $('cmp-empty').hidden = cmp.runs.length > 0;
    canvas.setAttribute('aria-label', cmp.runs.length
      ? 'Validation loss in bits per character against training step: ' +
        cmp.runs.map((r) => `${r.label} from ${fmtBits(r.curve[0]?.bits)} to ${fmtBits(r.finalBits)} at step ` +
          fmtInt(r.finalStep)).join('; ') + '.'
      : 'Validation curves of the compared runs: none yet');
    renderControls();
    draw();
  }

  function draw() {
    const drawing = beginDrawing(canvas);
    if (!drawing) return;
    const { ctx, w, h, colour } = drawing;
    const text = colour('--chart-text', '#444'), grid = colour('--chart-grid', '#ddd');
    const runs = cmp.runs.filter((r) => r.curve.length);
    if (!runs.length) {
      ctx.fillStyle = text;
      ctx.fillText('Validation curves appear here.', 12, h / 2);
      return;
    }
    // Names at the line ends when they fit in at most 40% of the width; otherwise the legend below names the lines.
    const endLabel = (r) => `${r.label} ${fmtBits(r.finalBits)}`;
    const labelWidth = Math.max(...runs.map((r) => ctx.measureText(endLabel(r)).width)) + 14;
    const labelsInside = labelWidth <= 0.4 * w;
    const left = 40, right = labelsInside ? labelWidth : 10, top = 10, bottom = 24;
    const pw = w - left - right, ph = h - top - bottom;
    let xMax = 1, yMin = Infinity, yMax = -Infinity;
    for (const r of runs) for (const p of r.curve) {
      xMax = Math.max(xMax, p.step);
      if (Number.isFinite(p.bits)) { yMin = Math.min(yMin, p.bits); yMax = Math.max(yMax, p.bits); }
    }
    yMin = Math.floor(yMin * 2) / 2;
    yMax = Math.max(yMin + 0.5, Math.ceil(yMax * 2) / 2);
    const X = (s) => left + (pw * s) / xMax;
    const Y = (b) => top + ph * (1 - (b - yMin) / (yMax - yMin));
    ctx.strokeStyle = grid;
    ctx.fillStyle = text;
    ctx.lineWidth = 1;
    ctx.textBaseline = 'middle';
    const yStep = yMax - yMin > 3 ? 1 : 0.5;
    for (let b = yMin; b <= yMax + 1e-9; b += yStep) {
      ctx.beginPath(); ctx.moveTo(left, Math.round(Y(b)) + 0.5); ctx.lineTo(left + pw, Math.round(Y(b)) + 0.5); ctx.stroke();
      ctx.fillText(b.toFixed(1), 6, Y(b));
    }
    ctx.textBaseline = 'alphabetic';
    ctx.textAlign = 'center';
    const xStep = niceStep(xMax, Math.max(2, Math.floor(pw / 80)));
    for (let s = 0; s < xMax - xStep / 2; s += xStep) ctx.fillText(fmtInt(s), X(s), h - 6);
    ctx.textAlign = 'left';
    const xLabel = `step ${fmtInt(xMax)}`;
    ctx.fillText(xLabel, left + pw - ctx.measureText(xLabel).width, h - 6);
    if (pw > 300) ctx.fillText('bits/char (validation)', left + 8, top + 12);

    const ends = [];
    for (const r of runs) {
      const { colour, dash, shape } = r.style;
      ctx.strokeStyle = colour;
      ctx.fillStyle = colour;
      ctx.lineWidth = 2.25;
      ctx.setLineDash(dash);
      ctx.beginPath();
      r.curve.forEach((p, i) => (i ? ctx.lineTo(X(p.step), Y(p.bits)) : ctx.moveTo(X(p.step), Y(p.bits))));
      ctx.stroke();
      ctx.setLineDash([]);
      for (const p of r.curve) ctx.fill(new Path2D(shapePath(shape, X(p.step), Y(p.bits), 3)));
      const last = r.curve[r.curve.length - 1];
      ends.push({ y: Y(last.bits), x: X(last.step), r });
    }
    if (labelsInside) {
      // Names at the ends of the lines, pushed apart so they never overlap.
      ends.sort((a, b) => a.y - b.y);
      for (let i = 1; i < ends.length; ++i) ends[i].y = Math.max(ends[i].y, ends[i - 1].y + 15);
      ctx.textBaseline = 'middle';
      for (const e of ends) {
        ctx.fillStyle = e.r.style.colour;
        ctx.fillText(endLabel(e.r), left + pw + 8, Math.min(e.y, h - 8));
      }
    }
  }

  new ResizeObserver(draw).observe(canvas);
  $('cmp-three').addEventListener('click', () => trainCells(THREE));
  $('cmp-variants').addEventListener('click', () => trainCells(VARIANTS));
  $('cmp-cancel').addEventListener('click', cancel);
  $('cmp-add').addEventListener('click', addCurrent);
  $('cmp-clear').addEventListener('click', () => {
    cmp.runs = [];
    kept = saveRuns(pageStorage(), cmp.runs);
    render();
    $('cmp-state').textContent = '';
  });

  // The runs of an earlier visit, if any were kept.
  const earlier = loadRuns(pageStorage());
  cmp.runs = earlier.runs.map(styled);
  if (earlier.problem) {
    $('cmp-state').textContent = `The compared runs kept from an earlier visit were ${earlier.problem}, so they were ` +
      'cleared. Train new ones with the buttons above.';
  } else if (cmp.runs.length) {
    $('cmp-state').textContent = `${plural(cmp.runs.length, 'run')} kept from your last visit. Clear runs removes them.`;
  }
  render();
}
