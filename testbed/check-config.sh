#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fail when an option of the config fragments did not make it into .config
# (a missing dependency would otherwise drop it without a word). When
# fragments set the same option, the last one wins, as in merge_config.sh.
set -euo pipefail
config=$1; shift
declare -A want=()
order=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)			opt=${line%%=*} ;;
	"# CONFIG_"*" is not set")	opt=${line#\# }; opt=${opt%% *} ;;
	*)				continue ;;
	esac
	[ -n "${want[$opt]+x}" ] || order+=("$opt")
	want[$opt]=$line
done < <(cat "$@")

bad=0
for opt in "${order[@]}"; do
	line=${want[$opt]}
	if [ "${line#\#}" != "$line" ]; then
		! grep -q "^$opt=" "$config" && continue
	else
		grep -qxF "$line" "$config" && continue
	fi
	echo "error: config fragment wants '$line' but $config has '$(grep -m1 "$opt[= ]" "$config" || echo "$opt unset")' (a dependency is missing)" >&2
	bad=1
done
exit $bad
