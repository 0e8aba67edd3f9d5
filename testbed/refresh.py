#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Save the commits of the assembled tree back into patches/ ('make refresh').

Commit i of base..HEAD in the tree becomes entry i of patches/series: the
files the commit adds are its owned files, copied to their kernel paths in
this repository; everything else it changes goes into the patch file. New
commits get new entries at the end; entries whose commit is gone are
removed. Comments in patches/series are kept.
"""

import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def git(tree, *args):
    return subprocess.run(["git", "-C", tree, *args], check=True,
                          capture_output=True, text=True).stdout


def patch_name(tree, commit):
    subject = git(tree, "log", "-1", "--format=%s", commit).strip()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", subject).strip("-")[:60]
    return f"{slug}.patch"


def parse_series(path):
    """[(patch-or-None, [lines])]: each patch block with its comment lines."""
    blocks, cur = [], (None, [])
    for line in open(path):
        if line.strip() == "" or line.lstrip().startswith("#"):
            if cur[0] is not None:
                blocks.append(cur)
                cur = (None, [])
            cur[1].append(line)
        elif line[0] in " \t":
            continue            # owned files: rewritten below
        else:
            blocks.append(cur)
            cur = (line.split()[0], [])
    blocks.append(cur)
    return blocks


def main():
    tree = sys.argv[1]
    series = os.path.join(TOP, "patches", "series")
    commits = git(tree, "rev-list", "--reverse", "base..HEAD").split()
    blocks = parse_series(series)
    names = [b[0] for b in blocks if b[0]]
    old_owned = set(subprocess.run([os.path.join(TOP, "testbed", "series.sh"),
                                    "owned"], check=True, capture_output=True,
                                   text=True).stdout.split())
    entries = []
    for i, commit in enumerate(commits):
        name = names[i] if i < len(names) else patch_name(tree, commit)
        added = git(tree, "diff-tree", "--no-commit-id", "--name-only", "-r",
                    "--diff-filter=A", commit).split()
        excl = [f":(exclude){f}" for f in added]
        patch = git(tree, "format-patch", "-1", "--stdout", "--zero-commit",
                    "--no-signature", "--stat=80", commit, "--", ".", *excl)
        with open(os.path.join(TOP, "patches", name), "w") as f:
            f.write(patch)
        for path in added:
            dest = os.path.join(TOP, path)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            data = subprocess.run(["git", "-C", tree, "show", f"{commit}:{path}"],
                                  check=True, capture_output=True).stdout
            with open(dest, "wb") as f:
                f.write(data)
        entries.append((name, added))
        print(f"  REFRESH {name}" + (f" (+{len(added)} new)" if added else ""))

    out, i = [], 0
    for name, comments in blocks:
        out += comments
        if name is None:
            continue
        if i < len(entries):
            out.append(entries[i][0] + "\n")
            out += [f"\t{p}\n" for p in entries[i][1]]
        else:
            os.remove(os.path.join(TOP, "patches", name))
            print(f"  DROP    {name}")
        i += 1
    for name, added in entries[i:]:
        out.append(name + "\n")
        out += [f"\t{p}\n" for p in added]
    with open(series, "w") as f:
        f.writelines(out)

    now_owned = {p for _, added in entries for p in added}
    for path in sorted(old_owned - now_owned):
        if os.path.exists(os.path.join(TOP, path)):
            os.remove(os.path.join(TOP, path))
            print(f"  DROP    {path} (no commit adds it now)")
    # The tree now holds exactly the series: record that, so that the next
    # build does not re-apply it.
    subprocess.run([os.path.join(TOP, "testbed", "prepare-tree.sh"),
                    "--mark-applied", tree], check=True)


if __name__ == "__main__":
    main()
