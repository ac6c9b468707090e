#!/usr/bin/env bash
# End-to-end checks of the rnnlab command line, as a person or a script would use it: train, info, sample, eval,
# export/import, resume, Ctrl-C, and every kind of bad input (exit 2 for the command line, 1 for a file; one
# "rnnlab: ..." line on stderr; never a crash). Self-contained in a temporary directory; about a second of work.
#
#   tests/cli/test_cli.sh path/to/rnnlab        (ctest -R cli runs it with the built binary)
#
# The last line is "N passed, N failed"; the exit status is non-zero when anything failed.
set -u

if [[ $# -ne 1 || ! -x $1 ]]; then
  echo "usage: $0 RNNLAB_BINARY" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rnnlab-cli-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 2

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok    $1"; }
fail() { failed=$((failed + 1)); echo "FAIL  $1"; [[ -s err ]] && sed 's/^/      stderr: /' err | head -5; return 0; }
check() {   # check NAME COMMAND...: the command's status decides
  local name=$1
  shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}

# run ARGS...: runs rnnlab with stdout in ./out, stderr in ./err, the status in $rc.
run() {
  "$BIN" "$@" >out 2>err
  rc=$?
}

# expect_error CODE NAME ARGS...: exit status CODE (never a signal), exactly one stderr line, starting "rnnlab:".
expect_error() {
  local code=$1 name=$2
  shift 2
  run "$@"
  local lines
  lines=$(wc -l <err)
  if [[ $rc -eq $code && $lines -eq 1 ]] && head -n1 err | grep -q '^rnnlab: '; then
    pass "$name (exit $code)"
  else
    fail "$name: expected exit $code and one 'rnnlab:' line, got exit $rc and $lines line(s)"
  fi
  if [[ $rc -ge 128 ]]; then fail "$name: died of a signal (exit $rc)"; fi
}

# A small text with real structure: short lines of words from a fixed list, the same every run.
awk 'BEGIN {
  split("the cat sat on a mat and the dog ran to its log while a bird sang in the tree", w, " ");
  s = 12345;
  for (line = 0; line < 500; line++) {
    s = (s * 1103515245 + 12345) % 2147483648; n = 4 + int(s / 65536) % 7; out = "";
    for (i = 0; i < n; i++) { s = (s * 1103515245 + 12345) % 2147483648; out = out (i ? " " : "") w[1 + int(s / 65536) % 18]; }
    print out;
  }
}' >text.txt
TINY=(--cell lstm --layers 1 --hidden 32 --embed 16 --batch 8 --unroll 16 --lr 0.01 --seed 3 --eval-every 20)

# --- help and version --------------------------------------------------------------------------------------------
run --help
check "rnnlab --help" test $rc -eq 0 -a -s out
run --version
check "rnnlab --version" grep -q '^rnnlab [0-9]' out
for cmd in train sample eval export import info; do
  run "$cmd" --help
  check "rnnlab $cmd --help" bash -c "[[ $rc -eq 0 ]] && grep -q '^Usage: rnnlab $cmd' out && grep -q 'Example' out"
done

# --- train, info --------------------------------------------------------------------------------------------------
run train text.txt -o m.model "${TINY[@]}" --steps 60
check "train 60 steps" test $rc -eq 0 -a -s m.model
check "train prints progress lines when not on a terminal" grep -q '^step 60/60 loss [0-9.]* val [0-9.]* bpc' out
check "no temporary file left behind" bash -c '! ls m.model.tmp-* >/dev/null 2>&1'
run info m.model
check "info reports the step" grep -q 'step 60\b' out
check "info reports the architecture" grep -q 'lstm, 1 layer x 32 hidden, embedding 16' out
check "info reports the vocabulary" grep -q '^vocabulary  18 symbols' out
check "info names the text a resume needs" grep -qE '^text +not stored: train --resume needs the same text file \([0-9,]+ bytes, fingerprint [0-9a-f]{16}\)' out
check "info says where the training cursor stands" grep -qE '^training +step 60, epoch [0-9]+ \(complete passes; next chunk at character [0-9,]+ of each stream\)' out

run train text.txt -o same.model "${TINY[@]}" --steps 60
check "same seed, same model file, bit for bit" cmp -s m.model same.model

# --- threads: a step's fixed shards are shared out, the losses and the model stay the same bit for bit ------------
# Batch 12 = 3 shards of 4 streams; dropout is on, so its masks must not depend on the thread count either.
SHARDED=(--cell gru --layers 2 --hidden 32 --embed 16 --batch 12 --unroll 16 --dropout 0.2 --lr 0.01 --seed 5
         --eval-every 10 --print-every 5 --steps 40)
run train text.txt -o t1.model "${SHARDED[@]}" --threads 1
sed -E 's/ [0-9]+ chars\/s.*//' out | grep '^step ' >t1.losses
check "--threads 1 says so" grep -q '^threads  1 computing 3 shards a step' out
run train text.txt -o t3.model "${SHARDED[@]}" --threads 3
sed -E 's/ [0-9]+ chars\/s.*//' out | grep '^step ' >t3.losses
check "--threads 3 uses 3 threads" grep -q '^threads  3 computing 3 shards a step' out
check "--threads 1 and --threads 3 print the same loss lines" bash -c '[[ $(wc -l <t1.losses) -eq 8 ]] && cmp -s t1.losses t3.losses'
check "--threads 1 and --threads 3 save the same model, bit for bit" cmp -s t1.model t3.model
run train text.txt -o t8.model "${SHARDED[@]}" --threads 8
check "more threads than shards: said, and the same model" \
  bash -c "grep -q '^threads  3 computing 3 shards a step (8 asked' out && cmp -s t1.model t8.model"
run train text.txt --help
check "--help documents --threads" grep -q -- '--threads N' out

# --- sample -------------------------------------------------------------------------------------------------------
run sample m.model --length 200 --seed 7
cp out sample1
run sample m.model --length 200 --seed 7
check "sample with a seed is repeatable" cmp -s out sample1
check "sample writes --length characters" test "$(wc -m <sample1)" -eq 200
run sample m.model --length 200 --seed 8
check "another seed gives another sample" bash -c '! cmp -s out sample1'
run sample m.model --length 50 --prime "the cat " --temperature 0.5
check "sample with a prime starts with it" bash -c "[[ $rc -eq 0 ]] && head -c 8 out | grep -qx 'the cat '"
run sample m.model --length 20 --prime "QXZ the" --top-k 3 --top-p 0.9
check "prime characters outside the vocabulary are skipped with a warning" \
  bash -c "[[ $rc -eq 0 ]] && grep -q 'warning: 3 of the prime' err"
run sample m.model --length 0
check "sample --length 0 writes nothing" test $rc -eq 0 -a ! -s out

# --- eval ---------------------------------------------------------------------------------------------------------
run eval m.model text.txt --json --streams 1
check "eval --json prints one line" test $rc -eq 0 -a "$(wc -l <out)" -eq 1
check "eval --json has the four fields" \
  grep -Eq '^\{"nats_per_char":[0-9.e+-]+, "bits_per_char":[0-9.e+-]+, "perplexity":[0-9.e+-]+, "chars":[0-9]+\}$' out
check "eval: bits = nats / ln 2, perplexity = e^nats, chars counted" awk -F'[:,}]' '{
  nats = $2; bits = $4; ppl = $6; chars = $8;
  ok = nats > 0 && bits > 0 && chars > 1000;
  ok = ok && (bits * log(2) - nats) ^ 2 < (1e-7 * nats) ^ 2 && (exp(nats) - ppl) ^ 2 < (1e-6 * ppl) ^ 2;
  exit !ok }' out
