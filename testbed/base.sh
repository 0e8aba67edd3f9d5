#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Read testbed/bases, the table of the bases the series is built on.
#
#   base.sh names            every base, mainline first
#   base.sh NAME FIELD       one field of a base: version, package, debian,
#                            suite, arch
#   base.sh NAME tarball     where the base's tarball is: /usr/src/ for a
#                            base from the machine's own Debian release
#                            (installed with apt-get), the source cache
#                            (VMMFW_SRC_CACHE, ~/.cache/vmmfw-src) for
#                            any other (fetched by testbed/deps.sh)
#   base.sh NAME local       exit 0 when the base comes from the machine's
#                            own release
set -euo pipefail
table=$(dirname "$0")/bases
cache=${VMMFW_SRC_CACHE:-$HOME/.cache/vmmfw-src}

field() {
	awk -v b="$1" -v f="$2" '
	/^[ \t]*(#|$)/ { next }
	$1 == b {
		split("name version package debian suite arch", names)
		for (i in names) if (names[i] == f) { print $i; found = 1 }
		if (!found) { print "testbed/bases: no field " f > "/dev/stderr"; exit 2 }
		exit
	}' "$table"
}

machine_release() {
	. /etc/os-release
	echo "${VERSION_CODENAME:-}"
}

case ${1:-} in
names)
	awk '/^[ \t]*(#|$)/ { next } { print $1 }' "$table"
	exit 0 ;;
""|-h|--help)
	echo "usage: $0 names | NAME version|package|debian|suite|arch|tarball|local" >&2
	exit 2 ;;
esac

name=$1 what=${2:-}
[ -n "$(field "$name" name)" ] ||
	{ echo "error: unknown base '$name': one of $("$0" names | xargs) (testbed/bases)" >&2; exit 2; }
case $what in
tarball)
	pkg=$(field "$name" package)
	if "$0" "$name" local; then
		echo "/usr/src/$pkg.tar.xz"
	else
		echo "$cache/$name/usr/src/$pkg.tar.xz"
	fi ;;
local)
	suite=$(field "$name" suite)
	[ "${suite%%-*}" = "$(machine_release)" ] && [ "$suite" = "${suite%-backports}" ] ;;
*)
	v=$(field "$name" "$what")
	[ -n "$v" ] || { echo "error: testbed/bases: base $name has no $what" >&2; exit 2; }
	echo "$v" ;;
esac
