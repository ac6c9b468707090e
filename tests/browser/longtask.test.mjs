// The page stays responsive while the worker trains: a PerformanceObserver('longtask') on the page records every
// main-thread task over 50 ms during training on the default text with the default model, while a 2000-character
// sample streams in. There must be none.
//
// A task's duration is wall time, so on a machine whose cores are busy with other work the renderer can be
// descheduled in the middle of a 5 ms task and the task then reads 50+ ms. One observation window is therefore
// allowed to be repeated: the test fails when two windows in a row both see a long task. Every window's result is
// printed either way.
import assert from 'node:assert/strict';
import { loadavg } from 'node:os';
import { describe, it } from 'node:test';
import { LONG, screenshotPath, usePlayground } from './helpers.mjs';

const WINDOW_MS = 12_000;

describe('main thread during training', { timeout: 3 * LONG }, () => {
  let server, browser, page;
  usePlayground((opened) => ({ server, browser, page } = opened));

  async function observeWindow() {
    await page.evaluate(() => {
      window.longTasks = [];
      window.longTaskObserver = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.longTasks.push(Math.round(e.duration));
      });
      window.longTaskObserver.observe({ type: 'longtask' });
    });
    const startStep = await page.evaluate(() => window.app.step);
    await page.waitForTimeout(WINDOW_MS / 2);
    await page.getByRole('button', { name: 'Sample' }).click();
    await page.waitForFunction(() => window.app.sampleDone === true, null, { timeout: 60_000 });
    await page.waitForTimeout(WINDOW_MS / 2);
    const r = await page.evaluate(() => {
      window.longTaskObserver.disconnect();
      return { tasks: window.longTasks, step: window.app.step, cps: Math.round(window.app.charsPerSec) };
    });
    r.steps = r.step - startStep;
    console.log(`# window: ${r.steps} steps, ${r.cps} chars/s, load average ${loadavg()[0].toFixed(1)}, ` +
                `long tasks (ms): ${JSON.stringify(r.tasks)}`);
    return r;
  }

  it(`has no task over 50 ms in ${WINDOW_MS / 1000} s of training on the default text`, async () => {
    await page.getByLabel('Length').fill('2000');
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    // Skip the start (engine warm-up, first layout of the chart), then observe steady training.
    await page.waitForFunction(() => window.app.state === 'training' && window.app.step >= 20, null, { timeout: 60_000 });
    let r = await observeWindow();
    if (r.tasks.length) r = await observeWindow();
    await page.screenshot({ path: screenshotPath('default-run-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByRole('region', { name: 'Train', exact: true }).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath('default-run-375-train.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.ok(r.steps > 20, 'training went on during the window');
    assert.deepEqual(r.tasks, [], 'no main-thread task over 50 ms');
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: 30_000 });
    assert.deepEqual(page.problems, []);
  });
});
