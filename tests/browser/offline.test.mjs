// Offline and installable: the site served from a sub-path (/sub/path/) of a plain static server; after one visit the
// network is cut (the server stopped and the browser offline) and the page still loads both engine builds, trains and
// samples. A new build with changed files is picked up on the next visit, whole: the page, its style sheet, workers and
// texts and the service worker are all of the new build, and a page of the old build that is still open keeps getting
// the old build's files.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LONG, ROOT, SITE, launchBrowser, openPlayground, screenshotPath } from './helpers.mjs';

const SUB = 'sub/path/';

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// tools/serve.mjs on a fixed port (the service worker belongs to the origin, so a restarted server must keep it).
async function serve(dir, port) {
  const proc = spawn(process.execPath, [join(ROOT, 'tools', 'serve.mjs'), dir, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    proc.stdout.once('data', resolve);
    proc.once('exit', (code) => reject(new Error(`serve.mjs exited with ${code}`)));
  });
  return { close: () => new Promise((r) => { proc.once('exit', r); proc.kill(); }) };
}

// The build the page says it is, the one its service worker keeps, and the builds of the files it loaded.
const builds = (page) => page.evaluate(async () => {
  const files = performance.getEntriesByType('resource').map((e) => new URL(e.name))
    .filter((u) => /\.(js|css|wasm|txt)$/.test(u.pathname) && !u.pathname.endsWith('/sw.js'));
  return {
    page: document.querySelector('meta[name="rnnlab-build"]').content,
    app: window.app.build,
    engine: window.app.engineBuild,
    worker: window.app.offlineBuild,
    files: files.map((u) => `${u.pathname.split('/').pop()}?v=${u.searchParams.get('v')}`),
    caches: (await caches.keys()).filter((k) => k.startsWith('rnnlab-')),
    scope: (await navigator.serviceWorker.getRegistration())?.scope,
  };
});

async function keptForOffline(page) {
  // Polled by time, not by animation frame: a page in the background of the same browser may draw no frames.
  await page.waitForFunction(() => window.app.offlineBuild && window.app.offlineBuild === window.app.build, null,
    { timeout: LONG, polling: 250 });
  return builds(page);
}

// The page's builds once the service worker has cached `build` (installed, perhaps not yet in charge).
async function cachedBuild(page, build) {
  for (const start = Date.now(); Date.now() - start < LONG; await page.waitForTimeout(250)) {
    const now = await builds(page);
    if (now.caches.includes(`rnnlab-${build}`)) return now;
  }
  throw new Error(`build ${build} was not cached within ${LONG} ms`);
}

// Closes a page once its engine has loaded: Chromium counts a file that a closed page's worker was still reading as
// still being answered by the service worker, and keeps a new build's worker waiting on it for minutes.
async function closeLoaded(page) {
  await page.waitForFunction(() => window.app.ready, null, { timeout: LONG, polling: 250 });
  await page.close();
}

async function choose(page, preset) {
  await page.getByRole('button', { name: preset, exact: true }).click();
  await page.waitForFunction((p) => window.app.preset === p && window.app.stats, preset.toLowerCase(), { timeout: 30_000 });
  return page.getByLabel('Training text').inputValue();
}

async function trainAndSample(page) {
  await choose(page, 'Hello');
  await page.getByLabel('Stop when validation stops improving').uncheck();
  await page.getByLabel('Pause at step').fill('15');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForFunction(() => window.app.state === 'paused' && window.app.step === 15, null, { timeout: LONG });
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await page.waitForFunction(() => window.app.sampleDone && !window.app.sampling, null, { timeout: LONG });
  return page.evaluate(() => window.app.sampleText);
}

