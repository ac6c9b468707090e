#!/usr/bin/env bash
# ./build.sh bench: training and sampling speed of rnnlab beside the peers a user would otherwise pick, measured
# in the same run (machines here are shared and noisy: compare ratios, not absolute figures), plus learning quality.
# Systems: native (g++ -O3 -march=native, Eigen), wasm SIMD and wasm without SIMD, each in node and in a Web Worker
# in headless Chromium, PyTorch CPU and TensorFlow.js (wasm backend) from ../shared/bench-peers, 1 thread each.
# Medians of RUNS runs (default 3). Results: build/bench/results.jsonl, and a table on stdout.
#   RUNS=3 SECONDS_PER_RUN=20 PEERS=torch,tfjs MODES=train,sample ./build.sh bench
# MODES=sample measures only sampling (and start-up), the same way, in a few minutes.
# MODES=presets (in the default) trains each preset at its page defaults (the settings form's defaults with the
# preset's size from web/static/sections/text/presets.js) the way the page's worker does
# (bench/presets/bench_presets.cpp, natively) until "Stop when validation stops improving" would pause it: best
# validation bits/char, its step and the minutes to it, in CPU time and by the wall clock (each preset capped at 15
# CPU minutes; ten minutes or more in all: MODES=train,sample leaves it out).
# Threads (issue 15): native training also with --threads 2 (system native-2threads), the real page with 1 and 2
# workers (page-1workers, page-2workers; PAGE=0 leaves it out) and PyTorch also with 2 threads (pytorch-2threads),
# so the report compares against PyTorch at its best thread count. A focused run of just those:
#   FLAVOURS= PEERS=torch MODES=train LEARN=0 ./build.sh bench      (FLAVOURS: wasm,wasm-nosimd by default)
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
SECS=${SECONDS_PER_RUN:-20}
PEERS=${PEERS:-torch,tfjs}
MODES=${MODES:-train,sample,presets}
FLAVOURS=${FLAVOURS-wasm,wasm-nosimd}
LEARN=${LEARN:-1}
PAGE=${PAGE:-1}
CORPUS=${CORPUS:-../shared/corpora/tinyshakespeare.txt}
PEER_DIR=../shared/bench-peers
OUT=build/bench
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
: >"$RESULTS"
BENCH=build/native/rnnlab_bench
[[ -f $CORPUS ]] || { echo "bench: corpus $CORPUS not found (it lives in ../shared/corpora)"; exit 1; }

record() {   # system workload mode: reads JSON lines on stdin, keeps the last one, tags it
  local line
  line=$(grep '^{' | tail -n 1)
  [[ -n $line ]] && echo "{\"system\":\"$1\",\"workload\":\"$2\",\"mode\":\"$3\",\"data\":$line}" >>"$RESULTS"
}

OB="env LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1"
OB2="env LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2"
have_torch() { [[ $PEERS == *torch* ]] && /usr/bin/python3 -c 'import torch' 2>/dev/null && [[ -d /usr/lib/x86_64-linux-gnu/openblas-pthread ]]; }
have_tfjs() {
  [[ $PEERS == *tfjs* ]] || return 1
  if [[ ! -d $OUT/peers/node_modules/@tensorflow/tfjs-backend-wasm ]]; then
    mkdir -p "$OUT/peers"
    cp "$PEER_DIR/package.json" "$PEER_DIR/package-lock.json" "$OUT/peers/" 2>/dev/null
    (cd "$OUT/peers" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1) || return 1
  fi
}
if [[ $PEERS == *torch* ]] && ! have_torch; then
  echo "bench: PyTorch peer skipped (needs python3-torch and libopenblas0-pthread from apt: ./build.sh bench installs them)"
fi
TFJS=0
if [[ $PEERS == *tfjs* ]]; then have_tfjs && TFJS=1 || echo "bench: TensorFlow.js peer skipped (npm ci of the peer package failed)"; fi

torch_args() { [[ $1 == W1 ]] && echo "--layers 2 --hidden 256 --batch 32" || echo "--layers 1 --hidden 128 --batch 16"; }

