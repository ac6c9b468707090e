// The lecture's "hello" figures from the built engine (build/wasm/web/rnnlab_engine.{js,wasm}), under node:
//   node tools/hello_lecture.mjs [dir holding rnnlab_engine.js and .wasm]
// For the vanilla RNN and the LSTM (one layer, 8 units, one-hot input, the Hello preset's text and training
// settings) it trains until the model's argmax reads "hello" (h->e, e->l, l->l, l->o), then prints the step-through's
// numbers: each step's top prediction, -log p(target), and ||dL/dh_t|| backward through time, down to the gradient
// that reaches the state before "h" (t-4 from the last step, which is where truncation would cut).
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const WASM_DIR = process.argv[2] || join(ROOT, 'build', 'wasm', 'web');
const HELLO = readFileSync(join(ROOT, 'web', 'presets', 'hello.txt'), 'utf8');
const MAX_STEPS = 3000;
const TRAINED_STEPS = 1000;

async function loadEngine() {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-engine-'));
  copyFileSync(join(WASM_DIR, 'rnnlab_engine.js'), join(dir, 'rnnlab_engine.mjs'));
  const { default: createEngine } = await import(join(dir, 'rnnlab_engine.mjs'));
  const engine = await createEngine({ wasmBinary: readFileSync(join(WASM_DIR, 'rnnlab_engine.wasm')) });
  rmSync(dir, { recursive: true, force: true });
  return engine;
}

const norm = (a) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
const ch = (u, i) => JSON.stringify(String.fromCodePoint(u.vocab[i]));
function argmax(row) { return row.indexOf(Math.max(...row)); }
function predictsHello(u) {
  for (let t = 0; t < u.T; ++t) if (argmax(u.probs.slice(t * u.V, (t + 1) * u.V)) !== u.targets[t]) return false;
  return true;
}

function report(cell, s, steps) {
  const u = s.look('unroll', { text: 'hello' });
  const { T, V, H } = u;
  const y = u.layers[0];
  console.log(`\n${cell}: hidden ${H}, one-hot (V = ${V}); argmax reads "hello" after ${steps} training steps; ` +
              `figures after ${Math.max(steps, TRAINED_STEPS)}`);
  console.log(`mean loss on "hello": ${u.meanLoss.toFixed(4)} nats`);
  for (let t = 0; t < T; ++t) {
    const row = u.probs.slice(t * V, (t + 1) * V);
    const top = argmax(row);
    console.log(`  t=${t} reads ${ch(u, u.inputs[t])}: top ${ch(u, top)} p=${row[top].toFixed(3)}, ` +
                `-log p(${ch(u, u.targets[t])}) = ${u.loss[t].toFixed(4)}, ||dL/dh_t|| = ${y.dhNorm[t].toExponential(3)}` +
                (y.c.length ? `, ||dL/dc_t (future)|| = ${norm(y.dcFuture.slice(t * H, (t + 1) * H)).toExponential(3)}` : ''));
  }
  console.log(`  t=-1 (t-4 from the last step, the state before "h"): ||dL/dh|| = ` +
              `${norm(y.dhDropped.slice(0, H)).toExponential(3)}`);
  const c = s.look('inputGradients', { text: 'hello', position: 3, maxLag: 3 });
  console.log(`  the prediction after the second "l" (its loss alone) uses: ` +
              [...c.norm].map((v, k) => `x_{t-${k}} ${v.toExponential(2)}`).join(', '));
  console.log(`  and reaches back: ` +
              [...c.hNorm[0]].map((v, k) => `||d loss_t/d h_{t-${k}}|| ${v.toExponential(2)}`).join(', '));
  const g = s.look('checkGradients', { text: 'hello', count: 8, seed: 1 });
  console.log(`  gradient check: max relative error ${g.maxRelError.toExponential(2)} over ${g.entries.length} weights`);
}

const engine = await loadEngine();
for (const cell of ['rnn', 'lstm']) {
  const s = new engine.Session();
  const config = `cell=${cell}\nlayers=1\nhidden=8\nembed=0\nbatch=8\nunroll=16\nlr=0.01\nseed=1\n`;
  const opened = s.open(HELLO, config);
  if (!opened.ok) throw new Error(opened.error);
  let steps = 0;
  while (steps < MAX_STEPS && !predictsHello(s.look('unroll', { text: 'hello' }))) {
    s.train(10, 60_000);
    steps += 10;
  }
  if (steps < TRAINED_STEPS) s.train(TRAINED_STEPS - steps, 600_000);
  report(cell, s, steps);
  s.delete();
}
