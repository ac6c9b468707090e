// ./build.sh soak (the page part): the built site trains the default model for M minutes with the Look-inside views
// open and refreshing live, presses Share every few minutes (which rounds the weights in place) and reloads the page
// every few minutes (the page restores the run and replays to the exact step). Not part of ./build.sh test.
//
//   node tests/soak/page_soak.mjs [MINUTES]          (default 30)
//   env: SOAK_SHARE_MINUTES (3), SOAK_RELOAD_MINUTES (7), SOAK_WARMUP_MINUTES (5), SOAK_SAMPLE_SECONDS (60),
//        SOAK_RELOAD_WARMUP_MINUTES (1.5, the warm-up after each reload),
//        SOAK_MAX_WASM_KB (64), SOAK_MAX_JS_KB (128): the slope limits, KB a minute. Runs shorter than 30 minutes
//        scale the first four down (a 3-minute run shares every 18 s, reloads every 42 s, samples every 6 s), so
//        that any run shares and reloads several times.
//
// Memory. Every SOAK_SAMPLE_SECONDS it reads the engine worker's wasm linear memory and the JS values embind holds
// for it (a #testhooks query, window.app.debug.engineMemory) and the tab's JS heap after a forced garbage
// collection (Chrome DevTools Protocol: HeapProfiler.collectGarbage, then Performance.getMetrics JSHeapUsedSize),
// and prints them as a table. A reload starts a fresh tab heap and a fresh worker, so the heaps fall back at each
// reload: the slope is fitted within the stretches between reloads (least squares with one intercept per stretch,
// one common slope), over the samples after warm-up, leaving out those within SOAK_RELOAD_WARMUP_MINUTES of a
// reload (the new worker's and tab's own warm-up). Limits, and why:
//  - wasm memory only ever grows, in steps of at least 20 % (Emscripten's growth policy), and a healthy run needs
//    no more of it once the model, the look-inside trace and the link rounding have each run once. So any growth
//    after warm-up is a leak: one growth step inside a 7-minute stretch is a slope of at least ~0.5 MB a minute.
//    The limit, 64 KB a minute, is well below that and above zero.
//  - the tab's heap legitimately grows a little with the run: the chart keeps up to 8,000 losses (16 bytes each,
//    then merges pairs), the validation points and the timeline samples. That is at most ~30 KB a minute at this
//    model's speed. A leaked look-inside trace (tens to hundreds of KB, one every 2.5 s) or a leaked share link
//    (~300 KB every Share) would be hundreds of KB to MBs a minute. The limit is 128 KB a minute.
//
// Losses. A second browser trains the same default model uninterrupted (no reload, no Look inside), pausing at
// exactly the steps where the soaked page pressed Share and pressing Share there too, so both apply the same
// rounding at the same step. Every per-step training loss the soaked page showed (before and after its reloads) must
// equal the reference's bit for bit. The chart merges old losses pairwise beyond 8,000 points; only unmerged
// points are compared, and the script says how many steps that covers.
//
// Prints the table and a JSON summary as the last line; exits non-zero when a check fails.
import { LONG, launchBrowser, openPlayground, startServer } from '../browser/helpers.mjs';
import { pooledSlope, lossesFromChart, compareLosses } from './soak_stats.mjs';

const MINUTES = Number(process.argv[2] || 30);
const env = (name, fallback) => (process.env[name] !== undefined ? Number(process.env[name]) : fallback);
const SCALE = Math.min(1, MINUTES / 30);
const SHARE_MIN = env('SOAK_SHARE_MINUTES', 3 * SCALE);
const RELOAD_MIN = env('SOAK_RELOAD_MINUTES', 7 * SCALE);
const WARMUP_MIN = env('SOAK_WARMUP_MINUTES', 5 * SCALE);
const SAMPLE_S = env('SOAK_SAMPLE_SECONDS', 60 * SCALE);
// After a reload, the new worker and tab warm up again (the replay, the first checkpoint's save buffer, the first
// look-inside trace: the worker's memory grows from 40 to 48 MB within seconds of a reload here).
const RELOAD_WARMUP_MIN = env('SOAK_RELOAD_WARMUP_MINUTES', Math.max(0.75, 1.5 * SCALE));
const MAX_WASM_KB = env('SOAK_MAX_WASM_KB', 64);
const MAX_JS_KB = env('SOAK_MAX_JS_KB', 128);
const LOSS_EVERY_MS = 15_000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (s) => console.log(s);

