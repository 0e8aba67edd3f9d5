#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the base tree's checkpatch.pl --strict on every patch of the series.
# Errors and warnings fail; checks are listed, to be justified in the
# cover letter.
#
# Usage: checkpatch.sh TREE SERIESDIR
set -uo pipefail
tree=$1 dir=$2
fail=0 checks=0
for p in "$dir"/0*.patch; do
	case $p in */0000-cover-letter.patch) continue ;; esac
	out=$(cd "$tree" && scripts/checkpatch.pl --strict --terse --showfile \
		--no-summary "$p" 2>&1)
	name=$(basename "$p")
	if echo "$out" | grep -qE ': (ERROR|WARNING):'; then
		echo "FAIL  $name"
		fail=1
	else
		echo "ok    $name"
	fi
	if [ -n "$out" ]; then
		echo "$out" | sed 's/^/      /'
		checks=$((checks + $(echo "$out" | grep -c ': CHECK:')))
	fi
done
echo "checkpatch --strict: $( [ $fail = 0 ] && echo clean || echo FAILED ), $checks check(s)"
exit $fail
