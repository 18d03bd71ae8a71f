"""Crafted model files with valid checksums, built from the documented format, so a test reaches
the loader's checks of names, labels, versions and options instead of stopping at a checksum.

File: b"CFMODEL\\0", u32 format (1), str kind, str name, u32 record count, (str key, str sealed
value) per record, u64 XXH64 of everything before. A sealed value is payload + u64 XXH64 of the
payload. Strings are a u32 length and the bytes; integers little-endian. The Bayes header record
"h": u32 format (1), u64 version, u32 label count, the labels, u64 documents and u64 tokens per
label, u64 distinct features, u32 page count (2^hash_bits / 64). Options record "o": JSON.
"""

import json
import struct
from typing import Dict, List, Optional, Sequence

_P1, _P2, _P3, _P4, _P5 = (
    0x9E3779B185EBCA87,
    0xC2B2AE3D27D4EB4F,
    0x165667B19E3779F9,
    0x85EBCA77C2B2AE63,
    0x27D4EB2F165667C5,
)
_M = (1 << 64) - 1


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & _M


def _round(acc: int, lane: int) -> int:
    return (_rotl((acc + lane * _P2) & _M, 31) * _P1) & _M


def _merge(acc: int, val: int) -> int:
    return ((acc ^ _round(0, val)) * _P1 + _P4) & _M


def xxh64(data: bytes, seed: int = 0) -> int:
    """XXH64, as core's records and files use it (pure Python; test-sized inputs only)."""
    n, i = len(data), 0
    if n >= 32:
        v = [(seed + _P1 + _P2) & _M, (seed + _P2) & _M, seed, (seed - _P1) & _M]
        while i + 32 <= n:
            for k in range(4):
                v[k] = _round(v[k], struct.unpack_from("<Q", data, i + 8 * k)[0])
            i += 32
        h = (_rotl(v[0], 1) + _rotl(v[1], 7) + _rotl(v[2], 12) + _rotl(v[3], 18)) & _M
        for k in range(4):
            h = _merge(h, v[k])
    else:
        h = (seed + _P5) & _M
    h = (h + n) & _M
    while i + 8 <= n:
        h = ((_rotl(h ^ _round(0, struct.unpack_from("<Q", data, i)[0]), 27) * _P1) + _P4) & _M
        i += 8
    if i + 4 <= n:
        h = ((_rotl(h ^ (struct.unpack_from("<I", data, i)[0] * _P1) & _M, 23) * _P2) + _P3) & _M
        i += 4
    while i < n:
        h = (_rotl(h ^ (data[i] * _P5) & _M, 11) * _P1) & _M
        i += 1
    h ^= h >> 33
    h = (h * _P2) & _M
    h ^= h >> 29
    h = (h * _P3) & _M
    return h ^ (h >> 32)


def _str(b: bytes) -> bytes:
    return struct.pack("<I", len(b)) + b


def seal(payload: bytes) -> bytes:
    return payload + struct.pack("<Q", xxh64(payload))


def bayes_header(labels: Sequence[bytes], version: int = 1, hash_bits: int = 10) -> bytes:
    n = len(labels)
    body = struct.pack("<IQI", 1, version, n) + b"".join(_str(label) for label in labels)
    body += struct.pack("<%dQ" % n, *([1] * n)) + struct.pack("<%dQ" % n, *([0] * n))
    body += struct.pack("<QI", 0, (1 << hash_bits) // 64)
    return seal(body)


def model_file(
    labels: Sequence[bytes],
    name: bytes = b"crafted",
    version: int = 1,
    option_labels: Optional[List[str]] = None,
    kind: bytes = b"bayes",
) -> bytes:
    """A whole model file: a Bayes model with `labels` in its header and no pages."""
    options: Dict[str, object] = {"kind": "bayes", "hash_bits": 10}
    if option_labels is not None:
        options["labels"] = option_labels
    records = [(b"h", bayes_header(labels, version)), (b"o", seal(json.dumps(options).encode()))]
    body = b"CFMODEL\0" + struct.pack("<I", 1) + _str(kind) + _str(name)
    body += struct.pack("<I", len(records)) + b"".join(_str(k) + _str(v) for k, v in records)
    return body + struct.pack("<Q", xxh64(body))
