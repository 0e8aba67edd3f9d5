# SPDX-License-Identifier: GPL-2.0
"""QEMU: its command line for a platform and mode, and its console."""

import os
import select
import shutil
import subprocess
import time

from .platforms import BOOTS, MODES, PLATFORMS, QEMUS, die


def check_qemu(platforms=None):
    """Check the emulators of @platforms (default: the machine's QEMU)."""
    qemus = {PLATFORMS[p].qemu.name: PLATFORMS[p].qemu for p in platforms or ()}
    if not qemus:
        qemus = {"7.2": QEMUS["7.2"]}
    for q in qemus.values():
        if not shutil.which(q.binary):
            die(f"{q.binary} not found: QEMU {q.name} comes with make deps "
                "(testbed/deps.sh)")
        out = subprocess.run([*qemu_exec(q), "-machine", "virt,help"],
                             capture_output=True, text=True).stdout
        if "virtualization=" not in out:
            die(f"{q.binary} has no virt 'virtualization=on' (nested EL2): "
                "install Debian's qemu-system-arm 7.2 or newer")


def qemu_exec(q):
    """The start of @q's command line: its environment (through env(1),
    which execs, so the PID stays QEMU's), its binary, its own options."""
    env = ["env", *(f"{k}={v}" for k, v in q.env.items())] if q.env else []
    return [*env, q.binary, *q.args]


def qemu_cmd(build, platform, mode, initrd):
    plat = PLATFORMS[platform]
    append = " ".join(["console=ttyAMA0 panic=-1 loglevel=4", BOOTS[plat.boot],
                       MODES[mode][0]])
    bios = ["-bios", plat.firmware] if plat.firmware else []
    return [*qemu_exec(plat.qemu), "-machine", plat.machine, *bios,
            "-cpu", plat.cpu, "-smp", "2", "-m", "2048",
            "-nographic", "-no-reboot", "-nic", "none", "-kernel", build.kernel,
            "-initrd", initrd, "-append", " ".join(append.split())]


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
        # UEFI's console codes (no newline after them) can run into the
        # first line the init prints: a marker starts where its "@@" does.
        at = text.find("@@")
        return text[at:] if at > 0 else text

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()
        return self.proc.returncode
