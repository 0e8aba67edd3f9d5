#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the base tree's checkpatch.pl --strict on every patch of the series.
# Errors and warnings fail; checks are listed, to be justified in the
# cover letter.
#
# One warning is checked instead of taken as is: "added, moved or deleted
# file(s), does MAINTAINERS need updating?" comes with every new file. It
# passes when get_maintainer.pl finds a MAINTAINERS entry, other than THE
# REST, for each file the patch adds.
#
# UNKNOWN_COMMIT_ID is ignored: the base is a tarball committed as one
# commit, with no history, so checkpatch cannot look up the commit a
# Fixes: tag names. Those ids are checked against mainline's history by
# hand (the cover letter says so).
#
# Usage: checkpatch.sh TREE SERIESDIR
set -uo pipefail
tree=$1 dir=$2
fail=0 checks=0

covered() {
	local f=$1
	(cd "$tree" && scripts/get_maintainer.pl --no-git --subsystem --no-email \
		--no-l --no-r --no-m --no-n -f "$f" 2>/dev/null) | grep -v '^THE REST$' | head -n1
}

for p in "$dir"/0*.patch; do
	case $p in */0000-cover-letter.patch) continue ;; esac
	name=$(basename "$p")
	# spdxcheck.py needs Debian's python3 modules, not a pyenv's.
	out=$(cd "$tree" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict \
		--ignore UNKNOWN_COMMIT_ID --terse --showfile --no-summary "$p" 2>&1)
	notes=()
	if echo "$out" | grep -q 'does MAINTAINERS need updating'; then
		out=$(echo "$out" | grep -v 'does MAINTAINERS need updating')
		for f in $(awk '/^diff --git/ { f = $4 } /^new file mode/ { print substr(f, 3) }' "$p"); do
			entry=$(covered "$f")
			if [ -n "$entry" ]; then
				notes+=("$f: new file, maintained by $entry")
			else
				out+=$'\n'"$f: WARNING: new file with no MAINTAINERS entry"
			fi
		done
	fi
	out=$(echo "$out" | sed '/^$/d')
	if echo "$out" | grep -qE '(ERROR|WARNING):'; then
		echo "FAIL  $name"
		fail=1
	else
		echo "ok    $name"
	fi
	[ -z "$out" ] || echo "$out" | sed 's/^/      /'
	for n in "${notes[@]}"; do echo "      $n"; done
	checks=$((checks + $(echo "$out" | grep -c 'CHECK:')))
done
echo "checkpatch --strict: $([ $fail = 0 ] && echo clean || echo FAILED), $checks check(s)"
exit $fail
