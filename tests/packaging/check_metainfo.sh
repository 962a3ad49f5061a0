#!/usr/bin/env bash
# package.metainfo: validate the AppStream metadata with appstreamcli (Debian: appstream), offline, and check
# that its newest release is the project version and that it names both binaries and the desktop entry.
set -euo pipefail
metainfo=$1
version=$2
command -v appstreamcli >/dev/null || { echo "SKIP: appstreamcli not installed (Debian: appstream)"; exit 77; }

appstreamcli validate --no-net "$metainfo" || { echo "FAIL: appstreamcli rejected $metainfo"; exit 1; }

fail=0
# AppStream lists releases newest first.
newest=$(grep -oE '<release [^>]*version="[^"]+"' "$metainfo" | head -n1 | sed -E 's/.*version="([^"]+)".*/\1/')
if [ "$newest" != "$version" ]; then
    echo "FAIL: newest <release> in $metainfo is '$newest', project version is '$version' (add a release entry)"
    fail=1
fi
for b in imgprep imgprep-wizard; do
    grep -qE "<binary>$b</binary>" "$metainfo" || { echo "FAIL: <provides><binary>$b</binary> missing"; fail=1; }
done
grep -q '<launchable type="desktop-id">imgprep-wizard.desktop</launchable>' "$metainfo" ||
    { echo "FAIL: launchable must be imgprep-wizard.desktop (the installed desktop entry)"; fail=1; }
grep -q '<content_rating type="oars-1.1"' "$metainfo" || { echo "FAIL: content_rating missing"; fail=1; }
[ $fail -eq 0 ] && echo "OK: $metainfo (release $newest)"
exit $fail
