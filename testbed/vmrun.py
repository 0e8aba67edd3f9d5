#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot the patched kernel under nested QEMU and run tests or a command in it.

  vmrun.py check --kernel Image --initramfs base.cpio.gz --suite testbed/suite
                 [--modes "vhe nvhe"] [--tests "a b"] [--tap out/check.tap]
                 [--modules DIR] [--hest-template hest.dsl]
  vmrun.py run   --kernel Image --initramfs base.cpio.gz [--mode vhe|nvhe]
                 [--platform dt|acpi|acpi-ras|a72] [--cmd '...'] [--extra DIR]
                 [--modules DIR] [--hest-template hest.dsl]

The guest side is testbed/init; it prints the @@ markers parsed here. A job
(the tests to run, or the command, and the test modules) travels in a
second cpio archive that is appended to the base initramfs, which the
kernel unpacks on top of it. The acpi-ras platform puts the HEST override
in an uncompressed cpio in front of both, where the kernel's ACPI table
upgrade looks for it; the override is compiled for each run from a
template, once a first boot has shown where the firmware put QEMU's
hardware-errors page.
"""

import argparse
import gzip
import io
import os
import re
import select
import shutil
import subprocess
import sys
import time

QEMU = "qemu-system-aarch64"
EFI_FW = "/usr/share/qemu-efi-aarch64/QEMU_EFI.fd"

# A mode is a way to boot the host kernel: its command line, and the line
# the kernel prints when KVM came up in that mode.
MODES = {
    "vhe": ("", "VHE mode initialized successfully"),
    "nvhe": ("kvm-arm.mode=nvhe", "Hyp nVHE mode initialized successfully"),
}

# A platform is the machine the host kernel boots on, one entry of this
# table: QEMU's machine and CPU, the firmware QEMU loads (None: QEMU loads
# the kernel itself), the kind of boot (its kernel command line), the KVM
# modes it runs in, whether the initrd carries the HEST override, and the
# GHES error sources the kernel must register on it (HEST notification
# type -> must it be there?). A new platform is a new entry.
#
# dt: the default, -cpu max (VHE, RAS, AArch32 at EL0 and EL1).
# acpi, acpi-ras: UEFI and ACPI with QEMU's RAS support, whose HEST has one
#   GHESv2 source notified by SEA; acpi-ras replaces that HEST with
#   testbed/acpi/hest-sei.dsl, which adds an SEI source.
# a72: a Cortex-A72, which has AArch32 at EL1 and EL0, but neither VHE
#   (so nVHE only) nor the RAS extension.
GHES_DYNDBG = 'dyndbg="file ghes.c +p"'
BOOTS = {
    "dt": "",                                   # -kernel, QEMU's device tree
    "acpi": "acpi=force " + GHES_DYNDBG,        # UEFI, ACPI tables
}
VIRT = "virt,virtualization=on,gic-version=3"
CPU_MAX = "max,pauth-impdef=on"


class Platform:
    def __init__(self, machine, cpu, firmware, boot, modes, hest=False,
                 ghes=None):
        assert boot in BOOTS and all(m in MODES for m in modes)
        self.machine, self.cpu, self.firmware = machine, cpu, firmware
        self.boot, self.modes, self.hest = boot, modes, hest
        self.ghes = ghes or {}


PLATFORMS = {
    "dt": Platform(VIRT, CPU_MAX, None, "dt", ("vhe", "nvhe")),
    "acpi": Platform(VIRT + ",ras=on", CPU_MAX, EFI_FW, "acpi",
                     ("vhe", "nvhe"), ghes={"SEA": True, "SEI": False}),
    "acpi-ras": Platform(VIRT + ",ras=on", CPU_MAX, EFI_FW, "acpi",
                         ("vhe", "nvhe"), hest=True,
                         ghes={"SEA": True, "SEI": True}),
    "a72": Platform(VIRT, "cortex-a72", None, "dt", ("nvhe",)),
}
NOTIFY_TYPES = {"SEA": 8, "SEI": 9}

# Kernel log lines that fail the run even when every test passed: WARN and
# BUG splats (lockdep's and KASAN's reports start with them too), oopses,
# panics, UBSAN reports, the rest of lockdep's reports, hung tasks.
BAD_KERNEL_LOG = re.compile(
    r"WARNING:|BUG:|Oops|Internal error:|Unable to handle kernel|"
    r"Kernel panic|UBSAN:|INFO: possible .* detected|"
    r"INFO: trying to register non-static key|lockdep is turned off|"
    r"INFO: task .* blocked for more than")

BOOT_TIMEOUT = 180
GRACE = 30          # host-side slack on top of a test's own timeout
KSFT_SKIP = 4


def die(msg):
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(2)


def check_qemu():
    if not shutil.which(QEMU):
        die(f"{QEMU} not found: install qemu-system-arm (make deps)")
    out = subprocess.run([QEMU, "-machine", "virt,help"], capture_output=True,
                         text=True).stdout
    if "virtualization=" not in out:
        die(f"{QEMU} has no virt 'virtualization=on' (nested EL2): "
            "install Debian's qemu-system-arm 7.2 or newer")


def newc_entry(name, data=b"", mode=0o100644):
    """One 'newc' cpio header + name + data, each padded to 4 bytes."""
    hdr = "070701" + "".join(f"{v:08x}" for v in (
        0, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0))
    blob = hdr.encode() + name.encode() + b"\0"
    blob += b"\0" * (-len(blob) % 4)
    blob += data + b"\0" * (-len(data) % 4)
    return blob


def job_cpio(files, extra=None):
    """gzip'ed cpio with the job files (name -> bytes) and an EXTRA dir."""
    entries = [newc_entry("job", mode=0o40755)]
    dirs = sorted({os.path.dirname(n) for n in files} - {""})
    for d in dirs:
        entries.append(newc_entry(f"job/{d}", mode=0o40755))
    for name, data in files.items():
        entries.append(newc_entry(f"job/{name}", data))
    if extra:
        entries.append(newc_entry("job/extra", mode=0o40755))
        for root, dirs, names in os.walk(extra):
            rel = os.path.relpath(root, extra)
            for d in sorted(dirs):
                entries.append(newc_entry(
                    os.path.normpath(f"job/extra/{rel}/{d}"), mode=0o40755))
            for n in sorted(names):
                path = os.path.join(root, n)
                with open(path, "rb") as f:
                    data = f.read()
                mode = 0o100755 if os.access(path, os.X_OK) else 0o100644
                entries.append(newc_entry(
                    os.path.normpath(f"job/extra/{rel}/{n}"), data, mode))
    entries.append(newc_entry("TRAILER!!!"))
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=1) as gz:
        gz.write(b"".join(entries))
    return buf.getvalue()


