#!/usr/bin/env bash
# Builds (if needed) and runs every libFuzzer target for SECONDS_PER_TARGET (default 60), then prints per target:
# executions, executions per second, coverage (edges, features, corpus size) and any finding. Exits non-zero when
# any target found a crash, a hang (> 1 s per input), an out-of-memory (> 256 MiB) or a leak, or failed to run.
#
#   tests/fuzz/run_fuzz.sh [SECONDS_PER_TARGET]
#
# Environment:
#   FUZZ_SANITIZE    address (default): ASan + UBSan; undefined: UBSan only (several times more executions per
#                    second: for long campaigns); none: coverage only. One build tree per mode.
#   FUZZ_BUILD_DIR   build tree (default build/fuzz-<mode>); one run at a time per tree, a second exits 2
#   FUZZ_CORPUS_DIR  corpora, shared by the modes (default build/fuzz-corpus/<target>); kept between runs
#   FUZZ_TARGETS     space-separated subset of targets (default: all, see <build>/targets.txt)
#   FUZZ_RUNS        stop a target after this many executions (before the time limit)
#   FUZZ_REPLAY=1    only run every input of the corpus once (e.g. a long UBSan campaign's corpus under ASan)
#   FUZZ_PARALLEL    targets run at the same time (default 1)
#   FUZZ_CAMPAIGN    a campaign of this many executions per target, resumable: a target runs only the executions
#                    the ledger does not yet hold for the current code, and is skipped when it has them all
#   FUZZ_LEDGER      the ledger: one line per target run, with the target's code id (a hash of the sources its
#                    binary is built from), the mode, executions, seconds, coverage, outcome. Default: with
#                    FUZZ_CAMPAIGN, docs/fuzz-campaign.tsv, kept in the repository so that a campaign continues on
#                    any machine (commit it with the campaign's notes); otherwise build/fuzz-campaign.tsv
#   FUZZ_FLAGS       extra libFuzzer flags for every target (e.g. -entropic=0), recorded in the ledger
#   CC/CXX           compilers (default clang-15 / clang++-15)
# To stop a long run early and keep its counts: `touch <build>/stop` (no further target starts), then interrupt the
# running fuzzers, not this script (`pkill -INT -f '<build>/fuzz_'`): libFuzzer prints its statistics on SIGINT
# and the run is recorded as interrupted.
# Findings (crash-*, timeout-*, oom-*, leak-*) go to <build>/findings/<target>/; minimise one with
# `<build>/fuzz_<target> -minimize_crash=1 -runs=100000 FILE`, fix it, and add it to
# tests/fuzz/test_fuzz_regressions.cpp (`tests/fuzz/case_to_cpp.py TARGET FILE "what"` prints the entry).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-60}
mode=${FUZZ_SANITIZE:-address}
build=${FUZZ_BUILD_DIR:-$root/build/fuzz-$mode}
corpora=${FUZZ_CORPUS_DIR:-$root/build/fuzz-corpus}
parallel=${FUZZ_PARALLEL:-1}
cc=${CC:-clang-15}
cxx=${CXX:-clang++-15}

# One run per build tree: a second one would clear the first's logs and campaign counts (logs/) while it runs.
mkdir -p "$build"
exec 9>"$build/.run_fuzz.lock"
flock -n 9 || { echo "run_fuzz.sh: another run is using $build; give this one its own FUZZ_BUILD_DIR" >&2; exit 2; }
command -v "$cxx" >/dev/null || { echo "run_fuzz.sh: $cxx not found (apt-get install clang-15 libfuzzer-15-dev)" >&2; exit 2; }
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER="$cc" \
        -DCMAKE_CXX_COMPILER="$cxx" -DIMGPREP_FUZZ_SANITIZE="$mode" "${launcher[@]}" >/dev/null
fi
cmake --build "$build"
seeds_root="$root/build/fuzz-seeds"
# The seed corpora are shared by all build trees: runs in several trees generate them one at a time.
mkdir -p "$seeds_root"
(flock 8 && ZVHD_SEED_TOOL="$build/make_zvhd_seeds" bash "$here/make_corpora.sh" "$seeds_root") 8>"$seeds_root.lock"

