#!/usr/bin/env python3
"""Print a fuzzer finding as an entry of kCases in test_fuzz_regressions.cpp.

usage: case_to_cpp.py TARGET FILE "what the input does and what went wrong; what fixed it"

A sparse-encoded input (fuzz_support.h) is written compactly: data records lose their trailing zero bytes and
records of length 0 are dropped (bytes a record does not cover read as zero, so the decoded file is the same).
"""
import struct
import sys


def compact(d):
    if d[:8] != b"IMGPSPRS" or len(d) < 16:
        return d
    out = bytearray(d[:16])
    pos = 16
    while pos + 12 <= len(d):
        off, w = struct.unpack("<QI", d[pos:pos + 12])
        pos += 12
        n = w & 0x7FFFFFFF
        if w & 0x80000000:
            if pos + 1 > len(d):
                break
            out += struct.pack("<QI", off, w) + d[pos:pos + 1]
            pos += 1
            continue
        if n > len(d) - pos:
            out += d[pos - 12:]  # a truncated record is part of the input: keep it as it is
            break
        data = d[pos:pos + n].rstrip(b"\0")
        pos += n
        if data:
            out += struct.pack("<QI", off, len(data)) + data
    return bytes(out)


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    target, path, what = sys.argv[1:]
    h = compact(open(path, "rb").read()).hex()
    print(f'    {{"{target}", "{what}",')
    lines = [h[i:i + 100] for i in range(0, len(h), 100)] or [""]
    for i, l in enumerate(lines):
        end = "},\n" if i == len(lines) - 1 else ""
        print(f'     "{l}"{end}', end="" if end else "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
