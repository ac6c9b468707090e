// Section 7, "Compare runs": Cancel pressed while the comparison's own worker is still starting ends the comparison
// (it used to wait for that worker for ever, with the buttons disabled until a reload), and a comparison started
// afterwards still runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LONG, preparePractice, usePlayground } from './helpers.mjs';

describe('compare runs: Cancel while the comparison worker starts', { timeout: 3 * LONG }, () => {
  let page;
  usePlayground((opened) => ({ page } = opened));
  const section = () => page.getByRole('region', { name: 'Compare runs' });

  it('ends the comparison at once and leaves the section usable', async () => {
    await preparePractice(page);
    await section().getByLabel('Steps per cell').fill('10');
    // Both clicks in one task: Cancel lands before the new worker can have reported ready.
    await page.evaluate(() => {
      document.getElementById('cmp-three').click();
      document.getElementById('cmp-cancel').click();
    });
    await page.waitForFunction(() => !window.app.compare.busy, null, { timeout: 10_000 });
    assert.equal(await section().getByRole('status').textContent(), 'Cancelled.');
    assert.equal(await section().getByRole('button', { name: 'Train the three cells on this text' }).isEnabled(), true);
    assert.equal(await section().getByRole('progressbar', { name: 'Comparison progress' }).isVisible(), false);

    await section().getByRole('button', { name: 'Train the three cells on this text' }).click();
    await page.waitForFunction(() => window.app.compare.runs.length === 3 && !window.app.compare.busy, null,
      { timeout: 2 * LONG, polling: 500 });
    assert.match(await section().getByRole('status').textContent(), /^Done: 3 runs of 10 steps each/);
  });
});
