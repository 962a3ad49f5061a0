#!/usr/bin/env bash
# package.nsis: build the Windows installer script from packaging/windows/cpack-windows.cmake with stand-in
# executables (tests/packaging/nsis) and compile it with makensis; check the installer and the script's content.
# usage: package_nsis.sh SOURCE_DIR VERSION ICON_ICO
set -euo pipefail
src=$1 version=$2 ico=$3
command -v makensis >/dev/null || { echo "SKIP: makensis not installed (Debian: nsis)"; exit 77; }
[ -f "$ico" ] || { echo "FAIL: $ico not built (target imgprep_icons)"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/imgprep-nsis.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cmake -S "$src/tests/packaging/nsis" -B "$tmp/b" -G Ninja -DIMGPREP_SOURCE_DIR="$src" -DIMGPREP_VERSION="$version" \
    -DIMGPREP_ICON_ICO="$ico" >"$tmp/log" 2>&1 || { cat "$tmp/log"; echo "FAIL: configure"; exit 1; }
cmake --build "$tmp/b" >>"$tmp/log" 2>&1 || { cat "$tmp/log"; echo "FAIL: build"; exit 1; }
(cd "$tmp/b" && cpack -G NSIS) >>"$tmp/log" 2>&1 || {
    cat "$tmp/log" "$tmp"/b/_CPack_Packages/*/NSIS/NSISOutput.log 2>/dev/null; echo "FAIL: cpack -G NSIS"; exit 1; }

fail=0
check() { local msg=$1; shift; if "$@"; then echo "ok   $msg"; else echo "FAIL $msg"; fail=1; fi; }
exe=$(ls "$tmp"/b/imgprep-"$version"-*.exe)
check "installer is a Nullsoft installer ($(basename "$exe"))" bash -c 'file -b "$1" | grep -q "Nullsoft Installer"' _ "$exe"
nsi=$(ls "$tmp"/b/_CPack_Packages/*/NSIS/project.nsi)
has() { grep -qF -- "$1" "$nsi"; }
check "installer icon is imgprep.ico" has "!define MUI_ICON \"$ico\""
check "start-menu shortcut 'Image Prep Wizard'" has '"$SMPROGRAMS\$STARTMENU_FOLDER\Image Prep Wizard.lnk" "$INSTDIR\bin\imgprep-wizard.exe"'
check "finish page runs the wizard" has '!define MUI_FINISHPAGE_RUN "$INSTDIR\bin\imgprep-wizard.exe"'
check "open command quoted" has "'\"\$INSTDIR\\bin\\imgprep-wizard.exe\" \"%1\"'"
for ext in .vmdk .vhdx .qcow2 .ova; do
    check "Open with $ext" has "WriteRegStr SHCTX 'Software\\Classes\\$ext\\OpenWithList\\imgprep-wizard.exe' '' ''"
    check "uninstall removes $ext entry" has "DeleteRegKey SHCTX 'Software\\Classes\\$ext\\OpenWithList\\imgprep-wizard.exe'"
done
check "no CMake list separator leaked into the script" bash -c '! grep -nE "^;WriteReg|;DeleteReg" "$1"' _ "$nsi"
[ $fail -eq 0 ] && echo "OK: $(basename "$exe")"
exit $fail