read -r -a all < "$build/targets.txt"
if [ -n "${FUZZ_CAMPAIGN:-}" ]; then ledger=${FUZZ_LEDGER:-$root/docs/fuzz-campaign.tsv}
else ledger=${FUZZ_LEDGER:-$root/build/fuzz-campaign.tsv}; fi
# Each target's code id: a hash of the content of the files its binary is built from, so that its campaign counts
# survive changes to code it does not contain (a commit, a work tree with edits and a tarball agree). The files are
# the sources and repository headers of every object its link pulled in (the link map names the members taken
# from the static libraries; ninja's dependency records name each object's source and headers), plus the build
# files that set how they are compiled.
ninja -C "$build" -t deps > "$build/deps.txt"
code_id_of() { # TARGET
    {
        echo "CMakeFiles/fuzz_$1.dir/fuzz_$1.cpp.o"
        sed -nE 's/^([^ (]+)\.a\(([^)]+)\).*/\1.a \2/p' "$build/fuzz_$1.map"
    } | awk 'NR == FNR {
            if (NF == 1) { own[$1] = 1; next }
            n = split($1, p, "/"); lib = p[n]; sub(/^lib/, "", lib); sub(/\.a$/, "", lib)
            dir = ""; for (i = 1; i < n; i++) dir = dir p[i] "/"
            pre[++k] = dir "CMakeFiles/" lib ".dir/"; suf[k] = "/" $2; next
        }
        /^[^ ]/ {
            obj = $1; sub(/:$/, "", obj); take = (obj in own)
            for (i = 1; i <= k && !take; i++)
                take = index(obj, pre[i]) == 1 && substr(obj, length(obj) - length(suf[i]) + 1) == suf[i]
            next
        }
        take && NF { print $1 }' - "$build/deps.txt" |
        (cd "$build" && xargs -r realpath -m --relative-to="$root") | grep -v -e '^\.\./' -e '^build/' |
        cat - <(cd "$root" && find core tests/fuzz -name CMakeLists.txt -o -name '*.cmake' -o -name 'coverage-ignorelist.txt') |
        LC_ALL=C sort -u | (cd "$root" && xargs sha1sum) | sha1sum | cut -c1-12
}
declare -A code_ids
for t in "${all[@]}"; do code_ids[$t]=$(code_id_of "$t"); done
[ -f "$ledger" ] || printf 'date\tcode\tmode\ttarget\texecutions\tseconds\texec_per_s\tcov\toutcome\tflags\n' > "$ledger"
done_for() { # TARGET: executions the ledger holds for its code and this mode, from runs that found nothing
    awk -F'\t' -v c="${code_ids[$1]}" -v m="$mode" -v t="$1" '$2==c && $3==m && $4==t && ($9=="clean" || $9=="interrupted") {n+=$5} END {print n+0}' "$ledger"
}
targets=(${FUZZ_TARGETS:-${all[@]}})
rm -rf "$build/logs" "$build/stop"
mkdir -p "$build/logs" "$build/findings" "$corpora"
if [ -n "${FUZZ_CAMPAIGN:-}" ]; then
    todo=()
    for t in "${targets[@]}"; do
        left=$((FUZZ_CAMPAIGN - $(done_for "$t")))
        if [ "$left" -gt 0 ]; then todo+=("$t"); echo "$left" > "$build/logs/$t.runs"; fi
    done
    echo "campaign of $FUZZ_CAMPAIGN executions per target: ${#todo[@]} of ${#targets[@]} targets to go"
    targets=("${todo[@]}")
fi

