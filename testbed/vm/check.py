# SPDX-License-Identifier: GPL-2.0
"""'vmrun.py check': boot each base's kernel on each platform of its suite,
in each mode the platform has, run that platform's tests, one TAP stream.

TAP names are <base>/<platform>/<mode>:<test>, and <...>:boot for the boot
itself. A boot fails unless KVM came up in the requested mode with a clean
kernel log, the platform's GHES sources and the test modules loaded; a
test fails on its exit status, its timeout, a dead QEMU, or a bad line
(platforms.BAD_KERNEL_LOG) in the kernel log while it ran.
"""

import re

from .hest import ghes_problems, prepare_hest
from .job import make_initrd, module_files
from .platforms import (BAD_KERNEL_LOG, BOOT_TIMEOUT, GRACE, KSFT_SKIP, MODES,
                        PLATFORMS, die, parse_base_arg)
from .qemu import Console, check_qemu, qemu_cmd
from .suite import read_suite, suite_files
from .tap import Tap, excerpt


def run_mode(build, platform, mode, tests, tap, scale, tag):
    """Boot @build's kernel once on @platform in @mode and run @tests; one
    TAP line each, plus the boot."""
    jobs = "".join(f"{name} {tmo * scale} {cmd}\n" for name, tmo, cmd in tests)
    boot = f"{build.base}/{platform}/{mode}"
    pending = list(tests)
    seen = []

    def fail_rest(reason, detail):
        first = True
        for name, _, _ in pending:
            tap.result(f"{boot}:{name}", "fail", detail if first else (), reason)
            first = False

    if PLATFORMS[platform].hest and not build.hest_aml:
        why = "no HEST override: the acpi probe boot did not show QEMU's HEST"
        tap.result(f"{boot}:boot", "fail", (), why)
        fail_rest("not run: " + why, ())
        return
    tag = f"{tag}-{platform}-{mode}"
    initrd = make_initrd(build, tag, platform, {"tests": jobs.encode()})
    con = Console(qemu_cmd(build, platform, mode, initrd), build.path(f"{tag}.log"))

    # Boot: KVM must come up in the requested mode, with a clean log, the
    # platform's GHES sources and the test modules loaded.
    booted = modfail = None
    modules = len(module_files(build.modules)) if PLATFORMS[platform].ghes else 0
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


def check_platform_inputs(build, platforms, hest_template):
    for p in platforms:
        if PLATFORMS[p].ghes and not module_files(build.modules):
            die(f"platform {p} needs the test module in {build.modules}: "
                f"make modules BASE={build.base}")
        if PLATFORMS[p].hest and not hest_template:
            die(f"platform {p} needs --hest-template")


def plan(build, suite_dir, wanted, modes):
    """[(platform, mode, tests)] of @build, in the order of PLATFORMS."""
    suite = read_suite(suite_dir, build.base)
    if wanted:
        # A name may be in several sections: it runs on each platform.
        suite = [t for t in suite if t[1] in wanted]
    boots = []
    for p in PLATFORMS:
        if not PLATFORMS[p].has_base(build.base):
            continue
        tests = [t[1:] for t in suite if t[0] == p]
        if tests:
            boots += [(p, m, tests) for m in modes if m in PLATFORMS[p].modes]
    return boots


def cmd_check(args):
    builds = [parse_base_arg(b, args.flavour) for b in args.base]
    wanted = args.tests.split()
    if wanted:
        known = {t[1] for b in builds for t in read_suite(args.suite_dir, b.base)}
        unknown = [t for t in wanted if t not in known]
        if unknown:
            files = " ".join(f for b in builds for f in suite_files(args.suite_dir, b.base))
            die(f"unknown test(s) {' '.join(unknown)}: see {files}")
    modes = args.modes.split()
    plans = [(b, plan(b, args.suite_dir, wanted, modes)) for b in builds]
    check_qemu({p for _, boots in plans for p, _, _ in boots})
    for build, boots in plans:
        platforms = {p for p, _, _ in boots}
        check_platform_inputs(build, platforms, args.hest_template)
        prepare_hest(build, platforms, args.hest_template, args.tag,
                     args.timeout_scale)
    tap = Tap(args.tap, sum(1 + len(tests) for _, boots in plans
                            for _, _, tests in boots))
    for build, boots in plans:
        for platform, mode, tests in boots:
            run_mode(build, platform, mode, tests, tap, args.timeout_scale,
                     args.tag)
    tap.close()
    return 1 if tap.counts["failed"] else 0
