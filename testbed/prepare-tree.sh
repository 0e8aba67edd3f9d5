#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Assemble the patched kernel tree of one base (testbed/bases) in $TREE:
#   1. unpack the base's Debian tarball (linux-source-X.Y) into a git
#      repository whose single commit (tag "base") is the pristine base;
#   2. apply patches/<base>/series on branch "vmmfw", one commit per patch,
#      copying in the new files each patch owns (testbed/series.sh says
#      which repository file each one is).
#
# Commits are made with fixed identities and dates, so the base commit and
# every patch commit have the same hash on every machine.
#
# Usage: prepare-tree.sh BASE TREE
#        prepare-tree.sh --mark-applied BASE TREE   (after 'make refresh')
# Environment: BASE_TARBALL overrides where the tarball is looked for.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
mark_only=
[ "$1" = --mark-applied ] && { mark_only=1; shift; }
base=$1 tree=$2
version=$("$top/testbed/base.sh" "$base" version)
package=$("$top/testbed/base.sh" "$base" package)
tarball=${BASE_TARBALL:-$("$top/testbed/base.sh" "$base" tarball)}

die() { echo "error: $*" >&2; exit 1; }

series_hash() {
	(cd "$top" && cat "patches/$base/series" &&
	 "$top/testbed/series.sh" "$base" entries &&
	 "$top/testbed/series.sh" "$base" files | xargs -r sha256sum) | sha256sum | cut -c1-16
}

tree_version() {
	awk '/^VERSION =/{v=$3} /^PATCHLEVEL =/{p=$3} /^SUBLEVEL =/{s=$3}
	     END{print v "." p "." s}' "$1/Makefile"
}

unpack_base() {
	local tmp="$tree.unpack" want=$version

	[ -r "$tarball" ] ||
		die "base tarball $tarball not found: 'make deps BASE=$base' gets $package"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	echo "  UNPACK  $tarball"
	tar -xJf "$tarball" -C "$tmp" --strip-components=1
	local got
	got=$(tree_version "$tmp")
	if [ "$got" != "$want" ]; then
		rm -rf "$tmp"
		die "base tarball $tarball is Linux $got, but base $base is $want: get $package $("$top/testbed/base.sh" "$base" debian) ('make deps BASE=$base'), or rebase the series and change the base's line in testbed/bases"
	fi
	echo "  GIT     base $got"
	git -C "$tmp" init -q -b vmmfw
	git -C "$tmp" config core.autocrlf false
	git -C "$tmp" config gc.auto 0
	git -C "$tmp" add -A -f
	GIT_AUTHOR_NAME="Debian $package" GIT_AUTHOR_EMAIL="debian-kernel@lists.debian.org" \
	GIT_COMMITTER_NAME="Debian $package" GIT_COMMITTER_EMAIL="debian-kernel@lists.debian.org" \
	GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
		git -C "$tmp" commit -q -m "Linux $got as shipped by Debian $package"
	git -C "$tmp" tag base
	rm -rf "$tree"
	mv "$tmp" "$tree"
}

# Debian's .gitignore ignores every top-level path (it keeps the packaging
# out of upstream's repository), which hides a new file from 'git add' in
# the tree. Drop that block from the working copy only: the base commit
# stays as shipped, and git is told not to look at the working copy.
unignore_new_files() {
	git -C "$tree" ls-files -v .gitignore | grep -q '^S' && return
	git -C "$tree" update-index --skip-worktree .gitignore
	sed -i '/^# Debian packaging: ignore everything at the top level/,/^!\/debian\/$/d' \
		"$tree/.gitignore"
}

