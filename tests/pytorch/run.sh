#!/usr/bin/env bash
# PyTorch bridge tests: tools/pytorch against the rnnlab CLI, on CPU, with no network (torchrun --standalone
# rendezvous on loopback, gloo).
#
#   tests/pytorch/run.sh path/to/rnnlab        (e.g. build/native/rnnlab)
#
# For each cell (rnn, lstm, gru):
#   - a 2-process torchrun run trains a tiny model and exports it; a 1-process run with the same global batch
#     gives the same weights (max abs diff < 1e-5)
#   - `rnnlab eval --streams 1 --json` of that export on a held-out text equals eval.py's (1e-4 relative)
#   - the reverse: rnnlab train + export, scored by both (1e-4 relative)
#   - training parity: from the same rnnlab export, `rnnlab train --resume` and `train.py --init` run the same
#     steps and end with the same weights (max abs diff < 1e-4): vocabulary, split, streams, resets, loss,
#     clipping and Adam all agree
# plus the unit checks (test_units.py), vocabulary parity on a text with rare and invalid characters, and an
# exact checkpoint resume. Needs Debian's python3-torch at /usr/bin/python3 (override with PYTHON=...).
# Last line: "N passed, N failed"; the exit status is non-zero if anything failed. KEEP=1 keeps the work dir.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TOOLS=$ROOT/tools/pytorch
PY=${PYTHON:-/usr/bin/python3}
RNNLAB=${1:-}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rnnlab-pytorch.XXXXXX")
if [[ ${KEEP:-0} == 1 ]]; then echo "work dir: $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi
# One thread per process: two processes on two cores, and the same arithmetic in every run.
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONDONTWRITEBYTECODE=1

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $1${2:+: $2}"; }
fail() { failed=$((failed + 1)); echo "FAIL $1${2:+: $2}"; }
finish() {
  echo "$passed passed, $failed failed"
  [[ $failed == 0 ]]
  exit
}
# check NAME COMMAND...: passes when COMMAND succeeds; its last output line is shown as the figure.
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>"$WORK/stderr"); then
    pass "$name" "$(tail -n 1 <<<"$out")"
  else
    fail "$name" "$(tail -n 1 <<<"$out") $(tail -n 3 "$WORK/stderr" | tr '\n' ' ')"
  fi
}
# run LOG COMMAND...: runs a step whose output goes to LOG; on failure shows the end of the log.
run() {
  local log=$1
  shift
  if timeout 300 "$@" >"$log" 2>&1; then return 0; fi
  echo "--- $* failed; end of $log:" >&2
  tail -n 15 "$log" >&2
  return 1
}
now() { date +%s.%N; }

if ! "$PY" -c 'import torch' 2>/dev/null; then
  fail "torch" "$PY cannot import torch (Debian: apt-get install python3-torch)"
  finish
fi
pass "torch" "$("$PY" -c 'import torch; print(torch.__version__)')"

# --- unit checks (no binary needed) ---
"$PY" "$HERE/test_units.py" >"$WORK/units.log" 2>&1
while read -r status name rest; do
  case $status in
    PASS) pass "unit $name" ;;
    FAIL) fail "unit ${name%:}" "$rest" ;;
  esac
done <"$WORK/units.log"
grep -q '^PASS\|^FAIL' "$WORK/units.log" || fail "unit checks" "$(tail -n 5 "$WORK/units.log" | tr '\n' ' ')"

# torchrun of Debian's torch 1.13 under Python 3.11 cannot parse its own default --redirects/--tee "0"
# (IntFlag iteration skips zero): pass non-zero values there (stdout teed through log files).
TORCHRUN=(torchrun)
command -v torchrun >/dev/null || TORCHRUN=("$PY" -m torch.distributed.run)
if ! "$PY" -c 'from torch.distributed.elastic.multiprocessing.api import Std; import sys; sys.exit(Std.from_str("0") is None)' 2>/dev/null; then
  TORCHRUN+=(--redirects 1 --tee 1)
fi

