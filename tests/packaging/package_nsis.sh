#!/usr/bin/env bash
# package.nsis: build the Windows installer script from packaging/windows/cpack-windows.cmake with stand-in
# executables (tests/packaging/nsis) and compile it with makensis; check the installer and the script's content.
# package.nsis.wine (with IMGPREP_EXE and WINEPREFIX): the same installer around the real cross-built
# imgprep.exe (the wizard stays a stand-in: Qt for Windows is not packaged here), installed silently under Wine
# (installer /S), the installed imgprep.exe --version run, and uninstalled silently (Uninstall.exe /S).
# usage: package_nsis.sh SOURCE_DIR VERSION ICON_ICO [IMGPREP_EXE WINEPREFIX]
set -euo pipefail
src=$1 version=$2 ico=$3 real_exe=${4:-} prefix=${5:-}
command -v makensis >/dev/null || { echo "SKIP: makensis not installed (Debian: nsis)"; exit 77; }
if [ -n "$real_exe" ]; then
    command -v wine >/dev/null || { echo "SKIP: wine is not installed (Debian: wine wine64)"; exit 77; }
    [ -f "$real_exe" ] || { echo "SKIP: $real_exe not built (preset windows-cross; the cross compiler is missing?)"; exit 77; }
fi
[ -f "$ico" ] || { echo "FAIL: $ico not built (target imgprep_icons)"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/imgprep-nsis.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cmake -S "$src/tests/packaging/nsis" -B "$tmp/b" -G Ninja -DIMGPREP_SOURCE_DIR="$src" -DIMGPREP_VERSION="$version" \
    -DIMGPREP_ICON_ICO="$ico" -DIMGPREP_CLI_EXE="$real_exe" >"$tmp/log" 2>&1 || { cat "$tmp/log"; echo "FAIL: configure"; exit 1; }
cmake --build "$tmp/b" >>"$tmp/log" 2>&1 || { cat "$tmp/log"; echo "FAIL: build"; exit 1; }
(cd "$tmp/b" && cpack -G NSIS) >>"$tmp/log" 2>&1 || {
    cat "$tmp/log" "$tmp"/b/_CPack_Packages/*/NSIS/NSISOutput.log 2>/dev/null; echo "FAIL: cpack -G NSIS"; exit 1; }

fail=0
check() { local msg=$1; shift; if "$@"; then echo "ok   $msg"; else echo "FAIL $msg"; fail=1; fi; }
exe=$(ls "$tmp"/b/imgprep-"$version"-*.exe)
# file(1) names 32-bit NSIS installers; a 64-bit one is recognised by the NSIS header signature inside.
check "installer is a Nullsoft installer ($(basename "$exe"))" \
    bash -c 'file -b "$1" | grep -q "Nullsoft Installer" || grep -aq "NullsoftInst" "$1"' _ "$exe"
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
check "installs to Program Files (64-bit)" has 'InstallDir "$PROGRAMFILES64\imgprep"'

if [ -n "$real_exe" ]; then
    export WINEPREFIX=$prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
    unset DISPLAY
    check "installer is a 64-bit (PE32+) program" bash -c 'file -b "$1" | grep -q "PE32+"' _ "$exe"
    instdir="$WINEPREFIX/drive_c/Program Files/imgprep"
    key='HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\imgprep'
    rm -rf "$instdir"
    cp "$exe" "$tmp/setup.exe"
    wine "$tmp/setup.exe" /S >"$tmp/install.log" 2>&1 || true
    wineserver -w
    check "installed bin\imgprep.exe" test -f "$instdir/bin/imgprep.exe"
    # (the stand-in is a Linux program named imgprep-wizard: only its presence is checked)
    check "installed the wizard stand-in" bash -c 'ls "$1"/bin/imgprep-wizard* >/dev/null 2>&1' _ "$instdir"
    check "installed Uninstall.exe" test -f "$instdir/Uninstall.exe"
    check "installed imgprep.exe is the cross-built one" cmp -s "$real_exe" "$instdir/bin/imgprep.exe"
    ver=$(wine "$instdir/bin/imgprep.exe" --version 2>&1 | tr -d '\r')
    check "installed imgprep.exe --version: $ver" test "$ver" = "imgprep $version"
    check "uninstall entry in the registry" bash -c 'wine reg query "$1" /v UninstallString >/dev/null 2>&1' _ "$key"
    check "Open-with entry for .vmdk" bash -c \
        'wine reg query "HKLM\\Software\\Classes\\.vmdk\\OpenWithList\\imgprep-wizard.exe" >/dev/null 2>&1'
    wine "$instdir/Uninstall.exe" /S >"$tmp/uninstall.log" 2>&1 || true
    wineserver -w
    check "uninstalled bin\imgprep.exe" test ! -e "$instdir/bin/imgprep.exe"
    check "uninstall entry removed" bash -c '! wine reg query "$1" >/dev/null 2>&1' _ "$key"
    check "Open-with entry removed" bash -c \
        '! wine reg query "HKLM\\Software\\Classes\\.vmdk\\OpenWithList\\imgprep-wizard.exe" >/dev/null 2>&1'
fi
[ $fail -eq 0 ] && echo "OK: $(basename "$exe")"
exit $fail
