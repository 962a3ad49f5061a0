#!/usr/bin/env python3
"""The Windows build under Wine, compared with the Linux build (ctest label `windows`, tests/windows/CMakeLists.txt).

Every test runs the cross-built imgprep.exe under Wine and the Linux imgprep of the same source on the same inputs:

  compare   every format fixture (images) and Windows fixture (windows) through `info --json --checksum sha256`,
            `inspect --json`, `check --json` and every conversion target in TARGETS: the same exit code, the
            same JSON apart from paths, the same converted bytes (SHA-256), the same bitmap file; the Windows
            RAW output sparse according to Win32 (winprobe.exe: AllocationSize). Disks over 16 GiB virtual
            (the 200 GiB and 1.5 TiB fixtures) skip the checksum and the conversions (see group_compare)
  paths     non-ASCII names (Chinese, accented) for input and output, names longer than 260 characters, an
            image over 4 GiB (sparse), a read-only source, an output folder that does not exist
  fulldisk  conversion onto a full file system (a small tmpfs; skipped when it cannot be mounted)
  cancel    Ctrl-C (SIGINT to the Wine process, which Wine hands to the program as the C runtime's SIGINT) and a
            hard kill during a conversion: nothing complete-looking is left
  cli       exit codes 0/1/2 and one-line errors as on Linux; UTF-8 text on stdout (pipe) and on a console
            (a pseudo-terminal: Wine's console shows the program's UTF-8 output as UTF-8)
  unit      the Qt-free core suite (test_portable.exe) under Wine

Usage: wine_suite.py GROUP --linux-cli PATH --windows-dir DIR --fixtures DIR --work DIR --prefix WINEPREFIX
Exit 0 pass, 1 fail, 77 skip (ctest SKIP_RETURN_CODE).
"""
import argparse
import hashlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77

# Conversion targets compared between the two builds: (name, imgprep arguments, output extension, bitmap?).
# One line per target. RAW outputs must be byte-identical; a ZVHD2 file carries a random UUID and the time of
# writing, so the two are compared by what they hold: the virtual disk each reads back to (SHA-256, read by the
# Linux build) and the same stored blocks.
# ZVHD2 is compared for every format fixture and two Windows disks (one a two-disk OVA): the writer is the same
# code whatever the source, and the other Windows fixtures would only add minutes of Wine I/O.
TARGETS = [
    ("raw", ["--to", "raw", "--bitmap"], ".raw", True),
    ("zvhd2", ["--to", "zvhd2"], ".zvhd2", False),
]
ZVHD2_CASES = ("images/", "windows/win2016-uefi-ready", "windows/win2016-two-disks")

FAILURES = []


def fail(msg):
    FAILURES.append(msg)
    print("FAIL " + msg, flush=True)


def ok(msg):
    print("ok   " + msg, flush=True)


def check(cond, msg):
    (ok if cond else fail)(msg)
    return cond


class Env:
    def __init__(self, a):
        self.linux = a.linux_cli
        self.windows_dir = a.windows_dir
        self.exe = os.path.join(a.windows_dir, "app", "imgprep.exe")
        self.probe = os.path.join(a.windows_dir, "tests", "winprobe.exe")
        self.unit = os.path.join(a.windows_dir, "tests", "portable", "test_portable.exe")
        self.fixtures = a.fixtures
        self.work = a.work
        self.wine = shutil.which("wine") or shutil.which("wine64")
        self.env = dict(os.environ, WINEPREFIX=a.prefix, WINEDEBUG="-all", WINEDLLOVERRIDES="mscoree,mshtml=",
                        LC_ALL="C.UTF-8")
        self.env.pop("DISPLAY", None)

    def run_win(self, args, timeout=600, **kw):
        return subprocess.run([self.wine, self.exe] + args, env=self.env, capture_output=True, timeout=timeout,
                              **kw)

    def run_linux(self, args, timeout=600):
        return subprocess.run([self.linux] + args, capture_output=True, timeout=timeout)

    def probe_files(self, paths):
        """winprobe.exe allocated: {linux path: (size, AllocationSize, compressed, ranges, attributes)}."""
        r = subprocess.run([self.wine, self.probe, "allocated"] + [winpath(p) for p in paths], env=self.env,
                           capture_output=True, timeout=120)
        out = {}
        for line in r.stdout.decode("utf-8").splitlines():
            f = line.split(" ", 5)
            out[f[5]] = (int(f[0]), int(f[1]), int(f[2]), int(f[3]), int(f[4], 16))
        return {p: out.get(winpath(p)) for p in paths}