# --- texts ---
cd "$WORK" || exit 1
"$PY" "$HERE/compare.py" text 1 1800 train.txt
"$PY" "$HERE/compare.py" text 2 400 held.txt --extra 'Q€'   # a held-out slice with characters never trained on
"$PY" "$HERE/compare.py" text 3 1200 odd.txt --extra 'QXZ€#@%&*' --bytes

if [[ -z $RNNLAB || ! -x $RNNLAB ]]; then
  fail "rnnlab binary" "give its path as the first argument (got '${RNNLAB}'); the parity checks need it"
  HAVE_RNNLAB=0
else
  HAVE_RNNLAB=1
  pass "rnnlab binary" "$RNNLAB"
fi

# --- vocabulary parity: rare characters, a cap, min_count, a BOM, invalid UTF-8 and a literal U+FFFD ---
if [[ $HAVE_RNNLAB == 1 ]]; then
  for spec in "256 1" "12 1" "30 3"; do
    read -r vmax vmin <<<"$spec"
    if run vocab.log "$RNNLAB" train odd.txt -o "v$vmax.rnnlab" --vocab-max "$vmax" --set "vocab_min_count=$vmin" \
         --hidden 4 --layers 1 --embed 0 --batch 2 --unroll 4 --steps 1 --eval-every 0 &&
       run vocab.log "$RNNLAB" export "v$vmax.rnnlab" -o "v$vmax.safetensors"; then
      check "vocabulary vocab_max=$vmax min_count=$vmin" "$PY" "$HERE/compare.py" vocab "v$vmax.safetensors" odd.txt "$vmax" "$vmin"
    else
      fail "vocabulary vocab_max=$vmax min_count=$vmin" "rnnlab train/export failed"
    fi
  done
fi

