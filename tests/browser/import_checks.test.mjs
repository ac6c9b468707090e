// The engine's import checks, in the page. A safetensors file whose weights fit several cells alike (an LSTM with a
// coupled input and forget gate exported, then stripped of its rnnlab.config metadata, as another tool might write
// it) is not guessed: the page asks which cell it is, with radio buttons a keyboard can answer, and loads it as the
// chosen cell (it then samples exactly what the original sampled). A model loaded without a text trains on the
// page's text; when more than 1% of that text is outside the model's vocabulary (the CLI's threshold) Resume is
// refused with the count until the person confirms; below it, training goes on and the count is said.
// Screenshots at 1280 and 375 px go to build/screenshots/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  LONG, atPhoneWidth, pasteInto, practiceText, preparePractice, screenshotPath, trainExactlyTo, usePlayground,
} from './helpers.mjs';

const SETTINGS = { Layers: '1', 'Hidden units': '24', 'Embedding size': '8', 'Unroll (steps)': '16', 'Batch (streams)': '8',
                   'Learning rate': '0.01' };

// The same file without the "rnnlab.config" entry of its metadata (data offsets count from the end of the header,
// so the header may change length).
function withoutConfig(bytes) {
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  assert.ok(header.__metadata__ && header.__metadata__['rnnlab.config'], 'the export names its configuration');
  delete header.__metadata__['rnnlab.config'];
  const text = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(text.length));
  return Buffer.concat([length, text, bytes.subarray(8 + n)]);
}

async function exportSafetensors(page) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export safetensors' }).click(),
  ]);
  return readFileSync(await download.path());
}

async function sampleWithSeed(page) {
  const sample = page.getByRole('region', { name: 'Sample', exact: true });
  await sample.getByLabel('Length').fill('150');
  await sample.getByLabel('Seed').fill('5');
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await page.waitForFunction(() => window.app.sampleDone && !window.app.sampling, null, { timeout: LONG });
  return page.evaluate(() => window.app.sampleText);
}

const loadFile = (page, name, buffer) =>
  page.getByRole('button', { name: 'Model file', exact: true }).setInputFiles({ name, mimeType: 'application/octet-stream', buffer });

const fileMessage = (page) => page.locator('#file-message').textContent();