def winpath(p):
    """The Windows name of a Linux path under Wine's Z: drive (Z:\\ is /)."""
    return "Z:" + os.path.abspath(p).replace("/", "\\")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 22)
            if not b:
                return h.hexdigest()
            h.update(b)


def _next(fd, pos, whence, size):
    try:
        return min(os.lseek(fd, pos, whence), size)
    except OSError:  # ENXIO: no data after pos
        return size


def same_bytes(a, b):
    """The two files hold the same bytes (what equal SHA-256 sums say), compared directly; ranges that are holes
    in both files (SEEK_DATA/SEEK_HOLE) are equal without reading them, so 1 GiB sparse outputs compare fast."""
    size = os.path.getsize(a)
    if os.path.getsize(b) != size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        pos = 0
        while pos < size:
            d = min(_next(fa.fileno(), pos, os.SEEK_DATA, size), _next(fb.fileno(), pos, os.SEEK_DATA, size))
            if d >= size:
                return True
            e = max(_next(fa.fileno(), d, os.SEEK_HOLE, size), _next(fb.fileno(), d, os.SEEK_HOLE, size))
            e = max(e, d + 1)
            fa.seek(d)
            fb.seek(d)
            while d < e:
                n = min(1 << 22, e - d)
                if fa.read(n) != fb.read(n):
                    return False
                d += n
            pos = e
    return True


def normalise(obj, subs):
    """Paths replaced by tokens (both separators, the rest of such a string with '/'); volatile values dropped."""
    if isinstance(obj, dict):
        return {k: normalise(v, subs) for k, v in obj.items() if k not in ("created", "seconds")}
    if isinstance(obj, list):
        return [normalise(v, subs) for v in obj]
    if isinstance(obj, str):
        s = obj
        hit = False
        for prefix, token in subs:
            if prefix in s:
                s = s.replace(prefix, token)
                hit = True
        return s.replace("\\", "/") if hit else s
    return obj


def json_diff(a, b, path="$"):
    if type(a) is not type(b):
        return [f"{path}: {a!r} != {b!r}"]
    if isinstance(a, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: only in {'Linux' if k in a else 'Windows'}")
            else:
                out += json_diff(a[k], b[k], f"{path}.{k}")
        return out
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)} items"]
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += json_diff(x, y, f"{path}[{i}]")
        return out
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def subs_for(dirs):
    subs = []
    for d, token in dirs:
        d = os.path.abspath(d)
        subs.append((winpath(d), token))
        subs.append((d, token))
    return subs


# Wine 8 does not implement FSCTL_QUERY_ALLOCATED_RANGES: on Windows under Wine a RAW input (or a fixed VHD, a
# raw backing file) that is sparse on the Linux side reads as fully allocated, so these fields count its holes
# as data there. Tolerated (and reported) only when winprobe.exe finds that the file system cannot tell.
RANGE_FIELDS = {"$.image.allocated_size", "$.stats.bytes_read", "$.stats.zero_bytes_skipped"}
NO_RANGES = [False]


def filter_known(name, diffs):
    if not NO_RANGES[0]:
        return diffs
    known = [d for d in diffs if d.split(":")[0] in RANGE_FIELDS]
    if known:
        print(f"known {name}: Wine cannot list allocated ranges: " + "; ".join(known), flush=True)
    return [d for d in diffs if d.split(":")[0] not in RANGE_FIELDS]


def compare_json(name, lin, win, subs):
    if lin.returncode != win.returncode:
        fail(f"{name}: exit code Linux {lin.returncode}, Windows {win.returncode}; Windows stderr: "
             f"{win.stderr.decode('utf-8', 'replace').strip()}")
        return
    try:
        a = json.loads(lin.stdout)
        b = json.loads(win.stdout)
    except ValueError as e:
        if lin.returncode == 2 and not lin.stdout and not win.stdout:
            ok(f"{name}: both exit 2")
            return
        fail(f"{name}: output is not JSON ({e}); Windows stderr: {win.stderr.decode('utf-8', 'replace')[:300]}")
        return
    d = filter_known(name, json_diff(normalise(a, subs), normalise(b, subs)))
    if d:
        fail(f"{name}: JSON differs ({len(d)}): " + "; ".join(d[:8]))
    else:
        ok(f"{name}: same JSON (exit {lin.returncode})")


