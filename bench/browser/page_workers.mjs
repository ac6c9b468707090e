// Training speed of the real page with 1 and with 2 workers (issue 15), measured as a person gets it: headless
// Chromium opens the built site, loads the corpus through the text-file input, sets a workload's settings, sets
// "Workers", trains for SECONDS and reads the speed the page shows (chars/s, the median of what it shows every 2 s
// after the first third). The two counts alternate in fresh browsers, so both see the same machine load.
//   node bench/browser/page_workers.mjs SITE CORPUS WORKLOAD SECONDS RESULTS_JSONL [WORKERS=1,2]
// Appends {"system": "page-<n>workers", "workload", "mode": "train", "data": {chars_per_s, step, shown}} lines.
import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { launchBrowser, openPlayground, startServer } from '../../tests/browser/helpers.mjs';

const [site, corpus, workload, seconds, results, counts = '1,2'] = process.argv.slice(2);
process.env.RNNLAB_SITE = resolve(site);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// bench/bench_engine.cpp's workloads, with dropout 0 as there.
const WORKLOADS = {
  W1: { Cell: 'lstm', Layers: 2, 'Hidden units': 256, 'Embedding size': 64, 'Unroll (steps)': 64, 'Batch (streams)': 32 },
  W2: { Cell: 'lstm', Layers: 1, 'Hidden units': 128, 'Embedding size': 64, 'Unroll (steps)': 64, 'Batch (streams)': 16 },
};
const COMMON = { Optimizer: 'adam', 'Learning rate': 0.002, 'Gradient clipping': 'norm', 'Clip threshold': 5, Dropout: 0 };

async function set(page, label, value) {
  const el = page.getByLabel(label, { exact: true });
  if (await el.evaluate((e) => e.tagName === 'SELECT')) await el.selectOption(String(value));
  else await el.fill(String(value));
}

async function measure(url, workers) {
  const browser = await launchBrowser();
  try {
    const page = await openPlayground(browser.ctx, url);
    await set(page, 'Workers', workers);
    await page.getByLabel('Workers').press('Enter');
    await page.waitForFunction((n) => window.app.workersReady === n, workers, { timeout: 60_000 });
    await page.locator('#file-input').setInputFiles(corpus);
    await page.waitForFunction(() => window.app.stats && window.app.stats.chars > 100_000, null, { timeout: 120_000 });
    for (const [label, value] of Object.entries({ ...WORKLOADS[workload], ...COMMON })) await set(page, label, value);
    await page.getByLabel('Stop when validation stops improving').uncheck();
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    const shown = [];
    const start = Date.now();
    while (Date.now() - start < seconds * 1000) {
      await sleep(2000);
      if (Date.now() - start >= (seconds * 1000) / 3) shown.push(await page.locator('#st-speed').textContent());
    }
    const { step, used } = await page.evaluate(() => ({ step: window.app.step, used: window.app.workers }));
    const values = shown.map((t) => Number(t.replace(/ on .*$/, '').replace(/[^\d]/g, ''))).filter((v) => v > 0)
      .sort((x, y) => x - y);
    return { chars_per_s: values[Math.floor(values.length / 2)] ?? null, step, workers_used: used, shown: shown.at(-1) };
  } finally {
    await browser.close();
  }
}

const server = await startServer(resolve(site));
try {
  for (const n of counts.split(',').map(Number)) {
    const data = await measure(server.url, n);
    appendFileSync(results, JSON.stringify({ system: `page-${n}workers`, workload, mode: 'train', data }) + '\n');
    console.error(`page, ${workload}, ${n} worker(s): ${data.shown} (${data.step} steps)`);
  }
} finally {
  server.close();
}
