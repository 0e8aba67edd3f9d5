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
"$top/testbed/base.sh" "$base" local && exit 0

# --- a base from another Debian suite, into the source cache ----------------
tarball=$("$top/testbed/base.sh" "$base" tarball)
cache=${tarball%/usr/src/*}
stamp=$cache/debian-version
[ -r "$tarball" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$debver" ] && exit 0

suite=$("$top/testbed/base.sh" "$base" suite)
src=/etc/apt/sources.list.d/debian.sources
uri=$(awk '/^URIs:/ { print $2; exit }' "$src" 2>/dev/null || true)
keyring=$(awk '/^Signed-By:/ { print $2; exit }' "$src" 2>/dev/null || true)
[ -n "$uri" ] && [ -n "$keyring" ] ||
	{ echo "error: no Debian URI and keyring in $src: cannot fetch $package from $suite" >&2; exit 1; }
apt=$cache/apt
rm -rf "$apt" && mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/dl"
echo "deb [signed-by=$keyring] $uri $suite main" > "$apt/sources.list"
opts=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o Dir::Etc::sourceparts=-
      -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
      -o APT::Sandbox::User=root -qq)
echo "  FETCH   $package=$debver ($suite, $uri)"
apt-get "${opts[@]}" update >"$apt/log" 2>&1 ||
	{ echo "error: apt-get update for $suite failed (see $apt/log)" >&2; exit 1; }
(cd "$apt/dl" && apt-get "${opts[@]}" download "$package=$debver" >>"$apt/log" 2>&1) ||
	{ echo "error: $suite has no $package=$debver (the version testbed/bases names; see $apt/log)" >&2; exit 1; }
deb=$(ls "$apt/dl"/*.deb)
[ "$(dpkg-deb -f "$deb" Version)" = "$debver" ] ||
	{ echo "error: $deb is not version $debver" >&2; exit 1; }
rm -rf "$cache/usr" "$stamp"
dpkg-deb -x "$deb" "$cache"
[ -r "$tarball" ] || { echo "error: $deb has no ${tarball#"$cache"}" >&2; exit 1; }
echo "$debver" > "$stamp"
rm -rf "$apt"
