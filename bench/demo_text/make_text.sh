#!/usr/bin/env bash
# Writes the demo's built-in text: the engine's own C++ sources (engine/rnnlab/*.hpp, then *.cpp), concatenated.
# Code is a good small demo corpus: strongly structured (indentation, braces, repeated identifiers), so a small
# model shows it has learned something within a minute, and the project carries it without shipping a data set.
#
#   bench/demo_text/make_text.sh OUT.txt
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUT.txt" >&2
  exit 2
fi
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# A fixed order (sorted by the C locale) keeps the text, and so the demo, the same on every machine.
LC_ALL=C
cat "$ROOT"/engine/rnnlab/*.hpp "$ROOT"/engine/rnnlab/*.cpp >"$1"
