#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Save the commits of the assembled tree back into patches/ ('make refresh').

Each commit of base..HEAD in the tree becomes an entry of patches/series,
in the tree's order, named after the commit's subject: the files the
commit adds are its owned files, copied to their kernel paths in this
repository; everything else it changes goes into the patch file. Entries
whose commit is gone are removed. Comments in patches/series stay with
the patch they precede.
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
    """([(patch, comment lines before it, marks after its name)],
    trailing comment lines)."""
    blocks, comments = [], []
    for line in open(path):
        if line.strip() == "" or line.lstrip().startswith("#"):
            comments.append(line)
        elif line[0] in " \t":
            continue            # owned files: rewritten below
        else:
            name, _, marks = line.rstrip("\n").partition(" ")
            if "\t" in name:
                name, _, marks = line.rstrip("\n").partition("\t")
            blocks.append((name, comments, marks.strip()))
            comments = []
    return blocks, comments


def main():
    tree = sys.argv[1]
    series = os.path.join(TOP, "patches", "series")
    commits = git(tree, "rev-list", "--reverse", "base..HEAD").split()
    blocks, trailer = parse_series(series)
    old_owned = set(subprocess.run([os.path.join(TOP, "testbed", "series.sh"),
                                    "owned"], check=True, capture_output=True,
                                   text=True).stdout.split())
    # A patch file is named after its commit's subject, so entries follow
    # their commits through reordering, insertion and removal.
    entries = []
    for commit in commits:
        name = patch_name(tree, commit)
        added = git(tree, "diff-tree", "--no-commit-id", "--name-only", "-r",
                    "--diff-filter=A", commit).split()
        changed = git(tree, "diff-tree", "--no-commit-id", "--name-only",
                      "-r", commit).split()
        excl = [f":(exclude){f}" for f in added]
        if set(changed) - set(added):
            patch = git(tree, "format-patch", "-1", "--stdout", "--zero-commit",
                        "--no-signature", "--stat=80", commit, "--", ".",
                        *excl)
        else:
            # Only new files: the patch is the message alone. (A pathspec
            # that matches nothing in the commit would make format-patch
            # walk back to an older commit that matches.)
            patch = git(tree, "format-patch", "-1", "--stdout", "--zero-commit",
                        "--no-signature", "--no-stat", commit)
            patch = patch[:patch.index("\ndiff --git ")].rstrip("\n") + "\n---\n"
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

    names = {name for name, _ in entries}
    comments = {name: c for name, c, _ in blocks}
    marks = {name: m for name, _, m in blocks}
    out, orphans = [], []
    for name, c, _ in blocks:       # comments of dropped patches move on
        if name not in names:
            orphans += c
            if os.path.exists(os.path.join(TOP, "patches", name)):
                os.remove(os.path.join(TOP, "patches", name))
            print(f"  DROP    {name}")
    for name, added in entries:
        out += comments.get(name, []) + orphans
        orphans = []
        out.append(name + (f"\t{marks[name]}" if marks.get(name) else "") + "\n")
        out += [f"\t{p}\n" for p in added]
    out += orphans + trailer
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