# ------------------------------------------------------------------------------------------------------------
# compare


def fixture_cases(fixtures):
    """(name, image path) of every format fixture and Windows fixture."""
    cases = []
    lst = os.path.join(fixtures, "images", "images.list")
    if os.path.exists(lst):
        for line in open(lst):
            f = line.strip().split("|")
            if len(f) >= 3:
                cases.append(("images/" + f[0], os.path.join(fixtures, "images", f[2])))
    lst = os.path.join(fixtures, "windows", "windows.list")
    if os.path.exists(lst):
        for line in open(lst):
            f = line.strip().split("|")
            if len(f) >= 2:
                cases.append(("windows/" + f[0], os.path.join(fixtures, "windows", f[1])))
    return cases


def compare_outputs(e, name, lin_out, win_out, has_bitmap, lin, win):
    """Converted files: same bytes, same bitmap, Windows RAW sparse according to Win32."""
    if lin.returncode != win.returncode:
        fail(f"{name}: exit code Linux {lin.returncode}, Windows {win.returncode}; Windows stderr: "
             f"{win.stderr.decode('utf-8', 'replace').strip()}")
        return
    if lin.returncode != 0:
        check(not os.path.exists(win_out), f"{name}: failed on both (exit {lin.returncode}), no Windows output")
        return
    if not check(os.path.exists(win_out), f"{name}: Windows wrote {os.path.basename(win_out)}"):
        return
    if lin_out.endswith(".zvhd2"):
        li = e.run_linux(["info", lin_out, "--json", "--checksum", "sha256"])
        wi = e.run_linux(["info", win_out, "--json", "--checksum", "sha256"])
        try:
            lj, wj = json.loads(li.stdout), json.loads(wi.stdout)
            same = (lj["checksum"]["sha256"] == wj["checksum"]["sha256"] and
                    lj["image"]["details"].get("stored_blocks") == wj["image"]["details"].get("stored_blocks") and
                    lj["image"]["virtual_size"] == wj["image"]["virtual_size"])
        except (ValueError, KeyError, TypeError):
            same = False
        check(same, f"{name}: the Windows ZVHD2 reads back to the same disk and blocks as the Linux one")
        return False
    check(same_bytes(lin_out, win_out), f"{name}: same bytes (SHA-256) in the output")
    if has_bitmap:
        lm, wm = os.path.splitext(lin_out)[0] + ".mf", os.path.splitext(win_out)[0] + ".mf"
        check(os.path.exists(wm) and open(lm, "rb").read() == open(wm, "rb").read(), f"{name}: same bitmap file")
    lman = os.path.splitext(lin_out)[0] + ".manifest.json"
    wman = os.path.splitext(win_out)[0] + ".manifest.json"
    if check(os.path.exists(wman), f"{name}: Windows wrote the manifest"):
        subs = subs_for([(os.path.dirname(lin_out), "<OUT>"), (os.path.dirname(win_out), "<OUT>")] + e.subs)
        d = filter_known(name, json_diff(normalise(json.load(open(lman)), subs), normalise(json.load(open(wman)), subs)))
        check(not d, f"{name}: same manifest apart from paths and times" + (": " + "; ".join(d[:6]) if d else ""))
    return True


HUGE = 16 << 30  # virtual bytes above which group compare skips the checksum and the conversions


def virtual_size(e, image):
    """The virtual size the Linux build reports (None when it cannot say)."""
    r = e.run_linux(["info", image, "--json"])
    try:
        return int(json.loads(r.stdout)["image"]["virtual_size"])
    except (ValueError, KeyError, TypeError):
        return None


