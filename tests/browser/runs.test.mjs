// Your runs: every run is kept under its own id and nothing overwrites another. A share link opened in a second page
// of the same browser adds a run and leaves the first page's run intact across its reload; switching between two
// runs brings each back exactly; rename and delete (which asks first) work from the list; an exported run loaded as
// a file is a new run; a full store keeps the current run; the single run an older page kept is moved into the list.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  LONG, atPhoneWidth, launchBrowser, openPlayground, preparePractice, screenshotPath, startServer, trainTo,
} from './helpers.mjs';

// What the page shows of its run: step, every loss on the chart, validation points, timeline, model size.
const shown = (page) => page.evaluate(() => JSON.parse(JSON.stringify({
  step: window.app.step, loss: window.app.lossData(), val: window.app.valHistory, timeline: window.app.timeline,
  config: window.app.modelConfig,
})));

// Trains the practice text a little with `hidden` units and pauses; resolves once the pause is checkpointed.
async function trainRun(page, hidden, steps) {
  await preparePractice(page);
  await page.getByLabel('Hidden units').fill(String(hidden));
  await trainTo(page, steps);
  await page.waitForFunction(() => window.app.savedStep === window.app.step, null, { timeout: LONG });
  return shown(page);
}

const runItems = (page) => page.getByRole('list', { name: 'Your runs' }).getByRole('listitem');
const runNames = (page) => page.locator('#runs-list .run-name').allTextContents();

async function waitRestored(page) {
  await page.waitForFunction(() => window.app && window.app.restoredStep !== undefined && window.app.state === 'paused' &&
    !window.app.restoring, null, { timeout: 60_000 });
}

