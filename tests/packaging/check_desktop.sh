#!/usr/bin/env bash
# package.desktop: validate the desktop entry with desktop-file-validate (desktop-file-utils) and check the keys
# the packaging relies on (Exec/Icon names match what CPack installs).
set -euo pipefail
desktop=$1
command -v desktop-file-validate >/dev/null || { echo "SKIP: desktop-file-validate not installed (Debian: desktop-file-utils)"; exit 77; }

out=$(desktop-file-validate "$desktop" 2>&1) || { echo "$out"; echo "FAIL: desktop-file-validate rejected $desktop"; exit 1; }
# Hints are advice (e.g. two main categories); errors and warnings fail.
if grep -qE ': (error|warning):' <<<"$out"; then echo "$out"; echo "FAIL: $desktop has errors or warnings"; exit 1; fi
[ -n "$out" ] && echo "$out"

key() { sed -n "s/^$1=//p" "$desktop"; }
fail=0
expect() { # KEY VALUE
    local v; v=$(key "$1")
    if [ "$v" != "$2" ]; then echo "FAIL: $1='$v', expected '$2'"; fail=1; fi
}
expect Type Application
expect Exec "imgprep-wizard %f"
expect Icon imgprep
expect Categories "System;Utility;"
for k in Name GenericName Comment Keywords MimeType; do
    [ -n "$(key "$k")" ] || { echo "FAIL: $k missing"; fail=1; }
done
# Every MimeType must be one that shared-mime-info defines (when the database is installed).
db=/usr/share/mime/packages/freedesktop.org.xml
if [ -r "$db" ]; then
    IFS=';' read -ra types <<<"$(key MimeType)"
    for t in "${types[@]}"; do
        [ -z "$t" ] && continue
        grep -q "<mime-type type=\"$t\"" "$db" || { echo "FAIL: MimeType $t is not defined by shared-mime-info"; fail=1; }
    done
fi
[ $fail -eq 0 ] && echo "OK: $desktop"
exit $fail
