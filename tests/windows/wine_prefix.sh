#!/usr/bin/env bash
# windows.prefix: one wineprefix for the whole Wine suite, made once (wineboot -i, ~10-60 s) and reused.
# No Mono or Gecko (WINEDLLOVERRIDES), no display needed for console programs.
# usage: wine_prefix.sh PREFIX      exit 77 when wine is missing
set -euo pipefail
prefix=$1
command -v wine >/dev/null || { echo "SKIP: wine is not installed (Debian: wine wine64)"; exit 77; }
export WINEPREFIX=$prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY
if [ -f "$prefix/.imgprep-ready" ] && [ -f "$prefix/system.reg" ]; then echo "wineprefix ready: $prefix"; exit 0; fi
rm -rf "$prefix"
mkdir -p "$prefix"
start=$(date +%s)
wineboot -i >/dev/null 2>&1
wineserver -w
[ -f "$prefix/system.reg" ] || { echo "FAIL: wineboot did not create $prefix"; exit 1; }
touch "$prefix/.imgprep-ready"
echo "wineprefix made in $(($(date +%s) - start)) s: $prefix"
