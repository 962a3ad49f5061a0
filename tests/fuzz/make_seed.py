#!/usr/bin/env python3
"""Write a fuzz seed from a file: the file itself when it is small, else the sparse encoding the fuzz targets
read (tests/fuzz/fuzz_support.h): "IMGPSPRS", u64le size, then records (u64le offset, u32le length, data) and
fill records (u64le offset, u32le 0x80000000|length, one byte) for runs of one repeated byte. Only non-zero
512-byte sectors are kept; with --max-data N, data records stop after N bytes (the structures at the start of a
volume or image come first, so they are kept).

usage: make_seed.py IN OUT [--plain-limit BYTES] [--max-data BYTES]"""
import argparse
import os
import struct
import sys

SECTOR = 512


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--plain-limit", type=int, default=64 * 1024)
    ap.add_argument("--max-data", type=int, default=256 * 1024)
    a = ap.parse_args()
    size = os.path.getsize(a.src)
    with open(a.src, "rb") as f:
        if size <= a.plain_limit:
            data = f.read()
            with open(a.dst, "wb") as o:
                o.write(data)
            return 0
        out = bytearray(b"IMGPSPRS" + struct.pack("<Q", size))
        budget = a.max_data
        run_start, run_kind, run = None, None, bytearray()  # kind: None, ("fill", byte) or "data"

        def flush():
            nonlocal run_start, run_kind, run, budget
            if run_start is None:
                return
            if run_kind != "data":
                out.extend(struct.pack("<QI", run_start, 0x80000000 | len(run)) + bytes([run_kind[1]]))
            elif budget > 0:
                chunk = bytes(run[:budget])
                budget -= len(chunk)
                out.extend(struct.pack("<QI", run_start, len(chunk)) + chunk)
            run_start, run_kind, run = None, None, bytearray()

        fd = f.fileno()
        pos = 0
        while pos < size:
            try:  # holes of the file are skipped without reading
                data_at = os.lseek(fd, pos, os.SEEK_DATA)
            except OSError:
                break
            if data_at > pos:
                flush()
                pos = data_at - data_at % SECTOR
            f.seek(pos)
            block = f.read(1 << 20)
            if not block:
                break
            for i in range(0, len(block), SECTOR):
                s = block[i:i + SECTOR]
                if s.count(s[0]) == len(s):
                    kind = None if s[0] == 0 else ("fill", s[0])
                else:
                    kind = "data"
                if kind != run_kind or len(run) >= 0x40000000:
                    flush()
                if kind is None:
                    continue
                if run_start is None:
                    run_start, run_kind = pos + i, kind
                run.extend(s)
            pos += len(block)
        flush()
    if len(out) > 16 * 1024 * 1024:
        print(f"make_seed.py: {a.src}: seed would be {len(out)} bytes; skipped", file=sys.stderr)
        return 0
    with open(a.dst, "wb") as o:
        o.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
