"""rnnlab's data protocol in PyTorch: text decoding, vocabulary, train/validation split, BPTT streams.

Each piece follows the engine's definition (engine/rnnlab/utf8.cpp, vocab.cpp, dataset.cpp) so a model
trained here sees exactly the tokens, ids and chunks rnnlab would have given it:

  decode_text   UTF-8 -> code points; one U+FFFD per maximal invalid subpart; a leading BOM is dropped
  Vocab.build   most frequent code points (ties: smaller first) with count >= min_count, at most max_size
                symbols counting the unknown symbol U+FFFD; ids in ascending code point order
  split_tokens  validation = the last floor(n * val_fraction) tokens (val_fraction to 6 decimals)
  StreamCursor  B contiguous streams of S = (n-1)//B tokens, chunks of T, eager wrap + state reset

Token sequences are 1-D torch.int64 tensors.
"""
import math

import torch

from rnnlab_config import ConfigError, f32

UNKNOWN = 0xFFFD          # the unknown symbol (Vocab::kUnknown)
MAX_SYMBOLS = 8192        # Vocab::kMaxSymbols, the documented 2..8192
_BOM = b"\xef\xbb\xbf"


def decode_text(data):
    """UTF-8 bytes -> str of code points, as rnnlab's decode_utf8.

    CPython's UTF-8 decoder with errors="replace" substitutes one U+FFFD per maximal subpart of an
    ill-formed sequence (Unicode 3.9, the WHATWG practice) exactly as the engine does: it rejects
    overlongs, surrogates and values above U+10FFFF at the second byte and reads the breaking byte afresh
    (tests/pytorch/test_data.py checks this against a transcription of utf8.cpp). Only a LEADING BOM is
    dropped; a later U+FEFF is text.
    """
    if isinstance(data, str):
        return data
    data = bytes(data)
    if data.startswith(_BOM):
        data = data[3:]
    return data.decode("utf-8", "replace")


def code_points(text):
    """str -> 1-D int64 tensor of its code points (fast: one UTF-32 encode, no Python loop)."""
    if not text:
        return torch.zeros(0, dtype=torch.int64)
    raw = bytearray(text.encode("utf-32-le"))
    return torch.frombuffer(raw, dtype=torch.int32).to(torch.int64)


def read_text(path):
    with open(path, "rb") as f:
        return f.read()


def _describe(cp):
    if cp < 0x20 or 0x7F <= cp <= 0xA0:
        return "U+%04X" % cp
    return "'%s'" % chr(cp)


class Vocab:
    """The character vocabulary: symbols (ascending code points); the id of a symbol is its index."""

    def __init__(self, symbols, collapsed_distinct=0, collapsed_occurrences=0):
        symbols = [int(s) for s in symbols]
        if not 2 <= len(symbols) <= MAX_SYMBOLS:
            raise ConfigError("a vocabulary has 2 to %d symbols (got %d)" % (MAX_SYMBOLS, len(symbols)))
        for i, s in enumerate(symbols):
            if not (0 <= s <= 0x10FFFF and not 0xD800 <= s <= 0xDFFF):
                raise ConfigError("the vocabulary contains an invalid code point (%d at index %d)" % (s, i))
            if i and s <= symbols[i - 1]:
                raise ConfigError("the vocabulary is not in strictly ascending order (index %d)" % i)
        self.symbols = symbols
        self.unknown_id = symbols.index(UNKNOWN) if UNKNOWN in symbols else -1
        self.collapsed_distinct = collapsed_distinct
        self.collapsed_occurrences = collapsed_occurrences
        self._table = None

    def __len__(self):
        return len(self.symbols)

    @property
    def has_unknown(self):
        return self.unknown_id >= 0

    @classmethod
    def build(cls, cps, max_size, min_count):
        """Vocab::build over a code point tensor (see vocab.hpp for the rule)."""
        if not 2 <= max_size <= MAX_SYMBOLS:
            raise ConfigError("vocabulary size must be between 2 and %d (got %d)" % (MAX_SYMBOLS, max_size))
        if cps.numel() == 0:
            raise ConfigError("the text is empty: give a text file with some text in it")
        uniq, counts = torch.unique(cps, sorted=True, return_counts=True)
        text_has_unknown = False
        chars = []
        for c, n in zip(uniq.tolist(), counts.tolist()):
            if c == UNKNOWN:
                text_has_unknown = True
            else:
                chars.append((c, n))
        distinct = len(chars) + (1 if text_has_unknown else 0)
        if distinct < 2:
            raise ConfigError("the text has only one distinct character (%s): a language model needs at least two"
                              % _describe(int(cps[0])))
        chars.sort(key=lambda cn: (-cn[1], cn[0]))   # most frequent first, ties: smaller code point
        threshold = max(min_count, 1)
        eligible = 0
        while eligible < len(chars) and chars[eligible][1] >= threshold:
            eligible += 1
        keep, need_unknown = eligible, text_has_unknown
        if eligible < len(chars) or eligible + (1 if text_has_unknown else 0) > max_size:
            need_unknown = True
            keep = min(eligible, max_size - 1)
        if keep + (1 if need_unknown else 0) < 2:
            raise ConfigError("min_count %d leaves fewer than two characters of %d distinct ones: lower min_count"
                              % (min_count, distinct))
        symbols = [c for c, _ in chars[:keep]] + ([UNKNOWN] if need_unknown else [])
        return cls(sorted(symbols), len(chars) - keep, sum(n for _, n in chars[keep:]))

    def _lookup(self):
        if self._table is None:
            limit = max(max(self.symbols), UNKNOWN) + 1
            table = torch.full((limit,), self.unknown_id, dtype=torch.int64)
            table[torch.tensor(self.symbols, dtype=torch.int64)] = torch.arange(len(self.symbols))
            self._table = table
        return self._table

    def encode(self, cps):
        """Code points -> ids (int64). Characters with no id (not kept, and no unknown symbol) are skipped,
        as Vocab::encode does. Returns (ids, skipped)."""
        table = self._lookup()
        inside = cps < table.numel()
        ids = torch.full_like(cps, self.unknown_id)
        ids[inside] = table[cps[inside]]
        present = ids >= 0
        skipped = int((~present).sum())
        return (ids[present] if skipped else ids), skipped

    def decode(self, ids):
        return "".join(chr(self.symbols[i]) if 0 <= i < len(self.symbols) else chr(UNKNOWN) for i in ids)


