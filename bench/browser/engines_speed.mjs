// Training speed of the default experiment (the Prose preset at the page's default model) in the three engines, as
// the page shows it (chars/s under the chart): Chromium (playwright-core), Firefox ESR (puppeteer-core over WebDriver
// BiDi) and WebKitGTK's MiniBrowser (selenium-webdriver), one after the other on the built site.
//   node bench/browser/engines_speed.mjs [SECONDS=30]
// Each engine trains for SECONDS; the figure is the median of what the page shows every 2 s after the first third.
// The machine is shared: compare the engines within one run, not runs with each other.
import { launchBrowser, openPlayground, startServer } from '../../tests/browser/helpers.mjs';
import { openFirefox, openWebKit } from '../../tests/engines/drivers.mjs';

const SECONDS = Number(process.argv[2] || 30);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Chromium behind the same few calls as drivers.mjs's browsers.
async function openChromium(url) {
  const browser = await launchBrowser();
  const page = await openPlayground(browser.ctx, url);
  return {
    name: 'Chromium', version: browser.ctx.browser()?.version() ?? '',
    goto: (u) => page.goto(u),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    waitFor: (fn, arg, ms = 120_000) => page.waitForFunction(fn, arg, { timeout: ms }),
    click: (name) => page.getByRole('button', { name, exact: true }).click(),
    close: () => browser.close(),
  };
}

async function measure(b, url) {
  await b.goto(url);
  await b.waitFor(() => window.app && window.app.ready && window.app.preset === 'prose' && window.app.stats, null, 60_000);
  const model = await b.evaluate(() => `${document.getElementById('cfg-cell').value} ` +
    `${document.getElementById('cfg-layers').value}×${document.getElementById('cfg-hidden').value}`);
  await b.click('Train');
  const shown = [];
  const start = Date.now();
  while (Date.now() - start < SECONDS * 1000) {
    await sleep(2000);
    if (Date.now() - start < SECONDS * 1000 / 3) continue;
    shown.push(await b.evaluate(() => document.getElementById('st-speed').textContent));
  }
  const step = await b.evaluate(() => window.app.step);
  await b.click('Pause');
  const values = shown.map((t) => Number(t.replace(/[^\d]/g, ''))).filter((v) => v > 0).sort((x, y) => x - y);
  return { model, step, median: values[Math.floor(values.length / 2)] ?? NaN, shown: shown.at(-1) };
}

const server = await startServer();
try {
  for (const open of [() => openChromium(server.url), openFirefox, openWebKit]) {
    const b = await open();
    try {
      const r = await measure(b, server.url);
      console.log(`${b.name.padEnd(9)} ${String(b.version).padEnd(16)} ${r.model}: median ${r.median.toLocaleString('en-US')} chars/s ` +
        `(page shows "${r.shown}", ${r.step} steps in ${SECONDS} s)`);
    } finally {
      await b.close();
    }
  }
} finally {
  server.close();
}