describe('offline and installable, from a sub-path', { timeout: 8 * LONG }, () => {
  let dir, port, server, browser, url, first;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rnnlab-offline-'));
    mkdirSync(join(dir, SUB), { recursive: true });
    cpSync(SITE, join(dir, SUB), { recursive: true });
    port = await freePort();
    server = await serve(dir, port);
    url = `http://127.0.0.1:${port}/${SUB}`;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is installable: a manifest with relative addresses and icons that load', async () => {
    const page = await openPlayground(browser.ctx, url);
    first = await keptForOffline(page);
    assert.match(first.page, /^[0-9a-f]{16}$/);
    assert.equal(first.engine, first.page);
    assert.equal(first.scope, url);
    assert.deepEqual(first.caches, [`rnnlab-${first.page}`]);
    const manifest = await page.evaluate(async () => {
      const link = document.querySelector('link[rel="manifest"]');
      const m = await (await fetch(link.href)).json();
      const icons = await Promise.all(m.icons.map(async (i) => {
        const img = new Image();
        img.src = new URL(i.src, link.href).href;
        await img.decode();
        return `${i.src} ${img.naturalWidth}`;
      }));
      return { ...m, icons };
    });
    assert.equal(manifest.start_url, './');
    assert.equal(manifest.scope, './');
    assert.equal(manifest.display, 'standalone');
    assert.deepEqual(manifest.icons.slice(1), ['icon-192.png 192', 'icon-512.png 512']);
    assert.deepEqual(page.problems, []);
    await page.close();
  });

  it('without a network after the first visit: loads both engines, trains and samples', async () => {
    await server.close();
    await browser.ctx.setOffline(true);
    const page = await openPlayground(browser.ctx, url);
    assert.equal(await page.evaluate(() => window.app.simd), true);
    assert.ok((await trainAndSample(page)).length > 0);
    assert.equal((await builds(page)).page, first.page);
    await page.screenshot({ path: screenshotPath('offline-trained.png') });
    const fallback = await openPlayground(browser.ctx, url + '?nosimd');
    assert.equal(await fallback.evaluate(() => window.app.simd), false);
    assert.deepEqual([...page.problems, ...fallback.problems], []);
    await page.close();
    await fallback.close();
    await browser.ctx.setOffline(false);
  });

  it('a new build is picked up on the next visit, whole, and an open page keeps its own build', async () => {
    server = await serve(dir, port);
    const old = await openPlayground(browser.ctx, url);
    const oldHello = await choose(old, 'Hello');
    // The new build: a changed style sheet and Hello text, stamped again as build.sh stamps a site.
    appendFileSync(join(dir, SUB, 'style.css'), '\n:root { --offline-test: "second build"; }\n');
    writeFileSync(join(dir, SUB, 'presets/hello.txt'), 'a second build of hello\n'.repeat(40));
    const stamped = spawn(process.execPath, [join(ROOT, 'web', 'stamp_build.mjs'), join(dir, SUB)], { stdio: 'inherit' });
    await new Promise((r) => stamped.once('exit', r));
    const next = readFileSync(join(dir, SUB, 'index.html'), 'utf8').match(/rnnlab-build" content="([0-9a-f]{16})"/)[1];
    assert.notEqual(next, first.page);

    // The next visit gets the new build whole, as soon as the new build's service worker has cached it, even while
    // the old build's worker still answers (Chromium may keep it a while after skipWaiting while the old page is open).
    const page = await openPlayground(browser.ctx, url);
    const now = await cachedBuild(page, next);
    assert.equal(now.page, next);
    assert.equal(now.app, next);
    for (const f of now.files) assert.match(f, new RegExp(`\\?v=${next}$`), `${f} comes from the new build`);
    assert.equal(now.engine, next, 'the engine worker (and so the .wasm it fetched with its build) is of the new build');
    assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--offline-test').trim()),
      '"second build"');
    assert.match(await choose(page, 'Hello'), /^a second build of hello/);
    assert.deepEqual(now.caches, [`rnnlab-${first.page}`, `rnnlab-${next}`]);
    // The page of the first build, still open: its files are still its build's, whichever build's worker answers.
    assert.equal(await choose(old, 'Prose').then(() => choose(old, 'Hello')), oldHello);
    assert.equal(await old.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--offline-test')), '');
    assert.deepEqual([...old.problems, ...page.problems], []);
    await closeLoaded(old);
    await closeLoaded(page);

    // With the old page closed, the new build's service worker takes over and keeps it for offline use.
    const later = await openPlayground(browser.ctx, url);
    assert.equal((await keptForOffline(later)).worker, next);
    await later.close();

    // And offline again, the new build is what opens.
    await server.close();
    await browser.ctx.setOffline(true);
    const offline = await openPlayground(browser.ctx, url);
    assert.equal((await builds(offline)).page, next);
    assert.match(await choose(offline, 'Hello'), /^a second build of hello/);
    await offline.close();
    await browser.ctx.setOffline(false);
    server = await serve(dir, port);
  });
});