def _llround(x):
    r = math.floor(x)
    return r + 1 if x - r >= 0.5 else r   # half away from zero (x >= 0 here)


def val_count(n, val_fraction):
    """split_text's held-out size: floor(n * f) with f (a float32 in the engine) rounded to millionths."""
    f = f32(val_fraction)
    if not 0.0 <= f <= 0.5:
        raise ConfigError("val_fraction must be between 0 and 0.5 (got %s)" % val_fraction)
    scale = 1000000
    millionths = _llround(f * scale)
    return (n // scale) * millionths + (n % scale) * millionths // scale


def split_tokens(tokens, val_fraction):
    """(train, val): val is the END of the text, the last floor(n * val_fraction) tokens."""
    n = tokens.numel()
    cut = n - val_count(n, val_fraction)
    return tokens[:cut], tokens[cut:]


class StreamCursor:
    """StreamBatcher's cursor: which chunk comes next, and whether it starts a new pass.

    The n tokens are cut into B contiguous streams of S = (n-1)//B tokens (stream b starts at b*S); a chunk
    takes positions p..p+T-1 of every stream as inputs and the next token as targets, then p += T. As soon
    as fewer than T positions are left (p + T > S) the cursor wraps to 0 and counts an epoch; the chunk that
    starts the new pass asks for a hidden state reset. (position, epoch) is all a checkpoint needs.
    """

    def __init__(self, n_tokens, batch, unroll):
        if batch < 1 or unroll < 1:
            raise ConfigError("batch and unroll must be at least 1 (got batch %d, unroll %d)" % (batch, unroll))
        needed = batch * unroll + 1
        if n_tokens < needed:
            raise ConfigError("the training text has %d characters but batch %d x unroll %d needs at least %d: "
                              "use a smaller batch or unroll, or more text" % (n_tokens, batch, unroll, needed))
        self.batch, self.unroll = batch, unroll
        self.stream_length = (n_tokens - 1) // batch
        self.position = 0
        self.epoch = 0

    def next(self):
        """Returns (position of this chunk, reset) and advances."""
        p = self.position
        reset = p == 0 and self.epoch > 0
        self.position += self.unroll
        if self.position + self.unroll > self.stream_length:
            self.position = 0
            self.epoch += 1
        return p, reset

    def restore(self, position, epoch):
        last_start = self.stream_length - self.unroll
        if not 0 <= position <= last_start:
            raise ConfigError("the saved data position %d is past the last chunk start %d of this text with batch "
                              "%d x unroll %d: the checkpoint belongs to another text or setting"
                              % (position, last_start, self.batch, self.unroll))
        self.position, self.epoch = position, epoch

    def epoch_progress(self):
        return self.epoch + self.position / self.stream_length


def stream_chunk(tokens, stream_length, position, unroll, streams):
    """inputs, targets (T, len(streams)) int64: tokens[b*S + p + t] and the token after, for b in streams."""
    starts = torch.as_tensor(list(streams), dtype=torch.int64) * stream_length + position
    index = starts.unsqueeze(0) + torch.arange(unroll, dtype=torch.int64).unsqueeze(1)
    return tokens[index], tokens[index + 1]


def rank_streams(batch, rank, world_size):
    """The streams of the global batch that one rank trains: a contiguous share, sizes differing by at most 1."""
    if world_size > batch:
        raise ConfigError("batch %d is smaller than the %d processes: every process needs at least one stream"
                          % (batch, world_size))
    return range(rank * batch // world_size, (rank + 1) * batch // world_size)
