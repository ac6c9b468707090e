// Start-up of the playground in headless Chromium: milliseconds from navigation until the page has the engine's
// "ready" (window.app.readyAt: the worker compiled and instantiated the engine, and main.js has set up the page).
//   node bench/browser/startup.mjs [SITE=site] [RUNS=11]
// Each run is a fresh browser with an empty profile (no HTTP or code cache). Printed: the median, every run, the
// median time of each start-up mark (html = the page's responseEnd, then the rnnlab:* marks, see web/static/boot.js),
// download sizes, and a floor measured in the same runs, interleaved with the site's: a blank page whose inline script
// starts a one-line worker that compiles the same .wasm. The machine is shared, so the floor says how slow the
// machine was: the site cannot start faster than it.
//
// How the driver stays out of the way: it opens the page in the browser's first tab after the browser has been up
// for a second (as a person's browser would be, instead of still starting its own services), and reads readyAt only
// after the page has had time to get there. Polling the page (Playwright's waitForFunction) would compile
// Playwright's injected script and run a callback every frame on the page's main thread during the very start-up
// measured: ~30 ms in traces.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const site = process.argv[2] || 'site';
const runs = Number(process.argv[3] || 11);
const BROWSER_SETTLE_MS = 1000;
const READ_AFTER_MS = 1500;

// The floor: the least any page can do to have this engine compiled in a worker.
const floorDir = mkdtempSync(join(tmpdir(), 'rnnlab-floor-'));
copyFileSync(join(site, 'rnnlab_engine.wasm'), join(floorDir, 'rnnlab_engine.wasm'));
writeFileSync(join(floorDir, 'index.html'), `<!doctype html><meta charset="utf-8"><title>floor</title><script>
window.app = {};
new Worker('worker.js').onmessage = () => { app.readyAt = performance.now(); };
</script>`);
writeFileSync(join(floorDir, 'worker.js'),
  "WebAssembly.compileStreaming(fetch('rnnlab_engine.wasm')).then(() => postMessage('ready'));");

async function serve(dir) {
  const server = spawn(process.execPath, ['tools/serve.mjs', dir, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve) => server.stdout.on('data', (d) => {
    const m = String(d).match(/http:\/\/[\d.:]+\//);
    if (m) resolve(m[0]);
  }));
  return { server, url };
}
const siteServer = await serve(site);
const floorServer = await serve(floorDir);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const marksOf = () => ({ origin: performance.timeOrigin,
  marks: performance.getEntriesByType('mark').filter((m) => m.name.startsWith('rnnlab:'))
    .map((m) => [m.name.slice(7), m.startTime]) });

// One start-up in a fresh browser: readyAt and the marks (ms since navigation), page and worker.
async function startOnce(url) {
  const profile = mkdtempSync(join(tmpdir(), 'rnnlab-startup-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = ctx.pages()[0] || await ctx.newPage();
    await sleep(BROWSER_SETTLE_MS);
    let worker = null;
    page.on('worker', (w) => { worker ??= w; });
    await page.goto(url);
    await sleep(READ_AFTER_MS);
    await page.waitForFunction(() => window.app && window.app.readyAt, null, { timeout: 60_000 });
    const readyAt = await page.evaluate(() => window.app.readyAt);
    const points = [['html', await page.evaluate(() => performance.getEntriesByType('navigation')[0].responseEnd)]];
    const pg = await page.evaluate(marksOf);
    points.push(...pg.marks);
    if (worker) {
      const wk = await worker.evaluate(marksOf);
      for (const [name, t] of wk.marks) points.push([name, t + wk.origin - pg.origin]);
    }
    points.push(['ready', readyAt]);
    return { readyAt, points };
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const times = [], floor = [];
const points = {};   // mark -> ms in each run
for (let i = 0; i < runs; ++i) {
  const run = await startOnce(siteServer.url);
  times.push(run.readyAt);
  for (const [name, t] of run.points) if (Number.isFinite(t)) (points[name] ??= []).push(t);
  floor.push((await startOnce(floorServer.url)).readyAt);
}
siteServer.server.kill();
floorServer.server.kill();
rmSync(floorDir, { recursive: true, force: true });

const median = (v) => { const s = v.slice().sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const gz = (f) => gzipSync(readFileSync(join(site, f)), { level: 9 }).length;
console.log(JSON.stringify({
  event: 'startup', runs, median_ms: Math.round(median(times)), all_ms: times.map(Math.round),
  floor_median_ms: Math.round(median(floor)), floor_all_ms: floor.map(Math.round),
  median_points_ms: Object.fromEntries(Object.entries(points).map(([k, v]) => [k, Math.round(median(v))])
    .sort((a, b) => a[1] - b[1])),
  wasm_bytes: readFileSync(join(site, 'rnnlab_engine.wasm')).length, wasm_gzip_bytes: gz('rnnlab_engine.wasm'),
  worker_js_gzip_bytes: gz('worker_simd.js'), main_js_gzip_bytes: gz('main.js'),
  nosimd_wasm_gzip_bytes: gz('rnnlab_engine_nosimd.wasm'),
}));
