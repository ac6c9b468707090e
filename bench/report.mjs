// Prints the benchmark table from build/bench/results.jsonl: medians per system, workload and mode, and each
// figure's ratio against the peers measured in the same run.
import { readFileSync } from 'node:fs';

const rows = readFileSync(process.argv[2], 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const groups = new Map();
const push = (key, x) => {
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push(x);
};
for (const r of rows) {
  if (r.mode === 'learn' || r.mode === 'startup' || r.mode === 'presets') continue;
  push(`${r.system}|${r.workload}|${r.mode}`, r.data.chars_per_s);
  // rnnlab's sample figure is the median of several timed calls; its first call (before V8 has finished
  // optimising the sampling code in wasm) is shown beside it. Peers time one call.
  if (r.mode === 'sample') push(`${r.system}|${r.workload}|sample-first`, r.data.first_chars_per_s ?? r.data.chars_per_s);
}
const med = (system, workload, mode) => {
  const xs = groups.get(`${system}|${workload}|${mode}`);
  return xs ? { value: median(xs), n: xs.length } : null;
};
const systems = [...new Set(rows.map((r) => r.system))];
const fmt = (x) => (x == null ? '—' : Math.round(x).toLocaleString('en-US'));
const ratio = (a, b) => (a && b ? (a.value / b.value).toFixed(2) + 'x' : '—');
if (groups.size) {   // MODES=presets alone measures no speeds
  console.log('\n| system | workload | train chars/s | vs PyTorch | vs TF.js wasm | sample chars/s | vs PyTorch | ' +
    'first sample call | vs PyTorch | runs |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const w of ['W1', 'W2']) {
    for (const s of systems) {
      const t = med(s, w, 'train'), smp = med(s, w, 'sample'), first = med(s, w, 'sample-first');
      if (!t && !smp) continue;
      console.log(`| ${s} | ${w} | ${fmt(t?.value)} | ${ratio(t, med('pytorch', w, 'train'))} | ` +
        `${ratio(t, med('tfjs-wasm', w, 'train'))} | ${fmt(smp?.value)} | ${ratio(smp, med('pytorch', w, 'sample'))} | ` +
        `${fmt(first?.value)} | ${ratio(first, med('pytorch', w, 'sample'))} | ${t?.n ?? smp?.n} |`);
    }
  }
}
const heap = rows.filter((r) => r.mode === 'train' && r.data.wasm_heap_mb > 0 && r.workload === 'W1');
if (heap.length) console.log(`\nW1 training, peak wasm heap: ${Math.max(...heap.map((r) => r.data.wasm_heap_mb))} MB`);
for (const r of rows.filter((r) => r.mode === 'startup'))
  console.log(`\npage start-up (navigation to engine ready), median of ${r.data.runs} fresh browsers: ` +
    `${r.data.median_ms} ms (${Math.min(...r.data.all_ms)}–${Math.max(...r.data.all_ms)}); in the same runs a blank ` +
    `page with a worker that only compiles the .wasm: ${r.data.floor_median_ms} ms; engine .wasm ` +
    `${r.data.wasm_gzip_bytes} bytes gzipped (worker script ${r.data.worker_js_gzip_bytes}, page script ` +
    `${r.data.main_js_gzip_bytes}, no-SIMD .wasm ${r.data.nosimd_wasm_gzip_bytes})`);
for (const r of rows.filter((r) => r.mode === 'learn'))
  console.log(`\n${r.system} ${r.workload}: validation ${r.data.val_bpc} bits/char (${r.data.val_loss} nats) after ` +
    `${r.data.step} steps, ${r.data.train_time_s} s of training`);

// Each preset at its page defaults, trained natively as the page's worker trains it (bench/presets/): where the
// validation loss was best and how long it took, and where "Stop when validation stops improving" paused.
const presets = rows.filter((r) => r.mode === 'presets');
if (presets.length) {
  console.log('\npresets at their page defaults (native, one run each; minutes depend on the machine and its load, ' +
    'steps do not):');
  console.log('| preset | parameters | params per training char | validation chars | best validation bits/char | at step | ' +
    'minutes to best (CPU) | minutes to best (wall clock) | paused at step | steps run | minutes run (CPU) |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of presets) {
    const d = r.data;
    const scored = d.val_chars > 65536 ? `sample of 16,384 of ${fmt(d.val_chars)}` : `all ${fmt(d.val_chars)}`;
    console.log(`| ${r.workload} | ${fmt(d.params)} | ${(d.params / d.train_chars).toFixed(1)} | ${scored} | ` +
      `${d.best_bits.toFixed(3)} | ${fmt(d.best_step)} | ${(d.best_cpu_seconds / 60).toFixed(2)} | ` +
      `${(d.best_seconds / 60).toFixed(2)} | ${d.stop_step < 0 ? 'not within the time cap' : fmt(d.stop_step)} | ` +
      `${fmt(d.steps)} | ${(d.cpu_seconds / 60).toFixed(2)} |`);
  }
}

// Threads (issue 15): native training with 2 threads against 1, against PyTorch at its best thread count (1 or 2,
// both measured in this run), and the scaling model. With K fixed shards per step and n cores, a step takes about
// ceil(K/n) shard times (forward + backward, which split) plus the combine and the optimizer step (which do not);
// memory bandwidth shared between cores is not in the model, so it is an upper bound.
const field = (system, workload, key) => {
  const xs = rows.filter((r) => r.system === system && r.workload === workload && r.mode === 'train' && r.data[key] != null);
  return xs.length ? median(xs.map((r) => r.data[key])) : null;
};
for (const w of ['W1', 'W2']) {
  const torchBest = [med('pytorch', w, 'train'), med('pytorch-2threads', w, 'train')].filter(Boolean)
    .sort((a, b) => b.value - a.value)[0];
  const torchWhich = torchBest && torchBest === med('pytorch-2threads', w, 'train') ? '2 threads' : '1 thread';
  const page1 = med('page-1workers', w, 'train'), page2 = med('page-2workers', w, 'train');
  if (page1 && page2) {
    console.log(`\npage ${w}, 2 workers: ${fmt(page2.value)} chars/s = ${ratio(page2, page1)} 1 worker (${fmt(page1.value)})` +
      (torchBest ? `, ${ratio(page2, torchBest)} PyTorch at its best (${torchWhich}, ${fmt(torchBest.value)})` : ''));
    // The page's scaling model from its two measurements: a step of t(n) = C / n + F, with C the part the workers
    // share (forward and backward) and F what they do not (the optimizer, the tree, the messages and copies).
    const t1 = 1 / page1.value, t2 = 1 / page2.value;   // seconds per character
    const C = 2 * (t1 - t2), F = 2 * t2 - t1;
    if (C > 0 && F > 0)
      console.log(`  page scaling model (t(n) = C/n + F; shared ${(100 * C / t1).toFixed(0)}% of a 1-worker step): ` +
        [4, 8].map((n) => `${n} workers ${(t1 / (C / n + F)).toFixed(2)}x`).join(', '));
  }
  const one = med('native', w, 'train'), two = med('native-2threads', w, 'train');
  if (!one || !two) continue;
  console.log(`\nnative ${w}, 2 threads: ${fmt(two.value)} chars/s = ${ratio(two, one)} 1 thread (${fmt(one.value)})` +
    (torchBest ? `, ${ratio(two, torchBest)} PyTorch at its best (${torchWhich}, ${fmt(torchBest.value)})` : ''));
  const K = field('native', w, 'shards'), shards = field('native', w, 'median_shards_s');
  const combine = field('native', w, 'median_combine_s'), apply = field('native', w, 'median_apply_s');
  if (K == null || shards == null) continue;
  const ms = (x) => (x * 1000).toFixed(1) + ' ms';
  const step = (n) => Math.ceil(K / n) * (shards / K) + combine + apply;
  console.log(`  one thread, per step: ${K} shards ${ms(shards)}, combine ${ms(combine)}, optimizer ${ms(apply)}; ` +
    `2 threads measured: shards ${ms(field('native-2threads', w, 'median_shards_s'))}`);
  console.log(`  scaling model (ceil(K/n) shards + combine + optimizer): ` +
    [2, 4, 8].map((n) => `${n} cores ${(step(1) / step(n)).toFixed(2)}x`).join(', '));
}
