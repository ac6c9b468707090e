// Chromium's links opened in the other engines (issue #16, "How it is checked"): the short link of the default
// experiment (the page's defaults on the Prose preset) at step 300, which the receiver trains again with its progress
// bar to the sender's weights (checksum) and sample; and the longest link the page makes, the instant link of the
// largest model that still carries its weights (prose, 2 x 240, as tests/browser/link_lengths.test.mjs finds), which
// opens ready to sample Chromium's sample. chromiumLinks() makes both in Chromium; openLinksIn() checks them in an
// engine of drivers.mjs.
import assert from 'node:assert/strict';
import { LONG, launchBrowser, openPlayground, trainExactlyTo } from '../browser/helpers.mjs';
import { SAMPLE_LENGTH, SAMPLE_SEED, ready, sample } from './scenario.mjs';

export const SHORT_STEP = 300;
const LARGEST = { Layers: '2', 'Hidden units': '240' };
const FIREFOX_MAX_URL = 1_048_572;

// ---- Chromium, the sender ----

async function chromiumSample(page) {
  const sampling = page.getByRole('region', { name: 'Sample' });
  await sampling.getByLabel('Length').fill(String(SAMPLE_LENGTH));
  await sampling.getByLabel('Seed').fill(String(SAMPLE_SEED));
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await page.waitForFunction(() => window.app.sampleDone && !window.app.sampling, null, { timeout: LONG });
  return page.evaluate(() => window.app.sampleText);
}

async function chromiumShare(page) {
  await page.getByRole('button', { name: 'Share', exact: true }).click();
  await page.waitForFunction(() => /^Links ready/.test(document.getElementById('share-message').textContent) &&
    !document.getElementById('share-button').disabled, null, { timeout: LONG });
  const instant = page.getByLabel('Instant link', { exact: true });
  return { short: await page.getByLabel('Short link', { exact: true }).inputValue(),
           instant: (await instant.isVisible()) ? await instant.inputValue() : null };
}

// A fresh page in `ctx`, `size` on top of the defaults, trained to `steps`, shared and sampled.
async function sharedAndSampled(ctx, url, size, steps) {
  const page = await openPlayground(ctx, url);
  await page.getByRole('button', { name: 'Prose', exact: true }).click();
  await page.waitForFunction(() => window.app.preset === 'prose' && window.app.stats, null, { timeout: LONG });
  for (const [label, value] of Object.entries(size)) await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByLabel('Stop when validation stops improving').uncheck();
  await trainExactlyTo(page, steps);
  const links = await chromiumShare(page);
  const sample = await chromiumSample(page);
  assert.deepEqual(page.problems, []);
  await page.close();
  return { ...links, sample };
}

// Both links and Chromium's samples, each made in a fresh Chromium profile.
export async function chromiumLinks(url) {
  const made = {};
  for (const [name, size, steps] of [['byDefault', {}, SHORT_STEP], ['largest', LARGEST, 2]]) {
    const browser = await launchBrowser();
    try {
      made[name] = await sharedAndSampled(browser.ctx, url, size, steps);
    } finally {
      await browser.close();
    }
  }
  const { byDefault, largest } = made;
  assert.match(byDefault.short, new RegExp(`#v=3&.*&preset=prose&calls=${SHORT_STEP}&step=${SHORT_STEP}&crc=[0-9a-f]{8}`));
  assert.match(largest.instant, /#v=2&.*&w=/, 'the largest model that carries its weights has an instant link');
  assert.ok(largest.instant.length <= FIREFOX_MAX_URL, `the longest link: ${largest.instant.length} characters`);
  return {
    short: { hash: byDefault.short.slice(byDefault.short.indexOf('#')), sample: byDefault.sample,
             crc: byDefault.short.match(/&crc=([0-9a-f]{8})/)[1] },
    longest: { hash: largest.instant.slice(largest.instant.indexOf('#')), length: largest.instant.length,
               sample: largest.sample },
  };
}

// ---- the receiving engine ----

async function openIn(b, url) {
  await b.goto('about:blank');
  await b.goto(url);
  await b.waitFor(ready, null, 120_000, 'the engine');
}

// Chromium's short link: trained again with the progress bar showing, to the sender's checksum and sample.
async function shortLinkIn(b, url, link, log) {
  const started = Date.now();
  await openIn(b, url + link.hash);
  // The bar moves while the model is trained again; read through its accessible name, as a person sees it.
  await b.waitFor(() => !window.app.remade && Number(document.getElementById('remake-progress').value) > 0, null,
    120_000, 'the progress bar of training the shared model again');
  const moved = Number(await b.value('Training the shared model again'));
  const done = await b.waitFor(() => window.app.remade && window.app.state === 'paused' && window.app.remade, null,
    20 * 60_000, `the model trained again to step ${SHORT_STEP}`);
  log(`${b.name}: the short link (${link.hash.length} characters after the address) trained again to step ` +
    `${done.step} in ${Math.round((Date.now() - started) / 1000)} s (the bar was at ${moved} when read)`);
  assert.ok(moved > 0 && moved <= SHORT_STEP, `${b.name}: the progress bar shows the steps done (${moved})`);
  assert.deepEqual(done, { step: SHORT_STEP, crc: link.crc, expected: link.crc, matches: true },
    `${b.name}: the weights trained again have the sender's checksum`);
  const said = await b.evaluate(() => document.getElementById('link-message').textContent);
  assert.match(said, new RegExp(`step ${SHORT_STEP}: its weights match the sender's bit for bit \\(checksum ${link.crc}\\)`));
  assert.equal(await sample(b), link.sample, `${b.name}: the same seed gives Chromium's sample`);
}

// Chromium's longest link (the largest model with its weights) opens ready and samples what Chromium sampled.
async function longestLinkIn(b, url, link, log) {
  await openIn(b, url + link.hash);
  await b.waitFor(() => window.app.linkOpened === 1 && window.app.state === 'paused', null, 120_000,
    `the ${link.length}-character link`);
  assert.equal(await b.evaluate(() => window.app.step), 2, `${b.name}: the link's model is at the sender's step`);
  assert.equal(await sample(b), link.sample, `${b.name}: the longest link samples what Chromium sampled`);
  log(`${b.name}: the longest link (${link.length} characters) opens and samples Chromium's sample`);
}

export async function openLinksIn(b, url, links, log = () => {}) {
  await shortLinkIn(b, url, links.short, log);
  await longestLinkIn(b, url, links.longest, log);
  assert.deepEqual(b.problems, [], `${b.name}: no errors in the page`);
}
