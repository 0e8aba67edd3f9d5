#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The initramfs of refvmm's Linux guest: static busybox, refvmm/guest/init,
# the scenario scripts refvmm/guest/tests.d/*, the guest module(s) that
# refvmm/guest/Kbuild lists (built against the guest kernel, into
# /modules) and every other refvmm/guest/*.c as a static program in /bin.
#
# Usage: mkguestinitramfs.sh OUT.cpio.gz BUSYBOX GUEST_TREE GUEST_BUILD CROSS_COMPILE
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$1 busybox=$2 tree=$3 kb=$4 cross=$5
src=$top/refvmm/guest
stage=$(mktemp -d)
modbuild=$(mktemp -d)
trap 'rm -rf "$stage" "$modbuild"' EXIT

mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc,modules,tests.d}
install -m 0755 "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
install -m 0755 "$src/init" "$stage/init"
for t in "$src"/tests.d/*; do
	[ -f "$t" ] && install -m 0755 "$t" "$stage/tests.d/"
done

modobjs=
if [ -f "$src/Kbuild" ]; then
	# built in a copy, so that the clone holds no build products
	cp "$src"/Kbuild "$src"/*.c "$modbuild"/ 2>/dev/null || true
	cp "$src"/*.h "$top"/refvmm/testdev.h "$modbuild"/ 2>/dev/null || true
	make -s -C "$tree" O="$kb" ARCH=arm64 CROSS_COMPILE="$cross" \
		CC="ccache ${cross}gcc" M="$modbuild" modules
	find "$modbuild" -name '*.ko' -exec install -m 0644 {} "$stage/modules/" \;
	modobjs=$(grep -o '[A-Za-z0-9_-]*\.o' "$src/Kbuild" | sed 's/\.o$//' | sort -u)
fi
for c in "$src"/*.c; do
	[ -f "$c" ] || continue
	n=$(basename "$c" .c)
	echo "$modobjs" | grep -qx "$n" && continue
	"${cross}gcc" -O2 -Wall -Werror -static -I"$top/refvmm" -o "$stage/bin/$n" "$c"
done

(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --owner=0:0 --quiet) | gzip -9 > "$out.tmp"
mv "$out.tmp" "$out"
