// Share links with trained weights: train a little, Share, open the link in a fresh browser, and without pressing
// Train the receiver samples exactly the sender's text for the same seed. Links whose weights are cut short, made
// for another model size or by a newer rnnlab open their text and settings with a message; a model too large for a
// link gets a link without weights and is pointed to the model file.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import './node_compat.mjs';   // deflate-raw for Node 18
import {
  LONG, SMALL, openPlayground, preparePractice, trainTo, useTwoBrowsers, watchDialogs,
} from './helpers.mjs';
import { base64urlDecode, base64urlEncode, deflate, inflate } from '../../web/static/run/link_schema.js';

async function sampleNow(page) {
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await page.waitForFunction(() => window.app.sampleDone && !window.app.sampling, null, { timeout: LONG });
  return page.evaluate(() => window.app.sampleText);
}

// Share: url is the instant link (null without one), short the short link, message what the section says.
async function share(page) {
  await page.getByRole('button', { name: 'Share', exact: true }).click();
  await page.waitForFunction(() => /^Links ready/.test(document.getElementById('share-message').textContent) &&
    !document.getElementById('share-button').disabled && window.app.shareUrl, null, { timeout: LONG });
  const instant = page.getByLabel('Instant link', { exact: true });
  return { url: (await instant.isVisible()) ? await instant.inputValue() : null,
           short: await page.getByLabel('Short link', { exact: true }).inputValue(),
           message: (await page.locator('#share-panel').textContent()).replace(/\s+/g, ' ') };
}

// Rewrites the link's w= payload (inflated bytes) with `edit`, or replaces the packed text itself.
async function withWeights(url, edit) {
  const [head, packed] = url.split('&w=');
  const bytes = await inflate(base64urlDecode(packed), 4 * 1024 * 1024);
  const out = edit(Uint8Array.from(bytes));
  return `${head}&w=${typeof out === 'string' ? out : base64urlEncode(await deflate(out))}`;
}

