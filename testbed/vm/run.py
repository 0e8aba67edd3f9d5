# SPDX-License-Identifier: GPL-2.0
"""'vmrun.py run': one boot of one base's kernel, into a shell or one
command whose exit status becomes vmrun.py's."""

import os
import subprocess
import sys

from .check import check_platform_inputs
from .hest import prepare_hest
from .job import make_initrd
from .platforms import PLATFORMS, die, parse_base_arg
from .qemu import Console, check_qemu, qemu_cmd


def cmd_run(args):
    if len(args.base) != 1:
        die("run boots one base: give --base NAME=DIR once")
    build = parse_base_arg(args.base[0], args.flavour)
    if not PLATFORMS[args.platform].has_base(build.base):
        die(f"platform {args.platform} is for base "
            f"{' or '.join(PLATFORMS[args.platform].bases)} only")
    check_qemu([args.platform])
    modes = PLATFORMS[args.platform].modes
    args.mode = args.mode or modes[0]
    if args.mode not in modes:
        die(f"platform {args.platform} boots KVM in {' or '.join(modes)} mode only")
    check_platform_inputs(build, [args.platform], args.hest_template)
    prepare_hest(build, [args.platform], args.hest_template, "run")
    if PLATFORMS[args.platform].hest and not build.hest_aml:
        die("the acpi probe boot did not show QEMU's HEST; see "
            f"{build.path('run-hest-probe.log')}")
    if args.extra and not os.path.isdir(args.extra):
        die(f"EXTRA={args.extra} is not a directory")
    files = {}
    if args.cmd is not None:
        files["cmd"] = args.cmd.encode() + b"\n"
    elif args.shell_cmd is not None:
        files["shell"] = args.shell_cmd.encode() + b"\n"
    tag = f"run-{args.platform}-{args.mode}"
    initrd = make_initrd(build, tag, args.platform, files, args.extra)
    cmd = qemu_cmd(build, args.platform, args.mode, initrd)
    if args.cmd is None:
        return subprocess.call(cmd)
    con = Console(cmd, build.path(f"{tag}.log"))
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
