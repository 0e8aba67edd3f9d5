#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Read patches/<base>/series. Each unindented line names a patch in
# patches/<base>/; the indented lines under it name the new files that the
# patch adds, by their kernel path in that base:
#
#	tools/testing/selftests/kvm/arm64/smccc_fwd.c
#	tools/testing/selftests/kvm/aarch64/smccc_fwd.c = tools/testing/selftests/kvm/arm64/smccc_fwd.c
#
# A plain line means the repository holds the file at the same path; a
# line "KERNEL PATH = REPOSITORY PATH" maps a kernel path to the
# repository copy at another path (a file shared by the bases lives once,
# at its mainline path). Either way a copy at patches/<base>/files/<kernel
# path> comes first: that is the file when it differs for this base.
# '#' starts a comment.
#
#   series.sh BASE entries   one line per patch: "PATCH [KPATH=SOURCE...]",
#                            in order; SOURCE is the repository file the
#                            tree gets at KPATH
#   series.sh BASE files     every file the base's series is made of
#   series.sh BASE owned     "KPATH MAPPED SOURCE" per new file: its kernel
#                            path, the repository path its line names, and
#                            the file used (the overlay, or MAPPED)
#   series.sh BASE local     the patches marked [local]: built and tested,
#                            never posted (make series leaves them out)
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-}
[ -n "$base" ] && [ -f "patches/$base/series" ] ||
	{ echo "usage: $0 BASE entries|files|owned|local (no patches/$base/series)" >&2; exit 2; }
series=patches/$base/series

# "PATCH" then one "KPATH MAPPED SOURCE" line per file, "" between patches
parse() {
	awk -v series="$series" -v overlay="patches/$base/files/" '
	function source(k, m,    o) {
		o = overlay k
		if ((getline line < o) >= 0) { close(o); return o }
		return m
	}
	/^[ \t]*(#|$)/ { next }
	/^[ \t]/ {
		if (cur == "") { print series ":" NR ": owned file before any patch" > "/dev/stderr"; exit 1 }
		sub(/[ \t]+#.*$/, "")
		n = split($0, f, /[ \t]*=[ \t]*/)
		k = f[1]; sub(/^[ \t]+/, "", k)
		m = n > 1 ? f[2] : k; sub(/[ \t]+$/, "", m); sub(/[ \t]+$/, "", k)
		if (n > 2 || k == "" || m == "" || k ~ /[ \t]/ || m ~ /[ \t]/) {
			print series ":" NR ": expected \"KERNEL-PATH\" or \"KERNEL-PATH = REPO-PATH\"" > "/dev/stderr"; exit 1
		}
		print k, m, source(k, m)
		next
	}
	{ sub(/[ \t]+#.*$/, ""); cur = $1; print ""; print cur }
	' "$series"
}

case ${2:-} in
entries)
	parse | awk 'NF == 1 { if (cur != "") print cur; cur = $1 }
		     NF == 3 { cur = cur " " $1 "=" $3 }
		     END { if (cur != "") print cur }' ;;
files)	parse | awk -v d="patches/$base/" 'NF == 1 { print d $1 } NF == 3 { print $3 }' ;;
owned)	parse | awk 'NF == 3' ;;
local)	awk '/^[^ \t#]/ && /[ \t]\[local\]/ { print $1 }' "$series" ;;
*)	echo "usage: $0 BASE entries|files|owned|local" >&2; exit 2 ;;
esac
