// Start-up of the playground in headless Chromium: milliseconds from navigation until the worker has compiled the
// engine and answered "ready" (window.app.readyAt), fresh browser profile each time; the median time of each start-up
// mark (median_points_ms: html = the page's responseEnd, then boot.js's rnnlab:* marks); the engine's download size.
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
// Where the time goes, from the page's and the worker's rnnlab:* performance marks (web/static/boot.js lists them),
// in ms since navigation: the median over the runs of each point.
const points = {};
const addPoint = (name, ms) => { if (Number.isFinite(ms)) (points[name] ??= []).push(ms); };
for (let i = 0; i < runs; ++i) {
  const profile = mkdtempSync(join(tmpdir(), 'rnnlab-startup-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  const page = await ctx.newPage();
  let worker = null;
  page.on('worker', (w) => { worker ??= w; });
  await page.goto(url);
  await page.waitForFunction(() => window.app && window.app.readyAt, null, { timeout: 60_000 });
  times.push(await page.evaluate(() => window.app.readyAt));
  const marks = () => ({ origin: performance.timeOrigin,
    marks: performance.getEntriesByType('mark').filter((m) => m.name.startsWith('rnnlab:'))
      .map((m) => [m.name.slice(7), m.startTime]) });
  const pg = await page.evaluate(marks);
  addPoint('html', await page.evaluate(() => performance.getEntriesByType('navigation')[0].responseEnd));
  for (const [name, t] of pg.marks) addPoint(name, t);
  if (worker) {
    const wk = await worker.evaluate(marks);
    for (const [name, t] of wk.marks) addPoint(name, t + wk.origin - pg.origin);
  }
  addPoint('ready', times[times.length - 1]);
  await ctx.close();
  rmSync(profile, { recursive: true, force: true });
}
server.kill();
times.sort((a, b) => a - b);
const size = (f) => readFileSync(join(site, f)).length;
const gz = (f) => gzipSync(readFileSync(join(site, f)), { level: 9 }).length;
console.log(JSON.stringify({
  event: 'startup', runs, median_ms: Math.round(times[Math.floor(runs / 2)]), all_ms: times.map(Math.round),
  median_points_ms: Object.fromEntries(Object.entries(points).map(([k, v]) => [k, Math.round(v.sort((a, b) => a - b)[Math.floor(v.length / 2)])])
    .sort((a, b) => a[1] - b[1])),
  wasm_bytes: size('rnnlab_engine.wasm'), wasm_gzip_bytes: gz('rnnlab_engine.wasm'),
  js_glue_gzip_bytes: gz('rnnlab_engine.js'), nosimd_wasm_gzip_bytes: gz('rnnlab_engine_nosimd.wasm'),
}));
