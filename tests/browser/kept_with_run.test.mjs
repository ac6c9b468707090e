// What is kept with a run besides its model (issue #13): the last sample and its seed, and the best model by
// validation, come back after a reload, so "Use the best model" still works then and Sample says which model it
// uses; and the list of runs follows the current run's step while it trains, not only its last checkpoint.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LONG, OVERFITS, atPhoneWidth, pasteInto, screenshotPath, tinyOverfitText as tinyText, usePlayground }
  from './helpers.mjs';

// The run's record in IndexedDB, as the page keeps it (read only: the test waits for the checkpoint to land).
const keptRecord = (page) => page.evaluate(() => new Promise((resolve, reject) => {
  const open = indexedDB.open('rnnlab');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const get = open.result.transaction('runs', 'readonly').objectStore('runs').get(window.app.runId);
    get.onsuccess = () => {
      const r = get.result;
      resolve(r ? { step: r.step, sample: r.sample || null, best: r.best ? { step: r.best.step, bits: r.best.bits,
                    bytes: r.best.bytes ? r.best.bytes.length : 0 } : null } : null);
      open.result.close();
    };
    get.onerror = () => reject(get.error);
  };
}));

const currentRunRow = (page) => page.getByRole('list', { name: 'Your runs' }).getByRole('listitem')
  .filter({ has: page.getByRole('button', { name: /is open$/ }) });

describe('kept with the run', { timeout: 8 * LONG }, () => {
  let page;
  usePlayground((opened) => ({ page } = opened), '#testhooks');

  it('the list of runs shows the step training is at, not the last checkpoint\'s', async () => {
    const text = tinyText();
    await pasteInto(page, page.getByLabel('Training text'), text);
    await page.waitForFunction((n) => window.app.stats && window.app.stats.chars === n, text.length, { timeout: 30_000 });
    for (const [label, value] of Object.entries(OVERFITS)) await page.getByLabel(label).fill(value);
    await page.getByLabel('Stop when validation stops improving').uncheck();
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await currentRunRow(page).waitFor({ timeout: LONG });   // the new run's first checkpoint
    // No checkpoints from here on: the row can only move with the page's own step.
    await page.evaluate(() => window.app.debug.holdCheckpoints(true));
    const saved = await page.evaluate(() => window.app.savedStep);
    await page.waitForFunction((s) => window.app.step >= s + 150, saved ?? 0, { timeout: LONG });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: LONG });
    const step = await page.evaluate(() => window.app.step);
    const details = await currentRunRow(page).locator('.run-details').textContent();
    assert.match(details, new RegExp(`step ${step.toLocaleString('en-US')} ·`), details);
    await page.evaluate(() => window.app.debug.holdCheckpoints(false));
    await page.getByLabel('Stop when validation stops improving').check();
  });

  it('after a reload: the last sample and its seed, and the best model, which "Use the best model" brings back', async () => {
    // Train on until validation stops improving (the option is on again): the model is past its best.
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await page.locator('#best-notice').waitFor({ state: 'visible', timeout: 3 * LONG });
    const best = await page.evaluate(() => window.app.bestKept);
    const step = await page.evaluate(() => window.app.step);
    assert.ok(best && best.step < step, `best ${JSON.stringify(best)} before step ${step}`);

    const sampleSection = page.getByRole('region', { name: 'Sample', exact: true });
    await sampleSection.getByLabel('Start with (prime)').fill('the ');
    await sampleSection.getByLabel('Length').fill('200');
    await sampleSection.getByLabel('Seed').fill('4242');
    await page.getByRole('button', { name: 'Sample', exact: true }).click();
    await page.waitForFunction(() => window.app.sampleDone, null, { timeout: LONG });
    const sampled = await page.getByRole('region', { name: 'Sample output' }).textContent();
    assert.ok(sampled.startsWith('the ') && sampled.length > 150, sampled);
    // The sample and the best model's file are in the run's record once its checkpoint lands.
    for (let i = 0; i < 100; i++) {
      const r = await keptRecord(page);
      if (r && r.sample && r.sample.seed === 4242 && r.best) break;
      await page.waitForTimeout(100);
    }
    const record = await keptRecord(page);
    assert.equal(record.sample.seed, 4242);
    assert.deepEqual({ step: record.best.step, bits: record.best.bits }, best);
    assert.ok(record.best.bytes > 1000, 'the best model\'s file is kept');

    await page.reload();
    await page.waitForFunction(() => window.app && window.app.restoredStep !== undefined && window.app.state === 'paused' &&
      !window.app.restoring, null, { timeout: LONG });
    assert.equal(await page.evaluate(() => window.app.step), step);
    // The kept run keeps its own settings: the default preset's size is for a first visit only.
    assert.equal(await page.getByLabel('Hidden units').inputValue(), '128');
    assert.equal(await page.getByLabel('Layers').inputValue(), '1');
    // The sample is shown again, with its seed and where it came from.
    assert.equal(await page.getByRole('region', { name: 'Sample output' }).textContent(), sampled);
    assert.match(await page.locator('#sample-state').textContent(),
      new RegExp(`seed 4242, sampled from the model at step ${step.toLocaleString('en-US')}`));
    assert.equal(await page.getByRole('button', { name: 'Copy', exact: true }).isEnabled(), true);
    await page.getByRole('region', { name: 'Sample', exact: true }).screenshot({ path: screenshotPath('sample-after-reload-1280.png') });
    await page.getByRole('region', { name: 'Train', exact: true }).screenshot({ path: screenshotPath('best-after-reload-1280.png') });
    await atPhoneWidth(page, () => page.screenshot({ path: screenshotPath('best-after-reload-375.png') }));
    // The best model is offered again, and Sample says it uses the current one until then.
    assert.match(await page.locator('#sample-model-used').textContent(),
      new RegExp(`^Sample uses the current model at step ${step.toLocaleString('en-US')}; validation was best at step ` +
                 `${best.step.toLocaleString('en-US')}`));
    await page.getByRole('button', { name: `Use the best model (step ${best.step.toLocaleString('en-US')})` }).click();
    await page.waitForFunction((s) => window.app.step === s, best.step, { timeout: LONG });
    await page.waitForFunction((b) => window.app.valBits === b, best.bits, { timeout: LONG });
    assert.match(await page.locator('#sample-model-used').textContent(),
      new RegExp(`^Sample uses the best model: step ${best.step.toLocaleString('en-US')}`));
    assert.match(await page.locator('#file-model-used').textContent(), /^Save, Export and Share use the best model/);
    // Training on from it works.
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await page.waitForFunction((s) => window.app.step > s, best.step, { timeout: LONG });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: LONG });
    assert.deepEqual(page.problems, []);
  });
});
