#!/usr/bin/env bash
# Test double for the cloud's qemu-img-hw (which is not open source and not installable here).
# It behaves like qemu-img's CLI for the calls imgprep makes:
#   --version | convert -p [-f FMT] -O zvhd2 IN OUT | info FILE
# FAKE_QEMU_IMG_HW_FAIL=1 makes convert write a partial file, print an error and exit 1.
set -u
case "${1:-}" in
--version)
    echo "qemu-img-hw version 2.5.0 (test double)"
    exit 0
    ;;
info)
    if head -c 8 "$2" | grep -q "ZVHD2FAK"; then
        echo "image: $2"
        echo "file format: zvhd2"
        exit 0
    fi
    echo "qemu-img-hw: Could not open '$2': not a zvhd2 file" >&2
    exit 1
    ;;
convert)
    shift
    args=("$@")
    out=${args[${#args[@]}-1]}
    in=${args[${#args[@]}-2]}
    [ -r "$in" ] || { echo "qemu-img-hw: Could not open '$in': No such file or directory" >&2; exit 1; }
    printf 'ZVHD2FAK' > "$out"
    for p in 0.00 12.50 25.00 50.00 75.00; do
        printf '    (%s/100%%)\r' "$p"
        sleep 0.05
        if [ "${FAKE_QEMU_IMG_HW_FAIL:-0}" = 1 ] && [ "$p" = 50.00 ]; then
            head -c 4096 "$in" >> "$out"
            printf '\nqemu-img-hw: error while writing sector 123456: No space left on device\n' >&2
            exit 1
        fi
    done
    head -c 65536 "$in" >> "$out"
    printf '    (100.00/100%%)\r\n'
    exit 0
    ;;
esac
echo "qemu-img-hw: unknown command '${1:-}'" >&2
exit 1
