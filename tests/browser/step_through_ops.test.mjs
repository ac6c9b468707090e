// The step-through's look ops (web/inspect_bindings.cpp) on the built wasm module under plain node: no browser.
// The Hello preset with the lecture's model (vanilla RNN, one-hot input, 8 units), trained briefly; each op is called
// once and its result's shape asserted, and each bound on its inputs is shown to answer with a message.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// The wasm build's module (the site bundles its glue into the worker script, so the glue is taken from here).
const WASM_DIR = resolve(process.env.RNNLAB_WASM_DIR || join(ROOT, 'build', 'wasm', 'web'));

const HELLO = readFileSync(join(ROOT, 'web', 'presets', 'hello.txt'), 'utf8');
const LECTURE = 'cell=rnn\nlayers=1\nhidden=8\nembed=0\nbatch=8\nunroll=16\nlr=0.01\nval_fraction=0.1\nseed=1\n';

// The glue is an ES module named .js; node reads it as one only under an .mjs name. The .wasm bytes are handed over
// directly (the glue would fetch() them in a browser).
async function loadEngine() {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-engine-'));
  copyFileSync(join(WASM_DIR, 'rnnlab_engine.js'), join(dir, 'rnnlab_engine.mjs'));
  const { default: createEngine } = await import(join(dir, 'rnnlab_engine.mjs'));
  const engine = await createEngine({ wasmBinary: readFileSync(join(WASM_DIR, 'rnnlab_engine.wasm')) });
  rmSync(dir, { recursive: true, force: true });
  return engine;
}

function look(s, op, args) {
  const r = s.look(op, args);
  assert.equal(r.ok, true, `${op}: ${r.error}`);
  return r;
}

function refused(s, op, args, pattern) {
  const r = s.look(op, args);
  assert.equal(r.ok, false, `${op} accepted ${JSON.stringify(args)}`);
  assert.match(r.error, pattern);
}