# The acpi platform's first GHESv2 source is QEMU's, notified by SEA: its
# Error Status Address register, in QEMU's hardware-errors page, is the
# GAS address at offset 64 of the HEST (36-byte header, source count, then
# 20 bytes of the source before the GAS address field at offset 4).
HEST_PROBE_CMD = b"od -A n -t x8 -j 64 -N 8 /sys/firmware/acpi/tables/HEST\n"


def hest_base(args, scale=1):
    """Boot the acpi platform once; return where QEMU's firmware put the
    hardware-errors page (its SEA Error Status Address register), or None."""
    tag = f"{getattr(args, 'tag', 'run')}-hest-probe"
    initrd = make_initrd(args, tag, "acpi", {"cmd": HEST_PROBE_CMD})
    con = Console(qemu_cmd(args, "acpi", "vhe", initrd),
                  os.path.join(args.out, "vm", f"{tag}.log"))
    started, base = False, None
    while True:
        line = con.readline(BOOT_TIMEOUT * scale)
        if not line or line.startswith("@@DONE"):
            break
        if line.startswith("@@BOOTED"):
            started = True
        m = re.fullmatch(r"\s*([0-9a-f]{16})\s*", line)
        if started and m:
            base = int(m.group(1), 16)
    con.close()
    return base if base and base % 4096 == 0 else None