run eval m.model text.txt --max-chars 500 --streams 1
check "eval in words" bash -c "[[ $rc -eq 0 ]] && grep -q '^bits/char' out && grep -q '^chars *500$' out"

# --- export / import ----------------------------------------------------------------------------------------------
run export m.model -o m.safetensors
check "export writes safetensors" test $rc -eq 0 -a -s m.safetensors
run import m.safetensors -o imported.model
check "import writes a model file" test $rc -eq 0 -a -s imported.model
run sample imported.model --length 200 --seed 7
check "export -> import -> sample gives the original's sample" cmp -s out sample1
run sample m.safetensors --length 200 --seed 7
check "sampling the .safetensors directly gives the same sample" cmp -s out sample1
run import m.safetensors -o tied.model --text text.txt
check "import --text" test $rc -eq 0 -a -s tied.model
run train text.txt --resume tied.model --steps 5
check "an imported model trains further" bash -c "[[ $rc -eq 0 ]] && '$BIN' info tied.model | grep -q 'step 5\b'"

# --- import: a cell the shapes cannot tell apart is asked for, never guessed ---------------------------------------
# strip_config IN OUT: the safetensors file without its rnnlab.config metadata, as a third-party export may be.
strip_config() {
  python3 - "$1" "$2" <<'PY'
import json, struct, sys
data = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", data[:8])[0]
header = json.loads(data[8:8 + n])
del header["__metadata__"]["rnnlab.config"]
text = json.dumps(header).encode()   # data offsets count from the data section, so the header may change length
open(sys.argv[2], "wb").write(struct.pack("<Q", len(text)) + text + data[8 + n:])
PY
}
run train text.txt -o cifg.model --cell lstm_cifg --layers 1 --hidden 16 --embed 8 --batch 8 --unroll 16 --steps 20
"$BIN" export cifg.model -o cifg.safetensors >/dev/null 2>&1
strip_config cifg.safetensors cifg_bare.safetensors
expect_error 1 "import of a 3-gate model without its configuration is refused" import cifg_bare.safetensors -o guessed.model
check "... and the message asks for --cell" grep -q 'rnnlab import --cell gru, or lstm_cifg' err
expect_error 1 "sampling such a file directly is refused too" sample cifg_bare.safetensors
run import cifg_bare.safetensors -o cifg_back.model --cell lstm_cifg
"$BIN" sample cifg.model --length 100 --seed 5 >cifg.sample 2>/dev/null
"$BIN" sample cifg_back.model --length 100 --seed 5 >cifg_back.sample 2>/dev/null
check "import --cell lstm_cifg gives back the original model" bash -c "[[ $rc -eq 0 ]] && cmp -s cifg.sample cifg_back.sample"
expect_error 1 "import --cell that the shapes rule out" import cifg_bare.safetensors -o x.model --cell lstm
expect_error 2 "import --cell with an unknown cell" import cifg_bare.safetensors -o x.model --cell transformer

