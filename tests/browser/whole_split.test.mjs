// Honest validation on a large split (issue #13): while training, a validation split over 65,536 characters is
// scored by a sample of 16,384 spread evenly over it; when training pauses, the worker scores the whole split in
// pieces and the page says which figure is which ("a sample of N" vs "Whole split, N characters").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LONG, atPhoneWidth, screenshotPath, usePlayground } from './helpers.mjs';

// ~150,000 characters of words in a random order; with half of it held out the split is ~75,000 characters.
function bigText() {
  const words = ['stone', 'river', 'light', 'green', 'under', 'quiet', 'house', 'north', 'bread', 'cloud', 'the', 'a'];
  let x = 7;
  const out = [];
  let length = 0;
  while (length < 150_000) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const w = words[(x >> 9) % words.length] + ((x >> 4) % 11 === 0 ? '.\n' : ' ');
    out.push(w);
    length += w.length;
  }
  return out.join('');
}

const TINY = { Layers: '1', 'Hidden units': '16', 'Embedding size': '8', 'Unroll (steps)': '16', 'Batch (streams)': '8',
               'Learning rate': '0.01' };

describe('validation over the whole split on a pause', { timeout: 6 * LONG }, () => {
  let page;
  usePlayground((opened) => ({ page } = opened));

  const coverage = () => page.locator('#val-coverage').textContent();

  it('says the figure while training is a spread sample, and gives the whole split\'s figure on a pause', async () => {
    const text = bigText();
    await page.getByLabel('Text file').setInputFiles({ name: 'words.txt', mimeType: 'text/plain', buffer: Buffer.from(text) });
    await page.waitForFunction((n) => window.app.stats && window.app.stats.chars === n, text.length, { timeout: LONG });
    await page.getByRole('button', { name: 'Split and vocabulary' }).click();
    await page.getByLabel('Validation share (%)').fill('50');
    await page.waitForFunction(() => window.app.stats && window.app.stats.valChars > 70_000, null, { timeout: LONG });
    for (const [label, value] of Object.entries(TINY)) await page.getByLabel(label).fill(value);
    const valChars = await page.evaluate(() => window.app.stats.valChars);

    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page.waitForFunction(() => window.app.step >= 40 && window.app.valHistory.length > 0, null, { timeout: LONG });
    assert.match(await coverage(), new RegExp(`^Validation loss \\(above and on the chart\\): a sample of 16,384 characters ` +
      `spread evenly over all ${(valChars - 1).toLocaleString('en-US')} of the validation text\\.$`));
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: LONG });
    const step = await page.evaluate(() => window.app.step);
    await page.waitForFunction(() => window.app.wholeSplit && window.app.wholeSplit.done, null, { timeout: LONG });
    const m = new RegExp(`Whole split, ([\\d,]+) characters, at step ${step.toLocaleString('en-US')}: (\\d\\.\\d{3}) bits/char`)
      .exec(await coverage());
    assert.ok(m, await coverage());
    const chars = Number(m[1].replace(/,/g, ''));
    // Every character but the first and a remainder that does not divide into the 8 streams.
    assert.ok(chars <= valChars - 1 && chars > valChars - 10, `${chars} of ${valChars}`);
    const whole = await page.evaluate(() => window.app.wholeSplit.bits);
    assert.ok(Number.isFinite(whole) && whole > 0 && whole < 8, `whole split ${whole} bits/char`);
    assert.match(await coverage(), /a sample of 16,384 characters/);   // both figures, each named
    const status = page.getByRole('group', { name: 'Training status' });
    await status.evaluate((el) => el.scrollIntoView());
    await page.screenshot({ path: screenshotPath('whole-split-1280.png') });
    await atPhoneWidth(page, () => page.locator('#val-coverage').screenshot({ path: screenshotPath('whole-split-375.png') }));

    // Training on drops the figure (it belonged to that step); the next pause scores the split again.
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await page.waitForFunction((s) => window.app.step > s + 10, step, { timeout: LONG });
    assert.doesNotMatch(await coverage(), /Whole split/);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: LONG });
    const later = await page.evaluate(() => window.app.step);
    await page.waitForFunction((s) => window.app.wholeSplit && window.app.wholeSplit.done && window.app.wholeSplit.step === s,
      later, { timeout: LONG });
    assert.match(await coverage(), new RegExp(`Whole split, [\\d,]+ characters, at step ${later.toLocaleString('en-US')}:`));
    assert.deepEqual(page.problems, []);
  });
});