def group_compare(e):
    cases = fixture_cases(e.fixtures)
    if not cases:
        print("SKIP: no fixtures (fixtures images/windows not built)")
        return SKIP
    e.subs = subs_for([(e.fixtures, "<FIXTURES>")])
    # The comparison itself tells a one-byte difference inside a sparse file.
    probe = os.path.join(e.work, "same-bytes")
    os.makedirs(probe, exist_ok=True)
    pa, pb = os.path.join(probe, "a"), os.path.join(probe, "b")
    for p, byte in ((pa, b"\x01"), (pb, b"\x02")):
        with open(p, "wb") as f:
            f.truncate(64 << 20)
            f.seek(40 << 20)
            f.write(byte)
    check(not same_bytes(pa, pb) and same_bytes(pa, pa), "the byte comparison tells sparse files apart")
    ranges = e.probe_files([pa])[pa]
    NO_RANGES[0] = ranges is not None and ranges[3] < 0
    if NO_RANGES[0]:
        print("note: FSCTL_QUERY_ALLOCATED_RANGES is not available here (Wine): holes of RAW inputs are not "
              "seen on the Windows side; " + ", ".join(sorted(RANGE_FIELDS)) + " may differ for them", flush=True)
    lin_dir = os.path.join(e.work, "compare", "linux")
    win_dir = os.path.join(e.work, "compare", "windows")
    for d in (lin_dir, win_dir):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    sparse_checks = []
    for name, image in cases:
        # Disks of hundreds of GiB (win2016-200g, win2016-1536g: a few MiB of data) are compared without the
        # checksum and the conversion: hashing 1.5 TiB of zeros takes longer than the whole suite may, and Wine
        # cannot list the holes of a RAW input (no FSCTL_QUERY_ALLOCATED_RANGES), so its conversion would read
        # them all. The 5 GiB image of group `paths` covers a conversion over 4 GiB.
        vsize = virtual_size(e, image)
        huge = vsize is not None and vsize > HUGE
        info_args = ["info", "--json"] if huge else ["info", "--json", "--checksum", "sha256"]
        if huge:
            print(f"note: {name}: {vsize} bytes virtual: info without --checksum, no conversion", flush=True)
        for label, args in (("info", info_args), ("inspect", ["inspect", "--json"]), ("check", ["check", "--json"])):
            lin = e.run_linux([args[0], image] + args[1:])
            win = e.run_win([args[0], winpath(image)] + args[1:])
            compare_json(f"{name} {label}", lin, win, e.subs)
        for target, targs, ext, bitmap in ([] if huge else TARGETS):
            if target == "zvhd2" and not (name.startswith(ZVHD2_CASES[0]) or name in ZVHD2_CASES[1:]):
                continue
            stem = name.replace("/", "_")
            lo, wo = os.path.join(lin_dir, stem + ext), os.path.join(win_dir, stem + ext)
            lin = e.run_linux(["convert", image] + targs + ["-o", lo, "--no-sync"])
            win = e.run_win(["convert", winpath(image)] + targs + ["-o", winpath(wo), "--no-sync"])
            if compare_outputs(e, f"{name} convert {target}", lo, wo, bitmap, lin, win) and target == "raw":
                sparse_checks.append((name, lo, wo))
            for p in (lo, wo):  # keep the disk use of the run small
                if os.path.exists(p):
                    os.remove(p)
                    open(p, "wb").close()
    return 0 if not FAILURES else 1


# ------------------------------------------------------------------------------------------------------------
# paths, sizes, read-only, missing folder


def make_big_image(work):
    """5 GiB qcow2 with 256 MiB of data at 0 and 256 MiB past 4 GiB (zlib-compressed clusters): over 4 GiB,
    and long enough to convert that it can be interrupted. Cached in the work folder."""
    path = os.path.join(work, "big-5G.qcow2")
    if os.path.exists(path):
        return path
    tmp = path + ".tmp"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", tmp, "5G"], check=True)
    subprocess.run(["qemu-io", "-c", "write -c -P 0x5a 0 256M", "-c", "write -c -P 0xa5 4352M 256M", tmp],
                   check=True, capture_output=True)
    os.rename(tmp, path)
    return path


def small_image(fixtures):
    p = os.path.join(fixtures, "images", "qcow2-v3.qcow2")
    return p if os.path.exists(p) else None


