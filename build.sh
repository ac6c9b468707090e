#!/usr/bin/env bash
# rnnlab's one entry point. On a fresh Debian machine it first installs what it needs (apt, npm ci).
#
#   ./build.sh serve     build everything and serve the playground on http://127.0.0.1:8000
#   ./build.sh test      build everything and run every test (native, wasm under node, browser)
#   ./build.sh bench     speed and learning benchmarks (not tests), with peers measured in the same run
#   ./build.sh demo      train the native CLI on the built-in text for a minute and print samples
#   ./build.sh build     native CLI + tests, wasm module, and the static site in site/
#   ./build.sh site      only the static site, from the page's sources and the wasm builds already made
#   ./build.sh fuzz      fuzz the model-file and safetensors loaders, config text and link opening for a fixed budget
#   ./build.sh soak [cli|page] [M]  soak tests, M minutes each (default 30): the CLI (resident memory flat, resume
#                        exact), then the page (wasm and JS heaps flat with Look inside, Share and reloads; losses
#                        equal an uninterrupted run's); `cli` or `page` runs one of them
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
JOBS=${JOBS:-$(nproc)}
NATIVE=build/native
WASM=build/wasm
WASM_NOSIMD=build/wasm-nosimd
SITE=site

log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

# firefox-esr, webkit2gtk-driver (WebKitWebDriver; it brings MiniBrowser with libwebkit2gtk-4.1-0) and xvfb with xauth
# (MiniBrowser needs a display, xvfb-run gives it one) run the core scenario in the two engines besides Chromium.
APT_PACKAGES=(cmake make g++ libeigen3-dev catch2 libsimde-dev emscripten wabt nodejs npm chromium python3-torch
              firefox-esr webkit2gtk-driver xvfb xauth)
APT_PACKAGES+=(zbar-tools)   # zbarimg reads the share link's QR code back (tests/browser/short_links.test.mjs)
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
    # imports (the workers' include Emscripten's JS glue, so the glues are staged beside the worker entries).
    # Source maps let the browser's developer tools show the commented sources.
    local stage=build/site-src
    rm -rf "$stage"
    mkdir -p "$stage"
    cp -r web/static/. "$stage/"
    cp "$WASM"/web/rnnlab_engine.js "$WASM_NOSIMD"/web/rnnlab_engine_nosimd.js "$stage/engine/worker/"
    # The sources live in folders by concern (web/static/README.md); the site stays flat: main.js, the two worker
    # scripts, index.html with boot.js inlined, and the style sheets.
    node_modules/.bin/esbuild "$stage"/main.js "$stage"/engine/worker/{worker_simd,worker_nosimd}.js --bundle \
      --format=esm --charset=utf8 --sourcemap --entry-names='[name]' --outdir="$SITE" --log-level=warning
    cp "$stage"/index.html "$stage"/engine/boot.js "$SITE/"
    find "$stage" -name '*.css' -exec cp {} "$SITE/" \;
    cp "$WASM"/web/rnnlab_engine.wasm "$WASM_NOSIMD"/web/rnnlab_engine_nosimd.wasm "$SITE/"
    [[ -x web/make_presets.sh ]] && web/make_presets.sh "$SITE"
    node web/inline_boot.mjs "$SITE"
    # Last, once every file is in place: icons, web app manifest, the build's stamp and the service worker that keeps
    # the site for offline use (web/stamp_build.mjs).
    node web/stamp_build.mjs "$SITE"
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
    log "core scenario in Firefox ESR and WebKitGTK, compared with Chromium"
    node --test tests/engines/
  fi
}

case "${1:-help}" in
  build) build_all ;;
  test) run_tests ;;
  site)
    install_deps
    [[ -f "$WASM/web/rnnlab_engine.js" ]] || { echo "no wasm build yet: run ./build.sh build first" >&2; exit 1; }
    build_site
    ;;
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
  soak)
    install_deps
    which=both
    [[ ${2:-} == cli || ${2:-} == page ]] && { which=$2; shift; }
    minutes=${2:-30}
    rc=0
    if [[ $which != page ]]; then
      build_native
      tests/soak/cli_soak.sh "$NATIVE/rnnlab" "$minutes" || rc=1
    fi
    if [[ $which != cli ]]; then
      # The page soak runs on the built site: the wasm builds already made (./build.sh build), or made now.
      if [[ -f "$WASM/web/rnnlab_engine.js" && -f "$WASM_NOSIMD/web/rnnlab_engine_nosimd.js" ]]; then build_site; else build_all; fi
      log "page soak ($minutes min)"
      node tests/soak/page_soak.mjs "$minutes" || rc=1
    fi
    exit $rc
    ;;
  *)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    [[ ${1:-help} == help || ${1:-} == -h || ${1:-} == --help ]] || exit 2
    ;;
esac
