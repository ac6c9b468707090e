#!/usr/bin/env python3
"""Scores a text with a model, printing the JSON line of `rnnlab eval MODEL TEXT --streams 1 --json`:

  {"nats_per_char": ..., "bits_per_char": ..., "perplexity": ..., "chars": N}

The protocol is the engine's Session::evaluate_text: the text is decoded and encoded with the model's
vocabulary (characters it has no id for are skipped), and with --streams 1 (the default) every character
is scored given all characters before it, the text being ONE sequence that starts from a zero state.
--streams B cuts it into B contiguous streams of (n-1)//B targets, and 0 picks rnnlab's default
min(batch, (n-1)//unroll).

  /usr/bin/python3 tools/pytorch/eval.py model.safetensors heldout.txt
"""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import rnnlab_data  # noqa: E402
from rnnlab_model import load_safetensors  # noqa: E402


@torch.no_grad()
def evaluate_tokens(model, tokens, unroll, batch=1, streams=1, max_chars=0, dtype=torch.float32):
    """Session::evaluate_tokens: mean -log p over tokens[1..n) with Be streams carrying state through chunks
    of up to `unroll` steps. Returns a dict with nats_per_char, bits_per_char, perplexity, chars."""
    n = tokens.numel()
    if max_chars > 0 and n > max_chars + 1:
        n = max_chars + 1
    if n < 2:
        return {"nats_per_char": math.nan, "bits_per_char": math.nan, "perplexity": math.nan, "chars": 0}
    if streams > 0:
        be = min(streams, n - 1)
    else:
        be = max(1, min(batch, (n - 1) // unroll))
    S = (n - 1) // be
    was_training = model.training
    model = model.to(dtype).eval()
    device = next(model.parameters()).device
    state = model.zero_state(be, device=device, dtype=dtype)
    total = 0.0
    for p in range(0, S, unroll):
        length = min(unroll, S - p)
        x, y = rnnlab_data.stream_chunk(tokens, S, p, length, range(be))
        logits, state = model(x.to(device, torch.int64), state)
        y = y.to(device, torch.int64)
        total += float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]).double(), y.reshape(-1),
                                       reduction="sum"))
    model.train(was_training)
    chars = S * be
    nats = total / chars
    return {"nats_per_char": nats, "bits_per_char": nats / math.log(2.0), "perplexity": math.exp(nats),
            "chars": chars}


def json_line(report):
    """Byte for byte the line `rnnlab eval --json` prints (%.9g: enough digits to compare implementations)."""
    return '{"nats_per_char":%.9g, "bits_per_char":%.9g, "perplexity":%.9g, "chars":%d}' % (
        report["nats_per_char"], report["bits_per_char"], report["perplexity"], report["chars"])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("model", help="a .safetensors file written by rnnlab export or tools/pytorch/train.py")
    ap.add_argument("text", help="the text file to score (UTF-8)")
    ap.add_argument("--streams", type=int, default=1,
                    help="1 (default): the text as one sequence; B: B parallel streams; 0: rnnlab's default")
    ap.add_argument("--max-chars", type=int, default=0, help="score only the first N characters (0 = all)")
    ap.add_argument("--unroll", type=int, default=0, help="chunk length (default: the model's unroll)")
    ap.add_argument("--json", action="store_true", default=True,
                    help="print one JSON line (the default; --table for rnnlab eval's plain-text table)")
    ap.add_argument("--table", dest="json", action="store_false", help="print a plain-text table instead")
    ap.add_argument("--double", action="store_true", help="compute in float64 (a reference for float32)")
    ap.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0 = torch's default)")
    args = ap.parse_args(argv)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    if args.streams < 0 or args.max_chars < 0 or args.unroll < 0:
        ap.error("--streams, --max-chars and --unroll take numbers >= 0")
    try:
        model, vocab, cfg = load_safetensors(args.model)
        text = rnnlab_data.decode_text(rnnlab_data.read_text(args.text))
    except (OSError, ValueError) as e:
        print("eval.py: %s" % e, file=sys.stderr)
        return 1
    tokens, skipped = vocab.encode(rnnlab_data.code_points(text))
    report = evaluate_tokens(model, tokens, args.unroll or cfg["unroll"], cfg["batch"], args.streams,
                             args.max_chars, torch.float64 if args.double else torch.float32)
    if report["chars"] == 0:
        print("eval.py: %s has %d characters the model knows; at least 2 are needed to score anything"
              % (args.text, tokens.numel()), file=sys.stderr)
        return 1
    if skipped:
        print("eval.py: warning: %d characters of %s are not in the model's vocabulary and were skipped"
              % (skipped, args.text), file=sys.stderr)
    if args.json:
        print(json_line(report))
    else:
        print("nats/char   %.6f\nbits/char   %.6f\nperplexity  %.4f\nchars       %d"
              % (report["nats_per_char"], report["bits_per_char"], report["perplexity"], report["chars"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
