// Runs the wasm benchmark in a Web Worker in headless Chromium (Debian's /usr/bin/chromium via playwright-core).
//   node bench/browser/run.mjs BUILD_DIR CORPUS SYSTEM_NAME WORKLOAD SECONDS RESULTS_JSONL [MODES=train,sample]
// Appends {"system": SYSTEM_NAME, "workload", "mode": "train"|"sample", "data": {...}} lines to RESULTS_JSONL.
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [buildDir, corpus, system, workload, seconds, results, modes = 'train,sample'] = process.argv.slice(2);
const site = mkdtempSync(join(tmpdir(), 'rnnlab-bench-'));
for (const f of ['index.html', 'bench_worker.js']) copyFileSync(join('bench/browser', f), join(site, f));
for (const f of ['rnnlab_bench_web.js', 'rnnlab_bench_web.wasm']) copyFileSync(join(buildDir, f), join(site, f));
copyFileSync(corpus, join(site, 'corpus.txt'));

const server = spawn(process.execPath, ['tools/serve.mjs', site, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve) => {
  server.stdout.on('data', (d) => {
    const m = String(d).match(/http:\/\/[\d.:]+\/?/);
    if (m) resolve(m[0]);
  });
});
mkdirSync(join(tmpdir(), 'rnnlab-prof'), { recursive: true });
const ctx = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'rnnlab-prof-')), {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await ctx.newPage();
  await page.goto(url);
  for (const [mode, args] of [['train', ['train', '--workload', workload, '--seconds', seconds]],
                              ['sample', ['sample', '--workload', workload]]]) {
    if (!modes.split(',').includes(mode)) continue;
    const line = await page.evaluate((a) => window.runBench(a), args);
    appendFileSync(results, JSON.stringify({ system, workload, mode, data: JSON.parse(line) }) + '\n');
  }
} finally {
  await ctx.close();
  server.kill();
}