def convert_both(e, name, src, lin_out, win_out, extra=()):
    lin = e.run_linux(["convert", src, "--to", "raw", "--bitmap", "-o", lin_out, "--no-sync", *extra])
    win = e.run_win(["convert", winpath(src), "--to", "raw", "--bitmap", "-o", winpath(win_out), "--no-sync", *extra])
    check(lin.returncode == 0 and win.returncode == 0,
          f"{name}: converted on both (exit Linux {lin.returncode}, Windows {win.returncode}"
          f"{'; ' + win.stderr.decode('utf-8', 'replace').strip() if win.returncode else ''})")
    if lin.returncode == 0 and win.returncode == 0:
        check(same_bytes(lin_out, win_out), f"{name}: same bytes (SHA-256)")
        check(open(os.path.splitext(lin_out)[0] + ".mf", "rb").read() ==
              open(os.path.splitext(win_out)[0] + ".mf", "rb").read(), f"{name}: same bitmap")
    return lin, win


def group_paths(e):
    src0 = small_image(e.fixtures)
    if not src0:
        print("SKIP: fixture images not built")
        return SKIP
    root = os.path.join(e.work, "paths")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)

    # Non-ASCII names: input and output, Chinese and accented.
    for label, stem in (("Chinese", "磁盘映像"), ("accented", "Réplica-été-ñandú")):
        d = os.path.join(root, stem + "-dir")
        os.makedirs(d)
        src = os.path.join(d, stem + ".qcow2")
        shutil.copyfile(src0, src)
        lo, wo = os.path.join(d, stem + "-linux.raw"), os.path.join(d, stem + "-windows.raw")
        convert_both(e, f"{label} names", src, lo, wo)
        lin = e.run_linux(["info", "--json", src])
        win = e.run_win(["info", "--json", winpath(src)])
        compare_json(f"{label} names: info", lin, win, subs_for([(d, "<D>")]))
        win = e.run_win(["info", winpath(src)])
        check(win.returncode == 0 and winpath(src).encode("utf-8") in win.stdout,
              f"{label} names: the name comes back on stdout as UTF-8")

    # Longer than 260 characters (MAX_PATH): input and output.
    d = root
    while len(winpath(d)) < 300:
        d = os.path.join(d, "a-rather-long-folder-name-for-max-path")
    os.makedirs(d)
    src = os.path.join(d, "long-name-image.qcow2")
    shutil.copyfile(src0, src)
    check(len(winpath(src)) > 260, f"long path: {len(winpath(src))} characters")
    convert_both(e, "long path", src, os.path.join(d, "l.raw"), os.path.join(d, "w.raw"))
    win = e.run_win(["check", "--json", winpath(src)])
    check(win.returncode in (0, 1), f"long path: check reads it (exit {win.returncode})")

    # Over 4 GiB: offsets past 2^32 in reads and writes; output sparse.
    big = make_big_image(e.work)
    lo, wo = os.path.join(root, "big-linux.raw"), os.path.join(root, "big-windows.raw")
    lin, win = convert_both(e, "5 GiB image", big, lo, wo)
    if win.returncode == 0:
        p = e.probe_files([wo])[wo]
        check(p is not None and p[0] == 5 << 30, f"5 GiB image: size through Win32 {p and p[0]}")
        check(p is not None and 0 <= p[1] < (1 << 30),
              f"5 GiB image: RAW output sparse through Win32 (AllocationSize {p and p[1]} of {5 << 30})")
        linux_alloc = os.stat(wo).st_blocks * 512
        check(linux_alloc < (1 << 30), f"5 GiB image: {linux_alloc} bytes allocated (st_blocks)")
        for p in (lo, wo):
            os.remove(p)

    # Read-only source: read-only on Linux (mode 0444) and so FILE_ATTRIBUTE_READONLY under Wine.
    src = os.path.join(root, "readonly.qcow2")
    shutil.copyfile(src0, src)
    os.chmod(src, 0o444)
    attrs = e.probe_files([src])[src]
    check(attrs is not None and attrs[4] & 1, "read-only source: FILE_ATTRIBUTE_READONLY set")
    before = sha256(src)
    convert_both(e, "read-only source", src, os.path.join(root, "ro-l.raw"), os.path.join(root, "ro-w.raw"))
    check(sha256(src) == before, "read-only source: unchanged")

    # Output folder that does not exist: exit 2, one line naming the file, nothing created.
    missing = os.path.join(root, "no-such-folder", "out.raw")
    lin = e.run_linux(["convert", src0, "--to", "raw", "-o", missing])
    win = e.run_win(["convert", winpath(src0), "--to", "raw", "-o", winpath(missing)])
    err = win.stderr.decode("utf-8", "replace").strip()
    check(lin.returncode == 2 and win.returncode == 2, f"missing output folder: exit 2 on both ({win.returncode})")
    check(err.startswith("imgprep: ") and len(err.splitlines()) == 1 and "out.raw" in err,
          f"missing output folder: one line naming the file: {err!r}")
    check(not os.path.exists(os.path.dirname(missing)), "missing output folder: nothing created")
    return 0 if not FAILURES else 1


