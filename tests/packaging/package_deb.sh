#!/usr/bin/env bash
# package.deb: build the .deb and .tar.gz with CPack from this build tree into a temporary folder, unpack them
# and check what a user would get: the binaries run (no LD_LIBRARY_PATH), the desktop entry, AppStream metadata,
# icons and docs are in place, and dpkg-deb reports sane control fields (Depends computed by dpkg-shlibdeps).
# usage: package_deb.sh BUILD_DIR VERSION BUILT_IMGPREP BUILT_WIZARD|- DESKTOP_SRC METAINFO_SRC
set -euo pipefail
build=$1 version=$2 built_imgprep=$3 built_wizard=$4 desktop_src=$5 metainfo_src=$6
has_wizard=0
[ "$built_wizard" = - ] || has_wizard=1
app_id=io.github.imgprep.ImgPrep

for tool in cpack dpkg-deb dpkg-shlibdeps; do
    command -v $tool >/dev/null || { echo "SKIP: $tool not installed (Debian: cmake, dpkg, dpkg-dev)"; exit 77; }
done
[ -f "$build/CPackConfig.cmake" ] || { echo "FAIL: $build/CPackConfig.cmake missing (packaging/ not configured)"; exit 1; }
for f in "$built_imgprep" $([ $has_wizard = 1 ] && echo "$built_wizard"); do
    [ -x "$f" ] || { echo "FAIL: $f is not built: build the tree first (cmake --build)"; exit 1; }
done
src=$(cd "$(dirname "$desktop_src")/../.." && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/imgprep-package.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # MESSAGE COMMAND...
    local msg=$1; shift
    if "$@"; then echo "ok   $msg"; else echo "FAIL $msg"; fail=1; fi
}

echo "== cpack -G DEB;TGZ (build tree $build)"
(cd "$tmp" && cpack --config "$build/CPackConfig.cmake" -G "DEB;TGZ" -B "$tmp/out") >"$tmp/cpack.log" 2>&1 ||
    { cat "$tmp/cpack.log"; echo "FAIL: cpack"; exit 1; }
shopt -s nullglob
debs=("$tmp"/out/*.deb)
tgzs=("$tmp"/out/*.tar.gz)
[ ${#debs[@]} -eq 1 ] && [ ${#tgzs[@]} -eq 1 ] ||
    { cat "$tmp/cpack.log"; ls -l "$tmp/out"; echo "FAIL: expected one .deb and one .tar.gz"; exit 1; }
deb=${debs[0]} tgz=${tgzs[0]}
arch=$(dpkg --print-architecture)
check "deb file name imgprep_${version}_${arch}.deb ($(basename "$deb"))" \
    test "$(basename "$deb")" = "imgprep_${version}_${arch}.deb"

echo "== dpkg-deb -I"
dpkg-deb -I "$deb" | tee "$tmp/info"
field() { dpkg-deb -f "$deb" "$1"; }
check "Package: imgprep" test "$(field Package)" = imgprep
check "Version: $version" test "$(field Version)" = "$version"
check "Architecture: $arch" test "$(field Architecture)" = "$arch"
check "Section: utils" test "$(field Section)" = utils
check "Maintainer set" test -n "$(field Maintainer)"
check "Homepage set" test -n "$(field Homepage)"
check "Description has a summary and a long text" test "$(field Description | wc -l)" -ge 2
check "Description lines fit in 80 columns" test "$(field Description | awk 'length > 80' | wc -l)" -eq 0
check "Recommends: qemu-utils" grep -qw qemu-utils <<<"$(field Recommends)"
depends=$(field Depends)
# dpkg-shlibdeps output: versioned dependencies on the C and C++ runtimes at least.
check "Depends has libc6 (>= ...) [$depends]" grep -qE '(^|, )libc6 \(>= [0-9]' <<<"$depends"
check "Depends has libstdc++6 (>= ...)" grep -qE '(^|, )libstdc\+\+6 \(>= [0-9]' <<<"$depends"
check "Depends has no empty entries" \
    bash -c '! grep -qE "(^|, )(,|$)" <<<"$1"' _ "$depends"
if [ "$has_wizard" = 1 ]; then
    check "Depends has the Qt 6 Widgets library (wizard)" grep -qE '(^|, )libqt6widgets6 \(>= 6' <<<"$depends"
    check "Recommends libqt6svg6 (wizard's SVG icons)" grep -qw libqt6svg6 <<<"$(field Recommends)"
    check "Recommends a monospace font (wizard's script and log views)" grep -q 'fonts-dejavu-core | fonts-liberation2' <<<"$(field Recommends)"
fi
# Each Depends clause must be satisfied by a package installed on this machine (where the binaries were just
# built and run): a real package, or a virtual one that an installed package Provides (e.g. libspdlog1.10-fmt9),
# whose version meets the relation (dpkg --compare-versions). Catches misspelt or foreign package names and
# impossible versions.
dpkg-query -W -f='${db:Status-Status}\t${Package}\t${Version}\t${Provides}\n' >"$tmp/installed"
satisfied() { # CLAUSE ("a (>= 1) | b")
    local alt name rel ver have
    IFS='|' read -ra alts <<<"$1"
    for alt in "${alts[@]}"; do
        name=$(sed -E 's/^ *([^ (]+).*/\1/; s/:any$//' <<<"$alt")
        # Candidate versions: the package itself, then versions of installed packages that provide it
        # ("name (= v)" gives v; an unversioned Provides satisfies only an unversioned dependency).
        have=$(awk -F'\t' -v n="$name" '$1 == "installed" && $2 == n {print $3}
            $1 == "installed" { k = split($4, p, /, */); for (i = 1; i <= k; i++) {
                if (p[i] == n) print "-"; else if (index(p[i], n " (= ") == 1) { v = substr(p[i], length(n) + 5);
                sub(/\)$/, "", v); print v } } }' "$tmp/installed")
        [ -n "$have" ] || continue
        if [[ "$alt" =~ \(([<>=]+)\ *([^\)]+)\) ]]; then
            rel=${BASH_REMATCH[1]} ver=${BASH_REMATCH[2]}
            case $rel in '>=') rel=ge ;; '<=') rel=le ;; '>>') rel=gt ;; '<<') rel=lt ;; '=') rel=eq ;; esac
            while read -r v; do
                [ "$v" != - ] && dpkg --compare-versions "$v" "$rel" "$ver" && return 0
            done <<<"$have"
            continue
        fi
        return 0
    done
    return 1
}
IFS=',' read -ra clauses <<<"$depends"
for clause in "${clauses[@]}"; do
    check "Depends '${clause# }' is satisfied on this machine" satisfied "$clause"
