// The two engines besides Chromium, each behind the same small interface so that one scenario (scenario.mjs) runs in
// both: Firefox ESR through puppeteer-core over WebDriver BiDi (Playwright's Firefox is a patched build that Debian does
// not ship), and WebKitGTK's MiniBrowser through selenium-webdriver and WebKitWebDriver, on a virtual display (Xvfb)
// because MiniBrowser has no headless mode.
//
// The interface: goto(url), reload(), evaluate(fn, arg), waitFor(fn, arg, ms), click(name), fill(label, value, within),
// value(label, within), setChecked(label, on), setFile(label, path), text(selectorFreeFn), downloads, close().
// Controls are found by role and accessible name: puppeteer's ARIA selectors (`aria/Name[role="button"]`), and for
// selenium an XPath on the button's text or aria-label and the <label> of a field (see labelledControl).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { Builder, By } from 'selenium-webdriver';

export const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER || '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = process.env.MINIBROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

// Both drivers run a function in the page from its source text; the argument travels as JSON.
const asCall = (fn, arg) => `return (${fn})(${JSON.stringify(arg ?? null)});`;

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// Polls `fn(arg)` in the page until it returns something truthy (and returns that), or throws after `ms`.
async function pollUntil(evaluate, fn, arg, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const got = await evaluate(fn, arg).catch(() => undefined);   // a navigation in progress: ask again
    if (got) return got;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what || fn}`);
    await sleep(100);
  }
}

function downloadedFiles(dir) {
  return readdirSync(dir).filter((f) => !/\.(part|download)$/.test(f)).map((f) => join(dir, f));
}

// ---- Firefox ----

export async function openFirefox() {
  const profileDownloads = mkdtempSync(join(tmpdir(), 'rnnlab-firefox-downloads-'));
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: FIREFOX, headless: true, protocol: 'webDriverBiDi',
    defaultViewport: { width: 1280, height: 900 },
    // Save model's download goes to our folder without asking.
    extraPrefsFirefox: {
      'browser.download.dir': profileDownloads, 'browser.download.folderList': 2, 'browser.download.useDownloadDir': true,
      'browser.download.always_ask_before_handling_new_types': false, 'browser.download.manager.showWhenStarting': false,
    },
  });
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  const evaluate = (fn, arg) => page.evaluate(new Function(asCall(fn, arg)));
  // A field's accessible name inside a section (a region named by its heading), or anywhere.
  const field = async (label, within) => {
    const scope = within ? await page.waitForSelector(`aria/${within}[role="region"]`, { timeout: 10_000 }) : page;
    const found = await scope.waitForSelector(`aria/${label}`, { timeout: 10_000 });
    return found;
  };
  return {
    name: 'Firefox', version: await browser.version(), problems,
    goto: (url) => page.goto(url),
    reload: () => page.reload(),
    evaluate,
    waitFor: (fn, arg, ms = 120_000, what) => pollUntil(evaluate, fn, arg, ms, what),
    click: async (name) => (await page.waitForSelector(`aria/${name}[role="button"]`, { timeout: 10_000 })).click(),
    fill: async (label, value, within) => {
      const el = await field(label, within);
      await el.focus();   // as a person would: select all, delete, type
      await page.keyboard.down('Control');
      await page.keyboard.press('KeyA');
      await page.keyboard.up('Control');
      await page.keyboard.press('Backspace');
      await el.type(String(value));
      await el.press('Tab');
    },
    value: async (label, within) => (await field(label, within)).evaluate((e) => e.value),
    setChecked: async (label, on) => {
      const el = await field(label);
      if (await el.evaluate((e) => e.checked) !== on) await el.click();
    },
    // The hidden file input behind "Load model…" (its accessible name is shared by the section's heading).
    setFile: async (label, path) => (await page.waitForSelector(`input[type="file"][aria-label="${label}"]`)).uploadFile(path),
    downloads: () => downloadedFiles(profileDownloads),
    close: async () => {
      await browser.close();
      rmSync(profileDownloads, { recursive: true, force: true });
    },
  };
}

// ---- WebKit ----

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

// WebKitWebDriver on a free port, inside xvfb-run unless a display is already there; resolves once it listens.
async function startWebKitDriver(home) {
  const port = await freePort();
  const cmd = process.env.DISPLAY ? [WEBKIT_DRIVER, `--port=${port}`]
    : ['xvfb-run', '-a', '-s', '-screen 0 1280x1024x24', WEBKIT_DRIVER, `--port=${port}`];
  // Its own process group, so that close() ends xvfb-run, Xvfb and the driver together.
  const proc = spawn(cmd[0], cmd.slice(1), { detached: true, stdio: 'ignore',
    env: { ...process.env, HOME: home, XDG_DOWNLOAD_DIR: join(home, 'Downloads') } });
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/status`)).ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > end) throw new Error(`WebKitWebDriver did not start on port ${port}`);
    await sleep(200);
  }
  return { url, stop: () => { try { process.kill(-proc.pid, 'SIGTERM'); } catch { /* already gone */ } } };
}