describe('step-through look ops on the Hello preset (wasm under node)', () => {
  let engine, s;
  before(async () => {
    engine = await loadEngine();
    s = new engine.Session();
    const opened = s.open(HELLO, LECTURE);
    assert.equal(opened.ok, true, opened.error);
    assert.equal(s.train(400, 60_000).ok, true);
  });
  after(() => s?.delete());

  it('unroll: the lecture on "hello", forward and backward, with every array the view needs', () => {
    const u = look(s, 'unroll', { text: 'hello' });
    const { T, V, H, L, G } = u;
    assert.deepEqual([T, H, L, G, u.cell, u.oneHot, u.printable, u.window], [4, 8, 1, 1, 'rnn', true, true, 4]);
    assert.equal(u.text, 'hello');
    assert.equal(String.fromCodePoint(...u.vocab).length, V);
    for (const [name, n] of [['logits', T * V], ['probs', T * V], ['dlogits', T * V]]) {
      assert.ok(u[name] instanceof Float32Array, name);
      assert.equal(u[name].length, n, name);
    }
    assert.ok(u.loss instanceof Float64Array && u.loss.length === T);
    assert.ok(Math.abs(u.loss.reduce((a, b) => a + b, 0) / T - u.meanLoss) < 1e-12);
    assert.deepEqual([...u.windowStart], [1, 0, 0, 0]);
    assert.deepEqual([...u.inputs].map((i) => String.fromCodePoint(u.vocab[i])).join(''), 'hell');
    const y = u.layers[0];
    const sizes = { x: T * V, wx: T * H, wh: T * H, bIh: H, bHh: H, pre: T * H, gates: 0, h: (T + 1) * H, c: 0,
                    dhAbove: T * H, dhFuture: T * H, dh: T * H, dcFuture: 0, dc: 0, dpre: T * H, dhh: 0, dhDropped: T * H,
                    runWIh: T * H * V, runWHh: T * H * H, runBIh: T * H, runBHh: T * H, dhNorm: T, runNormWHh: T,
                    topForward: T * 5, topBackward: T * 5 };
    for (const [name, n] of Object.entries(sizes)) assert.equal(y[name].length, n, name);
    // Nothing arrives from beyond the last step; the weight-gradient blocks come with their values.
    assert.ok(y.dhFuture.slice((T - 1) * H).every((v) => v === 0));
    const names = u.grads.map((b) => b.name);
    assert.deepEqual(names, ['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0', 'head.weight',
                             'head.bias']);
    assert.equal(u.grads[1].values.length, H * H);
  });

  it('unroll: after the second "l" the trained model says "o"', () => {
    const u = look(s, 'unroll', { text: 'hello' });
    const row = u.probs.slice(3 * u.V, 4 * u.V);
    const top = row.indexOf(Math.max(...row));
    assert.equal(String.fromCodePoint(u.vocab[top]), 'o');
  });

  it('unroll with a truncation window, and one unit in full', () => {
    const u = look(s, 'unroll', { text: 'hello', window: 2 });
    assert.deepEqual([...u.windowStart], [1, 0, 1, 0]);
    const v = look(s, 'unrollUnit', { text: 'hello', layer: 0, unit: 3 });
    assert.deepEqual([v.h.length, v.pre.length, v.dh.length, v.runWHh.length, v.runWIh.length], [5, 4, 4, 32, 4 * v.in]);
  });

  it('previewUpdate: the step and the loss before and after, the session untouched', () => {
    const before = look(s, 'unroll', { text: 'hello' }).meanLoss;
    const p = look(s, 'previewUpdate', { text: 'hello' });
    assert.equal(p.lossBefore, before);
    assert.ok(Number.isFinite(p.lossAfter) && p.deltaNorm > 0 && p.gradNorm > 0);
    assert.equal(p.blocks.length, 6);
    assert.equal(p.blocks[1].delta.values.length, 64);
    assert.equal(look(s, 'unroll', { text: 'hello' }).meanLoss, before);
  });

  it('checkGradients: every relative error below 1e-2', () => {
    const g = look(s, 'checkGradients', { text: 'hello', count: 8, seed: 2 });
    assert.equal(g.entries.length, 8);
    for (const e of g.entries) {
      assert.equal(typeof e.block, 'string');
      assert.ok(e.relError < 1e-2, `${e.block}[${e.row},${e.col}]: ${e.analytic} vs ${e.numeric}`);
    }
  });

  it('inputGradients: one norm per earlier character', () => {
    const c = look(s, 'inputGradients', { text: 'hello hello', position: 8, maxLag: 5 });
    assert.deepEqual([c.position, c.first, c.norm.length, c.inputSize], [8, 3, 6, s.look('unroll', {}).V]);
    assert.ok(c.norm instanceof Float64Array && c.norm.every((v) => v >= 0) && c.norm[0] > 0);
    assert.equal(c.hNorm.length, 1);
    assert.equal(c.hNorm[0].length, 7);
  });

  it('clampSample: the free sample is the plain sample, bit for bit', () => {
    const args = { layer: 0, unit: 2, value: 1, prime: 'he', length: 60, temperature: 0.8, seed: 5 };
    const r = look(s, 'clampSample', args);
    const plain = s.sample({ prime: 'he', length: 60, temperature: 0.8, seed: 5 }, null);
    assert.equal(r.unclamped, plain.text);
    assert.equal(typeof r.clamped, 'string');
  });

  it('every input is bounded with a message', () => {
    refused(s, 'unroll', { text: 'hello'.repeat(14) }, /more than 65 characters/);
    refused(s, 'unroll', { text: 'h' }, /at least 2 characters/);
    refused(s, 'unroll', { text: 'hello', window: 99 }, /truncation length/);
    refused(s, 'unrollUnit', { text: 'hello', unit: 8 }, /unit must be a whole number from 0 to 7/);
    refused(s, 'checkGradients', { text: 'hello', count: 0 }, /number of weights/);
    refused(s, 'inputGradients', { text: 'hello', position: 4 }, /position/);
    refused(s, 'inputGradients', { text: 'hello', maxLag: 5000 }, /how far back/);
    refused(s, 'clampSample', { layer: 1 }, /layer must be/);
    refused(s, 'clampSample', { state: 'c' }, /only LSTM/);
    refused(s, 'clampSample', { value: 1e9 }, /clamp value/);
    refused(s, 'clampSample', { length: 1e6 }, /sample length/);
  });
});
