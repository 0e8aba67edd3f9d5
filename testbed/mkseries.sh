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
# Usage: mkseries.sh TREE OUTDIR
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$1 out=$2
cover="$top/patches/cover-letter"

mapfile -t commits < <(git -C "$tree" rev-list --reverse base..HEAD)
mapfile -t names < <("$top/testbed/series.sh" entries | awk '{ print $1 }')
mapfile -t local < <("$top/testbed/series.sh" local)
[ ${#commits[@]} -gt 0 ] || { echo "error: patches/series is empty: nothing to send" >&2; exit 1; }
[ ${#commits[@]} -eq ${#names[@]} ] ||
	{ echo "error: $tree has ${#commits[@]} commits but patches/series ${#names[@]} patches: run make tree or make refresh" >&2; exit 1; }

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
	--subject-prefix="PATCH v2" -o "$out" base..HEAD
first=$(ls "$out"/0000-*.patch)
subject=$(sed -n '1p' "$cover")
# The blurb is the rest of patches/cover-letter, with @BASE@ and @DEB@
# filled in.
sed -n '3,$p' "$cover" | sed -e "s|@BASE@|$BASE_VERSION|g" -e "s|@DEB@|$BASE_DEB|g" > "$out/.blurb"
python3 - "$first" "$subject" "$out/.blurb" <<'PY'
import sys
path, subject, blurb = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
text = open(path).read()
text = text.replace("*** SUBJECT HERE ***", subject, 1)
text = text.replace("*** BLURB HERE ***", blurb.rstrip("\n"), 1)
open(path, "w").write(text)
PY
rm "$out/.blurb"
echo "  SERIES  $out ($n patches + cover letter, base $(git -C "$tree" rev-parse --short base); left out: ${local[*]:-none})"