// XPath literal for any text (XPath 1.0 has no escapes: concat() the pieces around double quotes).
function xpathText(s) {
  if (!s.includes('"')) return `"${s}"`;
  return `concat(${s.split('"').map((p) => `"${p}"`).join(', \'"\', ')})`;
}

// The control a person finds by `label`: an element with that aria-label, or the one a <label> with that text is for,
// inside the section headed `within` when given.
async function labelledControl(driver, label, within) {
  const scope = within ? `//section[.//h2[normalize-space(.)=${xpathText(within)} or ` +
    `substring(normalize-space(.), string-length(normalize-space(.)) - ${within.length - 1})=${xpathText(within)}]]` : '';
  const t = xpathText(label);
  const direct = await driver.findElements(By.xpath(`${scope}//*[@aria-label=${t}]`));
  if (direct.length) return direct[0];
  const labels = await driver.findElements(By.xpath(`${scope}//label[normalize-space(.)=${t}]`));
  if (!labels.length) throw new Error(`no control labelled "${label}"${within ? ` in "${within}"` : ''}`);
  return driver.findElement(By.id(await labels[0].getAttribute('for')));
}

export async function openWebKit() {
  const home = mkdtempSync(join(tmpdir(), 'rnnlab-webkit-home-'));
  const server = await startWebKitDriver(home);
  let driver;
  try {
    driver = await new Builder().usingServer(server.url).withCapabilities({
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
    }).build();
  } catch (e) {
    server.stop();
    throw e;
  }
  await driver.manage().window().setRect({ width: 1280, height: 900 }).catch(() => {});
  const evaluate = (fn, arg) => driver.executeScript(asCall(fn, arg));
  const button = (name) => driver.findElement(By.xpath(
    `//button[normalize-space(.)=${xpathText(name)} or @aria-label=${xpathText(name)}]`));
  return {
    name: 'WebKit', version: (await driver.getCapabilities()).get('browserVersion'), problems: [],
    goto: (url) => driver.get(url),
    reload: () => driver.navigate().refresh(),
    evaluate,
    waitFor: (fn, arg, ms = 120_000, what) => pollUntil(evaluate, fn, arg, ms, what),
    click: async (name) => (await button(name)).click(),
    fill: async (label, value, within) => {
      const el = await labelledControl(driver, label, within);
      await el.clear();
      if (String(value) !== '') await el.sendKeys(String(value));
      await driver.executeScript('arguments[0].dispatchEvent(new Event("change", {bubbles: true}))', el);
    },
    value: async (label, within) => (await labelledControl(driver, label, within)).getAttribute('value'),
    setChecked: async (label, on) => {
      const el = await labelledControl(driver, label);
      if ((await el.isSelected()) !== on) await el.click();
    },
    setFile: async (label, path) => (await labelledControl(driver, label)).sendKeys(path),
    downloads: () => {
      const dirs = [join(home, 'Downloads'), home].filter(existsSync);
      return dirs.flatMap((d) => downloadedFiles(d).filter((f) => /\.rnnlab$/.test(f)));
    },
    close: async () => {
      await driver.quit().catch(() => {});
      server.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
