// Section 7, "Compare runs": train the three cells on the page's text in the comparison's own worker and see three
// labelled curves and three final samples, while the person's own model stays exactly as it was; cancel a run of the
// LSTM variants, then train them; add the person's own run; find the runs again after a reload, and a damaged copy
// of them cleared with a message. Screenshots at 1280 and 375 px go to build/screenshots/.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  LONG, ONE_LAYER, atPhoneWidth, preparePractice, screenshotPath, trainTo, usePlayground, watchDialogs,
} from './helpers.mjs';

const STEPS = 60;

describe('compare runs: the three cells, the LSTM variants, your own run', { timeout: 6 * LONG }, () => {
  let page;
  usePlayground((opened) => ({ page } = opened));
  const section = () => page.getByRole('region', { name: 'Compare runs' });
  const runs = () => page.evaluate(() => window.app.compare.runs.map((r) => ({
    label: r.label, cell: r.cell, points: r.curve.length, finalBits: r.finalBits, finalStep: r.finalStep,
    sample: r.sample, summary: r.summary })));

  it('trains a small model of the person’s own first', async () => {
    await preparePractice(page, ONE_LAYER);
    await page.waitForFunction(() => /parameters/.test(document.getElementById('model-size').textContent));
    await trainTo(page, 30);
  });

  it('trains the three cells and shows three labelled curves and three final samples', async () => {
    const before = await page.evaluate(() => ({ step: window.app.step, gen: window.app.gen, workers: window.app.worker }));
    await section().getByLabel('Steps per cell').fill(String(STEPS));
    await section().getByRole('button', { name: 'Train the three cells on this text' }).click();
    const progress = section().getByRole('progressbar', { name: 'Comparison progress' });
    await progress.waitFor({ timeout: 30_000 });
    await section().getByRole('status').getByText(/Training (RNN|LSTM|GRU) \(\d of 3\): step/).waitFor({ timeout: LONG });
    await page.waitForFunction(() => window.app.compare.runs.length === 3 && !window.app.compare.busy, null,
      { timeout: 3 * LONG, polling: 500 });
    const r = await runs();
    assert.deepEqual(r.map((x) => x.label), ['RNN', 'LSTM', 'GRU']);
    for (const x of r) {
      assert.equal(x.finalStep, STEPS, `${x.label} trained ${x.finalStep} steps`);
      assert.equal(x.points, 21, `${x.label}: ${x.points} validation points (step 0 and every ${STEPS / 20})`);
      assert.ok(x.finalBits > 0.5 && x.finalBits < 6, `${x.label}: ${x.finalBits} bits/char`);
      assert.ok(x.sample.length > 100, `${x.label} sample: ${x.sample.length} characters`);
      assert.match(x.summary, /1 layer × 32 units, embedding 16, [\d,]+ parameters; adam at 0\.01, .*seed 1; 60 steps/);
    }
    // A legend that names each line in words (not by colour alone), and the final samples beside the chart.
    const legend = section().getByRole('list', { name: 'Runs in the chart' }).getByRole('listitem');
    assert.equal(await legend.count(), 3);
    for (const [i, name] of ['RNN', 'LSTM', 'GRU'].entries())
      assert.match(await legend.nth(i).textContent(), new RegExp(`^${name}: \\d\\.\\d{3} bits/char$`));
    for (const name of ['RNN', 'LSTM', 'GRU']) {
      const sample = section().getByRole('region', { name: `Final sample of ${name}`, exact: true });
      assert.ok((await sample.textContent()).length > 100);
    }
    const chart = await section().getByRole('img', { name: /Validation loss in bits per character/ }).getAttribute('aria-label');
    assert.match(chart, /RNN from \d\.\d{3} to \d\.\d{3} at step 60; LSTM from .*; GRU from /);
    assert.match(await section().getByRole('status').textContent(), /Done: 3 runs of 60 steps each/);
    assert.equal(await progress.isVisible(), false);
    // The person's model was not touched: same generation and step, and the page's own worker was never restarted.
    const after = await page.evaluate(() => ({ step: window.app.step, gen: window.app.gen, workers: window.app.worker,
                                               state: window.app.state }));
    assert.deepEqual(after, { ...before, state: 'paused' });
    await section().evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await section().screenshot({ path: screenshotPath('compare-three-cells-1280.png') });
  });

  it('cancels a comparison in progress and keeps the finished runs', async () => {
    await section().getByLabel('Steps per cell').fill('5000');   // long enough that Cancel lands in the first run
    await section().getByRole('button', { name: 'Train the LSTM variants' }).click();
    await page.waitForFunction(() => window.app.compare.progress && window.app.compare.progress.step > 0, null,
      { timeout: LONG });
    await section().getByRole('button', { name: 'Cancel' }).click();
    await page.waitForFunction(() => !window.app.compare.busy, null, { timeout: 30_000 });
    assert.match(await section().getByRole('status').textContent(), /^Cancelled/);
    assert.equal((await runs()).length, 3);
  });

  it('compares the LSTM variants too', async () => {
    await section().getByLabel('Steps per cell').fill('40');
    await section().getByRole('button', { name: 'Train the LSTM variants' }).click();
    await page.waitForFunction(() => window.app.compare.runs.length === 6 && !window.app.compare.busy, null,
      { timeout: 3 * LONG, polling: 500 });
    const r = await runs();
    assert.deepEqual(r.slice(3).map((x) => [x.cell, x.label]), [
      ['lstm_peephole', 'LSTM with peepholes'], ['lstm_cifg', 'LSTM, CIFG'], ['lstm_nfg', 'LSTM, no forget gate']]);
    for (const x of r.slice(3)) assert.ok(x.points === 21 && x.sample.length > 100, JSON.stringify(x));
  });

  it('adds the person’s own run', async () => {
    await section().getByRole('button', { name: 'Add my current run' }).click();
    await page.waitForFunction(() => window.app.compare.runs.length === 7, null, { timeout: LONG });
    const mine = (await runs())[6];
    assert.equal(mine.label, 'Your LSTM');
    assert.ok(mine.points >= 1 && mine.sample.length > 100, JSON.stringify(mine));
    await section().getByRole('region', { name: 'Final sample of Your LSTM' }).waitFor();
    await section().evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: screenshotPath('compare-all-runs-1280.png') });
  });

  it('lays out at 375 px without horizontal overflow', async () => {
    await atPhoneWidth(page, () => section().screenshot({ path: screenshotPath('compare-375.png') }));
    assert.deepEqual(page.problems, []);
  });

  const reload = async () => {
    await page.reload();
    await page.waitForFunction(() => window.app && window.app.ready, null, { timeout: 60_000 });
  };

  it('finds the runs again after a reload', async () => {
    const before = await runs();
    await reload();
    assert.deepEqual(await runs(), before);
    assert.equal(await section().getByRole('list', { name: 'Runs in the chart' }).getByRole('listitem').count(), 7);
    await section().getByRole('region', { name: 'Final sample of Your LSTM' }).waitFor();
    assert.match(await section().getByRole('status').textContent(), /^7 runs kept from your last visit/);
    assert.deepEqual(page.problems, []);
  });

  it('shows a kept run\'s name as text, and clears a damaged copy with a message', async () => {
    watchDialogs(page);
    const markup = '<img src=x onerror="window.injected=1">';
    // A well-formed run whose name is markup: shown as those characters, never as an element.
    await page.evaluate((label) => localStorage.setItem('rnnlab.compare', JSON.stringify({ version: 1, runs: [{
      label, cell: 'lstm', kind: 'comparison', steps: 10, finalStep: 10, finalBits: 3.5, stoppedEarly: null,
      summary: 'hand-made', sample: 'abc', curve: [{ step: 0, bits: 5 }, { step: 10, bits: 3.5 }] }] })), markup);
    await reload();
    assert.equal(await section().getByRole('list', { name: 'Runs in the chart' }).textContent(), `${markup}: 3.500 bits/char`);
    assert.equal(await section().locator('img').count(), 0);
    // Damaged: cut short, a wrong type, another version. Each is cleared with a message, and the page works on.
    const damaged = [
      ['{"version":1,"runs":[{"label":"RNN","cell"', /were not readable, so they were cleared/],
      [JSON.stringify({ version: 1, runs: [{ label: 'RNN', curve: 'lots' }] }), /were damaged, so they were cleared/],
      [JSON.stringify({ version: 99, runs: [] }), /were from another version, so they were cleared/],
    ];
    for (const [value, message] of damaged) {
      await page.evaluate((v) => localStorage.setItem('rnnlab.compare', v), value);
      await reload();
      assert.match(await section().getByRole('status').textContent(), message);
      assert.equal((await runs()).length, 0);
      assert.equal(await page.evaluate(() => localStorage.getItem('rnnlab.compare')), null);
    }
    assert.equal(await page.evaluate(() => window.injected), undefined);
    assert.deepEqual(page.dialogs, []);
    assert.deepEqual(page.problems, []);
  });
});
