#!/usr/bin/env bash
# package.icons: the PNG icons rendered at build time from resources/icons/imgprep.svg, and the .ico packed from
# them. file(1) identifies each output independently; a small PNG decoder (python3 + zlib) checks that the
# picture is really there: transparent corners, the blue disk at the top left, the green badge at the bottom
# right, and a plausible share of opaque pixels.
set -euo pipefail
dir=$1
sizes=(16 32 48 64 128 256)
[ -d "$dir" ] || { echo "SKIP: $dir does not exist (icons not generated: install librsvg2-bin or Qt6 Svg)"; exit 77; }
command -v file >/dev/null || { echo "SKIP: file(1) not installed"; exit 77; }

fail=0
for s in "${sizes[@]}"; do
    png=$dir/${s}x${s}/imgprep.png
    desc=$(file -b "$png" 2>&1 || true)
    if [[ "$desc" != "PNG image data, $s x $s, 8-bit/color RGBA"* ]]; then
        echo "FAIL: $png: $desc (expected a $s x $s RGBA PNG)"
        fail=1
    fi
done
ico=$dir/imgprep.ico
desc=$(file -b "$ico" 2>&1 || true)
if [[ "$desc" != "MS Windows icon resource - ${#sizes[@]} icons"* ]]; then
    echo "FAIL: $ico: $desc"
    fail=1
else
    echo "$ico: $desc"
fi
[ $fail -eq 0 ] || exit 1

python3 - "$dir" "$ico" "${sizes[@]}" <<'PY'
import struct, sys, zlib

def decode_rgba(path):
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', path
    pos, idat, w = 8, b'', None
    while pos < len(data):
        (n,) = struct.unpack('>I', data[pos:pos + 4]); kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]; pos += 12 + n
        if kind == b'IHDR':
            w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
            assert (depth, ctype, interlace) == (8, 6, 0), f'{path}: not 8-bit RGBA non-interlaced'
        elif kind == b'IDAT':
            idat += body
    raw, bpp, stride = zlib.decompress(idat), 4, w * 4
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(h):
        f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0; b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line); prev = line
    return w, h, rows

def px(rows, w, fx, fy):
    x, y = min(w - 1, int(fx * w)), min(w - 1, int(fy * w))
    return tuple(rows[y][4 * x:4 * x + 4])

d, ico, sizes = sys.argv[1], sys.argv[2], [int(s) for s in sys.argv[3:]]
bad = 0
for s in sizes:
    path = f'{d}/{s}x{s}/imgprep.png'
    w, h, rows = decode_rgba(path)
    opaque = sum(1 for r in rows for x in range(w) if r[4 * x + 3] >= 128) / (w * h)
    corner = px(rows, w, 0.0, 0.0)
    disk = px(rows, w, 0.30, 0.55)    # cylinder body, left of the badge
    badge = px(rows, w, 0.73, 0.90)   # green disc, below the check mark
    checks = {
        'opaque share 0.35..0.90': 0.35 <= opaque <= 0.90,
        'top-left corner transparent': corner[3] == 0,
        'disk is blue': disk[3] > 200 and disk[2] > disk[0] + 40 and disk[2] > disk[1],
        'badge is green': badge[3] > 200 and badge[1] > badge[0] + 60 and badge[1] > badge[2] + 40,
    }
    failed = [k for k, ok in checks.items() if not ok]
    print(f'{path}: opaque {opaque:.2f} corner {corner} disk {disk} badge {badge}' + (f'  FAIL: {failed}' if failed else ''))
    bad |= bool(failed)

# The .ico must hold exactly these PNG streams, with sizes in its directory (256 stored as 0).
blob = open(ico, 'rb').read()
reserved, kind, count = struct.unpack('<HHH', blob[:6])
if (reserved, kind, count) != (0, 1, len(sizes)):
    print(f'{ico}: header {reserved, kind, count}  FAIL'); bad = 1
for i, s in enumerate(sizes[:count]):
    bw, bh, _, _, planes, bits, size, off = struct.unpack('<BBBBHHII', blob[6 + 16 * i:22 + 16 * i])
    png = open(f'{d}/{s}x{s}/imgprep.png', 'rb').read()
    if (bw or 256, bh or 256, planes, bits) != (s, s, 1, 32) or blob[off:off + size] != png:
        print(f'{ico}: entry {i} ({bw}x{bh}, {size} bytes at {off}) does not hold the {s}x{s} PNG  FAIL'); bad = 1
sys.exit(1 if bad else 0)
PY
echo "OK: icons in $dir"
