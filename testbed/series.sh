#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Read patches/series. Each unindented line names a patch in patches/; the
# indented lines under it name the new files (repository paths, which are
# also their kernel paths) that the patch adds. '#' starts a comment.
#
#   series.sh entries   one line per patch: "PATCH [OWNED...]", in order
#   series.sh files     every file the series is made of (repo-relative)
#   series.sh owned     the owned files only
#   series.sh local     the patches marked [local]: built and tested, never
#                       posted (make series leaves them out)
set -euo pipefail
cd "$(dirname "$0")/.."

entries() {
	awk '
	/^[ \t]*(#|$)/ { next }
	/^[ \t]/ {
		if (cur == "") { print "patches/series:" NR ": owned file before any patch" > "/dev/stderr"; exit 1 }
		sub(/^[ \t]+/, ""); sub(/[ \t]+#.*$/, ""); cur = cur " " $0; next
	}
	{ if (cur != "") print cur; sub(/[ \t]+#.*$/, ""); cur = $1 }
	END { if (cur != "") print cur }
	' patches/series
}

case ${1:-} in
entries) entries ;;
files)	entries | awk '{ print "patches/" $1; for (i = 2; i <= NF; i++) print $i }' ;;
owned)	entries | awk '{ for (i = 2; i <= NF; i++) print $i }' ;;
local)	awk '/^[^ \t#]/ && /[ \t]\[local\]/ { print $1 }' patches/series ;;
*)	echo "usage: $0 entries|files|owned|local" >&2; exit 2 ;;
esac
