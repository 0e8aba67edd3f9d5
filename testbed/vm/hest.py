# SPDX-License-Identifier: GPL-2.0
"""The RAS test bed's HEST: the probe boot, the override, the GHES checks.

The acpi-ras platform replaces QEMU's HEST with testbed/acpi/hest-sei.dsl.
Its addresses are in QEMU's hardware-errors page, which the UEFI firmware
places after what it allocated before, the kernel image among them: so
the override is compiled for each kernel (base and flavour), once a first
boot of that kernel on the acpi platform has shown where the page is.
"""

import os
import re
import subprocess

from .job import make_initrd
from .platforms import (BOOT_TIMEOUT, HEST_PROBE_PLATFORM, NOTIFY_TYPES,
                        PLATFORMS, die)
from .qemu import Console, qemu_cmd

# The acpi platform's first GHESv2 source is QEMU's, notified by SEA: its
# Error Status Address register, in QEMU's hardware-errors page, is the
# GAS address at offset 64 of the HEST (36-byte header, source count, then
# 20 bytes of the source before the GAS address field at offset 4).
HEST_PROBE_CMD = b"od -A n -t x8 -j 64 -N 8 /sys/firmware/acpi/tables/HEST\n"


def hest_base(build, tag, scale=1):
    """Boot @build's kernel on the acpi platform once; return where QEMU's
    firmware put the hardware-errors page (its SEA Error Status Address
    register), or None."""
    tag = f"{tag}-hest-probe"
    initrd = make_initrd(build, tag, HEST_PROBE_PLATFORM,
                         {"cmd": HEST_PROBE_CMD})
    con = Console(qemu_cmd(build, HEST_PROBE_PLATFORM, "vhe", initrd),
                  build.path(f"{tag}.log"))
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


def build_hest(build, template, base):
    """Compile the HEST template with its @B+offset@ addresses filled in."""
    with open(template) as f:
        dsl = re.sub(r"@B\+(0x[0-9a-fA-F]+)@",
                     lambda m: f"{base + int(m.group(1), 16):016X}", f.read())
    stem = build.path(f"hest-sei-{build.flavour}")
    with open(stem + ".dsl", "w") as f:
        f.write(dsl)
    out = subprocess.run(["iasl", "-p", stem, stem + ".dsl"],
                         capture_output=True, text=True)
    if out.returncode:
        die(f"iasl failed on {stem}.dsl:\n{out.stdout}{out.stderr}")
    return stem + ".aml"


def prepare_hest(build, platforms, template, tag, scale=1):
    """Set build.hest_aml when one of @platforms loads the HEST override
    (None when the probe boot did not show QEMU's HEST)."""
    build.hest_aml = None
    if any(PLATFORMS[p].hest for p in platforms):
        base = hest_base(build, tag, scale)
        if base:
            build.hest_aml = build_hest(build, template, base)


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
