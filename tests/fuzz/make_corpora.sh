#!/usr/bin/env bash
# Seed corpora for the fuzz targets, generated from the test fixtures (tests/fixtures/*.sh, built by the same
# real tools as for the test suites) and from small images qemu-img writes here. Output: BUILD/seeds/<target>/.
# Large files become sparse-encoded seeds (make_seed.py). Cached: re-runs only when this script, make_seed.py or a
# fixture builder changed.
#   usage: make_corpora.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fixtures_src="$root/tests/fixtures"
build=$(mkdir -p "$1" && cd "$1" && pwd)
seeds="$build/seeds"
stamp_hash=$(cat "$0" ${ZVHD_SEED_TOOL:+"$ZVHD_SEED_TOOL"} "$here/make_seed.py" "$fixtures_src"/*.sh "$fixtures_src"/*.py "$fixtures_src"/windows/*.py \
             "$fixtures_src"/ntfs_populate.c 2>/dev/null | sha256sum | cut -c1-16)
[ -f "$seeds/.stamp-$stamp_hash" ] && { echo "seed corpora up to date in $seeds"; exit 0; }
rm -rf "$seeds"
mkdir -p "$seeds" "$build/fixtures" "$build/work"
work="$build/work"
seed() { # TARGET FILE [make_seed options]
    local t=$1 f=$2
    shift 2
    mkdir -p "$seeds/$t"
    python3 "$here/make_seed.py" "$f" "$seeds/$t/$(basename "$f").seed" "$@"
}

# ---- the fixture builders (the same scripts the test suites use) ----------------------------------------------
if [ ! -x "$build/ntfs_populate" ]; then
    cc -O1 -o "$build/ntfs_populate" "$fixtures_src/ntfs_populate.c" $(pkg-config --cflags --libs libntfs-3g)
fi
export NTFS_POPULATE="$build/ntfs_populate"
for b in disks hives ntfs windows; do
    bash "$fixtures_src/build_$b.sh" "$build/fixtures/$b" > "$work/fixture-$b.log" 2>&1 ||
        { echo "make_corpora.sh: build_$b.sh failed (see $work/fixture-$b.log)" >&2; exit 1; }
done
F="$build/fixtures"

# ---- image formats: small images with every subformat qemu-img writes ------------------------------------------
M=$((1024 * 1024))
cd "$work"
python3 - <<'PY'
import random
r = random.Random(7)  # deterministic: the same seeds on every machine
M = 1 << 20
with open("pattern.raw", "wb") as f:
    f.truncate(8 * M)
    for off, data in ((0, b"first sector of the small pattern"), (M + 1000, r.randbytes(4113)),
                      (5 * M, b"compressible text line\n" * 2800), (8 * M - 4, b"last")):
        f.seek(off)
        f.write(data)
PY
conv() { # TARGET NAME FMT OPTIONS...
    local t=$1 n=$2 fmt=$3
    shift 3
    qemu-img convert -f raw -O "$fmt" "$@" pattern.raw "$n"
    seed "$t" "$n"
    seed image "$n"
}
conv qcow2 v2.qcow2 qcow2 -o compat=0.10,cluster_size=4096
conv qcow2 v3.qcow2 qcow2 -o compat=1.1,cluster_size=4096
conv qcow2 v3-512.qcow2 qcow2 -o compat=1.1,cluster_size=512
conv qcow2 zlib.qcow2 qcow2 -c -o compat=1.1,cluster_size=4096
conv qcow2 zstd.qcow2 qcow2 -c -o compat=1.1,cluster_size=4096,compression_type=zstd
conv qcow2 extl2.qcow2 qcow2 -o compat=1.1,extended_l2=on,cluster_size=16k
conv qcow2 datafile.qcow2 qcow2 -o compat=1.1,cluster_size=4096,data_file=datafile.data
qemu-img create -q -f qcow2 -o compat=1.1,cluster_size=4096 -b v3.qcow2 -F qcow2 overlay.qcow2
qemu-io -f qcow2 -c 'write -P 0x5a 4k 8k' -c 'write -z 64k 16k' overlay.qcow2 >/dev/null
seed qcow2 overlay.qcow2
conv qcow v1.qcow qcow
conv qed a.qed qed -o cluster_size=4096
conv vdi static.vdi vdi -o static=on
conv vdi dynamic.vdi vdi
conv vhd fixed.vhd vpc -o subformat=fixed,force_size=on
conv vhd dynamic.vhd vpc -o subformat=dynamic
conv vhdx fixed.vhdx vhdx -o subformat=fixed
conv vhdx dynamic.vhdx vhdx -o subformat=dynamic,block_size=1M
conv vmdk sparse.vmdk vmdk -o subformat=monolithicSparse
conv vmdk stream.vmdk vmdk -o subformat=streamOptimized
seed image pattern.raw
# ZVHD2 (zstd, zlib) by imgprep's writer and an old-format ZVHD, from the pattern disk (make_zvhd_seeds, which
# run_fuzz.sh builds and names in ZVHD_SEED_TOOL); the cloud driver's own files from ../shared when present.
if [ -n "${ZVHD_SEED_TOOL:-}" ]; then
    "$ZVHD_SEED_TOOL" pattern.raw zvhd-seeds
    # Plain files (the trailing footer, index and bitmap are at the end, which the sparse encoding may drop).
    for f in zvhd-seeds/zvhd2/*.zvhd2; do seed zvhd2 "$f" --plain-limit $M; seed image "$f" --plain-limit $M; done
    seed zvhd zvhd-seeds/zvhd/stream.zvhd --plain-limit $M
    seed image zvhd-seeds/zvhd/stream.zvhd --plain-limit $M
fi
shared_zvhd="$root/../shared/testdata/zvhd2"
if [ -d "$shared_zvhd" ]; then
    for f in "$shared_zvhd"/*.zvhd2 "$shared_zvhd"/*.zvhd; do
        [ "$(stat -c %s "$f")" -le $M ] || continue # the fuzz input limit is 1 MiB
        case $f in *.zvhd2) seed zvhd2 "$f" --plain-limit $M ;; *) seed zvhd "$f" --plain-limit $M ;; esac
    done
fi
# VMDK descriptors with their extents (the target's input: descriptor, then "\n#EXTENT\n" + each extent).
for sub in monolithicFlat twoGbMaxExtentSparse twoGbMaxExtentFlat; do
    rm -rf "d-$sub" && mkdir "d-$sub"
    qemu-img convert -f raw -O vmdk -o subformat=$sub pattern.raw "d-$sub/d.vmdk"
    out="$work/$sub.desc"
    cp "d-$sub/d.vmdk" "$out"
    for e in $(grep -aoE '"d-[^"]*"' "d-$sub/d.vmdk" | tr -d '"'); do
        printf '\n#EXTENT\n' >> "$out"
        python3 "$here/make_seed.py" "d-$sub/$e" ext.seed
        cat ext.seed >> "$out"
    done
    mkdir -p "$seeds/vmdk_descriptor" && cp "$out" "$seeds/vmdk_descriptor/"
done

# ---- containers ---------------------------------------------------------------------------------------------------
for f in "$F"/windows/*.ova; do seed ova "$f" --max-data $((512 * 1024)); done

# ---- partition tables, filesystems, hives -------------------------------------------------------------------------
for f in gpt gpt-4k gpt-badprimary gpt-grown hybrid mbr; do
    seed partitions "$F/disks/$f.img" --max-data $((64 * 1024))
done
for f in fat12 fat16 fat32 fat16-4k; do seed fat "$F/disks/$f.img" --max-data $((512 * 1024)); done
for f in c512 c64k s4k mftfrag dirty hostile; do seed ntfs "$F/ntfs/$f.ntfs" --max-data $((512 * 1024)); done
dd if="$F/ntfs/disk.raw" of=main.ntfs bs=512 skip=2048 conv=sparse status=none
seed ntfs main.ntfs --max-data $((1024 * 1024))
for f in "$F"/hives/*.hive; do seed registry "$f" --plain-limit 0 --max-data $((2 * 1024 * 1024)); done
# Dirty hives with their transaction logs: SYSTEM #IMGPLOG# SYSTEM.LOG1 #IMGPLOG# SYSTEM.LOG2 #IMGPLOG# SYSTEM.LOG
mkdir -p "$seeds/registry_logs"
for d in "$F"/hives/replay/*/; do
    out="$seeds/registry_logs/$(basename "$d").seed"
    : > "$out"
    for part in SYSTEM SYSTEM.LOG1 SYSTEM.LOG2 SYSTEM.LOG; do
        [ "$part" = SYSTEM ] || printf '#IMGPLOG#' >> "$out"
        if [ -f "$d/$part" ]; then
            python3 "$here/make_seed.py" "$d/$part" part.seed --max-data $((512 * 1024))
            cat part.seed >> "$out"
        fi
    done
done

# ---- whole Windows disks for inspection (as RAW) ------------------------------------------------------------------
n=0
while IFS='|' read -r name image _; do
    case "$image" in *.ova) continue ;; esac
    qemu-img convert -O raw "$F/windows/$image" "$name.raw"
    seed inspect "$name.raw" --max-data $((2 * 1024 * 1024))
    rm -f "$name.raw"
    n=$((n + 1))
    [ $n -ge 6 ] && break
done < "$F/windows/windows.list"
for f in gpt mbr; do seed inspect "$F/disks/$f.img" --max-data $((256 * 1024)); done

# ---- JSON: the catalogue and OS lists ----------------------------------------------------------------------------
mkdir -p "$seeds/json"
{ cat "$root/resources/checks/catalogue.json"; printf '\n#DOC\n'; cat "$root/resources/checks/supported_os.json"
  printf '\n#DOC\n'; cat "$root/resources/checks/uefi_os.json"; } > "$seeds/json/catalogue.seed"

touch "$seeds/.stamp-$stamp_hash"
echo "seed corpora in $seeds: $(find "$seeds" -type f -name '*' ! -name '.stamp*' | wc -l) files"