# Refuse to throw away work a developer did inside the tree.
check_tree_clean() {
	local applied
	applied=$(cat "$tree/.git/vmmfw-applied-head" 2>/dev/null || true)
	if [ -n "$(git -C "$tree" status --porcelain)" ]; then
		die "$tree has uncommitted edits: commit them into the patch commits and run 'make refresh BASE=$base', or discard them with 'make reset-tree BASE=$base'"
	fi
	# A series that stopped half-applied left only commits of ours.
	[ "$applied" != applying ] || return 0
	# A tree no series was applied to by this script holds only the base,
	# unless someone committed there: those commits are not in patches/.
	[ -n "$applied" ] || applied=$(git -C "$tree" rev-parse base)
	if [ "$(git -C "$tree" rev-parse HEAD)" != "$applied" ]; then
		die "$tree has commits that are not in patches/$base/: run 'make refresh BASE=$base' to save them, or 'make reset-tree BASE=$base' to discard them"
	fi
}

apply_one() {
	local patch=$1; shift
	local owned=("$@")
	local info="$tree/.git/vmmfw-mailinfo"
	local msg="$info/msg" body="$info/patch" hdr="$info/hdr"

	mkdir -p "$info"
	git -C "$tree" mailinfo "$msg" "$body" < "$top/patches/$base/$patch" > "$hdr" ||
		die "patches/$base/$patch is not a mail-formatted patch (make it with git format-patch)"
	# A patch whose commit only adds files carries no diff, only its message
	if grep -q "^diff --git " "$body"; then
		local err
		if ! err=$(git -C "$tree" apply --index --whitespace=nowarn "$body" 2>&1); then
			local where
			where=$(echo "$err" | sed -n 's/^error: patch failed: \(.*\)$/\1/p;s/^error: \(.*\): does not exist in index$/\1 (missing)/p' | head -n1)
			die "patches/$base/$patch does not apply to ${where:-the tree} ($(echo "$err" | head -n1)): refresh it against the series (README, 'Editing a patch')"
		fi
	fi
	local f k src
	for f in "${owned[@]}"; do
		k=${f%%=*} src=${f#*=}
		[ -f "$top/$src" ] || die "patches/$base/series: $src (owned by $patch) does not exist"
		mkdir -p "$(dirname "$tree/$k")"
		cp "$top/$src" "$tree/$k"
		git -C "$tree" add -f "$k"
	done
	local author email date subject
	author=$(sed -n 's/^Author: //p' "$hdr")
	email=$(sed -n 's/^Email: //p' "$hdr")
	date=$(sed -n 's/^Date: //p' "$hdr")
	subject=$(sed -n 's/^Subject: //p' "$hdr")
	[ -n "$subject" ] || die "patches/$base/$patch has no Subject: line"
	{ echo "$subject"; echo; cat "$msg"; } > "$info/commit-msg"
	GIT_AUTHOR_NAME="$author" GIT_AUTHOR_EMAIL="$email" GIT_AUTHOR_DATE="$date" \
	GIT_COMMITTER_NAME="$author" GIT_COMMITTER_EMAIL="$email" GIT_COMMITTER_DATE="$date" \
		git -C "$tree" commit -q --allow-empty --cleanup=verbatim -F "$info/commit-msg"
}

apply_series() {
	echo "  SERIES  patches/$base/series"
	echo applying > "$tree/.git/vmmfw-applied-head"
	git -C "$tree" reset -q --hard base
	git -C "$tree" clean -q -fdx -e /.git
	local line
	while read -r -a line; do
		echo "  APPLY   ${line[0]}"
		apply_one "${line[@]}"
	done < <("$top/testbed/series.sh" "$base" entries)
}

mark_applied() {
	git -C "$tree" rev-parse HEAD > "$tree/.git/vmmfw-applied-head"
	series_hash > "$tree/.git/vmmfw-series-hash"
}

if [ -n "$mark_only" ]; then
	mark_applied
	exit 0
fi
mkdir -p "$(dirname "$tree")"
if [ ! -d "$tree/.git" ] || ! git -C "$tree" rev-parse -q --verify base >/dev/null; then
	unpack_base
fi
unignore_new_files
hash=$(series_hash)
if [ "$(cat "$tree/.git/vmmfw-series-hash" 2>/dev/null)" != "$hash" ]; then
	check_tree_clean
	rm -f "$tree/.git/vmmfw-series-hash"
	apply_series
	mark_applied
fi
