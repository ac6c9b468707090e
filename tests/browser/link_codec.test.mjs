// The share-link codec (web/static/run/link_schema.js) under plain node: no browser, no built site needed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import './node_compat.mjs';   // deflate-raw for Node 18
import {
  Caps, LINK_VERSION, SCHEMA, WEIGHTS_VERSION, base64urlDecode, base64urlEncode, decodeLink, decodeWeights, deflate,
  defaults, encodeLink,
} from '../../web/static/run/link_schema.js';

const CODES = new Set(['not_link', 'version', 'malformed', 'too_large', 'corrupt']);

async function rejects(hash, code, pattern) {
  const r = await decodeLink(hash);
  assert.equal(r.ok, false, `accepted: ${String(hash).slice(0, 80)}`);
  assert.equal(r.code, code, `${r.code}: ${r.message}`);
  assert.equal(typeof r.message, 'string');
  if (pattern) assert.match(r.message, pattern);
  return r;
}

function rng(seed) {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 2 ** 32;
  };
}

// Bytes shaped like the engine's link weights (magic, format version), the rest pseudo-random (incompressible).
function fakeWeights(n, seed, version = WEIGHTS_VERSION) {
  const next = rng(seed);
  const b = Uint8Array.from({ length: Math.floor(n) }, () => Math.floor(next() * 256));
  b.set([0x52, 0x4e, 0x4c, 0x57, version, 1]);
  return b;
}

