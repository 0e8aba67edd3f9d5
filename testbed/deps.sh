#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make sure the Debian packages the build and the test bed need are there,
# and the tarball of base BASE (testbed/bases). As root, install what is
# missing; otherwise say exactly what to install.
#
# A base from the machine's own Debian release (6.12 on Debian 12) is
# installed like any package: /usr/src/linux-source-X.Y.tar.xz. Any other
# (7.3, from trixie-backports) is fetched with a private apt configuration
# that leaves the machine's sources alone: one source line for the base's
# suite, with the URI and keyring of the machine's own Debian entry, then
# 'apt-get download PACKAGE=VERSION' and 'dpkg-deb -x' into the source
# cache (VMMFW_SRC_CACHE, default ~/.cache/vmmfw-src/<base>/), outside the
# clone, so that another clone or 'make clean' does not fetch it again.
#
# QEMU 10.0 for the nested platform (testbed/vm/platforms.py, 'nv'), which
# needs FEAT_NV2, comes the same way from bookworm-backports into
# VMMFW_QEMU_CACHE (default ~/.cache/vmmfw-qemu/<version>/), without
# touching the machine's QEMU 7.2 that the other platforms use. Its
# binaries run on bookworm's own libraries (its Depends are all satisfied
# by bookworm); vmrun.py starts it with QEMU_MODULE_DIR and -L pointing
# into the cache, so that it never loads 7.2's modules or data.
#
# Usage: deps.sh BASE
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
base=$1
package=$("$top/testbed/base.sh" "$base" package)
debver=$("$top/testbed/base.sh" "$base" debian)

pkgs=(
	make gcc git xz-utils python3 rsync file
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	flex bison bc libssl-dev libelf-dev cpio kmod dwarves ccache
	qemu-system-arm qemu-efi-aarch64 acpica-tools
	python3-ply python3-git
)
"$top/testbed/base.sh" "$base" local && pkgs+=("$package")

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
out=${OUT:-out}/$base
if [ -d "$out/linux/.git" ]; then need_disk "$out" 2; else need_disk "$out" 5; fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "error: missing Debian packages: run 'sudo apt-get install ${missing[*]}' and retry" >&2
		exit 1
	fi
	echo "  APT     ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		{ echo "error: apt-get install ${missing[*]} failed (see above)" >&2; exit 1; }
fi
# --- packages from another Debian suite, with a private apt configuration -
# fetch_debs SUITE DIR PACKAGE=VERSION...: download the packages into
# DIR/dl/ through one source line for SUITE, with the URI and keyring of the
# machine's own Debian entry. The apt state lives in DIR/apt and goes away
# with it.
fetch_debs() {
	local suite=$1 dir=$2 src uri keyring apt
	shift 2
	src=/etc/apt/sources.list.d/debian.sources
	uri=$(awk '/^URIs:/ { print $2; exit }' "$src" 2>/dev/null || true)
	keyring=$(awk '/^Signed-By:/ { print $2; exit }' "$src" 2>/dev/null || true)
	[ -n "$uri" ] && [ -n "$keyring" ] ||
		{ echo "error: no Debian URI and keyring in $src: cannot fetch $* from $suite" >&2; exit 1; }
	apt=$dir/apt
	rm -rf "$apt" && mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/dl"
	echo "deb [signed-by=$keyring] $uri $suite main" > "$apt/sources.list"
	local opts=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o Dir::Etc::sourceparts=-
		    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
		    -o APT::Sandbox::User=root -qq)
	echo "  FETCH   $* ($suite, $uri)"
	apt-get "${opts[@]}" update >"$apt/log" 2>&1 ||
		{ echo "error: apt-get update for $suite failed (see $apt/log)" >&2; exit 1; }
	(cd "$apt/dl" && apt-get "${opts[@]}" download "$@" >>"$apt/log" 2>&1) ||
		{ echo "error: $suite has no $* (see $apt/log)" >&2; exit 1; }
	local pv deb
	for pv in "$@"; do
		deb=$(ls "$apt/dl/${pv%%=*}"_*.deb)
		[ "$(dpkg-deb -f "$deb" Version)" = "${pv#*=}" ] ||
			{ echo "error: $deb is not version ${pv#*=}" >&2; exit 1; }
	done
}

# --- QEMU 10.0 for the nested platform, into the QEMU cache -----------------
# qemu-system-arm has the binary, qemu-system-common the modules it may
# load, qemu-system-data the ROMs and firmware descriptions of that version.
qemu_debver=1:10.0.2+ds-2+deb13u1~bpo12+1
qemu_suite=bookworm-backports
qemu_cache=${VMMFW_QEMU_CACHE:-$HOME/.cache/vmmfw-qemu}/${qemu_debver#1:}
qemu_cache=${qemu_cache%%+ds*}
if [ "$(cat "$qemu_cache/debian-version" 2>/dev/null)" != "$qemu_debver" ] ||
   [ ! -x "$qemu_cache/usr/bin/qemu-system-aarch64" ]; then
	rm -rf "$qemu_cache" && mkdir -p "$qemu_cache"
	fetch_debs "$qemu_suite" "$qemu_cache" qemu-system-arm="$qemu_debver" \
		qemu-system-common="$qemu_debver" qemu-system-data="$qemu_debver"
	for deb in "$qemu_cache"/apt/dl/*.deb; do dpkg-deb -x "$deb" "$qemu_cache"; done
	rm -rf "$qemu_cache/apt"
	QEMU_MODULE_DIR=$qemu_cache/usr/lib/x86_64-linux-gnu/qemu \
		"$qemu_cache/usr/bin/qemu-system-aarch64" --version >/dev/null ||
		{ echo "error: $qemu_cache/usr/bin/qemu-system-aarch64 does not run (missing libraries? see ldd)" >&2; exit 1; }
	echo "$qemu_debver" > "$qemu_cache/debian-version"
fi

"$top/testbed/base.sh" "$base" local && exit 0

# --- a base from another Debian suite, into the source cache ----------------
tarball=$("$top/testbed/base.sh" "$base" tarball)
cache=${tarball%/usr/src/*}
stamp=$cache/debian-version
[ -r "$tarball" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$debver" ] && exit 0

suite=$("$top/testbed/base.sh" "$base" suite)
mkdir -p "$cache"
fetch_debs "$suite" "$cache" "$package=$debver"
deb=$(ls "$cache/apt/dl"/*.deb)
rm -rf "$cache/usr" "$stamp"
dpkg-deb -x "$deb" "$cache"
[ -r "$tarball" ] || { echo "error: $deb has no ${tarball#"$cache"}" >&2; exit 1; }
echo "$debver" > "$stamp"
rm -rf "$cache/apt"
