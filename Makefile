# SPDX-License-Identifier: GPL-2.0
#
# vmmfw: KVM/arm64 patches that let a VMM act as its guest's firmware.
#
# 'make help' lists the targets. The bases the series is built on are the
# lines of testbed/bases (the first is mainline, the default); BASE=<name>
# picks one. Everything built for a base lands in out/<base>/; the ccache
# and the fetched base tarballs live outside the clone and survive
# 'make clean'.

BASES		:= $(shell testbed/base.sh names)
BASE		?=
# The base of the commands that take one (run, tree, kernel, series...):
# BASE, or mainline. check, check-debug, fuzz, checkpatch and bisect-build run
# every base when BASE is unset.
B		:= $(or $(BASE),$(firstword $(BASES)))
ifeq ($(filter $(B),$(BASES)),)
$(error unknown BASE=$(B): one of $(BASES) (testbed/bases))
endif
ALL_BASES	:= $(or $(BASE),$(BASES))
ARCHDIR		:= $(shell testbed/base.sh $(B) arch)

OUT		:= $(CURDIR)/out
BOUT		:= $(OUT)/$(B)
TREE		:= $(BOUT)/linux
TREE_STAMP	:= $(TREE)/.git/vmmfw-series-hash
SELFTESTS	:= $(BOUT)/selftests
INITRAMFS	:= $(BOUT)/initramfs.cpio.gz
BUSYBOX		:= $(OUT)/deps/busybox
# The test bed's own static tools, the same for every base, in the VM's
# /vmmfw/bin.
VMM_ENV		:= $(OUT)/tools/vmm_env
KVM_HOLD	:= $(OUT)/tools/kvm_hold

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
# Paths are hashed relative to out/, so both bases' trees (out/<base>/linux,
# built in out/<base>/build/<flavour>) and every clone share the cache.
export CCACHE_BASEDIR	:= $(OUT)
export CCACHE_NOHASHDIR	:= 1
export CCACHE_MAXSIZE	?= 5G
export KBUILD_BUILD_TIMESTAMP	:= Thu Jan  1 00:00:00 UTC 2026
export KBUILD_BUILD_USER	:= vmmfw
export KBUILD_BUILD_HOST	:= vmmfw
export KBUILD_BUILD_VERSION	:= 1

# One kernel build directory per flavour: 'default' for make check/run,
# 'debug' (KASAN, UBSAN, lockdep) for make check-debug.
KB		= $(BOUT)/build/$(FLAVOUR)
KB_default	:= $(BOUT)/build/default
KB_debug	:= $(BOUT)/build/debug
# testbed/config/base-<base>.config holds what only one base spells that
# way (an option another base no longer has).
FRAGMENTS_default := testbed/config/vmmfw.config $(wildcard testbed/config/base-$(B).config)
FRAGMENTS_debug	:= $(FRAGMENTS_default) testbed/config/debug.config

KMAKE		= $(MAKE) -s -C $(TREE) O=$(1) ARCH=arm64 \
		  CROSS_COMPILE=$(CROSS_COMPILE) LOCALVERSION= \
		  CC="ccache $(CROSS_COMPILE)gcc" HOSTCC="ccache gcc" -j$(JOBS)

SELFTEST_MAKE	= $(MAKE) -s -C $(TREE)/tools/testing/selftests/kvm ARCH=arm64 \
		  CROSS_COMPILE=$(CROSS_COMPILE) CC="ccache $(CROSS_COMPILE)gcc" \
		  OUTPUT=$(SELFTESTS)/kvm INSTALL_HDR_PATH=$(KB_default)/usr \
		  KHDR_INCLUDES="-isystem $(KB_default)/usr/include" \
		  EXTRA_CFLAGS=-static LDFLAGS=-static -j$(JOBS)

