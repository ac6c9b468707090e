// Short links (the recipe: text or preset, settings, seed, steps, mid-run changes and a checksum of the weights)
// and the limit on every link the page makes (Firefox opens URLs of at most 1,048,572 characters).
// The default experiment shared at step 300 is trained again in a fresh browser, which ends with the sender's
// weights (same checksum) and the sender's sample for the same seed; a tampered checksum is reported; each preset's
// links and the largest model that still travels with its weights stay under the limit; a model too big for an
// instant link gets the message and a short link, and the short link gets a QR code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LONG, openPlayground, screenshotPath, trainExactlyTo, useTwoBrowsers, atPhoneWidth } from './helpers.mjs';

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

async function sampleNow(page) {
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await page.waitForFunction(() => window.app.sampleDone && !window.app.sampling, null, { timeout: LONG });
  return page.evaluate(() => window.app.sampleText);
}

// Opens a short link in `ctx` and waits until its model is trained again; resolves to the page and window.app.remade.
async function openShort(ctx, url) {
  const page = await openPlayground(ctx, url.replace(/#.*$/, ''), url.slice(url.indexOf('#')));
  await page.getByRole('progressbar', { name: 'Training the shared model again' }).waitFor({ state: 'attached', timeout: LONG });
  await page.waitForFunction(() => window.app.remade && window.app.state === 'paused', null, { timeout: 4 * LONG });
  return { page, remade: await page.evaluate(() => window.app.remade) };
}

describe('short links', { timeout: 20 * LONG }, () => {
  let server, a, b, shortLink, senderSample;

  useTwoBrowsers((opened) => ({ server, a, b } = opened));

  it('the default experiment at step 300: a fresh browser trains it again to the same weights and sample', async () => {
    const page = await openPlayground(a.ctx, server.url);
    await page.getByLabel('Stop when validation stops improving').uncheck();
    await page.locator('#smp-seed').fill('5');
    await page.getByLabel('Length').fill('200');
    await trainExactlyTo(page, 300);
    const links = await share(page);
    shortLink = links.short;
    assert.match(shortLink, /#v=3&.*&preset=prose&calls=300&step=300&crc=[0-9a-f]{8}&edits=r300$/);
    assert.ok(shortLink.length < 600, `short link: ${shortLink.length} characters`);
    assert.match(links.shortNote, /Trains the same model again in the receiver's browser, to step 300/);
    assert.match(links.instant, /#v=2&.*&w=/);
    assert.ok(links.instant.length <= FIREFOX_MAX_URL);
    assert.match(links.instantNote, /Carries the weights: opens ready to sample/);
    await page.getByRole('img', { name: 'QR code of the short link' }).waitFor();
    console.log(`# default experiment at step 300: short link ${shortLink.length}, instant link ${links.instant.length} characters`);
    await page.locator('#file-section').screenshot({ path: screenshotPath('share-links-1280.png') });
    await atPhoneWidth(page, () => page.locator('#file-section').screenshot({ path: screenshotPath('share-links-375.png') }));
    senderSample = await sampleNow(page);
    assert.equal(senderSample.length, 200);
    assert.deepEqual(page.problems, []);
    await page.close();

    const { page: other, remade } = await openShort(b.ctx, shortLink);
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

  it('reports a tampered checksum plainly', async () => {
    const crc = shortLink.match(/crc=([0-9a-f]{8})/)[1];
    const wrong = (parseInt(crc, 16) ^ 1).toString(16).padStart(8, '0');
    const { page, remade } = await openShort(b.ctx, shortLink.replace(`crc=${crc}`, `crc=${wrong}`));
    assert.equal(remade.matches, false);
    assert.equal(remade.crc, crc);
    const alert = await page.getByRole('alert').filter({ hasText: 'shared model' }).textContent();
    assert.match(alert, new RegExp(`weights differ from the sender's \\(checksum ${crc}, the link says ${wrong}\\)`));
    await page.waitForFunction(() => window.app.runs.length === 2, null, { timeout: LONG });   // a second run, the first kept
    await page.close();
  });
});