for run in $(seq "$RUNS"); do
  for w in W1 W2; do
    echo "run $run/$RUNS, $w" >&2
    [[ $MODES == *train* ]] && $BENCH train --corpus "$CORPUS" --workload $w --seconds "$SECS" | record native $w train
    [[ $MODES == *train* ]] && $BENCH train --corpus "$CORPUS" --workload $w --seconds "$SECS" --threads 2 |
      record native-2threads $w train
    [[ $MODES == *sample* ]] && $BENCH sample --corpus "$CORPUS" --workload $w | record native $w sample
    for flavour in ${FLAVOURS//,/ }; do
      dir=build/$flavour
      [[ -f $dir/rnnlab_bench.js ]] || continue
      [[ $MODES == *train* ]] && node $dir/rnnlab_bench.js train --corpus "$CORPUS" --workload $w --seconds "$SECS" | record $flavour-node $w train
      [[ $MODES == *sample* ]] && node $dir/rnnlab_bench.js sample --corpus "$CORPUS" --workload $w | record $flavour-node $w sample
      [[ $MODES == *train* || $MODES == *sample* ]] && [[ -f $dir/rnnlab_bench_web.js ]] && node bench/browser/run.mjs $dir "$CORPUS" $flavour-chromium $w "$SECS" "$RESULTS" "$MODES"
    done
    # The real page with 1 and 2 workers (issue 15): the same settings, the speed the page shows.
    [[ $MODES == *train* && $PAGE == 1 && -f site/rnnlab_engine.wasm ]] &&
      node bench/browser/page_workers.mjs site "$CORPUS" $w "$SECS" "$RESULTS" 1,2
    if have_torch; then
      [[ $MODES == *train* ]] && $OB /usr/bin/python3 $PEER_DIR/torch/train_torch.py bench --corpus "$CORPUS" $(torch_args $w) --bench_s "$SECS" | record pytorch $w train
      [[ $MODES == *train* ]] && $OB2 /usr/bin/python3 $PEER_DIR/torch/train_torch.py bench --corpus "$CORPUS" $(torch_args $w) --bench_s "$SECS" --threads 2 | record pytorch-2threads $w train
      [[ $MODES == *sample* ]] && $OB /usr/bin/python3 $PEER_DIR/torch/train_torch.py sample --corpus "$CORPUS" $(torch_args $w) | record pytorch $w sample
    fi
    if ((TFJS)); then
      [[ $MODES == *train* ]] && NODE_PATH=$OUT/peers/node_modules node $PEER_DIR/tfjs/train_tfjs.js bench --backend wasm --corpus "$CORPUS" $(torch_args $w) --bench_s "$SECS" | record tfjs-wasm $w train
      [[ $MODES == *sample* ]] && NODE_PATH=$OUT/peers/node_modules node $PEER_DIR/tfjs/train_tfjs.js sample --backend wasm --corpus "$CORPUS" $(torch_args $w) | record tfjs-wasm $w sample
    fi
  done
done

if [[ $MODES == *train* && $LEARN == 1 ]]; then
  echo "learning: W1, 500 steps, seed 1" >&2
  $BENCH learn --corpus "$CORPUS" --workload W1 --steps 500 --seed 1 | record native W1 learn
fi
if [[ $MODES == *presets* && -x build/native/rnnlab_bench_presets ]]; then
  # The settings form's defaults (web/static/sections/settings/form.js: the engine's own defaults differ), then each
  # preset's size from web/static/sections/text/presets.js (code: none, so the form's); validation every 25 steps
  # (every 10 for hello, whose best comes within ~150 steps). The code text is made as the site makes it.
  P=build/native/rnnlab_bench_presets
  FORM="cell=lstm layers=2 hidden=128 embed=32 unroll=64 batch=16 optimizer=adam lr=0.003 schedule=constant clip=norm
        clip_value=5 dropout=0.3 seed=1 val_fraction=0.1 vocab_max=256"
  web/make_presets.sh "$OUT/preset-texts" >/dev/null
  echo "presets: hello, prose, code at their page defaults (minutes each)" >&2
  $P web/presets/hello.txt 120 10 $FORM layers=1 hidden=32 embed=8 unroll=16 batch=8 dropout=0 lr=0.01 | record native hello presets
  $P web/presets/prose.txt 900 25 $FORM layers=2 hidden=96 embed=16 dropout=0.3 | record native prose presets
  $P "$OUT/preset-texts/presets/code.txt" 900 25 $FORM | record native code presets
fi
if [[ -f site/rnnlab_engine.wasm && $FLAVOURS == *wasm* && ( $MODES == *train* || $MODES == *sample* ) ]]; then
  echo "page start-up in headless Chromium" >&2
  # 11 fresh browsers (single start-ups spread by 100+ ms here), each beside a floor measured in the same run.
  node bench/browser/startup.mjs site 11 | record wasm-chromium page startup
fi
node bench/report.mjs "$RESULTS"
