// Shared set-up for the browser tests: serve the built site with tools/serve.mjs on a free port, drive Debian's
// Chromium through playwright-core (never a downloaded browser), and collect page errors and foreign requests.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SITE = resolve(process.env.RNNLAB_SITE || join(ROOT, 'site'));
export const SHOTS = join(ROOT, 'build', 'screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// Generous: the tests must pass on a busy 2-core machine.
export const LONG = 120_000;

export async function startServer(dir = SITE) {
  if (!existsSync(join(SITE, 'rnnlab_engine.wasm')))
    throw new Error(`no built site in ${SITE}: run ./build.sh build first (or set RNNLAB_SITE)`);
  const proc = spawn(process.execPath, [join(ROOT, 'tools', 'serve.mjs'), dir, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('serve.mjs did not print its URL')), 15_000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) { clearTimeout(timer); resolve(m[0]); }
    });
    proc.on('exit', (code) => reject(new Error(`serve.mjs exited with ${code}`)));
  });
  return { url, close: () => proc.kill() };
}

export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'rnnlab-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--disable-extensions'],
  });
  return {
    ctx,
    close: async () => {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Opens the page and waits until the engine is loaded and the default text has its statistics.
// page.problems collects uncaught errors, console errors and requests to any other origin.
export async function openPlayground(ctx, url, hash = '') {
  const page = await ctx.newPage();
  page.problems = [];
  const origin = new URL(url).origin;
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console error: ${m.text()}`); });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) page.problems.push(`network: ${u}`);
  });
  await page.goto(url + hash);
  await page.waitForFunction(() => window.app && window.app.ready && window.app.stats, null, { timeout: 60_000 });
  return page;
}

export function screenshotPath(name) {
  mkdirSync(SHOTS, { recursive: true });
  return join(SHOTS, name);
}

export const appState = (page) => page.evaluate(() => {
  const a = window.app;
  return { state: a.state, step: a.step, valBits: a.valBits, trainBits: a.trainBits, lastError: a.lastError,
           valHistory: a.valHistory, gen: a.gen, timeline: a.timeline.length };
});

// A small, deterministic, English-like text that a small model learns quickly (about 12 KB).
export function practiceText() {
  const subjects = ['the cat', 'a dog', 'the old man', 'my sister', 'the small bird', 'our teacher', 'a red fox'];
  const verbs = ['sat on', 'looked at', 'walked to', 'jumped over', 'found', 'liked', 'painted'];
  const objects = ['the mat', 'a green hill', 'the river', 'the garden wall', 'a wooden box', 'the window'];
  const endings = ['.', '.', '.', ' today.', ' again.', ' at night.'];
  let x = 7;
  const pick = (list) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return list[(x >> 8) % list.length];
  };
  const lines = [];
  let size = 0;
  while (size < 12_000) {
    const s = `${pick(subjects)} ${pick(verbs)} ${pick(objects)}${pick(endings)}`;
    const line = s[0].toUpperCase() + s.slice(1);
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n') + '\n';
}

// Pastes through the real clipboard (Ctrl+V in the focused text box), as a person would.
export async function pasteInto(page, locator, text) {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(page.url()).origin });
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await locator.focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+V');
}

// The usual set-up of a describe block: serve the site, launch Chromium, open the page (with `hash`) and hand the
// three to `onOpen`; close them all afterwards.
export function usePlayground(onOpen, hash = '') {
  let server, browser;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    onOpen({ server, browser, page: await openPlayground(browser.ctx, server.url, hash) });
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });
}

// The small model most tests train: quick on a busy machine, and learns the practice text.
export const SMALL = { 'Hidden units': '32', 'Unroll (steps)': '16', 'Batch (streams)': '8', 'Learning rate': '0.01' };
// One layer of 32 LSTM units, no dropout: what the Look-inside and comparison tests train.
export const ONE_LAYER = { Layers: '1', 'Hidden units': '32', 'Embedding size': '16', 'Unroll (steps)': '32', Dropout: '0',
                           'Learning rate': '0.01' };

// Pastes the practice text and sets the small model's settings, as a person would.
export async function preparePractice(page, settings = SMALL) {
  const text = practiceText();
  await pasteInto(page, page.getByLabel('Training text'), text);
  await page.waitForFunction((n) => window.app.stats && window.app.stats.chars === n, text.length, { timeout: 30_000 });
  for (const [label, value] of Object.entries(settings)) await page.getByLabel(label).fill(value);
  return text;
}

// At a 375 px wide viewport (a small phone): checks that the page does not scroll sideways once its layout has
// settled (charts redraw from a ResizeObserver), runs `look` (screenshots), then goes back to 1280 × 900.
export async function atPhoneWidth(page, look = async () => {}) {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.waitForFunction(() => document.documentElement.scrollWidth <= 375, null, { timeout: 10_000 })
    .catch(() => {});   // the assertion below reports the width
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `page is ${width}px wide at a 375px viewport`);
  await look();
  await page.setViewportSize({ width: 1280, height: 900 });
}

// Presses Train (or Resume), waits until the page shows at least `step`, then pauses; resolves to the step shown.
export async function trainTo(page, step) {
  await page.getByRole('button', { name: /^(Train|Resume)$/ }).click();
  await page.waitForFunction((s) => window.app.step >= s, step, { timeout: 3 * LONG });
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: LONG });
  return page.evaluate(() => window.app.step);
}

// Trains to exactly `step` with "Pause at step" (so what the model has learnt is the same on every run and
// machine), then empties the field again.
export async function trainExactlyTo(page, step) {
  await page.getByLabel('Pause at step').fill(String(step));
  await page.getByRole('button', { name: /^(Train|Resume)$/ }).click();
  await page.waitForFunction((s) => window.app.state === 'paused' && window.app.step === s, step, { timeout: 3 * LONG });
  await page.getByLabel('Pause at step').fill('');
}

// The training loss the page's chart shows for each step (bits per character; null for a rejected step).
export function lossesByStep(page) {
  return page.evaluate(() => {
    const d = window.app.lossData();
    const out = {};
    d.steps.forEach((s, i) => { out[s] = Number.isFinite(d.raw[i]) ? d.raw[i] : null; });
    return out;
  });
}

// Records dialogs (alert, confirm, ...) instead of letting them block: a hostile link or file must open none.
export function watchDialogs(page) {
  page.dialogs = [];
  page.on('dialog', (d) => { page.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
}

// Two separate browsers (two profiles: nothing shared, as for two people) and a server, for tests that carry an
// experiment from one to the other (share links, model files); hands { server, a, b } to onStart.
export function useTwoBrowsers(onStart) {
  let server, a, b;
  before(async () => {
    server = await startServer();
    a = await launchBrowser();
    b = await launchBrowser();
    onStart({ server, a, b });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    server?.close();
  });
}

// About 1,500 characters of words in a random order: little to learn that carries over to the held-out end, so a
// model with many more parameters than characters (OVERFITS) memorises the rest within seconds. Used by the tests
// of the best model and of what is kept with a run.
export function tinyOverfitText() {
  const words = ['red', 'fox', 'sun', 'ran', 'map', 'cup', 'owl', 'pin', 'jam', 'log', 'bee', 'hut'];
  let x = 11;
  const out = [];
  while (out.join(' ').length < 1500) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(words[(x >> 9) % words.length] + ((x >> 4) % 9 === 0 ? '.\n' : ''));
  }
  return out.join(' ') + '\n';
}

export const OVERFITS = { Layers: '1', 'Hidden units': '128', 'Embedding size': '16', 'Unroll (steps)': '16',
                          'Batch (streams)': '4', Dropout: '0', 'Learning rate': '0.01' };
