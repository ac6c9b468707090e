// The DOM-free parts of the Look-inside section and the gradient-norm chart under plain node (no browser, no built
// site): reading a trace (web/static/sections/inspect/trace_data.js), the gradient-norm series and its words
// (sections/inspect/gradnorm/), and the log axis both charts share (ui/log_scale.js).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prediction, sameShape, traceState, unitValues, valueKinds } from '../../web/static/sections/inspect/trace_data.js';
import {
  addReports, clearSeries, createSeries, setSeriesClipping, truncateSeries,
} from '../../web/static/sections/inspect/gradnorm/series.js';
import { describeSeries, fmtNorm } from '../../web/static/sections/inspect/gradnorm/describe.js';
import { decadeTicks, logAxis } from '../../web/static/ui/log_scale.js';
import { charName } from '../../web/static/ui/chars.js';

// A trace of 3 characters through 1 layer of an LSTM with 2 units; value = 10 * t + unit (+ 100 * (g + 1) in gates).
function tinyTrace() {
  const T = 3, H = 2, gateRows = 4 * H;
  const h = new Float32Array(T * H), c = new Float32Array(T * H), gates = new Float32Array(T * gateRows);
  for (let t = 0; t < T; ++t) {
    for (let j = 0; j < H; ++j) { h[t * H + j] = (10 * t + j) / 100; c[t * H + j] = -(10 * t + j); }
    for (let g = 0; g < 4; ++g) for (let j = 0; j < H; ++j) gates[t * gateRows + g * H + j] = 100 * (g + 1) + 10 * t + j;
  }
  const topChars = new Int32Array(T * 5), topProbs = new Float32Array(T * 5);
  topChars.set([98, 97, 0, 0, 0], 0);                 // after "a": "b" then "a"
  topProbs.set([0.75, 0.25, 0, 0, 0], 0);
  return { text: 'ab\n', chars: ['a', 'b', '\n'], length: T, layers: 1, hidden: H, cell: 'lstm', step: 1234,
           h: [h], c: [c], gates: [gates], gateRows, gatesPerCell: 4, hasCellState: true,
           pNext: new Float32Array([0.75, 0.5, NaN]), topChars, topProbs };
}

describe('reading a trace', () => {
  it('offers h, c and the cell\'s own gates by name', () => {
    assert.deepEqual(valueKinds(tinyTrace()).map((k) => k.value), ['h', 'c', 'g0', 'g1', 'g2', 'g3']);
    assert.equal(valueKinds(tinyTrace())[3].label, 'forget gate f');
    const rnn = { ...tinyTrace(), cell: 'rnn', hasCellState: false, gatesPerCell: 0 };
    assert.deepEqual(valueKinds(rnn).map((k) => k.value), ['h']);
  });

  it('reads a unit of h, c or a gate at every position, and scales c by its largest magnitude', () => {
    const tr = tinyTrace();
    const h = unitValues(tr, { layer: 0, kind: 'h', unit: 1 }, 'h');
    assert.deepEqual([0, 1, 2].map(h.get), [0.01, 0.11, 0.21].map(Math.fround));
    assert.equal(h.scale, 1);
    assert.equal(h.label, 'layer 1, h, unit 1');
    const c = unitValues(tr, { layer: 0, kind: 'c', unit: 1 }, 'Cell state c');
    assert.equal(c.scale, 21);
    assert.equal(c.label, 'layer 1, c, unit 1');
    const f = unitValues(tr, { layer: 0, kind: 'g1', unit: 0 }, 'forget gate f');
    assert.deepEqual([0, 1, 2].map(f.get), [200, 210, 220]);
    assert.equal(f.label, 'layer 1, forget gate f, unit 0');
  });

  it('gives each position what came next, its probability and the most likely next characters', () => {
    const p = prediction(tinyTrace(), 0);
    assert.equal(p.next, 'b');
    assert.equal(p.p, 0.75);
    assert.deepEqual(p.top, [{ ch: 'b', p: 0.75 }, { ch: 'a', p: 0.25 }]);
    assert.equal(prediction(tinyTrace(), 2).next, undefined);
    assert.equal(charName(prediction(tinyTrace(), 2).next), 'end of text');
  });

  it('keeps the views when only the values changed, and says what was traced', () => {
    const tr = tinyTrace();
    assert.equal(sameShape(tr, { layers: 1, hidden: 2 }, 'lstm'), true);
    assert.equal(sameShape(tr, { layers: 1, hidden: 3 }, 'lstm'), false);
    assert.equal(sameShape(tr, { layers: 1, hidden: 2 }, 'gru'), false);
    assert.equal(sameShape(null, { layers: 1, hidden: 2 }, 'lstm'), false);
    assert.equal(traceState(tr, { step: 1234 }), '3 characters through the LSTM at step 1,234.');
    assert.match(traceState(tr, { step: 1234, ms: 41.6 }, true), /the engine paused 42 ms for it\)\.$/);
  });
});

describe('gradient-norm series', () => {
  const reports = (from, n, norm = (s) => s / 10, clipped = () => false) =>
    Array.from({ length: n }, (_, i) => ({ step: from + i, gradNorm: norm(from + i), clipped: clipped(from + i) }));

  it('keeps accepted steps with a positive finite norm only', () => {
    const gn = createSeries();
    addReports(gn, [{ step: 1, gradNorm: 0.5, clipped: true }, { step: 2, gradNorm: 0 }, { step: 3, gradNorm: NaN },
                    { step: 4, gradNorm: Infinity }, { step: 5, gradNorm: 2, rejected: true }, { step: 6, gradNorm: 3 }]);
    assert.deepEqual(gn.steps, [1, 6]);
    assert.deepEqual(gn.norms, [0.5, 3]);
    assert.deepEqual(gn.clipped, [true, false]);
  });

  it('merges neighbouring steps past 20,000, keeping the larger norm and any clipping', () => {
    const gn = createSeries();
    addReports(gn, reports(1, 20_001, (s) => (s % 2 ? 1 : 2), (s) => s === 3));
    assert.equal(gn.steps.length, 10_000);
    assert.deepEqual(gn.steps.slice(0, 3), [2, 4, 6]);
    assert.ok(gn.norms.every((n) => n === 2));
    assert.deepEqual(gn.clipped.slice(0, 3), [false, true, false]);
  });

  it('forgets the steps and switches after a step it goes back to, and clears', () => {
    const gn = createSeries();
    addReports(gn, reports(1, 10));
    setSeriesClipping(gn, 'none', 5, 4);
    setSeriesClipping(gn, 'norm', 5, 8);
    truncateSeries(gn, 6);
    assert.deepEqual(gn.steps, [1, 2, 3, 4, 5, 6]);
    assert.equal(gn.norms.length, 6);
    assert.deepEqual(gn.switches.map((s) => [s.step, s.on]), [[4, false]]);
    clearSeries(gn);
    assert.deepEqual([gn.steps, gn.norms, gn.clipped, gn.switches], [[], [], [], []]);
  });

  it('records a switch only when clipping changed during a run', () => {
    const gn = createSeries();
    setSeriesClipping(gn, 'norm', 5, null);        // a new model's settings: no switch
    setSeriesClipping(gn, 'norm', 5, 10);          // nothing changed
    setSeriesClipping(gn, 'norm', 0.25, 20);       // a new threshold
    setSeriesClipping(gn, 'none', 0.25, 30);       // off
    assert.deepEqual(gn.switches, [{ step: 20, on: true, text: 'threshold 0.25' }, { step: 30, on: false, text: 'clipping off' }]);
    assert.equal(gn.mode, 'none');
  });

  it('says in words what the chart shows', () => {
    const gn = createSeries();
    assert.equal(describeSeries(gn), 'Gradient norm chart: no training steps yet. Clipping at a global norm of 5.');
    addReports(gn, reports(1, 200, (s) => s / 100, (s) => s > 150));
    setSeriesClipping(gn, 'none', 1.5, 150);
    assert.equal(describeSeries(gn), 'Gradient norm per step, log scale, steps 1 to 200: over the last 100 steps the ' +
      'median norm is 1.51 and the largest 2; 50 of them clipped. Clipping off (threshold 1.5 not applied). ' +
      'Clipping turned off at step 150.');
    assert.deepEqual([0.0012345, 0.153, 12.54, 1234].map(fmtNorm), ['1.2e-3', '0.153', '12.5', '1.2e+3']);
  });
});

describe('log axis', () => {
  it('spans whole decades, at least one, with top at the largest', () => {
    const a = logAxis(0.03, 20, 10, 300);
    assert.deepEqual([a.e0, a.e1], [-2, 2]);
    assert.equal(a.y(100), 10);
    assert.equal(a.y(0.01), 310);
    assert.equal(a.y(1), 160);
    const flat = logAxis(1, 1, 0, 100);
    assert.deepEqual([flat.e0, flat.e1], [0, 1]);
  });

  it('thins the grid lines to at most the number asked for (plus one)', () => {
    assert.deepEqual(decadeTicks({ e0: -2, e1: 2 }, 5), [-2, -1, 0, 1, 2]);
    assert.deepEqual(decadeTicks({ e0: -8, e1: 4 }, 6), [-8, -6, -4, -2, 0, 2, 4]);
  });
});
