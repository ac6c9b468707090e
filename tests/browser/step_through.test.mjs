// "Step through the unrolled network" (issue #14), driven as a person would, by role and label: the lecture's model
// on the Hello text, trained until its argmax reads "hello"; the walk forward (after the second "l" the top
// prediction is "o"), the walk backward (the gradient's norm at every step), the numerical gradient check, one
// training step, a held unit changing the sample, the keyboard alone, and the page at 375 px. A second model, an
// LSTM trained on a text with quoted speech, answers "what did this prediction use?" inside quotes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LONG, atPhoneWidth, pasteInto, screenshotPath, trainExactlyTo, usePlayground } from './helpers.mjs';

const HELLO_STEPS = ['h', 'e', 'l', 'l'];
const NEXT = ['e', 'l', 'l', 'o'];

// "1.23e−2" (the page's true minus) -> 0.0123
const parseSci = (s) => Number(s.replaceAll('−', '-'));

async function where(page) {
  return (await page.getByRole('group', { name: 'Walk through the steps' }).locator('xpath=following-sibling::p[1]')
    .textContent()).trim();
}

async function unroll(page) {
  await page.getByRole('button', { name: 'Unroll', exact: true }).click();
  await page.getByText(/steps on “hello”/).waitFor({ timeout: LONG });
}

// Walks forward from step 1 and returns each step's status line.
async function walkForward(page) {
  await page.getByRole('button', { name: 'Forward', exact: true }).click();
  const lines = [await where(page)];
  for (let t = 1; t < 4; ++t) {
    await page.getByRole('button', { name: 'Next step' }).click();
    lines.push(await where(page));
  }
  return lines;
}

const topOf = (line) => /top prediction “(.)”/.exec(line)?.[1];

// Trains in steps of 50 (exactly, with "Pause at step") until the argmax of every step reads "hello".
async function trainUntilHello(page) {
  let lines = [];
  for (let step = 50; step <= 600; step += 50) {
    await trainExactlyTo(page, step);
    await unroll(page);
    lines = await walkForward(page);
    if (lines.map(topOf).join('') === NEXT.join('')) return { step, lines };
  }
  assert.fail(`the model never predicted "hello": ${lines.join(' | ')}`);
}

// Walks backward from the last step to the first: the norm of dL/dh_t at each step, and at the carried-in state.
async function walkBackward(page) {
  await page.getByRole('button', { name: 'Backward', exact: true }).click();
  const norms = [];
  let line = '';
  for (let t = 3; t >= 0; --t) {
    line = await where(page);
    assert.match(line, new RegExp(`^Backward, step ${t + 1} of 4: reads “${HELLO_STEPS[t]}”`));
    norms[t] = parseSci(/‖dL\/dh_t‖ = (\S+) /.exec(line)[1]);
    if (t > 0) await page.getByRole('button', { name: 'Next step' }).click();
  }
  const carried = parseSci(/carried-in state: (\S+)\./.exec(line)[1]);
  return { norms, carried };
}