done

echo "== dpkg-deb -x"
root=$tmp/root
dpkg-deb -x "$deb" "$root"
dpkg-deb -c "$deb" >"$tmp/contents"
check "files are owned by root:root" bash -c '! awk "{print \$2}" "$1" | grep -qv "^root/root$"' _ "$tmp/contents"
check "usr/bin/imgprep is executable" test -x "$root/usr/bin/imgprep"
missing=$( (ldd "$root/usr/bin/imgprep" 2>&1 || true) | grep 'not found' || true)
check "usr/bin/imgprep resolves all libraries without LD_LIBRARY_PATH $missing" test -z "$missing"
out=$(env -u LD_LIBRARY_PATH "$root/usr/bin/imgprep" --version 2>&1) || true
check "usr/bin/imgprep --version prints '$version' [$out]" grep -qF "$version" <<<"$out"
check "same --version as the build tree's imgprep" test "$out" = "$("$built_imgprep" --version 2>&1)"
check "usr/bin/imgprep is stripped" bash -c '! file -b "$1" | grep -q "not stripped"' _ "$root/usr/bin/imgprep"

share=$root/usr/share
for s in 16 32 48 64 128 256; do
    png=$share/icons/hicolor/${s}x${s}/apps/imgprep.png
    check "icon ${s}x${s}" bash -c 'file -b "$1" | grep -q "PNG image data, $2 x $2,"' _ "$png" "$s"
done
check "icon scalable/apps/imgprep.svg" bash -c 'file -b "$1" | grep -q "SVG"' _ "$share/icons/hicolor/scalable/apps/imgprep.svg"
check "doc README.md" test -s "$share/doc/imgprep/README.md"
check "doc copyright" test -s "$share/doc/imgprep/copyright"
check "docs/*.md are all installed, unchanged" \
    diff -r <(cd "$src/docs" && find . -name '*.md' | sort) <(cd "$share/doc/imgprep/docs" && find . -type f | sort)
for f in "$src"/docs/*.md; do
    cmp -s "$f" "$share/doc/imgprep/docs/$(basename "$f")" || { echo "FAIL docs/$(basename "$f") differs"; fail=1; }
done

desktop=$share/applications/imgprep-wizard.desktop
metainfo=$share/metainfo/$app_id.metainfo.xml
if [ "$has_wizard" = 1 ]; then
    check "usr/bin/imgprep-wizard is executable" test -x "$root/usr/bin/imgprep-wizard"
    missing=$( (ldd "$root/usr/bin/imgprep-wizard" 2>&1 || true) | grep 'not found' || true)
    check "usr/bin/imgprep-wizard resolves all libraries $missing" test -z "$missing"
    # Starts with the system's Qt (platform plugin included) far enough to answer --version.
    out=$(env -u LD_LIBRARY_PATH QT_QPA_PLATFORM=offscreen timeout 60 "$root/usr/bin/imgprep-wizard" --version 2>&1) || true
    check "usr/bin/imgprep-wizard --version prints '$version' [$(head -n1 <<<"$out")]" grep -qF "$version" <<<"$out"
    check "desktop entry installed, same as the source" cmp -s "$desktop" "$desktop_src"
    check "metainfo installed, same as the source" cmp -s "$metainfo" "$metainfo_src"
    if command -v desktop-file-validate >/dev/null; then
        check "desktop-file-validate (installed copy)" desktop-file-validate "$desktop"
    else
        echo "skip desktop-file-validate not installed (Debian: desktop-file-utils)"
    fi
    if command -v appstreamcli >/dev/null; then
        check "appstreamcli validate --no-net (installed copy)" appstreamcli validate --no-net "$metainfo"
    else
        echo "skip appstreamcli not installed (Debian: appstream)"
    fi
else
    echo "note imgprep-wizard is not built in this tree: the package is CLI-only"
    check "no wizard, no desktop entry" test ! -e "$desktop"
    check "no wizard, no metainfo" test ! -e "$metainfo"
fi

echo "== tar.gz"
mkdir "$tmp/tgz"
tar -xzf "$tgz" -C "$tmp/tgz"
top=$(find "$tmp/tgz" -mindepth 1 -maxdepth 1)
check "tar.gz has one top folder ($(basename "$top"))" test "$(wc -l <<<"$top")" -eq 1
out=$(env -u LD_LIBRARY_PATH "$top/bin/imgprep" --version 2>&1) || true
check "tar.gz bin/imgprep --version prints '$version'" grep -qF "$version" <<<"$out"
check "tar.gz has the same file list as the .deb (under usr/)" \
    diff <(cd "$root/usr" && find . -type f | sort) <(cd "$top" && find . -type f | sort)

[ $fail -eq 0 ] && echo "OK: $(basename "$deb") and $(basename "$tgz")"
exit $fail
