#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Write the series as a maintainer gets it: git format-patch output with a
# cover letter and base-commit, from the assembled tree.
#
# Patches marked [local] in patches/series (fixes the base needs for its own
# tests) are left out: the posted patches are replayed onto the base without
# them, in a temporary worktree, so the series provably applies without them.
#
# The subject prefix says which base the series is for. Mainline's (the
# first base of testbed/bases) is the posted series: "PATCH v2". Another
# base's is a backport of the same series revision to that base's stable
# line, "PATCH 6.12.y v2": the name of the stable branch, as the stable
# tree's own backports do ("[PATCH 6.12.y]"), then the revision, so that
# b4 and patchwork still see v2, and no one mistakes it for a mainline
# submission or sorts it with v2 of the mainline series.
#
# Usage: mkseries.sh BASE TREE OUTDIR
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
base=$1 tree=$2 out=$3
cover="$top/patches/$base/cover-letter"
revision=v2
if [ "$base" = "$("$top/testbed/base.sh" names | head -n1)" ]; then
	prefix="PATCH $revision"
else
	prefix="PATCH $base.y $revision"
fi

mapfile -t commits < <(git -C "$tree" rev-list --reverse base..HEAD)
mapfile -t names < <("$top/testbed/series.sh" "$base" entries | awk '{ print $1 }')
mapfile -t local < <("$top/testbed/series.sh" "$base" local)
[ ${#commits[@]} -gt 0 ] || { echo "error: patches/$base/series is empty: nothing to send" >&2; exit 1; }
[ ${#commits[@]} -eq ${#names[@]} ] ||
	{ echo "error: $tree has ${#commits[@]} commits but patches/$base/series ${#names[@]} patches: run make tree or make refresh (BASE=$base)" >&2; exit 1; }

posted=()
for i in "${!commits[@]}"; do
	skip=
	for l in "${local[@]}"; do [ "$l" = "${names[$i]}" ] && skip=1; done
	[ -n "$skip" ] || posted+=("${commits[$i]}")
done

work="$tree.posted"
cleanup() { git -C "$tree" worktree remove --force "$work" 2>/dev/null || rm -rf "$work"; }
trap cleanup EXIT
cleanup
git -C "$tree" worktree add -q --detach "$work" base
for c in "${posted[@]}"; do
	git -C "$work" -c user.name=vmmfw -c user.email=vmmfw@localhost \
		cherry-pick --allow-empty --keep-redundant-commits "$c" >/dev/null ||
		{ echo "error: $(git -C "$tree" log -1 --format=%s "$c") does not apply without the [local] patches" >&2; exit 1; }
done

n=${#posted[@]}
rm -rf "$out"
git -C "$work" format-patch -q --cover-letter --base=base --thread \
	--subject-prefix="$prefix" -o "$out" base..HEAD
first=$(ls "$out"/0000-*.patch)
subject=$(sed -n '1p' "$cover")
# The blurb is the rest of patches/<base>/cover-letter, with @BASE@ (the
# kernel version) and @DEB@ (the Debian package's version) filled in.
sed -n '3,$p' "$cover" | sed -e "s|@BASE@|$("$top/testbed/base.sh" "$base" version)|g" \
	-e "s|@DEB@|$("$top/testbed/base.sh" "$base" debian)|g" > "$out/.blurb"
python3 - "$first" "$subject" "$out/.blurb" <<'PY'
import sys
path, subject, blurb = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
text = open(path).read()
text = text.replace("*** SUBJECT HERE ***", subject, 1)
text = text.replace("*** BLURB HERE ***", blurb.rstrip("\n"), 1)
open(path, "w").write(text)
PY
rm "$out/.blurb"
echo "  SERIES  $out ([$prefix] $n patches + cover letter, base $(git -C "$tree" rev-parse --short base); left out: ${local[*]:-none})"
