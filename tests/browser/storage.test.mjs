// Nothing lost on reload: a paused run comes back at the same step with its text, loss history and timeline;
// a run reloaded mid-training comes back at the step of its last save; New forgets it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LONG, launchBrowser, openPlayground, pasteInto, practiceText, startServer } from './helpers.mjs';

async function waitRestored(page) {
  await page.waitForFunction(() => window.app && window.app.restoredStep !== undefined && window.app.state === 'paused',
    null, { timeout: 60_000 });
  return page.evaluate(() => ({ step: window.app.step, restored: window.app.restoredStep, timeline: window.app.timeline.length,
                                val: window.app.valHistory.length }));
}

describe('the run survives a reload', { timeout: 5 * LONG }, () => {
  let server, browser, page;
  const text = practiceText();

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    page = await openPlayground(browser.ctx, server.url);
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('restores a paused run at the same step', async () => {
    await pasteInto(page, page.getByLabel('Training text'), text);
    await page.waitForFunction((n) => window.app.stats && window.app.stats.chars === n, text.length, { timeout: 30_000 });
    await page.getByLabel('Hidden units').fill('32');
    await page.getByLabel('Unroll (steps)').fill('16');
    await page.getByLabel('Batch (streams)').fill('8');
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

  it('restores a run reloaded mid-training at the step of its last save', async () => {
    await page.getByRole('button', { name: 'Resume' }).click();
    const first = await page.evaluate(() => window.app.savedStep);
    await page.waitForFunction((s) => window.app.state === 'training' && window.app.savedStep > s, first, { timeout: LONG });
    const saved = await page.evaluate(() => window.app.savedStep);
    await page.reload();
    const r = await waitRestored(page);
    assert.ok(r.step >= saved, `restored step ${r.step}, last save seen at ${saved}`);
    assert.equal(r.step, r.restored);
    // It trains on from there.
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.waitForFunction((s) => window.app.step > s, r.step, { timeout: LONG });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: LONG });
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

  it('New forgets the run', async () => {
    await page.getByRole('button', { name: 'New', exact: true }).click();
    await page.waitForFunction(() => window.app.state === 'none', null, { timeout: 30_000 });
    await page.reload();
    await page.waitForFunction(() => window.app && window.app.ready && window.app.stats, null, { timeout: 60_000 });
    assert.equal(await page.getByRole('button', { name: 'Prose' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await page.evaluate(() => window.app.restoredStep), undefined);
    assert.equal(await page.evaluate(() => window.app.state), 'none');
    assert.deepEqual(page.problems, []);
  });
});
