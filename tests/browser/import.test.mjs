// "Load model…" opens a safetensors export as well as an rnnlab model file (told apart by the file's first bytes):
// the imported weights sample exactly what the exported model sampled with the same seed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { LONG, pasteInto, practiceText, usePlayground } from './helpers.mjs';

async function sampleWithSeed(page) {
  await page.getByLabel('Length').fill('200');
  await page.locator('#smp-seed').fill('11');
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await page.waitForFunction(() => window.app.sampleDone && !window.app.sampling, null, { timeout: LONG });
  return page.evaluate(() => window.app.sampleText);
}

describe('safetensors import in the page', { timeout: 3 * LONG }, () => {
  let server, browser, page;
  usePlayground((opened) => ({ server, browser, page } = opened));

  it('loads an exported safetensors file and samples the same text', async () => {
    const text = practiceText();
    await pasteInto(page, page.getByLabel('Training text'), text);
    await page.waitForFunction((n) => window.app.stats && window.app.stats.chars === n, text.length, { timeout: 30_000 });
    await page.getByLabel('Hidden units').fill('32');
    await page.getByLabel('Unroll (steps)').fill('16');
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page.waitForFunction(() => window.app.timeline.length >= 1, null, { timeout: LONG });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: LONG });
    const before = await sampleWithSeed(page);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export safetensors' }).click(),
    ]);
    const bytes = readFileSync(await download.path());
    assert.notEqual(bytes.subarray(0, 6).toString('latin1'), 'RNNLAB');

    await page.getByRole('button', { name: 'Model file', exact: true }).setInputFiles({ name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: bytes });
    const msg = page.locator('#file-message');
    await page.waitForFunction(() => /Loaded model\.safetensors/.test(document.getElementById('file-message').textContent),
      null, { timeout: 30_000 });
    assert.match(await msg.textContent(), /It holds no text: it can sample now, and Resume trains it on the text above/);
    const after = await sampleWithSeed(page);
    assert.equal(after, before);

    // Not a model file of either kind: a message, and the page keeps working.
    await page.getByRole('button', { name: 'Model file', exact: true }).setInputFiles({ name: 'junk.bin', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model at all') });
    await page.waitForFunction(() => /junk\.bin/.test(document.getElementById('file-message').textContent), null, { timeout: 30_000 });
    assert.deepEqual(page.problems, []);
  });
});