describe('share link codec', () => {
  it('round-trips the defaults with a preset', async () => {
    const e = await encodeLink({ preset: 'prose' });
    assert.ok(e.ok, e.message);
    assert.match(e.hash, /^v=2&/);
    assert.match(e.hash, /&seed=1&/);
    const d = await decodeLink('#' + e.hash);
    assert.ok(d.ok, d.message);
    assert.equal(d.version, 2);   // links without a recipe stay format 2, so pages from before format 3 open them
    assert.equal(d.value.preset, 'prose');
    assert.equal(d.value.text, null);
    const all = { ...d.value.config, ...d.value.sample };
    assert.deepEqual(all, defaults());
  });

  it('round-trips every setting and a text with markup, unicode and newlines', async () => {
    const text = 'Grüße, 世界 🙂\n<img src=x onerror=alert(1)><script>alert(2)</script>\n'.repeat(50);
    const values = {
      cell: 'gru', layers: '3', hidden: '200', embed: '0', unroll: '17', batch: '5', optimizer: 'sgd', lr: '1e-4',
      schedule: 'cosine', step_every: '77', step_gamma: '0.25', cosine_steps: '999', min_lr_fraction: '0.05',
      clip: 'value', clip_value: '2.5', dropout: '0', seed: '123456789', val_percent: '12.5', vocab_max: '100',
      prime: 'The & = + # % "quote" ', length: '321', method: 'topp', temp: '1.3', k: '9', p: '0.75', sseed: '42',
    };
    const e = await encodeLink({ values, text });
    assert.ok(e.ok, e.message);
    assert.ok(!/[<>"' ]/.test(e.hash), 'the hash holds only URL-safe characters');
    const d = await decodeLink(e.hash);
    assert.ok(d.ok, d.message);
    assert.equal(d.value.text, text);
    for (const f of SCHEMA) {
      const got = { ...d.value.config, ...d.value.sample }[f.key];
      const want = f.type === 'int' || f.type === 'num' ? Number(values[f.key]) : values[f.key];
      assert.equal(got, want, f.key);
    }
    assert.deepEqual(d.value.clamped, []);
  });

  it('round-trips an empty text and leaves optional fields out when empty', async () => {
    const e = await encodeLink({ text: '' });
    assert.ok(e.ok);
    assert.ok(!/(^|&)(sseed|prime)=/.test(e.hash));
    const d = await decodeLink(e.hash);
    assert.equal(d.value.text, '');
    assert.equal(d.value.sample.sseed, '');
  });

  it('clamps numbers out of range and reports them', async () => {
    const d = await decodeLink('v=1&layers=99&hidden=0&lr=50&dropout=0.95&temp=0.001&preset=hello');
    assert.ok(d.ok, d.message);
    assert.equal(d.value.config.layers, 4);
    assert.equal(d.value.config.hidden, 1);
    assert.equal(d.value.config.lr, 10);
    assert.equal(d.value.config.dropout, 0.9);
    assert.equal(d.value.sample.temp, 0.05);
    assert.deepEqual(d.value.clamped.sort(), ['dropout', 'hidden', 'layers', 'lr', 'temp']);
  });

  it('ignores unknown keys and fills missing ones with defaults', async () => {
    const d = await decodeLink('v=1&future_knob=7&__proto__=x&constructor=y&preset=code');
    assert.ok(d.ok, d.message);
    assert.equal(d.value.preset, 'code');
    assert.deepEqual({ ...d.value.config, ...d.value.sample }, defaults());
    assert.equal(Object.getPrototypeOf(d.value.config), Object.prototype);
  });

  it('rejects every kind of bad link with a message', async () => {
    await rejects('', 'not_link');
    await rejects('#testhooks', 'not_link');
    await rejects('v=99&preset=prose', 'version', /newer version/);
    await rejects('v=0&preset=prose', 'version');
    await rejects('v=abc&preset=prose', 'malformed');
    await rejects('v=1', 'malformed', /neither a text nor a preset/);
    await rejects('v=1&preset=evil', 'malformed');
    await rejects('v=1&preset=prose&layers=two', 'malformed', /layers/);
    await rejects('v=1&preset=prose&layers=2.5', 'malformed', /layers/);
    await rejects('v=1&preset=prose&layers=-1', 'malformed', /layers/);
    await rejects('v=1&preset=prose&lr=NaN', 'malformed', /lr/);
    await rejects('v=1&preset=prose&lr=Infinity', 'malformed', /lr/);
    await rejects('v=1&preset=prose&lr=1e999', 'malformed', /lr/);
    await rejects('v=1&preset=prose&seed=99999999999999999999', 'malformed', /seed/);
    await rejects('v=1&preset=prose&cell=<script>', 'malformed', /cell/);
    await rejects('v=1&preset=prose&prime=' + 'x'.repeat(Caps.MAX_PRIME_CHARS + 1), 'too_large');
    await rejects('v=1&text=abc$def', 'corrupt');
    await rejects('v=1&text=a', 'corrupt');
    await rejects('v=1&text=' + 'A'.repeat(4 * 40), 'corrupt');   // not a deflate stream
    await rejects('v=1&' + 'x'.repeat(Caps.MAX_HASH_CHARS), 'too_large', /^This link is longer than the [\d,]+ characters a link may have: ask whoever sent it/);
  });

  it('rejects a truncated text', async () => {
    const e = await encodeLink({ text: 'the quick brown fox jumps over the lazy dog. '.repeat(200) });
    const cut = e.hash.slice(0, e.hash.length - Math.floor((e.hash.length - e.hash.indexOf('text=')) / 2));
    const r = await decodeLink(cut);
    assert.equal(r.ok, false);
    assert.ok(['corrupt'].includes(r.code), r.code);
  });

  it('rejects invalid UTF-8 in the text', async () => {
    const packed = base64urlEncode(await deflate(new Uint8Array([0x61, 0xff, 0xfe, 0x62])));
    await rejects('v=1&text=' + packed, 'corrupt', /UTF-8/);
  });

  it('rejects a text that inflates beyond the cap (a compression bomb) without inflating it all', async () => {
    const bomb = new Uint8Array(Caps.MAX_TEXT_BYTES * 8).fill(0x61);
    const packed = base64urlEncode(await deflate(bomb));
    assert.ok(packed.length < 64 * 1024, 'the bomb is small');
    await rejects('v=1&text=' + packed, 'too_large', /ask whoever sent it for the model file/);
  });

  it('refuses to write a text over the cap, and writes one just under it', async () => {
    const over = await encodeLink({ text: 'a'.repeat(Caps.MAX_TEXT_BYTES + 1) });
    assert.equal(over.ok, false);
    assert.equal(over.code, 'too_large');
    assert.match(over.message, /too large for a link: download the model file instead/);
    const at = await encodeLink({ text: 'a'.repeat(Caps.MAX_TEXT_BYTES) });
    assert.ok(at.ok, at.message);
    assert.equal((await decodeLink(at.hash)).value.text.length, Caps.MAX_TEXT_BYTES);
  });

  it('refuses to write invalid settings', async () => {
    const r = await encodeLink({ values: { layers: 'many' }, preset: 'prose' });
    assert.equal(r.ok, false);
    assert.equal(r.code, 'invalid_settings');
    const out = await encodeLink({ values: { seed: '9999999999999999' }, preset: 'prose' });
    assert.equal(out.code, 'invalid_settings');
    assert.match(out.message, /seed must be between/);
  });

  it('keeps a large seed exact', async () => {
    const e = await encodeLink({ values: { seed: '9007199254740991' }, preset: 'prose' });
    assert.ok(e.ok, e.message);
    assert.equal((await decodeLink(e.hash)).value.config.seed, 9007199254740991);
  });

  it('base64url round-trips every length', () => {
    const next = rng(5);
    for (let n = 0; n < 70; ++n) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
      assert.deepEqual(base64urlDecode(base64urlEncode(bytes)), bytes);
    }
  });

  it('still opens version 1 links, which have no weights (a w= there is ignored)', async () => {
    const d = await decodeLink('v=1&preset=hello&hidden=16&w=AAAA');
    assert.ok(d.ok, d.message);
    assert.equal(d.version, 1);
    assert.equal(d.value.config.hidden, 16);
    assert.equal(d.value.weights, undefined);
  });

  it('round-trips weights next to a text and a preset', async () => {
    const payload = fakeWeights(5000, 1);
    for (const where of [{ text: 'some text\n'.repeat(40) }, { preset: 'prose' }]) {
      const e = await encodeLink({ ...where, values: { hidden: '64' }, weights: payload });
      assert.ok(e.ok, e.message);
      assert.equal(e.weights, 'included');
      assert.match(e.hash, /&w=[A-Za-z0-9_-]+$/);
      assert.equal(e.length, e.hash.length + 1);
      const d = await decodeLink(e.hash);
      assert.ok(d.ok, d.message);
      assert.equal(d.version, 2);
      assert.deepEqual(d.value.weights, payload);
      assert.equal(d.value.weightsProblem, null);
      assert.equal(d.value.config.hidden, 64);
    }
    const none = await encodeLink({ preset: 'prose' });
    assert.equal(none.weights, 'none');
    assert.equal((await decodeLink(none.hash)).value.weights, null);
  });

  it('leaves out weights over the caps and says why, keeping the rest of the link', async () => {
    const big = await encodeLink({ preset: 'prose', weights: fakeWeights(Caps.MAX_WEIGHT_BYTES + 1, 2) });
    assert.ok(big.ok, big.message);
    assert.match(big.weights, /over the 2\.0 MiB a link may carry/);
    assert.ok(!/&w=/.test(big.hash));
    // Under the payload cap but incompressible: base64 makes it longer than the whole URL may be (Firefox's limit).
    const long = await encodeLink({ preset: 'prose', weights: fakeWeights(Caps.MAX_URL_CHARS * 0.8, 3) });
    assert.ok(long.ok, long.message);
    assert.match(long.weights, /would be [\d,]+ characters, over the 1,048,572 every browser opens/);
    assert.ok(!/&w=/.test(long.hash));
    // Just under: fits, counting the address before the #hash.
    const base = 'https://example.org/some/path/index.html';
    const fits = await encodeLink({ preset: 'prose', base, weights: fakeWeights(Math.floor(Caps.MAX_URL_CHARS * 0.7), 4) });
    assert.equal(fits.weights, 'included');
    assert.equal(fits.length, base.length + 1 + fits.hash.length);
    assert.ok(fits.length <= Caps.MAX_URL_CHARS);
  });

  it('opens the text and settings of a link whose weights cannot be used, and says why', async () => {
    const good = base64urlEncode(await deflate(fakeWeights(3000, 5)));
    const cases = [
      ['truncated', good.slice(0, Math.floor(good.length / 2)), 'corrupt', /cut off or damaged/],
      ['cut by one character', good.slice(0, -1), 'corrupt', /cut off or damaged|not rnnlab weights/],
      ['not base64url', good.slice(0, 20) + '$%' + good.slice(22), 'corrupt', /base64url/],
      ['not deflate', 'A'.repeat(200), 'corrupt', /cut off or damaged/],
      ['empty', '', 'corrupt', /cut off or damaged/],
      ['foreign bytes', base64urlEncode(await deflate(new TextEncoder().encode('PK\u0003\u0004 a zip, not weights'))), 'corrupt', /not rnnlab weights/],
      ['a future version', base64urlEncode(await deflate(fakeWeights(100, 6, WEIGHTS_VERSION + 1))), 'version', /newer version of rnnlab \(weights format 2/],
      ['version 0', base64urlEncode(await deflate(fakeWeights(100, 6, 0))), 'corrupt', /format version 0/],
      ['a compression bomb', base64urlEncode(await deflate(new Uint8Array(Caps.MAX_WEIGHT_BYTES * 4))), 'too_large', /more than a link may carry/],
    ];
    for (const [what, packed, code, pattern] of cases) {
      const d = await decodeLink(`v=2&preset=hello&hidden=16&w=${packed}`);
      assert.ok(d.ok, `${what}: ${d.message}`);
      assert.equal(d.value.preset, 'hello', what);
      assert.equal(d.value.config.hidden, 16, what);
      assert.equal(d.value.weights, null, what);
      assert.equal(d.value.weightsProblem.code, code, `${what}: ${d.value.weightsProblem.message}`);
      assert.match(d.value.weightsProblem.message, pattern, what);
      await assert.rejects(decodeWeights(packed), (e) => e.code === code, what);
    }
    // Oversized before decoding: refused without inflating.
    await assert.rejects(decodeWeights('A'.repeat(Caps.MAX_HASH_CHARS + 4)), (e) => e.code === 'too_large');
  });

  it('round-trips a short link: the recipe (calls, step, checksum, mid-run changes) and no weights', async () => {
    const recipe = { calls: 302, step: 300, crc: 0xdeadbeef, events: [
      { at: 120, kind: 'lr', lr: 0.0012345 }, { at: 150, kind: 'clip', mode: 'value', value: 2.5 },
      { at: 150, kind: 'clip', mode: 'none', value: 5 }, { at: 302, kind: 'round' }] };
    const e = await encodeLink({ preset: 'prose', recipe, base: 'http://127.0.0.1:8000/' });
    assert.ok(e.ok, e.message);
    assert.match(e.hash, /^v=3&.*&preset=prose&calls=302&step=300&crc=deadbeef&edits=l120_0\.0012345~c150_value_2\.5~c150_none_5~r302$/);
    assert.ok(e.length < 600, `${e.length} characters`);
    const d = await decodeLink('#' + e.hash);
    assert.ok(d.ok, d.message);
    assert.equal(d.version, 3);
    assert.deepEqual(d.value.recipe, recipe);
    assert.equal(d.value.recipeProblem, null);
    assert.equal(d.value.weights, null);
    // A recipe never travels with weights: the short link is the one without them.
    const both = await encodeLink({ preset: 'prose', recipe, weights: fakeWeights(100, 9) });
    assert.ok(!/&w=/.test(both.hash));
    assert.equal(LINK_VERSION, 3);
  });

  it('opens the text and settings of a short link whose recipe is damaged, and says why', async () => {
    const good = (await encodeLink({ preset: 'hello', recipe: { calls: 10, step: 10, crc: 1, events: [] } })).hash;
    const cases = [
      [good.replace(/crc=[0-9a-f]+/, 'crc=xyz'), /checksum is missing or damaged/],
      [good.replace(/calls=\d+/, 'calls=-4'), /step count/],
      [good + '&edits=q5', /not readable/],
      [good + '&edits=l20_0.1', /after the last step/],
      [good + '&edits=' + Array(1002).fill('r1').join('~'), /more than 1000/],
    ];
    for (const [hash, pattern] of cases) {
      const d = await decodeLink(hash);
      assert.ok(d.ok, d.message);
      assert.equal(d.value.recipe, null, hash.slice(-40));
      assert.match(d.value.recipeProblem.message, pattern);
      assert.equal(d.value.preset, 'hello');
    }
  });

  it('makes no link longer than Firefox opens, and still opens a longer one an older page made', async () => {
    const base = 'http://127.0.0.1:8000/';
    const next = rng(11);   // a text under the 1 MiB text cap that deflate cannot shrink enough
    const text = Array.from({ length: 1_000_000 }, () => String.fromCharCode(33 + Math.floor(next() * 90))).join('');
    const r = await encodeLink({ text, base });
    assert.equal(r.ok, false);
    assert.equal(r.code, 'too_large');
    assert.match(r.message, /longer than the 1,048,572 every browser opens/);
    const older = 'v=2&preset=prose&unknown=' + 'x'.repeat(Caps.MAX_URL_CHARS + 1000);   // Chromium opens this
    assert.ok((await decodeLink(older)).ok);
  });

  it('fuzz: mutated valid links give a result or a typed error, never a throw', async () => {
    const next = rng(12345);
    const text = 'Some text with <b>tags</b> & ünïcödé.\n'.repeat(30);
    const seeds = [
      (await encodeLink({ preset: 'hello' })).hash,
      (await encodeLink({ text, values: { prime: 'a&b', sseed: '3' } })).hash,
      (await encodeLink({ preset: 'hello', weights: fakeWeights(300, 9) })).hash,
    ];
    const alphabet = 'v=1&%#+-_.09azAZ<>"\'\\\u0000\u00ff\ud800€';
    let ok = 0, bad = 0;
    for (let i = 0; i < 600; ++i) {
      let s = seeds[i % seeds.length];
      const edits = 1 + Math.floor(next() * 4);
      for (let k = 0; k < edits; ++k) {
        const pos = Math.floor(next() * (s.length + 1));
        const op = Math.floor(next() * 4);
        const ch = alphabet[Math.floor(next() * alphabet.length)];
        if (op === 0) s = s.slice(0, pos) + ch + s.slice(pos);                          // insert
        else if (op === 1) s = s.slice(0, pos) + s.slice(pos + 1);                      // delete
        else if (op === 2) s = s.slice(0, pos) + ch + s.slice(pos + 1);                 // replace
        else s = s.slice(0, pos);                                                        // truncate
      }
      let r;
      try {
        r = await decodeLink(s);
      } catch (e) {
        assert.fail(`decodeLink threw on ${JSON.stringify(s.slice(0, 120))}: ${e}`);
      }
      if (r.ok) {
        ++ok;
        assert.ok(r.value.text === null || typeof r.value.text === 'string');
        if (r.value.weights) assert.ok(r.value.weights instanceof Uint8Array && r.value.weights.length >= 6);
        if (r.value.weightsProblem) assert.ok(CODES.has(r.value.weightsProblem.code), r.value.weightsProblem.code);
        for (const f of SCHEMA) {
          const v = { ...r.value.config, ...r.value.sample }[f.key];
          if (f.type === 'int' || f.type === 'num') {
            if (!(f.optional && v === '')) assert.ok(v >= f.min && v <= f.max, `${f.key}=${v}`);
          } else if (f.type === 'enum') assert.ok(f.values.includes(v), `${f.key}=${v}`);
        }
      } else {
        ++bad;
        assert.ok(CODES.has(r.code), `unexpected code ${r.code}`);
        assert.equal(typeof r.message, 'string');
      }
    }
    assert.ok(ok > 0 && bad > 0, `ok ${ok}, rejected ${bad}`);
  });
});
