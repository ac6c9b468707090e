#!/usr/bin/env bash
# ./build.sh demo: trains the native CLI for about a minute on the built-in text (the engine's own C++ sources,
# see demo_text/make_text.sh) and prints samples at a few temperatures, to show in one command what the engine
# does. Ctrl-C during training ends it early; the samples still follow.
#
#   bench/demo.sh RNNLAB_BINARY
#   DEMO_MINUTES=5 DEMO_DIR=demo bench/demo.sh build/native/rnnlab   # train longer, keep text and model in demo/
set -euo pipefail
if [[ $# -ne 1 || ! -x $1 ]]; then
  echo "usage: $0 RNNLAB_BINARY" >&2
  exit 2
fi
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
MINUTES=${DEMO_MINUTES:-1}
if [[ -n ${DEMO_DIR:-} ]]; then
  mkdir -p "$DEMO_DIR"
  DIR=$DEMO_DIR
else
  DIR=$(mktemp -d "${TMPDIR:-/tmp}/rnnlab-demo.XXXXXX")
  trap 'rm -rf "$DIR"' EXIT
fi
TEXT=$DIR/engine_sources.txt
MODEL=$DIR/demo.model
"$HERE/demo_text/make_text.sh" "$TEXT"

# Small enough to learn visibly in a minute on two cores (~35k characters/s): one LSTM layer of 128 units over a
# 32-wide embedding, and a learning rate above the default because the run is short.
echo "== training on the engine's own sources for $MINUTES minute(s)"
status=0
trap 'true' INT   # Ctrl-C stops the trainer (which saves), not this script
"$BIN" train "$TEXT" -o "$MODEL" --cell lstm --layers 1 --hidden 128 --embed 32 --lr 0.005 \
  --minutes "$MINUTES" --eval-every 200 || status=$?
trap - INT
if [[ $status -ne 0 && $status -ne 130 ]]; then exit "$status"; fi

for t in 0.5 0.8 1.0; do
  echo
  echo "== sample at temperature $t (lower: safer and more repetitive; higher: more inventive)"
  "$BIN" sample "$MODEL" --temperature "$t" --length 500 --seed 1
  echo
done
if [[ -n ${DEMO_DIR:-} ]]; then
  echo
  echo "== kept in $DIR; continue with:"
  echo "   $BIN train $TEXT --resume $MODEL --minutes 5"
  echo "   $BIN sample $MODEL --prime 'Session::' --temperature 0.7"
fi
