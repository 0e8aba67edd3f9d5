# SPDX-License-Identifier: GPL-2.0
"""The initrd of one boot.

The guest side is testbed/init. A job (the tests to run, or the command,
and the test modules) travels in a second cpio archive that is appended
to the base initramfs, which the kernel unpacks on top of it. A platform
with the HEST override gets it in an uncompressed cpio in front of both,
where the kernel's ACPI table upgrade looks for it.
"""

import gzip
import io
import os
import shutil

from .platforms import PLATFORMS, die


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


def make_initrd(build, tag, platform, files, extra=None):
    """Write @build's initrd for one boot on @platform, named after @tag."""
    path = build.path(f"{tag}.cpio.gz")
    if PLATFORMS[platform].ghes:
        mods = module_files(build.modules)
        if not mods:
            die(f"no test module (*.ko) in {build.modules}: "
                f"make modules BASE={build.base}")
        files = dict(files, **mods)
    with open(path, "wb") as out, open(build.initramfs, "rb") as base:
        if PLATFORMS[platform].hest:
            out.write(hest_cpio(build.hest_aml))
        shutil.copyfileobj(base, out)
        out.write(job_cpio(files, extra))
    return path
