#!/usr/bin/env bash
# ./build.sh fuzz: libFuzzer (clang, with AddressSanitizer and UBSan) on the model-file loader, the safetensors
# importer and the share-link weights loader, for a fixed budget each (FUZZ_SECONDS, default 120). Not part of ./build.sh test.
# Prints executions and crashes per target; crash inputs are kept in build/fuzz/<target>/crash-*.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${FUZZ_SECONDS:-120}
OUT=build/fuzz
mkdir -p "$OUT"
FLAGS=(-std=c++17 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -Iengine -I/usr/include/eigen3)
SOURCES=$(ls engine/rnnlab/*.cpp engine/rnnlab/kernels/*.cpp)
BIN=$OUT/bin
if [[ ! -x $BIN/make_seeds || ! -x $BIN/fuzz_model_file || ! -x $BIN/fuzz_link_weights ]]; then
  echo "building the fuzzers (clang++ -fsanitize=fuzzer,address,undefined)"
  clang++ "${FLAGS[@]}" -c $SOURCES 2>&1 | grep -v warning || true
  mkdir -p "$OUT/obj" "$BIN" && mv ./*.o "$OUT/obj/"
  clang++ "${FLAGS[@]}" tests/fuzz/make_seeds.cpp "$OUT"/obj/*.o -o "$BIN/make_seeds"
  for t in fuzz_model_file fuzz_safetensors fuzz_link_weights; do
    clang++ "${FLAGS[@]}" -fsanitize=fuzzer tests/fuzz/$t.cpp "$OUT"/obj/*.o -o "$BIN/$t"
  done
fi
mkdir -p "$OUT/fuzz_model_file/corpus" "$OUT/fuzz_safetensors/corpus" "$OUT/fuzz_link_weights/corpus"
"$BIN/make_seeds" "$OUT/fuzz_model_file/corpus" "$OUT/fuzz_safetensors/corpus" "$OUT/fuzz_link_weights/corpus"
status=0
for t in fuzz_model_file fuzz_safetensors fuzz_link_weights; do
  echo "== $t for ${SECS}s"
  (cd "$OUT/$t" && ../bin/$t corpus -max_total_time="$SECS" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=1 >log.txt 2>&1) || status=1
  execs=$(grep -m1 'stat::number_of_executed_units' "$OUT/$t/log.txt" | awk '{print $2}')
  crashes=$(ls "$OUT/$t" | grep -c '^crash-\|^leak-\|^timeout-\|^oom-' || true)
  echo "$t: ${execs:-?} executions, $crashes crashing inputs"
done
exit $status