describe('the page uses the engine\'s import checks', { timeout: 6 * LONG }, () => {
  let page;
  usePlayground((opened) => ({ page } = opened));
  const question = () => page.getByRole('group', { name: 'Which cell is this model?' });
  let bare, original, sampled;

  it('asks which cell an ambiguous safetensors file is, and loads it as the cell chosen', async () => {
    await preparePractice(page, SETTINGS);
    await page.getByLabel('Cell', { exact: true }).selectOption({ label: 'LSTM, coupled input and forget gate' });
    await trainExactlyTo(page, 30);
    sampled = await sampleWithSeed(page);
    original = await exportSafetensors(page);
    bare = withoutConfig(original);

    await loadFile(page, 'bare.safetensors', bare);
    await question().waitFor({ timeout: 30_000 });
    assert.match(await question().getAttribute('aria-describedby'), /cell-choice-text/);
    assert.match(await page.locator('#cell-choice-text').textContent(),
      /^bare\.safetensors: its weights fit a GRU, an LSTM with a coupled input and forget gate, or an LSTM without a forget gate alike/);
    const radios = question().getByRole('radio');
    assert.deepEqual(await radios.evaluateAll((rs) => rs.map((r) => r.labels[0].textContent)),
      ['GRU', 'LSTM, coupled input and forget gate', 'LSTM without forget gate']);
    assert.equal(await radios.evaluateAll((rs) => rs.some((r) => r.checked)), false, 'no cell is chosen for the person');
    assert.equal(await question().getByRole('button', { name: 'Load as this cell' }).isDisabled(), true);
    // The model on the page is still the one trained above, at step 30.
    assert.equal(await page.evaluate(() => window.app.step), 30);
    assert.match(await page.evaluate(() => window.app.modelConfig), /cell=lstm_cifg/);

    // From the keyboard: focus is on the first choice; the arrow key chooses the next one; Tab, Enter loads.
    assert.equal(await page.evaluate(() => document.activeElement.value), 'gru');
    await page.keyboard.press('ArrowDown');
    assert.equal(await question().getByRole('radio', { name: 'LSTM, coupled input and forget gate' }).isChecked(), true);
    await question().screenshot({ path: screenshotPath('cell-choice-1280.png') });
    await atPhoneWidth(page, () => question().screenshot({ path: screenshotPath('cell-choice-375.png') }));
    await question().getByRole('radio', { name: 'LSTM, coupled input and forget gate' }).focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Load as this cell');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /^Loaded bare\.safetensors as LSTM, coupled input and forget gate: step 0, /
      .test(document.getElementById('file-message').textContent), null, { timeout: 30_000 });
    assert.equal(await question().count() === 0 || await question().isHidden(), true);
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Load model…');
    assert.match(await page.evaluate(() => window.app.modelConfig), /cell=lstm_cifg/);
    assert.equal(await sampleWithSeed(page), sampled, 'loaded as the right cell, it samples what the original sampled');
  });

  it('Cancel leaves the page\'s model as it was', async () => {
    const gen = await page.evaluate(() => window.app.gen);
    await loadFile(page, 'again.safetensors', bare);
    await question().waitFor({ timeout: 30_000 });
    await question().getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await question().isHidden(), true);
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Load model…');
    assert.equal(await page.evaluate(() => window.app.gen), gen);
    assert.equal(await sampleWithSeed(page), sampled);
  });

  it('a file that names its cell loads without a question', async () => {
    await loadFile(page, 'named.safetensors', original);
    await page.waitForFunction(() => /^Loaded named\.safetensors: step 0, /.test(document.getElementById('file-message').textContent),
      null, { timeout: 30_000 });
    assert.equal(await question().isHidden(), true);
    assert.match(await fileMessage(page), /It holds no text: it can sample now, and Resume trains it on the text above/);
  });

  it('refuses to resume on a text over 1% outside the model\'s vocabulary unless asked, and says the count below it', async () => {
    // Digits are not in the practice text, so they are outside the model's vocabulary.
    const few = practiceText() + '0123456789'.repeat(6) + '\n';          // 60 of ~12,060: 0.5%
    const many = practiceText() + '0123456789'.repeat(30) + '\n';       // 300 of ~12,300: 2.4%
    const count = (t) => [...t].length;

    await pasteInto(page, page.getByLabel('Training text'), many);
    await page.waitForFunction((n) => window.app.stats && window.app.stats.chars === n, count(many), { timeout: 30_000 });
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    const refusal = page.getByText(/are not in the loaded model's vocabulary, so training would leave them out/);
    await refusal.waitFor({ timeout: LONG });
    assert.equal(await refusal.textContent(), `300 of the ${count(many).toLocaleString('en-US')} characters of the text ` +
      `above (${(30000 / count(many)).toFixed(1)}%, more than 1.0%) are not in the loaded model's vocabulary, so ` +
      'training would leave them out. Train a new model on this text (Reset, then Train), or train this model on the rest of it.');
    // Nothing changed: the model is still the loaded one, without a text, at the step of a safetensors import.
    assert.equal(await page.evaluate(() => [window.app.state, window.app.step, window.app.model.hasText].join()), 'paused,0,false');
    const anyway = page.getByRole('button', { name: 'Train on the rest anyway' });
    assert.equal(await anyway.isVisible(), true);
    await page.locator('#train-message').screenshot({ path: screenshotPath('outside-vocab-1280.png') });
    await atPhoneWidth(page, () => page.locator('#train-message').screenshot({ path: screenshotPath('outside-vocab-375.png') }));

    // Confirmed: it trains on the rest, says how many characters are left out, and the offer goes away.
    await anyway.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.app.state === 'training' && window.app.step > 2, null, { timeout: LONG });
    await page.getByText(`300 of the ${count(many).toLocaleString('en-US')} characters of the text (` +
      `${(30000 / count(many)).toFixed(1)}%) are not in the model's vocabulary and are left out of training.`).waitFor();
    assert.equal(await anyway.isHidden(), true);
    assert.equal(await page.evaluate(() => window.app.model.hasText), true);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: LONG });

    // Below the threshold a fresh load of the same file trains at once, and the count is said.
    await loadFile(page, 'named.safetensors', original);
    await page.waitForFunction(() => /^Loaded named\.safetensors: step 0, /.test(document.getElementById('file-message').textContent),
      null, { timeout: 30_000 });
    await pasteInto(page, page.getByLabel('Training text'), few);
    await page.waitForFunction((n) => window.app.stats && window.app.stats.chars === n, count(few), { timeout: 30_000 });
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await page.getByText(`60 of the ${count(few).toLocaleString('en-US')} characters of the text (` +
      `${(6000 / count(few)).toFixed(1)}%) are not in the model's vocabulary and are left out of training.`).waitFor({ timeout: LONG });
    await page.waitForFunction(() => window.app.state === 'training' && window.app.step > 2, null, { timeout: LONG });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: LONG });
    assert.deepEqual(page.problems, []);
  });
});
