"""A small safetensors reader and writer (no dependency beyond torch and the standard library).

Format: an 8-byte little-endian header length N, N bytes of JSON header
  {"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...}
then the raw little-endian tensor data, offsets relative to the end of the header. Written files pad the
header with spaces to a multiple of 8 bytes (as the reference implementation does) and store F32.
"""
import json
import struct
import sys

import torch

_DTYPES = {
    "F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
    "BOOL": torch.bool,
}
_NAMES = {v: k for k, v in _DTYPES.items()}
MAX_HEADER = 100_000_000


class SafetensorsError(ValueError):
    pass


def _check_byteorder():
    if sys.byteorder != "little":   # torch itself supports no big-endian host worth the code
        raise SafetensorsError("this safetensors reader/writer needs a little-endian machine")


def _raw_bytes(t):
    """The tensor's elements as raw (native = little-endian) bytes, through a bytearray torch writes into."""
    t = t.detach().to("cpu").contiguous().reshape(-1)
    buf = bytearray(t.numel() * t.element_size())
    if buf:
        torch.frombuffer(buf, dtype=t.dtype).copy_(t)
    return bytes(buf)


def dumps(tensors, metadata=None):
    """tensors: {name: tensor} (order kept) -> the file's bytes. metadata: {str: str}."""
    _check_byteorder()
    header = {}
    if metadata:
        for k, v in metadata.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise SafetensorsError("metadata keys and values must be strings (%r: %r)" % (k, v))
        header["__metadata__"] = dict(metadata)
    chunks, offset = [], 0
    for name, t in tensors.items():
        if not name or name == "__metadata__":
            raise SafetensorsError("invalid tensor name %r" % name)
        if t.dtype not in _NAMES:
            raise SafetensorsError("tensor %s has dtype %s, which this writer does not store" % (name, t.dtype))
        data = _raw_bytes(t)
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def save(path, tensors, metadata=None):
    data = dumps(tensors, metadata)
    with open(path, "wb") as f:
        f.write(data)


def loads(data):
    """bytes -> ({name: tensor}, {str: str}) with every header entry checked against the data."""
    _check_byteorder()
    if len(data) < 8:
        raise SafetensorsError("the file is %d bytes, too short for a safetensors header" % len(data))
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8 or n > MAX_HEADER:
        raise SafetensorsError("header length %d does not fit the file (%d bytes)" % (n, len(data)))
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SafetensorsError("the header is not valid JSON: %s" % e) from None
    if not isinstance(header, dict):
        raise SafetensorsError("the header is not a JSON object")
    body = memoryview(data)[8 + n:]
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise SafetensorsError("__metadata__ must be an object of strings")
    tensors, spans = {}, []
    for name, entry in header.items():
        try:
            dtype = _DTYPES[entry["dtype"]]
            shape = [int(d) for d in entry["shape"]]
            begin, end = (int(x) for x in entry["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise SafetensorsError("tensor %r: unreadable entry %r" % (name, entry)) from None
        count = 1
        for d in shape:
            if d < 0:
                raise SafetensorsError("tensor %r: negative dimension in %s" % (name, shape))
            count *= d
        size = torch.empty(0, dtype=dtype).element_size()
        if not 0 <= begin <= end <= len(body) or end - begin != count * size:
            raise SafetensorsError("tensor %r: data_offsets [%d, %d] do not hold shape %s of %s in a %d-byte body"
                                   % (name, begin, end, shape, entry["dtype"], len(body)))
        spans.append((begin, end, name))
        raw = bytearray(body[begin:end])
        if count == 0:
            t = torch.empty(shape, dtype=dtype)
        else:
            t = torch.frombuffer(raw, dtype=dtype).reshape(shape)
        tensors[name] = t
    spans.sort()
    for (b0, e0, n0), (b1, e1, n1) in zip(spans, spans[1:]):
        if b1 < e0:
            raise SafetensorsError("tensors %r and %r overlap" % (n0, n1))
    return tensors, metadata


def load(path):
    with open(path, "rb") as f:
        return loads(f.read())