def build_hest(args, base):
    """Compile the HEST template with its @B+offset@ addresses filled in."""
    with open(args.hest_template) as f:
        dsl = re.sub(r"@B\+(0x[0-9a-fA-F]+)@",
                     lambda m: f"{base + int(m.group(1), 16):016X}", f.read())
    stem = os.path.join(args.out, "vm", "hest-sei")
    with open(stem + ".dsl", "w") as f:
        f.write(dsl)
    out = subprocess.run(["iasl", "-p", stem, stem + ".dsl"],
                         capture_output=True, text=True)
    if out.returncode:
        die(f"iasl failed on {stem}.dsl:\n{out.stdout}{out.stderr}")
    return stem + ".aml"


def prepare_hest(args, platforms, scale=1):
    """Set args.hest_aml for the platforms that load the HEST override."""
    args.hest_aml = None
    if any(PLATFORMS[p].hest for p in platforms):
        base = hest_base(args, scale)
        if base:
            args.hest_aml = build_hest(args, base)


def hest_cpio(aml):
    """Uncompressed cpio with the HEST override for the ACPI table upgrade."""
    with open(aml, "rb") as f:
        data = f.read()
    return b"".join([newc_entry("kernel", mode=0o40755),
                     newc_entry("kernel/firmware", mode=0o40755),
                     newc_entry("kernel/firmware/acpi", mode=0o40755),
                     newc_entry("kernel/firmware/acpi/hest.aml", data),
                     newc_entry("TRAILER!!!")])


def module_files(moddir):
    """The test modules (*.ko) under @moddir, as job files."""
    files = {}
    for root, _, names in os.walk(moddir or ""):
        for n in sorted(names):
            if n.endswith(".ko"):
                with open(os.path.join(root, n), "rb") as f:
                    files[f"modules/{n}"] = f.read()
    return files


def make_initrd(args, tag, platform, files, extra=None):
    os.makedirs(os.path.join(args.out, "vm"), exist_ok=True)
    path = os.path.join(args.out, "vm", f"{tag}.cpio.gz")
    if PLATFORMS[platform].ghes:
        mods = module_files(args.modules)
        if not mods:
            die(f"no test module (*.ko) in {args.modules}: make modules")
        files = dict(files, **mods)
    with open(path, "wb") as out, open(args.initramfs, "rb") as base:
        if PLATFORMS[platform].hest:
            out.write(hest_cpio(args.hest_aml))
        shutil.copyfileobj(base, out)
        out.write(job_cpio(files, extra))
    return path


def qemu_cmd(args, platform, mode, initrd):
    plat = PLATFORMS[platform]
    append = " ".join(["console=ttyAMA0 panic=-1 loglevel=4", BOOTS[plat.boot],
                       MODES[mode][0]])
    bios = ["-bios", plat.firmware] if plat.firmware else []
    return [QEMU, "-machine", plat.machine, *bios,
            "-cpu", plat.cpu, "-smp", "2", "-m", "2048",
            "-nographic", "-no-reboot", "-nic", "none", "-kernel", args.kernel,
            "-initrd", initrd, "-append", " ".join(append.split())]


def ghes_problems(platform, klog):
    """What the kernel log says against the platform's GHES sources."""
    problems = []
    for name, wanted in PLATFORMS[platform].ghes.items():
        pat = re.compile(r"GHES\.\d+: error source \d+ registered, "
                         rf"notification type {NOTIFY_TYPES[name]}$")
        found = any(pat.search(l.rstrip()) for l in klog)
        if found != wanted:
            problems.append(f"GHES {'did not register' if wanted else 'registered'}"
                            f" a {name} error source")
    return problems


