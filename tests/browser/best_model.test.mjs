// The best model by validation loss (issue #13): on a tiny text a big model overfits within seconds; with "Stop when
// validation stops improving" on (the default) training pauses by itself, the page says the model is memorising its
// text and offers the best model; "Use the best model" brings back exactly its step and validation loss, and Sample
// and Model file say which model they use. The validation figure says how many characters it is over.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LONG, OVERFITS, atPhoneWidth, pasteInto, screenshotPath, tinyOverfitText as tinyText, usePlayground }
  from './helpers.mjs';

describe('the best model is kept and offered', { timeout: 6 * LONG }, () => {
  let page;
  usePlayground((opened) => ({ page } = opened));

  async function prepare() {
    const text = tinyText();
    await pasteInto(page, page.getByLabel('Training text'), text);
    await page.waitForFunction((n) => window.app.stats && window.app.stats.chars === n, text.length, { timeout: 30_000 });
    for (const [label, value] of Object.entries(OVERFITS)) await page.getByLabel(label).fill(value);
    return text;
  }

  it('training stops by itself once validation stops improving, and says the model is memorising', async () => {
    await prepare();
    assert.equal(await page.getByLabel('Stop when validation stops improving').isChecked(), true, 'on by default');
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    const notice = page.locator('#best-notice');
    await notice.waitFor({ state: 'visible', timeout: 3 * LONG });
    assert.equal(await page.evaluate(() => window.app.state), 'paused');
    assert.match(await notice.textContent(), /memorising its training text/);
    const { step, best, valBits } = await page.evaluate(() => ({ step: window.app.step, best: window.app.bestKept,
                                                                  valBits: window.app.valBits }));
    assert.ok(best && best.step > 0 && best.step < step, `best ${JSON.stringify(best)} before step ${step}`);
    assert.ok(step - best.step >= Math.max(100, 0.3 * best.step), `stopped ${step - best.step} steps after the best`);
    assert.ok(valBits > best.bits, `validation now ${valBits}, best ${best.bits}`);
    // The best is the lowest validation point the page saw.
    const lowest = await page.evaluate(() => Math.min(...window.app.valHistory.map((v) => v.bits)));
    assert.equal(best.bits, lowest);
    await page.getByRole('button', { name: `Use the best model (step ${best.step.toLocaleString('en-US')})` }).waitFor();
    await page.getByRole('button', { name: 'Go on training' }).waitFor();
    assert.match(await page.locator('#sample-model-used').textContent(),
      new RegExp(`^Sample uses the current model at step ${step.toLocaleString('en-US')}; validation was best at step`));
    assert.match(await page.locator('#file-model-used').textContent(), /^Save, Export and Share use the current model at step/);
    await page.screenshot({ path: screenshotPath('best-notice-1280.png') });
    await atPhoneWidth(page, () => page.locator('#train-section').screenshot({ path: screenshotPath('best-notice-375.png') }));
  });

  it('"Use the best model" restores its step and validation loss exactly, and Sample and Model file say so', async () => {
    const best = await page.evaluate(() => window.app.bestKept);
    await page.getByRole('button', { name: /^Use the best model/ }).click();
    await page.waitForFunction((s) => window.app.step === s, best.step, { timeout: LONG });
    await page.waitForFunction((b) => window.app.valBits === b, best.bits, { timeout: LONG });
    assert.equal(await page.locator('#best-notice').isVisible(), false);
    const used = `use[s]? the best model: step ${best.step.toLocaleString('en-US')}, validation`;
    assert.match(await page.locator('#sample-model-used').textContent(), new RegExp(`^Sample ${used}`));
    assert.match(await page.locator('#file-model-used').textContent(), new RegExp(`^Save, Export and Share ${used}`));
    assert.match(await page.locator('#train-message').textContent(), /Now using the best model/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'train-button');
    // Training on goes from the best model's step.
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.waitForFunction((s) => window.app.step > s, best.step, { timeout: LONG });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: LONG });
  });

  it('the validation figure says how many characters it is over', async () => {
    const valChars = await page.evaluate(() => window.app.stats.valChars);
    const m = /^Validation loss over ([\d,]+) characters: the whole validation text\.$/.exec(
      await page.locator('#val-coverage').textContent());
    assert.ok(m, 'the figure names its characters');
    const chars = Number(m[1].replace(/,/g, ''));
    assert.ok(chars <= valChars - 1 && chars >= valChars - 16, `${chars} of ${valChars}: all but a few`);
  });

  it('with the option off, training goes on past the best', async () => {
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.waitForFunction(() => window.app.ready && window.app.state === 'none', null, { timeout: LONG });
    await page.getByLabel('Stop when validation stops improving').uncheck();
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page.waitForFunction(() => window.app.bestKept && window.app.step >= 3 * Math.max(400, window.app.bestKept.step),
      null, { timeout: 3 * LONG });
    assert.equal(await page.evaluate(() => window.app.state), 'training');
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: LONG });
    await page.getByLabel('Stop when validation stops improving').check();
  });
});
