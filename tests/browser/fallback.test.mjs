// The engine build without WebAssembly SIMD: loaded (on purpose, with "nosimd" in the address) it says so and
// still trains, as it would on a browser without SIMD.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LONG, launchBrowser, openPlayground, startServer } from './helpers.mjs';

describe('engine fallback without SIMD', { timeout: 2 * LONG }, () => {
  let server, browser, page;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    page = await openPlayground(browser.ctx, server.url + '?nosimd');
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('tells the person and trains all the same', async () => {
    await page.getByText(/without SIMD/).waitFor({ timeout: 30_000 });
    assert.equal(await page.evaluate(() => window.app.simd), false);
    await page.getByRole('button', { name: 'Hello' }).click();
    await page.waitForFunction(() => window.app.stats && window.app.stats.chars < 5000, null, { timeout: 30_000 });
    // Hello is best within a second; this test pauses by hand, so training must not stop by itself first.
    await page.getByLabel('Stop when validation stops improving').uncheck();
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page.waitForFunction(() => window.app.step >= 20, null, { timeout: LONG });
    await page.getByRole('button', { name: 'Pause' }).click();
    assert.deepEqual(page.problems, []);
  });
});
