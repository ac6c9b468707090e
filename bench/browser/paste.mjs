// Main-thread time to paste a large text into the page's text box, as a person would (the real clipboard and
// Ctrl+V in headless Chromium), for issue #13: a 228 KB list once froze the tab for 15-26 s.
//   node bench/browser/paste.mjs [site] [runs]     -> one JSON line: medians per size, in ms
// Main-thread time is Chromium's own count (CDP Performance metric TaskDuration) from the key press until the page
// has painted and its statistics request has been answered, minus nothing: everything the paste caused.
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';

const site = process.argv[2] || 'site';
const runs = Number(process.argv[3] || 3);
const SIZES = { '228KB-lines': 228 * 1024, '1MB': 1024 * 1024, '10MB': 10 * 1024 * 1024 };

// Made-up names, one per line: short lines are the worst case for a text box's layout.
function namesList(bytes) {
  const syllables = ['ka', 'lo', 'mi', 'ren', 'tas', 'vi', 'ob', 'ul', 'dre', 'an', 'sen', 'mar'];
  const parts = [];
  let size = 0;
  for (let i = 0; size < bytes; ++i) {
    const n = syllables[i % 12] + syllables[(i * 7 + 3) % 12] + syllables[(i * 5 + 1) % 12];
    const line = n[0].toUpperCase() + n.slice(1) + '\n';
    parts.push(line);
    size += line.length;
  }
  return parts.join('').slice(0, bytes);
}

async function pasteOnce(browser, url, text) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await ctx.newPage();
  await page.goto(url);
  await page.waitForFunction(() => window.app && window.app.ready && window.app.stats);
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  const box = page.getByLabel('Training text');
  await box.click();
  await page.keyboard.press('Control+A');
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Performance.enable');
  const taskSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
  const before = await taskSeconds();
  await page.keyboard.press('Control+V');
  await page.waitForFunction((n) => window.app.stats && window.app.stats.bytes >= n * 0.9, text.length, { timeout: 120_000 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
  const ms = (await taskSeconds() - before) * 1000;
  await ctx.close();
  return ms;
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const server = spawn(process.execPath, ['tools/serve.mjs', site, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve) => server.stdout.on('data', (d) => {
  const m = String(d).match(/http:\/\/[\d.]+:\d+/);
  if (m) resolve(m[0] + '/');
}));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
const result = {};
try {
  for (const [name, bytes] of Object.entries(SIZES)) {
    const text = namesList(bytes);
    const times = [];
    for (let i = 0; i < runs; ++i) times.push(await pasteOnce(browser, url, text));
    result[`${name}_main_thread_ms`] = Math.round(median(times));
    result[`${name}_runs_ms`] = times.map(Math.round);
  }
} finally {
  await browser.close();
  server.kill();
}
console.log(JSON.stringify(result));