class Console:
    """Line reader on QEMU's console with a deadline per read."""

    def __init__(self, cmd, logpath):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.log = open(logpath, "w", errors="replace")
        self.buf = b""

    def readline(self, timeout):
        """A line, or None on timeout, or '' when QEMU is gone."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                if self.buf:
                    break
                return ""
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        text = line.decode("utf-8", "replace").rstrip("\r") + "\n"
        self.log.write(text)
        self.log.flush()
        return text

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()
        return self.proc.returncode


def read_suite(path):
    """The suite file: '[platform]' sections (dt first) of 'name timeout
    command...' lines, '#' comments. Returns (platform, name, tmo, cmd)."""
    suite, platform = [], "dt"
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("["):
                platform = line.strip("[]")
                if platform not in PLATFORMS:
                    die(f"{path}:{n}: unknown platform {platform}")
                continue
            parts = line.split(None, 2)
            if len(parts) < 3 or not parts[1].isdigit():
                die(f"{path}:{n}: expected 'name timeout command'")
            suite.append((platform, parts[0], int(parts[1]), parts[2]))
    return suite


class Tap:
    def __init__(self, path, total):
        self.n = 0
        self.counts = {"passed": 0, "failed": 0, "skipped": 0}
        self.file = open(path, "w") if path else None
        self.emit("TAP version 13")
        self.emit(f"1..{total}")

    def emit(self, line):
        print(line, flush=True)
        if self.file:
            self.file.write(line + "\n")
            self.file.flush()

    def result(self, name, verdict, detail=(), reason=""):
        self.n += 1
        if verdict == "skip":
            self.counts["skipped"] += 1
            self.emit(f"ok {self.n} {name} # SKIP {reason}".rstrip())
        elif verdict == "pass":
            self.counts["passed"] += 1
            self.emit(f"ok {self.n} {name}")
        else:
            self.counts["failed"] += 1
            self.emit(f"not ok {self.n} {name}" + (f" # {reason}" if reason else ""))
        for line in detail:
            self.emit("#   " + line.rstrip("\n"))

    def close(self):
        c = self.counts
        self.emit(f"{c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped")
        if self.file:
            self.file.close()


def excerpt(lines, pattern=None, ctx=3, limit=40):
    """The lines around each pattern match, or the tail."""
    if pattern is None:
        return lines[-limit:]
    keep = set()
    for i, line in enumerate(lines):
        if pattern.search(line):
            keep.update(range(max(0, i - ctx), min(len(lines), i + ctx * 4)))
    return [lines[i] for i in sorted(keep)][:limit]


def run_mode(args, platform, mode, tests, tap, scale):
    """Boot once on @platform in @mode and run @tests; one TAP line each
    (plus boot). TAP names are mode:test, platform/mode:test off dt."""
    jobs = "".join(f"{name} {tmo * scale} {cmd}\n" for name, tmo, cmd in tests)
    boot = mode if platform == "dt" else f"{platform}/{mode}"
    pending = list(tests)
    seen = []

    def fail_rest(reason, detail):
        first = True
        for name, _, _ in pending:
            tap.result(f"{boot}:{name}", "fail", detail if first else (), reason)
            first = False

    if PLATFORMS[platform].hest and not args.hest_aml:
        why = "no HEST override: the acpi probe boot did not show QEMU's HEST"
        tap.result(f"{boot}:boot", "fail", (), why)
        fail_rest("not run: " + why, ())
        return
    tag = f"{args.tag}-{boot.replace('/', '-')}"
    initrd = make_initrd(args, tag, platform, {"tests": jobs.encode()})
    con = Console(qemu_cmd(args, platform, mode, initrd),
                  os.path.join(args.out, "vm", f"{tag}.log"))

    # Boot: KVM must come up in the requested mode, with a clean log, the
    # platform's GHES sources and the test modules loaded.
    booted = modfail = None
    modules = len(module_files(args.modules)) if PLATFORMS[platform].ghes else 0
    loaded = 0
    while booted is None:
        line = con.readline(BOOT_TIMEOUT * scale)
        if not line:
            con.close()
            why = "QEMU died during boot" if line == "" else "boot timed out"
            tap.result(f"{boot}:boot", "fail", excerpt(seen), why)
            fail_rest("not run: " + why, ())
            return
        seen.append(line)
        if line.startswith("@@BOOTED"):
            booted = line
        elif line.startswith("@@INSMOD "):
            if line.rstrip().endswith(" rc=0"):
                loaded += 1
            else:
                modfail = line
    klog = []
    while True:
        line = con.readline(BOOT_TIMEOUT * scale)
        if line and line.startswith("@@K "):
            klog.append(line[4:])
            continue
        break
    bad = [l for l in klog if BAD_KERNEL_LOG.search(l)]
    ghes = ghes_problems(platform, klog)
    if bad:
        tap.result(f"{boot}:boot", "fail", excerpt(klog, BAD_KERNEL_LOG),
                   "kernel log: " + bad[0].strip())
    elif not any(MODES[mode][1] in l for l in klog):
        tap.result(f"{boot}:boot", "fail", excerpt(klog),
                   f"KVM did not report '{MODES[mode][1]}'")
    elif ghes:
        tap.result(f"{boot}:boot", "fail",
                   excerpt(klog, re.compile("GHES|HEST|APEI")), ghes[0])
    elif modfail or loaded != modules:
        tap.result(f"{boot}:boot", "fail", excerpt(seen),
                   modfail.strip() if modfail else
                   f"{loaded} of {modules} test modules loaded")
    else:
        tap.result(f"{boot}:boot", "pass")

    while pending:
        name, tmo, _ = pending[0]
        if line is None or line == "":
            fail_rest("QEMU died" if line == "" else "guest hung", excerpt(seen))
            break
        if not line.startswith("@@BEGIN "):
            seen.append(line)
            line = con.readline(tmo * scale + GRACE)
            continue
        out, klog, rc, secs = [], [], None, 0
        while True:
            line = con.readline(tmo * scale + GRACE)
            if not line:
                break
            if line.startswith(f"@@END {name} "):
                m = re.search(r"rc=(\d+) secs=(\d+)", line)
                rc, secs = int(m.group(1)), int(m.group(2))
                break
            out.append(line)
        if rc is None:
            why = "QEMU died" if line == "" else \
                f"guest stopped answering (timeout {tmo * scale}s + {GRACE}s)"
            tap.result(f"{boot}:{name}", "fail", excerpt(out), why)
            pending.pop(0)
            fail_rest("not run: " + why, ())
            con.close()
            return
        line = con.readline(GRACE)
        while line and line.startswith("@@K "):
            klog.append(line[4:])
            line = con.readline(GRACE)
        pending.pop(0)
        bad = [l for l in klog if BAD_KERNEL_LOG.search(l)]
        if bad:
            tap.result(f"{boot}:{name}", "fail", excerpt(out, None, limit=15) +
                       ["--- kernel log ---"] + excerpt(klog, BAD_KERNEL_LOG),
                       "kernel log: " + bad[0].strip())
        elif rc == 0:
            tap.result(f"{boot}:{name}", "pass")
        elif rc == KSFT_SKIP:
            why = next((l.strip() for l in out if "SKIP" in l), "skipped")
            tap.result(f"{boot}:{name}", "skip", reason=why)
        elif rc == 137 and secs >= tmo * scale:
            tap.result(f"{boot}:{name}", "fail", excerpt(out),
                       f"timed out after {tmo * scale}s")
        else:
            tap.result(f"{boot}:{name}", "fail", excerpt(out), f"exit status {rc}")
    con.close()


def check_platform_inputs(args, platforms):
    for p in platforms:
        if PLATFORMS[p].ghes and not args.modules:
            die(f"platform {p} needs --modules (make modules)")
        if PLATFORMS[p].hest and not args.hest_template:
            die(f"platform {p} needs --hest-template")


def cmd_check(args):
    check_qemu()
    suite = read_suite(args.suite)
    wanted = args.tests.split()
    if wanted:
        # A name may be in several sections: it runs on each platform.
        unknown = [t for t in wanted if t not in {t[1] for t in suite}]
        if unknown:
            die(f"unknown test(s) {' '.join(unknown)}: see {args.suite}")
        suite = [t for t in suite if t[1] in wanted]
    platforms = [p for p in PLATFORMS if any(t[0] == p for t in suite)]
    check_platform_inputs(args, platforms)
    prepare_hest(args, platforms, args.timeout_scale)
    # Each platform boots in the requested modes it has.
    modes = {p: [m for m in args.modes.split() if m in PLATFORMS[p].modes]
             for p in platforms}
    tap = Tap(args.tap, sum(len(modes[p]) * (1 + sum(t[0] == p for t in suite))
                            for p in platforms))
    for platform in platforms:
        tests = [t[1:] for t in suite if t[0] == platform]
        for mode in modes[platform]:
            run_mode(args, platform, mode, tests, tap, args.timeout_scale)
    tap.close()
    return 1 if tap.counts["failed"] else 0


def cmd_run(args):
    check_qemu()
    modes = PLATFORMS[args.platform].modes
    args.mode = args.mode or modes[0]
    if args.mode not in modes:
        die(f"platform {args.platform} boots KVM in {' or '.join(modes)} mode only")
    check_platform_inputs(args, [args.platform])
    prepare_hest(args, [args.platform])
    if PLATFORMS[args.platform].hest and not args.hest_aml:
        die("the acpi probe boot did not show QEMU's HEST; see out/vm/run-hest-probe.log")
    if args.extra and not os.path.isdir(args.extra):
        die(f"EXTRA={args.extra} is not a directory")
    files = {}
    if args.cmd is not None:
        files["cmd"] = args.cmd.encode() + b"\n"
    initrd = make_initrd(args, f"run-{args.platform}-{args.mode}",
                         args.platform, files, args.extra)
    cmd = qemu_cmd(args, args.platform, args.mode, initrd)
    if args.cmd is None:
        return subprocess.call(cmd)
    con = Console(cmd, os.path.join(args.out, "vm",
                                     f"run-{args.platform}-{args.mode}.log"))
    rc, started, tail = None, False, []
    while True:
        line = con.readline(args.timeout)
        if not line:
            break
        tail = (tail + [line])[-40:]
        if line.startswith("@@BOOTED"):
            started = True
        elif line.startswith("@@EXIT "):
            rc = int(line.split()[1])
        elif line.startswith("@@DONE"):
            break
        elif started and rc is None and not line.startswith("@@"):
            sys.stdout.write(line)
            sys.stdout.flush()
    qrc = con.close()
    if rc is None:
        sys.stdout.writelines(tail)
        print(f"error: the VM ended without finishing the command "
              f"({'timed out' if line is None else f'QEMU exit {qrc}'}); "
              f"full log in {con.log.name}", file=sys.stderr)
        return 125
    return rc


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="what", required=True)
    for name in ("check", "run"):
        s = sub.add_parser(name)
        s.add_argument("--out", default="out")
        s.add_argument("--kernel", required=True)
        s.add_argument("--initramfs", required=True)
        s.add_argument("--modules",
                       help="directory whose *.ko the acpi platforms load")
        s.add_argument("--hest-template",
                       help="HEST override template (.dsl) for acpi-ras")
    c = sub.choices["check"]
    c.add_argument("--suite", required=True)
    c.add_argument("--modes", default="vhe nvhe")
    c.add_argument("--tests", default="")
    c.add_argument("--tap")
    c.add_argument("--timeout-scale", type=int, default=1)
    c.add_argument("--tag", default="check",
                   help="name of the run, for its files in OUT/vm")
    r = sub.choices["run"]
    r.add_argument("--mode", choices=sorted(MODES),
                   help="default: the platform's first mode")
    r.add_argument("--platform", default="dt", choices=list(PLATFORMS))
    r.add_argument("--cmd")
    r.add_argument("--extra")
    r.add_argument("--timeout", type=int, default=1800,
                   help="seconds without console output before giving up")
    args = p.parse_args()
    for mode in getattr(args, "modes", "").split():
        if mode not in MODES:
            die(f"unknown mode {mode}: one of {' '.join(MODES)}")
    for f in (args.kernel, args.initramfs, args.modules, args.hest_template):
        if f and not os.path.exists(f):
            die(f"{f} does not exist: run make first")
    return cmd_check(args) if args.what == "check" else cmd_run(args)


if __name__ == "__main__":
    sys.exit(main())