# The out-of-tree test module (./Kbuild), built per base and kernel flavour
# from the assembled tree's copy (the one the base's series gives it, under
# the base's selftest directory), staged at its mainline path next to
# ./Kbuild, so that the clone stays free of build products.
TESTMOD		:= tools/testing/selftests/kvm/$(ARCHDIR)/ras_testmod
TESTMOD_MAIN	:= tools/testing/selftests/kvm/arm64/ras_testmod
MODS		= $(BOUT)/modules/$(FLAVOUR)
HEST_TEMPLATE	:= testbed/acpi/hest-sei.dsl

VMRUN		= python3 testbed/vmrun.py
VMRUN_COMMON	= --hest-template $(HEST_TEMPLATE)

# A .config that failed check-config.sh must not survive to the next run.
.DELETE_ON_ERROR:

.PHONY: help deps tree kernel modules selftests initramfs artifacts check \
	check-debug fuzz run run-guest refvmm guest bench series checkpatch bisect-build refresh reset-tree \
	clean FORCE

help:
	@echo "vmmfw: KVM/arm64 patches that let a VMM play its guest's firmware"
	@echo
	@echo "Bases (testbed/bases): $(BASES); BASE=<name> picks one. Without BASE,"
	@echo "check, check-debug, checkpatch and bisect-build run every base, the"
	@echo "other commands mainline ($(firstword $(BASES)))."
	@echo
	@echo "  make check          build everything, run the suite of each base on each platform"
	@echo "                      (dt, acpi, acpi-ras, a72, nv) in VHE and nVHE (a72: nVHE only;"
	@echo "                      nv: 7.3 with kvm-arm.mode=nested under QEMU 10.0), one"
	@echo "                      TAP stream in out/check.tap (TESTS=\"a b\", BASE=...)"
	@echo "  make run            boot the patched kernel into a shell (BASE=..., MODE=nvhe,"
	@echo "                      PLATFORM=acpi-ras|acpi|a72|nv, CMD='...', EXTRA=dir, FLAVOUR=debug)"
	@echo "  make run-guest      the test VM, and in it the reference VMM (refvmm/) with its Linux"
	@echo "                      guest: a shell in the guest, or CMD='...' run in the guest"
	@echo "                      (BASE=..., MODE=nvhe, GUEST_ARGS='-c 4 -- --regs=onereg')"
	@echo "  make check-debug    the suite on a KASAN/UBSAN/lockdep kernel"
	@echo "  make fuzz           smccc_fwd_fuzz's long runs on the debug kernel, logs in"
	@echo "                      out/<base>/fuzz/ (FUZZ_TIME=seconds, SEED=, BASE=, MODE=,"
	@echo "                      FUZZ_PARALLEL=1: all boots at once, FUZZ_MODES=)"
	@echo "  make bench          the SMCCC forwarding benchmark in the VM (MODE=nvhe)"
	@echo "  make series         the maintainer-ready series in out/series/<base>/"
	@echo "  make checkpatch     checkpatch.pl --strict on every patch of the series"
	@echo "  make bisect-build   build the kernel after each patch of the series"
	@echo "  make refresh        save commits made in out/<base>/linux back into the repository"
	@echo "  make reset-tree     discard edits made in out/<base>/linux"
	@echo "  make deps | tree | kernel | modules | selftests | initramfs   (single steps)"
	@echo "  make refvmm | guest the reference VMM (out/refvmm/), its guest kernel and initramfs"
	@echo "  make clean          remove out/ (never the ccache, never the fetched bases)"

# --- dependencies -----------------------------------------------------------
deps:
	@OUT=$(OUT) testbed/deps.sh $(B)

$(BUSYBOX): | deps
	@testbed/fetch-busybox.sh $@

# --- the patched tree -------------------------------------------------------
# prepare-tree.sh only rewrites the stamp when the series changed, so an
# unchanged series rebuilds nothing downstream.
$(TREE_STAMP): FORCE | deps
	@testbed/prepare-tree.sh $(B) $(TREE)