# ------------------------------------------------------------------------------------------------------------
# full disk


def group_fulldisk(e):
    # 32 MiB of data for an 8 MiB file system.
    src0 = os.path.join(e.work, "data-32M.qcow2")
    if not os.path.exists(src0):
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", src0 + ".tmp", "64M"], check=True)
        subprocess.run(["qemu-io", "-c", "write -P 0x5a 0 32M", src0 + ".tmp"], check=True, capture_output=True)
        os.rename(src0 + ".tmp", src0)
    mnt = tempfile.mkdtemp(prefix="imgprep-full.", dir=e.work)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "imgprep-full", mnt], capture_output=True)
    if r.returncode != 0:
        os.rmdir(mnt)
        print(f"SKIP: cannot mount a small tmpfs for the full-disk test: {r.stderr.decode().strip()}")
        return SKIP
    try:
        out = os.path.join(mnt, "full.raw")
        win = e.run_win(["convert", winpath(src0), "--to", "raw", "--bitmap", "-o", winpath(out), "--no-sync"])
        err = win.stderr.decode("utf-8", "replace").strip()
        check(win.returncode == 2, f"full disk: exit 2 ({win.returncode})")
        check(err.startswith("imgprep: ") and len(err.splitlines()) == 1, f"full disk: one-line error: {err!r}")
        check("full" in err.lower() or "space" in err.lower(), "full disk: the error says the disk is full")
        left = os.listdir(mnt)
        check(not left, f"full disk: nothing left behind ({left})")
    finally:
        subprocess.run(["umount", mnt])
        os.rmdir(mnt)
    return 0 if not FAILURES else 1


# ------------------------------------------------------------------------------------------------------------
# cancel


def start_and_wait_for_part(e, src, out):
    p = subprocess.Popen([e.wine, e.exe, "convert", winpath(src), "--to", "raw", "--bitmap", "-o", winpath(out),
                          "--no-sync"], env=e.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline and p.poll() is None and not os.path.exists(out + ".part"):
        time.sleep(0.02)
    return p


def group_cancel(e):
    big = make_big_image(e.work)
    root = os.path.join(e.work, "cancel")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)

    # Ctrl-C: SIGINT to the Wine process; the conversion stops, removes its .part file and exits 2.
    out = os.path.join(root, "ctrl-c.raw")
    p = start_and_wait_for_part(e, big, out)
    running = p.poll() is None and os.path.exists(out + ".part")
    check(running, "Ctrl-C: the conversion is under way (.part exists)")
    p.send_signal(signal.SIGINT)
    try:
        _, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
        fail("Ctrl-C: the program did not stop within 60 s")
    err = err.decode("utf-8", "replace").strip()
    check(p.returncode == 2, f"Ctrl-C: exit 2 ({p.returncode})")
    check("cancel" in err, f"Ctrl-C: says it was cancelled: {err.splitlines()[-1:] if err else ''}")
    left = sorted(os.listdir(root))
    check(not left, f"Ctrl-C: no output left, not even the .part file ({left})")

    # Hard kill (SIGKILL, like TerminateProcess / ending the task): no clean-up possible; what is left must not
    # look complete: no file under the final names, at most the .part file.
    out = os.path.join(root, "killed.raw")
    p = start_and_wait_for_part(e, big, out)
    check(p.poll() is None, "kill: the conversion is under way")
    p.kill()
    p.communicate()
    subprocess.run(["wineserver", "-w"], env=e.env, timeout=60)
    left = sorted(os.listdir(root))
    check(all(f.endswith(".part") for f in left), f"kill: only .part files left ({left})")
    return 0 if not FAILURES else 1


# ------------------------------------------------------------------------------------------------------------
# exit codes and console text