run_one() { # TARGET
    local t=$1 corpus="$corpora/$1" seeds="$seeds_root/seeds/$1" log="$build/logs/$1.log"
    if [ -e "$build/stop" ]; then echo skipped > "$build/logs/$t.rc"; return; fi
    mkdir -p "$corpus" "$seeds" "$build/findings/$t"
    local extra=() max_len=262144
    case $t in
    json) max_len=65536 ;;
    ntfs | fat | registry | inspect | ova | image | zvhd2 | zvhd) max_len=1048576 ;;
    esac
    # A campaign's remaining executions for this target, else FUZZ_RUNS.
    local runs=${FUZZ_RUNS:-}
    [ -f "$build/logs/$t.runs" ] && runs=$(cat "$build/logs/$t.runs")
    [ -n "$runs" ] && extra+=(-runs="$runs")
    read -r -a flags <<<"${FUZZ_FLAGS:-}"
    extra+=("${flags[@]}")
    [ "${FUZZ_REPLAY:-0}" = 1 ] && extra+=(-runs=0)
    local rc=0
    # ASan's quarantine kept small so that its own bookkeeping does not count against the 256 MiB limit.
    ASAN_OPTIONS=quarantine_size_mb=16:malloc_context_size=2:detect_stack_use_after_return=0:detect_leaks=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$build/fuzz_$t" -max_total_time="$seconds" "${extra[@]}" -timeout=1 -rss_limit_mb=256 \
        -malloc_limit_mb=256 -print_final_stats=1 -max_len=$max_len \
        -artifact_prefix="$build/findings/$t/" "$corpus" "$seeds" > "$log" 2>&1 || rc=$?
    echo "$rc" > "$build/logs/$t.rc"
}
export -f run_one
export build seconds corpora seeds_root FUZZ_RUNS FUZZ_REPLAY FUZZ_FLAGS
[ ${#targets[@]} -gt 0 ] && printf '%s\n' "${targets[@]}" | xargs -P "$parallel" -I{} bash -c 'run_one {}'

status=0
echo "mode $mode, $seconds s per target${FUZZ_RUNS:+, at most $FUZZ_RUNS executions}${FUZZ_REPLAY:+ (replay)}"
row() { printf '%-16s %12s %9s %7s %8s %7s %12s %12s  %s\n' "$@"; }
row target executions exec/s cov features corpus campaign code finding
for t in "${targets[@]}"; do
    log="$build/logs/$t.log"
    rc=$(cat "$build/logs/$t.rc" 2>/dev/null || echo 99)
    if [ "$rc" = skipped ]; then
        row "$t" - - - - - "$(done_for "$t")" "${code_ids[$t]}" "not run (stopped)"
        continue
    fi
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
    speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    cov=$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*' || true)
    ft=$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*' || true)
    corp=$(grep -o 'corp: [0-9]*' <<<"$last" | grep -o '[0-9]*' || true)
    secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*' | tail -1 || true)
    finding="-" outcome=clean
    artifacts=$(ls "$build/findings/$t" 2>/dev/null | head -3 | tr '\n' ' ')
    if [ "$rc" = 72 ] && [ -z "$artifacts" ] && grep -q 'run interrupted' "$log"; then
        status=1 outcome=interrupted finding="interrupted (log: $log)"
    elif [ "$rc" != 0 ] || [ -n "$artifacts" ]; then
        status=1 outcome=finding
        finding=$(grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|SUMMARY' "$log" || echo "exit $rc")
        finding="$finding ${artifacts}(log: $log)"
    fi
    if [ "${FUZZ_REPLAY:-0}" != 1 ] && [ -n "$execs" ]; then
        [ -z "$secs" ] && [ -n "$speed" ] && [ "$speed" -gt 0 ] && secs=$((execs / speed))
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "${code_ids[$t]}" "$mode" "$t" "$execs" \
            "${secs:-?}" "${speed:-?}" "${cov:-?}" "$outcome" "${FUZZ_FLAGS:-}" >> "$ledger"
    fi
    row "$t" "${execs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$(done_for "$t")" "${code_ids[$t]}" "$finding"
done
echo "campaign column: executions the ledger ($ledger) holds for the target's code (code column) in mode $mode," \
    "without findings"
exit $status
