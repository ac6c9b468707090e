#!/usr/bin/env bash
# Loss chart decision (bench/decisions/README.md): installs uPlot (pinned) outside the project, then runs bench.mjs.
#   bench/decisions/chart/run.sh [POINTS=5000] [ROUNDS=6]
set -euo pipefail
cd "$(dirname "$0")/../../.."
export OUT=${OUT:-/tmp/chart_decision}
mkdir -p "$OUT"
[[ -d $OUT/node_modules/uplot ]] ||
  npm install --prefix "$OUT" --no-audit --no-fund --loglevel=error uplot@1.6.32 >/dev/null
npm view uplot@1.6.32 version license time.modified 2>/dev/null | sed 's/^/npm: /' || true
node bench/decisions/chart/bench.mjs "$@"
