// Start-up of the playground in headless Chromium: milliseconds from navigation until the worker has compiled the
// engine and answered "ready" (window.app.readyAt), fresh browser profile each time; and the engine's download size.
//   node bench/browser/startup.mjs [SITE=site] [RUNS=5]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const site = process.argv[2] || 'site';
const runs = Number(process.argv[3] || 5);
const server = spawn(process.execPath, ['tools/serve.mjs', site, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve) => server.stdout.on('data', (d) => {
  const m = String(d).match(/http:\/\/[\d.:]+\//);
  if (m) resolve(m[0]);
}));
const times = [];
for (let i = 0; i < runs; ++i) {
  const profile = mkdtempSync(join(tmpdir(), 'rnnlab-startup-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  const page = await ctx.newPage();
  await page.goto(url);
  await page.waitForFunction(() => window.app && window.app.readyAt, null, { timeout: 60_000 });
  times.push(await page.evaluate(() => window.app.readyAt));
  await ctx.close();
  rmSync(profile, { recursive: true, force: true });
}
server.kill();
times.sort((a, b) => a - b);
const size = (f) => readFileSync(join(site, f)).length;
const gz = (f) => gzipSync(readFileSync(join(site, f)), { level: 9 }).length;
console.log(JSON.stringify({
  event: 'startup', runs, median_ms: Math.round(times[Math.floor(runs / 2)]), all_ms: times.map(Math.round),
  wasm_bytes: size('rnnlab_engine.wasm'), wasm_gzip_bytes: gz('rnnlab_engine.wasm'),
  js_glue_gzip_bytes: gz('rnnlab_engine.js'), nosimd_wasm_gzip_bytes: gz('rnnlab_engine_nosimd.wasm'),
}));
