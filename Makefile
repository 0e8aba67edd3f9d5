# SPDX-License-Identifier: GPL-2.0
#
# vmmfw: KVM/arm64 patches that let a VMM act as its guest's firmware.
#
# 'make help' lists the targets. Everything built lands in out/; the
# ccache lives outside the clone (CCACHE_DIR) and survives 'make clean'.

BASE_VERSION	:= 6.12.117
BASE_PACKAGE	:= linux-source-6.12
BASE_DEB	:= 6.12.117-1~deb12u1
BASE_TARBALL	?= /usr/src/linux-source-6.12.tar.xz

OUT		:= $(CURDIR)/out
TREE		:= $(OUT)/linux
TREE_STAMP	:= $(TREE)/.git/vmmfw-series-hash
SELFTESTS	:= $(OUT)/selftests
INITRAMFS	:= $(OUT)/initramfs.cpio.gz
BUSYBOX		:= $(OUT)/deps/busybox

JOBS		?= $(shell nproc)
MODE		?=
PLATFORM	?= dt
FLAVOUR		?= default
TESTS		?=
CMD		?=
EXTRA		?=

CROSS_COMPILE	:= aarch64-linux-gnu-
CCACHE_DIR	?= $(HOME)/.cache/vmmfw-ccache
export CCACHE_DIR
export CCACHE_BASEDIR	:= $(OUT)
export CCACHE_NOHASHDIR	:= 1
export CCACHE_MAXSIZE	?= 5G
export KBUILD_BUILD_TIMESTAMP	:= Thu Jan  1 00:00:00 UTC 2026
export KBUILD_BUILD_USER	:= vmmfw
export KBUILD_BUILD_HOST	:= vmmfw
export KBUILD_BUILD_VERSION	:= 1
export BASE_VERSION BASE_TARBALL BASE_DEB

# One kernel build directory per flavour: 'default' for make check/run,
# 'debug' (KASAN, UBSAN, lockdep) for make check-debug.
KB		= $(OUT)/build/$(FLAVOUR)
KB_default	:= $(OUT)/build/default
KB_debug	:= $(OUT)/build/debug
FRAGMENTS_default := testbed/config/vmmfw.config
FRAGMENTS_debug	:= testbed/config/vmmfw.config testbed/config/debug.config

KMAKE		= $(MAKE) -s -C $(TREE) O=$(1) ARCH=arm64 \
		  CROSS_COMPILE=$(CROSS_COMPILE) LOCALVERSION= \
		  CC="ccache $(CROSS_COMPILE)gcc" HOSTCC="ccache gcc" -j$(JOBS)

SELFTEST_MAKE	= $(MAKE) -s -C $(TREE)/tools/testing/selftests/kvm ARCH=arm64 \
		  CROSS_COMPILE=$(CROSS_COMPILE) CC="ccache $(CROSS_COMPILE)gcc" \
		  OUTPUT=$(SELFTESTS)/kvm INSTALL_HDR_PATH=$(KB_default)/usr \
		  KHDR_INCLUDES="-isystem $(KB_default)/usr/include" \
		  EXTRA_CFLAGS=-static LDFLAGS=-static -j$(JOBS)

# The out-of-tree test modules (./Kbuild), built per kernel flavour in a
# copy of their sources, so that the clone stays free of build products.
MODSRC		:= Kbuild $(shell find tools -name Kbuild -o -path '*testmod*' -type f)
MODS		= $(OUT)/modules/$(FLAVOUR)
HEST_TEMPLATE	:= testbed/acpi/hest-sei.dsl

VMRUN		= python3 testbed/vmrun.py
VMRUN_INPUTS	= --out $(OUT) --kernel $< --initramfs $(INITRAMFS) \
		  --modules $(MODS) --hest-template $(HEST_TEMPLATE)

.PHONY: help deps tree kernel modules selftests initramfs check \
	check-debug run bench series checkpatch bisect-build refresh reset-tree clean FORCE

help:
	@echo "vmmfw: KVM/arm64 patches that let a VMM play its guest's firmware"
	@echo
	@echo "  make check          build everything, run the suite on each platform (dt, acpi, acpi-ras, a72)"
	@echo "                      in VHE and nVHE (a72: nVHE only) (TESTS=\"a b\")"
	@echo "  make run            boot the patched kernel into a shell (MODE=nvhe, PLATFORM=acpi-ras|a72,"
	@echo "                      CMD='...', EXTRA=dir)"
	@echo "  make check-debug    the suite on a KASAN/UBSAN/lockdep kernel"
	@echo "  make bench          the SMCCC forwarding benchmark in the VM (MODE=nvhe)"
	@echo "  make series         the maintainer-ready series in out/series/"
	@echo "  make checkpatch     checkpatch.pl --strict on every patch of the series"
	@echo "  make bisect-build   build the kernel after each patch of the series"
	@echo "  make refresh        save commits made in out/linux back into patches/"
	@echo "  make reset-tree     discard edits made in out/linux"
	@echo "  make deps | tree | kernel | modules | selftests | initramfs   (single steps)"
	@echo "  make clean          remove out/ (never the ccache)"

# --- dependencies -----------------------------------------------------------
deps:
	@OUT=$(OUT) testbed/deps.sh $(BASE_PACKAGE)

