#!/usr/bin/env python3
"""Unit checks of tools/pytorch against rnnlab's definitions (no rnnlab binary needed).

Prints one "PASS name" or "FAIL name: why" line per check and exits non-zero if any failed.
Run with Debian's interpreter: /usr/bin/python3 tests/pytorch/test_units.py
"""
import json
import math
import os
import random
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "pytorch"))

import torch  # noqa: E402

import rnnlab_config  # noqa: E402
import rnnlab_data  # noqa: E402
import safetensors_io  # noqa: E402
from eval import evaluate_tokens  # noqa: E402
from rnnlab_data import UNKNOWN, Vocab  # noqa: E402
from rnnlab_model import CharRNN, load_safetensors, save_safetensors  # noqa: E402

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def reference_decode(data):
    """A line-by-line transcription of engine/rnnlab/utf8.cpp decode_utf8, the definition to match."""
    s, n, i, out = data, len(data), 0, []
    if n >= 3 and s[0] == 0xEF and s[1] == 0xBB and s[2] == 0xBF:
        i = 3
    while i < n:
        b = s[i]
        if b < 0x80:
            out.append(b)
            i += 1
            continue
        if 0xC2 <= b <= 0xDF:
            length, lo2, hi2 = 2, 0x80, 0xBF
        elif b == 0xE0:
            length, lo2, hi2 = 3, 0xA0, 0xBF
        elif b == 0xED:
            length, lo2, hi2 = 3, 0x80, 0x9F
        elif 0xE1 <= b <= 0xEF:
            length, lo2, hi2 = 3, 0x80, 0xBF
        elif b == 0xF0:
            length, lo2, hi2 = 4, 0x90, 0xBF
        elif 0xF1 <= b <= 0xF3:
            length, lo2, hi2 = 4, 0x80, 0xBF
        elif b == 0xF4:
            length, lo2, hi2 = 4, 0x80, 0x8F
        else:
            out.append(0xFFFD)
            i += 1
            continue
        cp = b & (0x7F >> length)
        j, complete = i + 1, True
        for k in range(1, length):
            lo, hi = (lo2, hi2) if k == 1 else (0x80, 0xBF)
            if j >= n or not lo <= s[j] <= hi:
                complete = False
                break
            cp = (cp << 6) | (s[j] & 0x3F)
            j += 1
        out.append(cp if complete else 0xFFFD)
        i = j
    return out


def decoded(data):
    return [ord(c) for c in rnnlab_data.decode_text(data)]


@check
def utf8_edge_cases():
    cases = [
        b"", b"abc", b"\xef\xbb\xbfabc", b"a\xef\xbb\xbfb", b"\xef\xbb\xbf\xef\xbb\xbf", b"\xef\xbb",
        b"\xc0\x80", b"\xc1\xbf", b"\xe0\x80\x80", b"\xe0\x9f\xbf", b"\xe0\xa0\x80", b"\xed\xa0\x80",
        b"\xed\x9f\xbf", b"\xf0\x8f\xbf\xbf", b"\xf0\x90\x80\x80", b"\xf4\x8f\xbf\xbf", b"\xf4\x90\x80\x80",
        b"\xf5\x80\x80\x80", b"\xff\xfe", b"\x80", b"\xbf\x80\x80", b"\xe2\x82", b"\xe2\x82a", b"\xf0\x9f\x98",
        b"\xf0\x9f\x98\x80", b"\xf0\x9f\x98\x80\x80", b"\xe2\x82\xac\xe2", b"\xc3\x28", b"\xe1\x80\xe2\xf0\x91\x92\xf1\xbf\x41",
        "über 日本 🙂 \ufffd".encode("utf-8"), b"\xef\xbf\xbd",
    ]
    for c in cases:
        assert decoded(c) == reference_decode(c), (c, decoded(c), reference_decode(c))


@check
def utf8_fuzz_against_transcription():
    rng = random.Random(7)
    interesting = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1,
                   0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF, 0xBB]
    for _ in range(20000):
        n = rng.randrange(0, 12)
        data = bytes(rng.choice(interesting) if rng.random() < 0.8 else rng.randrange(256) for _ in range(n))
        if rng.random() < 0.1:
            data = b"\xef\xbb\xbf" + data
        assert decoded(data) == reference_decode(data), data


def build(text, max_size=256, min_count=1):
    return Vocab.build(rnnlab_data.code_points(text), max_size, min_count)


@check
def vocab_all_fit_no_unknown():
    v = build("banana!")
    assert v.symbols == [ord(c) for c in "!abn"] and not v.has_unknown, v.symbols


@check
def vocab_cap_counts_the_unknown_symbol():
    # counts: a4 b3 c2 d1 e1 -> max 3: a, b and the unknown symbol
    v = build("aaaabbbccde", max_size=3)
    assert v.symbols == [ord("a"), ord("b"), UNKNOWN], v.symbols
    assert v.collapsed_distinct == 3 and v.collapsed_occurrences == 4


