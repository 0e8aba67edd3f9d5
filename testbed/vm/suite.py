# SPDX-License-Identifier: GPL-2.0
"""The suite of a base: testbed/suite/upstream-<base> (the base's own
selftests that make the regression baseline) and testbed/suite/vmmfw (the
project's tests, run on every base)."""

import os

from .platforms import PLATFORMS, die

SUITE_FILES = ("upstream-{base}", "vmmfw")


def read_suite_file(path):
    """One suite file: '[platform]' sections (dt first) of 'name timeout
    command...' lines, '#' comments. Returns [(platform, name, tmo, cmd)]."""
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


def read_suite(suite_dir, base):
    """The suite of @base, each platform's upstream tests first."""
    suite = []
    for name in SUITE_FILES:
        path = os.path.join(suite_dir, name.format(base=base))
        if not os.path.exists(path):
            die(f"base {base} has no suite file {path}")
        suite += read_suite_file(path)
    return suite


def suite_files(suite_dir, base):
    return [os.path.join(suite_dir, n.format(base=base)) for n in SUITE_FILES]
