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
check "no model written after bad files" test ! -e x.model

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
