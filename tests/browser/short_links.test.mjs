// Short links (the recipe: text or preset, settings, seed, steps, mid-run changes and a checksum of the weights)
// and the limit on every link the page makes (Firefox opens URLs of at most 1,048,572 characters).
// The default experiment shared at step 300 is trained again in a fresh browser, which ends with the sender's
// weights (same checksum) and the sender's sample for the same seed; a tampered checksum is reported; each preset's
// links and the largest model that still travels with its weights stay under the limit; a model too big for an
// instant link gets the message and a short link, and the short link gets a QR code.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import {
  LONG, atPhoneWidth, openPlayground, preparePractice, screenshotPath, trainExactlyTo, useTwoBrowsers,
} from './helpers.mjs';

const FIREFOX_MAX_URL = 1_048_572;

async function share(page) {
  await page.getByRole('button', { name: 'Share', exact: true }).click();
  await page.waitForFunction(() => /^Links ready/.test(document.getElementById('share-message').textContent) &&
    !document.getElementById('share-button').disabled, null, { timeout: LONG });
  const instantShown = await page.getByLabel('Instant link', { exact: true }).isVisible();
  return {
    short: await page.getByLabel('Short link', { exact: true }).inputValue(),
    instant: instantShown ? await page.getByLabel('Instant link', { exact: true }).inputValue() : null,
    instantNote: await page.locator('#share-instant-note').textContent(),
    shortNote: await page.locator('#share-short-note').textContent(),
  };
}

// Replaces the clipboard's write() with one that records whether it was called while the Share button's click was
// still being handled (a listener added now runs right after the page's own), and the text it was given.
async function watchClipboard(page) {
  await page.evaluate(() => {
    const button = document.getElementById('share-button');
    let inClick = false;
    button.addEventListener('click', () => { inClick = false; });
    button.addEventListener('pointerdown', () => { inClick = true; });
    button.addEventListener('mousedown', () => { inClick = true; });
    navigator.clipboard.write = async (items) => {
      const record = { calledInClick: inClick, text: null };
      window.__clipboard = record;
      record.text = await (await items[0].getType('text/plain')).text();
    };
  });
}

