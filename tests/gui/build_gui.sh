#!/usr/bin/env bash
# Inputs for the wizard's GUI tests that the other fixtures do not have, built by real tools:
#   big.qcow2   4 GiB virtual, 1 GiB of pattern data in zlib-compressed clusters (qemu-io): a conversion that
#               runs long enough to be cancelled half-way, from a 5 MiB file
#   garbage.bin 1000 random bytes (not a disk image: no signature, not a multiple of 512)
#   corrupt.vmdk "KDMV" followed by random bytes (a sparse-extent header that makes no sense)
#   empty.vhd   a zero-length file
#   disk.img.gz a gzip-compressed raw disk (an archive: to be unpacked first)
# Usage: build_gui.sh OUTDIR (cached: rebuilt only when this script changes)
set -euo pipefail
out=$1
mkdir -p "$out"
stamp="$out/.stamp-$(sha256sum "$0" | cut -c1-16)"
if [ -f "$stamp" ]; then echo "fixtures up to date in $out"; exit 0; fi
rm -f "$out"/.stamp-* "$out"/big.qcow2 "$out"/garbage.bin "$out"/corrupt.vmdk "$out"/empty.vhd "$out"/disk.img.gz
qemu-img create -q -f qcow2 "$out/big.qcow2.tmp" 4G
qemu-io -c "write -c -P 0x5a 0 512M" -c "write -c -P 0xa5 2G 512M" "$out/big.qcow2.tmp" > /dev/null
mv "$out/big.qcow2.tmp" "$out/big.qcow2"
# Pseudo-random bytes from a fixed seed: the same inputs on every run.
python3 -c 'import random, sys; random.seed(20261125); sys.stdout.buffer.write(random.randbytes(1000))' > "$out/garbage.bin"
{ printf 'KDMV'; python3 -c 'import random, sys; random.seed(4); sys.stdout.buffer.write(random.randbytes(65532))'; } > "$out/corrupt.vmdk"
: > "$out/empty.vhd"
python3 -c 'import sys; sys.stdout.buffer.write(bytes(446) + bytes([0x80] + [0] * 15) + bytes(48) + b"\x55\xaa" + bytes(1048064))' |
    gzip -n -c > "$out/disk.img.gz"
touch "$stamp"
echo "built GUI test inputs in $out"