@check
def vocab_ties_prefer_smaller_code_point():
    v = build("zzyyxxww", max_size=3)   # all count 2: keep w, x (+ unknown)
    assert v.symbols == [ord("w"), ord("x"), UNKNOWN], v.symbols


@check
def vocab_min_count():
    v = build("aaabbbcd", min_count=2)
    assert v.symbols == [ord("a"), ord("b"), UNKNOWN], v.symbols
    v = build("aaabbbcd", min_count=1)
    assert v.symbols == [ord(c) for c in "abcd"], v.symbols


@check
def vocab_text_with_replacement_char():
    v = build("ab\ufffd")   # U+FFFD in the text is the unknown symbol itself, and nothing is collapsed
    assert v.symbols == [ord("a"), ord("b"), UNKNOWN] and v.collapsed_distinct == 0, v.symbols
    v = build("aab\ufffd", max_size=2)   # eligible 2 + unknown > 2: keep 1 + unknown
    assert v.symbols == [ord("a"), UNKNOWN], v.symbols
    v = build("abc", max_size=3)   # exactly fits: no unknown symbol
    assert v.symbols == [ord(c) for c in "abc"], v.symbols
    v = build("abcd", max_size=3)
    assert v.symbols == [ord("a"), ord("b"), UNKNOWN], v.symbols


@check
def vocab_astral_and_order():
    v = build("🙂🙂a日")
    assert v.symbols == sorted([ord("🙂"), ord("a"), ord("日")]), v.symbols


@check
def vocab_errors():
    for text, kw in (("aaaa", {}), ("", {}), ("ab", {"min_count": 5}), ("ab", {"max_size": 1})):
        try:
            build(text, **kw)
        except rnnlab_config.ConfigError:
            continue
        raise AssertionError("no error for %r %r" % (text, kw))


@check
def vocab_encode_unknown_and_skip():
    v = build("aaaabbbccde", max_size=3)
    ids, skipped = v.encode(rnnlab_data.code_points("abcz🙂"))
    u = v.unknown_id
    assert ids.tolist() == [0, 1, u, u, u] and skipped == 0, ids
    v = build("ab")
    ids, skipped = v.encode(rnnlab_data.code_points("abc\ufffdb"))
    assert ids.tolist() == [0, 1, 1] and skipped == 2, (ids, skipped)


@check
def split_rounding():
    toks = torch.arange(100)
    train, val = rnnlab_data.split_tokens(toks, 0.29)   # floor(100 * 0.29f) would be 28
    assert val.numel() == 29 and train.numel() == 71 and val[0] == 71
    assert rnnlab_data.val_count(10, 0.1) == 1
    assert rnnlab_data.val_count(9, 0.1) == 0
    assert rnnlab_data.val_count(1000, 0.0) == 0
    assert rnnlab_data.val_count(7, 0.5) == 3
    assert rnnlab_data.val_count(3_000_001, 0.333333) == 999_999 + 0   # (3 * 333333) + floor(1 * 333333 / 1e6)
    for bad in (-0.1, 0.6, float("nan")):
        try:
            rnnlab_data.val_count(10, bad)
        except rnnlab_config.ConfigError:
            continue
        raise AssertionError("no error for %r" % bad)


@check
def streams_follow_the_batcher():
    n, B, T = 50, 3, 4
    tokens = torch.arange(1000, 1000 + n)
    cur = rnnlab_data.StreamCursor(n, B, T)
    S = (n - 1) // B
    assert cur.stream_length == S == 16
    seen = []
    for _ in range(10):
        p, reset = cur.next()
        seen.append((p, reset))
        x, y = rnnlab_data.stream_chunk(tokens, S, p, T, range(B))
        for t in range(T):
            for b in range(B):
                assert x[t, b] == tokens[b * S + p + t] and y[t, b] == tokens[b * S + p + t + 1]
    # S = 16, T = 4: chunks at 0, 4, 8, 12, then wrap (12 + 4 + 4 > 16), the next pass starts with a reset
    assert seen[:6] == [(0, False), (4, False), (8, False), (12, False), (0, True), (4, False)], seen
    assert cur.epoch == 2 and cur.position == 8
    cur2 = rnnlab_data.StreamCursor(n, B, T)
    cur2.restore(8, 2)
    assert cur2.next() == cur.next()
    for bad in ((n, 5, 10), (10, 0, 1)):
        try:
            rnnlab_data.StreamCursor(*bad)
        except rnnlab_config.ConfigError:
            continue
        raise AssertionError("no error for %r" % (bad,))


@check
def rank_streams_partition_the_batch():
    for B in range(1, 9):
        for R in range(1, B + 1):
            got = [b for r in range(R) for b in rnnlab_data.rank_streams(B, r, R)]
            assert got == list(range(B)), (B, R, got)


