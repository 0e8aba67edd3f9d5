#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Save the commits of a base's assembled tree back into the repository
('make refresh BASE=<base>').

Usage: refresh.py BASE TREE

Each commit of base..HEAD in the tree becomes an entry of
patches/<base>/series, in the tree's order, named after the commit's
subject: the files the commit adds are its owned files; everything else it
changes goes into the patch file patches/<base>/<name>.patch. Entries whose
commit is gone are removed. Comments in the series stay with the patch they
precede; marks ([local]) and mappings (KERNEL-PATH = REPO-PATH) stay too.

An owned file is written back where it came from (testbed/series.sh): the
base's overlay patches/<base>/files/<kernel path> if there is one, else the
repository path its series line maps it to, at the top of the repository.
A file new to the series goes to its kernel path at the top on mainline
(the first base of testbed/bases), to the base's overlay on any other.

What another base builds never changes behind its back: when a top-level
file that another base uses gets different contents, mainline's version
takes the top level and the other base keeps its own in its overlay
(FORK); any other base's version goes to its own overlay. A file whose
contents another base already has at the same top-level path is shared,
not copied. Delete an overlay (and re-test that base) to share a change.
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


def read(rel):
    path = os.path.join(TOP, rel)
    return open(path, "rb").read() if os.path.exists(path) else None


def write(rel, data):
    path = os.path.join(TOP, rel)
    if read(rel) != data:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


def place(base, path, data, old, mainline, others):
    """Write file @path of @base's tree (contents @data) into the
    repository; return (mapped path, source) for its series line."""
    overlay = os.path.join("patches", base, "files", path)
    mapped, src = old if old else (path, path if mainline else overlay)
    if src == overlay:
        if read(mapped) == data and mapped in others:
            os.remove(os.path.join(TOP, overlay))
            print(f"  SHARE   {path}: same as {mapped}, which base "
                  f"{' '.join(b for b, _ in others[mapped])} uses")
            return mapped, mapped
        write(overlay, data)
        return mapped, overlay
    users = others.get(mapped, [])
    if not users or read(mapped) in (None, data):
        write(mapped, data)
        return mapped, mapped
    if not mainline:
        write(overlay, data)
        print(f"  FORK    {path}: base {base} now has its own copy in {overlay}")
        return mapped, overlay
    for b, kpath in users:
        theirs = os.path.join("patches", b, "files", kpath)
        write(theirs, read(mapped))
        print(f"  FORK    {mapped}: base {b} keeps its copy in {theirs}")
    write(mapped, data)
    return mapped, mapped


def series_owned(base):
    """{kernel path: (mapped repository path, source)} of @base's series."""
    out = subprocess.run([os.path.join(TOP, "testbed", "series.sh"), base,
                          "owned"], check=True, capture_output=True,
                         text=True).stdout
    return {k: (m, src) for k, m, src in (l.split() for l in out.splitlines())}


def bases():
    return subprocess.run([os.path.join(TOP, "testbed", "base.sh"), "names"],
                          check=True, capture_output=True,
                          text=True).stdout.split()


def main():
    base, tree = sys.argv[1], sys.argv[2]
    pdir = os.path.join(TOP, "patches", base)
    series = os.path.join(pdir, "series")
    overlay = os.path.join("patches", base, "files")
    commits = git(tree, "rev-list", "--reverse", "base..HEAD").split()
    blocks, trailer = parse_series(series)
    old_owned = series_owned(base)
    # The repository files the other bases' series use: never removed
    # from here, and a new file of this base does not take their place.
    others = {}
    for b in bases():
        if b != base and os.path.exists(os.path.join(TOP, "patches", b, "series")):
            for kpath, (_, src) in series_owned(b).items():
                others.setdefault(src, []).append((b, kpath))
    mainline = bases()[0] == base
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
        with open(os.path.join(pdir, name), "w") as f:
            f.write(patch)
        owned = []
        for path in added:
            data = subprocess.run(["git", "-C", tree, "show", f"{commit}:{path}"],
                                  check=True, capture_output=True).stdout
            mapped, src = place(base, path, data, old_owned.get(path),
                                mainline, others)
            owned.append((path, mapped, src))
        entries.append((name, owned))
        print(f"  REFRESH {name}" + (f" (+{len(added)} new)" if added else ""))

    names = {name for name, _ in entries}
    comments = {name: c for name, c, _ in blocks}
    marks = {name: m for name, _, m in blocks}
    out, orphans = [], []
    if not blocks:                  # a new series: its comments lead
        out, trailer = trailer, []
        if out and out[-1].strip():
            out.append("\n")
    for name, c, _ in blocks:       # comments of dropped patches move on
        if name not in names:
            orphans += c
            if os.path.exists(os.path.join(pdir, name)):
                os.remove(os.path.join(pdir, name))
            print(f"  DROP    {name}")
    for name, owned in entries:
        out += comments.get(name, []) + orphans
        orphans = []
        out.append(name + (f"\t{marks[name]}" if marks.get(name) else "") + "\n")
        out += [f"\t{k}\n" if m == k else f"\t{k} = {m}\n" for k, m, _ in owned]
    out += orphans + trailer
    with open(series, "w") as f:
        f.writelines(out)

    now_used = {src for _, owned in entries for _, _, src in owned}
    for _, src in sorted(old_owned.values()):
        if src not in now_used and src not in others and \
                os.path.exists(os.path.join(TOP, src)):
            os.remove(os.path.join(TOP, src))
            print(f"  DROP    {src} (no commit adds it now)")
    # The tree now holds exactly the series: record that, so that the next
    # build does not re-apply it.
    subprocess.run([os.path.join(TOP, "testbed", "prepare-tree.sh"),
                    "--mark-applied", base, tree], check=True)


if __name__ == "__main__":
    main()