describe('your runs', { timeout: 12 * LONG }, () => {
  let server, browser;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('a link opened in a second page adds a run; the first page reloads to its own run, intact', async () => {
    const first = await openPlayground(browser.ctx, server.url);
    await trainRun(first, 24, 30);
    await first.getByRole('button', { name: 'Share', exact: true }).click();
    await first.getByText(/rounded to 8 bits for the link/).waitFor({ timeout: LONG });
    const link = await first.getByLabel('Instant link', { exact: true }).inputValue();
    await first.waitForFunction(() => window.app.savedStep === window.app.step, null, { timeout: LONG });
    const before = await shown(first);

    const second = await openPlayground(browser.ctx, server.url, link.slice(link.indexOf('#')));
    await second.waitForFunction(() => window.app.state === 'paused' && window.app.runs.length === 2, null, { timeout: LONG });
    await first.reload();
    await waitRestored(first);
    assert.deepEqual(await shown(first), before);
    assert.equal(await runItems(first).count(), 2);
    // The second page's run is the link's model; it stays that page's run across its own reload.
    const secondRun = await second.evaluate(() => window.app.runId);
    assert.notEqual(secondRun, await first.evaluate(() => window.app.runId));
    await second.reload();
    await waitRestored(second);
    assert.equal(await second.evaluate(() => window.app.runId), secondRun);
    assert.deepEqual(first.problems, []);
    assert.deepEqual(second.problems, []);
    await second.close();
    await first.close();
  });

  it('switches between two runs and brings each back exactly; rename and delete from the list', async () => {
    const ctx = await launchBrowser();
    try {
      const page = await openPlayground(ctx.ctx, server.url);
      const a = await trainRun(page, 24, 25);
      const aId = await page.evaluate(() => window.app.runId);
      await page.getByRole('button', { name: 'New', exact: true }).click();
      await page.waitForFunction(() => window.app.state === 'none' && window.app.ready, null, { timeout: LONG });
      let b = await trainRun(page, 16, 35);
      assert.notEqual(await page.evaluate(() => window.app.runId), aId);
      assert.equal(await runItems(page).count(), 2);
      const [bName, aName] = await runNames(page);   // most recently used first

      await page.getByRole('button', { name: `Open ${aName}`, exact: true }).click();
      await page.waitForFunction((id) => window.app.runId === id && window.app.state === 'paused', aId, { timeout: LONG });
      assert.deepEqual(await shown(page), a);
      assert.equal(await page.getByLabel('Hidden units').inputValue(), '24');
      await page.getByRole('button', { name: `Open ${bName}`, exact: true }).click();
      await page.waitForFunction((id) => window.app.runId !== id && window.app.state === 'paused', aId, { timeout: LONG });
      assert.deepEqual(await shown(page), b);

      // Leaving a run that trains asks first, then pauses and keeps it.
      await page.getByRole('button', { name: 'Resume', exact: true }).click();
      await page.waitForFunction((s) => window.app.step > s + 5, b.step, { timeout: LONG });
      await page.getByRole('button', { name: `Open ${aName}`, exact: true }).click();
      assert.equal(await page.evaluate(() => window.app.state), 'training', 'nothing happens before the answer');
      await page.getByRole('button', { name: `Pause and open ${aName}`, exact: true }).click();
      await page.waitForFunction((id) => window.app.runId === id && window.app.state === 'paused', aId, { timeout: LONG });
      assert.deepEqual(await shown(page), a);
      const bKept = (await page.evaluate(() => window.app.runs)).find((r) => r.name === bName).step;
      assert.ok(bKept > b.step, 'the training run was checkpointed before the switch');
      await page.getByRole('button', { name: `Open ${bName}`, exact: true }).click();
      await page.waitForFunction((id) => window.app.runId !== id && window.app.state === 'paused', aId, { timeout: LONG });
      assert.equal(await page.evaluate(() => window.app.step), bKept);
      b = await shown(page);

      await page.getByRole('button', { name: `Rename ${aName}`, exact: true }).click();
      const field = page.getByLabel(`New name for ${aName}`, { exact: true });
      await field.fill('Twenty-four units');
      await field.press('Enter');
      await page.getByText('Twenty-four units', { exact: true }).waitFor({ timeout: 10_000 });
      await page.locator('#runs-section').screenshot({ path: screenshotPath('runs-list-1280.png') });
      await atPhoneWidth(page, async () => {
        await page.locator('#runs-section').scrollIntoViewIfNeeded();
        await page.locator('#runs-section').screenshot({ path: screenshotPath('runs-list-375.png') });
      });

      await page.getByRole('button', { name: 'Delete Twenty-four units', exact: true }).click();
      await page.getByText(/Delete Twenty-four units\? Its model/).waitFor({ timeout: 10_000 });
      assert.equal(await runItems(page).count(), 2, 'nothing is deleted before the answer');
      await page.getByRole('button', { name: 'Keep Twenty-four units', exact: true }).click();
      assert.equal(await runItems(page).count(), 2);
      await page.getByRole('button', { name: 'Delete Twenty-four units', exact: true }).click();
      await page.getByRole('button', { name: 'Delete Twenty-four units for good', exact: true }).click();
      await page.waitForFunction(() => window.app.runs.length === 1, null, { timeout: 10_000 });
      await page.reload();
      await waitRestored(page);
      assert.deepEqual(await runNames(page), [bName]);
      assert.deepEqual(await shown(page), b);
      assert.deepEqual(page.problems, []);
    } finally {
      await ctx.close();
    }
  });

  it('a second tab leaves the run another tab has open; once it is closed, a fresh tab opens it', async () => {
    const ctx = await launchBrowser();
    try {
      const first = await openPlayground(ctx.ctx, server.url);
      const trained = await trainRun(first, 16, 15);
      const id = await first.evaluate(() => window.app.runId);
      const second = await openPlayground(ctx.ctx, server.url);
      await second.waitForFunction(() => window.app.runs.length === 1 && window.app.preset === 'prose', null, { timeout: LONG });
      assert.equal(await second.evaluate(() => window.app.runId), null);
      assert.equal(await second.evaluate(() => window.app.state), 'none');
      await first.close();
      const third = await openPlayground(ctx.ctx, server.url);
      await waitRestored(third);
      assert.equal(await third.evaluate(() => window.app.runId), id);
      assert.deepEqual(await shown(third), trained);
      assert.deepEqual(second.problems, []);
      assert.deepEqual(third.problems, []);
    } finally {
      await ctx.close();
    }
  });

  it('exports a run as a model file; loading that file adds a run and leaves the first one as it was', async () => {
    const ctx = await launchBrowser();
    try {
      const page = await openPlayground(ctx.ctx, server.url);
      const first = await trainRun(page, 16, 15);
      const firstId = await page.evaluate(() => window.app.runId);
      const [name] = await runNames(page);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: `Export ${name} as a model file`, exact: true }).click(),
      ]);
      assert.match(download.suggestedFilename(), /\.rnnlab$/);
      const file = join(mkdtempSync(join(tmpdir(), 'rnnlab-run-')), download.suggestedFilename());
      await download.saveAs(file);
      await page.getByLabel('Model file', { exact: true }).setInputFiles(file);
      await page.waitForFunction((id) => window.app.runs.length === 2 && window.app.runId !== id, firstId, { timeout: LONG });
      assert.equal((await runNames(page))[0], download.suggestedFilename());
      assert.equal(await page.evaluate(() => window.app.step), first.step);
      await page.getByRole('button', { name: `Open ${name}`, exact: true }).click();
      await page.waitForFunction((id) => window.app.runId === id && window.app.state === 'paused', firstId, { timeout: LONG });
      assert.deepEqual(await shown(page), first);
      assert.deepEqual(page.problems, []);
    } finally {
      await ctx.close();
    }
  });

  it('a full store keeps the current run and offers to delete old runs', async () => {
    const ctx = await launchBrowser();
    // A quota stub: while __quotaFull is set every put throws QuotaExceededError; a delete frees the space.
    await ctx.ctx.addInitScript(() => {
      const put = IDBObjectStore.prototype.put;
      const del = IDBObjectStore.prototype.delete;
      IDBObjectStore.prototype.put = function stubbedPut(...args) {
        if (self.__quotaFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return put.apply(this, args);
      };
      IDBObjectStore.prototype.delete = function stubbedDelete(...args) {
        self.__quotaFull = false;
        return del.apply(this, args);
      };
    });
    try {
      const page = await openPlayground(ctx.ctx, server.url);
      await trainRun(page, 16, 15);
      await page.getByRole('button', { name: 'New', exact: true }).click();
      await page.waitForFunction(() => window.app.state === 'none' && window.app.ready, null, { timeout: LONG });
      const kept = await trainRun(page, 24, 20);
      await page.evaluate(() => { self.__quotaFull = true; });
      await trainTo(page, kept.step + 20);
      await page.getByRole('alert').filter({ hasText: /storage is full/ }).first().waitFor({ timeout: LONG });
      assert.equal(await page.evaluate(() => window.app.savedStep), kept.step, 'the last good checkpoint stays');
      await page.locator('#runs-section').screenshot({ path: screenshotPath('runs-storage-full-1280.png') });

      await page.getByRole('button', { name: 'Delete the oldest run…' }).click();
      const [, oldest] = await runNames(page);
      await page.getByRole('button', { name: `Delete ${oldest} for good`, exact: true }).click();
      // The space freed, the current run is checkpointed at once and the alert goes.
      await page.waitForFunction(() => !window.app.storageFull && window.app.savedStep === window.app.step &&
        window.app.runs.length === 1, null, { timeout: LONG });
      const now = await shown(page);
      await page.reload();
      await waitRestored(page);
      assert.deepEqual(await shown(page), now);
      assert.deepEqual(page.problems, []);
    } finally {
      await ctx.close();
    }
  });

  it('a full store before the pause: a reload still comes back at the step the page showed', async () => {
    const ctx = await launchBrowser();
    await ctx.ctx.addInitScript(() => {
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function stubbedPut(...args) {
        if (sessionStorage.getItem('quotaFull')) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return put.apply(this, args);
      };
    });
    try {
      const page = await openPlayground(ctx.ctx, server.url);
      const first = await trainRun(page, 16, 15);
      await page.evaluate(() => sessionStorage.setItem('quotaFull', '1'));
      await trainTo(page, first.step + 20);
      await page.waitForFunction(() => window.app.storageFull, null, { timeout: LONG });
      const at = await shown(page);
      await page.evaluate(() => sessionStorage.removeItem('quotaFull'));
      await page.reload();
      await waitRestored(page);
      assert.equal(await page.evaluate(() => window.app.replayMatched), true);
      assert.deepEqual(await shown(page), at);
    } finally {
      await ctx.close();
    }
  });

  it('moves the single run an older page kept into the list', async () => {
    const ctx = await launchBrowser();
    try {
      const page = await openPlayground(ctx.ctx, server.url);
      const trained = await trainRun(page, 16, 20);
      const id = await page.evaluate(() => window.app.runId);
      // The record as version 1 pages kept it (bytes as an array to cross into the test).
      const old = await page.evaluate((runId) => new Promise((resolve, reject) => {
        const req = indexedDB.open('rnnlab');
        req.onsuccess = () => {
          const get = req.result.transaction('runs').objectStore('runs').get(runId);
          get.onsuccess = () => {
            const r = get.result;
            resolve({ version: 1, savedAt: r.savedAt, bytes: Array.from(r.bytes), serial: r.serial, gen: r.gen, step: r.step,
                      calls: r.calls, text: r.text, chart: r.chart, valHistory: r.valHistory, timeline: r.timeline });
          };
          get.onerror = () => reject(get.error);
        };
      }), id);
      await page.close();

      const fresh = await launchBrowser();
      try {
        const setup = await fresh.ctx.newPage();
        await setup.goto(`${server.url}style.css`);   // the site's origin, without the page
        await setup.evaluate((record) => new Promise((resolve, reject) => {
          const req = indexedDB.open('rnnlab', 1);
          req.onupgradeneeded = () => req.result.createObjectStore('session');
          req.onsuccess = () => {
            const tx = req.result.transaction('session', 'readwrite');
            tx.objectStore('session').put({ ...record, bytes: new Uint8Array(record.bytes) }, 'current');
            tx.oncomplete = () => { req.result.close(); resolve(); };
            tx.onerror = () => reject(tx.error);
          };
        }), old);
        await setup.close();
        const migrated = await openPlayground(fresh.ctx, server.url);
        await waitRestored(migrated);
        assert.deepEqual(await runNames(migrated), ['Your run from before']);
        const now = await shown(migrated);
        assert.equal(now.step, trained.step);
        assert.deepEqual(now.loss, trained.loss);
        assert.deepEqual(now.val, trained.val);
        assert.deepEqual(migrated.problems, []);
      } finally {
        await fresh.close();
      }
    } finally {
      await ctx.close();
    }
  });
});
