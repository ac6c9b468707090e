// The DOM-free parts of the page's charts, under plain node: how the loss chart keeps long series small
// (web/static/ui/chart_series.js), how it picks ticks and ranges (ui/chart_scale.js), and how the comparison names
// its runs and describes its chart in words (sections/compare/runs.js, validation_chart.js).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { centredAverage, mergePairs } from '../../web/static/ui/chart_series.js';
import { dataRange, formatTick, niceStep } from '../../web/static/ui/chart_scale.js';
import { styled, summary, uniqueLabel } from '../../web/static/sections/compare/runs.js';
import { describeRuns } from '../../web/static/sections/compare/validation_chart.js';

describe('loss chart series', () => {
  it('keeps the first point, merges the rest pairwise averaging finite losses, and keeps an odd last point', () => {
    const merged = mergePairs([1, 2, 3, 4, 5, 6], [9, 4, NaN, 3, 7, 5]);
    assert.deepEqual(merged.steps, [1, 3, 5, 6]);
    assert.deepEqual(merged.raw, [9, 4, 5, 5]);
    assert.ok(Number.isNaN(mergePairs([1, 2, 3], [5, NaN, NaN]).raw[1]), 'two rejected steps stay a rejected step');
  });

  it('a long run keeps its first step and its first loss however often it is merged', () => {
    let steps = Array.from({ length: 64_000 }, (_, i) => i + 1);
    let raw = steps.map((s) => 8 / Math.sqrt(s));
    while (steps.length > 8000) ({ steps, raw } = mergePairs(steps, raw));
    assert.equal(steps[0], 1);
    assert.equal(raw[0], 8);
    assert.equal(steps[steps.length - 1], 64_000);
  });

  it('averages over a centred window, skipping rejected steps, NaN where the window has none', () => {
    assert.deepEqual([...centredAverage([1, 2, NaN, 4], 1)], [1.5, 1.5, 3, 4]);
    assert.ok(Number.isNaN(centredAverage([NaN, NaN, NaN, 5], 1)[1]));
  });
});

describe('loss chart scales', () => {
  it('picks ticks of 1, 2, 2.5 or 5 times a power of ten', () => {
    assert.equal(niceStep(10, 5), 2);
    assert.equal(niceStep(9, 4), 2.5);
    assert.equal(niceStep(7000, 5), 2000);
    assert.equal(niceStep(0.3, 5), 0.1);
  });

  it('labels thousands with k and decimals only as far as the step needs', () => {
    assert.equal(formatTick(12000, 2000), '12k');
    for (const step of [10, 20, 25, 50, 100, 200, 250, 500, 1000, 2500]) {
      const labels = [];
      for (let v = 900 * step; v <= 1000 * step; v += step) labels.push(formatTick(v, step));
      assert.equal(new Set(labels).size, labels.length, `ticks ${step} apart: ${labels.slice(0, 4).join(' ')}`);
    }
    assert.equal(formatTick(1500, 500), '1.5k');
    assert.equal(formatTick(2000, 500), '2k');
    assert.equal(formatTick(2.5, 0.5), '2.5');
    assert.equal(formatTick(3, 1), '3');
  });

  it('spans every step and every finite loss, training and validation', () => {
    assert.deepEqual(dataRange([10, 20, 30], [3, NaN, 2], [{ step: 40, bits: 1.5 }]),
      { xMin: 10, xMax: 40, yMin: 1.5, yMax: 3 });
    assert.deepEqual(dataRange([5], [NaN], []), { xMin: 5, xMax: 6, yMin: 0, yMax: 1 }, 'nothing finite yet');
  });
});

describe('compared runs: names, looks and words', () => {
  it('keeps names unique by numbering repeats', () => {
    const runs = [{ label: 'LSTM' }, { label: 'LSTM (2)' }];
    assert.equal(uniqueLabel('GRU', runs), 'GRU');
    assert.equal(uniqueLabel('LSTM', runs), 'LSTM (3)');
  });

  it('gives neighbouring runs different colours, dashes and shapes', () => {
    const [a, b] = [styled({}, 0).style, styled({}, 1).style];
    assert.notEqual(a.colour, b.colour);
    assert.notDeepEqual(a.dash, b.dash);
    assert.notEqual(a.shape, b.shape);
  });

  it('summarizes a run’s settings in one line', () => {
    const cfg = { layers: '2', hidden: '128', embed: '0', optimizer: 'sgd', lr: '0.1', batch: '16', unroll: '64',
                  clip: 'none', clip_value: '5', seed: '7' };
    assert.equal(summary(cfg, 12345, 500), '2 layers × 128 units, one-hot input, 12,345 parameters; sgd at 0.1, ' +
      'batch 16 × unroll 64, clipping off, seed 7; 500 steps');
  });

  it('describes the chart in words for a screen reader', () => {
    assert.equal(describeRuns([]), 'Validation curves of the compared runs: none yet');
    const run = { label: 'GRU', finalBits: 2.25, finalStep: 60, curve: [{ step: 0, bits: 4.5 }, { step: 60, bits: 2.25 }] };
    assert.equal(describeRuns([run]),
      'Validation loss in bits per character against training step: GRU from 4.500 to 2.250 at step 60.');
  });
});
