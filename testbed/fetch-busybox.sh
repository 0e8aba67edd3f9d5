#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian's static arm64 busybox for the test initramfs.
set -euo pipefail
dest=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! dpkg --print-foreign-architectures | grep -qx arm64 ||
   ! apt-cache show busybox-static:arm64 >/dev/null 2>&1; then
	if [ "$(id -u)" != 0 ]; then
		echo "error: no arm64 busybox-static: run 'sudo dpkg --add-architecture arm64 && sudo apt-get update' and retry" >&2
		exit 1
	fi
	dpkg --add-architecture arm64
	apt-get update -qq >/dev/null
fi
echo "  FETCH   busybox-static:arm64"
(cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root busybox-static:arm64 >/dev/null) ||
	{ echo "error: 'apt-get download busybox-static:arm64' failed" >&2; exit 1; }
dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/x"
file -b "$tmp/x/bin/busybox" | grep -q 'ARM aarch64.*statically linked' ||
	{ echo "error: busybox-static:arm64 is not a static aarch64 binary" >&2; exit 1; }
mkdir -p "$(dirname "$dest")"
cp "$tmp/x/bin/busybox" "$dest"
