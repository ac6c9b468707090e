// The page's engine module driven as several Web Workers would drive it for data-parallel training (issue 15):
// replicas of one session, shards computed on different replicas, the pieces moved between them as transferred
// buffers, combined in the fixed tree and applied on every replica. Runs in node (no browser needed): the module
// is the same build/wasm/web/rnnlab_engine.{js,wasm} the site bundles.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));   // not helpers.mjs: no browser here

const GLUE = join(ROOT, 'build', 'wasm', 'web', 'rnnlab_engine.js');

async function engine() {
  if (!existsSync(GLUE)) throw new Error(`no wasm build at ${GLUE}: run ./build.sh build first`);
  // The module is built for web and worker: pretend to be a worker, and hand it the .wasm (no fetch of files).
  globalThis.importScripts ??= () => {};
  globalThis.self ??= globalThis;
  globalThis.location ??= { href: new URL('.', `file://${GLUE}`).href };
  const { default: createEngine } = await import(GLUE);
  return createEngine({ wasmBinary: readFileSync(GLUE.replace(/\.js$/, '.wasm')) });
}

const TEXT = 'the cat sat on the mat.\na dog ran to the log!\n"quoted" words (in brackets)\n'.repeat(30);
// 16 streams = 4 shards; dropout on, and unroll 8 wraps the epoch within the steps run.
const CONFIG = 'cell=lstm\nlayers=2\nhidden=24\nembed=8\nbatch=16\nunroll=8\ndropout=0.2\nclip=norm\nclip_value=0.1\nseed=3\n';

function open(e) {
  const s = new e.Session();
  const r = s.open(TEXT, CONFIG);
  assert.ok(r.ok, r.error);
  return s;
}

// A piece as another worker receives it: structured-cloned with its buffers transferred (they must be copies, not
// views of the wasm heap: transferring the heap would detach the sender's memory).
const send = (piece) => structuredClone(piece, { transfer: [piece.grads.buffer, piece.state.buffer] });

test('shards spread over two replicas give the losses of train(), bit for bit', async () => {
  const e = await engine();
  const alone = open(e), a = open(e), b = open(e);
  const steps = 30;
  const reference = alone.train(steps, 1e9).reports;
  assert.equal(reference.length, steps);
  assert.ok(reference.some((r) => r.stateReset), 'the run covers an epoch wrap');
  for (let i = 0; i < steps; i++) {
    assert.equal(a.beginStep().shards, 4);
    b.beginStep();
    // Worker A: shard 2, then shards 0 and 1 as one batch (any order, any grouping); worker B: shard 3. Each
    // combines what it holds, then sends.
    const fromA = a.combineShards([...a.computeShards(2, 1).pieces, ...a.computeShards(0, 2).pieces]).pieces.map(send);
    const fromB = b.computeShards(3, 1).pieces.map(send);
    assert.equal(fromA.length, 2);   // shards 0+1 are one node of the tree; 2 waits for its sibling 3
    const all = a.combineShards([...fromB, ...fromA]);
    assert.ok(all.ok, all.error);
    assert.equal(all.pieces.length, 1);
    const forB = send(structuredClone(all.pieces[0]));
    const ra = a.applyStep(all.pieces[0]).report, rb = b.applyStep(forB).report;
    assert.deepEqual(rb, ra);
    assert.deepEqual(ra, reference[i]);
  }
  for (const s of [alone, a, b]) s.delete();
});

test('the primary\'s held pieces (kept in the engine) with a helper\'s transferred ones give train()\'s reports', async () => {
  const e = await engine();
  const alone = open(e), primary = open(e), helper = open(e);
  const reference = alone.train(12, 1e9).reports;
  for (let i = 0; i < 12; i++) {
    primary.beginStep();
    helper.beginStep();
    assert.ok(primary.computeShardsHeld(0, 3).ok);
    const sum = primary.combineHeld(helper.computeShards(3, 1).pieces.map(send));
    assert.ok(sum.ok, sum.error);
    const rh = helper.applyStep(send(sum.piece)).report;
    const rp = primary.applyHeld().report;
    assert.deepEqual(rp, reference[i]);
    assert.deepEqual(rh, rp);
  }
  assert.match(primary.applyHeld().error, /combineHeld gave no sum/);
  primary.beginStep();
  primary.computeShardsHeld(0, 2);
  assert.match(primary.combineHeld([]).error, /do not cover every shard/);
  for (const s of [alone, primary, helper]) s.delete();
});

test('pieces that do not fit are refused with a message, and the step can still finish', async () => {
  const e = await engine();
  const s = open(e);
  assert.match(s.computeShards(0, 1).error, /begin_step/);
  s.beginStep();
  assert.match(s.computeShards(3, 2).error, /do not exist/);
  const piece = s.computeShards(1, 1).pieces[0];
  assert.match(s.applyStep({ ...piece, grads: new Float32Array(3) }).error, /Float32Array of \d+ numbers/);
  assert.match(s.applyStep(piece).error, /all 16 streams/);
  // Streams 4..11 = shards 1 and 2: not a node of the tree (it pairs 0 with 1, and 2 with 3).
  const straddling = { ...piece, streams: 8, grads: new Float32Array(piece.grads.length),
                       state: new Float32Array(piece.state.length * 2) };
  assert.match(s.combineShards([straddling]).error, /not a node of the fixed summation tree/);
  const all = s.combineShards(s.computeShards(0, 4).pieces);
  assert.ok(s.applyStep(all.pieces[0]).ok);
  s.delete();
});
