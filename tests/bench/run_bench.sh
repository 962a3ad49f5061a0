#!/usr/bin/env bash
# Benchmark (not a test): read a 16 GiB image holding ~2 GiB of data in each format through our engine and
# compare with `qemu-img convert -O raw` to a sparse file on the same input, measured in the same run.
# Usage: run_bench.sh BUILD_DIR [WORK_DIR]   (images are cached in WORK_DIR, default BUILD_DIR/bench)
set -euo pipefail
build=$(cd "$1" && pwd)
work=${2:-$build/bench}
mkdir -p "$work"
cd "$work"
G=$((1024 * 1024 * 1024))
M=$((1024 * 1024))
if [ ! -f source.raw ] || [ ! -f .source-done ]; then
    rm -f source.raw .source-done
    truncate -s $((16 * G)) source.raw
    # 64 runs of 32 MiB spread over the disk: half random (incompressible), half text (compressible).
    for i in $(seq 0 63); do
        off=$((i * 256 * M + (i % 7) * M))
        if [ $((i % 2)) -eq 0 ]; then
            head -c $((32 * M)) /dev/urandom | dd of=source.raw bs=1M conv=notrunc oflag=seek_bytes seek=$off status=none
        else
            (set +o pipefail; seq -f "%015.0f" $((i * 10000000)) 1 $((i * 10000000 + 3 * M)) | head -c $((32 * M)) |
                dd of=source.raw bs=1M iflag=fullblock conv=notrunc oflag=seek_bytes seek=$off status=none)
        fi
    done
    touch .source-done
fi
formats=(
  "raw|raw|"
  "vmdk|vmdk|-o subformat=monolithicSparse"
  "vmdk-stream|vmdk|-o subformat=streamOptimized"
  "vhd|vpc|-o subformat=dynamic,force_size=on"
  "vhdx|vhdx|-o subformat=dynamic"
  "qcow|qcow|"
  "qcow2|qcow2|"
  "qcow2-zlib|qcow2|-c"
  "qcow2-zstd|qcow2|-c -o compression_type=zstd"
  "qed|qed|"
  "vdi|vdi|"
)
printf "%-12s %10s %10s %8s  (GiB/s of virtual size; ratio = qemu-img time / ours)\n" format qemu-img imgprep ratio
for entry in "${formats[@]}"; do
    IFS='|' read -r name fmt opts <<<"$entry"
    img="bench-$name.img"
    if [ ! -f "$img.done" ]; then
        if [ "$name" = raw ]; then cp --sparse=always source.raw "$img"; else
            # shellcheck disable=SC2086
            qemu-img convert -f raw -O "$fmt" $opts source.raw "$img"
        fi
        touch "$img.done"
    fi
    qf=$fmt
    sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
    cat "$img" > /dev/null # both runs start with the image in the page cache
    t0=$(date +%s.%N)
    qemu-img convert -f "$qf" -O raw "$img" "$work/out.raw"
    t1=$(date +%s.%N)
    rm -f "$work/out.raw"
    t2=$(date +%s.%N)
    "$build/tests/bench/bench_read" "$img" > "$work/ours.txt"
    t3=$(date +%s.%N)
    awk -v n="$name" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v g=16 \
        'BEGIN { q = b - a; o = d - c; printf "%-12s %10.2f %10.2f %8.2fx\n", n, g / q, g / o, q / o }'
done
