// A page the browser keeps for Back (the back/forward cache: WebKit keeps rnnlab's page when a person goes to
// another address of the site) must not hold its run's Web Lock while it is hidden, or the next page of the site,
// even in the same tab, finds its own run taken (and in WebKit its IndexedDB open hung behind the kept page's
// connection: tests/engines). Chromium's test browser runs without that cache, so the events the browser sends are
// sent here by hand: pagehide with persisted lets the run go, pageshow with persisted takes it back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LONG, usePlayground } from './helpers.mjs';

// The runs whose lock some page of this browser holds.
const lockedRuns = (page) => page.evaluate(async () => (await navigator.locks.query()).held
  .map((l) => l.name).filter((n) => n.startsWith('rnnlab-run:')).map((n) => n.slice(11)));

// The locked runs once `ok(ids)` holds, or as they are after 10 s (the assertion then shows them).
async function locksBecome(page, ok) {
  const end = Date.now() + 10_000;
  for (;;) {
    const ids = await lockedRuns(page);
    if (ok(ids) || Date.now() > end) return ids;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const send = (page, type) => page.evaluate((t) => dispatchEvent(new PageTransitionEvent(t, { persisted: true })), type);

describe('a page kept for Back lets its run go', { timeout: 3 * LONG }, () => {
  let page;
  usePlayground((o) => { page = o.page; });

  it('releases the run lock on pagehide and takes it again on pageshow', async () => {
    await page.getByRole('button', { name: 'Hello' }).click();
    await page.waitForFunction(() => window.app.stats && window.app.stats.chars < 5000, null, { timeout: 30_000 });
    // Paused by hand below: Hello's validation loss is best within seconds, and the automatic stop would race that.
    await page.getByLabel('Stop when validation stops improving').uncheck();
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page.waitForFunction(() => window.app.step >= 2, null, { timeout: LONG });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForFunction(() => window.app.state === 'paused' && window.app.savedStep === window.app.step && window.app.runId,
      null, { timeout: LONG });
    const id = await page.evaluate(() => window.app.runId);
    assert.deepEqual(await lockedRuns(page), [id], 'the page holds its run while shown');

    await send(page, 'pagehide');
    assert.deepEqual(await locksBecome(page, (ids) => ids.length === 0), [], 'hidden, it holds no run');

    await send(page, 'pageshow');
    assert.deepEqual(await locksBecome(page, (ids) => ids.length === 1), [id], 'shown again, it holds its run again');
    // Its database connection was closed while hidden: the next checkpoint opens it again and lands.
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.waitForFunction(() => window.app.step >= 6, null, { timeout: LONG });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForFunction(() => window.app.state === 'paused' && window.app.savedStep === window.app.step,
      null, { timeout: LONG });
    assert.equal(await page.evaluate(() => window.app.storageMessage || ''), '', 'no storage message');
    assert.deepEqual(page.problems, []);
  });
});
