// Several workers training one model (issue 15): the page with 2 or 3 workers trains, pauses, resumes and reloads
// with exactly the losses of the page with 1 worker, bit for bit, also when the count changes mid-run; a helper
// that dies mid-run is reported and training goes on with the same losses. Each browser keeps its own "Workers"
// setting (localStorage), so the reference runs in a browser of its own.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LONG, SMALL, launchBrowser, lossesByStep, openPlayground, preparePractice, screenshotPath, startServer,
         trainExactlyTo } from './helpers.mjs';

// 12 streams: 3 shards of 4 (engine/rnnlab/shards.hpp), so 2 workers split them 1 + 2 and 3 workers 1 + 1 + 1.
// Two layers with dropout (the settings' defaults) and clipping by norm, as a person trains.
const SETTINGS = { ...SMALL, 'Batch (streams)': '12' };

async function setWorkers(page, n) {
  await page.getByLabel('Workers').fill(String(n));
  await page.getByLabel('Workers').press('Enter');
  await page.getByLabel('Workers').blur();
  await page.waitForFunction((k) => window.app.workersReady === k && window.app.workersWanted === k, n,
                             { timeout: LONG });
}

async function prepare(page, workers) {
  await setWorkers(page, workers);
  await preparePractice(page, SETTINGS);
  await page.getByLabel('Stop when validation stops improving').uncheck();   // every run goes to its step budget
}

function sameLosses(actual, expected, upTo) {
  for (let s = 1; s <= upTo; s++) {
    assert.ok(Object.hasOwn(expected, s) && Object.hasOwn(actual, s), `step ${s} is on both charts`);
    assert.equal(actual[s], expected[s], `the loss at step ${s}`);
  }
}

describe('several workers train one model with the losses of one worker', () => {
  let server, one, many, reference, page, refPage;
  before(async () => {
    server = await startServer();
    one = await launchBrowser();
    many = await launchBrowser();
    const ref = (refPage = await openPlayground(one.ctx, server.url));
    await prepare(ref, 1);
    await trainExactlyTo(ref, 90);
    reference = await lossesByStep(ref);
    assert.deepEqual(ref.problems, []);
    page = await openPlayground(many.ctx, server.url, '#testhooks-sharesteps');
  });
  after(async () => {
    await one?.close();
    await many?.close();
    server?.close();
  });

  it('2 workers, then 3 from a pause on: the same loss at every step, and the status says who trains', async () => {
    await prepare(page, 2);
    await trainExactlyTo(page, 30);
    assert.equal(await page.evaluate(() => window.app.workers), 2, 'the last step was computed by 2 workers');
    assert.match(await page.locator('#st-speed').textContent(), /chars\/s on 2 workers$/);
    await setWorkers(page, 3);
    assert.equal(await page.locator('#workers-state').textContent(), '3 workers ready.');
    await trainExactlyTo(page, 45);
    assert.equal(await page.evaluate(() => window.app.workers), 3);
    sameLosses(await lossesByStep(page), reference, 45);
    await page.getByRole('region', { name: 'Train', exact: true }).screenshot({ path: screenshotPath('workers-3-1280.png') });
    assert.deepEqual(page.problems, []);
  });

  it('after a reload the run resumes on 3 workers, exactly', async () => {
    await page.reload();
    await page.waitForFunction(() => window.app && window.app.restoredStep !== undefined && window.app.state === 'paused' &&
      !window.app.restoring, null, { timeout: LONG });
    assert.equal(await page.evaluate(() => window.app.step), 45);
    await page.waitForFunction(() => window.app.workersReady === 3, null, { timeout: LONG });
    await trainExactlyTo(page, 60);
    sameLosses(await lossesByStep(page), reference, 60);
  });

  it('a helper that crashes mid-run is reported, and training goes on with the same losses', async () => {
    await page.getByLabel('Pause at step').fill('75');
    await page.getByRole('button', { name: /^(Train|Resume)$/ }).click();
    await page.waitForFunction(() => window.app.step >= 63, null, { timeout: LONG });
    assert.ok(await page.evaluate(() => window.app.debug.killWorker(0)));
    await page.waitForFunction(() => window.app.state === 'paused' && window.app.step === 75, null, { timeout: 3 * LONG });
    assert.match(await page.locator('#workers-state').textContent(), /A training worker failed \(ended by a test\)/);
    sameLosses(await lossesByStep(page), reference, 75);
  });

  it('a helper that silently stops answering is given up on after a few seconds, with the same losses', async () => {
    await page.waitForFunction(() => window.app.workersReady === 3, null, { timeout: LONG });   // a new helper came
    // Ended while paused, so the very next step asks it for its share and waits for an answer that never comes.
    assert.ok(await page.evaluate(() => window.app.debug.killWorker(1, true)));
    await page.getByLabel('Pause at step').fill('90');
    await page.getByRole('button', { name: /^(Train|Resume)$/ }).click();
    await page.waitForFunction(() => window.app.state === 'paused' && window.app.step === 90, null, { timeout: 3 * LONG });
    assert.match(await page.locator('#workers-state').textContent(), /A training worker was left out: it (stopped answering|could not take the model) \(no answer within \d+ s\)/);
    sameLosses(await lossesByStep(page), reference, 90);
    assert.deepEqual(page.problems, []);
  });

  it('the three cells train side by side on 3 engines, with the curves of one after another', async () => {
    const compare = async (p) => {
      const section = p.getByRole('region', { name: 'Compare runs' });
      await section.getByLabel('Steps per cell').fill('30');
      await section.getByRole('button', { name: 'Train the three cells on this text' }).click();
      const started = await section.getByRole('status').textContent();
      await p.waitForFunction(() => window.app.compare.runs.length === 3 && !window.app.compare.busy, null,
                              { timeout: 3 * LONG, polling: 250 });
      const runs = await p.evaluate(() => window.app.compare.runs.map((r) => ({ label: r.label, curve: r.curve })));
      return { started, runs };
    };
    const side = await compare(page);
    const alone = await compare(refPage);
    assert.match(side.started, /^Starting 3 engines for the comparison/);
    assert.match(alone.started, /^Starting a second engine/);
    assert.deepEqual(side.runs.map((r) => r.label), ['RNN', 'LSTM', 'GRU']);
    assert.deepEqual(side.runs, alone.runs);
    assert.deepEqual(page.problems, []);
  });
});
