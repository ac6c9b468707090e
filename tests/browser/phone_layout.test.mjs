// On a phone (375 px wide) the main button and the loss are on the first screen: the Train row is a bar fixed to the
// bottom of the screen with the step and the losses beside the button; at 1280 px the layout is as before (the row
// sits in the Train section). Screenshots of both go to build/screenshots/.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LONG, SMALL, preparePractice, screenshotPath, usePlayground } from './helpers.mjs';

const box = (locator) => locator.evaluate((el) => {
  const r = el.getBoundingClientRect();
  return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
});

describe('the main button on a phone', { timeout: 4 * LONG }, () => {
  let page;
  usePlayground((opened) => ({ page } = opened));

  it('at 375 px Train is on the first screen, and the step and losses show beside it while training', async () => {
    await page.setViewportSize({ width: 375, height: 667 });
    await page.evaluate(() => window.scrollTo(0, 0));
    const train = page.getByRole('button', { name: 'Train', exact: true });
    await train.waitFor();
    const b = await box(train);
    assert.ok(b.top >= 0 && b.bottom <= 667, `Train at ${b.top}-${b.bottom} px, the screen is 667 px high`);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 375);
    await page.screenshot({ path: screenshotPath('phone-375-first-screen.png') });

    await preparePractice(page, SMALL);
    await page.evaluate(() => window.scrollTo(0, 0));
    await train.press('Enter');
    await page.waitForFunction(() => window.app.valHistory.length > 0 && window.app.step >= 30, null, { timeout: LONG });
    const figures = page.getByRole('group', { name: 'Train controls' });
    // The bar is drawn on the next frame after the figures arrive: read it until it shows them (or time runs out).
    const shown = /Step [\d,]+ · train \d\.\d{3} · validation \d\.\d{3} bits\/char/;
    let text = await figures.textContent();
    for (const end = Date.now() + 10_000; !shown.test(text) && Date.now() < end; text = await figures.textContent()) {
      await page.waitForTimeout(100);
    }
    assert.match(text, shown);
    const pause = page.getByRole('button', { name: 'Pause' });
    const p = await box(pause);
    assert.ok(p.bottom <= 667, `Pause at ${p.top}-${p.bottom} px`);
    // Focus stays on the button, which is still the one in the bar.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'train-button');
    await page.screenshot({ path: screenshotPath('phone-375-training.png') });
    // Scrolled to the end, the bar is still there and hides nothing of the page's end.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    assert.ok((await box(pause)).bottom <= 667);
    await page.screenshot({ path: screenshotPath('phone-375-end.png') });
    await page.keyboard.press('Space');   // Space on the focused button pauses
    await page.waitForFunction(() => window.app.state === 'paused', null, { timeout: LONG });
  });

  it('at 1280 px the Train row stays in the Train section', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.evaluate(() => window.scrollTo(0, 0));
    const section = await box(page.getByRole('region', { name: 'Train', exact: true }));
    const resume = await box(page.getByRole('button', { name: 'Resume', exact: true }));
    assert.ok(resume.top > section.top && resume.bottom < section.bottom, 'the row is inside the section');
    assert.equal(await page.getByRole('group', { name: 'Train controls' }).evaluate((el) => getComputedStyle(el).position),
      'static');
    assert.equal(await page.locator('#bar-figures').isVisible(), false);
    await page.screenshot({ path: screenshotPath('layout-1280.png') });
    assert.deepEqual(page.problems, []);
  });
});
