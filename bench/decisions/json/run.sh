#!/usr/bin/env bash
# JSON reader/writer decision: rnnlab's own (engine/rnnlab/json.cpp) against nlohmann::json from Debian's
# nlohmann-json3-dev. Prints (1) what each accepts, (2) the .wasm size each adds to a program that walks a
# safetensors-like header (em++ -O3 with the engine's flags; gzip -9), (3) parse + walk + dump time of a large header,
# natively and in wasm under node. Needs: apt-get install nlohmann-json3-dev; em++ (emscripten). Writes to /tmp.
#   bench/decisions/json/run.sh [TENSORS=10000] [REPEATS=15]
set -euo pipefail
cd "$(dirname "$0")/../../.."
if [[ ! -f /usr/include/nlohmann/json.hpp ]]; then
  echo "needs nlohmann-json3-dev (apt-get install nlohmann-json3-dev)"
  exit 1
fi
TENSORS=${1:-10000}
REPEATS=${2:-15}
OUT=${OUT:-/tmp/json_decision}
mkdir -p "$OUT"
SRC=bench/decisions/json
ENGINE_JSON=(engine/rnnlab/json.cpp engine/rnnlab/utf8.cpp)
export NODE_PATH=/usr/share/nodejs   # emscripten's acorn-optimizer (docs: toolchain notes, gotcha 1)

echo "== what each reader accepts"
g++ -std=c++17 -O2 -Iengine "$SRC/strictness.cpp" "${ENGINE_JSON[@]}" -o "$OUT/strictness"
"$OUT/strictness"

# em++ must not see /usr/include (glibc headers clash with its sysroot): only nlohmann's folder, through a link.
mkdir -p "$OUT/include"
ln -sfn /usr/include/nlohmann "$OUT/include/nlohmann"
NAMES=(none rnnlab nlohmann nlohmann+dupcheck)
echo "== size in wasm (em++ -O3 -msimd128 -fwasm-exceptions, as the engine) and speed on a $TENSORS-tensor header"
printf '%-18s %10s %10s %12s %12s\n' variant wasm_bytes gzip_bytes native_ms wasm_node_ms
for with in 0 1 2 3; do
  extra=()
  [[ $with == 1 ]] && extra=("${ENGINE_JSON[@]}")
  g++ -std=c++17 -O3 -march=native -Iengine -DWALK_WITH=$with "$SRC/header_walk.cpp" "${extra[@]}" -o "$OUT/walk$with"
  em++ -std=c++17 -O3 -msimd128 -fwasm-exceptions -Iengine -I"$OUT/include" -DWALK_WITH=$with \
    "$SRC/header_walk.cpp" "${extra[@]}" \
    -sALLOW_MEMORY_GROWTH=1 -sENVIRONMENT=node -sWASM_ASYNC_COMPILATION=0 -o "$OUT/walk$with.js"
  size=$(stat -c %s "$OUT/walk$with.wasm")
  gz=$(gzip -9 -c "$OUT/walk$with.wasm" | wc -c)
  native=$("$OUT/walk$with" "$TENSORS" "$REPEATS" | sed 's/.*"median_ms":\([0-9.]*\).*/\1/')
  wasm=$(node "$OUT/walk$with.js" "$TENSORS" "$REPEATS" | sed 's/.*"median_ms":\([0-9.]*\).*/\1/')
  printf '%-18s %10s %10s %12s %12s\n' "${NAMES[$with]}" "$size" "$gz" "$native" "$wasm"
done
"$OUT/walk1" "$TENSORS" 1 | sed 's/.*"bytes":\([0-9]*\).*/header size: \1 bytes/'

# The duplicate-key check through nlohmann's parser callback grows with the square of the number of tensors (its
# callback parser scans the parent object after every child object ends), rnnlab's and plain nlohmann's linearly.
echo "== native ms (median) by tensors in the header: rnnlab / nlohmann / nlohmann+dupcheck"
for n in 2500 5000 10000 20000; do
  times=()
  for with in 1 2 3; do times+=("$("$OUT/walk$with" "$n" 3 | sed 's/.*"median_ms":\([0-9.]*\).*/\1/')"); done
  echo "  $n tensors: ${times[*]}"
done