// --- the soaked page ----------------------------------------------------------------------------------------------

// Opens Look inside and brings its views on screen (only views on screen refresh live).
async function openLookInside(page) {
  const look = page.getByRole('region', { name: 'Look inside' });
  const live = page.getByRole('checkbox', { name: 'Refresh these views while training' });
  if (!(await live.isChecked())) await live.check();
  await look.getByRole('button', { name: 'Look inside' }).click();
  await page.waitForFunction(() => window.app.look && window.app.look.trace, null, { timeout: LONG });
  await showLookInside(page);
}

const showLookInside = (page) => page.locator('#look-cells').evaluate((el) => el.scrollIntoView({ block: 'center' }));

async function keepTrainingOn(page) {
  const flat = page.getByLabel('Stop when validation stops improving');
  if (await flat.isChecked()) await flat.uncheck();
}

async function startSoakedPage(ctx, url) {
  const page = await openPlayground(ctx, url, '#testhooks');
  await page.waitForFunction(() => window.app.stats && window.app.stats.chars > 0, null, { timeout: LONG });
  await keepTrainingOn(page);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForFunction(() => window.app.state === 'training' && window.app.step >= 1, null, { timeout: LONG });
  await openLookInside(page);
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Performance.enable');
  return { page, cdp };
}

async function sampleMemory(soak) {
  const { page, cdp } = soak;
  const engine = await page.evaluate(() => window.app.debug.engineMemory());
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const js = metrics.find((m) => m.name === 'JSHeapUsedSize').value;
  const { step, refreshes } = await page.evaluate(() => ({ step: window.app.step, refreshes: window.app.look.live?.refreshes ?? 0 }));
  return { step, wasm: engine.wasmBytes, emval: engine.emvalHandles, js, refreshes };
}

// Share: the page rounds its weights for the link between two training chunks; resolves to the step it did so at.
async function share(page) {
  const before = await page.evaluate(() => window.app.shareUrl ?? null);
  await page.getByRole('button', { name: 'Share', exact: true }).click();
  await page.waitForFunction((b) => window.app.shareUrl && window.app.shareUrl !== b && window.app.linkRounding,
    before, { timeout: LONG });
  const step = await page.evaluate(() => window.app.linkRounding.step);
  await showLookInside(page);   // the link box took the focus, and scrolled the page to it
  return step;
}

// Reload mid-training: the page must come back paused at exactly the step it showed when it unloaded, with the
// replay's losses equal to those recorded; then it trains on, with Look inside open again.
async function reload(soak) {
  const { page } = soak;
  await page.evaluate(() => addEventListener('pagehide', () => sessionStorage.setItem('soakShown', String(window.app.step))));
  await page.reload();
  await page.waitForFunction(() => window.app && window.app.restoredStep !== undefined && window.app.state === 'paused'
    && !window.app.restoring, null, { timeout: 3 * LONG });
  const r = await page.evaluate(() => ({ shown: Number(sessionStorage.getItem('soakShown')), restored: window.app.step,
                                         matched: window.app.replayMatched, events: window.app.replayedEvents }));
  await keepTrainingOn(page);
  await page.getByRole('button', { name: 'Resume' }).click();
  await page.waitForFunction(() => window.app.state === 'training', null, { timeout: LONG });
  await openLookInside(page);
  await soak.cdp.send('Performance.enable');
  return r;
}

// --- the reference page --------------------------------------------------------------------------------------------

