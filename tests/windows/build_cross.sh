#!/usr/bin/env bash
# windows.build: configures (once) and builds the Windows cross build (preset windows-cross) that the Wine suite
# runs: imgprep.exe, winprobe.exe and the Qt-free core suite. Incremental: nothing to do when it is current.
# usage: build_cross.sh SOURCE_DIR BUILD_DIR      exit 77 when the mingw-w64 cross compiler is missing
set -euo pipefail
src=$1 dir=$2
command -v x86_64-w64-mingw32-g++-posix >/dev/null || {
    echo "SKIP: the mingw-w64 cross compiler is missing (Debian: g++-mingw-w64-x86-64-posix libz-mingw-w64-dev)"
    exit 77
}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
if [ ! -f "$dir/CMakeCache.txt" ]; then
    (cd "$src" && cmake --preset windows-cross -B "$dir" "${launcher[@]}")
fi
cmake --build "$dir" --target imgprep winprobe test_portable
ls -l "$dir/app/imgprep.exe"
