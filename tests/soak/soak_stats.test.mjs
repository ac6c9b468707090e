// The page soak's arithmetic (soak_stats.mjs), checked without a browser: node --test tests/soak/soak_stats.test.mjs
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergePairs } from '../../web/static/ui/chart_series.js';
import { compareLosses, lossesFromChart, pooledSlope } from './soak_stats.mjs';

describe('page soak statistics', () => {
  it('fits one slope across stretches that each start from their own level', () => {
    // Two stretches (a reload in between drops the heap back), both growing by 3 a minute.
    const pts = [[5, 100], [6, 103], [7, 106], [8, 40], [9, 43], [10, 46], [11, 49]]
      .map(([x, y], i) => ({ x, y, group: i < 3 ? 0 : 1 }));
    const fit = pooledSlope(pts);
    assert.equal(fit.slope, 3);
    assert.equal(fit.points, 7);
    assert.equal(fit.groups, 2);
    // A single fit over both stretches would have seen a fall instead.
    assert.ok(pooledSlope(pts.map((p) => ({ ...p, group: 0 }))).slope < 0);
    // A stretch of one sample says nothing about a slope.
    assert.deepEqual(pooledSlope([{ x: 1, y: 5, group: 0 }]), { slope: 0, points: 0, groups: 0 });
  });

  it('reads only unmerged per-step losses off a chart that merged its older points', () => {
    const steps = Array.from({ length: 20 }, (_, i) => i + 1);
    const raw = steps.map((s) => s / 100);
    const merged = mergePairs(steps, raw);   // what ui/chart.js does beyond its point limit
    const chart = { steps: [...merged.steps, 21, 22], raw: [...merged.raw, 0.21, 0.22] };
    const got = new Map();
    lossesFromChart(chart, got);
    // Step 1 is kept as it is; merged points (steps 3, 5, ..., 19) are means of two steps and are left out; the odd
    // point left over (step 20) and the new steps are their own.
    assert.deepEqual([...got.keys()], [1, 20, 21, 22]);
    assert.equal(got.get(20), 0.2);
    assert.equal(got.get(21), 0.21);
  });

  it('notes a step shown with two different losses, and compares bit for bit', () => {
    const soak = new Map(), conflicts = [];
    lossesFromChart({ steps: [1, 2, 3], raw: [4, 3.5, 3.25] }, soak, conflicts);
    lossesFromChart({ steps: [1, 2, 3], raw: [4, 3.5, 3.2500000000000004] }, soak, conflicts);
    assert.deepEqual(conflicts, [{ step: 3, before: 3.25, after: 3.2500000000000004 }]);
    const ref = new Map([[1, 4], [2, 3.5], [3, 3.25], [4, 3]]);
    const cmp = compareLosses(soak, ref, 4, 1);
    assert.equal(cmp.compared, 3);
    assert.equal(cmp.afterReload, 2);
    assert.equal(cmp.missing, 1);
    assert.deepEqual(cmp.mismatches, [{ step: 3, soak: 3.2500000000000004, ref: 3.25 }]);
  });
});