// Trains uninterrupted, following the soaked page: it never goes past the soaked page's last known step, and pauses
// at each step where the soaked page shared, to share there too. shared: the soaked page's share steps, in order;
// known(): { step, done } of the soaked page.
async function followAsReference(ctx, url, shared, known, losses) {
  const page = await openPlayground(ctx, url);
  await page.waitForFunction(() => window.app.stats && window.app.stats.chars > 0, null, { timeout: LONG });
  await keepTrainingOn(page);
  let step = 0, sharedDone = 0;
  const refShares = [];
  for (;;) {
    const { step: soakStep, done } = known();
    if (sharedDone < shared.length && shared[sharedDone] === step) {
      refShares.push(await share(page));
      ++sharedDone;
      continue;
    }
    const target = sharedDone < shared.length ? shared[sharedDone] : soakStep;
    if (target <= step) {
      if (done && step >= soakStep && sharedDone >= shared.length) break;
      await sleep(3000);
      continue;
    }
    await page.getByLabel('Pause at step').fill(String(target));
    await page.getByRole('button', { name: /^(Train|Resume)$/ }).click();
    await page.waitForFunction((s) => window.app.state === 'paused' && window.app.step === s, target, { timeout: 20 * LONG });
    step = target;
    lossesFromChart(await page.evaluate(() => window.app.lossData()), losses);
  }
  return { page, step, shares: refShares };
}

// --- the run --------------------------------------------------------------------------------------------------------

function printRow(row) {
  const mb = (b) => (b / 1024 / 1024).toFixed(2).padStart(8);
  log(`${row.minute.toFixed(1).padStart(6)} ${String(row.step).padStart(8)} ${mb(row.wasm)} ${String(row.emval).padStart(6)} ` +
      `${mb(row.js)} ${String(row.refreshes).padStart(6)} ${String(row.segment).padStart(4)} ${row.afterWarmup ? ' * ' : '   '}` +
      `${row.note ? ' ' + row.note : ''}`);
}

async function soakLoop(soak, state) {
  const start = Date.now();
  const minute = () => (Date.now() - start) / 60_000;
  let nextSample = 0, nextShare = SHARE_MIN, nextReload = RELOAD_MIN, nextLoss = 0;
  let segment = 0, reloadedAt = 0, note = '';
  log('  min     step  wasm MB  emval    JS MB  looks  seg fit  events since the row before');
  for (;;) {
    const m = minute();
    const end = m >= MINUTES;
    if (Date.now() >= nextLoss || end) {
      lossesFromChart(await soak.page.evaluate(() => window.app.lossData()), state.soakLosses, state.conflicts);
      state.step = Math.max(state.step, await soak.page.evaluate(() => window.app.step));
      nextLoss = Date.now() + LOSS_EVERY_MS;
    }
    if (m >= nextSample || end) {
      const warm = m >= WARMUP_MIN && (segment === 0 || m - reloadedAt >= RELOAD_WARMUP_MIN);
      const row = { minute: m, ...(await sampleMemory(soak)), segment, afterWarmup: warm, note };
      state.rows.push(row);
      printRow(row);
      note = '';
      nextSample += SAMPLE_S / 60;
    }
    if (end) break;
    if (m >= nextShare) {
      const s = await share(soak.page);
      state.shares.push(s);
      note += `share@${s} `;
      nextShare += SHARE_MIN;
    }
    if (m >= nextReload) {
      lossesFromChart(await soak.page.evaluate(() => window.app.lossData()), state.soakLosses, state.conflicts);
      const r = await reload(soak);
      state.reloads.push(r);
      state.firstReloadStep ??= r.restored;
      note += `reload: shown ${r.shown} restored ${r.restored} replay ${r.matched ? 'matched' : 'DIFFERED'} `;
      segment += 1;
      reloadedAt = minute();
      nextReload += RELOAD_MIN;
    }
    await sleep(2000);
  }
  await soak.page.getByRole('button', { name: 'Pause' }).click();
  await soak.page.waitForFunction(() => window.app.state === 'paused', null, { timeout: LONG });
  lossesFromChart(await soak.page.evaluate(() => window.app.lossData()), state.soakLosses, state.conflicts);
  state.step = await soak.page.evaluate(() => window.app.step);
  state.done = true;
}

function verdict(state, ref) {
  const used = state.rows.filter((r) => r.afterWarmup);
  const wasm = pooledSlope(used.map((r) => ({ x: r.minute, y: r.wasm / 1024, group: r.segment })));
  const js = pooledSlope(used.map((r) => ({ x: r.minute, y: r.js / 1024, group: r.segment })));
  const cmp = compareLosses(state.soakLosses, state.refLosses, state.step, state.firstReloadStep ?? Infinity);
  const reloadsExact = state.reloads.every((r) => r.shown === r.restored && r.matched === true);
  const sharesSame = JSON.stringify(ref.shares) === JSON.stringify(state.shares);
  const checks = {
    wasmFlat: wasm.points >= 2 && Math.abs(wasm.slope) < MAX_WASM_KB,
    jsFlat: js.points >= 2 && Math.abs(js.slope) < MAX_JS_KB,
    lossesEqual: cmp.mismatches.length === 0 && state.conflicts.length === 0 && cmp.afterReload > 0,
    reloadsExact: state.reloads.length > 0 && reloadsExact,
    sharesSame: state.shares.length > 0 && sharesSame,
  };
  return { wasm, js, cmp, checks };
}

async function main() {
  const server = await startServer();
  const soakBrowser = await launchBrowser();
  const refBrowser = await launchBrowser();
  const state = { rows: [], shares: [], reloads: [], soakLosses: new Map(), refLosses: new Map(), conflicts: [],
                  step: 0, done: false, firstReloadStep: null };
  let ok = false;
  try {
    log(`== page soak: ${MINUTES} min, Share every ${SHARE_MIN} min, reload every ${RELOAD_MIN} min, ` +
        `memory every ${SAMPLE_S} s, warm-up ${WARMUP_MIN} min`);
    const soak = await startSoakedPage(soakBrowser.ctx, server.url);
    const [, ref] = await Promise.all([
      soakLoop(soak, state),
      followAsReference(refBrowser.ctx, server.url, state.shares, () => ({ step: state.step, done: state.done }), state.refLosses),
    ]);
    const v = verdict(state, ref);
    const problems = [...soak.page.problems, ...ref.page.problems];
    log('(fit: * marks the samples the slopes are fitted to: after the run warm-up, and not within the warm-up after a reload)');
    log(`wasm memory after warm-up: slope ${v.wasm.slope.toFixed(1)} KB/min over ${v.wasm.points} samples in ` +
        `${v.wasm.groups} stretches (limit ±${MAX_WASM_KB})`);
    log(`tab JS heap after warm-up: slope ${v.js.slope.toFixed(1)} KB/min over ${v.js.points} samples in ` +
        `${v.js.groups} stretches (limit ±${MAX_JS_KB})`);
    log(`losses: ${v.cmp.compared} steps compared of ${state.step} (${v.cmp.afterReload} after the first reload at step ` +
        `${state.firstReloadStep}), ${v.cmp.mismatches.length} different, ${v.cmp.missing} not compared (merged on a ` +
        `chart), ${state.conflicts.length} shown differently before and after a reload`);
    for (const m of v.cmp.mismatches.slice(0, 10)) log(`  step ${m.step}: soaked ${m.soak}, reference ${m.ref}`);
    log(`shares at steps ${state.shares.join(', ') || 'none'}; reference shared at ${ref.shares.join(', ') || 'none'}`);
    if (problems.length) log(`page problems: ${problems.join(' | ')}`);
    ok = Object.values(v.checks).every(Boolean) && problems.length === 0;
    console.log(JSON.stringify({
      minutes: MINUTES, steps: state.step, samples: state.rows.length, reloads: state.reloads, shares: state.shares,
      wasm_slope_kb_per_min: +v.wasm.slope.toFixed(2), js_slope_kb_per_min: +v.js.slope.toFixed(2),
      wasm_first_mb: +(state.rows[0].wasm / 2 ** 20).toFixed(2), wasm_last_mb: +(state.rows.at(-1).wasm / 2 ** 20).toFixed(2),
      js_first_mb: +(state.rows[0].js / 2 ** 20).toFixed(2), js_last_mb: +(state.rows.at(-1).js / 2 ** 20).toFixed(2),
      losses_compared: v.cmp.compared, losses_after_reload: v.cmp.afterReload, loss_mismatches: v.cmp.mismatches.length,
      problems: problems.length, checks: v.checks, ok,
    }));
  } finally {
    await soakBrowser.close();
    await refBrowser.close();
    server.close();
  }
  process.exit(ok ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