tree: $(TREE_STAMP)

# --- kernel -----------------------------------------------------------------
$(KB_default)/.config $(KB_debug)/.config: $(BOUT)/build/%/.config: $(TREE_STAMP) $(FRAGMENTS_debug)
	@echo "  CONFIG  $(B) $*"
	@mkdir -p $(@D)
	@$(call KMAKE,$(@D)) allnoconfig >/dev/null
	@cd $(TREE) && ARCH=arm64 scripts/kconfig/merge_config.sh -m -O $(@D) \
		$(@D)/.config $(addprefix $(CURDIR)/,$(FRAGMENTS_$*)) >/dev/null
	@$(call KMAKE,$(@D)) olddefconfig >/dev/null
	@testbed/check-config.sh $(@D)/.config $(FRAGMENTS_$*)

$(KB_default)/arch/arm64/boot/Image $(KB_debug)/arch/arm64/boot/Image: \
$(BOUT)/build/%/arch/arm64/boot/Image: $(BOUT)/build/%/.config $(TREE_STAMP)
	@echo "  KERNEL  $(B) $* (ccache: $(CCACHE_DIR))"
	@$(call KMAKE,$(BOUT)/build/$*) Image modules
	@$(call KMAKE,$(BOUT)/build/$*) headers_install >/dev/null
	@touch $@

kernel: $(KB)/arch/arm64/boot/Image

$(BOUT)/modules/%/.stamp: $(BOUT)/build/%/arch/arm64/boot/Image Kbuild
	@echo "  MODULES $(B) $*"
	@[ -d $(TREE)/$(TESTMOD) ] || { echo "error: $(TREE) has no $(TESTMOD): patches/$(B)/series adds no test module" >&2; exit 1; }
	@rm -rf $(@D) && mkdir -p $(@D)/$(dir $(TESTMOD_MAIN))
	@cp Kbuild $(@D)/
	@cp -r $(TREE)/$(TESTMOD) $(@D)/$(TESTMOD_MAIN)
	@$(call KMAKE,$(BOUT)/build/$*) M=$(@D) modules
	@touch $@

modules: $(MODS)/.stamp


