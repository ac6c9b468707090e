// The longest links the page makes stay within what every browser opens (Firefox: 1,048,572 characters for the
// whole URL): for each preset at its own model size, and for the largest model whose weights still travel in an
// instant link; one size up, the page offers the short link alone and says why. Prints the lengths (short and
// instant) per preset for the notes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LONG, openPlayground, pasteInto, trainExactlyTo, useTwoBrowsers } from './helpers.mjs';

const FIREFOX_MAX_URL = 1_048_572;
const PRESETS = [['hello', 'Hello'], ['prose', 'Prose'], ['code', 'Source code']];

async function share(page) {
  await page.getByRole('button', { name: 'Share', exact: true }).click();
  await page.waitForFunction(() => /^Links ready/.test(document.getElementById('share-message').textContent) &&
    !document.getElementById('share-button').disabled, null, { timeout: LONG });
  const instant = page.getByLabel('Instant link', { exact: true });
  return { short: await page.getByLabel('Short link', { exact: true }).inputValue(),
           instant: (await instant.isVisible()) ? await instant.inputValue() : null,
           instantNote: await page.locator('#share-instant-note').textContent() };
}

// A fresh page on `preset` (its own size unless `size` overrides it), trained for `steps`, then shared.
async function sharedAfter(ctx, url, presetLabel, size = {}, steps = 20) {
  const page = await openPlayground(ctx, url);
  if (await page.evaluate(() => window.app.state !== 'none')) {
    await page.getByRole('button', { name: 'New', exact: true }).click();
    await page.waitForFunction(() => window.app.state === 'none', null, { timeout: LONG });
  }
  await page.getByRole('button', { name: presetLabel, exact: true }).click();
  await page.waitForFunction((p) => window.app.preset === p && window.app.stats, PRESETS.find((x) => x[1] === presetLabel)[0],
    { timeout: LONG });
  for (const [label, value] of Object.entries(size)) await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByLabel('Stop when validation stops improving').uncheck();
  await trainExactlyTo(page, steps);
  const links = await share(page);
  links.parameters = await page.evaluate(() => window.app.parameterCount);
  assert.deepEqual(page.problems, []);
  await page.close();
  return links;
}

describe('link lengths', { timeout: 20 * LONG }, () => {
  let server, a;

  useTwoBrowsers((opened) => ({ server, a } = opened));

  for (const [name, label] of PRESETS) {
    it(`the ${name} preset: a short link under 2,000 characters, an instant link under Firefox's limit`, async () => {
      const links = await sharedAfter(a.ctx, server.url, label);
      assert.match(links.short, new RegExp(`&preset=${name}&calls=20&step=20&crc=`));
      assert.ok(links.short.length < 2000, `short link: ${links.short.length} characters`);
      assert.ok(links.instant, links.instantNote);
      assert.ok(links.instant.length <= FIREFOX_MAX_URL, `instant link: ${links.instant.length} characters`);
      console.log(`# preset ${name} (${links.parameters} parameters): short link ${links.short.length}, ` +
        `instant link ${links.instant.length} characters`);
    });
  }

  it('the largest model that carries its weights stays under the limit; one size up gets the short link alone', async () => {
    const largest = await sharedAfter(a.ctx, server.url, 'Prose', { Layers: '2', 'Hidden units': '240' }, 2);
    assert.ok(largest.instant, largest.instantNote);
    assert.match(largest.instant, /&w=/);
    assert.ok(largest.instant.length <= FIREFOX_MAX_URL, `instant link: ${largest.instant.length} characters`);
    console.log(`# largest with weights: prose, 2 x 240 (${largest.parameters} parameters): instant link ` +
      `${largest.instant.length} characters, short link ${largest.short.length}`);
    const over = await sharedAfter(a.ctx, server.url, 'Prose', { Layers: '2', 'Hidden units': '248' }, 2);
    assert.equal(over.instant, null);
    assert.match(over.instantNote, /No instant link: .* more than the 1,048,572 every browser opens/);
    assert.match(over.short, /&calls=2&step=2&crc=[0-9a-f]{8}$/);
    console.log(`# one size up: prose, 2 x 248 (${over.parameters} parameters): no instant link, short link ${over.short.length}`);
  });

  it('a short link too long for a QR code says so instead of drawing one', async () => {
    const page = await openPlayground(a.ctx, server.url);
    if (await page.evaluate(() => window.app.state !== 'none')) {
      await page.getByRole('button', { name: 'New', exact: true }).click();
      await page.waitForFunction(() => window.app.state === 'none', null, { timeout: LONG });
    }
    let x = 5;
    const letter = () => { x = (x * 1103515245 + 12345) % 2147483648; return 'abcdefghijklmnopqrstuvwxyz '[(x >> 8) % 27]; };
    const text = Array.from({ length: 8000 }, letter).join('');   // deflate cannot shrink this below a QR code's 2,953
    await pasteInto(page, page.getByLabel('Training text'), text);
    await page.waitForFunction((n) => window.app.stats && window.app.stats.chars === n, text.length, { timeout: LONG });
    const links = await share(page);
    assert.ok(links.short.length > 2953);
    assert.match(await page.locator('#share-qr-note').textContent(),
      new RegExp(`No QR code: the short link is ${links.short.length.toLocaleString('en-US')} characters, more than the 2,953 a QR code holds`));
    assert.equal(await page.getByRole('img', { name: 'QR code of the short link' }).isVisible(), false);
    await page.close();
  });

  it('a model that went back to its best weights gets a short link with its text and settings only, and says why', async () => {
    const page = await openPlayground(a.ctx, server.url);
    if (await page.evaluate(() => window.app.state !== 'none')) {
      await page.getByRole('button', { name: 'New', exact: true }).click();
      await page.waitForFunction(() => window.app.state === 'none', null, { timeout: LONG });
    }
    await page.getByRole('button', { name: 'Hello', exact: true }).click();
    await page.waitForFunction(() => window.app.preset === 'hello' && window.app.stats, null, { timeout: LONG });
    // Training stops by itself once validation stops improving, and offers the best model kept so far.
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page.getByRole('button', { name: /^Use the best model/ }).click({ timeout: 3 * LONG });
    await page.getByText(/Now using the best model/).waitFor({ timeout: LONG });
    const links = await share(page);
    assert.ok(!/&calls=/.test(links.short), 'no recipe: training again cannot go back to earlier weights');
    assert.match(links.short, /#v=2&.*&preset=hello$/);
    assert.match(await page.locator('#share-short-note').textContent(),
      /Opens this text and these settings; the receiver presses Train\. It cannot make this model again because it went back to earlier weights/);
    assert.ok(links.instant, 'the instant link carries the model');
    assert.deepEqual(page.problems, []);
    await page.close();
  });
});