# --- resuming on a text outside the model's vocabulary: a count, and a refusal past 1% ---------------------------
tr 'a-z' 'A-Z' <text.txt >upper.txt
expect_error 1 "resume on a text mostly outside the vocabulary is refused" train upper.txt --resume m.safetensors -o up.model --steps 2
check "... with the count and what to do" \
  bash -c "grep -Eq 'rnnlab: [0-9,]+ of the [0-9,]+ characters of .upper.txt. \([0-9.]+%\) are not in the model.s vocabulary' err && grep -q -- '--allow-outside-vocab' err"
check "... and nothing is written" test ! -e up.model
run train upper.txt --resume m.safetensors -o up.model --steps 2 --allow-outside-vocab
check "--allow-outside-vocab trains on the rest, with a warning" bash -c "[[ $rc -eq 0 ]] && grep -q 'warning: .* are not in the model.s vocabulary' err"
{ cat text.txt; echo "QXZ"; } >almost.txt
run train almost.txt --resume m.safetensors -o almost.model --steps 2
check "a few characters outside the vocabulary: trained, with a warning giving the count" \
  bash -c "[[ $rc -eq 0 ]] && grep -q 'warning: 3 of the 13,296 characters' err"

# --- resume -------------------------------------------------------------------------------------------------------
run train text.txt --resume m.model --steps 20 --lr 0.005
check "resume continues the step count" bash -c "[[ $rc -eq 0 ]] && grep -q '^step 80/80' out"
run info m.model
check "the resumed model is saved in place, with the new learning rate" \
  bash -c "grep -q 'step 80\b' out && grep -q 'lr 0.005' out"
