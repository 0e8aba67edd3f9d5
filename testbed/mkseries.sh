#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Write the series as a maintainer gets it: git format-patch output with a
# cover letter and base-commit, from the assembled tree.
#
# Usage: mkseries.sh TREE OUTDIR
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$1 out=$2
cover="$top/patches/cover-letter"

n=$(git -C "$tree" rev-list --count base..HEAD)
[ "$n" -gt 0 ] || { echo "error: patches/series is empty: nothing to send" >&2; exit 1; }
rm -rf "$out"
git -C "$tree" format-patch -q --cover-letter --base=base --thread \
	--subject-prefix="PATCH" -o "$out" base..HEAD
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
echo "  SERIES  $out ($n patches + cover letter, base $(git -C "$tree" rev-parse --short base))"
