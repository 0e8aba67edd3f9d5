#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the base initramfs of the test VM: static busybox, testbed/init and
# the static KVM selftests (and the project's tools) under /kselftests, and
# the reference VMM's stage (refvmm and its driver in /vmmfw/bin, its guest
# in /refvmm). vmrun.py appends a second, per-run cpio with the job.
#
# Usage: mkinitramfs.sh OUT.cpio.gz BUSYBOX SELFTEST_DIR REFVMM_STAGE [TOOL...]
# (REFVMM_STAGE may be ""; each TOOL, a static binary of the test bed, goes
# to /vmmfw/bin)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$1 busybox=$2 selftests=$3 refvmm=$4
shift 4
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc,kselftests/kvm,kselftests/bin,vmmfw/bin}
install -m 0755 "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
install -m 0755 "$top/testbed/init" "$stage/init"
for tool in "$@"; do
	install -m 0755 "$tool" "$stage/vmmfw/bin/"
done
# Every static test binary, keeping the kselftest layout (kvm/arm64/..., kvm/aarch64/... on 6.12),
# with a wrapper of the same name in /kselftests/bin.
(cd "$selftests" && find . -type f -perm -u+x ! -name '*.o' ! -name '*.d' -print0 |
	while IFS= read -r -d '' f; do
		file -b "$f" | grep -q 'ELF.*statically linked' || continue
		mkdir -p "$stage/kselftests/kvm/$(dirname "$f")"
		cp "$f" "$stage/kselftests/kvm/$f"
		# The selftests load their own ELF through argv[0], so a test
		# found on PATH must be started by its full path.
		w="$stage/kselftests/bin/$(basename "$f")"
		[ ! -e "$w" ] || { echo "error: two selftests named $(basename "$f")" >&2; exit 1; }
		printf '#!/bin/sh\nexec /kselftests/kvm/%s "$@"\n' "${f#./}" > "$w"
		chmod 0755 "$w"
	done)
if [ -n "$refvmm" ]; then
	cp -r "$refvmm"/vmmfw "$refvmm"/refvmm "$stage"/
fi
(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --owner=0:0 --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
