// Model files between browsers: a model saved with "Save model" and loaded in a fresh browser trains on with exactly
// the losses of the run that was never interrupted; bad files (cut short, a flipped bit, another kind of file,
// empty, a name with markup) each get their message, and nothing from them runs or becomes an element.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  LONG, lossesByStep, openPlayground, preparePractice, trainTo, useTwoBrowsers, watchDialogs,
} from './helpers.mjs';

async function loadFile(page, file) {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Load model…' }).click();
  await (await chooser).setFiles(file);
}

describe('model files in a fresh browser', { timeout: 8 * LONG }, () => {
  let server, a, b, file, savedStep;

  useTwoBrowsers((opened) => ({ server, a, b } = opened));

  it('a saved model loaded elsewhere continues with the same losses as if uninterrupted', async () => {
    const page = await openPlayground(a.ctx, server.url);
    await preparePractice(page);
    savedStep = await trainTo(page, 40);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Save model' }).click();
    file = readFileSync(await (await download).path());
    assert.equal(file.subarray(0, 6).toString('latin1'), 'RNNLAB');
    const target = savedStep + 40;
    await trainTo(page, target);
    const uninterrupted = await lossesByStep(page);
    assert.deepEqual(page.problems, []);

    const other = await openPlayground(b.ctx, server.url);
    await loadFile(other, { name: 'practice.rnnlab', mimeType: 'application/octet-stream', buffer: file });
    await other.getByText(new RegExp(`Loaded practice\\.rnnlab: step ${savedStep.toLocaleString('en-US')}`)).waitFor({ timeout: LONG });
    assert.equal(await other.evaluate(() => window.app.step), savedStep);
    await trainTo(other, target);
    const resumed = await lossesByStep(other);
    for (let s = savedStep + 1; s <= target; ++s) assert.equal(resumed[s], uninterrupted[s], `step ${s}`);
    assert.deepEqual(other.problems, []);
    await page.close();
    await other.close();
  });

  it('each bad model file gets its message and the page keeps working', async () => {
    const page = await openPlayground(b.ctx, server.url);
    watchDialogs(page);
    const flipped = Buffer.from(file);
    flipped[Math.floor(flipped.length / 2)] ^= 0x20;
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    const markup = '<img src=x onerror="window.__pwned=1">.rnnlab';
    const BAD = [
      ['cut-short.rnnlab', file.subarray(0, Math.floor(file.length / 2)), /checksum does not match|cut short|corrupted/i],
      ['flipped.rnnlab', flipped, /corrupted \(its checksum does not match\)/i],
      ['picture.png', png, /not an rnnlab model file/i],
      ['empty.rnnlab', Buffer.alloc(0), /not an rnnlab model file/i],
      [markup, Buffer.from('<script>window.__pwned=2</script>'), /not an rnnlab model file/i],
    ];
    for (const [name, buffer, pattern] of BAD) {
      await loadFile(page, { name, mimeType: 'application/octet-stream', buffer });
      const box = page.locator('#file-message');
      await page.waitForFunction((n) => document.getElementById('file-message').textContent.startsWith(n + ':'), name,
        { timeout: LONG });
      const shown = await box.textContent();
      assert.match(shown, pattern, name);
      assert.equal(await box.getAttribute('class').then((c) => /error/.test(c)), true, name);
    }
    assert.equal(await page.evaluate(() => document.querySelectorAll('img, main script, iframe').length), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.deepEqual(page.dialogs, []);
    // Still works: the good file loads after all of them.
    await loadFile(page, { name: 'good.rnnlab', mimeType: 'application/octet-stream', buffer: file });
    await page.getByText(new RegExp(`Loaded good\\.rnnlab: step ${savedStep.toLocaleString('en-US')}`)).waitFor({ timeout: LONG });
    assert.deepEqual(page.problems, []);
  });
});
