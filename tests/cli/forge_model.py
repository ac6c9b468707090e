#!/usr/bin/env python3
"""Writes a forged rnnlab model file: a valid header (magic, version, configuration, vocabulary) for the largest
model the configuration allows (4 layers of 1024 LSTM units, embedding 1024, Adam, batch 256, 8192 symbols),
then a few hundred KB of zeros where the weights should be, sealed with a correct CRC-32. About 291 KB, like the
file of issue 17 (item 4) that made `rnnlab info` allocate 3.28 GB before refusing it. Layout:
engine/rnnlab/checkpoint.cpp.

    forge_model.py OUT_FILE [PADDING_BYTES]
"""
import struct
import sys
import zlib

out = sys.argv[1]
padding = int(sys.argv[2]) if len(sys.argv) > 2 else 256 * 1024
config = b"cell=lstm\nlayers=4\nhidden=1024\nembed=1024\nvocab_max=8192\nbatch=256\nunroll=1024\n"
body = b"RNNLAB\x1a\n" + struct.pack("<I", 1) + struct.pack("<I", len(config)) + config
body += struct.pack("<I", 8192) + b"".join(struct.pack("<I", 0x4E00 + i) for i in range(8192))  # CJK, ascending
body += struct.pack("<IQ", 0, 0)        # collapsed statistics
body += struct.pack("<Q", 0)            # P: the configuration decides what is needed
body += bytes(padding)
with open(out, "wb") as f:
    f.write(body + struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF))
