// Learning in ten minutes (issue 15): tinyshakespeare, workload W1's settings, WORKERS workers, MINUTES minutes of
// training in the real page (headless Chromium), then the validation loss over the whole validation split as the
// page shows it after the pause. The page keeps the best model by validation loss; both figures are printed.
//   node bench/browser/page_learn.mjs [SITE=site] [CORPUS=../shared/corpora/tinyshakespeare.txt] [MINUTES=10] [WORKERS=2]
// Prints one JSON line. (An interpolated Kneser-Ney 7-gram scores 2.26 bits/char on this split: the bar.)
import { join, resolve } from 'node:path';
import { ROOT, launchBrowser, openPlayground, startServer } from '../../tests/browser/helpers.mjs';

const [site = 'site', corpus = join(ROOT, '..', 'shared', 'corpora', 'tinyshakespeare.txt'), minutes = '10',
       workers = '2'] = process.argv.slice(2);
const W1 = { Cell: 'lstm', Layers: 2, 'Hidden units': 256, 'Embedding size': 64, 'Unroll (steps)': 64,
             'Batch (streams)': 32, Optimizer: 'adam', 'Learning rate': 0.002, 'Gradient clipping': 'norm',
             'Clip threshold': 5, Dropout: 0 };

async function set(page, label, value) {
  const el = page.getByLabel(label, { exact: true });
  if (await el.evaluate((e) => e.tagName === 'SELECT')) await el.selectOption(String(value));
  else await el.fill(String(value));
}

const server = await startServer(resolve(site));
const browser = await launchBrowser();
try {
  const page = await openPlayground(browser.ctx, server.url);
  await set(page, 'Workers', workers);
  await page.getByLabel('Workers').press('Enter');
  await page.waitForFunction((n) => window.app.workersReady === n, Number(workers), { timeout: 60_000 });
  await page.locator('#file-input').setInputFiles(corpus);
  await page.waitForFunction(() => window.app.stats && window.app.stats.chars > 100_000, null, { timeout: 120_000 });
  for (const [label, value] of Object.entries(W1)) await set(page, label, value);
  await page.getByLabel('Stop when validation stops improving').uncheck();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForFunction(() => window.app.state === 'training', null, { timeout: 120_000 });
  await page.waitForTimeout(Number(minutes) * 60_000);
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.waitForFunction(() => window.app.state === 'paused' && window.app.wholeSplit && window.app.wholeSplit.done &&
    window.app.wholeSplit.step === window.app.step, null, { timeout: 600_000 });
  const r = await page.evaluate(() => ({ step: window.app.step, workers: window.app.workers, whole: window.app.wholeSplit,
                                          sampled: window.app.valBits, best: window.app.bestVal }));
  console.log(JSON.stringify({ minutes: Number(minutes), workers: r.workers, step: r.step,
                               whole_split_bits: r.whole.bits, whole_split_chars: r.whole.chars,
                               sampled_val_bits: r.sampled, best_sampled: r.best }));
} finally {
  await browser.close();
  server.close();
}