# --- the reference VMM and its guest (refvmm/) ------------------------------
# refvmm is a static arm64 binary built against the patched mainline UAPI
# headers; the same binary runs on every base. Its guest kernel is built
# once, from the mainline tree, with testbed/config/guest.config. Both, and
# the guest's initramfs, go into every base's test VM initramfs.
GUEST_BASE	:= $(firstword $(BASES))
GUEST_TREE	:= $(OUT)/$(GUEST_BASE)/linux
GUEST_KB	:= $(OUT)/$(GUEST_BASE)/build/guest
GUEST_IMAGE	:= $(GUEST_KB)/arch/arm64/boot/Image
GUEST_FRAGMENTS	:= testbed/config/guest.config
GUEST_INITRAMFS	:= $(OUT)/guest/initramfs.cpio.gz
REFVMM_OUT	:= $(OUT)/refvmm
REFVMM		:= $(REFVMM_OUT)/refvmm
REFVMM_UAPI	:= $(OUT)/$(GUEST_BASE)/build/default/usr/include
REFVMM_SRCS	:= $(wildcard refvmm/*.c refvmm/*.h)
GKMAKE		= $(MAKE) -s -C $(GUEST_TREE) O=$(GUEST_KB) ARCH=arm64 \
		  CROSS_COMPILE=$(CROSS_COMPILE) LOCALVERSION= \
		  CC="ccache $(CROSS_COMPILE)gcc" HOSTCC="ccache gcc" -j$(JOBS)

$(REFVMM): $(REFVMM_SRCS) refvmm/tests/psci-mini.S refvmm/tests/bench-guest.S refvmm/Makefile $(REFVMM_UAPI)/linux/kvm.h
	@echo "  REFVMM  $@"
	@$(MAKE) -s -C refvmm O=$(REFVMM_OUT) UAPI=$(REFVMM_UAPI) \
		CROSS_COMPILE=$(CROSS_COMPILE)

$(REFVMM_UAPI)/linux/kvm.h:
	@$(MAKE) --no-print-directory kernel BASE=$(GUEST_BASE)

refvmm: $(REFVMM)

# The mainline tree, also when this make works on another base
GUEST_STAMP	:= $(GUEST_TREE)/.git/vmmfw-series-hash
ifneq ($(B),$(GUEST_BASE))
$(GUEST_STAMP): FORCE
	@$(MAKE) --no-print-directory tree BASE=$(GUEST_BASE)
endif

$(GUEST_KB)/.config: $(GUEST_FRAGMENTS) $(GUEST_STAMP)
	@echo "  CONFIG  $(GUEST_BASE) guest"
	@mkdir -p $(@D)
	@$(GKMAKE) allnoconfig >/dev/null
	@cd $(GUEST_TREE) && ARCH=arm64 scripts/kconfig/merge_config.sh -m -O $(@D) \
		$(@D)/.config $(addprefix $(CURDIR)/,$(GUEST_FRAGMENTS)) >/dev/null
	@$(GKMAKE) olddefconfig >/dev/null
	@testbed/check-config.sh $(@D)/.config $(GUEST_FRAGMENTS)

$(GUEST_IMAGE): $(GUEST_KB)/.config $(GUEST_STAMP)
	@echo "  KERNEL  $(GUEST_BASE) guest (ccache: $(CCACHE_DIR))"
	@$(GKMAKE) Image modules
	@touch $@

# The guest's initramfs: busybox, refvmm/guest/init, and the guest-side
# programs and module when refvmm/guest/Makefile builds them.
$(GUEST_INITRAMFS): $(GUEST_IMAGE) $(BUSYBOX) $(wildcard refvmm/guest/* refvmm/guest/tests.d/*) \
		refvmm/testdev.h refvmm/mkguestinitramfs.sh
	@echo "  INITRAMFS $@"
	@mkdir -p $(@D)
	@refvmm/mkguestinitramfs.sh $@ $(BUSYBOX) $(GUEST_TREE) $(GUEST_KB) $(CROSS_COMPILE)

guest: $(GUEST_IMAGE) $(GUEST_INITRAMFS)

# What every base's test VM carries (testbed/mkinitramfs.sh): refvmm and
# its test driver in /vmmfw/bin (on PATH), the guest in /refvmm.
REFVMM_STAGE	:= $(REFVMM_OUT)/stage
$(REFVMM_STAGE)/.stamp: $(REFVMM) $(GUEST_IMAGE) $(GUEST_INITRAMFS) $(wildcard refvmm/tests/*) \
		refvmm/sdei.c refvmm/sdei.h
	@rm -rf $(@D) && mkdir -p $(@D)/vmmfw/bin $(@D)/refvmm
	@cp $(REFVMM) refvmm/tests/refvmm-guest-test refvmm/tests/refvmm-run-guest \
		refvmm/tests/refvmm-bench $(@D)/vmmfw/bin/
	@$(CROSS_COMPILE)gcc -O2 -static -pthread -Wall -Werror \
		-o $(@D)/vmmfw/bin/ras_host_facts refvmm/tests/ras_host_facts.c
	@$(CROSS_COMPILE)gcc -O2 -static -pthread -Wall -Werror -D_GNU_SOURCE \
		-o $(@D)/vmmfw/bin/sdei_unit refvmm/tests/sdei_unit.c refvmm/sdei.c
	@cp $(GUEST_IMAGE) $(GUEST_INITRAMFS) $(REFVMM_OUT)/psci-mini.Image \
		$(REFVMM_OUT)/bench-cpu-on.Image $(REFVMM_OUT)/bench-sdei.Image $(@D)/refvmm/
	@touch $@

# --- user space -------------------------------------------------------------
$(SELFTESTS)/.stamp: $(KB_default)/arch/arm64/boot/Image
	@echo "  SELFTESTS $(B) kvm (static)"
	@mkdir -p $(SELFTESTS)/kvm
	@$(SELFTEST_MAKE)
	@touch $@

selftests: $(SELFTESTS)/.stamp

# vmm_env checks what a VMM brought with EXTRA= needs from the VM's kernel.
$(VMM_ENV): testbed/vmm_env.c
	@echo "  CC      $@ (static)"
	@mkdir -p $(@D)
	@$(CROSS_COMPILE)gcc -static -O2 -Wall -Wextra -Werror -o $@ $<

# kvm_hold keeps one VM alive while the test VM runs (see the file).
$(KVM_HOLD): testbed/kvm_hold.c
	@echo "  CC      $@ (static)"
	@mkdir -p $(@D)
	@$(CROSS_COMPILE)gcc -static -O2 -Wall -Wextra -Werror -o $@ $<

$(INITRAMFS): $(SELFTESTS)/.stamp $(BUSYBOX) $(VMM_ENV) $(KVM_HOLD) testbed/init \
		testbed/mkinitramfs.sh $(REFVMM_STAGE)/.stamp
	@echo "  INITRAMFS $@"
	@testbed/mkinitramfs.sh $@ $(BUSYBOX) $(SELFTESTS)/kvm $(REFVMM_STAGE) \
		$(VMM_ENV) $(KVM_HOLD)

initramfs: $(INITRAMFS)

# Everything a base's boots need, for one FLAVOUR: vmrun.py finds them
# under out/<base>/ (see testbed/vm/platforms.py, class Build).
artifacts: $(KB)/arch/arm64/boot/Image $(INITRAMFS) $(MODS)/.stamp

# --- running ----------------------------------------------------------------
# check and check-debug build each base in turn, then run the suites of all
# of them in one vmrun.py run: one TAP stream, numbered across the bases.
CHECK_ARGS	= $(foreach b,$(ALL_BASES),--base $(b)=$(OUT)/$(b)) $(VMRUN_COMMON) \
		  --suite-dir testbed/suite --modes "vhe nvhe nested" --tests "$(TESTS)"

check: FLAVOUR := default
check-debug: FLAVOUR := debug
check check-debug:
	@for b in $(ALL_BASES); do \
		$(MAKE) --no-print-directory artifacts BASE=$$b FLAVOUR=$(FLAVOUR) || exit 1; \
	done
	@$(VMRUN) check $(CHECK_ARGS) --flavour $(FLAVOUR) \
		$(if $(filter debug,$(FLAVOUR)),--timeout-scale 6) \
		--tag $@ --tap $(OUT)/$@.tap

# make fuzz: smccc_fwd_fuzz's long runs on the debug kernel, every base
# (or BASE) in VHE and nVHE (or MODE); testbed/fuzz.sh says how the time is
# shared and where the logs go.
# FUZZ_FLAVOUR=default runs them on the default kernel (a quick smoke test);
# FUZZ_PARALLEL=1 boots every base and mode at once instead of in turn;
# FUZZ_MODES="uapi a32" runs only those modes of the fuzzer.
FUZZ_TIME	?= 600
FUZZ_FLAVOUR	?= debug
SEED		?= $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
fuzz: FLAVOUR := $(FUZZ_FLAVOUR)
fuzz:
	@for b in $(ALL_BASES); do \
		$(MAKE) --no-print-directory artifacts BASE=$$b FLAVOUR=$(FLAVOUR) || exit 1; \
	done
	@FUZZ_PARALLEL=$(FUZZ_PARALLEL) FUZZ_MODES="$(FUZZ_MODES)" testbed/fuzz.sh $(OUT) "$(ALL_BASES)" "$(or $(MODE),vhe nvhe)" \
		$(FUZZ_TIME) $(SEED) $(FLAVOUR) $(VMRUN_COMMON)

run: artifacts
	@$(VMRUN) run --base $(B)=$(BOUT) --flavour $(FLAVOUR) $(VMRUN_COMMON) \
		$(if $(MODE),--mode $(MODE)) --platform $(PLATFORM) \
		$(if $(value CMD),--cmd '$(subst ','\'',$(value CMD))') \
		$(if $(EXTRA),--extra '$(EXTRA)')

# refvmm with its Linux guest, in the test VM: a shell in the guest, or the
# guest runs CMD and refvmm-run-guest exits with its status. GUEST_ARGS go
# to refvmm-run-guest (-c CPUS, -- REFVMM-OPTION...).
GUEST_ARGS	?=
RUN_GUEST_DIR	:= $(REFVMM_OUT)/run-guest
run-guest: export REFVMM_GUEST_CMD = $(value CMD)
run-guest: artifacts
	@rm -rf $(RUN_GUEST_DIR) && mkdir -p $(RUN_GUEST_DIR)
	@$(if $(EXTRA),cp -r $(EXTRA)/. $(RUN_GUEST_DIR)/)
	@if [ -n "$$REFVMM_GUEST_CMD" ]; then \
		printf '%s\n' "$$REFVMM_GUEST_CMD" > $(RUN_GUEST_DIR)/guest-cmd; fi
	@$(VMRUN) run --base $(B)=$(BOUT) --flavour $(FLAVOUR) $(VMRUN_COMMON) \
		$(if $(MODE),--mode $(MODE)) --extra $(RUN_GUEST_DIR) \
		$(if $(value CMD),--cmd 'refvmm-run-guest -f /job/extra/guest-cmd $(GUEST_ARGS)',\
		--shell-cmd 'refvmm-run-guest $(GUEST_ARGS)')

# The benchmarks, reports and not tests: the SMCCC forwarding round trips
# (smccc_fwd_bench; BENCH_ARGS: -n calls per sample, -r reps), then what a
# PSCI CPU_ON round trip and an SDEI event cost a guest of refvmm, through
# sync regs and through ONE_REG (refvmm-bench; REFVMM_BENCH_ARGS: -r reps).
bench: FLAVOUR := default
bench: $(KB_default)/arch/arm64/boot/Image $(INITRAMFS)
	@$(VMRUN) run --base $(B)=$(BOUT) --flavour default $(VMRUN_COMMON) \
		$(if $(MODE),--mode $(MODE)) \
		--cmd 'smccc_fwd_bench $(BENCH_ARGS) && refvmm-bench $(REFVMM_BENCH_ARGS)'

# --- the series -------------------------------------------------------------
series: $(TREE_STAMP)
	@testbed/mkseries.sh $(B) $(TREE) $(OUT)/series/$(B)

refresh:
	@python3 testbed/refresh.py $(B) $(TREE)

reset-tree:
	@git -C $(TREE) reset -q --hard base && \
		rm -f $(TREE_STAMP) $(TREE)/.git/vmmfw-applied-head && \
		testbed/prepare-tree.sh $(B) $(TREE)

# checkpatch and bisect-build: one base, or each in turn (all are run; the
# target fails if any base failed).
ifeq ($(BASE),)
checkpatch bisect-build:
	@rc=0; for b in $(BASES); do \
		echo "  BASE    $$b"; \
		$(MAKE) --no-print-directory $@ BASE=$$b || rc=1; \
	done; exit $$rc
else
checkpatch: series
	@testbed/checkpatch.sh $(TREE) $(OUT)/series/$(B)

bisect-build: $(KB_default)/.config
	@testbed/bisect-build.sh $(B) $(TREE) $(BOUT)/bisect $(KB_default)/.config $(JOBS)
endif

clean:
	rm -rf $(OUT)

FORCE:
