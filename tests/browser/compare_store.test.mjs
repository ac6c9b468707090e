// How the compared runs are kept across reloads (web/static/sections/compare/compare_store.js), under plain node: what is stored,
// how long curves are thinned, and that anything damaged, foreign or oversized is refused without throwing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_POINTS, MAX_RUNS, decodeRuns, encodeRuns, loadRuns, saveRuns } from '../../web/static/sections/compare/compare_store.js';

function run(overrides = {}) {
  return {
    label: 'LSTM', cell: 'lstm', kind: 'comparison', steps: 60, finalStep: 60, finalBits: 2.5, stoppedEarly: null,
    summary: '1 layer × 32 units', sample: 'the cat sat',
    curve: [{ step: 0, bits: 6.1 }, { step: 30, bits: 3.2 }, { step: 60, bits: 2.5 }],
    style: { colour: '#000', dash: [], shape: 'circle' },   // the page's own; not stored
    ...overrides,
  };
}

// A stand-in for localStorage.
function memoryStorage({ failWrites = false, failReads = false } = {}) {
  const map = new Map();
  return {
    map,
    getItem(k) { if (failReads) throw new Error('SecurityError'); return map.has(k) ? map.get(k) : null; },
    setItem(k, v) { if (failWrites) throw new Error('QuotaExceededError'); map.set(k, String(v)); },
    removeItem(k) { map.delete(k); },
  };
}

const stored = (runs) => JSON.stringify({ version: 1, runs });

describe('compared runs kept across reloads', () => {
  it('gives back every field of a run but its colours', () => {
    const runs = [run(), run({ label: 'Your GRU', cell: 'gru', kind: 'yours', stoppedEarly: 'diverged at step 7' })];
    const back = decodeRuns(encodeRuns(runs));
    assert.equal(back.problem, undefined);
    assert.deepEqual(back.runs, runs.map(({ style, ...rest }) => rest));
  });

  it('thins a long curve to its cap, keeping the first and the last point', () => {
    const curve = Array.from({ length: 10_000 }, (_, i) => ({ step: i, bits: 6 - i / 5000 }));
    const [back] = decodeRuns(encodeRuns([run({ curve })])).runs;
    assert.equal(back.curve.length, MAX_POINTS);
    assert.deepEqual(back.curve[0], curve[0]);
    assert.deepEqual(back.curve[MAX_POINTS - 1], curve[curve.length - 1]);
    assert.ok(back.curve.every((p, i) => i === 0 || p.step > back.curve[i - 1].step));
  });

  it('stores a missing final loss as null and leaves out points without a loss', () => {
    const [back] = decodeRuns(encodeRuns([run({ finalBits: NaN, curve: [{ step: 0, bits: 5 }, { step: 9, bits: Infinity }] })])).runs;
    assert.equal(back.finalBits, null);
    assert.deepEqual(back.curve, [{ step: 0, bits: 5 }]);
  });

  it('keeps at most the last MAX_RUNS runs', () => {
    const runs = Array.from({ length: MAX_RUNS + 5 }, (_, i) => run({ label: `run ${i}` }));
    const back = decodeRuns(encodeRuns(runs)).runs;
    assert.equal(back.length, MAX_RUNS);
    assert.equal(back[0].label, 'run 5');
  });

  it('refuses what is damaged, foreign or oversized, and says which', () => {
    const cases = [
      ['{"version":1,"runs":[', 'not readable'],
      ['null', 'damaged'],
      [JSON.stringify({ version: 2, runs: [] }), 'from another version'],
      [JSON.stringify({ version: 1, runs: {} }), 'damaged'],
      [stored([run({ curve: 'lots' })]), 'damaged'],
      [stored([run({ label: '' })]), 'damaged'],
      [stored([run({ label: 'x'.repeat(201) })]), 'damaged'],
      [stored([run({ cell: 'lstm"><img>' })]), 'damaged'],
      [stored([run({ kind: 'other' })]), 'damaged'],
      [stored([run({ steps: -1 })]), 'damaged'],
      [stored([run({ finalStep: 1.5 })]), 'damaged'],
      [stored([run({ finalBits: '2.5' })]), 'damaged'],
      [stored([run({ sample: 'x'.repeat(4001) })]), 'damaged'],
      [stored([run({ curve: [{ step: 0, bits: -1 }] })]), 'damaged'],
      [stored([run({ curve: [{ step: 0 }] })]), 'damaged'],
      [stored([run({ curve: [null] })]), 'damaged'],
      [stored([run({ curve: Array.from({ length: MAX_POINTS + 1 }, (_, i) => ({ step: i, bits: 1 })) })]), 'damaged'],
      [stored(Array.from({ length: MAX_RUNS + 1 }, () => run())), 'damaged'],
    ];
    for (const [text, problem] of cases) {
      const r = decodeRuns(text);
      assert.equal(r.problem, problem, text.slice(0, 80));
      assert.deepEqual(r.runs, []);
    }
  });

  it('takes only the fields it checked', () => {
    const [back] = decodeRuns(stored([{ ...run(), style: { colour: 'url(javascript:1)' }, extra: 1 }])).runs;
    assert.equal('style' in back, false);
    assert.equal('extra' in back, false);
  });

  it('saves, loads and clears through the storage, and never throws when it is off or full', () => {
    const storage = memoryStorage();
    assert.equal(saveRuns(storage, [run()]), true);
    assert.equal(loadRuns(storage).runs.length, 1);
    assert.equal(saveRuns(storage, []), true);
    assert.equal(storage.map.size, 0);
    assert.deepEqual(loadRuns(storage), { runs: [] });

    storage.setItem('rnnlab.compare', '{"version":1,"runs":[');   // damaged: reported once, then gone
    assert.equal(loadRuns(storage).problem, 'not readable');
    assert.equal(storage.map.size, 0);

    assert.equal(saveRuns(memoryStorage({ failWrites: true }), [run()]), false);
    assert.deepEqual(loadRuns(memoryStorage({ failReads: true })), { runs: [] });
    assert.equal(saveRuns(null, [run()]), false);
    assert.deepEqual(loadRuns(null), { runs: [] });
  });
});