@check
def config_text_round_trip():
    cfg = rnnlab_config.defaults()
    cfg.update(cell="gru", lr=0.001, val_fraction=0.29, seed=2 ** 63 + 5, clip="value")
    text = rnnlab_config.to_text(cfg)
    assert text.startswith("cell=gru\nlayers=2\n") and "lr=0.00100000005\n" in text and "dropout=0\n" in text
    back = rnnlab_config.from_text(text)
    assert rnnlab_config.to_text(back) == text
    assert back["seed"] == 2 ** 63 + 5 and back["val_fraction"] == rnnlab_config.f32(0.29)


@check
def state_dict_names_and_shapes():
    V, H, E = 11, 5, 3
    for cell, G in (("rnn", 1), ("lstm", 4), ("gru", 3)):
        for embed in (E, 0):
            m = CharRNN(V, cell, layers=2, hidden=H, embed=embed)
            want = ([("embed.weight", [V, E])] if embed else [])
            for k in range(2):
                inp = (embed or V) if k == 0 else H
                want += [("rnn.weight_ih_l%d" % k, [G * H, inp]), ("rnn.weight_hh_l%d" % k, [G * H, H]),
                         ("rnn.bias_ih_l%d" % k, [G * H]), ("rnn.bias_hh_l%d" % k, [G * H])]
            want += [("head.weight", [V, H]), ("head.bias", [V])]
            got = [(k, list(v.shape)) for k, v in m.state_dict().items()]
            assert got == want, (cell, embed, got)


@check
def safetensors_round_trip_and_layout():
    torch.manual_seed(0)
    vocab = Vocab([10, 32, 97, 98, UNKNOWN])
    model = CharRNN(len(vocab), "gru", layers=1, hidden=4, embed=0)
    cfg = rnnlab_config.defaults()
    cfg.update(cell="gru", layers=1, hidden=4, embed=0)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "m.safetensors")
        save_safetensors(path, model, vocab, cfg)
        raw = open(path, "rb").read()
        n = int.from_bytes(raw[:8], "little")
        assert n % 8 == 0
        header = json.loads(raw[8:8 + n])
        meta = header["__metadata__"]
        assert meta["format"] == "pt" and meta["rnnlab.format"] == "1"
        assert json.loads(meta["rnnlab.vocab"]) == [10, 32, 97, 98, 65533]
        assert all(header[k]["dtype"] == "F32" for k in header if k != "__metadata__")
        m2, v2, c2 = load_safetensors(path)
        assert v2.symbols == vocab.symbols and c2["cell"] == "gru" and c2["embed"] == 0
        for k, t in model.state_dict().items():
            assert torch.equal(t, m2.state_dict()[k]), k
        # other dtypes read back as float32 weights
        tensors = {k: v.double() for k, v in model.state_dict().items()}
        safetensors_io.save(path, tensors, {"rnnlab.vocab": meta["rnnlab.vocab"], "rnnlab.config": meta["rnnlab.config"]})
        m3, _, c3 = load_safetensors(path)
        assert c3["hidden"] == 4 and torch.equal(m3.head.bias, model.head.bias)
        # without its rnnlab.config, 3 gate blocks could be a GRU or rnnlab's lstm_cifg/lstm_nfg: refused, not guessed
        safetensors_io.save(path, tensors, {"rnnlab.vocab": meta["rnnlab.vocab"]})
        try:
            load_safetensors(path)
            raise AssertionError("a 3-gate file without rnnlab.config was loaded as a guess")
        except ValueError as e:
            assert "lstm_cifg" in str(e), e


@check
def eval_is_one_sequence_whatever_the_chunk():
    torch.manual_seed(1)
    V = 7
    model = CharRNN(V, "lstm", layers=2, hidden=6, embed=4)
    tokens = torch.randint(0, V, (101,))
    a = evaluate_tokens(model, tokens, unroll=7, streams=1, dtype=torch.float64)
    b = evaluate_tokens(model, tokens, unroll=1000, streams=1, dtype=torch.float64)
    assert a["chars"] == 100 and abs(a["nats_per_char"] - b["nats_per_char"]) < 1e-12
    # the definition: mean over i of -log p(tokens[i] | tokens[:i]), from a zero state
    with torch.no_grad():
        logits, _ = model(tokens[:-1].unsqueeze(1))
        logp = torch.log_softmax(logits.squeeze(1), -1)
        want = -float(logp[torch.arange(100), tokens[1:]].mean())
    assert abs(a["nats_per_char"] - want) < 1e-10, (a, want)
    assert abs(a["bits_per_char"] - want / math.log(2)) < 1e-10
    c = evaluate_tokens(model.float(), tokens, unroll=16, streams=1, max_chars=10)
    assert c["chars"] == 10
    d = evaluate_tokens(model, tokens[:1], unroll=16)
    assert d["chars"] == 0 and math.isnan(d["nats_per_char"])


def main():
    passed = failed = 0
    for fn in CHECKS:
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - report every failure and go on
            failed += 1
            detail = "".join(traceback.format_exception_only(type(e), e)).strip()
            print("FAIL %s: %s" % (fn.__name__, detail[:2000]))
        else:
            passed += 1
            print("PASS %s" % fn.__name__)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