def group_cli(e):
    src0 = small_image(e.fixtures)
    if not src0:
        print("SKIP: fixture images not built")
        return SKIP
    root = os.path.join(e.work, "cli")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    garbage = os.path.join(root, "garbage.bin")
    with open(garbage, "wb") as f:
        f.write(bytes((i * 37 + 11) % 251 for i in range(1000)))
    not_ready = None
    lst = os.path.join(e.fixtures, "windows", "windows.list")
    if os.path.exists(lst):
        for line in open(lst):
            f = line.strip().split("|")
            r = e.run_linux(["check", os.path.join(e.fixtures, "windows", f[1])])
            if r.returncode == 1:
                not_ready = os.path.join(e.fixtures, "windows", f[1])
                break
    cases = [("--version", ["--version"], 0), ("info", ["info", src0], 0), ("no arguments", [], 2),
             ("unknown command", ["frobnicate"], 2), ("unknown option", ["info", src0, "--bogus"], 2),
             ("missing file", ["info", os.path.join(root, "missing.vmdk")], 2),
             ("not an image", ["info", garbage], 2), ("check on a non-image", ["check", garbage], 2),
             ("report --pdf", ["report", src0, "--pdf", os.path.join(root, "r.pdf")], None)]
    if not_ready:
        cases.append(("check: not ready", ["check", not_ready], 1))
    for label, args, want in cases:
        win = e.run_win([winpath(a) if a.startswith("/") else a for a in args])
        if want is None:  # the Windows CLI has no PDF (built without Qt): it says so
            err = win.stderr.decode("utf-8", "replace")
            check(win.returncode == 2 and "not available in this build" in err and
                  not os.path.exists(os.path.join(root, "r.pdf")), f"{label}: exit 2, PDF not available: {err.strip()!r}")
            continue
        lin = e.run_linux(args)
        check(win.returncode == want and lin.returncode == want,
              f"{label}: exit {want} (Linux {lin.returncode}, Windows {win.returncode})")
        if want == 2:
            err = win.stderr.decode("utf-8", "replace").strip()
            check(err.startswith("imgprep: ") and len(err.splitlines()) == 1 or not args,
                  f"{label}: one-line error {err.splitlines()[0] if err else ''!r}")

    # UTF-8 console text: a pseudo-terminal makes Wine give the program a console; the program sets its output
    # code page to UTF-8, and Wine's console writes UTF-8 to the terminal.
    name = os.path.join(root, "中文-é.qcow2")
    shutil.copyfile(src0, name)
    script = shutil.which("script")
    if not script:
        print("skip console text: `script` (util-linux) not installed")
    else:
        cmd = " ".join(shlex.quote(x) for x in [e.wine, e.exe, "info", winpath(name)])
        r = subprocess.run([script, "-qec", cmd, "/dev/null"], env=e.env, capture_output=True, timeout=120,
                           stdin=subprocess.DEVNULL)
        check(r.returncode == 0 and "中文-é.qcow2".encode("utf-8") in r.stdout,
              f"console: UTF-8 name shown on a console (exit {r.returncode}): "
              f"{r.stdout.decode('utf-8', 'replace').splitlines()[:1]}")
    return 0 if not FAILURES else 1


def group_unit(e):
    if not os.path.exists(e.unit):
        fail(f"{e.unit} not built")
        return 1
    r = subprocess.run([e.wine, e.unit], env=e.env, capture_output=True, timeout=600)
    sys.stdout.write(r.stdout.decode("utf-8", "replace"))
    sys.stdout.write(r.stderr.decode("utf-8", "replace"))
    return r.returncode


GROUPS = {"compare": group_compare, "paths": group_paths, "fulldisk": group_fulldisk, "cancel": group_cancel,
          "cli": group_cli, "unit": group_unit}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("group", choices=sorted(GROUPS))
    ap.add_argument("--linux-cli", required=True)
    ap.add_argument("--windows-dir", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--prefix", required=True)
    a = ap.parse_args()
    e = Env(a)
    if not e.wine:
        print("SKIP: wine is not installed (Debian: wine wine64)")
        return SKIP
    if not os.path.exists(e.exe):
        print(f"SKIP: {e.exe} not built (the cross compiler is missing?)")
        return SKIP
    os.makedirs(e.work, exist_ok=True)
    e.subs = []
    start = time.time()
    rc = GROUPS[a.group](e)
    print(f"{a.group}: {len(FAILURES)} failed, {time.time() - start:.1f} s")
    return rc


if __name__ == "__main__":
    sys.exit(main())
