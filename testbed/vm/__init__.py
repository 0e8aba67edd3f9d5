# SPDX-License-Identifier: GPL-2.0
"""The test bed's VM runner (testbed/vmrun.py is its command line).

  platforms  the tables: bases, modes, platforms, what the kernel log
             must and must not say; a new base or platform is one entry
  suite      the suite files of a base (testbed/suite/)
  qemu       QEMU's command line and its console
  job        the initrd of one boot: base initramfs, job, HEST override
  hest       the acpi probe boot, the HEST override, the GHES checks
  tap        TAP output
  check      'vmrun.py check': boot every base, platform and mode, run
             the suite
  run        'vmrun.py run': one boot, a shell or one command
"""
