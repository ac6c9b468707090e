// "Gradient norm per step": train with a low clipping threshold and see the threshold line and the clipped steps in
// the chart (and in its text alternative), then switch clipping off on the running model and see that no step is
// clipped any more; switch it on again. A screenshot goes to build/screenshots/.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LONG, atPhoneWidth, ONE_LAYER, preparePractice, screenshotPath, usePlayground } from './helpers.mjs';

describe('gradient norm per step, with clipping on and off', { timeout: 4 * LONG }, () => {
  let page;
  usePlayground((opened) => ({ page } = opened));
  const gn = () => page.evaluate(() => {
    const g = window.app.gradNorm;
    return { steps: g.steps.slice(), clipped: g.clipped.slice(), norms: g.norms.slice(), mode: g.mode,
             threshold: g.threshold, switches: g.switches.slice() };
  });
  const chart = () => page.getByRole('img', { name: /^Gradient norm/ });

  it('marks the clipped steps and draws the threshold', async () => {
    await preparePractice(page, ONE_LAYER);
    // This test trains on past the best validation loss: the automatic stop (on by default) would pause it.
    await page.getByLabel('Stop when validation stops improving').uncheck();
    await page.getByLabel('Gradient clipping').selectOption('norm');
    await page.getByLabel('Clip threshold', { exact: true }).fill('0.15');   // norms here: 0.08-0.35, so about half clip
    await page.waitForFunction(() => /parameters/.test(document.getElementById('model-size').textContent));
    await page.locator('#gn-heading').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page.waitForFunction(() => window.app.gradNorm.steps.length >= 120, null, { timeout: LONG, polling: 250 });
    const g = await gn();
    assert.equal(g.mode, 'norm');
    assert.ok(Math.abs(g.threshold - 0.15) < 1e-6, `threshold ${g.threshold}`);
    const clipped = g.clipped.filter(Boolean).length;
    assert.ok(clipped >= 10, `${clipped} of ${g.steps.length} steps clipped`);
    // Every step above the threshold was clipped, and only those.
    g.norms.forEach((n, i) => assert.equal(g.clipped[i], n > g.threshold, `step ${g.steps[i]}: norm ${n}`));
    assert.equal(await page.getByRole('checkbox', { name: 'Clip gradients' }).isChecked(), true);
    // The words follow the chart within a second (they are not rewritten at every report).
    await page.waitForFunction(() => /of them clipped/.test(document.getElementById('gn-chart').getAttribute('aria-label')),
      null, { timeout: 10_000 });
    const label = await chart().getAttribute('aria-label');
    assert.match(label, /log scale, steps 1 to [\d,]+: .* median norm is [\d.e+-]+ .*; \d+ of them clipped\. Clipping at a global norm of 0\.15\./);
    const legend = await page.locator('#gn-chart').locator('xpath=..').locator('figcaption').textContent();
    assert.match(legend, /gradient norm per step.*clip threshold.*clipped step/s);
  });

  it('shows what happens with clipping off: the running model reports no clipped steps', async () => {
    await page.getByRole('checkbox', { name: 'Clip gradients' }).uncheck();
    await page.waitForFunction(() => window.app.gradNorm.switches.some((s) => !s.on), null, { timeout: 30_000 });
    const off = (await gn()).switches.find((s) => !s.on).step;
    await page.waitForFunction((s) => window.app.gradNorm.steps.at(-1) >= s + 60, off, { timeout: LONG, polling: 250 });
    const g = await gn();
    assert.equal(g.mode, 'none');
    // The switch applies between two chunks: steps already running may finish clipped; from the next chunk on, none.
    const firstAfter = g.steps.findIndex((s) => s > off + 10);
    const after = g.clipped.slice(firstAfter);
    assert.ok(after.length >= 40, `${after.length} steps after clipping was switched off`);
    assert.equal(after.filter(Boolean).length, 0, 'no step clipped with clipping off');
    assert.equal(await page.getByLabel('Gradient clipping').inputValue(), 'none');
    assert.match(await page.locator('#train-message').textContent(), /Gradient clipping is off from step/);
    assert.doesNotMatch(await page.locator('#pending-note').textContent(), /clipping/);
    assert.match(await chart().getAttribute('aria-label'), /Clipping off .*Clipping turned off at step/);
    await page.locator('#gn-heading').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: screenshotPath('gradnorm-clipping-off-1280.png') });
  });

  it('switches clipping on again, and a new threshold applies at once too', async () => {
    await page.getByRole('checkbox', { name: 'Clip gradients' }).check();
    await page.waitForFunction(() => window.app.gradNorm.switches.some((s) => s.on), null, { timeout: 30_000 });
    assert.equal(await page.getByLabel('Gradient clipping').inputValue(), 'norm');
    // The norms shrink as the model learns: a threshold far below them makes every step clip.
    await page.getByLabel('Clip threshold', { exact: true }).fill('0.01');
    await page.waitForFunction(() => Math.abs(window.app.gradNorm.threshold - 0.01) < 1e-6, null, { timeout: 30_000 });
    const from = (await gn()).steps.at(-1);
    await page.waitForFunction((s) => window.app.gradNorm.steps.at(-1) >= s + 40, from, { timeout: LONG, polling: 250 });
    const g = await gn();
    assert.equal(g.mode, 'norm');
    const firstAfter = g.steps.findIndex((s) => s > from + 10);
    assert.ok(g.clipped.slice(firstAfter).every(Boolean), 'every step is clipped again');
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: 30_000 });
    await page.locator('#gn-heading').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: screenshotPath('gradnorm-1280.png') });
  });

  it('lays out at 375 px without horizontal overflow', async () => {
    await atPhoneWidth(page, async () => {
      await page.locator('#gn-heading').evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: screenshotPath('gradnorm-375.png') });
    });
    assert.deepEqual(page.problems, []);
  });
});