describe('share links with trained weights', { timeout: 8 * LONG }, () => {
  let server, a, b, link, senderSample, senderStep;

  useTwoBrowsers((opened) => ({ server, a, b } = opened));

  it('the receiver samples exactly what the sender samples, without training', async () => {
    const page = await openPlayground(a.ctx, server.url);
    await preparePractice(page);
    await page.getByLabel('Length').fill('300');
    await page.locator('#smp-seed').fill('5');
    await page.getByLabel('Start with (prime)').fill('The ');
    senderStep = await trainTo(page, 60);
    const shared = await share(page);
    link = shared.url;
    assert.match(link, /#v=2&.*&w=[A-Za-z0-9_-]+$/);
    assert.match(shared.message, new RegExp(`Weights of step ${senderStep.toLocaleString('en-US')} rounded to 8 bits for the link`));
    assert.match(shared.message, /validation \d\.\d{3} → \d\.\d{3} bits\/char/);
    assert.equal(await page.evaluate(() => window.app.shareWeights), 'included');
    const rounding = await page.evaluate(() => window.app.linkRounding);
    console.log(`# link with weights after ${senderStep} steps: ${link.length} characters; validation ` +
      `${rounding.before.toFixed(4)} -> ${rounding.after.toFixed(4)} bits/char`);
    senderSample = await sampleNow(page);
    assert.ok(senderSample.length === 300);
    assert.deepEqual(page.problems, []);
    await page.close();

    const other = await openPlayground(b.ctx, server.url, link.slice(link.indexOf('#')));
    await other.waitForFunction(() => window.app.linkOpened === 1 && window.app.state === 'paused', null, { timeout: LONG });
    assert.match(await other.locator('#link-message').textContent(), new RegExp(`Opened a shared model, trained for ${senderStep} steps`));
    assert.equal(await other.evaluate(() => window.app.step), senderStep);
    assert.equal(await other.getByRole('button', { name: 'Resume' }).isEnabled(), true);
    assert.equal(await other.getByLabel('Hidden units').inputValue(), SMALL['Hidden units']);
    assert.equal(await other.locator('#smp-seed').inputValue(), '5');
    assert.equal(await sampleNow(other), senderSample);
    // Once the receiver's run is kept, the link leaves the address: a reload brings back that run, not the link.
    await other.waitForFunction(() => location.hash === '', null, { timeout: LONG });
    const trained = await trainTo(other, senderStep + 20);
    await other.reload();
    await other.waitForFunction(() => window.app && window.app.restoredStep !== undefined && window.app.state === 'paused',
      null, { timeout: LONG });
    assert.equal(await other.evaluate(() => window.app.step), trained);
    assert.deepEqual(other.problems, []);
    await other.close();
  });

  const BAD = [
    ['weights cut short', async (url) => url.slice(0, url.indexOf('&w=') + 3 + Math.floor((url.length - url.indexOf('&w=')) / 2)),
      /cut off or damaged/],
    ['weights for another model size', async (url) => (await withWeights(url, (w) => w)).replace('&hidden=32&', '&hidden=33&'),
      /parameters, but the model the link's settings describe has/],
    ['weights from a newer rnnlab', (url) => withWeights(url, (w) => { w[4] = 9; return w; }), /newer version of rnnlab \(weights format 9/],
    ['weights with a flipped bit', (url) => withWeights(url, (w) => { w[200] ^= 4; return w; }), /damaged \(checksum mismatch\)/],
  ];
  for (const [what, make, pattern] of BAD) {
    it(`a link with ${what} opens its text and settings, says why, and the page works`, async () => {
      const hash = (await make(link)).replace(/^[^#]*/, '');
      const page = await b.ctx.newPage();
      watchDialogs(page);
      page.problems = [];
      page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
      await page.goto(server.url + hash);
      await page.waitForFunction(() => window.app && window.app.linkOpened === 1 && window.app.ready, null, { timeout: LONG });
      const shown = await page.locator('#link-message').textContent();
      assert.match(shown, /its text and settings are filled in, but its trained weights could not be used/);
      assert.match(shown, pattern);
      assert.equal(await page.evaluate(() => window.app.state), 'none');
      assert.equal(await page.getByLabel('Hidden units').inputValue(), what.includes('size') ? '33' : '32');
      // The page works: it trains the link's experiment.
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      await page.waitForFunction(() => window.app.step >= 3, null, { timeout: LONG });
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: LONG });
      assert.equal(await page.evaluate(() => document.querySelectorAll('img, main script, iframe').length), 0);
      assert.deepEqual(page.dialogs, []);
      assert.deepEqual(page.problems, []);
      await page.getByRole('button', { name: 'New', exact: true }).click();
      await page.close();
    });
  }

  it('a model too large for a link gets a link without weights and a pointer to the model file', async () => {
    const page = await openPlayground(a.ctx, server.url);
    // This browser kept the first test's run: start afresh.
    await page.getByRole('button', { name: 'New', exact: true }).click();
    await page.waitForFunction(() => window.app.state === 'none' && window.app.ready, null, { timeout: LONG });
    await preparePractice(page, { ...SMALL, 'Hidden units': '640', Layers: '2' });
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page.waitForFunction(() => window.app.state === 'training' && window.app.step >= 1, null, { timeout: 3 * LONG });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: LONG });
    const { url, short, message } = await share(page);
    assert.equal(url, null, 'no instant link');
    assert.equal(await page.getByLabel('Instant link', { exact: true }).isVisible(), false);
    assert.match(message, /No instant link: this model's weights \([\d,]+ bytes at 8 bits\) could make a link of up to [\d,]+ characters, more than the 1,048,572 every browser opens/);
    assert.match(message, /Save model gives a file/);
    // The short link makes the same model again, and has a QR code.
    assert.match(short, /#v=3&.*&hidden=640&.*&calls=\d+&step=\d+&crc=[0-9a-f]{8}$/);
    assert.ok(!short.includes('&w='));
    await page.getByRole('img', { name: 'QR code of the short link' }).waitFor();
    assert.ok(await page.getByRole('button', { name: 'Save model' }).isEnabled());
    assert.deepEqual(page.problems, []);
    await page.getByRole('button', { name: 'New', exact: true }).click();
    await page.close();
  });
});
