// "Gradient norm per step": the global L2 norm of every training step's gradient (before clipping) on a log scale,
// the clipping threshold as a dashed line, clipped steps marked with a triangle (a shape, not only a colour), and a
// switch that turns clipping off or on for the running model, so a person can watch what clipping holds back.
// The numbers come from the progress reports main.js already receives (StepReport: gradNorm, clipped); nothing
// extra is asked of the engine. Drawing is O(points + width): at most once per frame on screen, rarely off screen.

import { beginDrawing } from '../../ui/canvas.js';
import { fmtInt } from '../../ui/format.js';

const $ = (id) => document.getElementById(id);
const MAX_POINTS = 20_000;   // beyond this, neighbouring steps are merged (the larger norm, clipped if either was)
const MARK_GAP_PX = 7;       // at most one clipped-step triangle per this many pixels
const DESCRIBE_MS = 1000;
const OFFSCREEN_MS = 2000;
const fmt = (v) => (v >= 1000 || v < 0.01 ? v.toExponential(1) : String(Number(v.toPrecision(3))));

// setClipping(on): asks main.js to switch clipping for the running model (it answers through setClip()).
export function initGradNorm({ setClipping }) {
  const canvas = $('gn-chart');
  const box = $('gn-clip');
  const gn = (window.app.gradNorm = {
    steps: [], norms: [], clipped: [],   // one entry per accepted step (merged pairwise past MAX_POINTS)
    mode: 'norm', threshold: 5,          // the running model's clipping
    switches: [],                        // [{ step, on }] where clipping was turned off or on during the run
  });
  let visible = false;
  let pending = false;
  let described = 0;          // when describe() last ran
  let describeTimer = 0;

  // Every frame while on screen; off screen at most every OFFSCREEN_MS, so the chart is never blank when it
  // comes into view (or into a full-page screenshot) before its next frame.
  let drawn = -Infinity;
  function request() {
    if (pending || (!visible && performance.now() - drawn < OFFSCREEN_MS)) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      drawn = performance.now();
      draw();
    });
  }

  function compact() {
    const s = [], n = [], c = [];
    for (let i = 0; i + 1 < gn.steps.length; i += 2) {
      s.push(gn.steps[i + 1]);
      n.push(Math.max(gn.norms[i], gn.norms[i + 1]));
      c.push(gn.clipped[i] || gn.clipped[i + 1]);
    }
    gn.steps = s;
    gn.norms = n;
    gn.clipped = c;
  }

  function add(reports) {
    for (const r of reports) {
      if (r.rejected || !(r.gradNorm > 0) || !Number.isFinite(r.gradNorm)) continue;
      gn.steps.push(r.step);
      gn.norms.push(r.gradNorm);
      gn.clipped.push(Boolean(r.clipped));
    }
    if (gn.steps.length > MAX_POINTS) compact();
    // Reports come ~25 times a second: the words are rewritten at most once a second.
    clearTimeout(describeTimer);
    if (performance.now() - described >= DESCRIBE_MS) describe();
    else describeTimer = setTimeout(describe, DESCRIBE_MS);   // the last report is always described
    request();
  }

  function reset() {
    gn.steps = [];
    gn.norms = [];
    gn.clipped = [];
    gn.switches = [];
    describe();
    request();
  }

  // After going back to an earlier training state: forget the steps after it.
  function truncate(step) {
    const n = gn.steps.findIndex((s) => s > step);
    if (n >= 0) {
      gn.steps.length = n;
      gn.norms.length = n;
      gn.clipped.length = n;
    }
    gn.switches = gn.switches.filter((s) => s.step <= step);
    describe();
    request();
  }

  // The running model's clipping; atStep is given when it changed during a run (drawn as a marker).
  function setClip(mode, threshold, atStep = null) {
    const on = mode !== 'none', wasOn = gn.mode !== 'none';
    const newThreshold = on && wasOn && threshold !== gn.threshold;
    gn.mode = mode;
    gn.threshold = threshold;
    box.checked = on;
    if (atStep !== null && (on !== wasOn || newThreshold)) {
      gn.switches.push({ step: atStep, on, text: on !== wasOn ? `clipping ${on ? 'on' : 'off'}` : `threshold ${fmt(threshold)}` });
    }
    describe();
    request();
  }

  function clipText() {
    const t = clipPhrase();
    return t[0].toUpperCase() + t.slice(1);
  }

  function clipPhrase() {
    if (gn.mode === 'none') return `clipping off (threshold ${fmt(gn.threshold)} not applied)`;
    if (gn.mode === 'value') return `element-wise clipping to ±${fmt(gn.threshold)} (the line is not drawn: it is not a norm)`;
    return `clipping at a global norm of ${fmt(gn.threshold)}`;   // (not "clip threshold": the form's label)
  }

  // The text alternative: what a sighted person reads off the chart, as numbers.
  function describe() {
    described = performance.now();
    const n = gn.steps.length;
    let text;
    if (!n) {
      text = 'Gradient norm chart: no training steps yet. ' + clipText() + '.';
    } else {
      const recent = gn.norms.slice(-100);
      const sorted = [...recent].sort((a, b) => a - b);
      const clipped = gn.clipped.slice(-100).filter(Boolean).length;
      text = `Gradient norm per step, log scale, steps ${fmtInt(gn.steps[0])} to ${fmtInt(gn.steps[n - 1])}: over the ` +
        `last ${recent.length} steps the median norm is ${fmt(sorted[sorted.length >> 1])} and the largest ` +
        `${fmt(sorted[sorted.length - 1])}; ${clipped} of them clipped. ${clipText()}.`;
      for (const s of gn.switches) {
        text += s.text.startsWith('clipping') ? ` Clipping turned ${s.on ? 'on' : 'off'} at step ${fmtInt(s.step)}.`
          : ` Threshold set to ${s.text.slice(10)} at step ${fmtInt(s.step)}.`;
      }
    }
    canvas.setAttribute('aria-label', text);
    $('gn-state').textContent = n ? text.replace(/^Gradient norm per step, log scale, steps/, 'Steps') : '';
  }

  function draw() {
    const drawing = beginDrawing(canvas);
    if (!drawing) return;
    const { ctx, w, h, colour } = drawing;
    const text = colour('--chart-text', '#444'), grid = colour('--chart-grid', '#ddd');
    const line = colour('--chart-smooth', '#1f5fbf'), mark = colour('--chart-val', '#c2410c');
    const n = gn.steps.length;
    if (!n) {
      ctx.fillStyle = text;
      ctx.fillText('The gradient norm of each step appears here while the model trains.', 12, h / 2);
      return;
    }
    const left = 46, right = 10, top = 10, bottom = 24;
    const pw = w - left - right, ph = h - top - bottom;
    let lo = Infinity, hi = -Infinity;
    for (const v of gn.norms) { if (v < lo) lo = v; if (v > hi) hi = v; }
    if (gn.mode === 'norm') { lo = Math.min(lo, gn.threshold); hi = Math.max(hi, gn.threshold); }
    let e0 = Math.floor(Math.log10(lo)), e1 = Math.ceil(Math.log10(hi));
    if (e1 <= e0) e1 = e0 + 1;
    const s0 = gn.steps[0], s1 = Math.max(gn.steps[n - 1], s0 + 1);
    const X = (s) => left + (pw * (s - s0)) / (s1 - s0);
    const Y = (v) => top + ph * (1 - (Math.log10(v) - e0) / (e1 - e0));

    ctx.strokeStyle = grid;
    ctx.fillStyle = text;
    ctx.lineWidth = 1;
    ctx.textBaseline = 'middle';
    const every = Math.max(1, Math.ceil((e1 - e0) / 5));
    for (let e = e0; e <= e1; e += every) {
      const y = Math.round(Y(10 ** e)) + 0.5;
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + pw, y); ctx.stroke();
      ctx.fillText(e >= -2 && e <= 3 ? String(10 ** e) : `1e${e}`, 4, y);
    }
    ctx.textBaseline = 'alphabetic';
    ctx.fillText(`step ${fmtInt(s0)}`, left, h - 6);
    const endLabel = `step ${fmtInt(s1)}`;
    ctx.fillText(endLabel, left + pw - ctx.measureText(endLabel).width, h - 6);

    // Where clipping was switched: a dotted vertical line with a word, so the change in behaviour has a cause.
    ctx.setLineDash([2, 3]);
    for (const s of gn.switches) {
      const x = Math.round(X(s.step)) + 0.5;
      ctx.strokeStyle = text;
      ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + ph); ctx.stroke();
      ctx.fillText(s.text, Math.min(x + 4, left + pw - ctx.measureText(s.text).width), top + 12);
    }
    ctx.setLineDash([]);

    // The norms: per pixel column, a stroke from the smallest to the largest value in it, joined column to column.
    ctx.strokeStyle = line;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let col = -1, cmin = 0, cmax = 0, started = false;
    const flush = () => {
      if (col < 0) return;
      const x = col + 0.5;
      if (started) ctx.lineTo(x, Y(cmax)); else ctx.moveTo(x, Y(cmax));
      ctx.lineTo(x, Y(cmin) + 0.01);
      started = true;
    };
    for (let i = 0; i < n; ++i) {
      const c = Math.floor(X(gn.steps[i]));
      if (c !== col) { flush(); col = c; cmin = cmax = gn.norms[i]; }
      else { cmin = Math.min(cmin, gn.norms[i]); cmax = Math.max(cmax, gn.norms[i]); }
    }
    flush();
    ctx.stroke();

    // Threshold: dashed, labelled; grey when clipping is off (what would have been cut).
    if (gn.mode !== 'value') {
      const y = Math.round(Y(gn.threshold)) + 0.5;
      ctx.strokeStyle = gn.mode === 'none' ? text : mark;
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + pw, y); ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = ctx.strokeStyle;
      const label = gn.mode === 'none' ? `threshold ${fmt(gn.threshold)} (clipping off)` : `clip threshold ${fmt(gn.threshold)}`;
      ctx.fillText(label, left + pw - ctx.measureText(label).width - 2, y - 5);
    }

    // Clipped steps: a filled triangle above the step's norm, thinned to one per MARK_GAP_PX.
    ctx.fillStyle = mark;
    let lastX = -Infinity;
    for (let i = 0; i < n; ++i) {
      if (!gn.clipped[i]) continue;
      const x = X(gn.steps[i]);
      if (x - lastX < MARK_GAP_PX) continue;
      lastX = x;
      const y = Math.max(top + 6, Y(gn.norms[i]) - 3);
      ctx.beginPath();
      ctx.moveTo(x, y - 6); ctx.lineTo(x + 4, y); ctx.lineTo(x - 4, y); ctx.closePath();
      ctx.fill();
    }

    ctx.strokeStyle = text;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(left + 0.5, top); ctx.lineTo(left + 0.5, top + ph + 0.5); ctx.lineTo(left + pw, top + ph + 0.5);
    ctx.stroke();
  }

  new IntersectionObserver((entries) => {
    visible = entries.some((e) => e.isIntersecting);
    request();
  }).observe(canvas);
  new ResizeObserver(request).observe(canvas);
  box.addEventListener('change', () => setClipping(box.checked));
  describe();
  return { add, reset, truncate, setClip };
}
