// The main path a person takes: paste a text, set a small model, train until the validation loss has clearly
// fallen, pause, resume, sample with a prime, switch the cell type and reset. Screenshots at 1280 and 375 px go to
// build/screenshots/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LONG, appState, launchBrowser, openPlayground, pasteInto, practiceText, screenshotPath, startServer }
  from './helpers.mjs';

const VAL_DROP_BITS = 1.0;   // the validation loss must fall at least this much below its value before training

describe('playground: train, pause, resume, sample, reset', { timeout: 4 * LONG }, () => {
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

  it('starts on the prose preset with its statistics', async () => {
    const stats = page.getByLabel('Text statistics');
    assert.equal(await page.getByRole('button', { name: 'Prose' }).getAttribute('aria-pressed'), 'true');
    const s = await page.evaluate(() => window.app.stats);
    assert.ok(s.chars > 15_000 && s.chars < 35_000, `prose preset has ${s.chars} characters`);
    assert.match(await stats.textContent(), new RegExp(s.chars.toLocaleString('en-US')));
  });

  it('a first visit opens the prose preset at the size tuned for it, and says so', async () => {
    const values = {};
    for (const label of ['Layers', 'Hidden units', 'Embedding size', 'Dropout'])
      values[label] = await page.getByLabel(label).inputValue();
    assert.deepEqual(values, { Layers: '2', 'Hidden units': '96', 'Embedding size': '16', Dropout: '0.3' });
    assert.match(await page.getByRole('alert').filter({ hasText: 'Model size set for the prose text' }).textContent(),
      /layers 2, hidden units 96, embedding 16, .*dropout 0\.3/);
  });

  it('shows statistics for pasted text', async () => {
    const box = page.getByLabel('Training text');
    await pasteInto(page, box, text);
    await page.waitForFunction((n) => window.app.stats && window.app.stats.chars === n, text.length, { timeout: 30_000 });
    const shown = await page.getByLabel('Text statistics').textContent();
    assert.match(shown, new RegExp(text.length.toLocaleString('en-US')));
    const s = await page.evaluate(() => window.app.stats);
    assert.equal(s.trainChars + s.valChars, text.length);
    assert.ok(s.vocabSize > 20 && s.vocabSize < 40, `vocabulary ${s.vocabSize}`);
    assert.equal(await page.getByRole('button', { name: 'Prose' }).getAttribute('aria-pressed'), 'false');
  });

  it('trains until the validation loss falls by a clear margin', async () => {
    await page.getByLabel('Hidden units').fill('64');
    await page.getByLabel('Unroll (steps)').fill('32');
    await page.getByLabel('Batch (streams)').fill('16');
    await page.getByLabel('Learning rate').fill('0.005');
    await page.waitForFunction(() => /parameters/.test(document.getElementById('model-size').textContent));
    // From the keyboard: focus the Train button and press Enter.
    await page.getByRole('button', { name: 'Train', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.app.state === 'training' && window.app.valHistory.length > 0,
      null, { timeout: 60_000 });
    const first = (await appState(page)).valHistory[0].bits;
    assert.ok(first > 3, `untrained validation loss ${first} bits/char`);
    await page.waitForFunction(([f, d]) => window.app.valBits !== null && window.app.valBits <= f - d,
      [first, VAL_DROP_BITS], { timeout: LONG, polling: 500 });
    const s = await appState(page);
    assert.equal(s.lastError, null);
    const status = await page.getByLabel('Training status').textContent();
    for (const label of ['Step', 'Epoch', 'Train loss', 'Validation loss', 'Perplexity', 'Speed', 'Gradient norm', 'Clipped'])
      assert.ok(status.includes(label), `status shows ${label}`);
    assert.match(status, /bits\/char/);
    assert.match(status, /chars\/s/);
  });

  it('pauses and resumes', async () => {
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: 30_000 });
    const paused = (await appState(page)).step;
    await page.waitForTimeout(1000);   // a paused model must not move: observe it for a moment
    assert.equal((await appState(page)).step, paused, 'no steps while paused');
    assert.ok(await page.getByRole('button', { name: 'Resume' }).isEnabled());
    await page.getByRole('button', { name: 'Resume' }).focus();
    await page.keyboard.press('Space');
    await page.waitForFunction((s) => window.app.state === 'training' && window.app.step > s + 5, paused,
      { timeout: 60_000 });
  });

  it('samples with a prime while training, streaming into the output', async () => {
    await page.waitForFunction(() => window.app.timeline.length >= 2, null, { timeout: LONG });
    await page.getByLabel('Start with (prime)').fill('The cat');
    await page.getByLabel('Length').fill('300');
    await page.getByRole('button', { name: 'Sample' }).click();
    await page.waitForFunction(() => window.app.sampleDone === true, null, { timeout: 60_000 });
    const out = await page.getByLabel('Sample output').textContent();
    assert.ok(out.startsWith('The cat'), `output starts with the prime: ${JSON.stringify(out.slice(0, 40))}`);
    assert.equal([...out].length, 'The cat'.length + 300);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied to the clipboard.').waitFor({ timeout: 10_000 });
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), out);
    // The timeline holds samples labelled by step.
    const timeline = await page.getByRole('list', { name: 'Samples during training' }).textContent();
    assert.match(timeline, /step 50/);
  });

  it('lays out at 1280 and 375 px without horizontal overflow (screenshots)', async () => {
    await page.screenshot({ path: screenshotPath('playground-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 375, height: 800 });
    await page.waitForTimeout(300);   // let the chart's ResizeObserver redraw
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `page is ${width}px wide at a 375px viewport`);
    await page.screenshot({ path: screenshotPath('playground-375.png'), fullPage: true });
    await page.getByRole('region', { name: 'Train', exact: true }).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: screenshotPath('playground-375-train.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('changes the cell type, resets and trains a new model', async () => {
    // The run may have paused by itself meanwhile ("Stop when validation stops improving" is on): when is a matter
    // of how fast this machine trained through the tests above.
    if (await page.evaluate(() => window.app.state) === 'training')
      await page.getByRole('button', { name: 'Pause' }).click({ timeout: 10_000 }).catch(() => {});   // or it paused just now
    await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: 30_000 });
    const oldGen = (await appState(page)).gen;
    await page.getByLabel('Cell', { exact: true }).selectOption('gru');
    await page.waitForFunction(() => /cell/.test(document.getElementById('pending-note').textContent));
    assert.match(await page.getByText(/apply when you press Reset/).textContent(), /cell/);
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.waitForFunction(() => window.app.state === 'none' && window.app.ready, null, { timeout: 30_000 });
    assert.equal(await page.getByRole('button', { name: 'Train', exact: true }).isEnabled(), true);
    assert.equal((await appState(page)).step, 0);
    assert.equal(await page.getByRole('list', { name: 'Samples during training' }).locator('li').count(), 0);
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page.waitForFunction(() => window.app.state === 'training' && window.app.step > 10, null, { timeout: 60_000 });
    const s = await appState(page);
    assert.ok(s.gen > oldGen, 'a new generation after reset');
    const cfg = await page.evaluate(() => window.app.modelConfig);
    assert.match(cfg, /^cell=gru$/m);
    // GRU parameters: 3 gates. The page's estimate before training equals the engine's count.
    const count = await page.evaluate(() => [window.app.parameterCount, window.app.parameterEstimate]);
    assert.equal(count[0], count[1]);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: 30_000 });
  });

  it('pauses by itself at exactly the step set in "Pause at step", also when set while training', async () => {
    const field = page.getByLabel('Pause at step');
    const message = page.locator('#train-section').getByRole('alert');
    // This small model's validation is best within a few hundred steps on the practice text; the step budget is
    // what is tested here, so training must not stop by itself first.
    await page.getByLabel('Stop when validation stops improving').uncheck();
    const from = (await appState(page)).step;
    await field.fill(String(from + 40));
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: LONG });
    assert.equal((await appState(page)).step, from + 40);
    const shown = (from + 40).toLocaleString('en-US');
    assert.match(await message.textContent(), new RegExp(`Paused at step ${shown}, as "Pause at step" asked`));
    // Resuming with a step already reached says so, and trains on.
    await page.getByRole('button', { name: 'Resume' }).click();
    await message.getByText(/is not ahead of the model, which is at step/).waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    await page.waitForFunction((s) => window.app.step > s + 20, from + 40, { timeout: LONG });
    // A step typed while training applies to the run under way (Enter commits it, as leaving the field does).
    const target = (await appState(page)).step + 1000;   // well ahead: a step passed before it arrives is dropped
    await field.fill(String(target));
    await field.press('Enter');
    await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: LONG });
    assert.equal((await appState(page)).step, target);
    assert.equal(await field.getAttribute('aria-invalid'), 'false');
    await field.fill('');
  });

  it('had no page errors and made no requests beyond its own files', () => {
    assert.deepEqual(page.problems, []);
  });
});