describe('Step through: the lecture on "hello" with the engine\'s numbers', () => {
  let page;
  usePlayground((o) => { page = o.page; });
  const seen = {};

  it('sets up the lecture, trains until the argmax reads "hello", and after the second "l" predicts "o"', async () => {
    await page.getByRole('button', { name: "Set up the lecture's model" }).click();
    await page.waitForFunction(() => window.app.preset === 'hello' || window.app.stats?.chars < 5000, null, { timeout: 30_000 });
    assert.equal(await page.getByLabel('Cell', { exact: true }).inputValue(), 'rnn');
    assert.equal(await page.getByLabel('Hidden units').inputValue(), '8');
    assert.equal(await page.getByLabel('Embedding size').inputValue(), '0');
    await page.getByLabel('Stop when validation stops improving').uncheck();
    const { step, lines } = await trainUntilHello(page);
    seen.rnnStep = step;
    lines.forEach((line, t) => assert.match(line, new RegExp(`step ${t + 1} of 4: reads “${HELLO_STEPS[t]}”`)));
    assert.match(lines[3], /reads “l”; top prediction “o”/);
    await page.getByText('The same character “l” was read at step 3, where the top prediction was “l”; now it is “o”.', { exact: false }).waitFor();
    // Every forward table is there: the recurrent step per unit, and the output with the target marked.
    await page.getByRole('table', { name: /Layer 1 at step 4, one row per unit/ }).waitFor();
    const output = page.getByRole('table', { name: /Step 4: the next characters/ });
    assert.match(await output.getByRole('row', { name: /“o”/ }).textContent(), /target, top/);
    await page.locator('#step-section').screenshot({ path: screenshotPath('step-forward-1280.png') });
  });

  it('walks backward: the gradient norm at every step, down to the state carried in', async () => {
    const { norms, carried } = await walkBackward(page);
    seen.rnn = { norms, carried };
    for (const v of [...norms, carried]) assert.ok(Number.isFinite(v) && v > 0, `norm ${v}`);
    await page.getByRole('table', { name: /unrolled: 4 steps, backward at step 1/ }).waitFor();
    await page.getByRole('table', { name: /Weight gradients summed over steps 1 to 4/ }).waitFor();
    assert.match(await page.getByRole('img', { name: /^dW_hh of layer 1 summed over steps 1 to 4: 8 rows by 8 columns/ }).getAttribute('aria-label'), /largest entry is/);
    await page.locator('#step-section').screenshot({ path: screenshotPath('step-backward-1280.png') });
  });

  it('checks the gradients numerically: every relative error below 1e-2', async () => {
    await page.getByRole('button', { name: 'Check gradients numerically' }).click();
    await page.getByText(/Largest relative error/).waitFor({ timeout: LONG });
    const t = page.getByRole('table', { name: /Analytic vs numerical gradient/ });
    const rows = (await t.getByRole('row').all()).slice(1);   // below the header
    assert.ok(rows.length >= 4);
    for (const r of rows) {
      const rel = parseSci(await r.getByRole('cell').first().textContent());   // the first after the row's header
      assert.ok(rel < 1e-2, `relative error ${rel} in ${await r.textContent()}`);
    }
    await page.locator('#step-check-result').screenshot({ path: screenshotPath('step-check-1280.png') });
  });

  it('previews the update and trains one real step', async () => {
    const update = await page.getByText(/the loss on “hello” goes from/).textContent();
    const [, before, after] = /goes from (\S+) to (\S+) nats/.exec(update);
    assert.ok(Number(after) < Number(before), update);
    const step = await page.evaluate(() => window.app.step);
    await page.getByRole('button', { name: 'Train one step' }).click();
    await page.getByText(`Trained one step: now at step ${step + 1}.`).waitFor({ timeout: LONG });
    await page.getByText(`at training step ${step + 1}.`).waitFor({ timeout: LONG });
    assert.equal(await page.evaluate(() => window.app.state), 'paused');
    await page.locator('#step-update').screenshot({ path: screenshotPath('step-update-1280.png') });
  });

  it('a held unit changes the sample; the free one is the plain sample', async () => {
    await page.getByLabel('Unit to hold', { exact: true }).fill('3');
    await page.getByLabel('Held at').fill('1');
    await page.getByRole('button', { name: 'Write with the unit held' }).click();
    await page.getByText(/The samples agree for the first|The samples differ from|The two samples are the same/).waitFor({ timeout: LONG });
    const held = await page.getByRole('region', { name: /held at 1/ }).textContent();
    const free = await page.getByRole('region', { name: 'Unit free (the plain sample)' }).textContent();
    assert.ok(held.length > 100 && free.length > 100);
    assert.notEqual(held, free);
    await page.locator('.clamp-pair').screenshot({ path: screenshotPath('step-clamp-1280.png') });
  });

  it('works from the keyboard alone', async () => {
    await page.getByRole('button', { name: 'Forward', exact: true }).focus();
    await page.keyboard.press('Enter');
    assert.match(await where(page), /^Forward, step 1 of 4/);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');   // Next step
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    assert.match(await where(page), /^Forward, step 3 of 4/);
    // Into the columns: Arrow keys move between them and the focus follows the current step.
    await page.getByRole('button', { name: 'Step 3: reads “l”' }).focus();
    await page.keyboard.press('ArrowRight');
    assert.match(await where(page), /^Forward, step 4 of 4: reads “l”; top prediction “o”/);
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Step 4: reads “l”');
    await page.keyboard.press('Home');
    assert.match(await where(page), /^Forward, step 1 of 4/);
    await page.keyboard.press('End');
    assert.match(await where(page), /^Forward, step 4 of 4/);
  });

  it('fits a 375 px wide screen', async () => {
    // What a phone shows: the walk's controls with the columns, then the step's detail (viewport screenshots).
    const shoot = async (locator, name) => {
      await locator.evaluate((e) => e.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: screenshotPath(name) });
    };
    await atPhoneWidth(page, async () => {
      await shoot(page.getByRole('group', { name: 'Walk through the steps' }), 'step-forward-375.png');
      await shoot(page.getByRole('heading', { name: 'Output: the prediction' }), 'step-output-375.png');
      await page.getByRole('button', { name: 'Backward', exact: true }).click();
      await shoot(page.getByRole('group', { name: 'Walk through the steps' }), 'step-backward-375.png');
      await shoot(page.getByRole('heading', { name: /^Layer 1: the gradient's norm/ }), 'step-backward-detail-375.png');
      await shoot(page.getByRole('heading', { name: 'The update' }), 'step-update-375.png');
      await shoot(page.getByRole('heading', { name: 'Check gradients numerically' }), 'step-check-375.png');
      await shoot(page.getByRole('heading', { name: 'What if this unit were off?' }), 'step-clamp-375.png');
    });
  });

  it('the same input through an LSTM of the same size: the gradient reaching back along the cell', async () => {
    await page.getByLabel('Cell', { exact: true }).selectOption('lstm');
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.waitForFunction(() => window.app.ready && window.app.state === 'none', null, { timeout: LONG });
    // Nothing said about the RNN stays on screen for the new model.
    assert.equal(await page.getByRole('table', { name: /Analytic vs numerical gradient/ }).count(), 0);
    assert.equal(await page.getByRole('region', { name: 'Unit free (the plain sample)' }).textContent(), '');
    const { step } = await trainUntilHello(page);
    await page.getByRole('table', { name: /Layer 1 at step 4: gates, one row per unit/ }).waitFor();
    const { norms, carried } = await walkBackward(page);
    for (const v of [...norms, carried]) assert.ok(Number.isFinite(v) && v > 0);
    console.log(`# RNN after ${seen.rnnStep} steps: ‖dL/dh_t‖ t=4..1 ${seen.rnn.norms.slice().reverse().join(', ')}; carried in (t−4) ${seen.rnn.carried}`);
    console.log(`# LSTM after ${step} steps: ‖dL/dh_t‖ t=4..1 ${norms.slice().reverse().join(', ')}; carried in (t−4) ${carried}`);
    await page.locator('#step-section').screenshot({ path: screenshotPath('step-lstm-backward-1280.png') });
    assert.deepEqual(page.problems, []);
  });
});

// Quoted speech, so that a prediction inside quotes has a quote to lean on.
function quotedText() {
  const said = ['she said', 'he asked', 'they called', 'I wrote'];
  const words = ['come here', 'not now', 'look at this', 'hello there', 'good night'];
  const lines = [];
  let x = 3;
  for (let i = 0; i < 400; ++i) {
    x = (x * 1103515245 + 12345) % 2147483648;
    lines.push(`${said[(x >> 8) % said.length]} "${words[(x >> 12) % words.length]}" and left.`);
  }
  return lines.join('\n') + '\n';
}

describe('What did this prediction use? (a text with quotes)', () => {
  let page;
  usePlayground((o) => { page = o.page; });

  it('shades the characters before a prediction inside quotes, with the values in a table', async () => {
    await pasteInto(page, page.getByLabel('Training text'), quotedText());
    await page.waitForFunction(() => window.app.stats && window.app.stats.vocabSize > 10, null, { timeout: 30_000 });
    for (const [label, value] of Object.entries({ Layers: '1', 'Hidden units': '32', 'Embedding size': '16',
      'Unroll (steps)': '32', Dropout: '0', 'Learning rate': '0.01' })) await page.getByLabel(label).fill(value);
    await page.getByLabel('Stop when validation stops improving').uncheck();
    await trainExactlyTo(page, 150);
    const text = 'she said "look at this" and left.';
    await page.getByLabel('Text to measure').fill(text);
    const inside = text.indexOf('this') + 1;   // predicting the "h" of "this", 14 characters after the quote
    await page.getByLabel('Predicted character (number)').fill(String(inside + 1));
    await page.getByRole('button', { name: 'Show what it used' }).click();
    await page.getByText(/earlier characters measured/).waitFor({ timeout: LONG });
    const group = page.getByRole('listbox', { name: /Text shaded by influence on predicting character \d+, “h”/ });
    await group.waitFor();
    const table = page.getByRole('table', { name: /how much it used each earlier character/ });
    const rows = (await table.getByRole('row').all()).slice(1);
    assert.equal(rows.length, inside);   // every character before it, the nearest first
    const quoteRow = table.getByRole('row', { name: /“"”/ });
    assert.equal(await quoteRow.count(), 1);
    const quoteValue = parseSci(await quoteRow.getByRole('cell').nth(1).textContent());
    assert.ok(quoteValue > 0, `the opening quote's value is ${quoteValue}`);
    await page.locator('#uses-chars').screenshot({ path: screenshotPath('step-uses-1280.png') });
    await atPhoneWidth(page, () => page.locator('#uses-table').screenshot({ path: screenshotPath('step-uses-375.png') }));
    assert.deepEqual(page.problems, []);
  });

  it('chooses the character to explain from the keyboard, each one named with its position and value', async () => {
    const text = 'she said "look at this" and left.';
    const chars = page.getByRole('listbox', { name: /Text shaded by influence on predicting character/ });
    const predicted = chars.getByRole('option', { selected: true });
    const h = text.indexOf('this') + 1;
    assert.equal(await predicted.getAttribute('aria-label'), `“h”, character ${h + 1}: the character predicted`);
    // One tab stop, on the predicted character; the arrows walk back to the opening quote.
    assert.equal(await chars.locator('[tabindex="0"]').count(), 1);
    await predicted.focus();
    const quote = text.indexOf('"');
    for (let i = h; i > quote; --i) await page.keyboard.press('ArrowLeft');
    const focused = () => page.evaluate(() => document.activeElement.getAttribute('aria-label'));
    const name = await focused();
    assert.match(name, new RegExp(`^“"”, character ${quote + 1}, ${h - 1 - quote} back: \\d\\.\\d\\de−?\\d+ \\(\\d+%\\)$`));
    // Its value is the table's.
    const table = page.getByRole('table', { name: /how much it used each earlier character/ });
    assert.ok(name.includes(await table.getByRole('row', { name: /“"”/ }).getByRole('cell').nth(1).textContent()), name);
    // Enter explains the prediction of the quote itself; focus stays on it, now the predicted character.
    await page.keyboard.press('Enter');
    await page.getByRole('listbox', { name: new RegExp(`predicting character ${quote + 1}, “"”`) }).waitFor({ timeout: LONG });
    assert.equal(await focused(), `“"”, character ${quote + 1}: the character predicted`);
    assert.equal(await page.getByLabel('Predicted character (number)').inputValue(), String(quote + 1));
    await page.keyboard.press('End');
    assert.match(await focused(), new RegExp(`^“\\.”, character ${text.length}: after the prediction$`));
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    assert.match(await focused(), /^“h”, character 2, \d+ back: /);
    await page.keyboard.press('Space');
    await page.getByRole('listbox', { name: /predicting character 2, “h”/ }).waitFor({ timeout: LONG });
    // Back to the character inside the quotes for the next test, by the number field.
    await page.getByLabel('Predicted character (number)').fill(String(h + 1));
    await page.getByRole('button', { name: 'Show what it used' }).click();
    await page.getByRole('listbox', { name: new RegExp(`predicting character ${h + 1}, “h”`) }).waitFor({ timeout: LONG });
    await atPhoneWidth(page, async () => {
      await chars.getByRole('option', { selected: true }).focus();
      await page.keyboard.press('ArrowLeft');
      await page.locator('#uses-heading').evaluate((e) => e.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: screenshotPath('step-uses-keys-375.png') });
    });
  });

  it('a model too big to print unit by unit: a summary, and any unit opened in full', async () => {
    await page.getByLabel('Input (up to 65 characters)').fill('hello there');
    await page.getByRole('button', { name: 'Unroll', exact: true }).click();
    await page.getByText(/10 steps on “hello there”, LSTM, 1 × 32 units/).waitFor({ timeout: LONG });
    await page.getByRole('heading', { name: 'Layer 1 (32 units: a summary)' }).waitFor();
    assert.equal(await page.getByRole('table', { name: 'Units that change most' }).getByRole('row').count(), 6);
    await page.getByRole('button', { name: /^Open unit \d+ of layer 1$/ }).first().click();
    await page.getByRole('heading', { name: /^Unit \d+ of layer 1, at every step$/ }).waitFor({ timeout: LONG });
    // Any unit, by number: one row per step.
    await page.getByLabel('Unit to open', { exact: true }).fill('31');
    await page.getByRole('button', { name: 'Open unit', exact: true }).click();
    await page.getByRole('heading', { name: 'Unit 31 of layer 1, at every step' }).waitFor({ timeout: LONG });
    assert.equal(await page.getByRole('table', { name: 'Unit 31, layer 1' }).getByRole('row').count(), 11);
    await page.locator('#step-section').screenshot({ path: screenshotPath('step-summary-1280.png') });
    assert.deepEqual(page.problems, []);
  });

  it('compares cells on the same text: the LSTM kept beside a vanilla RNN', async () => {
    const text = 'she said "look at this" and left.';
    const h = text.indexOf('this') + 1;
    const table = () => page.getByRole('table', { name: /how much it used each earlier character/ });
    const lstmQuote = parseSci(await table().getByRole('row', { name: /“"”/ }).getByRole('cell').nth(1).textContent());
    await page.getByLabel('Cell', { exact: true }).selectOption('rnn');
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.waitForFunction(() => window.app.ready && window.app.state === 'none', null, { timeout: LONG });
    await page.getByText(/The LSTM at step 150's measurement is kept/).waitFor();
    assert.equal(await table().count(), 0);
    await trainExactlyTo(page, 150);
    assert.equal(await page.getByLabel('Text to measure').inputValue(), text);
    assert.equal(await page.getByLabel('Predicted character (number)').inputValue(), String(h + 1));
    await page.getByRole('button', { name: 'Show what it used' }).click();
    await page.getByText(/beside the LSTM at step 150's values/).waitFor({ timeout: LONG });
    assert.match(await table().getAttribute('aria-label') ?? await table().locator('caption').textContent(), /‖∂loss\/∂x‖ for each model$/);
    const headers = await table().getByRole('columnheader').allTextContents();
    assert.deepEqual(headers, ['back', 'character', 'RNN at step 150', 'share', 'LSTM at step 150', 'share']);
    const quote = table().getByRole('row', { name: /“"”/ }).getByRole('cell');
    assert.equal(parseSci(await quote.nth(3).textContent()), lstmQuote);   // the LSTM's value, unchanged
    assert.ok(parseSci(await quote.nth(1).textContent()) > 0);
    assert.equal(await table().getByRole('row').count(), h + 1);
    await page.getByRole('img', { name: 'The same text shaded for the LSTM at step 150 (values in the table)' }).waitFor();
    await page.getByRole('listbox', { name: /predicting character \d+, “h”/ }).waitFor();
    await page.locator('#uses-heading').evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: screenshotPath('step-uses-compare-1280.png') });
    await atPhoneWidth(page, async () => {
      await page.locator('#uses-now-label').evaluate((e) => e.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: screenshotPath('step-uses-compare-375.png') });
    });
    assert.deepEqual(page.problems, []);
  });
});
