// Section 6, "Look inside": interpretable cells (each character coloured by one unit's value), next-character
// predictions (shaded by the probability the model gave to what came next, with the top 5 on hover or focus),
// gradient flow (how far back the loss reaches, one curve per measurement so cell types can be overlaid) and an
// n-gram baseline. Everything comes from the worker (op "look", see inspect_bindings.cpp); this file only draws.
// Text from the person or the model is only written with textContent.

import { diverging, sequential } from '../../ui/scales.js';
import { createHeatmap } from '../../ui/heatmap.js';
import { initLive } from './live.js';
import { beginDrawing } from '../../ui/canvas.js';

const $ = (id) => document.getElementById(id);
const GATE_LETTERS = { lstm: 'ifgo', lstm_peephole: 'ifgo', gru: 'rzn', lstm_cifg: 'igo', lstm_nfg: 'igo' };
const GATE_NAMES = { i: 'input gate i', f: 'forget gate f', g: 'candidate g', o: 'output gate o', r: 'reset gate r',
                     z: 'update gate z', n: 'candidate n' };
const CELL_NAMES = { lstm: 'LSTM', gru: 'GRU', rnn: 'RNN', rnn_tanh: 'RNN', lstm_peephole: 'LSTM with peepholes',
                     lstm_cifg: 'LSTM (CIFG)', lstm_nfg: 'LSTM (no forget gate)' };
const FLOW_COLOURS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
const FLOW_TABLE_LAGS = [0, 1, 2, 5, 10, 20, 30, 39];
const MAX_CHARS = 1000;
const LIVE_SLICE = 200;   // characters recoloured per task during a live refresh (a few ms each)

const sentence = (s) => { const t = String(s).trim(); return (t[0] || '').toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.'); };
const signed = (v) => (v >= 0 ? '+' : '−') + Math.abs(v).toFixed(3);
const pct = (p) => (p * 100).toFixed(p >= 0.1 ? 0 : 1) + '%';

function charName(ch) {
  if (ch === ' ') return 'space';
  if (ch === '\n') return 'newline';
  if (ch === '\t') return 'tab';
  if (ch === undefined) return 'end of text';
  return `“${ch}”`;
}

// request(op, args): a "look" request to the current model; currentGen(): that model's generation.
export function initInspect({ request, currentGen }) {
  const app = window.app;
  const look = (app.look = { trace: null, selected: null, ranking: [], flows: [], ngram: null, heatmap: null });
  const heat = createHeatmap({
    onSelect: (unit) => {
      $('look-unit').value = String(unit);
      colourCells();
      showHeat();
    },
  });
  let lastArgs = null;    // what the shown trace was made from: live refresh asks for the same
  let traceSeq = 0;       // the newest trace request: an older reply (a live refresh overtaken) is dropped
  let tr = null;          // the last trace: result arrays + chars (array of strings) + cell
  let active = 0;         // index of the character that has (or last had) keyboard focus
  let busy = false;

  const state = (id, text) => { $(id).textContent = text; };

  async function ask(op, args, stateId) {
    try {
      return await request(op, args);
    } catch (e) {
      state(stateId, e.reset ? '' : sentence(e.message));
      return null;
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // Tracing a text

  function traceArgs(extra = {}) {
    const text = $('look-text').value;
    return text.trim() ? { text, maxChars: MAX_CHARS, ...extra } : { maxChars: MAX_CHARS, ...extra };
  }

  async function runTrace(feature = null) {
    if (busy) return;
    busy = true;
    $('look-run').disabled = true;
    $('look-find').disabled = true;
    state('look-state', feature ? 'Ranking units…' : 'Running the model over the text…');
    const args = traceArgs(feature ? { feature, count: 5 } : {});
    const mine = ++traceSeq;
    const reply = await ask('trace', args, 'look-state');
    busy = false;
    $('look-run').disabled = false;
    $('look-find').disabled = false;
    if (!reply || mine !== traceSeq) return;
    lastArgs = traceArgs();   // a live refresh re-traces the same text (without re-ranking)
    showTrace(reply);
    state('look-live-state', '');
    if (feature) showRanking(reply.result.ranking || [], feature);
  }

  const sameShape = (r, cell) => tr && tr.layers === r.layers && tr.hidden === r.hidden && tr.cell === cell;

  function showTrace(reply) {
    const r = reply.result;
    const keep = sameShape(r, reply.cell);
    tr = { ...r, cell: reply.cell, step: reply.step, chars: [...r.text] };
    look.trace = { length: r.length, layers: r.layers, hidden: r.hidden, cell: reply.cell, step: reply.step };
    fillSelectors(keep);
    buildChars($('look-cells'));
    buildChars($('look-preds'));
    active = Math.min(active, tr.chars.length - 1);
    colourCells();
    colourPreds();
    showHeat();
    state('look-state', traceState(reply));
    if (!keep) showRanking(null);   // a ranking belongs to the model it was made for
  }

  function traceState(reply, live = false) {
    return `${tr.chars.length.toLocaleString('en-US')} characters through the ${CELL_NAMES[tr.cell] || tr.cell} ` +
      `at step ${reply.step.toLocaleString('en-US')}` +
      (live ? ` (refreshed while training; the engine paused ${Math.round(reply.ms)} ms for it).` : '.');
  }

  // Live refresh (live.js): the same text through the model as it is now. When only the values changed, the
  // characters stay in place (focus and tooltip too) and are recoloured, each view in its own short task so the
  // page never stalls; returns how long each task took.
  async function refreshTrace() {
    if (busy || !lastArgs) return null;   // the person's own request goes first
    const mine = ++traceSeq;
    let reply = null;
    try {
      reply = await request('trace', lastArgs);
    } catch {
      reply = null;   // e.g. the model was reset meanwhile; the next refresh tries again
    }
    if (!reply || mine !== traceSeq) return null;
    const r = reply.result;
    if (!sameShape(r, reply.cell) || r.text !== tr.text) {
      const t0 = performance.now();
      showTrace(reply);
      return [performance.now() - t0];
    }
    tr = { ...r, cell: reply.cell, step: reply.step, chars: tr.chars };
    look.trace = { length: r.length, layers: r.layers, hidden: r.hidden, cell: reply.cell, step: reply.step };
    const slices = [];
    const parts = [];
    for (let a = 0; a < tr.chars.length; a += LIVE_SLICE) parts.push(() => colourCells(a, a + LIVE_SLICE));
    for (let a = 0; a < tr.chars.length; a += LIVE_SLICE) parts.push(() => colourPreds(a, a + LIVE_SLICE));
    parts.push(...heat.steps(tr, selection()));
    for (const part of parts) {
      const t0 = performance.now();
      part();
      slices.push(performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    // Not the status line (a live region): a screen reader would announce every refresh.
    if ($('look-live').checked) {
      state('look-live-state', traceState(reply, true));
      state('look-state', '');   // its step number is out of date now (clearing is not announced)
    }
    return slices;
  }

  function showHeat() {
    if (tr) heat.show(tr, selection());
  }

  function fillSelectors(keep) {
    const layer = $('look-layer'), kind = $('look-kind'), unit = $('look-unit');
    const prev = keep ? { layer: layer.value, kind: kind.value, unit: unit.value } : null;
    layer.replaceChildren(...Array.from({ length: tr.layers }, (_, k) => new Option(String(k + 1), String(k))));
    const kinds = [new Option('Hidden state h', 'h')];
    if (tr.hasCellState) kinds.push(new Option('Cell state c', 'c'));
    const letters = tr.gatesPerCell > 0 ? (GATE_LETTERS[tr.cell] || '').slice(0, tr.gatesPerCell) : '';
    [...letters].forEach((g, i) => kinds.push(new Option(GATE_NAMES[g] || `gate ${i + 1}`, 'g' + i)));
    kind.replaceChildren(...kinds);
    unit.max = String(tr.hidden - 1);
    if (prev) {
      layer.value = prev.layer;
      kind.value = [...kind.options].some((o) => o.value === prev.kind) ? prev.kind : 'h';
      unit.value = String(Math.min(Number(prev.unit) || 0, tr.hidden - 1));
    } else {
      unit.value = '0';
    }
  }

  function buildChars(box) {
    const spans = tr.chars.map((ch, t) => {
      const s = document.createElement('span');
      s.setAttribute('role', 'img');
      s.tabIndex = t === active ? 0 : -1;
      s.dataset.t = String(t);
      if (ch === '\n') {
        s.className = 'nl';
        s.textContent = '↵\n';
      } else {
        s.textContent = ch;
      }
      return s;
    });
    box.replaceChildren(...spans);
  }

  // The selected unit's values: { get(t), scale, name }.
  function selection() {
    const layer = Number($('look-layer').value) || 0;
    const kind = $('look-kind').value || 'h';
    const unit = Math.max(0, Math.min(tr.hidden - 1, Math.round(Number($('look-unit').value) || 0)));
    const H = tr.hidden;
    let get, name;
    if (kind === 'h' || kind === 'c') {
      const a = (kind === 'h' ? tr.h : tr.c)[layer];
      get = (t) => a[t * H + unit];
      name = kind;
    } else {
      const g = Number(kind.slice(1));
      const a = tr.gates[layer];
      get = (t) => a[t * tr.gateRows + g * H + unit];
      name = $('look-kind').selectedOptions[0]?.textContent || kind;
    }
    let scale = 1;
    if (kind === 'c') {   // the cell state is unbounded: scale by its largest magnitude over this text
      scale = 1e-6;
      for (let t = 0; t < tr.chars.length; ++t) scale = Math.max(scale, Math.abs(get(t)));
    }
    return { layer, kind, unit, get, scale, label: `layer ${layer + 1}, ${name}, unit ${unit}` };
  }

  // Colours characters from..to-1 (all by default; live refresh goes in slices). The values are cheap to read and
  // always kept whole.
  function colourCells(from = 0, to = Infinity) {
    if (!tr) return;
    const sel = selection();
    const spans = $('look-cells').children;
    const values = new Array(tr.chars.length);
    for (let t = 0; t < values.length; ++t) values[t] = sel.get(t);
    for (let t = from; t < Math.min(to, spans.length); ++t) {
      const v = values[t];
      const x = v / sel.scale;
      const s = spans[t];
      s.style.backgroundColor = diverging(x);
      s.style.color = Math.abs(x) > 0.6 ? '#fff' : '#000';
      s.setAttribute('aria-label', `${charName(tr.chars[t])}: ${signed(v)}`);
    }
    $('look-cells').setAttribute('aria-label', `Text coloured by ${sel.label}`);
    state('look-scale-note', sel.kind === 'c' ? `(cell state scaled by its largest magnitude here, ${sel.scale.toFixed(2)})` : '');
    look.selected = { layer: sel.layer, kind: sel.kind, unit: sel.unit, label: sel.label, values };
    const tip = $('look-tip');
    if (!tip.hidden && tip.dataset.view === 'cells') showTip(spans[Number(tip.dataset.t)], 'cells');
  }

  function predictionText(t) {
    const next = tr.chars[t + 1];
    const p = tr.pNext[t];
    const top = [];
    for (let i = 0; i < 5; ++i) {
      const cp = tr.topChars[t * 5 + i];
      if (cp) top.push({ ch: String.fromCodePoint(cp), p: tr.topProbs[t * 5 + i] });
    }
    return { next, p, top };
  }

  function colourPreds(from = 0, to = Infinity) {
    if (!tr) return;
    const spans = $('look-preds').children;
    for (let t = from; t < Math.min(to, spans.length); ++t) {
      const { next, p, top } = predictionText(t);
      const s = spans[t];
      const known = Number.isFinite(p);
      s.style.backgroundColor = known ? sequential(p) : '';
      s.style.color = known && p > 0.6 ? '#fff' : '#000';
      s.setAttribute('aria-label', `${charName(tr.chars[t])}: ` +
        (known ? `next ${charName(next)} with probability ${pct(p)}` : 'end of text') +
        `; most likely next: ${top.map((c) => `${charName(c.ch)} ${pct(c.p)}`).join(', ')}`);
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // Tooltip (hover and keyboard focus)

  function showTip(span, view) {
    if (!span || !tr) return;
    const t = Number(span.dataset.t);
    const tip = $('look-tip');
    const head = document.createElement('p');
    if (view === 'cells') {
      const sel = selection();
      head.textContent = `${charName(tr.chars[t])} · ${sel.label}: ${signed(sel.get(t))}`;
      tip.replaceChildren(head);
    } else {
      const { next, p, top } = predictionText(t);
      head.textContent = Number.isFinite(p)
        ? `After ${charName(tr.chars[t])}: the next character was ${charName(next)}, given ${pct(p)}.`
        : `After ${charName(tr.chars[t])} (end of text).`;
      const list = document.createElement('ol');
      list.setAttribute('aria-label', 'Most likely next characters');
      for (const c of top) {
        const li = document.createElement('li');
        li.textContent = `${charName(c.ch)} ${pct(c.p)}`;
        list.append(li);
      }
      tip.replaceChildren(head, list);
    }
    tip.dataset.view = view;
    tip.dataset.t = String(t);
    tip.hidden = false;
    const section = $('look-section').getBoundingClientRect();
    const r = span.getBoundingClientRect();
    const width = tip.offsetWidth;
    tip.style.top = `${r.bottom - section.top + 6}px`;
    tip.style.left = `${Math.max(8, Math.min(r.left - section.left, section.width - width - 8))}px`;
  }

  function hideTip() {
    $('look-tip').hidden = true;
  }

  function wireChars(box, view) {
    box.addEventListener('mouseover', (e) => {
      if (e.target.dataset && e.target.dataset.t !== undefined) showTip(e.target, view);
    });
    box.addEventListener('mouseleave', () => {
      // Only this view's own tooltip, and not while a character here has keyboard focus. (Chromium sends mouse
      // events when content scrolls under a still pointer, e.g. when focus scrolls the other view into sight.)
      const tip = $('look-tip');
      if (tip.dataset.view === view && !box.contains(document.activeElement)) hideTip();
    });
    box.addEventListener('focusin', (e) => {
      if (e.target.dataset.t === undefined) return;
      active = Number(e.target.dataset.t);
      for (const b of [$('look-cells'), $('look-preds')])
        for (const s of b.querySelectorAll('[tabindex="0"]')) s.tabIndex = -1;
      for (const b of [$('look-cells'), $('look-preds')]) if (b.children[active]) b.children[active].tabIndex = 0;
      showTip(e.target, view);
    });
    box.addEventListener('focusout', (e) => {
      if (!box.contains(e.relatedTarget)) hideTip();
    });
    box.addEventListener('keydown', (e) => {
      if (!tr || e.target.dataset.t === undefined) return;
      const t = Number(e.target.dataset.t);
      const n = tr.chars.length;
      let next = null;
      if (e.key === 'ArrowRight') next = Math.min(n - 1, t + 1);
      else if (e.key === 'ArrowLeft') next = Math.max(0, t - 1);
      else if (e.key === 'Home') next = 0;
      else if (e.key === 'End') next = n - 1;
      else if (e.key === 'Escape') { hideTip(); e.preventDefault(); return; }
      else if (view === 'cells' && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
        stepUnit(e.key === 'ArrowUp' ? 1 : -1);
        e.preventDefault();
        return;
      }
      if (next === null) return;
      e.preventDefault();
      box.children[next].focus();
    });
  }

  function stepUnit(delta) {
    if (!tr) return;
    const u = $('look-unit');
    u.value = String((Math.round(Number(u.value) || 0) + delta + tr.hidden) % tr.hidden);
    colourBoth();
  }

  // ------------------------------------------------------------------------------------------------------------
  // Ranking units by a feature

  function showRanking(ranking, feature) {
    const list = $('look-ranking');
    if (!ranking) {
      look.ranking = [];
      list.replaceChildren();
      return;
    }
    const featureName = $('look-feature').selectedOptions[0]?.textContent || feature;
    look.ranking = ranking;
    list.replaceChildren(...ranking.map((u) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = `Layer ${u.layer + 1} ${u.kind} unit ${u.unit}: r = ${u.correlation >= 0 ? '+' : '−'}` +
        Math.abs(u.correlation).toFixed(2);
      b.setAttribute('aria-label', `Layer ${u.layer + 1}, ${u.kind === 'c' ? 'cell state' : 'hidden state'}, unit ` +
        `${u.unit}: correlation ${u.correlation.toFixed(2)} with ${featureName.toLowerCase()}`);
      b.addEventListener('click', () => {
        $('look-layer').value = String(u.layer);
        $('look-kind').value = u.kind;
        $('look-unit').value = String(u.unit);
        colourBoth();
        for (const other of list.querySelectorAll('button')) other.setAttribute('aria-pressed', String(other === b));
      });
      b.setAttribute('aria-pressed', 'false');
      li.append(b);
      return li;
    }));
    state('look-state', ranking.length
      ? `The ${ranking.length} units that track “${featureName.toLowerCase()}” best; choose one to colour the text by it.`
      : 'This text never changes that feature (a text without quotes, say), so no unit can track it.');
  }

  // ------------------------------------------------------------------------------------------------------------
  // Gradient flow

  const canvas = $('flow-chart');
  function drawFlow() {
    const drawing = beginDrawing(canvas);
    if (!drawing) return;
    const { ctx, w, h, colour } = drawing;
    const text = colour('--muted', '#666'), grid = colour('--chart-grid', '#ddd');
    const left = 48, right = 10, top = 10, bottom = 28;
    const pw = w - left - right, ph = h - top - bottom;
    const flows = look.flows;
    if (!flows.length) {
      ctx.fillStyle = text;
      ctx.fillText('Press “Measure gradient flow” to add a curve.', left, top + ph / 2);
      return;
    }
    let lo = Infinity, hi = -Infinity, K = 0;
    for (const f of flows) {
      K = Math.max(K, f.values.length);
      for (const v of f.values) if (v > 0 && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
    if (!Number.isFinite(lo)) { lo = 1e-6; hi = 1; }
    let e0 = Math.floor(Math.log10(lo)), e1 = Math.ceil(Math.log10(hi));
    if (e1 === e0) e1 += 1;
    const x = (k) => left + (pw * k) / Math.max(1, K - 1);
    const y = (v) => top + ph * (1 - (Math.log10(v) - e0) / (e1 - e0));
    ctx.strokeStyle = grid;
    ctx.fillStyle = text;
    ctx.lineWidth = 1;
    const every = Math.max(1, Math.ceil((e1 - e0) / 6));
    for (let e = e0; e <= e1; e += every) {
      ctx.beginPath(); ctx.moveTo(left, y(10 ** e)); ctx.lineTo(left + pw, y(10 ** e)); ctx.stroke();
      ctx.fillText(`1e${e}`, 4, y(10 ** e) + 4);
    }
    for (let k = 0; k < K; k += 10) ctx.fillText(String(k), x(k) - 4, h - 12);
    if (pw > 400) ctx.fillText('k (characters back)', left + pw - 120, h - 12);
    flows.forEach((f, i) => {
      ctx.strokeStyle = FLOW_COLOURS[i % FLOW_COLOURS.length];
      ctx.lineWidth = 2;
      ctx.beginPath();
      let started = false;
      f.values.forEach((v, k) => {
        if (!(v > 0)) { started = false; return; }
        if (started) ctx.lineTo(x(k), y(v)); else ctx.moveTo(x(k), y(v));
        started = true;
      });
      ctx.stroke();
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fillRect(left + pw - 190, top + 6 + 16 * i, 14, 3);
      ctx.fillText(f.label, left + pw - 170, top + 11 + 16 * i);
    });
  }
  new ResizeObserver(drawFlow).observe(canvas);

  function flowSummary(f) {
    const v0 = f.values[0], v20 = f.values[Math.min(20, f.values.length - 1)];
    return `${f.label}: at k = 20 the gradient is ${(v20 / v0).toExponential(1)} of its value at k = 0`;
  }

  function renderFlowTable() {
    const table = $('flow-table');
    table.hidden = look.flows.length === 0;
    const headRow = document.createElement('tr');
    const corner = document.createElement('th');
    corner.scope = 'col';
    corner.textContent = 'Model';
    headRow.append(corner);
    for (const k of FLOW_TABLE_LAGS) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = `k = ${k}`;
      headRow.append(th);
    }
    table.tHead.replaceChildren(headRow);
    table.tBodies[0].replaceChildren(...look.flows.map((f) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = f.label;
      tr.append(th);
      for (const k of FLOW_TABLE_LAGS) {
        const td = document.createElement('td');
        td.textContent = k < f.values.length ? f.values[k].toExponential(2) : '—';
        tr.append(td);
      }
      return tr;
    }));
    canvas.setAttribute('aria-label', look.flows.length
      ? `Gradient flow chart, log scale. ${look.flows.map(flowSummary).join('. ')}.`
      : 'Gradient flow chart: no curves yet');
  }

  async function runFlow() {
    $('flow-run').disabled = true;
    state('flow-state', 'Measuring…');
    const reply = await ask('gradientFlow', FLOW_ARGS, 'flow-state');
    $('flow-run').disabled = false;
    if (!reply) return;
    look.flows.push(flowEntry(reply));
    renderFlowTable();
    drawFlow();
    state('flow-state', flowSummary(look.flows[look.flows.length - 1]) + '.');
  }

  const FLOW_ARGS = { window: 40, windows: 32, seed: 1 };

  function flowEntry(reply) {
    const norm = reply.result.norm;
    const values = Array.from(norm[norm.length - 1]);
    const label = `${CELL_NAMES[reply.cell] || reply.cell}, step ${reply.step.toLocaleString('en-US')}`;
    return { label, cell: reply.cell, step: reply.step, values, gen: reply.gen };
  }

  // Live refresh: the newest curve of the model that is training now follows it; curves of earlier models stay
  // as they were measured (they are what it is compared with).
  async function refreshFlow() {
    const i = look.flows.findLastIndex((f) => f.gen === currentGen());
    if (i < 0) return null;
    let reply = null;
    try {
      reply = await request('gradientFlow', FLOW_ARGS);
    } catch {
      return null;
    }
    if (reply.gen !== look.flows[i]?.gen) return null;
    const t0 = performance.now();
    look.flows[i] = flowEntry(reply);
    renderFlowTable();
    drawFlow();
    return [performance.now() - t0];
  }

  // ------------------------------------------------------------------------------------------------------------
  // n-gram baseline

  async function runNgram() {
    const order = Number($('ngram-order').value);
    if (!Number.isInteger(order) || order < 1 || order > 10) {
      state('ngram-state', 'The order must be a whole number from 1 to 10.');
      return;
    }
    $('ngram-run').disabled = true;
    state('ngram-state', `Counting ${order}-grams…`);
    const reply = await ask('ngram', { order, length: 300, temperature: 0.8, seed: 1 }, 'ngram-state');
    $('ngram-run').disabled = false;
    if (!reply) return;
    const r = reply.result;
    const net = reply.network ? reply.network.bitsPerChar : null;
    look.ngram = { order, bitsPerChar: r.bitsPerChar, chars: r.chars, network: net, sample: r.sample };
    $('ngram-result').hidden = false;
    $('ngram-bits').textContent = r.bitsPerChar === null ? '— (no validation text)'
      : `${r.bitsPerChar.toFixed(3)} bits/char (order ${order})`;
    $('ngram-net').textContent = net === null ? '—'
      : `${net.toFixed(3)} bits/char (step ${reply.step.toLocaleString('en-US')})`;
    $('ngram-contexts').textContent = `${r.contexts.toLocaleString('en-US')} · ${(r.memoryBytes / 1024).toFixed(0)} KB`;
    const out = $('ngram-sample');
    const prime = document.createElement('span');
    prime.className = 'prime';
    prime.textContent = r.prime;
    out.replaceChildren(prime, document.createTextNode(r.sample));
    out.hidden = false;
    state('ngram-state', `Built on ${r.trainChars.toLocaleString('en-US')} training characters and scored on ` +
      `${r.chars.toLocaleString('en-US')} validation characters, as the network's validation loss is. Sample below ` +
      '(the priming characters underlined).');
  }

  // ------------------------------------------------------------------------------------------------------------
  // Wiring

  $('look-run').addEventListener('click', () => runTrace());
  $('look-find').addEventListener('click', () => runTrace($('look-feature').value));
  const colourBoth = () => { colourCells(); showHeat(); };
  $('look-layer').addEventListener('change', colourBoth);
  $('look-kind').addEventListener('change', colourBoth);
  $('look-unit').addEventListener('input', colourBoth);
  $('look-unit').addEventListener('change', () => {
    if (!tr) return;
    const u = $('look-unit');
    u.value = String(Math.max(0, Math.min(tr.hidden - 1, Math.round(Number(u.value) || 0))));
    colourBoth();
  });
  $('look-prev').addEventListener('click', () => stepUnit(-1));
  $('look-next').addEventListener('click', () => stepUnit(1));
  wireChars($('look-cells'), 'cells');
  wireChars($('look-preds'), 'preds');
  $('flow-run').addEventListener('click', runFlow);
  $('flow-clear').addEventListener('click', () => {
    look.flows = [];
    renderFlowTable();
    drawFlow();
    state('flow-state', '');
  });
  $('ngram-run').addEventListener('click', runNgram);

  // Live refresh of the views above while the model trains (live.js decides when).
  initLive({
    views: [
      { name: 'trace', elements: [$('look-cells'), $('look-preds'), $('heat-scroll')], ready: () => tr !== null,
        refresh: refreshTrace },
      { name: 'flow', elements: [canvas], ready: () => look.flows.some((f) => f.gen === currentGen()),
        refresh: refreshFlow },
    ],
  });
}
