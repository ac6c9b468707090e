// The site as files and as a page: MIME types from tools/serve.mjs, relative URLs (works under any sub-path),
// no innerHTML, an accessible name on every control, every control reachable with Tab, and model files
// (save, load, safetensors export) through real downloads.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LONG, SITE, launchBrowser, openPlayground, startServer } from './helpers.mjs';

describe('site files', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(() => server?.close());

  it('serves the right MIME types', async () => {
    const expect = {
      '': 'text/html', 'main.js': 'text/javascript', 'worker_simd.js': 'text/javascript', 'style.css': 'text/css',
      'worker_nosimd.js': 'text/javascript', 'rnnlab_engine.wasm': 'application/wasm', 'presets/prose.txt': 'text/plain',
    };
    for (const [path, type] of Object.entries(expect)) {
      const res = await fetch(server.url + path);
      assert.equal(res.status, 200, path);
      assert.ok(res.headers.get('content-type').startsWith(type), `${path}: ${res.headers.get('content-type')}`);
      await res.arrayBuffer();
    }
    assert.equal((await fetch(server.url + 'missing.txt')).status, 404);
    assert.equal((await fetch(server.url + '..%2f..%2fetc%2fpasswd')).status === 200, false);
  });

  it('ships presets: hello, an original prose text, and code generated from the engine sources', () => {
    const prose = readFileSync(join(SITE, 'presets', 'prose.txt'), 'utf8');
    assert.ok(prose.length >= 15_000 && prose.length <= 30_000, `prose is ${prose.length} characters`);
    const code = readFileSync(join(SITE, 'presets', 'code.txt'), 'utf8');
    assert.match(code, /\/\/ ---- engine\/rnnlab\/session\.cpp ----/);
    assert.match(readFileSync(join(SITE, 'presets', 'hello.txt'), 'utf8'), /^hello/);
  });

  it('runs boot.js inline, first, allowed by its hash alone', () => {
    const html = readFileSync(join(SITE, 'index.html'), 'utf8');
    // The first script or stylesheet in the page is the inline boot script (web/inline_boot.mjs).
    const first = html.match(/<(script|link rel="stylesheet")\b[^>]*>/);
    assert.equal(first[0], '<script>');
    const boot = html.slice(first.index + first[0].length, html.indexOf('</script>', first.index));
    const csp = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)[1];
    const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src'));
    assert.equal(scriptSrc, `script-src 'self' 'sha256-${createHash('sha256').update(boot).digest('base64')}' 'wasm-unsafe-eval'`);
  });

  it('never writes HTML from strings and uses only relative URLs', () => {
    for (const f of readdirSync(SITE).filter((n) => /\.(js|html)$/.test(n) && !n.startsWith('rnnlab_engine'))) {
      const src = readFileSync(join(SITE, f), 'utf8');
      assert.doesNotMatch(src, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/, f);
      assert.doesNotMatch(src, /(src|href)="\/|(src|href)="https?:|fetch\(['"`]\/|fetch\(['"`]https?:/, f);
    }
  });
});

describe('page', { timeout: 3 * LONG }, () => {
  let server, browser, page, subdir;

  before(async () => {
    // Serve the site from a sub-path (/deep/path/) to show that every URL is relative.
    subdir = mkdtempSync(join(tmpdir(), 'rnnlab-subpath-'));
    mkdirSync(join(subdir, 'deep'));
    symlinkSync(SITE, join(subdir, 'deep', 'path'), 'dir');
    server = await startServer(subdir);
    browser = await launchBrowser();
    page = await openPlayground(browser.ctx, server.url + 'deep/path/');
  });

  after(async () => {
    await browser?.close();
    server?.close();
    rmSync(subdir, { recursive: true, force: true });
  });

  it('works from a sub-path', async () => {
    assert.match(page.url(), /\/deep\/path\/$/);
    assert.ok((await page.evaluate(() => window.app.stats.chars)) > 15_000);
  });

  it('loads one script, one worker script and the engine, and a reset downloads and compiles nothing again', async () => {
    // File names (with "?code", without the build every file carries) of the scripts and the engine, page and
    // workers alike; not the service worker's own fetches (it caches the site for offline use: offline.test.mjs).
    const fetched = [];
    const listen = (r) => {
      const url = new URL(r.url());
      if (r.serviceWorker() || url.pathname.endsWith('/sw.js')) return;
      if (/\.(js|wasm)$/.test(url.pathname)) fetched.push(url.pathname.split('/').pop() + (url.searchParams.has('code') ? '?code' : ''));
    };
    browser.ctx.on('request', listen);
    const fresh = await openPlayground(browser.ctx, server.url + 'deep/path/');
    try {
      // esbuild bundled main.js and the worker (with the engine's glue): no module graph to walk at start-up.
      assert.deepEqual(fetched.sort(), ['main.js', 'rnnlab_engine.wasm', 'worker_simd.js']);
      await fresh.getByRole('button', { name: 'Hello' }).click();
      await fresh.waitForFunction(() => window.app.stats && window.app.stats.chars < 5000, null, { timeout: 30_000 });
      await fresh.getByRole('button', { name: 'Train', exact: true }).click();
      await fresh.waitForFunction(() => window.app.step >= 3, null, { timeout: 60_000 });
      fetched.length = 0;
      await fresh.getByRole('button', { name: 'Reset' }).click();
      await fresh.waitForFunction(() => window.app.state === 'none' && window.app.ready, null, { timeout: 30_000 });
      // The new worker got the engine the first one compiled (boot.js kept it): "?code" and no .wasm request.
      assert.deepEqual(fetched, ['worker_simd.js?code']);
      await fresh.getByRole('button', { name: 'Train', exact: true }).click();
      await fresh.waitForFunction(() => window.app.step >= 3, null, { timeout: 60_000 });
      assert.deepEqual(fresh.problems, []);
    } finally {
      browser.ctx.off('request', listen);
      await fresh.close();
    }
  });

  it('gives every control an accessible name', async () => {
    const unnamed = await page.evaluate(() => {
      const name = (el) => {
        if (el.getAttribute('aria-label')) return el.getAttribute('aria-label');
        const by = el.getAttribute('aria-labelledby');
        if (by) return by.split(/\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' ').trim();
        if (el.labels && el.labels.length) return [...el.labels].map((l) => l.textContent).join(' ').trim();
        if (el.tagName === 'BUTTON' || el.tagName === 'SUMMARY') return el.textContent.trim();
        return '';
      };
      return [...document.querySelectorAll('button, input, select, textarea, summary, canvas, [tabindex]')]
        .filter((el) => !name(el)).map((el) => el.outerHTML.slice(0, 80));
    });
    assert.deepEqual(unnamed, []);
  });

  it('reaches every visible control with the Tab key', async () => {
    await page.locator('body').focus();
    const wanted = await page.evaluate(() => [...document.querySelectorAll('button, input, select, textarea, summary')]
      .filter((el) => el.tabIndex >= 0 && !el.disabled && el.checkVisibility()).map((el) => el.id || el.textContent.trim()));
    const seen = new Set();
    for (let i = 0; i < 100 && wanted.some((w) => !seen.has(w)); ++i) {
      await page.keyboard.press('Tab');
      seen.add(await page.evaluate(() => document.activeElement.id || document.activeElement.textContent.trim()));
    }
    assert.deepEqual(wanted.filter((w) => !seen.has(w)), []);
  });

  it('loads the presets and shows schedule settings only when they apply', async () => {
    await page.getByRole('button', { name: 'Source code' }).click();
    await page.waitForFunction(() => window.app.stats && window.app.stats.chars > 50_000, null, { timeout: 30_000 });
    assert.equal(await page.getByRole('button', { name: 'Source code' }).getAttribute('aria-pressed'), 'true');
    assert.match(await page.getByLabel('Training text').inputValue(), /^\/\/ ---- engine\/rnnlab\//);
    await page.getByRole('button', { name: 'Hello' }).click();
    await page.getByText(/Model size set for the hello text: layers 1, hidden units 32/).waitFor({ timeout: 30_000 });
    assert.equal(await page.getByLabel('Hidden units').inputValue(), '32');
    assert.equal(await page.getByLabel('Decay over (steps)').isVisible(), false);
    await page.getByLabel('Schedule').selectOption('cosine');
    assert.equal(await page.getByLabel('Decay over (steps)').isVisible(), true);
    await page.getByLabel('Schedule').selectOption('constant');
    await page.getByLabel('Gradient clipping').selectOption('none');
    assert.equal(await page.getByLabel('Clip threshold').isVisible(), false);
    await page.getByLabel('Gradient clipping').selectOption('norm');
  });

  it('saves a model, loads it back and exports safetensors', async () => {
    await page.getByRole('button', { name: 'Hello' }).click();
    await page.waitForFunction(() => window.app.stats && window.app.stats.chars < 5000, null, { timeout: 30_000 });
    // Hello is best within a second; this test pauses by hand, so training must not stop by itself first.
    await page.getByLabel('Stop when validation stops improving').uncheck();
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page.waitForFunction(() => window.app.step >= 60, null, { timeout: 60_000 });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: 30_000 });
    const step = await page.evaluate(() => window.app.step);

    const saved = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Save model' }).click();
    const model = await (await saved).path();
    const bytes = readFileSync(model);
    assert.equal(bytes.subarray(0, 6).toString('latin1'), 'RNNLAB');

    const exported = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export safetensors' }).click();
    const st = readFileSync(await (await exported).path());
    const headerLength = Number(st.readBigUInt64LE(0));
    const header = JSON.parse(st.subarray(8, 8 + headerLength).toString('utf8'));
    assert.ok('rnn.weight_ih_l0' in header && 'head.weight' in header, Object.keys(header).join(', '));

    await page.getByRole('button', { name: 'Reset' }).click();
    await page.waitForFunction(() => window.app.state === 'none' && window.app.ready, null, { timeout: 30_000 });
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Load model…' }).click();
    await (await chooser).setFiles(model);
    await page.getByText(new RegExp(`Loaded .*: step ${step.toLocaleString('en-US')}`)).waitFor({ timeout: 30_000 });
    assert.equal(await page.evaluate(() => window.app.state), 'paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.waitForFunction((s) => window.app.step > s + 5, step, { timeout: 60_000 });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: 30_000 });

    // A file that is not a model gets the engine's message.
    const chooser2 = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Load model…' }).click();
    await (await chooser2).setFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('just some notes') });
    await page.locator('#file-section').getByRole('alert').getByText(/notes\.txt: not an rnnlab model file/i)
      .waitFor({ timeout: 30_000 });
    assert.deepEqual(page.problems, []);
  });
});
