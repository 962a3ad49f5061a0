#!/usr/bin/env bash
# ZVHD2 writer benchmark (not a test): `imgprep convert --to zvhd2` against the cloud's own driver writing the
# same RAW input (`zvhd2-oracle write`, which is `qemu-img-hw convert -O zvhd2`: the unmodified zvhd2.c driven
# by the qemu 2.3 convert loop, single-threaded), measured in the same run: time (median of RUNS), output size and
# peak memory (GNU time's maximum resident set size), for zstd and zlib, with imgprep on 1 and 2 worker threads
# and its default (one per core).
# Input: 4 GiB, 3 GiB of data in 32 MiB runs, half random bytes (incompressible), half text (compressible),
# 1 GiB of holes.
# Usage: IMGPREP_ZVHD2_ORACLE=/path/zvhd2-oracle run_zvhd2_bench.sh BUILD_DIR [WORK_DIR] [RUNS]
# (ZVHD2_BENCH_METHODS="zstd" measures one method only; default "zstd zlib")
# (the oracle: shared/tools/zvhd2-oracle/build.sh; zvhd2-oracle-zlib must be beside it)
set -euo pipefail
build=$(cd "$1" && pwd)
work=${2:-$build/bench-zvhd2}
runs=${3:-3}
oracle=${IMGPREP_ZVHD2_ORACLE:?set IMGPREP_ZVHD2_ORACLE to the zvhd2-oracle binary}
oracle_zlib=$(dirname "$oracle")/zvhd2-oracle-zlib
imgprep="$build/app/imgprep"
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
[ -x "$oracle" ] && [ -x "$oracle_zlib" ] || { echo "$oracle or $oracle_zlib is not executable" >&2; exit 2; }
mkdir -p "$work"
cd "$work"
G=$((1024 * 1024 * 1024))
M=$((1024 * 1024))
if [ ! -f source.raw ] || [ ! -f .source-done ]; then
    rm -f source.raw .source-done
    truncate -s $((4 * G)) source.raw
    # 128 slots of 32 MiB: slots 0, 2, 4 of every 8 random, 1, 3, 5 text, 6 and 7 holes.
    for i in $(seq 0 127); do
        off=$((i * 32 * M))
        case $((i % 8)) in
        0 | 2 | 4) head -c $((32 * M)) /dev/urandom | dd of=source.raw bs=1M conv=notrunc oflag=seek_bytes seek=$off status=none ;;
        1 | 3 | 5)
            (set +o pipefail; seq -f "%015.0f" $((i * 10000000)) 1 $((i * 10000000 + 3 * M)) | head -c $((32 * M)) |
                dd of=source.raw bs=1M iflag=fullblock conv=notrunc oflag=seek_bytes seek=$off status=none) ;;
        esac
    done
    touch .source-done
fi
# The settle step of run_convert_bench.sh: flush dirty pages, write and delete a 2.5 GiB scratch file (free page
# reporting of virtual machines), then read the input into the page cache; the same before every timed command.
knob=/sys/module/page_reporting/parameters/page_reporting_order
if [ -w "$knob" ]; then
    old_order=$(cat "$knob")
    trap 'echo "$old_order" > "$knob"' EXIT
    echo 11 > "$knob" 2>/dev/null || true
fi
settle() {
    rm -f out.zvhd2 out.manifest.json
    sync
    dd if=/dev/zero of="$work/settle.tmp" bs=1M count=2560 status=none
    rm -f "$work/settle.tmp"
    sync
    cat source.raw > /dev/null
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
measure() { # command... -> "seconds peak-KiB cpu-seconds output-bytes"
    /usr/bin/time -f "%e %M %U %S" -o "$work/time.txt" "$@" > /dev/null 2> "$work/stderr.txt" ||
        { cat "$work/stderr.txt" >&2; exit 1; }
    read -r e m u s < "$work/time.txt"
    echo "$e $m $(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }') $(stat -c %s out.zvhd2)"
}
# How much CPU this session really gets: two busy loops for 2 s. With the kernel's autogroup scheduling a session
# gets about one core when another session keeps the machine busy, whatever its thread count.
usable_cores() {
    /usr/bin/time -f "%U %e" -o "$work/busy.txt" sh -c \
        '( timeout 2 sh -c "while :; do :; done" & timeout 2 sh -c "while :; do :; done" & wait )' || true
    awk '{ printf "%.1f", $1 / $2 }' "$work/busy.txt"
    rm -f "$work/busy.txt"
}
echo "cores: $(nproc), usable by this session now: $(usable_cores); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input: 4 GiB RAW, 3 GiB of data (half random, half text); $runs runs each"
printf "%-6s %-10s %9s %7s %9s %7s %11s %7s %9s\n" method writer seconds ratio cpu-s cpu-x output-MiB size-x peak-MiB
for method in ${ZVHD2_BENCH_METHODS:-zstd zlib}; do
    drv=$oracle
    [ $method = zlib ] && drv=$oracle_zlib
    declare -A t=() cpu=() size=() peak=()
    writers=("driver" "imgprep-1" "imgprep-2" "imgprep")
    for r in $(seq "$runs"); do
        order=("${writers[@]}")
        [ $((r % 2)) -eq 0 ] && order=("imgprep" "imgprep-2" "imgprep-1" "driver")
        for w in "${order[@]}"; do
            settle
            case $w in
            driver) res=$(measure "$drv" write source.raw out.zvhd2) ;;
            imgprep) res=$(measure "$imgprep" convert source.raw --to zvhd2 --compress $method -o out.zvhd2 --quiet --no-sync) ;;
            imgprep-*) res=$(measure "$imgprep" convert source.raw --to zvhd2 --compress $method --threads "${w#imgprep-}" \
                               -o out.zvhd2 --quiet --no-sync) ;;
            esac
            read -r sec kib c bytes <<<"$res"
            t[$w]="${t[$w]:-} $sec"
            cpu[$w]="${cpu[$w]:-} $c"
            size[$w]=$bytes
            [ "$kib" -gt "${peak[$w]:-0}" ] && peak[$w]=$kib
        done
    done
    base=$(tr ' ' '\n' <<<"${t[driver]}" | grep . | median)
    cbase=$(tr ' ' '\n' <<<"${cpu[driver]}" | grep . | median)
    for w in "${writers[@]}"; do
        m=$(tr ' ' '\n' <<<"${t[$w]}" | grep . | median)
        c=$(tr ' ' '\n' <<<"${cpu[$w]}" | grep . | median)
        awk -v me="$method" -v w="$w" -v m="$m" -v b="$base" -v c="$c" -v cb="$cbase" -v s="${size[$w]}" \
            -v sb="${size[driver]}" -v p="${peak[$w]}" \
            'BEGIN { printf "%-6s %-10s %9.2f %6.2fx %9.2f %6.2fx %11.1f %6.3fx %9.1f\n", me, w, m, m / b, c, c / cb,
                     s / 1048576, s / sb, p / 1024 }'
    done
    echo "usable cores after: $(usable_cores); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
    unset t cpu size peak
done
rm -f out.zvhd2 out.manifest.json time.txt stderr.txt
echo "(seconds: wall clock, median; ratio = time / the driver's time, target <= 0.60 on 2 cores; cpu-s: user + system"
echo " seconds, median; cpu-x = CPU time / the driver's; size-x = output size / the"
echo " driver's output size, target <= 1.05; peak-MiB = maximum resident set, target <= 256; imgprep-N: --threads N,"
echo " imgprep: one thread per core; both write without a final flush: the driver's qemu-img cache mode is unsafe)"
