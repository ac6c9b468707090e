#!/usr/bin/env bash
# rnnlab's one entry point. On a fresh Debian machine it first installs what it needs (apt, npm ci).
#
#   ./build.sh serve     build everything and serve the playground on http://127.0.0.1:8000
#   ./build.sh test      build everything and run every test (native, wasm under node, browser)
#   ./build.sh bench     speed and learning benchmarks (not tests), with peers measured in the same run
#   ./build.sh demo      train the native CLI on the built-in text for a minute and print samples
#   ./build.sh build     native CLI + tests, wasm module, and the static site in site/
#   ./build.sh fuzz      fuzz the model-file and safetensors loaders for a fixed budget
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
JOBS=${JOBS:-$(nproc)}
NATIVE=build/native
WASM=build/wasm
WASM_NOSIMD=build/wasm-nosimd
SITE=site

log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

APT_PACKAGES=(cmake make g++ libeigen3-dev catch2 libsimde-dev emscripten wabt nodejs npm chromium python3-torch)
# The PyTorch peer of ./build.sh bench: Debian's torch with the reference BLAS runs ~14x slower than with OpenBLAS,
# and a ratio against that would flatter us falsely (../shared/notes/toolchain.md §10).
BENCH_APT_PACKAGES=(python3-torch libopenblas0-pthread)

install_deps() {   # install_deps [EXTRA_APT_PACKAGE...]
  local missing=()
  for p in "${APT_PACKAGES[@]}" "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  # node and npm may come from another source than Debian's packages (e.g. nodesource): accept those.
  if command -v node >/dev/null && command -v npm >/dev/null; then
    local keep=()
    for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || keep+=("$p"); done
    missing=("${keep[@]+"${keep[@]}"}")
  fi
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    local sudo=""
    [[ $(id -u) == 0 ]] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if [[ -f package-lock.json && ( ! -d node_modules || package-lock.json -nt node_modules ) ]]; then
    log "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    touch node_modules
  fi
}

build_native() {
  log "native build ($NATIVE)"
  cmake -S . -B "$NATIVE" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$NATIVE" -j "$JOBS"
}

build_wasm() {
  log "wasm build ($WASM)"
  export NODE_PATH=/usr/share/nodejs   # emscripten's acorn-optimizer finds Debian's node-acorn here
  emcmake cmake -S . -B "$WASM" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$WASM" -j "$JOBS"
  log "wasm fallback without SIMD, for browsers that lack it ($WASM_NOSIMD)"
  emcmake cmake -S . -B "$WASM_NOSIMD" -DCMAKE_BUILD_TYPE=Release -DRNNLAB_WASM_SIMD=OFF >/dev/null
  cmake --build "$WASM_NOSIMD" -j "$JOBS" --target rnnlab_web rnnlab_bench rnnlab_bench_web
}

build_site() {
  if [[ -d web && -f "$WASM/web/rnnlab_engine.js" ]]; then
    log "site ($SITE/)"
    rm -rf "$SITE"
    mkdir -p "$SITE"
    # The page loads one script and its worker one: esbuild bundles main.js and the two worker entries with their
    # imports (the worker's include Emscripten's JS glue, so the sources and both glues are staged side by side).
    # Source maps let the browser's developer tools show the commented sources.
    local stage=build/site-src
    rm -rf "$stage"
    mkdir -p "$stage"
    cp -r web/static/. "$stage/"
    cp "$WASM"/web/rnnlab_engine.js "$WASM_NOSIMD"/web/rnnlab_engine_nosimd.js "$stage/"
    node_modules/.bin/esbuild "$stage"/{main,worker_simd,worker_nosimd}.js --bundle --format=esm --charset=utf8 \
      --sourcemap --outdir="$SITE" --log-level=warning
    cp "$stage"/{index.html,boot.js} "$stage"/*.css "$SITE/"
    cp "$WASM"/web/rnnlab_engine.wasm "$WASM_NOSIMD"/web/rnnlab_engine_nosimd.wasm "$SITE/"
    [[ -x web/make_presets.sh ]] && web/make_presets.sh "$SITE"
    node web/inline_boot.mjs "$SITE"
  fi
  return 0
}

build_all() {
  install_deps
  build_native
  build_wasm
  build_site
}

run_tests() {
  build_all
  log "native tests"
  (cd "$NATIVE" && ctest --no-tests=error --output-on-failure -j "$JOBS")
  log "wasm tests under node"
  (cd "$WASM" && ctest --no-tests=error --output-on-failure -j "$JOBS")
  if [[ -d tests/browser && -d "$SITE" ]]; then
    log "browser tests (headless Chromium)"
    node --test tests/browser/
  fi
}

case "${1:-help}" in
  build) build_all ;;
  test) run_tests ;;
  serve)
    build_all
    log "serving $SITE on http://127.0.0.1:${PORT:-8000}"
    exec node tools/serve.mjs "$SITE" "${PORT:-8000}"
    ;;
  demo)
    install_deps
    build_native
    exec bench/demo.sh "$NATIVE/rnnlab"
    ;;
  bench)
    install_deps "${BENCH_APT_PACKAGES[@]}"
    build_all   # the site too: the start-up figure is measured on it
    exec bench/run.sh "$@"
    ;;
  fuzz)
    install_deps
    exec tests/fuzz/run.sh
    ;;
  *)
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    [[ ${1:-help} == help || ${1:-} == -h || ${1:-} == --help ]] || exit 2
    ;;
esac
