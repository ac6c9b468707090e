// Share links in the page: make one after a little training, open it in a fresh browser profile (same text, same
// settings, and after the same steps the same sample for the same seed); bad and hostile links give a message and
// a working page with the defaults, and nothing from a link becomes markup or runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import './node_compat.mjs';   // deflate-raw for Node 18
import { LONG, openPlayground, pasteInto, practiceText, useTwoBrowsers } from './helpers.mjs';
import { base64urlEncode, deflate } from '../../web/static/run/link_schema.js';

const SETTINGS = { 'Hidden units': '32', 'Unroll (steps)': '16', 'Batch (streams)': '8', 'Learning rate': '0.01' };

// Trains until the timeline sample of step 50 (taken with a fixed seed at exactly that step), then pauses.
async function trainToStep50(page) {
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForFunction(() => window.app.timeline.some((t) => t.step === 50), null, { timeout: LONG });
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: LONG });
  return page.evaluate(() => window.app.timeline.find((t) => t.step === 50).text);
}

async function watch(page) {
  page.dialogs = [];
  page.on('dialog', (d) => { page.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
}

async function assertDefaults(page) {
  await page.waitForFunction(() => document.querySelector('.preset[data-preset="prose"]').getAttribute('aria-pressed') === 'true',
    null, { timeout: 30_000 });
  assert.equal(await page.getByLabel('Layers').inputValue(), '2');
  assert.equal(await page.getByLabel('Hidden units').inputValue(), '96');   // the prose preset's size
}

describe('share links', { timeout: 6 * LONG }, () => {
  let server, a, b;
  const text = practiceText();

  useTwoBrowsers((opened) => ({ server, a, b } = opened));

  it('reopens the same experiment in a fresh browser, and the same steps give the same sample', async () => {
    const page = await openPlayground(a.ctx, server.url);
    await pasteInto(page, page.getByLabel('Training text'), text);
    await page.waitForFunction((n) => window.app.stats && window.app.stats.chars === n, text.length, { timeout: 30_000 });
    for (const [label, value] of Object.entries(SETTINGS)) await page.getByLabel(label).fill(value);
    await page.locator('#cfg-seed').fill('7');
    await page.locator('#smp-seed').fill('5');
    await page.getByLabel('Start with (prime)').fill('The & <b>');
    await page.getByLabel('Cell', { exact: true }).selectOption('gru');

    // From the keyboard, before any training: a link without weights (share_weights.test.mjs has those).
    await page.getByRole('button', { name: 'Share', exact: true }).focus();
    await page.keyboard.press('Enter');
    const box = page.getByLabel('Short link', { exact: true });
    await box.waitFor({ state: 'visible' });
    const url = await box.inputValue();
    assert.match(url, /#v=2&/);
    assert.match(url, /&seed=7&/);
    assert.ok(!url.includes('&w='));
    assert.match(await page.locator('#share-message').textContent(), /Links ready/);
    assert.match(await page.locator('#share-short-note').textContent(), /Opens this text and these settings; the receiver presses Train/);
    assert.equal(await page.getByLabel('Instant link', { exact: true }).isVisible(), false, 'no model, no instant link');
    const sampleA = await trainToStep50(page);
    assert.deepEqual(page.problems, []);

    const other = await openPlayground(b.ctx, url.replace(/#.*$/, ''), url.slice(url.indexOf('#')));
    await other.waitForFunction(() => window.app.linkOpened === 1, null, { timeout: 30_000 });
    assert.equal(await other.getByLabel('Training text').inputValue(), text);
    for (const [label, value] of Object.entries(SETTINGS)) assert.equal(await other.getByLabel(label).inputValue(), value, label);
    assert.equal(await other.locator('#cfg-seed').inputValue(), '7');
    assert.equal(await other.locator('#smp-seed').inputValue(), '5');
    assert.equal(await other.getByLabel('Cell', { exact: true }).inputValue(), 'gru');
    assert.equal(await other.getByLabel('Start with (prime)').inputValue(), 'The & <b>');
    assert.match(await other.getByRole('alert').filter({ hasText: 'shared experiment' }).textContent(), /Press Train/);
    await other.waitForFunction((n) => window.app.stats && window.app.stats.chars === n, text.length, { timeout: 30_000 });
    const sampleB = await trainToStep50(other);
    assert.equal(sampleB, sampleA);
    assert.deepEqual(other.problems, []);
    await page.close();
    await other.close();
  });

  it('opens a preset link to the preset', async () => {
    const page = await openPlayground(b.ctx, server.url, '#v=1&preset=hello&layers=1&hidden=16');
    await page.waitForFunction(() => window.app.linkOpened === 1, null, { timeout: 30_000 });
    assert.equal(await page.getByRole('button', { name: 'Hello' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await page.getByLabel('Hidden units').inputValue(), '16');
    await page.close();
  });

  it('shows link text as text: markup in a link never becomes an element or runs', async () => {
    const hostile = 'x<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2</script>\n'.repeat(20);
    const packed = base64urlEncode(await deflate(new TextEncoder().encode(hostile)));
    const page = await b.ctx.newPage();
    await watch(page);
    await page.goto(server.url + '#v=1&prime=%3Cimg%20src%3Dx%20onerror%3Dalert(3)%3E&text=' + packed);
    await page.waitForFunction(() => window.app && window.app.linkOpened === 1, null, { timeout: 60_000 });
    assert.equal(await page.getByLabel('Training text').inputValue(), hostile);
    assert.equal(await page.getByLabel('Start with (prime)').inputValue(), '<img src=x onerror=alert(3)>');
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => document.querySelectorAll('img, main script, iframe').length), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.deepEqual(page.dialogs, []);
    await page.close();
  });

  const BAD = [
    ['a future version', '#v=99&preset=prose', /newer version of rnnlab/],
    ['a wrong type', '#v=1&preset=prose&layers=lots', /layers must be a whole number/],
    ['an unknown preset', '#v=1&preset=%3Cscript%3E', /unknown preset/],
    ['a damaged text', '#v=1&text=!!!notbase64', /base64url/],
    ['a truncated text', '#v=1&text=C0lNy', /cut off or damaged/],
  ];
  for (const [what, hash, pattern] of BAD) {
    it(`explains ${what} and starts with the defaults`, async () => {
      const page = await b.ctx.newPage();
      await watch(page);
      page.problems = [];
      page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
      await page.goto(server.url + hash);
      const alert = page.locator('#link-message');
      await alert.waitFor({ state: 'visible', timeout: 60_000 });
      const shown = await alert.textContent();
      assert.match(shown, /could not be opened/);
      assert.match(shown, pattern);
      await assertDefaults(page);
      assert.equal(await page.evaluate(() => document.querySelectorAll('img, main script').length), 0);
      assert.deepEqual(page.dialogs, []);
      assert.deepEqual(page.problems, []);
      await page.close();
    });
  }

  it('a compression bomb is refused as too large', async () => {
    const packed = base64urlEncode(await deflate(new Uint8Array(8 * 1024 * 1024).fill(97)));
    const page = await b.ctx.newPage();
    await page.goto(server.url + '#v=1&text=' + packed);
    const alert = page.locator('#link-message');
    await alert.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await alert.textContent(), /The text in the link is larger than [\d,]+ bytes: ask whoever sent it for the model file instead/);
    await assertDefaults(page);
    await page.close();
  });
});