STEPS=30
for cell in rnn lstm gru; do
  embed=12 batch=4
  [[ $cell == rnn ]] && embed=0   # one-hot input on one of the three
  [[ $cell == gru ]] && batch=5   # streams not divisible by the processes: 2 on one, 3 on the other
  ARCH=(--cell "$cell" --layers 2 --hidden 24 --embed "$embed" --batch "$batch" --unroll 16 --seed 3)
  PT=("$TOOLS/train.py" train.txt "${ARCH[@]}" --steps "$STEPS" --eval-every 0 --print-every 10)

  # 2 processes (each trains 2 of the 4 streams) vs 1 process with the same global batch of 4
  t0=$(now)
  if run "dist_$cell.log" "${TORCHRUN[@]}" --standalone --nproc_per_node 2 "${PT[@]}" --out "pt2_$cell.safetensors" \
       --checkpoint "pt2_$cell.pt" --checkpoint-every 10; then
    wall=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
    pass "$cell: 2-process torchrun training ($STEPS steps)" "wall time ${wall}s"
  else
    fail "$cell: 2-process torchrun training"
  fi
  if run "one_$cell.log" "$PY" "${PT[@]}" --out "pt1_$cell.safetensors"; then
    check "$cell: 2 processes == 1 process, max abs weight diff < 1e-5" \
      "$PY" "$HERE/compare.py" weights "pt2_$cell.safetensors" "pt1_$cell.safetensors" 1e-5
  else
    fail "$cell: 1-process training"
  fi

  # exact resume: 15 steps, checkpoint, then on to 30 == 30 straight
  if run "resume_$cell.log" "$PY" "${PT[@]}" --steps 15 --checkpoint "r_$cell.pt" --out /dev/null &&
     run "resume_$cell.log" "$PY" "${PT[@]}" --checkpoint "r_$cell.pt" --out "r_$cell.safetensors"; then
    check "$cell: checkpoint resume == uninterrupted, max abs diff < 1e-7" \
      "$PY" "$HERE/compare.py" weights "r_$cell.safetensors" "pt1_$cell.safetensors" 1e-7
  else
    fail "$cell: checkpoint resume"
  fi

  [[ $HAVE_RNNLAB == 1 ]] || continue

  # PyTorch -> rnnlab: the 2-process export scored by both on held-out text (also through rnnlab import)
  if [[ -f pt2_$cell.safetensors ]] &&
     run "eval_$cell.log" "$RNNLAB" eval "pt2_$cell.safetensors" held.txt --streams 1 --json &&
     tail -n 1 "eval_$cell.log" >"rl_eval_pt_$cell.json" &&
     run "eval_$cell.log" "$PY" "$TOOLS/eval.py" "pt2_$cell.safetensors" held.txt &&
     tail -n 1 "eval_$cell.log" >"py_eval_pt_$cell.json" &&
     run "eval_$cell.log" "$RNNLAB" import "pt2_$cell.safetensors" -o "pt2_$cell.rnnlab" &&
     run "eval_$cell.log" "$RNNLAB" eval "pt2_$cell.rnnlab" held.txt --streams 1 --json &&
     tail -n 1 "eval_$cell.log" >"rl_eval_imported_$cell.json"; then
    check "$cell: PyTorch export, rnnlab eval vs eval.py (rel < 1e-4)" \
      "$PY" "$HERE/compare.py" evals "rl_eval_pt_$cell.json" "py_eval_pt_$cell.json" 1e-4
    check "$cell: PyTorch export via rnnlab import, rnnlab eval vs eval.py (rel < 1e-4)" \
      "$PY" "$HERE/compare.py" evals "rl_eval_imported_$cell.json" "py_eval_pt_$cell.json" 1e-4
  else
    fail "$cell: PyTorch export scored by rnnlab and eval.py"
  fi

  # rnnlab -> PyTorch: rnnlab trains and exports, both score it
  if run "rl_$cell.log" "$RNNLAB" train train.txt -o "rl_$cell.rnnlab" "${ARCH[@]}" --steps "$STEPS" --eval-every 0 &&
     run "rl_$cell.log" "$RNNLAB" export "rl_$cell.rnnlab" -o "rl_$cell.safetensors" &&
     run "eval_rl_$cell.log" "$RNNLAB" eval "rl_$cell.safetensors" held.txt --streams 1 --json &&
     tail -n 1 "eval_rl_$cell.log" >"rl_eval_rl_$cell.json" &&
     run "eval_rl_$cell.log" "$PY" "$TOOLS/eval.py" "rl_$cell.safetensors" held.txt &&
     tail -n 1 "eval_rl_$cell.log" >"py_eval_rl_$cell.json"; then
    check "$cell: rnnlab export, rnnlab eval vs eval.py (rel < 1e-4)" \
      "$PY" "$HERE/compare.py" evals "rl_eval_rl_$cell.json" "py_eval_rl_$cell.json" 1e-4
  else
    fail "$cell: rnnlab export scored by rnnlab and eval.py"
    continue
  fi

  # training parity: the same 40 steps from the same weights, in rnnlab and in PyTorch
  if run "cont_$cell.log" "$RNNLAB" import "rl_$cell.safetensors" -o "cont_$cell.rnnlab" --text train.txt &&
     run "cont_$cell.log" "$RNNLAB" train train.txt --resume "cont_$cell.rnnlab" -o "cont_rl_$cell.rnnlab" --steps 40 --eval-every 0 &&
     run "cont_$cell.log" "$RNNLAB" export "cont_rl_$cell.rnnlab" -o "cont_rl_$cell.safetensors" &&
     run "cont_$cell.log" "$PY" "$TOOLS/train.py" train.txt --init "rl_$cell.safetensors" --steps 40 --eval-every 0 \
       --out "cont_pt_$cell.safetensors"; then
    moved=$("$PY" "$HERE/compare.py" moved "rl_$cell.safetensors" "cont_pt_$cell.safetensors")
    check "$cell: rnnlab train --resume == train.py --init over 40 steps (weights moved $moved), max abs diff < 1e-4" \
      "$PY" "$HERE/compare.py" weights "cont_rl_$cell.safetensors" "cont_pt_$cell.safetensors" 1e-4
  else
    fail "$cell: training parity from one rnnlab export"
  fi
done

finish
