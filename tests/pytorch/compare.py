#!/usr/bin/env python3
"""Helpers for tests/pytorch/run.sh. Each prints one figure and exits 0 when it is within the bound, 1 if not.

  compare.py text SEED N OUT [--extra CHARS] [--bytes]   write a generated text (deterministic)
  compare.py weights A.safetensors B.safetensors BOUND    max |a - b| over every tensor (same names/shapes)
  compare.py moved A.safetensors B.safetensors            max |a - b|, printed only (how far training went)
  compare.py evals A.json B.json BOUND                    relative difference of nats_per_char; chars equal
  compare.py vocab W.safetensors TEXT VOCAB_MAX MIN_COUNT  the export's vocabulary == Vocab.build on TEXT
"""
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "pytorch"))

import rnnlab_data  # noqa: E402
import safetensors_io  # noqa: E402

WORDS = ("the cat sat on a mat and the dog ran to the old tree while über naïve café 日本 🙂 birds sang "
         "over quiet hills, river water went down to the sea. ROMEO: JULIET: what light through yonder").split()


def gen_text(seed, n_words, extra=""):
    rng = random.Random(seed)
    out = []
    for i in range(n_words):
        w = rng.choice(WORDS)
        if extra and rng.random() < 0.02:
            w += rng.choice(extra)
        out.append(w)
        out.append(rng.choice((" ", " ", " ", " ", ", ", ".\n", "\n")))
    return "".join(out)


def main(argv):
    cmd = argv[0]
    if cmd == "text":
        seed, n, path = int(argv[1]), int(argv[2]), argv[3]
        extra = argv[argv.index("--extra") + 1] if "--extra" in argv else ""
        data = gen_text(seed, n, extra).encode("utf-8")
        if "--bytes" in argv:   # a leading BOM, invalid sequences and a literal U+FFFD, as real files may have
            data = b"\xef\xbb\xbf" + data[:200] + b"\xff\xe2\x82 \xed\xa0\x80 \xef\xbf\xbd" + data[200:]
        with open(path, "wb") as f:
            f.write(data)
        return 0
    if cmd in ("weights", "moved"):
        a, _ = safetensors_io.load(argv[1])
        b, _ = safetensors_io.load(argv[2])
        if sorted(a) != sorted(b) or any(a[k].shape != b[k].shape for k in a):
            print("different tensors: %s vs %s" % (sorted(a), sorted(b)))
            return 1
        diff = max(float((a[k].double() - b[k].double()).abs().max()) for k in a)
        print("%.3g" % diff)
        return 0 if cmd == "moved" or diff < float(argv[3]) else 1
    if cmd == "evals":
        a = json.loads(open(argv[1]).read())
        b = json.loads(open(argv[2]).read())
        rel = abs(a["nats_per_char"] - b["nats_per_char"]) / abs(b["nats_per_char"])
        print("%.3g (%.9g vs %.9g nats/char, %d vs %d chars)" % (rel, a["nats_per_char"], b["nats_per_char"],
                                                                  a["chars"], b["chars"]))
        return 0 if rel < float(argv[3]) and a["chars"] == b["chars"] and a["chars"] > 0 else 1
    if cmd == "vocab":
        _, meta = safetensors_io.load(argv[1])
        got = json.loads(meta["rnnlab.vocab"])
        text = rnnlab_data.decode_text(rnnlab_data.read_text(argv[2]))
        want = rnnlab_data.Vocab.build(rnnlab_data.code_points(text), int(argv[3]), int(argv[4])).symbols
        print("%d symbols%s" % (len(got), "" if got == want else ": rnnlab %s, PyTorch side %s" % (got, want)))
        return 0 if got == want else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