head -c 8000 text.txt >other.txt
expect_error 1 "resume on another text" train other.txt --resume m.model --steps 5
expect_error 2 "resume with a changed configuration" train text.txt --resume m.model --hidden 64

# --- Ctrl-C stops after the current step and saves --------------------------------------------------------------
"$BIN" train text.txt -o int.model "${TINY[@]}" --steps 100000000 --print-every 1 >int.out 2>int.err &
pid=$!
for _ in $(seq 100); do grep -q '^step ' int.out 2>/dev/null && break; sleep 0.1; done
kill -INT "$pid"
wait "$pid"
int_rc=$?
check "Ctrl-C ends training as interrupted (SIGINT)" test $int_rc -eq 130
check "Ctrl-C saves the model first" bash -c "'$BIN' info int.model | grep -q '^training    step [1-9]'"
check "Ctrl-C says how to continue" grep -q 'train text.txt --resume int.model' int.err

# --- divergence: stop, keep the last good weights, say so, exit 1 (or rewind and train on, when asked) ------------
BLOWUP=(--cell rnn --optimizer sgd --lr 10 --clip-mode none --hidden 256 --embed 0 --batch 8 --unroll 32 --steps 100)
run train text.txt -o blowup.model "${BLOWUP[@]}"
check "a diverging run exits 1" test $rc -eq 1
check "a diverging run says what happened and what to try" \
  bash -c "grep -q 'rnnlab: training diverged at step' err && grep -q 'lower the learning rate' err && grep -q 'on-diverge rewind' err"
"$BIN" eval blowup.model text.txt --json --max-chars 2000 >blowup.eval 2>/dev/null
check "a diverging run saves its last good weights (under twice a uniform guess: 2 log2 18 = 8.34 bits/char)" \
  awk -F'[:,}]' '{ exit !($4 > 0 && $4 < 8.34) }' blowup.eval
run train text.txt -o rewound.model "${BLOWUP[@]}" --on-diverge rewind
check "--on-diverge rewind goes back, halves the rate and finishes" \
  bash -c "[[ $rc -eq 0 ]] && grep -q 'back to the weights of step' err && '$BIN' info rewound.model | grep -q 'step 100\\b'"

# --- SIGTERM (kill, timeout) and SIGHUP (a closed terminal) save like Ctrl-C -----------------------------------
for sig in TERM HUP; do
  "$BIN" train text.txt -o "sig$sig.model" "${TINY[@]}" --steps 100000000 --print-every 1 >sig.out 2>sig.err &
  pid=$!
  for _ in $(seq 100); do grep -q '^step ' sig.out 2>/dev/null && break; sleep 0.1; done
  kill -"$sig" "$pid"
  wait "$pid" 2>/dev/null   # (bash would report the "Hangup")
  sig_rc=$?
  want=$((128 + $(kill -l "$sig")))
  check "SIG$sig ends training with exit $want (dies of the same signal)" test $sig_rc -eq $want
  check "SIG$sig saves the model first" bash -c "'$BIN' info sig$sig.model | grep -q '^training    step [1-9]'"
  check "SIG$sig says what stopped it and how to continue" \
    bash -c "grep -q 'SIG$sig' sig.err && grep -q 'train text.txt --resume sig$sig.model' sig.err"
done

