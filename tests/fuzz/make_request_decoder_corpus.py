#!/usr/bin/python3
"""Writes the seed corpus of request_decoder_fuzz (layout: request_decoder_entry.h).

Each seed is: n (chunking sizes count), n chunk sizes, then a request byte stream.
Run from anywhere: python3 tests/fuzz/make_request_decoder_corpus.py
"""
import os
import struct

MAGIC = 0x51524C44
VERSION = 1
GET, SET = 1, 2
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "request_decoder")


def req(kind, op, payload=b"", magic=MAGIC, version=VERSION, length=None):
    n = len(payload) if length is None else length
    return struct.pack("<IHHII", magic, version, kind, op, n) + payload


def seed(stream, sizes=()):
    return bytes([len(sizes)]) + bytes(sizes) + stream


SEEDS = {
    "valid_get_empty": seed(req(GET, 1)),
    "valid_set_payload": seed(req(SET, 200, b"\x0a\x00\x00\x01\x18\x00\x00\x00")),
    "two_requests_one_read": seed(req(GET, 3, b"abc") + req(SET, 4, b"defgh")),
    "split_byte_by_byte": seed(req(SET, 7, b"0123456789"), sizes=(0,)),
    "split_odd_chunks": seed(req(GET, 9, b"x" * 40) + req(GET, 10), sizes=(2, 14, 0, 30)),
    "wrong_magic": seed(req(GET, 1, magic=0xDEADBEEF)),
    "wrong_version": seed(req(GET, 1, version=2)),
    "unknown_kind": seed(req(7, 1)),
    "oversize_len": seed(req(SET, 1, length=(1 << 20) + 1)),
    "len_ffffffff": seed(req(SET, 1, length=0xFFFFFFFF)),
    "truncated_header": seed(req(GET, 1)[:9]),
    "truncated_payload": seed(req(SET, 5, b"0123456789")[:20]),
    "garbage": seed(bytes(range(7, 7 + 61))),
    "valid_then_bad": seed(req(GET, 2, b"ok") + req(GET, 2, magic=0), sizes=(5, 255)),
}

os.makedirs(OUT, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print(f"wrote {len(SEEDS)} seeds to {OUT}")