$(BUSYBOX): | deps
	@testbed/fetch-busybox.sh $@

# --- the patched tree -------------------------------------------------------
# prepare-tree.sh only rewrites the stamp when the series changed, so an
# unchanged series rebuilds nothing downstream.
$(TREE_STAMP): FORCE | deps
	@testbed/prepare-tree.sh $(TREE)

tree: $(TREE_STAMP)

# --- kernel -----------------------------------------------------------------
$(KB_default)/.config $(KB_debug)/.config: $(OUT)/build/%/.config: $(TREE_STAMP) $(FRAGMENTS_debug)
	@echo "  CONFIG  $*"
	@mkdir -p $(@D)
	@$(call KMAKE,$(@D)) allnoconfig >/dev/null
	@cd $(TREE) && ARCH=arm64 scripts/kconfig/merge_config.sh -m -O $(@D) \
		$(@D)/.config $(addprefix $(CURDIR)/,$(FRAGMENTS_$*)) >/dev/null
	@$(call KMAKE,$(@D)) olddefconfig >/dev/null
	@testbed/check-config.sh $(@D)/.config $(FRAGMENTS_$*)

$(KB_default)/arch/arm64/boot/Image $(KB_debug)/arch/arm64/boot/Image: \
$(OUT)/build/%/arch/arm64/boot/Image: $(OUT)/build/%/.config $(TREE_STAMP)
	@echo "  KERNEL  $* (ccache: $(CCACHE_DIR))"
	@$(call KMAKE,$(OUT)/build/$*) Image modules
	@$(call KMAKE,$(OUT)/build/$*) headers_install >/dev/null
	@touch $@

kernel: $(KB)/arch/arm64/boot/Image

$(OUT)/modules/%/.stamp: $(OUT)/build/%/arch/arm64/boot/Image $(MODSRC)
	@echo "  MODULES $*"
	@rm -rf $(@D) && mkdir -p $(@D)
	@cp --parents $(MODSRC) $(@D)
	@$(call KMAKE,$(OUT)/build/$*) M=$(@D) modules
	@touch $@

modules: $(MODS)/.stamp


# --- user space -------------------------------------------------------------
$(SELFTESTS)/.stamp: $(KB_default)/arch/arm64/boot/Image
	@echo "  SELFTESTS kvm (static)"
	@mkdir -p $(SELFTESTS)/kvm
	@$(SELFTEST_MAKE)
	@touch $@

selftests: $(SELFTESTS)/.stamp

$(INITRAMFS): $(SELFTESTS)/.stamp $(BUSYBOX) testbed/init testbed/mkinitramfs.sh
	@echo "  INITRAMFS $@"
	@testbed/mkinitramfs.sh $@ $(BUSYBOX) $(SELFTESTS)/kvm

initramfs: $(INITRAMFS)

# --- running ----------------------------------------------------------------
check: FLAVOUR := default
check: $(KB_default)/arch/arm64/boot/Image $(INITRAMFS) $(OUT)/modules/default/.stamp
	@$(VMRUN) check $(VMRUN_INPUTS) \
		--suite testbed/suite --modes "vhe nvhe" --tests "$(TESTS)" \
		--tap $(OUT)/check.tap

check-debug: FLAVOUR := debug
check-debug: $(KB_debug)/arch/arm64/boot/Image $(INITRAMFS) $(OUT)/modules/debug/.stamp
	@$(VMRUN) check $(VMRUN_INPUTS) \
		--suite testbed/suite --modes "vhe nvhe" --tests "$(TESTS)" \
		--timeout-scale 6 --tag check-debug --tap $(OUT)/check-debug.tap

run: $(KB)/arch/arm64/boot/Image $(INITRAMFS) $(MODS)/.stamp
	@$(VMRUN) run $(VMRUN_INPUTS) $(if $(MODE),--mode $(MODE)) --platform $(PLATFORM) \
		$(if $(value CMD),--cmd '$(subst ','\'',$(value CMD))') \
		$(if $(EXTRA),--extra '$(EXTRA)')

# The SMCCC forwarding benchmark: a report of per-call round trips, not a
# test. BENCH_ARGS go to smccc_fwd_bench (-n calls per sample, -r reps).
bench: $(KB_default)/arch/arm64/boot/Image $(INITRAMFS)
	@$(VMRUN) run --out $(OUT) --kernel $< --initramfs $(INITRAMFS) \
		$(if $(MODE),--mode $(MODE)) --cmd 'smccc_fwd_bench $(BENCH_ARGS)'

# --- the series -------------------------------------------------------------
series: $(TREE_STAMP)
	@testbed/mkseries.sh $(TREE) $(OUT)/series

checkpatch: series
	@testbed/checkpatch.sh $(TREE) $(OUT)/series

bisect-build: $(KB_default)/.config
	@testbed/bisect-build.sh $(TREE) $(OUT)/bisect $(KB_default)/.config $(JOBS)

refresh:
	@python3 testbed/refresh.py $(TREE)

reset-tree:
	@git -C $(TREE) reset -q --hard base && \
		rm -f $(TREE_STAMP) $(TREE)/.git/vmmfw-applied-head && \
		testbed/prepare-tree.sh $(TREE)

clean:
	rm -rf $(OUT)

FORCE:
