# SPDX-License-Identifier: GPL-2.0
"""The tables of the test bed: bases, modes, platforms.

A new platform is one entry of PLATFORMS; a new base is one line of
testbed/bases (read here) plus its directory under patches/.
"""

import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

QEMU = "qemu-system-aarch64"
EFI_FW = "/usr/share/qemu-efi-aarch64/QEMU_EFI.fd"

# The emulators. "7.2" is the machine's own qemu-system-arm (bookworm).
# "10.0" is bookworm-backports' 1:10.0.2+ds-2+deb13u1~bpo12+1, which
# emulates FEAT_NV2; testbed/deps.sh unpacks it into VMMFW_QEMU_CACHE, and
# it runs with its own modules and data (QEMU_MODULE_DIR, -L), never 7.2's.
QEMU10_DIR = os.path.join(os.environ.get("VMMFW_QEMU_CACHE") or
                          os.path.expanduser("~/.cache/vmmfw-qemu"), "10.0.2")


class Qemu:
    def __init__(self, name, binary, env=None, args=()):
        self.name, self.binary = name, binary
        self.env, self.args = env or {}, list(args)


QEMUS = {
    "7.2": Qemu("7.2", QEMU),
    "10.0": Qemu("10.0", os.path.join(QEMU10_DIR, "usr/bin", QEMU),
                 {"QEMU_MODULE_DIR":
                  os.path.join(QEMU10_DIR, "usr/lib/x86_64-linux-gnu/qemu")},
                 ["-L", os.path.join(QEMU10_DIR, "usr/share/qemu")]),
}


def die(msg):
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(2)


# --- bases -------------------------------------------------------------------
class Base:
    """One line of testbed/bases (its fields are described there)."""
    FIELDS = ("name", "version", "package", "debian", "suite", "arch")

    def __init__(self, fields):
        for k, v in zip(self.FIELDS, fields):
            setattr(self, k, v)


def read_bases(path=os.path.join(TOP, "testbed", "bases")):
    bases = {}
    with open(path) as f:
        for line in f:
            fields = line.split("#", 1)[0].split()
            if fields:
                if len(fields) != len(Base.FIELDS):
                    die(f"{path}: expected {' '.join(Base.FIELDS)}: {line.strip()}")
                bases[fields[0]] = Base(fields)
    return bases


BASES = read_bases()


class Build:
    """What the Makefile built for one base and kernel flavour, under the
    base's directory out/<base>/:

      build/<flavour>/arch/arm64/boot/Image   the kernel
      initramfs.cpio.gz                       busybox, init, selftests
      modules/<flavour>/                      the test modules (*.ko)

    and where this run keeps its files (vm/: initrds, console logs, the
    HEST override compiled for this kernel)."""

    def __init__(self, base, outdir, flavour):
        if base not in BASES:
            die(f"unknown base {base}: one of {' '.join(BASES)} (testbed/bases)")
        self.base, self.dir, self.flavour = base, outdir, flavour
        self.kernel = os.path.join(outdir, "build", flavour, "arch", "arm64",
                                   "boot", "Image")
        self.initramfs = os.path.join(outdir, "initramfs.cpio.gz")
        self.modules = os.path.join(outdir, "modules", flavour)
        self.vmdir = os.path.join(outdir, "vm")
        self.hest_aml = None        # set by hest.prepare_hest()
        for f in (self.kernel, self.initramfs):
            if not os.path.exists(f):
                die(f"{f} does not exist: run make first (BASE={base})")

    def path(self, name):
        os.makedirs(self.vmdir, exist_ok=True)
        return os.path.join(self.vmdir, name)


def parse_base_arg(arg, flavour):
    """--base NAME=DIR"""
    name, sep, outdir = arg.partition("=")
    if not sep or not outdir:
        die(f"--base {arg}: expected NAME=DIR (e.g. 7.3=out/7.3)")
    return Build(name, outdir, flavour)


# --- modes -------------------------------------------------------------------
# A mode is a way to boot the host kernel: its command line, and the line
# the kernel prints when KVM came up in that mode.
MODES = {
    "vhe": ("", "VHE mode initialized successfully"),
    "nvhe": ("kvm-arm.mode=nvhe", "Hyp nVHE mode initialized successfully"),
    # VHE with guest hypervisors (FEAT_NV2): KVM_CAP_ARM_EL2, vCPUs that
    # start at EL2 (KVM_ARM_VCPU_HAS_EL2)
    "nested": ("kvm-arm.mode=nested", "VHE+NV2 mode initialized successfully"),
}

# --- platforms ---------------------------------------------------------------
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
# nv: -cpu max under QEMU 10.0, whose max CPU has FEAT_NV and FEAT_NV2
#   (QEMU 7.2's has neither), KVM booted with kvm-arm.mode=nested. Mainline
#   only: 6.12's KVM has no guest hypervisor support.
GHES_DYNDBG = 'dyndbg="file ghes.c +p"'
BOOTS = {
    "dt": "",                                   # -kernel, QEMU's device tree
    "acpi": "acpi=force " + GHES_DYNDBG,        # UEFI, ACPI tables
}
VIRT = "virt,virtualization=on,gic-version=3"
CPU_MAX = "max,pauth-impdef=on"


class Platform:
    def __init__(self, machine, cpu, firmware, boot, modes, hest=False,
                 ghes=None, qemu="7.2", bases=None):
        assert boot in BOOTS and all(m in MODES for m in modes)
        assert qemu in QEMUS
        self.machine, self.cpu, self.firmware = machine, cpu, firmware
        self.boot, self.modes, self.hest = boot, modes, hest
        self.ghes = ghes or {}
        self.qemu = QEMUS[qemu]
        self.bases = bases          # None: every base

    def has_base(self, base):
        return self.bases is None or base in self.bases


PLATFORMS = {
    "dt": Platform(VIRT, CPU_MAX, None, "dt", ("vhe", "nvhe")),
    "acpi": Platform(VIRT + ",ras=on", CPU_MAX, EFI_FW, "acpi",
                     ("vhe", "nvhe"), ghes={"SEA": True, "SEI": False}),
    "acpi-ras": Platform(VIRT + ",ras=on", CPU_MAX, EFI_FW, "acpi",
                         ("vhe", "nvhe"), hest=True,
                         ghes={"SEA": True, "SEI": True}),
    "a72": Platform(VIRT, "cortex-a72", None, "dt", ("nvhe",)),
    "nv": Platform(VIRT, CPU_MAX, None, "dt", ("nested",), qemu="10.0",
                   bases=("7.3",)),
}
# The platform whose boot shows where QEMU's firmware put the
# hardware-errors page (hest.py).
HEST_PROBE_PLATFORM = "acpi"
NOTIFY_TYPES = {"SEA": 8, "SEI": 9}

# --- the kernel log ----------------------------------------------------------
# Kernel log lines that fail the run even when every test passed: WARN and
# BUG splats (lockdep's and KASAN's reports start with them too), oopses,
# panics, UBSAN reports, the rest of lockdep's reports, hung tasks.
BAD_KERNEL_LOG = re.compile(
    r"WARNING:|BUG:|Oops|Internal error:|Unable to handle kernel|"
    r"Kernel panic|UBSAN:|INFO: possible .* detected|"
    r"INFO: trying to register non-static key|lockdep is turned off|"
    r"INFO: task .* blocked for more than|rcu: INFO: .* detected stalls")

BOOT_TIMEOUT = 180
GRACE = 30          # host-side slack on top of a test's own timeout
KSFT_SKIP = 4
