// A real non-finite step (issue #17, item 7): with #testhooks, the engine's own update to a chosen step gets a NaN
// gradient (Session::inject_nonfinite_gradient_at). The engine must reject it, keep the weights of the step before,
// and train on; the page must say so, mark the step in the chart and count it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LONG, SMALL, preparePractice, trainExactlyTo, usePlayground } from './helpers.mjs';

describe('a non-finite gradient from the engine', { timeout: 3 * LONG }, () => {
  let server, browser, page;
  usePlayground((opened) => ({ server, browser, page } = opened), '#testhooks');

  it('is rejected, reported, and training goes on from the last good weights', async () => {
    await preparePractice(page, SMALL);
    // This test trains on past the best validation loss: the automatic stop (on by default) would pause it.
    await page.getByLabel('Stop when validation stops improving').uncheck();
    await trainExactlyTo(page, 20);
    const callsBefore = await page.evaluate(() => window.app.calls);
    await page.evaluate(() => window.app.debug.injectNonFiniteAt(25));
    await trainExactlyTo(page, 40);
    // The message said so while training went on (the pause at step 40 then replaced it with its own).
    assert.match(await page.evaluate(() => window.app.lastError),
      /^Step 25 was rejected: its loss or gradient was not a finite number, so the weights were kept/);
    const s = await page.evaluate(() => ({ step: window.app.step, calls: window.app.calls, loss: window.app.lossData() }));
    assert.equal(s.step, 40, 'the rejected call did not count as a step');
    assert.equal(s.calls - callsBefore, 21, '20 steps and one rejected call');
    const rejected = s.loss.raw.map((b, i) => [s.loss.steps[i], b]).filter(([, b]) => !Number.isFinite(b));
    assert.deepEqual(rejected.map(([step]) => step), [24], 'one rejected point, where step 25 was tried');
    assert.match(await page.locator('#st-clip').textContent(), /1 rejected/);
    assert.ok(s.loss.raw.slice(-5).every(Number.isFinite), 'training went on with finite losses');
    assert.deepEqual(page.problems, []);
  });
});
