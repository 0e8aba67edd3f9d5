#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make sure the Debian packages the build and the test bed need are there.
# As root, install what is missing; otherwise say exactly what to install.
set -euo pipefail

pkgs=(
	make gcc git xz-utils python3 rsync file
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	flex bison bc libssl-dev libelf-dev cpio kmod dwarves ccache
	qemu-system-arm qemu-efi-aarch64 acpica-tools
	python3-ply python3-git
	"$1"
)

# Disk: the unpacked base and its git copy take ~2.5 GiB, a kernel build
# ~0.3 GiB (the debug one ~1 GiB). Ask for room before starting.
need_disk() {
	local dir=$1 need_gib=$2 have_kib
	mkdir -p "$dir"
	have_kib=$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')
	if [ "$have_kib" -lt $((need_gib * 1024 * 1024)) ]; then
		echo "error: only $((have_kib / 1024)) MiB free under $dir, the build needs ${need_gib} GiB: free some space (make clean removes out/)" >&2
		exit 1
	fi
}
out=${OUT:-out}
if [ -d "$out/linux/.git" ]; then need_disk "$out" 2; else need_disk "$out" 5; fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "error: missing Debian packages: run 'sudo apt-get install ${missing[*]}' and retry" >&2
	exit 1
fi
echo "  APT     ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
	{ echo "error: apt-get install ${missing[*]} failed (see above)" >&2; exit 1; }
