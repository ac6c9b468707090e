#!/usr/bin/env bash
# ./build.sh fuzz: libFuzzer (clang, with AddressSanitizer and UBSan) on the model-file loader, the safetensors
# importer, the share-link weights loader, the configuration text parser and the whole link-opening path (settings,
# text, weights), for a fixed budget each (FUZZ_SECONDS, default 120). Not part of ./build.sh test.
# Prints executions and crashes per target; crash inputs are kept in build/fuzz/<target>/crash-*.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${FUZZ_SECONDS:-120}
OUT=build/fuzz
TARGETS=(fuzz_model_file fuzz_safetensors fuzz_link_weights fuzz_config_text fuzz_link_open)
mkdir -p "$OUT"
FLAGS=(-std=c++17 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -Iengine -I/usr/include/eigen3)
SOURCES=$(ls engine/rnnlab/*.cpp engine/rnnlab/kernels/*.cpp)
BIN=$OUT/bin
# Rebuilt when any engine or fuzzer source is newer than the last build (the engine changes under the fuzzers).
stale=0
[[ -f $OUT/built ]] || stale=1
if ((!stale)) && [[ -n $(find engine tests/fuzz \( -name '*.[ch]pp' -o -name run.sh \) -newer "$OUT/built" -print -quit) ]]; then
  stale=1
fi
if ((stale)); then
  echo "building the fuzzers (clang++ -fsanitize=fuzzer,address,undefined)"
  rm -rf "$OUT/obj" && mkdir -p "$OUT/obj" "$BIN"
  # fuzzer-no-link: the engine's own branches count as coverage, so libFuzzer steers into the parsers rather than
  # mutating blindly (without it a target saw only its own few edges: cov 8 for the config text parser).
  clang++ "${FLAGS[@]}" -fsanitize=fuzzer-no-link -c $SOURCES 2>&1 | grep -v warning || true
  mv ./*.o "$OUT/obj/"
  clang++ "${FLAGS[@]}" tests/fuzz/make_seeds.cpp "$OUT"/obj/*.o -o "$BIN/make_seeds"
  for t in "${TARGETS[@]}"; do
    clang++ "${FLAGS[@]}" -fsanitize=fuzzer tests/fuzz/$t.cpp "$OUT"/obj/*.o -o "$BIN/$t"
  done
  touch "$OUT/built"
fi
for t in "${TARGETS[@]}"; do mkdir -p "$OUT/$t/corpus"; done
"$BIN/make_seeds" "$OUT/fuzz_model_file/corpus" "$OUT/fuzz_safetensors/corpus" "$OUT/fuzz_link_weights/corpus" \
  "$OUT/fuzz_config_text/corpus" "$OUT/fuzz_link_open/corpus"
status=0
for t in "${TARGETS[@]}"; do
  echo "== $t for ${SECS}s"
  (cd "$OUT/$t" && ../bin/$t corpus -max_total_time="$SECS" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=1 >log.txt 2>&1) || status=1
  execs=$(grep -m1 'stat::number_of_executed_units' "$OUT/$t/log.txt" | awk '{print $2}')
  crashes=$(ls "$OUT/$t" | grep -c '^crash-\|^leak-\|^timeout-\|^oom-' || true)
  echo "$t: ${execs:-?} executions, $crashes crashing inputs"
done
exit $status
