// readPauseAt (web/static/sections/train/pause_at.js): what the "Pause at step" field asks of a run, and why it cannot be used.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_PAUSE_STEP, readPauseAt } from '../../web/static/sections/train/pause_at.js';

describe('readPauseAt', () => {
  it('an empty field means no pause, without complaint', () => {
    assert.deepEqual(readPauseAt('', false, 0), { stopAt: 0 });
    assert.deepEqual(readPauseAt('   ', false, 120), { stopAt: 0 });
  });

  it('a later whole step is where training pauses', () => {
    assert.deepEqual(readPauseAt('1000', false, 0), { stopAt: 1000 });
    assert.deepEqual(readPauseAt(' 501 ', false, 500), { stopAt: 501 });
    assert.deepEqual(readPauseAt(String(MAX_PAUSE_STEP), false, 7), { stopAt: MAX_PAUSE_STEP });
  });

  it('a step the model has reached already is ignored, and says so', () => {
    for (const [text, step, shown] of [['500', 500, '500'], ['2000', 8120, '8,120']]) {
      const r = readPauseAt(text, false, step);
      assert.equal(r.stopAt, 0);
      assert.match(r.problem, new RegExp(`not ahead of the model, which is at step ${shown}, so training goes on ` +
        'until you pause it\\. Set a later step'));
    }
  });

  it('text that is not a whole number of steps is ignored, and says so', () => {
    for (const text of ['0', '-5', '2.5', '1e12', 'NaN', 'Infinity', '0x10z']) {
      const r = readPauseAt(text, false, 0);
      assert.equal(r.stopAt, 0, text);
      assert.match(r.problem, /whole number of steps from 1 to 1,000,000,000/, text);
    }
    const bad = readPauseAt('', true, 0);   // what a number input reports for "abc"
    assert.equal(bad.stopAt, 0);
    assert.match(bad.problem, /is not a number, so training goes on until you pause it/);
  });
});