// What a QR code scanner reads from the image (zbarimg, from Debian's zbar-tools, which build.sh installs).
function scanQr(png) {
  try {
    return execFileSync('zbarimg', ['-q', '--raw', png], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch (e) {
    if (e.code === 'ENOENT') assert.fail('zbarimg is missing: install zbar-tools (./build.sh does)');
    return `no QR code found (zbarimg exit ${e.status})`;
  }
}

async function sampleNow(page) {
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await page.waitForFunction(() => window.app.sampleDone && !window.app.sampling, null, { timeout: LONG });
  return page.evaluate(() => window.app.sampleText);
}

// Opens a short link in `ctx` and waits until its model is trained again; resolves to the page and window.app.remade.
// bar: the progress bar must be seen first (a small model may be made again before the page is even checked).
async function openShort(ctx, url, { bar = false } = {}) {
  const page = await openPlayground(ctx, url.replace(/#.*$/, ''), url.slice(url.indexOf('#')));
  if (bar) await page.getByRole('progressbar', { name: 'Training the shared model again' }).waitFor({ timeout: LONG });
  await page.waitForFunction(() => window.app.remade && window.app.state === 'paused', null, { timeout: 4 * LONG });
  return { page, remade: await page.evaluate(() => window.app.remade) };
}

describe('short links', { timeout: 20 * LONG }, () => {
  let server, a, b, shortLink, senderSample, smallLink;

  useTwoBrowsers((opened) => ({ server, a, b } = opened));

  it('the default experiment at step 300: a fresh browser trains it again to the same weights and sample', async () => {
    const page = await openPlayground(a.ctx, server.url);
    await page.getByLabel('Stop when validation stops improving').uncheck();
    await page.locator('#smp-seed').fill('5');
    await page.getByLabel('Length').fill('200');
    await trainExactlyTo(page, 300);
    await watchClipboard(page);
    const links = await share(page);
    // The copy was started within the click (WebKit refuses one after awaiting the worker) and holds the short link.
    assert.deepEqual(await page.evaluate(() => window.__clipboard), { calledInClick: true, text: links.short });
    shortLink = links.short;
    assert.match(shortLink, /#v=3&.*&preset=prose&calls=300&step=300&crc=[0-9a-f]{8}&edits=r300$/);
    assert.ok(shortLink.length < 600, `short link: ${shortLink.length} characters`);
    assert.match(links.shortNote, /Trains the same model again in the receiver's browser, to step 300/);
    assert.match(links.instant, /#v=2&.*&w=/);
    assert.ok(links.instant.length <= FIREFOX_MAX_URL);
    assert.match(links.instantNote, /Carries the weights: opens ready to sample/);
    const qr = page.getByRole('img', { name: 'QR code of the short link' });
    await qr.waitFor();
    await qr.screenshot({ path: screenshotPath('share-qr.png') });
    assert.equal(scanQr(screenshotPath('share-qr.png')), shortLink, 'a scanner reads the short link from the QR code');
    console.log(`# default experiment at step 300: short link ${shortLink.length}, instant link ${links.instant.length} characters`);
    await page.locator('#file-section').screenshot({ path: screenshotPath('share-links-1280.png') });
    await atPhoneWidth(page, () => page.locator('#file-section').screenshot({ path: screenshotPath('share-links-375.png') }));
    senderSample = await sampleNow(page);
    assert.equal(senderSample.length, 200);
    assert.deepEqual(page.problems, []);
    await page.close();

    const { page: other, remade } = await openShort(b.ctx, shortLink, { bar: true });
    assert.equal(remade.step, 300);
    assert.equal(remade.crc, shortLink.match(/crc=([0-9a-f]{8})/)[1]);
    assert.equal(remade.matches, true);
    assert.match(await other.getByRole('alert').filter({ hasText: 'shared model' }).textContent(),
      /weights match the sender's bit for bit/);
    await other.waitForFunction(() => window.app.runs.length === 1, null, { timeout: LONG });   // the link adds a run
    assert.equal(await sampleNow(other), senderSample);
    assert.deepEqual(other.problems, []);
    await other.close();
  });

  it('a person can stop the training again from the keyboard; the link\'s text and settings stay', async () => {
    const page = await openPlayground(b.ctx, server.url, shortLink.slice(shortLink.indexOf('#')));
    const bar = page.getByRole('progressbar', { name: 'Training the shared model again' });
    await bar.waitFor({ timeout: LONG });
    await page.waitForFunction(() => Number(document.getElementById('remake-progress').value) > 0, null, { timeout: LONG });
    await page.screenshot({ path: screenshotPath('short-link-opening-1280.png') });
    await page.getByRole('button', { name: 'Stop training the shared model' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.app.remade && window.app.remade.stopped, null, { timeout: LONG });
    await bar.waitFor({ state: 'hidden' });
    assert.match(await page.getByRole('alert').filter({ hasText: 'Stopped' }).textContent(), /press Train to train it anew/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'link-message', 'focus stays on what happened');
    assert.equal(await page.getByRole('button', { name: 'Prose', exact: true }).getAttribute('aria-pressed'), 'true');
    await page.waitForFunction(() => window.app.ready && window.app.state === 'none', null, { timeout: LONG });
    assert.deepEqual(page.problems, []);
    await page.close();
  });

  it('a typed text with mid-run changes and a reload in between: the short link still makes the same model', async () => {
    const page = await openPlayground(a.ctx, server.url);
    if (await page.evaluate(() => window.app.state !== 'none')) {
      await page.getByRole('button', { name: 'New', exact: true }).click();
      await page.waitForFunction(() => window.app.state === 'none', null, { timeout: LONG });
    }
    await preparePractice(page);
    await page.getByLabel('Stop when validation stops improving').uncheck();
    await page.locator('#smp-seed').fill('3');
    await page.getByLabel('Length').fill('150');
    await trainExactlyTo(page, 20);
    await page.getByLabel('Learning rate').fill('0.005');
    await page.getByLabel('Learning rate').press('Tab');
    await page.getByText(/Learning rate changed to 0\.005/).waitFor({ timeout: LONG });
    await page.getByLabel('Gradient clipping').selectOption('value');
    await page.getByText(/Gradient clipping by value at 5 from step 20 on/).waitFor({ timeout: LONG });
    await trainExactlyTo(page, 40);
    await page.waitForFunction(() => window.app.savedStep === 40, null, { timeout: LONG });
    await page.reload();
    await page.waitForFunction(() => window.app && window.app.restoredStep !== undefined && window.app.state === 'paused',
      null, { timeout: LONG });
    assert.equal(await page.evaluate(() => window.app.recipe.events.length), 2, 'the recipe came back with the run');
    await page.locator('#smp-seed').fill('3');
    await page.getByLabel('Length').fill('150');
    await trainExactlyTo(page, 50);
    const links = await share(page);
    smallLink = links.short;
    assert.match(links.short, /&text=[A-Za-z0-9_-]+&calls=50&step=50&crc=[0-9a-f]{8}&edits=l20_0\.005~c20_value_5~r50$/);
    const senderSample = await sampleNow(page);
    await page.close();

    const { page: other, remade } = await openShort(b.ctx, links.short);
    assert.equal(remade.matches, true, JSON.stringify(remade));
    assert.equal(remade.step, 50);
    assert.equal(await other.getByLabel('Learning rate').inputValue(), '0.005');
    assert.equal(await sampleNow(other), senderSample);
    assert.deepEqual(other.problems, []);
    await other.close();
  });

  it('reports a tampered checksum plainly (the small model of the test above, quick to train again)', async () => {
    const look = await openPlayground(b.ctx, server.url);
    await look.waitForFunction(() => window.app.runs.length > 0, null, { timeout: LONG });
    const runsBefore = await look.evaluate(() => window.app.runs.length);
    await look.close();
    const crc = smallLink.match(/crc=([0-9a-f]{8})/)[1];
    const wrong = ((parseInt(crc, 16) ^ 1) >>> 0).toString(16).padStart(8, '0');   // >>> 0: a checksum over 2^31 stays unsigned
    const { page, remade } = await openShort(b.ctx, smallLink.replace(`crc=${crc}`, `crc=${wrong}`));
    assert.equal(remade.matches, false);
    assert.equal(remade.crc, crc);
    const alert = await page.getByRole('alert').filter({ hasText: 'shared model' }).textContent();
    assert.match(alert, new RegExp(`weights differ from the sender's \\(checksum ${crc}, the link says ${wrong}\\)`));
    await page.waitForFunction((n) => window.app.runs.length === n + 1, runsBefore, { timeout: LONG });   // one more run, none lost
    await atPhoneWidth(page, () => page.locator('header').screenshot({ path: screenshotPath('short-link-mismatch-375.png') }));
    await page.close();
  });
});
