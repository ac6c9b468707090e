// The "Look inside" figures of issue 6, measured the way a person would get them: open the playground in headless
// Chromium, paste tinyshakespeare, set workload W1 (2-layer LSTM, 256 hidden, embedding 64, B 32, T 64, Adam 2e-3,
// clip 5, no dropout), train for a fixed wall-clock time, then use the page's own Look-inside panel: rank units
// by "inside quotes" and "position in the line", and build n-gram baselines of several orders beside the network.
// Not a test: it prints one JSON object and saves screenshots in build/screenshots/.
//
//   node bench/browser/look_shakespeare.mjs [corpus] [minutes]       (defaults: ../shared/corpora/tinyshakespeare.txt, 10)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, launchBrowser, openPlayground, pasteInto, screenshotPath, startServer } from '../../tests/browser/helpers.mjs';

const corpus = process.argv[2] || join(ROOT, '..', 'shared', 'corpora', 'tinyshakespeare.txt');
const minutes = Number(process.argv[3] || 10);
const NGRAM_ORDERS = [3, 5, 7, 9];
const FEATURES = ['inside_quotes', 'line_position', 'word_start', 'after_newline'];

const server = await startServer();
const browser = await launchBrowser();
try {
  const page = await openPlayground(browser.ctx, server.url);
  const text = readFileSync(corpus, 'utf8');
  await pasteInto(page, page.getByLabel('Training text'), text);
  await page.waitForFunction((n) => window.app.stats && window.app.stats.chars === n, text.length, { timeout: 120_000 });
  const set = async (label, value) => {
    const el = page.getByLabel(label, { exact: true });
    if (await el.evaluate((e) => e.tagName === 'SELECT')) await el.selectOption(value); else await el.fill(String(value));
  };
  await set('Cell', 'lstm');
  await set('Layers', 2);
  await set('Hidden units', 256);
  await set('Embedding size', 64);
  await set('Unroll (steps)', 64);
  await set('Batch (streams)', 32);
  await set('Optimizer', 'adam');
  await set('Learning rate', 0.002);
  await set('Gradient clipping', 'norm');
  await set('Clip threshold', 5);
  await set('Dropout', 0);

  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForFunction(() => window.app.state === 'training', null, { timeout: 120_000 });
  const t0 = Date.now();
  await page.waitForTimeout(minutes * 60_000);
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: 120_000 });
  const trainedSeconds = (Date.now() - t0) / 1000;
  const run = await page.evaluate(() => ({ step: window.app.step, valBits: window.app.valBits }));

  const look = page.getByRole('region', { name: 'Look inside' });
  await look.getByRole('button', { name: 'Look inside' }).click();
  await page.waitForFunction(() => window.app.look.trace !== null, null, { timeout: 300_000 });
  const tracedChars = await page.evaluate(() => window.app.look.trace.length);

  const ranking = {};
  for (const feature of FEATURES) {
    await page.evaluate(() => { window.app.look.ranking = []; document.getElementById('look-state').textContent = ''; });
    await page.getByLabel('Feature', { exact: true }).selectOption(feature);
    await page.getByRole('button', { name: 'Find units' }).click();
    await page.waitForFunction(() => /units that track|No unit varies/.test(document.getElementById('look-state').textContent),
      null, { timeout: 300_000 });
    ranking[feature] = await page.evaluate(() => window.app.look.ranking.slice(0, 3)
      .map((u) => ({ layer: u.layer + 1, kind: u.kind, unit: u.unit, r: Number(u.correlation.toFixed(3)) })));
    if (feature === 'line_position') {
      await page.getByRole('list', { name: 'Units that track the feature' }).getByRole('button').first().click();
      await look.screenshot({ path: screenshotPath('shakespeare-line-position.png') });
    }
  }

  const ngram = [];
  for (const order of NGRAM_ORDERS) {
    await page.evaluate(() => { window.app.look.ngram = null; });
    await page.getByLabel('n-gram order').fill(String(order));
    await page.getByRole('button', { name: 'Build the n-gram model' }).click();
    await page.waitForFunction(() => window.app.look.ngram !== null, null, { timeout: 300_000 });
    const ng = await page.evaluate(() => window.app.look.ngram);
    ngram.push({ order, bitsPerChar: Number(ng.bitsPerChar.toFixed(3)), network: Number(ng.network.toFixed(3)),
                 sample: ng.sample.slice(0, 120) });
  }
  await page.getByRole('group', { name: 'n-gram comparison' }).screenshot({ path: screenshotPath('shakespeare-ngram.png') });

  console.log(JSON.stringify({ corpus, minutes, trainedSeconds, step: run.step, charsTrained: run.step * 32 * 64,
                               pageValBits: run.valBits, tracedChars, ranking, ngram }, null, 2));
  if (page.problems.length) console.error(page.problems.join('\n'));
} finally {
  await browser.close();
  server.close();
}
