// Nothing lost on reload: a paused run comes back at the same step with its text, loss history and timeline; a run
// reloaded mid-training comes back at exactly the step and loss history the page showed (the steps since the last
// checkpoint replayed, learning-rate and clipping changes included) and trains on as an uninterrupted run; New
// starts fresh and keeps the old run in the list of runs (it used to forget it: runs.test.mjs has the list).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  LONG, launchBrowser, lossesByStep, openPlayground, pasteInto, practiceText, preparePractice, startServer, trainTo,
} from './helpers.mjs';

const SETTINGS = { 'Hidden units': '32', 'Unroll (steps)': '16', 'Batch (streams)': '8' };

// What the page shows: step, every loss on the chart, validation points, timeline (read by tests only).
const shownNow = (page) => page.evaluate(() => JSON.parse(JSON.stringify({
  step: window.app.step, loss: window.app.lossData(), val: window.app.valHistory, timeline: window.app.timeline,
})));

// Keeps what the page showed at the moment it unloads (sessionStorage survives the reload of the same tab).
async function recordShownOnUnload(page) {
  await page.evaluate(() => addEventListener('pagehide', () => sessionStorage.setItem('shown', JSON.stringify({
    step: window.app.step, loss: window.app.lossData(), val: window.app.valHistory, timeline: window.app.timeline,
  }))));
}

const readShown = (page) => page.evaluate(() => JSON.parse(sessionStorage.getItem('shown')));

async function waitRestored(page) {
  await page.waitForFunction(() => window.app && window.app.restoredStep !== undefined && window.app.state === 'paused',
    null, { timeout: 60_000 });
  return page.evaluate(() => ({ step: window.app.step, restored: window.app.restoredStep, timeline: window.app.timeline.length,
                                val: window.app.valHistory.length }));
}

