#!/usr/bin/env node
// Runs the kernel benchmark in headless Chromium (in a Web Worker, like the playground's engine) and prints
// its output. Usage:
//   node bench/kernels/run_chromium.mjs BUILD_DIR [bench args...]
// BUILD_DIR holds the web build (bench_kernels.js + bench_kernels.wasm, see README.md); the page and
// worker harness next to this script are copied into it and served from there by tools/serve.mjs.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const [buildDir, ...args] = process.argv.slice(2);
if (!buildDir) {
  console.error('usage: run_chromium.mjs BUILD_DIR [bench args...]');
  process.exit(2);
}
for (const f of ['bench.html', 'bench_worker.js']) copyFileSync(join(here, f), join(buildDir, f));

const require = createRequire(join(repo, 'package.json'));
const { chromium } = require('playwright-core');

const server = spawn(process.execPath, [join(repo, 'tools', 'serve.mjs'), buildDir, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((ok, fail) => {
  server.stdout.once('data', (d) => {
    const m = /(http:\/\/\S+)/.exec(String(d));
    m ? ok(m[1]) : fail(new Error('serve.mjs printed no URL: ' + d));
  });
  server.once('exit', (code) => fail(new Error('serve.mjs exited ' + code)));
});

let ctx;
try {
  ctx = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'bench-prof-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  const query = args.map(encodeURIComponent).join('&');
  await page.goto(new URL('bench.html' + (query ? '?' + query : ''), url).href);
  await page.waitForFunction(() => window.benchDone, null, { timeout: 30 * 60 * 1000, polling: 500 });
  process.stdout.write(await page.evaluate(() => document.getElementById('out').textContent));
  const ua = await page.evaluate(() => navigator.userAgent);
  console.log(`\n(${ua})`);
} finally {
  await ctx?.close();
  server.kill();
}