# --- timed saves: a SIGKILL (or a dead machine), which nothing can catch, loses minutes, not the run -------------
run train --help
check "timed saves are on by default (--save-minutes 10)" bash -c "grep -A1 -- '--save-minutes M' out | grep -q '(default: 10)'"
"$BIN" train text.txt -o timed.model "${TINY[@]}" --steps 100000000 --save-minutes 0.005 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 200); do [[ -s timed.model ]] && break; sleep 0.1; done
kill -KILL "$pid"
wait "$pid" 2>/dev/null
check "a timed save survives SIGKILL" bash -c "'$BIN' info timed.model | grep -q '^training    step [1-9]'"

# --- bad command lines: exit 2 ------------------------------------------------------------------------------------
expect_error 2 "no arguments"
expect_error 2 "unknown subcommand" frobnicate
expect_error 2 "unknown option" train text.txt -o x.model --hiden 32
expect_error 2 "non-numeric --hidden" train text.txt -o x.model --hidden abc
expect_error 2 "--hidden out of range" train text.txt -o x.model --hidden 99999
expect_error 2 "missing option value" train text.txt -o x.model --hidden
expect_error 2 "missing -o" train text.txt
expect_error 2 "unknown --set key" train text.txt -o x.model --set colour=blue
expect_error 2 "unknown cell" train text.txt -o x.model --cell transformer
expect_error 2 "-o is the text itself" train text.txt -o text.txt
expect_error 2 "sample: bad temperature" sample m.model --temperature hot
expect_error 2 "sample: top-p out of range" sample m.model --top-p 1.5
expect_error 2 "sample: extra argument" sample m.model extra
expect_error 2 "eval: missing text" eval m.model
expect_error 2 "export without -o" export m.model
expect_error 2 "--threads 0" train text.txt -o x.model --threads 0
expect_error 2 "--threads not a number" train text.txt -o x.model --threads many
check "no model written after bad command lines" test ! -e x.model

# --- bad files: exit 1 --------------------------------------------------------------------------------------------
: >empty.txt
printf 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n' | tr -d '\n' >one_char.txt
head -c 4096 /dev/urandom >random.model
head -c 2000 m.model >truncated.model
head -c "$(($(wc -c <m.model) - 3))" m.model >cut_short.model
expect_error 1 "missing text file" train no_such_file.txt -o x.model
expect_error 1 "empty text" train empty.txt -o x.model
expect_error 1 "text of one distinct character" train one_char.txt -o x.model
expect_error 1 "text too short for batch x unroll" train other.txt -o x.model --batch 256 --unroll 1024
expect_error 1 "a directory as text" train . -o x.model
expect_error 1 "output directory missing" train text.txt -o no_such_dir/x.model
expect_error 1 "random bytes as a model" sample random.model
expect_error 1 "truncated model file" sample truncated.model
expect_error 1 "truncated model file (info)" info truncated.model
expect_error 1 "model file missing its last bytes" eval cut_short.model text.txt
expect_error 1 "a text file given as model" sample text.txt
expect_error 1 "an empty model file" info empty.txt
expect_error 1 "missing model file" eval no_such.model text.txt
expect_error 1 "eval on an empty text" eval m.model empty.txt
expect_error 1 "random bytes to resume" train text.txt --resume random.model
# A forged 291 KB file with a valid checksum whose header asks for a 4 x 1024 LSTM over 8192 symbols: refused from
# its size alone, within a 256 MB address space (unfixed, the loader zero-filled ~800 MB before finding it short).
python3 "$HERE/forge_model.py" forged.model 2>err || fail "forge_model.py"
(ulimit -v 262144; exec "$BIN" info forged.model) >out 2>err
rc=$?
check "a forged model file is refused before allocating its model (exit 1, says why)" \
  bash -c "[[ $rc -eq 1 ]] && grep -q 'needs [0-9]* bytes of weights and state, but only [0-9]* are left' err"
check "no model written after bad files" test ! -e x.model

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