describe('the run survives a reload', { timeout: 10 * LONG }, () => {
  let server, browser, reference, page;
  const text = practiceText();

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    reference = await launchBrowser();
    page = await openPlayground(browser.ctx, server.url, '#testhooks');
  });

  after(async () => {
    await browser?.close();
    await reference?.close();
    server?.close();
  });

  it('restores a paused run at the same step', async () => {
    await pasteInto(page, page.getByLabel('Training text'), text);
    await page.waitForFunction((n) => window.app.stats && window.app.stats.chars === n, text.length, { timeout: 30_000 });
    await page.getByLabel('Hidden units').fill('32');
    await page.getByLabel('Unroll (steps)').fill('16');
    await page.getByLabel('Batch (streams)').fill('8');
    // These runs train on past the best validation loss: the automatic stop would pause them (by time, under load).
    await page.getByLabel('Stop when validation stops improving').uncheck();
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page.waitForFunction(() => window.app.timeline.length >= 1 && window.app.valHistory.length >= 1, null, { timeout: LONG });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForFunction(() => window.app.state === 'paused' && window.app.savedStep === window.app.step,
      null, { timeout: LONG });
    const before = await page.evaluate(() => ({ step: window.app.step, timeline: window.app.timeline.length }));

    await page.reload();
    const r = await waitRestored(page);
    assert.equal(r.step, before.step);
    assert.equal(r.restored, before.step);
    assert.equal(r.timeline, before.timeline);
    assert.ok(r.val >= 1);
    assert.equal(await page.getByLabel('Training text').inputValue(), text);
    assert.equal(await page.getByLabel('Hidden units').inputValue(), '32');
    assert.ok(await page.getByRole('button', { name: 'Resume' }).isEnabled());
    assert.equal(await page.locator('#st-step').textContent(), before.step.toLocaleString('en-US'));
  });

  it('a reload mid-training comes back at the step and loss history the page showed, and trains on exactly', async () => {
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.waitForFunction(() => window.app.state === 'training', null, { timeout: LONG });
    // No checkpoints from here on, so the steps after the last one must be replayed after the reload.
    await page.evaluate(() => window.app.debug.holdCheckpoints(true));
    const saved = await page.evaluate(() => window.app.savedStep);
    await page.waitForFunction((s) => window.app.step >= s + 30, saved, { timeout: LONG });
    await recordShownOnUnload(page);
    await page.reload();
    const r = await waitRestored(page);
    const shown = await readShown(page);
    assert.ok(shown.step >= saved + 30, `shown ${shown.step}, saved ${saved}`);
    assert.equal(r.step, shown.step);
    assert.equal(r.restored, shown.step);
    assert.deepEqual(await shownNow(page), shown);
    assert.equal(await page.evaluate(() => window.app.replayMatched), true);
    assert.match(await page.locator('#train-message').textContent(),
      new RegExp(`Restored at step ${shown.step.toLocaleString('en-US')}, where the page was`));
    // The status line is redrawn every 250 ms.
    await page.waitForFunction((t) => document.getElementById('st-step').textContent === t,
      shown.step.toLocaleString('en-US'), { timeout: 30_000 });

    // Training on gives the losses of an uninterrupted run with the same text and settings (another browser).
    const target = shown.step + 40;
    await trainTo(page, target);
    const resumed = await lossesByStep(page);
    const ref = await openPlayground(reference.ctx, server.url);
    await preparePractice(ref, SETTINGS);
    await trainTo(ref, target);
    const expected = await lossesByStep(ref);
    for (let s = 1; s <= target; ++s) assert.equal(resumed[s], expected[s], `step ${s}`);
    assert.deepEqual(ref.problems, []);
    await ref.close();
  });

  it('a learning-rate change, a Share (which rounds the weights) and a clipping change after the last checkpoint are ' +
     'replayed', async () => {
    await page.evaluate(() => window.app.debug.holdCheckpoints(true));
    await page.getByLabel('Stop when validation stops improving').uncheck();   // a reload set it back on
    await page.getByRole('button', { name: 'Resume' }).click();
    const start = await page.evaluate(() => window.app.step);
    await page.waitForFunction((s) => window.app.step >= s + 10, start, { timeout: LONG });
    await page.getByLabel('Learning rate').fill('0.005');
    await page.getByText('Learning rate changed to 0.005.').waitFor({ timeout: LONG });
    const changedAt = await page.evaluate(() => window.app.step);
    await page.waitForFunction((s) => window.app.step >= s + 10, changedAt, { timeout: LONG });
    await page.getByRole('button', { name: 'Share', exact: true }).click();
    await page.getByText(/rounded to 8 bits for the link/).waitFor({ timeout: LONG });
    const sharedAt = await page.evaluate(() => window.app.step);
    await page.waitForFunction((s) => window.app.step >= s + 10, sharedAt, { timeout: LONG });
    // A threshold this model's gradients exceed (their norms are ~0.1-0.4), so a replay without it would differ.
    await page.getByLabel('Clip threshold', { exact: true }).fill('0.05');
    await page.getByText(/Gradient clipping by global norm at 0\.05 from step/).waitFor({ timeout: LONG });
    const clippedAt = await page.evaluate(() => window.app.step);
    await page.waitForFunction((s) => window.app.step >= s + 10, clippedAt, { timeout: LONG });
    await recordShownOnUnload(page);
    await page.reload();
    const r = await waitRestored(page);
    const shown = await readShown(page);
    assert.equal(r.step, shown.step);
    assert.deepEqual(await shownNow(page), shown);
    assert.equal(await page.evaluate(() => window.app.replayedEvents), 3);
    assert.equal(await page.evaluate(() => window.app.replayMatched), true);
    assert.equal(await page.getByLabel('Learning rate').inputValue(), '0.005');
    assert.equal(await page.getByLabel('Clip threshold', { exact: true }).inputValue(), '0.05');
    assert.match(await page.evaluate(() => window.app.modelConfig), /^clip_value=0\.0500000007$/m);   // float32 of 0.05
  });

  it('reports missing storage and still works', async () => {
    const other = await browser.ctx.newPage();
    other.problems = [];
    other.on('pageerror', (e) => other.problems.push(`page error: ${e.message}`));
    await other.addInitScript(() => Object.defineProperty(window, 'indexedDB', { value: undefined }));
    await other.goto(server.url);
    await other.waitForFunction(() => window.app && window.app.ready && window.app.stats, null, { timeout: 60_000 });
    assert.match(await other.locator('#storage-message').textContent(), /cannot be kept for a reload/);
    assert.equal(await other.getByRole('button', { name: 'Prose' }).getAttribute('aria-pressed'), 'true');
    await other.getByRole('button', { name: 'Train', exact: true }).click();
    await other.waitForFunction(() => window.app.step > 5, null, { timeout: LONG });
    await other.getByRole('button', { name: 'Pause' }).click();
    await other.waitForFunction(() => window.app.state === 'paused', null, { timeout: LONG });
    assert.deepEqual(other.problems, []);
    await other.close();
  });

  it('New starts fresh, and keeps the run in the list', async () => {
    const runs = await page.evaluate(() => window.app.runs.length);
    assert.ok(runs >= 1);
    await page.getByRole('button', { name: 'New', exact: true }).click();
    await page.waitForFunction(() => window.app.state === 'none', null, { timeout: 30_000 });
    await page.reload();
    await page.waitForFunction(() => window.app && window.app.ready && window.app.stats, null, { timeout: 60_000 });
    assert.equal(await page.getByRole('button', { name: 'Prose' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await page.evaluate(() => window.app.restoredStep), undefined);
    assert.equal(await page.evaluate(() => window.app.state), 'none');
    assert.equal(await page.evaluate(() => window.app.runs.length), runs);
    assert.deepEqual(page.problems, []);
  });
});
