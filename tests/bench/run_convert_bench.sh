#!/usr/bin/env bash
# Conversion benchmark (not a test): `imgprep convert --to raw` (with and without --bitmap) against
# `qemu-img convert -O raw` on the same 16 GiB inputs (~2 GiB of data each) made by run_bench.sh, measured in the
# same run: median of RUNS runs each, and our peak memory (GNU time's maximum resident set size).
# Usage: [BENCH_ONLY="qcow2 vdi"] run_convert_bench.sh BUILD_DIR [WORK_DIR] [RUNS]
# (run run_bench.sh first to create the images)
set -euo pipefail
build=$(cd "$1" && pwd)
work=${2:-$build/bench}
runs=${3:-3}
cd "$work"
imgprep="$build/app/imgprep"
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
# Settle step before every timed command, the same for both tools: flush dirty pages, then write and delete a
# 2.5 GiB scratch file so the page cache's next allocations come from memory the OS has just used, and read the
# input into the page cache. On virtual machines with free page reporting (virtio-balloon) memory left free for a
# few seconds is handed back to the host and the next large page-cache allocation is several times slower, which
# made single runs differ by 4x; where the knob is writable the script also raises page_reporting_order above the
# largest page order for the run (restored on exit).
knob=/sys/module/page_reporting/parameters/page_reporting_order
if [ -w "$knob" ]; then
    old_order=$(cat "$knob")
    trap 'echo "$old_order" > "$knob"' EXIT
    echo 11 > "$knob" 2>/dev/null || true
fi
settle() { # image
    sync
    dd if=/dev/zero of="$work/settle.tmp" bs=1M count=2560 status=none
    rm -f "$work/settle.tmp"
    sync
    cat "$1" > /dev/null
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
elapsed() { # command... -> seconds (and peak KiB in $peak_file)
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > /dev/null 2>&1
    cat "$work/time.txt"
}
# Two pairs with the same durability: qemu-img's default cache mode "unsafe" (no flush) against
# `imgprep --no-sync`, and `qemu-img -t writeback` (flush at the end) against imgprep's default (fsync before the
# rename).
printf "%-12s %9s %9s %9s %7s %8s | %9s %9s %7s %9s\n" format qemu-img ours-ns +bitmap ratio bitmap% qemu-wb ours ratio peak-MiB
for img in bench-*.img; do
    [ -f "$img.done" ] || continue
    name=${img#bench-}
    name=${name%.img}
    # BENCH_ONLY="qcow2 vdi" limits the run to those inputs.
    if [ -n "${BENCH_ONLY:-}" ] && [[ " $BENCH_ONLY " != *" $name "* ]]; then continue; fi
    case $name in vhd) f=vpc ;; vmdk|vmdk-stream) f=vmdk ;; qcow2-zlib|qcow2-zstd) f=qcow2 ;; *) f=$name ;; esac
    q=() o=() b=() qw=() os=()
    peak=0
    for r in $(seq "$runs"); do
        # Odd runs start with qemu-img, even runs with imgprep.
        for who in $( [ $((r % 2)) -eq 1 ] && echo "q o b qw os" || echo "os qw b o q"); do
            settle "$img"
            case $who in
            q) q+=("$(elapsed qemu-img convert -f "$f" -O raw "$img" out.raw | cut -d' ' -f1)") ;;
            qw) qw+=("$(elapsed qemu-img convert -t writeback -f "$f" -O raw "$img" out.raw | cut -d' ' -f1)") ;;
            o)
                read -r t m < <(elapsed "$imgprep" convert "$img" --to raw -o out.raw --force --quiet --no-sync)
                o+=("$t"); [ "$m" -gt "$peak" ] && peak=$m ;;
            b)
                read -r t m < <(elapsed "$imgprep" convert "$img" --to raw --bitmap -o out.raw --force --quiet --no-sync)
                b+=("$t"); [ "$m" -gt "$peak" ] && peak=$m ;;
            os)
                read -r t m < <(elapsed "$imgprep" convert "$img" --to raw -o out.raw --force --quiet)
                os+=("$t"); [ "$m" -gt "$peak" ] && peak=$m ;;
            esac
            rm -f out.raw out.mf out.manifest.json
        done
    done
    mq=$(printf '%s\n' "${q[@]}" | median)
    mo=$(printf '%s\n' "${o[@]}" | median)
    mb=$(printf '%s\n' "${b[@]}" | median)
    mqw=$(printf '%s\n' "${qw[@]}" | median)
    mos=$(printf '%s\n' "${os[@]}" | median)
    awk -v n="$name" -v q="$mq" -v o="$mo" -v b="$mb" -v qw="$mqw" -v os="$mos" -v p="$peak" \
        'BEGIN { printf "%-12s %9.2f %9.2f %9.2f %6.2fx %7.1f%% | %9.2f %9.2f %6.2fx %9.1f\n", n, q, o, b, o / q, (b - o) / (o > 0 ? o : 1) * 100, qw, os, os / qw, p / 1024 }'
done
echo "(seconds, medians of $runs runs; ratio = imgprep time / qemu-img time, target <= 0.80; bitmap% = extra time of"
echo " --bitmap, target <= 5%; peak-MiB = imgprep's maximum resident set over all its runs)"
