#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prove the series bisectable: check out each commit of base..HEAD in a
# scratch worktree and build the kernel, the KVM selftests and, once it
# exists, the RAS test module there.
#
# Usage: bisect-build.sh BASE TREE WORKDIR CONFIG JOBS
set -euo pipefail
base=$1 tree=$2 work=$3 config=$4 jobs=$5
wt="$work/tree" kb="$work/build"
cross=aarch64-linux-gnu-

git -C "$tree" worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"
git -C "$tree" worktree prune
git -C "$tree" worktree add -q --detach "$wt" base
mkdir -p "$kb"
# The test module's directory in this base's tree (testbed/bases: arm64
# on mainline, aarch64 on 6.12).
testmod=tools/testing/selftests/kvm/$("$(dirname "$0")/base.sh" "$base" arch)/ras_testmod
for c in $(git -C "$tree" rev-list --reverse base..HEAD); do
	echo "  BUILD   $(git -C "$tree" log -1 --format='%h %s' "$c")"
	git -C "$wt" checkout -q "$c"
	# The full config at every step, so that an option a later patch
	# adds is not lost to an earlier olddefconfig.
	cp "$config" "$kb/.config"
	if ! make -s -C "$wt" O="$kb" ARCH=arm64 CROSS_COMPILE=$cross LOCALVERSION= \
		CC="ccache ${cross}gcc" HOSTCC="ccache gcc" -j"$jobs" \
		olddefconfig Image modules headers_install >"$work/log" 2>&1 ||
	   ! make -s -C "$wt/tools/testing/selftests/kvm" ARCH=arm64 \
		CROSS_COMPILE=$cross CC="ccache ${cross}gcc" OUTPUT="$kb/selftests" \
		INSTALL_HDR_PATH="$kb/usr" KHDR_INCLUDES="-isystem $kb/usr/include" \
		EXTRA_CFLAGS=-static LDFLAGS=-static -j"$jobs" >>"$work/log" 2>&1 ||
	   { [ -d "$wt/$testmod" ] &&
	     ! make -s -C "$wt" O="$kb" ARCH=arm64 CROSS_COMPILE=$cross \
		CC="ccache ${cross}gcc" M="$wt/$testmod" modules >>"$work/log" 2>&1; }; then
		tail -n 30 "$work/log"
		echo "error: the $base series does not build at $(git -C "$tree" log -1 --format='%h %s' "$c")" >&2
		exit 1
	fi
done
git -C "$tree" worktree remove --force "$wt"
echo "  OK      every patch of the $base series builds"
