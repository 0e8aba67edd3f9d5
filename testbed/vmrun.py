#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot the patched kernel under nested QEMU and run tests or a command in it.

  vmrun.py check --base NAME=DIR [--base NAME=DIR ...] --suite-dir testbed/suite
                 [--flavour default|debug] [--modes "vhe nvhe nested"] [--tests "a b"]
                 [--tap out/check.tap] [--hest-template hest.dsl]
  vmrun.py run   --base NAME=DIR [--flavour default|debug] [--mode vhe|nvhe|nested]
                 [--platform dt|acpi|acpi-ras|a72|nv] [--cmd '...' | --shell-cmd '...'] [--extra DIR]
                 [--hest-template hest.dsl]

NAME is a base of testbed/bases, DIR what the Makefile built for it
(out/NAME: build/<flavour>/arch/arm64/boot/Image, initramfs.cpio.gz,
modules/<flavour>/). 'check' runs every base given, in order, as one TAP
stream. The parts are in testbed/vm/ (its __init__.py lists them).
"""

import argparse
import os
import sys

# The parts live in testbed/vm/; no __pycache__ in the clone.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vm.check import cmd_check                          # noqa: E402
from vm.platforms import MODES, PLATFORMS, die          # noqa: E402
from vm.run import cmd_run                              # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="what", required=True)
    for name in ("check", "run"):
        s = sub.add_parser(name)
        s.add_argument("--base", action="append", required=True,
                       metavar="NAME=DIR", help="a base and its build directory")
        s.add_argument("--flavour", default="default", choices=("default", "debug"))
        s.add_argument("--hest-template",
                       help="HEST override template (.dsl) for acpi-ras")
    c = sub.choices["check"]
    c.add_argument("--suite-dir", required=True,
                   help="holds upstream-<base> and vmmfw")
    c.add_argument("--modes", default="vhe nvhe nested")
    c.add_argument("--tests", default="")
    c.add_argument("--tap")
    c.add_argument("--timeout-scale", type=int, default=1)
    c.add_argument("--tag", default="check",
                   help="name of the run, for its files in DIR/vm")
    r = sub.choices["run"]
    r.add_argument("--mode", choices=sorted(MODES),
                   help="default: the platform's first mode")
    r.add_argument("--platform", default="dt", choices=list(PLATFORMS))
    r.add_argument("--cmd")
    r.add_argument("--shell-cmd",
                   help="an interactive command run on the VM's console "
                        "instead of a shell (make run-guest)")
    r.add_argument("--extra")
    r.add_argument("--timeout", type=int, default=1800,
                   help="seconds without console output before giving up")
    args = p.parse_args()
    for mode in getattr(args, "modes", "").split():
        if mode not in MODES:
            die(f"unknown mode {mode}: one of {' '.join(MODES)}")
    if args.hest_template and not os.path.exists(args.hest_template):
        die(f"{args.hest_template} does not exist")
    return cmd_check(args) if args.what == "check" else cmd_run(args)


if __name__ == "__main__":
    sys.exit(main())
