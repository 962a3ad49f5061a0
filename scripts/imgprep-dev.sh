#!/usr/bin/env bash
# One entry point for a fresh Debian 12 / Ubuntu 22.04+ machine:
#   scripts/imgprep-dev.sh wizard   install dependencies, build, start the wizard on a demo Windows image
#   scripts/imgprep-dev.sh test     install dependencies, build, run the whole test suite (also under ASan+UBSan)
#   scripts/imgprep-dev.sh deps     only install dependencies
set -euo pipefail
cd "$(dirname "$0")/.."

# Build and runtime libraries, plus the real tools the tests use as fixture builders and oracles.
PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libgl-dev libqt6svg6
  libspdlog-dev libfmt-dev libarchive-dev zlib1g-dev libzstd-dev
  qemu-utils libhivex-bin libwin-hivex-perl ntfs-3g ntfs-3g-dev sleuthkit gdisk fdisk dosfstools mtools
  poppler-utils genisoimage xz-utils bzip2 zstd zip p7zip-full file dpkg-dev appstream desktop-file-utils librsvg2-bin fonts-dejavu-core fonts-liberation2
  python3 e2fsprogs util-linux libvhdi-utils python3-libvhdi
  # The Windows build (preset windows-cross) and its tests under Wine (ctest label windows), the NSIS installer.
  g++-mingw-w64-x86-64-posix libz-mingw-w64-dev wine wine64 nsis
)

install_deps() {
    local missing=()
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    echo "Installing: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() { # PRESET
    cmake --preset "$1" >/dev/null
    cmake --build --preset "$1"
}

case "${1:-}" in
deps)
    install_deps
    ;;
wizard)
    install_deps
    build release
    # The demo: the synthetic, ready-to-import Windows Server 2016 UEFI disk that the tests use
    # (tests/fixtures/build_windows.sh; built by hivex, mkntfs + libntfs-3g, sfdisk, mtools and qemu-img).
    demo_dir=build/release/demo
    NTFS_POPULATE=build/release/tests/ntfs_populate bash tests/fixtures/build_windows.sh "$demo_dir" >/dev/null
    demo="$demo_dir/win2016-uefi-ready.vmdk"
    if [ -x build/release/app/imgprep-wizard/imgprep-wizard ]; then
        exec build/release/app/imgprep-wizard/imgprep-wizard "$demo"
    elif [ -x build/release/app/imgprep-wizard ]; then
        exec build/release/app/imgprep-wizard "$demo"
    fi
    exec build/release/app/imgprep check "$demo"
    ;;
test)
    install_deps
    build dev
    # The Windows cross build (zstd and libarchive are built from pinned sources the first time), which the
    # dev tree's Wine suite (label windows) runs; the suite builds it itself when it is not there.
    if command -v x86_64-w64-mingw32-g++-posix >/dev/null; then
        start=$(date +%s)
        [ -f build/windows-cross/CMakeCache.txt ] || cmake --preset windows-cross >/dev/null
        cmake --build build/windows-cross --target imgprep winprobe test_portable
        echo "windows-cross build: $(($(date +%s) - start)) s"
    fi
    ctest --preset dev -j2
    if [ "${IMGPREP_SKIP_ASAN:-0}" != 1 ]; then
        build asan
        # The Windows build is the same under ASan: its Wine suite runs once, in the dev tree.
        ctest --preset asan -j2 -LE "bench|slow|windows"
    fi
    ;;
*)
    echo "usage: $0 wizard|test|deps" >&2
    exit 2
    ;;
esac
