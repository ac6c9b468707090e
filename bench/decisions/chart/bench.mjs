// Loss chart decision: the hand-written LossChart against uPlot, in one headless Chromium. Prints the bundle size
// of each (esbuild --minify, then gzip -9) and the median ms per frame of a chart already holding POINTS training
// points while training goes on (one point added + a full redraw per frame), interleaved rounds.
//   node bench/decisions/chart/bench.mjs [POINTS=5000] [ROUNDS=6]     (run.sh installs uPlot first)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const points = Number(process.argv[2] || 5000);
const rounds = Number(process.argv[3] || 6);
const here = 'bench/decisions/chart';
const out = process.env.OUT || '/tmp/chart_decision';
const esbuild = 'node_modules/.bin/esbuild';
const nodePaths = { ...process.env, NODE_PATH: join(out, 'node_modules') };
mkdirSync(out, { recursive: true });

// Bundle size of what the page would ship for each chart.
function bundled(name, source) {
  const entry = join(out, `${name}_entry.js`);
  writeFileSync(entry, source);
  const file = join(out, `${name}.min.js`);
  execFileSync(esbuild, [entry, '--bundle', '--minify', '--format=esm', `--outfile=${file}`, '--log-level=warning'],
    { env: nodePaths });
  const bytes = readFileSync(file);
  return { minified: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}
const hand = bundled('hand', `export { LossChart } from '${process.cwd()}/web/static/ui/chart.js';\n`);
const uplot = bundled('uplot', "export { default } from 'uplot';\n");
const css = readFileSync(join(out, 'node_modules/uplot/dist/uPlot.min.css'));
console.log(`bundle (minified / gzip -9): hand-written ${hand.minified} / ${hand.gzip} B; ` +
  `uPlot ${uplot.minified} / ${uplot.gzip} B + its CSS ${css.length} / ${gzipSync(css, { level: 9 }).length} B`);

execFileSync(esbuild, [join(here, 'bench_page.js'), '--bundle', '--format=esm', `--outfile=${join(out, 'page.js')}`,
  '--log-level=warning'], { env: nodePaths });
writeFileSync(join(out, 'index.html'), `<!doctype html><meta charset="utf-8"><style>${css}
.chart canvas { display: block; width: 100%; height: 240px; } body { font: 14px system-ui; }</style>
<script type="module" src="page.js"></script>`);

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--allow-file-access-from-files'] });
const page = await browser.newPage({ viewport: { width: 1000, height: 800 }, deviceScaleFactor: 1 });
await page.goto('file://' + join(out, 'index.html'));
await page.waitForFunction(() => window.benchReady);
const r = await page.evaluate((o) => window.runBench(o), { points, rounds, batches: 9, perBatch: 20 });
await browser.close();
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const fmt = (a) => a.map((v) => v.toFixed(2)).join(' ');
console.log(`ms per frame at ${points} training points: median of ${rounds} interleaved rounds, each the median of 9 ` +
  'batches of 20 frames (one point added + a full redraw per frame)');
for (const [kind, what] of [['script', 'drawing calls only'], ['raster', 'drawn and rasterized (1-pixel read-back)']]) {
  const { hand, uplot } = r[kind];
  const ratios = hand.map((h, i) => uplot[i] / h);
  console.log(`  ${what}: hand-written ${med(hand).toFixed(2)} ms [${fmt(hand)}]; uPlot ${med(uplot).toFixed(2)} ms ` +
    `[${fmt(uplot)}]; uPlot / hand-written per round: median ${med(ratios).toFixed(2)} [${fmt(ratios)}]`);
}
