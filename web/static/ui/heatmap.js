// The units × characters overview: every unit of the chosen layer and value (rows) against every traced character
// (columns), coloured on the same diverging scale as the single-unit view, with the text along the bottom. It is
// there to spot the units worth a closer look: clicking a row, or moving to it with the arrow keys and pressing
// Enter, shows that unit in the single-unit view above.
//
// Accessibility: the rows are a listbox (one option per unit, named with the unit's mean magnitude and where it is
// largest), and a caption and a "most active units" summary say in words what the picture shows.
// Cost: the cells are one ImageData of T × H pixels drawn scaled (no per-cell fillRect), the text along the bottom is
// drawn once per text, and the work comes in steps a live refresh runs as separate tasks.
import { divergingRgb } from './scales.js';

const $ = (id) => document.getElementById(id);
const COL_W = 7;           // px per character: enough for a readable character under each column
const AXIS_H = 18;         // px for the text along the bottom
const LEFT = 30;           // px for the unit numbers
const SUMMARY_UNITS = 5;
const LUT_STEPS = 255;     // colours per half of the scale, looked up instead of computed per cell

// [r, g, b] of v in [-1, 1] in steps of 1/LUT_STEPS: index round((v + 1) * LUT_STEPS).
const LUT = (() => {
  const lut = new Uint8ClampedArray((2 * LUT_STEPS + 1) * 3);
  for (let i = 0; i <= 2 * LUT_STEPS; ++i) lut.set(divergingRgb(i / LUT_STEPS - 1), i * 3);
  return lut;
})();

function charGlyph(ch) {
  if (ch === '\n') return '↵';
  if (ch === ' ') return '·';
  if (ch === '\t') return '→';
  return ch;
}

function charName(ch) {
  if (ch === ' ') return 'space';
  if (ch === '\n') return 'newline';
  if (ch === '\t') return 'tab';
  return `“${ch}”`;
}

const signed = (v) => (v >= 0 ? '+' : '−') + Math.abs(v).toFixed(2);

// onSelect(unit): show that unit in the single-unit view.
export function createHeatmap({ onSelect }) {
  const canvas = $('heat-canvas');
  const rows = $('heat-rows');
  const scroll = $('heat-scroll');
  const app = window.app;
  let shown = null;          // { tr, layer, kind, H, T, rowH, stats }
  let active = 0;            // the option with keyboard focus (aria-activedescendant)
  let selected = -1;

  // Where the chosen layer and value live in the trace: value(t, j) = a[t * stride + base + j], and the scale that
  // maps them to [-1, 1].
  function source(tr, layer, kind) {
    const H = tr.hidden;
    if (kind === 'h' || kind === 'c') {
      const a = (kind === 'h' ? tr.h : tr.c)[layer];
      let scale = 1;
      if (kind === 'c') {   // unbounded: scaled by the largest magnitude in the whole layer, as the caption says
        scale = 1e-6;
        for (let i = 0; i < a.length; ++i) scale = Math.max(scale, Math.abs(a[i]));
      }
      return { a, stride: H, base: 0, scale };
    }
    return { a: tr.gates[layer], stride: tr.gateRows, base: Number(kind.slice(1)) * H, scale: 1 };
  }

  // One pass over the values: the picture (one pixel per unit and character) and each unit's statistics.
  function compute(T, H, { a, stride, base, scale }) {
    const img = new ImageData(T, H);
    const px = img.data;
    const sum = new Float64Array(H), peak = new Float32Array(H), at = new Int32Array(H);
    for (let t = 0; t < T; ++t) {
      const row = t * stride + base;
      for (let j = 0; j < H; ++j) {
        const v = a[row + j];
        const m = Math.abs(v);
        sum[j] += m;
        if (m > Math.abs(peak[j])) { peak[j] = v; at[j] = t; }
        const x = v / scale;
        const c = Math.round(((x < -1 ? -1 : x > 1 ? 1 : x) + 1) * LUT_STEPS) * 3;
        const o = (j * T + t) * 4;
        px[o] = LUT[c]; px[o + 1] = LUT[c + 1]; px[o + 2] = LUT[c + 2]; px[o + 3] = 255;
      }
    }
    const stats = [];
    for (let j = 0; j < H; ++j) stats.push({ unit: j, meanAbs: sum[j] / T, peak: peak[j], at: at[j] });
    return { img, stats };
  }

  function drawCells(tr, H, T, rowH, img) {
    const cells = document.createElement('canvas');
    cells.width = T;
    cells.height = H;
    cells.getContext('2d').putImageData(img, 0, 0);

    const dpr = window.devicePixelRatio || 1;
    const w = LEFT + T * COL_W, h = H * rowH + AXIS_H;
    // Resizing reallocates the (large) canvas: only when the size really changes.
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.style.width = `${w}px`;
      canvas.style.height = `${h}px`;
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, LEFT, h);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(cells, LEFT, 0, T * COL_W, H * rowH);
    ctx.fillStyle = '#333';
    ctx.font = '10px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    const every = Math.max(1, Math.ceil(12 / rowH));   // unit numbers at least 12 px apart
    const tick = [1, 2, 4, 5, 8, 10, 16, 20, 32, 50, 64, 100, 128].find((n) => n >= every) || every;
    for (let j = 0; j < H; j += tick) ctx.fillText(String(j), 2, j * rowH + rowH / 2);
    ctx.drawImage(axis(tr, dpr), 0, H * rowH, w, AXIS_H);
  }

  // The text along the bottom, drawn once per text (a live refresh keeps the text, so it reuses this).
  let axisCache = null;
  function axis(tr, dpr) {
    if (axisCache && axisCache.text === tr.text && axisCache.dpr === dpr) return axisCache.canvas;
    const T = tr.chars.length, w = LEFT + T * COL_W;
    const c = document.createElement('canvas');
    c.width = Math.round(w * dpr);
    c.height = Math.round(AXIS_H * dpr);
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.font = '11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (let t = 0; t < T; ++t) {
      const ch = tr.chars[t];
      ctx.fillStyle = ch === ' ' || ch === '\n' || ch === '\t' ? '#999' : '#000';
      ctx.fillText(charGlyph(ch), LEFT + t * COL_W + COL_W / 2, AXIS_H / 2);
    }
    axisCache = { text: tr.text, dpr, canvas: c };
    return c;
  }

  function buildRows(H, rowH, stats, label) {
    const reuse = rows.children.length === H;   // a live refresh: same units, new values
    const options = stats.map((s) => {
      const o = reuse ? rows.children[s.unit] : document.createElement('div');
      o.id = `heat-unit-${s.unit}`;
      o.className = o.classList.contains('active') ? 'heat-row active' : 'heat-row';
      o.setAttribute('role', 'option');
      o.style.height = `${rowH}px`;
      o.dataset.unit = String(s.unit);
      o.setAttribute('aria-label', `Unit ${s.unit}: mean magnitude ${s.meanAbs.toFixed(2)}, largest ${signed(s.peak)} ` +
        `at character ${s.at + 1} (${charName(shown.tr.chars[s.at])})`);
      o.setAttribute('aria-selected', String(s.unit === selected));
      return o;
    });
    if (!reuse) rows.replaceChildren(...options);
    rows.style.height = `${H * rowH}px`;
    rows.style.width = `${LEFT + shown.T * COL_W}px`;
    rows.setAttribute('aria-label', `Units of ${label}, one row each; Enter shows the unit above`);
    setActive(Math.min(active, H - 1), false);
  }

  function setActive(j, scrollIntoView = true) {
    if (!shown) return;
    active = Math.max(0, Math.min(shown.H - 1, j));
    for (const o of rows.querySelectorAll('.heat-row.active')) o.classList.remove('active');
    const o = rows.children[active];
    if (!o) return;
    o.classList.add('active');
    rows.setAttribute('aria-activedescendant', o.id);
    if (scrollIntoView) {
      const top = active * shown.rowH, bottom = top + shown.rowH;
      if (top < scroll.scrollTop) scroll.scrollTop = top;
      else if (bottom > scroll.scrollTop + scroll.clientHeight - AXIS_H) scroll.scrollTop = bottom - scroll.clientHeight + AXIS_H;
    }
  }

  // Marks the unit the single-unit view shows (no redraw: the marker is a CSS outline on its row).
  function markSelected(unit) {
    selected = unit;
    for (const o of rows.children) o.setAttribute('aria-selected', String(Number(o.dataset.unit) === unit));
  }

  function summary(stats, label, T, scale, kind) {
    const top = [...stats].sort((a, b) => b.meanAbs - a.meanAbs).slice(0, SUMMARY_UNITS);
    const quiet = stats.filter((s) => s.meanAbs < 0.05).length;
    $('heat-caption').textContent = `${label[0].toUpperCase() + label.slice(1)}: ${stats.length} units (rows) × ${T.toLocaleString('en-US')} characters ` +
      '(columns, the text along the bottom); blue is negative, red positive' +
      (kind === 'c' ? `, scaled by the largest magnitude in this layer (${scale.toFixed(2)}).` : '.');
    $('heat-summary').textContent = `Most active units (mean magnitude over this text): ` +
      top.map((s) => `unit ${s.unit} (${s.meanAbs.toFixed(2)})`).join(', ') + '. ' +
      (quiet ? `${quiet} of ${stats.length} units stay near 0 (mean magnitude below 0.05).` : '');
    canvas.setAttribute('aria-label', `Units × characters overview of ${label}. ${$('heat-summary').textContent}`);
    return top;
  }

  // Draws the overview for the trace and selection (from inspect.js). Only redraws the picture when the trace, layer
  // or value changed; a new unit alone just moves the marker.
  function show(tr, sel) {
    for (const step of steps(tr, sel)) step();
  }

  // The same work as separate steps, so a live refresh can run each in its own short task.
  function steps(tr, sel) {
    if (!tr) return [clear];
    if (shown && shown.tr === tr && shown.layer === sel.layer && shown.kind === sel.kind)
      return [() => markSelected(sel.unit)];
    const H = tr.hidden, T = tr.chars.length;
    const rowH = Math.max(2, Math.min(10, Math.floor(480 / H)));
    const src = source(tr, sel.layer, sel.kind);
    const label = sel.label.replace(/, unit \d+$/, '');
    let done = null;
    return [
      () => { done = compute(T, H, src); },
      () => {
        shown = { tr, layer: sel.layer, kind: sel.kind, H, T, rowH, src };
        drawCells(tr, H, T, rowH, done.img);
      },
      () => {
        selected = sel.unit;
        buildRows(H, rowH, done.stats, label);
        const top = summary(done.stats, label, T, src.scale, sel.kind);
        $('heat-block').hidden = false;
        app.look.heatmap = { units: H, chars: T, layer: sel.layer, kind: sel.kind, mostActive: top.map((s) => s.unit) };
      },
    ];
  }

  function clear() {
    shown = null;
    $('heat-block').hidden = true;
    rows.replaceChildren();
    app.look.heatmap = null;
  }

  rows.addEventListener('click', (e) => {
    const o = e.target.closest('.heat-row');
    if (!o) return;
    setActive(Number(o.dataset.unit), false);
    onSelect(Number(o.dataset.unit));
  });
  rows.addEventListener('keydown', (e) => {
    if (!shown) return;
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };
    if (e.key in moves) setActive(active + moves[e.key]);
    else if (e.key === 'Home') setActive(0);
    else if (e.key === 'End') setActive(shown.H - 1);
    else if (e.key === 'Enter' || e.key === ' ') onSelect(active);
    else return;
    e.preventDefault();
  });
  rows.addEventListener('focus', () => setActive(active));
  // The value under the pointer, in words below the picture (the rows' names carry the same for keyboards).
  rows.addEventListener('mousemove', (e) => {
    const o = e.target.closest('.heat-row');
    if (!shown || !o) return;
    const t = Math.floor((e.clientX - rows.getBoundingClientRect().left - LEFT) / COL_W);
    if (t < 0 || t >= shown.T) { $('heat-readout').textContent = ''; return; }
    const j = Number(o.dataset.unit);
    const v = shown.src.a[t * shown.src.stride + shown.src.base + j];
    const value = (v >= 0 ? '+' : '−') + Math.abs(v).toFixed(3);   // as precise as the unit view's
    $('heat-readout').textContent = `Unit ${j} at character ${t + 1} (${charName(shown.tr.chars[t])}): ${value}`;
  });
  rows.addEventListener('mouseleave', () => { $('heat-readout').textContent = ''; });

  return { show, steps, clear, markSelected };
}
