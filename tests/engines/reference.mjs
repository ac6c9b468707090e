// Chromium's run of the scenario's experiment (scenario.mjs), the reference the other engines must match exactly:
// the Hello preset trained with the scenario's seed to step 40 without interruption, the loss at each step, the
// seeded sample at step 40, and (after training on to step 400) a share link with the weights of step 400 and the
// sample it gives in a fresh Chromium profile.
import assert from 'node:assert/strict';
import { launchBrowser, lossesByStep, openPlayground, trainExactlyTo } from '../browser/helpers.mjs';
import { LONG_STEPS, SAMPLE_LENGTH, SAMPLE_SEED, SEED, STEPS } from './scenario.mjs';

async function sampleNow(page) {
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await page.waitForFunction(() => window.app.sampleDone && !window.app.sampling, null, { timeout: 120_000 });
  return page.evaluate(() => window.app.sampleText);
}

export async function chromiumReference(url) {
  const sender = await launchBrowser();
  const receiver = await launchBrowser();
  try {
    const page = await openPlayground(sender.ctx, url);
    await page.getByRole('button', { name: 'Hello' }).click();
    await page.waitForFunction(() => window.app.stats && window.app.stats.chars < 5000, null, { timeout: 30_000 });
    await page.getByLabel('Stop when validation stops improving').uncheck();
    await page.getByRole('region', { name: 'Model and training settings' }).getByLabel('Seed').fill(String(SEED));
    await trainExactlyTo(page, STEPS);
    const losses = await lossesByStep(page);
    const sampling = page.getByRole('region', { name: 'Sample' });
    await sampling.getByLabel('Length').fill(String(SAMPLE_LENGTH));
    await sampling.getByLabel('Seed').fill(String(SAMPLE_SEED));
    const sample = await sampleNow(page);
    await trainExactlyTo(page, LONG_STEPS);
    await page.getByRole('button', { name: 'Share', exact: true }).click();
    await page.waitForFunction(() => window.app.shareUrl && window.app.shareWeights === 'included', null, { timeout: 120_000 });
    const link = await page.getByLabel('Instant link', { exact: true }).inputValue();   // named "Share link" before short links
    assert.deepEqual(page.problems, []);

    const other = await openPlayground(receiver.ctx, url, link.slice(link.indexOf('#')));
    await other.waitForFunction(() => window.app.linkOpened === 1 && window.app.state === 'paused', null, { timeout: 120_000 });
    const linkSample = await sampleNow(other);
    assert.deepEqual(other.problems, []);
    return { losses, sample, hash: link.slice(link.indexOf('#')), linkStep: LONG_STEPS, linkSample };
  } finally {
    await sender.close();
    await receiver.close();
  }
}
