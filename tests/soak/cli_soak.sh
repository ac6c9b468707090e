#!/usr/bin/env bash
# ./build.sh soak (the CLI part): trains the default model for a long time and checks that nothing accumulates, and
# that stopping and resuming changes nothing. Not part of ./build.sh test.
#
#   tests/soak/cli_soak.sh RNNLAB_BINARY [MINUTES]       (default 30; SOAK_SAMPLE_SECONDS, default 60)
#
# 1. `rnnlab train` on tinyshakespeare (or a generated text) with validation every 100 steps, a sample every 250,
#    a timed save every minute; its resident set (VmRSS) is read every SOAK_SAMPLE_SECONDS. After warm-up (the first
#    fifth of the run, at least one sample) the least-squares slope must stay within +-SOAK_MAX_SLOPE_KB (default
#    256) KB a minute. The resident set of a healthy run wanders by a few MB (the save's 3 MB buffer and the
#    evaluation's cache come and go; 43.7-51.2 MB over 30 minutes here), so the limit is set above that noise: 256
#    KB a minute is 6 MB over a 30-minute run, and a leak of a couple of KB a step would pass it.
# 2. 300 steps in one go, and the same 300 steps stopped by SIGTERM twice and resumed: the two model files must be
#    identical byte for byte (weights, optimizer moments, step, RNG, cursor, carried state).
# Prints the samples and a JSON summary as the last line; exits non-zero when either check fails.
set -uo pipefail
if [[ $# -lt 1 || ! -x $1 ]]; then
  echo "usage: $0 RNNLAB_BINARY [MINUTES]" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
MINUTES=${2:-30}
EVERY=${SOAK_SAMPLE_SECONDS:-60}
MAX_SLOPE_KB=${SOAK_MAX_SLOPE_KB:-256}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rnnlab-soak.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 2

TEXT=$ROOT/../shared/corpora/tinyshakespeare.txt
[[ -f $TEXT ]] || TEXT=/work/shared/corpora/tinyshakespeare.txt
if [[ ! -f $TEXT ]]; then
  "$ROOT/bench/demo_text/make_text.sh" text.txt >/dev/null
  TEXT=$WORK/text.txt
fi

# --- 1. resident set over a long run --------------------------------------------------------------------------
echo "== training the default model for $MINUTES minute(s) on $(basename "$TEXT"), RSS every ${EVERY}s"
"$BIN" train "$TEXT" -o soak.model --minutes "$MINUTES" --eval-every 100 --sample-every 250 --save-minutes 1 \
  --print-every 100 >train.log 2>train.err &
pid=$!
: >rss.tsv
start=$(date +%s)
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
  [[ -n $rss ]] && printf '%s\t%s\n' "$(( $(date +%s) - start ))" "$rss" | tee -a rss.tsv | awk '{printf "  t=%ss rss=%s KB\n", $1, $2}'
  for _ in $(seq "$EVERY"); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
done
wait "$pid"
train_rc=$?
steps=$(grep -o '^step [0-9]*' train.log | tail -n1 | awk '{print $2}')
# Least squares over the samples after warm-up, in KB per minute.
read -r n slope first last peak < <(awk -v warm="$(( MINUTES * 60 / 5 ))" '
  { t[NR] = $1; r[NR] = $2 }
  END {
    k = 0
    for (i = 1; i <= NR; i++) if (t[i] >= warm && i > 1) { k++; x[k] = t[i] / 60; y[k] = r[i] }
    if (k < 2) { print k, 0, r[1], r[NR], 0; exit }
    sx = sy = sxx = sxy = 0; peak = 0
    for (i = 1; i <= k; i++) { sx += x[i]; sy += y[i]; sxx += x[i] * x[i]; sxy += x[i] * y[i]; if (y[i] > peak) peak = y[i] }
    d = k * sxx - sx * sx
    slope = 0
    if (d > 0) slope = (k * sxy - sx * sy) / d
    printf "%d %.2f %d %d %d\n", k, slope, y[1], y[k], peak
  }' rss.tsv)
rss_ok=0
if [[ $train_rc -eq 0 && $n -ge 2 ]] && awk -v s="$slope" -v m="$MAX_SLOPE_KB" 'BEGIN { exit !(s < m && s > -m) }'; then
  rss_ok=1
fi
echo "rss after warm-up: $n samples, slope $slope KB/min (limit +-$MAX_SLOPE_KB), first $first KB, last $last KB, peak $peak KB; $steps steps, exit $train_rc"

# --- 2. stopped and resumed twice == uninterrupted ------------------------------------------------------------
echo "== 300 steps in one go, and the same 300 steps interrupted twice by SIGTERM and resumed"
SMALL=(--layers 1 --hidden 64 --embed 16 --batch 16 --unroll 32 --seed 11 --eval-every 0 --print-every 1)
"$BIN" train "$TEXT" -o straight.model "${SMALL[@]}" --steps 300 >straight.log 2>&1
"$BIN" train "$TEXT" -o pieces.model "${SMALL[@]}" --steps 300 >pieces.log 2>&1 &
pid=$!
resumes=0
for round in 1 2; do
  want=$((round * 80))
  while kill -0 "$pid" 2>/dev/null; do
    s=$(grep -o '^step [0-9]*' pieces.log | tail -n1 | awk '{print $2}')
    [[ -n $s && $s -ge $want ]] && break
    sleep 0.05
  done
  kill -TERM "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  done_steps=$("$BIN" info pieces.model | awk '/^training/ {print $3}' | tr -d ',')
  "$BIN" train "$TEXT" --resume pieces.model --steps "$((300 - done_steps))" --eval-every 0 --print-every 1 \
    >pieces.log 2>&1 &
  pid=$!
  resumes=$((resumes + 1))
done
wait "$pid"
same=0
cmp -s straight.model pieces.model && same=1
echo "uninterrupted vs interrupted twice: $([[ $same -eq 1 ]] && echo identical || echo DIFFERENT) model files"

printf '{"minutes":%s,"sample_seconds":%s,"steps":%s,"rss_samples":%s,"rss_slope_kb_per_min":%s,"rss_first_kb":%s,"rss_last_kb":%s,"rss_peak_kb":%s,"rss_flat":%s,"resumes":%s,"resumed_identical":%s}\n' \
  "$MINUTES" "$EVERY" "${steps:-0}" "$n" "$slope" "$first" "$last" "$peak" "$([[ $rss_ok -eq 1 ]] && echo true || echo false)" \
  "$resumes" "$([[ $same -eq 1 ]] && echo true || echo false)"
[[ $rss_ok -eq 1 && $same -eq 1 ]]
