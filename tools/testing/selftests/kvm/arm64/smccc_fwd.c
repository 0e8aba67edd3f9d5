// SPDX-License-Identifier: GPL-2.0-only
/*
 * smccc_fwd - Tests for KVM_CAP_ARM_SMCCC_FORWARD.
 *
 * This test covers:
 *  - every error of KVM_ENABLE_CAP(KVM_CAP_ARM_SMCCC_FORWARD);
 *  - no exit without the capability;
 *  - HVC-only, SMC-only and dual-conduit ranges, and their exact edges;
 *  - the SDEI preset, function ID by function ID;
 *  - arguments in, and results out through kvm_run (KVM_CAP_SYNC_REGS), with
 *    no KVM_{GET,SET}_ONE_REG;
 *  - results set with KVM_SET_ONE_REG, as with KVM_ARM_VM_SMCCC_FILTER;
 *  - an SDEI-style context switch: an event delivered as a call returns,
 *    and the interrupted context restored by the handler's completion, all
 *    through kvm_run;
 *  - exits from KVM_ARM_VM_SMCCC_FILTER ranges keep upstream's flags and
 *    ret, whatever the immediate; forwarded ones report it;
 *  - ranges mixed with KVM_ARM_VM_SMCCC_FILTER entries;
 *  - KVM_ARM_SMCCC_FWD_ALL_SMC, with a non-SMCCC call and a non-zero
 *    immediate, from AArch64;
 *  - where the CPU has AArch32 EL1, SMCs from A32 and T32 callers: a
 *    PL310-style call with r12 = 0x102, conditional SMCs that pass and
 *    fail (in IT blocks for T32), and FIQ mode's banked r8-r12, all read
 *    and completed through ONE_REG;
 *  - the vCPU stat and the tracepoint;
 *  - several vCPUs forwarding at once, with no call lost or duplicated.
 */
#include <linux/arm-smccc.h>
#include <linux/psci.h>
#include <pthread.h>
#include <stdint.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

enum conduit {
	HVC_INSN,
	SMC_INSN,
};

#define FWD_HVC		KVM_ARM_SMCCC_FWD_HVC
#define FWD_SMC		KVM_ARM_SMCCC_FWD_SMC
#define FWD_BOTH	(FWD_HVC | FWD_SMC)

/* An OEM service call (owning entity 3, DEN0028E), unknown to KVM. */
#define OEM_FN(n)	ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL, ARM_SMCCC_SMC_64, \
					   ARM_SMCCC_OWNER_OEM, (n))
#define SDEI_FN32(n)	ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL, ARM_SMCCC_SMC_32, \
					   ARM_SMCCC_OWNER_STANDARD, 0x20 + (n))
#define SDEI_FN64(n)	ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL, ARM_SMCCC_SMC_64, \
					   ARM_SMCCC_OWNER_STANDARD, 0x20 + (n))

/* The arguments the guest passes in x1-x6. */
#define ARG(i)		(0xa0a0a0a000000000ull | (i))

/* --- guest side ------------------------------------------------------- */

static void guest_call(uint32_t func_id, enum conduit conduit,
		       struct arm_smccc_res *res)
{
	if (conduit == SMC_INSN)
		smccc_smc(func_id, ARG(1), ARG(2), ARG(3), ARG(4), ARG(5), ARG(6),
			  0, res);
	else
		smccc_hvc(func_id, ARG(1), ARG(2), ARG(3), ARG(4), ARG(5), ARG(6),
			  0, res);
}

/* One call; the host sees x0-x3 as the guest got them. */
static void guest_one_call(uint32_t func_id, enum conduit conduit)
{
	struct arm_smccc_res res;

	guest_call(func_id, conduit, &res);
	GUEST_SYNC_ARGS(func_id, res.a0, res.a1, res.a2, res.a3);
	GUEST_DONE();
}

/* Calls each of @nr function IDs in @ids, reporting after each one. */
static uint32_t guest_ids[128];

static void guest_id_list(int nr, enum conduit conduit)
{
	struct arm_smccc_res res;
	int i;

	for (i = 0; i < nr; i++) {
		guest_call(guest_ids[i], conduit, &res);
		GUEST_SYNC_ARGS(guest_ids[i], res.a0, res.a1, res.a2, res.a3);
	}
	GUEST_DONE();
}

/* An SMC #0 with all of x0 as given, x1-x3 = ARG(1-3). */
static void guest_smc_x0(uint64_t x0)
{
	register uint64_t r0 asm("x0") = x0;
	register uint64_t r1 asm("x1") = ARG(1);
	register uint64_t r2 asm("x2") = ARG(2);
	register uint64_t r3 asm("x3") = ARG(3);

	asm volatile("smc #0"
		     : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3) : : "memory");
	GUEST_SYNC_ARGS(x0, r0, r1, r2, r3);
	GUEST_DONE();
}

/* SMC with an immediate: not an SMCCC call (DEN0028E 2.9). */
static void guest_smc_imm(uint64_t x0)
{
	register uint64_t r0 asm("x0") = x0;
	register uint64_t r1 asm("x1") = ARG(1);
	register uint64_t r2 asm("x2") = ARG(2);
	register uint64_t r3 asm("x3") = ARG(3);

	asm volatile("smc #0x42"
		     : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3) : : "memory");
	GUEST_SYNC_ARGS(x0, r0, r1, r2, r3);
	GUEST_DONE();
}

/* --- host helpers ------------------------------------------------------ */

static int __enable_fwd(struct kvm_vm *vm, uint64_t base, uint64_t nr,
			uint64_t flags, uint64_t arg3, uint32_t cap_flags)
{
	struct kvm_enable_cap cap = {
		.cap	= KVM_CAP_ARM_SMCCC_FORWARD,
		.flags	= cap_flags,
		.args	= { base, nr, flags, arg3 },
	};

	return __vm_ioctl(vm, KVM_ENABLE_CAP, &cap);
}

static void enable_fwd(struct kvm_vm *vm, uint64_t base, uint64_t nr,
		       uint64_t flags)
{
	int r = __enable_fwd(vm, base, nr, flags, 0, 0);

	TEST_ASSERT(!r, "KVM_CAP_ARM_SMCCC_FORWARD [0x%lx + 0x%lx) flags 0x%lx: %s",
		    base, nr, flags, strerror(errno));
}

static void expect_errno(struct kvm_vm *vm, uint64_t base, uint64_t nr,
			 uint64_t flags, uint64_t arg3, uint32_t cap_flags,
			 int err, const char *what)
{
	int r = __enable_fwd(vm, base, nr, flags, arg3, cap_flags);

	TEST_ASSERT(r < 0 && errno == err, "%s: expected %s, got %d (%s)",
		    what, strerror(err), r, r ? strerror(errno) : "success");
}

static int __set_filter(struct kvm_vm *vm, uint32_t base, uint32_t nr,
			enum kvm_smccc_filter_action action)
{
	struct kvm_smccc_filter filter = {
		.base		= base,
		.nr_functions	= nr,
		.action		= action,
	};

	return __kvm_device_attr_set(vm->fd, KVM_ARM_VM_SMCCC_CTRL,
				     KVM_ARM_VM_SMCCC_FILTER, &filter);
}

static void set_filter(struct kvm_vm *vm, uint32_t base, uint32_t nr,
		       enum kvm_smccc_filter_action action)
{
	TEST_ASSERT(!__set_filter(vm, base, nr, action),
		    "KVM_ARM_VM_SMCCC_FILTER: %s", strerror(errno));
}

static struct kvm_vm *setup_vm(struct kvm_vcpu **vcpu, void *guest_code)
{
	struct kvm_vcpu_init init;
	struct kvm_vm *vm;

	vm = vm_create(1);
	vm_ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init);
	init.features[0] |= 1 << KVM_ARM_VCPU_PSCI_0_2;
	*vcpu = aarch64_vcpu_add(vm, 0, &init, guest_code);
	kvm_arch_vm_finalize_vcpus(vm);
	(*vcpu)->run->kvm_valid_regs = KVM_SYNC_ARM64_REGS;
	return vm;
}

static uint64_t get_reg(struct kvm_vcpu *vcpu, uint64_t id)
{
	uint64_t val;
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)&val };

	/*
	 * KVM_GET_ONE_REG itself, not vcpu_get_reg(): that helper takes an
	 * out parameter in 6.12.y, and this source also builds there.
	 */
	vcpu_ioctl(vcpu, KVM_GET_ONE_REG, &reg);
	return val;
}

/* The PSCI version KVM implements for the guest: 1.1 in 6.12.y, newer since */
static uint64_t kvm_psci_version(struct kvm_vcpu *vcpu)
{
	return get_reg(vcpu, KVM_REG_ARM_PSCI_VERSION);
}

static uint64_t vcpu_stat(struct kvm_vcpu *vcpu, const char *name)
{
	struct kvm_stats_header header;
	struct kvm_stats_desc *descs, *desc;
	uint64_t val = 0;
	bool found = false;
	int fd, i;

	fd = vcpu_get_stats_fd(vcpu);
	read_stats_header(fd, &header);
	descs = read_stats_descriptors(fd, &header);
	for (i = 0; i < header.num_desc; i++) {
		desc = get_stats_descriptor(descs, i, &header);
		if (!strcmp(desc->name, name)) {
			read_stat_data(fd, &header, desc, &val, 1);
			found = true;
		}
	}
	free(descs);
	close(fd);
	TEST_ASSERT(found, "no vCPU stat '%s'", name);
	return val;
}

/* Run until the guest reports; fail on anything else. */
static void run_to_sync(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	vcpu_run(vcpu);
	switch (get_ucall(vcpu, uc)) {
	case UCALL_SYNC:
		return;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(*uc);
	default:
		TEST_FAIL("unexpected exit %s (ucall %lu)",
			  exit_reason_str(vcpu->run->exit_reason), uc->cmd);
	}
}

/* The guest got x0-x3 = @a0-@a3 for @func_id, with no exit in between. */
static void expect_no_exit(struct kvm_vcpu *vcpu, uint32_t func_id,
			   uint64_t a0)
{
	struct ucall uc;

	run_to_sync(vcpu, &uc);
	TEST_ASSERT(uc.args[1] == func_id && uc.args[2] == a0,
		    "0x%x: guest got x0 0x%lx, expected 0x%lx without an exit",
		    func_id, uc.args[2], a0);
}

/* Run into a forwarded call of @func_id; check what the exit reports. */
static struct kvm_run *expect_exit(struct kvm_vcpu *vcpu, uint64_t nr,
				   enum conduit conduit, uint64_t flags)
{
	struct kvm_run *run = vcpu->run;
	uint64_t smc = conduit == SMC_INSN ? KVM_HYPERCALL_EXIT_SMC : 0;

	vcpu_run(vcpu);
	TEST_ASSERT(run->exit_reason == KVM_EXIT_HYPERCALL,
		    "0x%lx: expected KVM_EXIT_HYPERCALL, got %s", nr,
		    exit_reason_str(run->exit_reason));
	TEST_ASSERT(run->hypercall.nr == nr, "nr 0x%llx, expected 0x%lx",
		    run->hypercall.nr, nr);
	TEST_ASSERT(run->hypercall.flags == (smc | flags),
		    "0x%lx: flags 0x%llx, expected 0x%lx", nr,
		    run->hypercall.flags, smc | flags);
	return run;
}

/* The guest reports x0-x3 = @a0-@a3 after the call. */
static void expect_results(struct kvm_vcpu *vcpu, uint64_t a0, uint64_t a1,
			   uint64_t a2, uint64_t a3)
{
	struct ucall uc;

	run_to_sync(vcpu, &uc);
	TEST_ASSERT(uc.args[2] == a0 && uc.args[3] == a1 &&
		    uc.args[4] == a2 && uc.args[5] == a3,
		    "guest got 0x%lx 0x%lx 0x%lx 0x%lx, expected 0x%lx 0x%lx 0x%lx 0x%lx",
		    uc.args[2], uc.args[3], uc.args[4], uc.args[5], a0, a1, a2, a3);
}

/* Complete the call as a VMM does with KVM_CAP_SYNC_REGS: x0-x3 = seed + n. */
static void complete_in_run(struct kvm_run *run, uint64_t seed)
{
	int i;

	TEST_ASSERT(run->kvm_valid_regs & KVM_SYNC_ARM64_REGS,
		    "the registers were not stored at the exit");
	for (i = 0; i < 4; i++)
		run->s.regs.regs.regs[i] = seed + i;
	run->kvm_dirty_regs |= KVM_SYNC_ARM64_REGS;
}

/* --- tests ------------------------------------------------------------- */

static void test_check_extension(void)
{
	int r = kvm_check_cap(KVM_CAP_ARM_SMCCC_FORWARD);

	TEST_ASSERT(r == (FWD_BOTH | KVM_ARM_SMCCC_FWD_SDEI |
			  KVM_ARM_SMCCC_FWD_ALL_SMC),
		    "KVM_CHECK_EXTENSION: 0x%x", r);
	ksft_test_result_pass("KVM_CHECK_EXTENSION lists the flags\n");
}

static void test_einval(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = setup_vm(&vcpu, guest_one_call);
	uint64_t all_smc = KVM_ARM_SMCCC_FWD_ALL_SMC;
	uint64_t sdei = KVM_ARM_SMCCC_FWD_SDEI;

	expect_errno(vm, OEM_FN(0), 1, FWD_HVC, 0, 1, EINVAL, "cap.flags");
	expect_errno(vm, OEM_FN(0), 1, FWD_HVC, 1, 0, EINVAL, "args[3]");
	expect_errno(vm, OEM_FN(0), 1, FWD_HVC | BIT(4), 0, 0, EINVAL,
		     "unknown flag");
	expect_errno(vm, OEM_FN(0), 1, FWD_HVC | BIT(63), 0, 0, EINVAL,
		     "unknown flag, bit 63");
	expect_errno(vm, 0, 0, KVM_ARM_SMCCC_FWD_SDEI, 0, 0, EINVAL, "no conduit");
	/* EINVAL is checked first: it wins over EEXIST and EBUSY. */
	expect_errno(vm, ARM_SMCCC_VERSION_FUNC_ID, 1, FWD_HVC | BIT(4), 0, 0,
		     EINVAL, "unknown flag on an architecture call");
	expect_errno(vm, OEM_FN(0), 0, FWD_HVC, 0, 0, EINVAL, "count 0");
	expect_errno(vm, 1ull << 32, 1, FWD_HVC, 0, 0, EINVAL, "base > 32 bits");
	expect_errno(vm, 0xffffff00, 0x101, FWD_HVC, 0, 0, EINVAL, "wrap");
	expect_errno(vm, 0xffffff00, ~0ull, FWD_HVC, 0, 0, EINVAL, "huge count");
	expect_errno(vm, SDEI_FN64(0), 0, FWD_HVC | sdei, 0, 0, EINVAL,
		     "SDEI with a base");
	expect_errno(vm, 0, 1, FWD_HVC | sdei, 0, 0, EINVAL, "SDEI with a count");
	expect_errno(vm, 0, 0, FWD_SMC | sdei | all_smc, 0, 0, EINVAL,
		     "SDEI and ALL_SMC");
	expect_errno(vm, 0, 0, FWD_BOTH | all_smc, 0, 0, EINVAL, "ALL_SMC on HVC");
	expect_errno(vm, OEM_FN(0), 1, FWD_SMC | all_smc, 0, 0, EINVAL,
		     "ALL_SMC with a range");

	/* The range that ends exactly at 0xffffffff is fine. */
	enable_fwd(vm, 0xffffff00, 0x100, FWD_HVC);
	kvm_vm_free(vm);
	ksft_test_result_pass("EINVAL: flags, args, count, wrap, presets\n");
}

/* The Arm architecture calls stay KVM's, with the filter's errno. */
static void test_arch_calls_eexist(void)
{
	static const uint32_t reserved[] = {
		ARM_SMCCC_VERSION_FUNC_ID, ARM_SMCCC_ARCH_FEATURES_FUNC_ID,
		ARM_SMCCC_ARCH_WORKAROUND_1, ARM_SMCCC_ARCH_WORKAROUND_2,
		ARM_SMCCC_ARCH_WORKAROUND_3, 0x8000ffff,
		0xc0000000, 0xc0008000, 0xc000ffff,
	};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = setup_vm(&vcpu, guest_one_call);
	int i;

	for (i = 0; i < ARRAY_SIZE(reserved); i++)
		expect_errno(vm, reserved[i], 1, FWD_BOTH, 0, 0, EEXIST,
			     "Arm architecture call");
	expect_errno(vm, 0x7fffffff, 2, FWD_SMC, 0, 0, EEXIST,
		     "range reaching into the architecture calls");
	expect_errno(vm, 0xbfff0000, 0x20000, FWD_SMC, 0, 0, EEXIST,
		     "range across the SMC64 architecture calls");
	TEST_ASSERT(__set_filter(vm, ARM_SMCCC_VERSION_FUNC_ID, 1,
				 KVM_SMCCC_FILTER_FWD_TO_USER) < 0 &&
		    errno == EEXIST, "the filter's errno for the same range");

	/* Just outside the reserved ranges is fine. */
	enable_fwd(vm, 0x7fffff00, 0x100, FWD_HVC);
	enable_fwd(vm, 0x80010000, 1, FWD_HVC);
	enable_fwd(vm, 0xc0010000, 1, FWD_HVC);
	kvm_vm_free(vm);
	ksft_test_result_pass("EEXIST: the Arm architecture calls stay KVM's\n");
}

static void test_eexist(void)
{
	uint64_t sdei = KVM_ARM_SMCCC_FWD_SDEI;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = setup_vm(&vcpu, guest_one_call);

	enable_fwd(vm, OEM_FN(0x10), 0x10, FWD_HVC);
	expect_errno(vm, OEM_FN(0x1f), 1, FWD_SMC, 0, 0, EEXIST,
		     "overlap with a range, other conduit");
	expect_errno(vm, OEM_FN(0), 0x11, FWD_HVC, 0, 0, EEXIST,
		     "overlap at the first ID");
	TEST_ASSERT(__set_filter(vm, OEM_FN(0x18), 1, KVM_SMCCC_FILTER_DENY) < 0 &&
		    errno == EEXIST, "filter entry over a forwarded range");

	set_filter(vm, OEM_FN(0x40), 4, KVM_SMCCC_FILTER_FWD_TO_USER);
	expect_errno(vm, OEM_FN(0x43), 1, FWD_HVC, 0, 0, EEXIST,
		     "overlap with a filter entry");

	/* A failed preset leaves nothing behind. */
	enable_fwd(vm, SDEI_FN64(5), 1, FWD_SMC);
	expect_errno(vm, 0, 0, FWD_SMC | sdei, 0, 0, EEXIST, "SDEI over a range");
	enable_fwd(vm, SDEI_FN32(0), 0x20, FWD_SMC);

	enable_fwd(vm, 0, 0, FWD_SMC | KVM_ARM_SMCCC_FWD_ALL_SMC);
	expect_errno(vm, 0, 0, FWD_SMC | KVM_ARM_SMCCC_FWD_ALL_SMC, 0, 0, EEXIST,
		     "ALL_SMC twice");
	kvm_vm_free(vm);

	vm = setup_vm(&vcpu, guest_one_call);
	enable_fwd(vm, 0, 0, FWD_HVC | sdei);
	expect_errno(vm, 0, 0, FWD_SMC | sdei, 0, 0, EEXIST, "SDEI twice");
	kvm_vm_free(vm);
	ksft_test_result_pass("EEXIST: one namespace with the filter\n");
}

static void test_ebusy(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = setup_vm(&vcpu, guest_one_call);

	vcpu_args_set(vcpu, 2, PSCI_0_2_FN_PSCI_VERSION, HVC_INSN);
	expect_no_exit(vcpu, PSCI_0_2_FN_PSCI_VERSION, kvm_psci_version(vcpu));
	expect_errno(vm, OEM_FN(0), 1, FWD_HVC, 0, 0, EBUSY, "after KVM_RUN");
	expect_errno(vm, OEM_FN(0), 0, FWD_HVC, 0, 0, EINVAL,
		     "count 0 after KVM_RUN: EINVAL wins over EBUSY");
	kvm_vm_free(vm);
	ksft_test_result_pass("EBUSY once a vCPU has run\n");
}

/* Without the capability, unknown calls fail in the guest, with no exit. */
static void test_no_capability(void)
{
	static const uint32_t ids[] = { OEM_FN(0), SDEI_FN64(0), SDEI_FN32(0) };
	enum conduit conduit;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int i;

	for (conduit = HVC_INSN; conduit <= SMC_INSN; conduit++) {
		for (i = 0; i < ARRAY_SIZE(ids); i++) {
			vm = setup_vm(&vcpu, guest_one_call);
			vcpu_args_set(vcpu, 2, ids[i], conduit);
			expect_no_exit(vcpu, ids[i], SMCCC_RET_NOT_SUPPORTED);
			TEST_ASSERT(!vcpu_stat(vcpu, "smccc_exit_user"),
				    "exit counted without the capability");
			kvm_vm_free(vm);
		}
	}
	ksft_test_result_pass("no capability: NOT_SUPPORTED, no exit\n");
}

/*
 * Ranges cover the conduits they name. PSCI shows why it matters: the SMC
 * conduit goes to the VMM, the HVC one stays with KVM.
 */
static void test_conduits(void)
{
	static const struct {
		uint64_t fwd;
		enum conduit call;
		bool exits;
	} cases[] = {
		{ FWD_HVC,  HVC_INSN, true  }, { FWD_HVC,  SMC_INSN, false },
		{ FWD_SMC,  HVC_INSN, false }, { FWD_SMC,  SMC_INSN, true  },
		{ FWD_BOTH, HVC_INSN, true  }, { FWD_BOTH, SMC_INSN, true  },
	};
	uint32_t fn = PSCI_0_2_FN_PSCI_VERSION;
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		vm = setup_vm(&vcpu, guest_one_call);
		enable_fwd(vm, fn, 1, cases[i].fwd);
		vcpu_args_set(vcpu, 2, fn, cases[i].call);
		if (cases[i].exits) {
			run = expect_exit(vcpu, fn, cases[i].call, 0);
			complete_in_run(run, 0x2000);
			expect_results(vcpu, 0x2000, 0x2001, 0x2002, 0x2003);
		} else {
			expect_no_exit(vcpu, fn, kvm_psci_version(vcpu));
		}
		kvm_vm_free(vm);
	}
	ksft_test_result_pass("conduits: HVC-only, SMC-only, both\n");
}

/* [base, base + nr): the IDs just outside do not exit. */
static void test_range_edges(void)
{
	const uint32_t base = OEM_FN(0x100), nr = 0x80;
	const uint32_t ids[] = { base - 1, base, base + nr - 1, base + nr };
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	int i;

	vm = setup_vm(&vcpu, guest_id_list);
	memcpy(guest_ids, ids, sizeof(ids));
	sync_global_to_guest(vm, guest_ids);
	enable_fwd(vm, base, nr, FWD_HVC);
	vcpu_args_set(vcpu, 2, ARRAY_SIZE(ids), HVC_INSN);
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		if (ids[i] == base - 1 || ids[i] == base + nr) {
			expect_no_exit(vcpu, ids[i], SMCCC_RET_NOT_SUPPORTED);
			continue;
		}
		run = expect_exit(vcpu, ids[i], HVC_INSN, 0);
		complete_in_run(run, ids[i]);
		expect_results(vcpu, ids[i], ids[i] + 1, ids[i] + 2, ids[i] + 3);
	}
	kvm_vm_free(vm);
	ksft_test_result_pass("range edges: first and last in, neighbours out\n");
}

/*
 * The SDEI preset: all 32 IDs of each calling convention exit, and the
 * neighbours do not (0x8400001f is PSCI's, which KVM answers).
 */
static void test_sdei_preset(enum conduit conduit)
{
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	int i, n = 0;

	guest_ids[n++] = SDEI_FN32(-1);
	guest_ids[n++] = SDEI_FN64(-1);
	for (i = 0; i < 32; i++) {
		guest_ids[n++] = SDEI_FN32(i);
		guest_ids[n++] = SDEI_FN64(i);
	}
	guest_ids[n++] = SDEI_FN32(32);
	guest_ids[n++] = SDEI_FN64(32);

	vm = setup_vm(&vcpu, guest_id_list);
	sync_global_to_guest(vm, guest_ids);
	enable_fwd(vm, 0, 0, KVM_ARM_SMCCC_FWD_SDEI |
		   (conduit == SMC_INSN ? FWD_SMC : FWD_HVC));
	vcpu_args_set(vcpu, 2, n, conduit);
	for (i = 0; i < n; i++) {
		if (i < 2 || i >= n - 2) {
			expect_no_exit(vcpu, guest_ids[i], SMCCC_RET_NOT_SUPPORTED);
			continue;
		}
		run = expect_exit(vcpu, guest_ids[i], conduit, 0);
		complete_in_run(run, i << 4);
		expect_results(vcpu, i << 4, (i << 4) + 1, (i << 4) + 2, (i << 4) + 3);
	}
	kvm_vm_free(vm);
	ksft_test_result_pass("SDEI preset on %s: 64 IDs in, neighbours out\n",
			      conduit == SMC_INSN ? "SMC" : "HVC");
}

/*
 * x1-x6 reach kvm_run; x0-x3 go back through it (KVM_CAP_SYNC_REGS): one
 * KVM_RUN per call, no KVM_{GET,SET}_ONE_REG.
 */
static void test_results_in_run(void)
{
	uint32_t fn = OEM_FN(7);
	uint64_t before;
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	int i;

	vm = setup_vm(&vcpu, guest_one_call);
	enable_fwd(vm, fn, 1, FWD_HVC);
	vcpu_args_set(vcpu, 2, fn, HVC_INSN);
	before = vcpu_stat(vcpu, "smccc_exit_user");
	run = expect_exit(vcpu, fn, HVC_INSN, 0);
	for (i = 0; i < 6; i++) {
		TEST_ASSERT(run->hypercall.args[i] == ARG(i + 1),
			    "args[%d] 0x%llx, expected 0x%llx", i,
			    run->hypercall.args[i], ARG(i + 1));
		TEST_ASSERT(run->s.regs.regs.regs[i + 1] == ARG(i + 1),
			    "x%d 0x%llx in kvm_run, expected 0x%llx", i + 1,
			    run->s.regs.regs.regs[i + 1], ARG(i + 1));
	}
	TEST_ASSERT(run->s.regs.regs.regs[0] == fn, "x0 is not the function ID");
	TEST_ASSERT(!run->hypercall.ret, "ret 0x%llx at exit", run->hypercall.ret);
	TEST_ASSERT(vcpu_stat(vcpu, "smccc_exit_user") == before + 1,
		    "smccc_exit_user did not count the exit");

	/* The PC is already past the HVC: the guest goes on, no new exit. */
	complete_in_run(run, 0x5000);
	expect_results(vcpu, 0x5000, 0x5001, 0x5002, 0x5003);
	TEST_ASSERT(!run->kvm_dirty_regs, "dirty bits left set");
	TEST_ASSERT(vcpu_stat(vcpu, "smccc_exit_user") == before + 1,
		    "the HVC ran twice");
	kvm_vm_free(vm);

	/* A VMM that writes nothing leaves x0-x3 as the guest passed them. */
	vm = setup_vm(&vcpu, guest_one_call);
	enable_fwd(vm, fn, 1, FWD_SMC);
	vcpu_args_set(vcpu, 2, fn, SMC_INSN);
	expect_exit(vcpu, fn, SMC_INSN, 0);
	expect_results(vcpu, fn, ARG(1), ARG(2), ARG(3));
	kvm_vm_free(vm);
	ksft_test_result_pass("arguments in, results out through kvm_run\n");
}

/* KVM_SET_ONE_REG completion still works; a clean kvm_run is never read. */
static void test_one_reg_style(void)
{
	uint32_t fn = OEM_FN(9);
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	int filter;

	for (filter = 0; filter <= 1; filter++) {
		vm = setup_vm(&vcpu, guest_one_call);
		if (filter)
			set_filter(vm, fn, 1, KVM_SMCCC_FILTER_FWD_TO_USER);
		else
			enable_fwd(vm, fn, 1, FWD_HVC);
		vcpu_args_set(vcpu, 2, fn, HVC_INSN);
		run = expect_exit(vcpu, fn, HVC_INSN, 0);
		TEST_ASSERT(get_reg(vcpu, ARM64_CORE_REG(regs.regs[1])) ==
			    run->hypercall.args[0], "args[0] is not x1");
		/* Not marked dirty, so KVM must not read it: scribble on it. */
		complete_in_run(run, 0xdead);
		run->kvm_dirty_regs = 0;
		vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.regs[0]), 0x7000);
		vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.regs[1]), 0x7001);
		vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.regs[2]), 0x7002);
		vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.regs[3]), 0x7003);
		expect_results(vcpu, 0x7000, 0x7001, 0x7002, 0x7003);
		kvm_vm_free(vm);
	}
	ksft_test_result_pass("ONE_REG completion, capability and filter alike\n");
}

/*
 * A VMM written for upstream's filter sees upstream's exit: an HVC with a
 * non-zero immediate in a filter range has flags 0 and ret 0. The same call
 * in a forwarded range reports the immediate.
 */
static void guest_hvc_imm(uint32_t func_id)
{
	register uint64_t r0 asm("x0") = func_id;

	asm volatile("hvc #0x1234" : "+r"(r0) : : "x1", "x2", "x3", "memory");
	GUEST_DONE();
}

static void test_filter_exit_flags(void)
{
	const uint64_t imm = FIELD_PREP(KVM_HYPERCALL_EXIT_IMM_MASK, 0x1234);
	uint32_t fn = OEM_FN(0x11);
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	int filter;

	for (filter = 0; filter <= 1; filter++) {
		vm = setup_vm(&vcpu, guest_hvc_imm);
		if (filter)
			set_filter(vm, fn, 1, KVM_SMCCC_FILTER_FWD_TO_USER);
		else
			enable_fwd(vm, fn, 1, FWD_HVC);
		vcpu_args_set(vcpu, 1, fn);
		run = expect_exit(vcpu, fn, HVC_INSN, filter ? 0 : imm);
		TEST_ASSERT(!run->hypercall.ret, "ret 0x%llx at exit",
			    run->hypercall.ret);
		kvm_vm_free(vm);
	}
	ksft_test_result_pass("HVC #imm: upstream flags for filter exits, imm for forwarded\n");
}

/*
 * An SDEI-style context switch, through kvm_run alone (DEN0054C 6.1, 6.2):
 * the VMM answers SDEI_VERSION, then delivers an event as the call returns,
 * saving the caller's x0-x17, PC and PSTATE; the handler completes with
 * SDEI_EVENT_COMPLETE, and the VMM restores that context. The caller must
 * find its results in x0-x3 and its x4-x17 untouched.
 */
#define SDEI_VERSION_FN		0xc4000020u
#define SDEI_COMPLETE_FN	0xc4000025u
#define SDEI_TEST_EVENT		0x1234
#define SDEI_TEST_ARG		0xa5a5a5a5a5a5ull
#define CTX(n)			(0xc0de000000000000ull | (n))
#define RES(n)			(0x5d0000000000ull | (n))

uint64_t guest_sdei_seen[4];

/* Records what the handler was entered with; called from the stub below. */
void guest_sdei_record(uint64_t event, uint64_t arg, uint64_t pc, uint64_t pstate)
{
	guest_sdei_seen[0] = event;
	guest_sdei_seen[1] = arg;
	guest_sdei_seen[2] = pc;
	guest_sdei_seen[3] = pstate;
}

/*
 * The handler keeps x18-x30 and SP, as a client's handler must; the
 * dispatcher restores x0-x17, PC and PSTATE on SDEI_EVENT_COMPLETE. It is
 * file-scope asm, so that no compiler prologue can touch SP or x29.
 */
asm(".pushsection .text, \"ax\"\n"
	"guest_sdei_handler:\n"
	"	stp x18, x30, [sp, #-16]!\n"
	"	bl guest_sdei_record\n"
	"	ldp x18, x30, [sp], #16\n"
	"	ldr x0, =0xc4000025\n"
	"	hvc #0\n"
	"1:	b 1b\n"
	"	.ltorg\n"
	".popsection\n");

/* The guest runs this binary at the addresses the host runs it at. */
static uint64_t guest_sdei_handler_addr(void)
{
	uint64_t addr;

	asm("adr %0, guest_sdei_handler" : "=r"(addr));
	return addr;
}

static void guest_sdei_caller(void)
{
	uint64_t x[18];
	int i;

	x[0] = SDEI_VERSION_FN;
	for (i = 1; i < 18; i++)
		x[i] = CTX(i);

	/* x0-x17 from x[] into the call, and back into x[] after it. */
	asm volatile("	mov x19, %0\n"
		     "	ldp x0, x1, [x19, #0]\n"
		     "	ldp x2, x3, [x19, #16]\n"
		     "	ldp x4, x5, [x19, #32]\n"
		     "	ldp x6, x7, [x19, #48]\n"
		     "	ldp x8, x9, [x19, #64]\n"
		     "	ldp x10, x11, [x19, #80]\n"
		     "	ldp x12, x13, [x19, #96]\n"
		     "	ldp x14, x15, [x19, #112]\n"
		     "	ldp x16, x17, [x19, #128]\n"
		     "	hvc #0\n"
		     "	stp x0, x1, [x19, #0]\n"
		     "	stp x2, x3, [x19, #16]\n"
		     "	stp x4, x5, [x19, #32]\n"
		     "	stp x6, x7, [x19, #48]\n"
		     "	stp x8, x9, [x19, #64]\n"
		     "	stp x10, x11, [x19, #80]\n"
		     "	stp x12, x13, [x19, #96]\n"
		     "	stp x14, x15, [x19, #112]\n"
		     "	stp x16, x17, [x19, #128]\n"
		     : : "r"(x)
		     : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8",
		       "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",
		       "x17", "x19", "memory");

	for (i = 0; i < 18; i++)
		GUEST_ASSERT_EQ(x[i], i < 4 ? RES(i) : CTX(i));
	GUEST_SYNC_ARGS(SDEI_VERSION_FN, guest_sdei_seen[0], guest_sdei_seen[1],
			guest_sdei_seen[2], guest_sdei_seen[3]);
	GUEST_DONE();
}

static void test_sdei_context_switch(void)
{
	const uint64_t handler_pstate = PSR_MODE_EL1h | PSR_D_BIT | PSR_A_BIT |
					PSR_I_BIT | PSR_F_BIT;
	uint64_t saved[18], saved_pc, saved_pstate;
	uint64_t kept[13], kept_sp, kept_sp_el1;
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	struct ucall uc;
	int i;

	vm = setup_vm(&vcpu, guest_sdei_caller);
	enable_fwd(vm, 0, 0, FWD_HVC | KVM_ARM_SMCCC_FWD_SDEI);
	run = expect_exit(vcpu, SDEI_VERSION_FN, HVC_INSN, 0);

	/* The call returns its results, and an event is taken on the way. */
	for (i = 0; i < 4; i++)
		run->s.regs.regs.regs[i] = RES(i);
	memcpy(saved, run->s.regs.regs.regs, sizeof(saved));
	memcpy(kept, &run->s.regs.regs.regs[18], sizeof(kept));
	kept_sp = run->s.regs.regs.sp;
	kept_sp_el1 = run->s.regs.sp_el1;
	saved_pc = run->s.regs.regs.pc;
	saved_pstate = run->s.regs.regs.pstate;
	run->s.regs.regs.regs[0] = SDEI_TEST_EVENT;
	run->s.regs.regs.regs[1] = SDEI_TEST_ARG;
	run->s.regs.regs.regs[2] = saved_pc;
	run->s.regs.regs.regs[3] = saved_pstate;
	run->s.regs.regs.pc = guest_sdei_handler_addr();
	run->s.regs.regs.pstate = handler_pstate;
	run->kvm_dirty_regs = KVM_SYNC_ARM64_REGS;

	/* SDEI_EVENT_COMPLETE: back to the interrupted context. */
	run = expect_exit(vcpu, SDEI_COMPLETE_FN, HVC_INSN, 0);
	for (i = 18; i < 31; i++)
		TEST_ASSERT(run->s.regs.regs.regs[i] == kept[i - 18],
			    "the handler did not keep x%d", i);
	TEST_ASSERT(run->s.regs.regs.sp == kept_sp, "the handler moved SP_EL0");
	TEST_ASSERT(run->s.regs.sp_el1 == kept_sp_el1, "the handler moved SP_EL1");
	memcpy(run->s.regs.regs.regs, saved, sizeof(saved));
	run->s.regs.regs.pc = saved_pc;
	run->s.regs.regs.pstate = saved_pstate;
	run->kvm_dirty_regs = KVM_SYNC_ARM64_REGS;

	run_to_sync(vcpu, &uc);
	TEST_ASSERT(uc.args[2] == SDEI_TEST_EVENT && uc.args[3] == SDEI_TEST_ARG &&
		    uc.args[4] == saved_pc && uc.args[5] == saved_pstate,
		    "handler entered with 0x%lx 0x%lx 0x%lx 0x%lx",
		    uc.args[2], uc.args[3], uc.args[4], uc.args[5]);
	vcpu_run(vcpu);
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_DONE, "guest did not finish");
	kvm_vm_free(vm);
	ksft_test_result_pass("SDEI-style event delivery and completion via kvm_run\n");
}

/* Filter entries and forwarded ranges side by side in one VM. */
static void test_filter_coexistence(void)
{
	const uint32_t ids[] = { OEM_FN(1), OEM_FN(2), OEM_FN(3),
				 PSCI_0_2_FN_PSCI_VERSION };
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;

	vm = setup_vm(&vcpu, guest_id_list);
	memcpy(guest_ids, ids, sizeof(ids));
	sync_global_to_guest(vm, guest_ids);
	set_filter(vm, OEM_FN(1), 1, KVM_SMCCC_FILTER_FWD_TO_USER);
	enable_fwd(vm, OEM_FN(2), 1, FWD_HVC);
	set_filter(vm, OEM_FN(3), 1, KVM_SMCCC_FILTER_DENY);
	vcpu_args_set(vcpu, 2, ARRAY_SIZE(ids), HVC_INSN);

	run = expect_exit(vcpu, OEM_FN(1), HVC_INSN, 0);
	vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.regs[0]), 0x11);
	expect_results(vcpu, 0x11, ARG(1), ARG(2), ARG(3));

	run = expect_exit(vcpu, OEM_FN(2), HVC_INSN, 0);
	complete_in_run(run, 0x22);
	expect_results(vcpu, 0x22, 0x23, 0x24, 0x25);

	expect_no_exit(vcpu, OEM_FN(3), SMCCC_RET_NOT_SUPPORTED);
	expect_no_exit(vcpu, PSCI_0_2_FN_PSCI_VERSION, kvm_psci_version(vcpu));
	kvm_vm_free(vm);
	ksft_test_result_pass("coexistence with KVM_ARM_VM_SMCCC_FILTER\n");
}

/* ALL_SMC: a non-SMCCC SMC with an immediate, PSCI over SMC; not the arch calls. */
static void test_all_smc(void)
{
	const uint64_t x0 = 0x123456789abcull;
	uint64_t flags = FIELD_PREP(KVM_HYPERCALL_EXIT_IMM_MASK, 0x42);
	const uint32_t ids[] = { PSCI_0_2_FN_PSCI_VERSION,
				 ARM_SMCCC_VERSION_FUNC_ID, OEM_FN(5) };
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;

	/* Upstream: x0 = -1, no exit. */
	vm = setup_vm(&vcpu, guest_smc_imm);
	vcpu_args_set(vcpu, 1, x0);
	expect_results(vcpu, ~0ull, ARG(1), ARG(2), ARG(3));
	kvm_vm_free(vm);

	vm = setup_vm(&vcpu, guest_smc_imm);
	enable_fwd(vm, 0, 0, FWD_SMC | KVM_ARM_SMCCC_FWD_ALL_SMC);
	vcpu_args_set(vcpu, 1, x0);
	run = expect_exit(vcpu, x0, SMC_INSN, flags);
	TEST_ASSERT(run->hypercall.args[0] == ARG(1), "x1 not in args[0]");
	complete_in_run(run, 0x4200);
	expect_results(vcpu, 0x4200, 0x4201, 0x4202, 0x4203);
	kvm_vm_free(vm);

	/*
	 * PSCI over SMC goes to the VMM; SMCCC_VERSION stays KVM's; an HVC-only
	 * range does not exist for SMCs, so ALL_SMC takes them.
	 */
	vm = setup_vm(&vcpu, guest_id_list);
	memcpy(guest_ids, ids, sizeof(ids));
	sync_global_to_guest(vm, guest_ids);
	enable_fwd(vm, 0, 0, FWD_SMC | KVM_ARM_SMCCC_FWD_ALL_SMC);
	enable_fwd(vm, OEM_FN(5), 1, FWD_HVC);
	vcpu_args_set(vcpu, 2, ARRAY_SIZE(ids), SMC_INSN);
	run = expect_exit(vcpu, PSCI_0_2_FN_PSCI_VERSION, SMC_INSN, 0);
	complete_in_run(run, PSCI_VERSION(1, 0));
	expect_results(vcpu, PSCI_VERSION(1, 0), PSCI_VERSION(1, 0) + 1,
		       PSCI_VERSION(1, 0) + 2, PSCI_VERSION(1, 0) + 3);
	expect_no_exit(vcpu, ARM_SMCCC_VERSION_FUNC_ID, ARM_SMCCC_VERSION_1_1);
	run = expect_exit(vcpu, OEM_FN(5), SMC_INSN, 0);
	complete_in_run(run, 0x55);
	expect_results(vcpu, 0x55, 0x56, 0x57, 0x58);
	kvm_vm_free(vm);
	ksft_test_result_pass("ALL_SMC: immediate 0x42, full x0, PSCI; not the arch calls\n");
}

/* One VM running @guest_code(@x0), all-SMC mode on if @all_smc. */
static struct kvm_vm *smc_vm(void *guest_code, uint64_t x0, bool all_smc,
			     struct kvm_vcpu **vcpu)
{
	struct kvm_vm *vm = setup_vm(vcpu, guest_code);

	if (all_smc)
		enable_fwd(vm, 0, 0, FWD_SMC | KVM_ARM_SMCCC_FWD_ALL_SMC);
	vcpu_args_set(*vcpu, 1, x0);
	return vm;
}

/*
 * What api.rst promises about all-SMC mode, case by case: matching is on
 * w0, an SMC with an immediate always exits, filter entries keep their
 * action for SMC #0; and without the mode, an SMC #imm gets -1 even in a
 * forwarded range. Also: an SMC32 ID from AArch64 passes full 64-bit x1-x6.
 */
static void test_all_smc_edges(void)
{
	const uint64_t imm = FIELD_PREP(KVM_HYPERCALL_EXIT_IMM_MASK, 0x42);
	const uint64_t smccc_version_hi = 0xdead000000000000ull |
					  ARM_SMCCC_VERSION_FUNC_ID;
	const uint32_t smc32_fn = ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL,
						     ARM_SMCCC_SMC_32,
						     ARM_SMCCC_OWNER_OEM, 5);
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	struct ucall uc;
	int i;

	/* w0 is SMCCC_VERSION, whatever x0[63:32]: KVM answers it. */
	vm = smc_vm(guest_smc_x0, smccc_version_hi, true, &vcpu);
	run_to_sync(vcpu, &uc);
	TEST_ASSERT(uc.args[2] == ARM_SMCCC_VERSION_1_1,
		    "SMCCC_VERSION with x0[63:32] set: x0 0x%lx", uc.args[2]);
	kvm_vm_free(vm);

	/* An architecture call with an immediate is no SMCCC call: it exits. */
	vm = smc_vm(guest_smc_imm, ARM_SMCCC_VERSION_FUNC_ID, true, &vcpu);
	expect_exit(vcpu, ARM_SMCCC_VERSION_FUNC_ID, SMC_INSN, imm);
	kvm_vm_free(vm);

	/* A DENY entry denies SMC #0, but SMC #0x42 exits all the same. */
	vm = smc_vm(guest_smc_x0, OEM_FN(0x50), true, &vcpu);
	set_filter(vm, OEM_FN(0x50), 1, KVM_SMCCC_FILTER_DENY);
	expect_no_exit(vcpu, OEM_FN(0x50), SMCCC_RET_NOT_SUPPORTED);
	kvm_vm_free(vm);
	vm = smc_vm(guest_smc_imm, OEM_FN(0x50), true, &vcpu);
	set_filter(vm, OEM_FN(0x50), 1, KVM_SMCCC_FILTER_DENY);
	expect_exit(vcpu, OEM_FN(0x50), SMC_INSN, imm);
	kvm_vm_free(vm);

	/* A HANDLE entry keeps PSCI over SMC with KVM. */
	vm = smc_vm(guest_smc_x0, PSCI_0_2_FN_PSCI_VERSION, true, &vcpu);
	set_filter(vm, PSCI_0_2_FN_BASE, 0x20, KVM_SMCCC_FILTER_HANDLE);
	expect_no_exit(vcpu, PSCI_0_2_FN_PSCI_VERSION, kvm_psci_version(vcpu));
	kvm_vm_free(vm);

	/* No all-SMC mode: SMC #0x42 in a forwarded SMC range gets -1. */
	vm = smc_vm(guest_smc_imm, OEM_FN(0x51), false, &vcpu);
	enable_fwd(vm, OEM_FN(0x51), 1, FWD_SMC);
	expect_results(vcpu, ~0ull, ARG(1), ARG(2), ARG(3));
	TEST_ASSERT(!vcpu_stat(vcpu, "smccc_exit_user"), "SMC #0x42 exited");
	kvm_vm_free(vm);

	/* SMC32 from AArch64: x1-x6 reach the VMM whole, 64 bits each. */
	vm = setup_vm(&vcpu, guest_one_call);
	enable_fwd(vm, smc32_fn, 1, FWD_HVC);
	vcpu_args_set(vcpu, 2, smc32_fn, HVC_INSN);
	run = expect_exit(vcpu, smc32_fn, HVC_INSN, 0);
	for (i = 0; i < 6; i++)
		TEST_ASSERT(run->hypercall.args[i] == ARG(i + 1),
			    "SMC32 ID: args[%d] 0x%llx, expected 0x%llx", i,
			    run->hypercall.args[i], ARG(i + 1));
	kvm_vm_free(vm);
	ksft_test_result_pass("ALL_SMC: w0 matching, #imm exits, filter entries; SMC32 args\n");
}

/* --- AArch32 callers ---------------------------------------------------- */

/*
 * AArch32 guests run hand-assembled code at the start of a page, with the
 * MMU off, in Supervisor mode with A, I and F masked. r1 holds an MMIO
 * address: "str rN, [r1]" shows rN to the host. Every call is forwarded
 * with KVM_ARM_SMCCC_FWD_ALL_SMC, r0 being the function ID, and completed
 * the way a VMM that owns the registers completes it: KVM_SET_ONE_REG.
 *
 * An AArch32 caller's registers are read and written through the AArch64
 * core registers they map to (ARM DDI 0487K.a, "Mapping of the AArch32
 * general-purpose registers to AArch64"): r0-r12 are x0-x12 in every mode
 * but FIQ, whose banked r8-r12 are x24-x28.
 */
#define A32_MMIO_GPA		0x3f000000ul
#define A32_CPSR_SVC		0x1d3		/* SVC mode, A, I and F masked */
#define A32_CPSR_T		BIT(5)
#define A32_CPSR_IT		(GENMASK(26, 25) | GENMASK(15, 10))
#define A32_MODE_FIQ		0x11

/* Function IDs (r0) of the AArch32 calls: not SMCCC calls KVM knows. */
#define A32_FN_PL310		0x55	/* with r12 = 0x102, as a PL310 call */
#define A32_FN_FAIL		0x66	/* fails its condition: never exits */
#define A32_FN_PASS		0x77	/* passes its condition */
#define A32_PL310_R12		0x102

/*
 * The A32 caller: a call with a PL310-style function number in r12, its
 * result stored; then, with Z set, an SMCNE, which must be skipped, and an
 * SMCEQ, which must exit. Encodings from ARM DDI 0487K.a, F5.1.
 */
static const uint32_t a32_calls[] = {
	0xe3000055,	/*  0: movw	r0, #0x55 */
	0xe300c102,	/*  4: movw	r12, #0x102 */
	0xe1600070,	/*  8: smc	#0 */
	0xe5810000,	/*  c: str	r0, [r1] */
	0xe1500000,	/* 10: cmp	r0, r0 */
	0xe3000066,	/* 14: movw	r0, #0x66 */
	0x11600070,	/* 18: smcne	#0 */
	0xe3000077,	/* 1c: movw	r0, #0x77 */
	0x01600070,	/* 20: smceq	#0 */
	0xe5810000,	/* 24: str	r0, [r1] */
	0xeafffffe,	/* 28: b	. */
};

/*
 * The same in T32 (ARM DDI 0487K.a, F3.1), as halfwords in memory order,
 * each conditional SMC alone in an IT block.
 */
static const uint16_t t32_calls[] = {
	0xf240, 0x0055,	/*  0: movw	r0, #0x55 */
	0xf240, 0x1c02,	/*  4: movw	r12, #0x102 */
	0xf7f0, 0x8000,	/*  8: smc	#0 */
	0x6008,		/*  c: str	r0, [r1] */
	0x4280,		/*  e: cmp	r0, r0 */
	0xf240, 0x0066,	/* 10: movw	r0, #0x66 */
	0xbf18,		/* 14: it	ne */
	0xf7f0, 0x8000,	/* 16: smcne	#0 */
	0xf240, 0x0077,	/* 1a: movw	r0, #0x77 */
	0xbf08,		/* 1e: it	eq */
	0xf7f0, 0x8000,	/* 20: smceq	#0 */
	0x6008,		/* 24: str	r0, [r1] */
	0xe7fe,		/* 26: b	. */
};

/* Both programs: the PL310 call's SMC, and the SMC that passes. */
#define A32_PL310_SMC		0x8
#define A32_PASS_SMC		0x20

/*
 * A call from FIQ mode: r8-r12 of User mode, then of FIQ mode, are set to
 * distinct values, r12_fiq to the PL310 number; the result and r12 are
 * stored after the call, r12 through r0: QEMU 7.2 reports the AArch32
 * register number in the SRT of a data abort (12), where the Arm ARM asks
 * for the AArch64 view (28 in FIQ mode), and KVM would then emulate the
 * store of x12.
 */
#define A32_R(n)		(0x1100 + (n))	/* User mode rN */
#define A32_R_FIQ(n)		(0xf100 + (n))	/* FIQ mode rN */

static const uint32_t a32_fiq_call[] = {
	0xe3018108,	/*  0: movw	r8, #0x1108 */
	0xe3019109,	/*  4: movw	r9, #0x1109 */
	0xe301a10a,	/*  8: movw	r10, #0x110a */
	0xe301b10b,	/*  c: movw	r11, #0x110b */
	0xe301c10c,	/* 10: movw	r12, #0x110c */
	0xf1020011,	/* 14: cps	#0x11		@ FIQ mode */
	0xe30f8108,	/* 18: movw	r8, #0xf108 */
	0xe30f9109,	/* 1c: movw	r9, #0xf109 */
	0xe30fa10a,	/* 20: movw	r10, #0xf10a */
	0xe30fb10b,	/* 24: movw	r11, #0xf10b */
	0xe300c102,	/* 28: movw	r12, #0x102 */
	0xe3000055,	/* 2c: movw	r0, #0x55 */
	0xe1600070,	/* 30: smc	#0 */
	0xe5810000,	/* 34: str	r0, [r1] */
	0xe1a0000c,	/* 38: mov	r0, r12 */
	0xe5810000,	/* 3c: str	r0, [r1] */
	0xeafffffe,	/* 40: b	. */
};

#define A32_FIQ_SMC		0x30

#define AARCH32_TESTS		4

static bool aarch32_el1_supported(const char *what)
{
	if (kvm_check_cap(KVM_CAP_ARM_EL1_32BIT))
		return true;
	ksft_test_result_skip("%s: no AArch32 EL1 (KVM_CAP_ARM_EL1_32BIT)\n",
			      what);
	return false;
}

/* A VM whose only vCPU runs @code from AArch32 EL1; the VMM forwards all SMCs. */
static struct kvm_vm *aarch32_vm(const void *code, size_t size, uint64_t cpsr,
				 struct kvm_vcpu **vcpu, uint64_t *gpa)
{
	struct kvm_vcpu_init init;
	struct kvm_vm *vm;

	vm = vm_create(1);
	/* Run with the MMU off: the PC is the code's guest physical address */
	*gpa = vm_phy_page_alloc(vm, KVM_GUEST_PAGE_TABLE_MIN_PADDR, 0);
	memcpy(addr_gpa2hva(vm, *gpa), code, size);

	*vcpu = __vm_vcpu_add(vm, 0);
	vm_ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init);
	init.features[0] |= 1 << KVM_ARM_VCPU_EL1_32BIT;
	vcpu_ioctl(*vcpu, KVM_ARM_VCPU_INIT, &init);
	kvm_arch_vm_finalize_vcpus(vm);
	vcpu_set_reg(*vcpu, ARM64_CORE_REG(regs.pc), *gpa);
	vcpu_set_reg(*vcpu, ARM64_CORE_REG(regs.pstate), cpsr);
	vcpu_set_reg(*vcpu, ARM64_CORE_REG(regs.regs[1]), A32_MMIO_GPA);

	enable_fwd(vm, 0, 0, FWD_SMC | KVM_ARM_SMCCC_FWD_ALL_SMC);
	return vm;
}

/* Run into the SMC of @nr; it exits with the PC past the SMC at @pc. */
static void aarch32_expect_call(struct kvm_vcpu *vcpu, uint32_t nr, uint64_t pc)
{
	uint64_t pstate;

	expect_exit(vcpu, nr, SMC_INSN, KVM_HYPERCALL_EXIT_AARCH32);
	TEST_ASSERT(get_reg(vcpu, ARM64_CORE_REG(regs.pc)) == pc + 4,
		    "0x%x: PC 0x%lx, expected 0x%lx, past the SMC", nr,
		    get_reg(vcpu, ARM64_CORE_REG(regs.pc)), pc + 4);
	pstate = get_reg(vcpu, ARM64_CORE_REG(regs.pstate));
	TEST_ASSERT(!(pstate & A32_CPSR_IT),
		    "0x%x: IT state 0x%lx left after the SMC", nr,
		    pstate & A32_CPSR_IT);
}

/* Run into the guest's store of a register; it holds @val. */
static void aarch32_expect_store(struct kvm_vcpu *vcpu, uint32_t val)
{
	struct kvm_run *run = vcpu->run;
	uint32_t data;

	vcpu_run(vcpu);
	TEST_ASSERT(run->exit_reason == KVM_EXIT_MMIO && run->mmio.is_write &&
		    run->mmio.phys_addr == A32_MMIO_GPA && run->mmio.len == 4,
		    "expected the guest's store to 0x%lx, got %s", A32_MMIO_GPA,
		    exit_reason_str(run->exit_reason));
	memcpy(&data, run->mmio.data, sizeof(data));
	TEST_ASSERT(data == val, "guest stored 0x%x, expected 0x%x", data, val);
}

/*
 * A32 or T32: the call with r12 = 0x102, whose r12 the VMM reads and whose
 * r0 it sets with ONE_REG; then a conditional SMC that fails, which must
 * neither exit nor stop the guest, and one that passes.
 */
static void test_aarch32_calls(bool thumb)
{
	const char *isa = thumb ? "T32" : "A32";
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	uint64_t gpa;

	if (!aarch32_el1_supported(isa))
		return;

	if (thumb)
		vm = aarch32_vm(t32_calls, sizeof(t32_calls),
				A32_CPSR_SVC | A32_CPSR_T, &vcpu, &gpa);
	else
		vm = aarch32_vm(a32_calls, sizeof(a32_calls), A32_CPSR_SVC,
				&vcpu, &gpa);

	aarch32_expect_call(vcpu, A32_FN_PL310, gpa + A32_PL310_SMC);
	TEST_ASSERT(get_reg(vcpu, ARM64_CORE_REG(regs.regs[12])) == A32_PL310_R12,
		    "%s: r12 (x12) is 0x%lx, expected 0x%x", isa,
		    get_reg(vcpu, ARM64_CORE_REG(regs.regs[12])), A32_PL310_R12);
	vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.regs[0]), 0xcafe);
	aarch32_expect_store(vcpu, 0xcafe);

	/* An exit for A32_FN_FAIL here would be the failed SMC's. */
	aarch32_expect_call(vcpu, A32_FN_PASS, gpa + A32_PASS_SMC);
	vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.regs[0]), 0xbeef);
	aarch32_expect_store(vcpu, 0xbeef);
	TEST_ASSERT(vcpu_stat(vcpu, "smccc_exit_user") == 2,
		    "%s: %lu forwarded calls, expected 2", isa,
		    vcpu_stat(vcpu, "smccc_exit_user"));

	kvm_vm_free(vm);
	ksft_test_result_pass("%s: r12 = 0x102, r0 by ONE_REG, SMCNE skipped, SMCEQ exits\n",
			      isa);
}

/* FIQ mode: the caller's r8-r12 are x24-x28, and x8-x12 are User mode's. */
static void test_aarch32_fiq_banked(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	uint64_t gpa;
	int n;

	if (!aarch32_el1_supported("A32 FIQ mode"))
		return;

	vm = aarch32_vm(a32_fiq_call, sizeof(a32_fiq_call), A32_CPSR_SVC,
			&vcpu, &gpa);
	aarch32_expect_call(vcpu, A32_FN_PL310, gpa + A32_FIQ_SMC);
	TEST_ASSERT((get_reg(vcpu, ARM64_CORE_REG(regs.pstate)) & 0x1f) == A32_MODE_FIQ,
		    "the caller is not in FIQ mode");
	for (n = 8; n <= 12; n++) {
		uint64_t usr = get_reg(vcpu, ARM64_CORE_REG(regs.regs[n]));
		uint64_t fiq = get_reg(vcpu, ARM64_CORE_REG(regs.regs[n + 16]));
		uint64_t want = n == 12 ? A32_PL310_R12 : A32_R_FIQ(n);

		TEST_ASSERT(usr == A32_R(n), "x%d (r%d_usr) is 0x%lx, expected 0x%x",
			    n, n, usr, A32_R(n));
		TEST_ASSERT(fiq == want, "x%d (r%d_fiq) is 0x%lx, expected 0x%lx",
			    n + 16, n, fiq, want);
	}

	/* What the VMM writes to x28 is the caller's r12. */
	vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.regs[0]), 0xcafe);
	vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.regs[28]), 0xf12);
	aarch32_expect_store(vcpu, 0xcafe);
	aarch32_expect_store(vcpu, 0xf12);

	kvm_vm_free(vm);
	ksft_test_result_pass("A32 caller in FIQ mode: r8_fiq-r12_fiq are x24-x28\n");
}

/*
 * An A32 HVC with a non-zero immediate, function ID 0x83000012 (an SMC32
 * OEM call). Encodings from ARM DDI 0487K.a, F5.1.
 */
static const uint32_t a32_hvc_imm[] = {
	0xe3000012,	/*  0: movw	r0, #0x12 */
	0xe3480300,	/*  4: movt	r0, #0x8300 */
	0xe1412374,	/*  8: hvc	#0x1234 */
	0xeafffffe,	/*  c: b	. */
};

#define A32_FN_OEM		0x83000012u

/*
 * A filter user sees upstream's exit for an AArch32 caller too: flags 0
 * (HVC, 32-bit instruction), ret 0; the same call in a forwarded range
 * reports the caller's state and the immediate.
 */
static void test_aarch32_filter_flags(void)
{
	const uint64_t fwd_flags = KVM_HYPERCALL_EXIT_AARCH32 |
				   FIELD_PREP(KVM_HYPERCALL_EXIT_IMM_MASK, 0x1234);
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	uint64_t gpa;
	int filter;

	if (!aarch32_el1_supported("A32 HVC #imm in a filter range"))
		return;

	for (filter = 0; filter <= 1; filter++) {
		vm = aarch32_vm(a32_hvc_imm, sizeof(a32_hvc_imm), A32_CPSR_SVC,
				&vcpu, &gpa);
		if (filter)
			set_filter(vm, A32_FN_OEM, 1, KVM_SMCCC_FILTER_FWD_TO_USER);
		else
			enable_fwd(vm, A32_FN_OEM, 1, FWD_HVC);
		run = expect_exit(vcpu, A32_FN_OEM, HVC_INSN,
				  filter ? 0 : fwd_flags);
		TEST_ASSERT(!run->hypercall.ret, "ret 0x%llx at exit",
			    run->hypercall.ret);
		kvm_vm_free(vm);
	}
	ksft_test_result_pass("A32 HVC #imm: upstream flags for filter exits\n");
}

static void test_aarch32(void)
{
	test_aarch32_calls(false);
	test_aarch32_calls(true);
	test_aarch32_fiq_banked();
	test_aarch32_filter_flags();
}

static bool tracefs_enable(const char *event, const char *val)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/kvm/%s/enable",
		 event);
	f = fopen(path, "w");
	if (!f)
		return false;
	fputs(val, f);
	return !fclose(f);
}

static void test_tracepoint(void)
{
	uint32_t fn = OEM_FN(0x33);
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	char line[256];
	bool seen = false;
	FILE *trace;

	if (!tracefs_enable("kvm_smccc_exit_user", "1")) {
		ksft_test_result_skip("tracepoint: no tracefs at /sys/kernel/tracing\n");
		return;
	}
	trace = fopen("/sys/kernel/tracing/trace", "w");
	TEST_ASSERT(trace && !fclose(trace), "cannot clear the trace buffer");

	vm = setup_vm(&vcpu, guest_one_call);
	enable_fwd(vm, fn, 1, FWD_HVC);
	vcpu_args_set(vcpu, 2, fn, HVC_INSN);
	expect_exit(vcpu, fn, HVC_INSN, 0);
	kvm_vm_free(vm);
	TEST_ASSERT(tracefs_enable("kvm_smccc_exit_user", "0"),
		    "cannot disable the tracepoint");

	trace = fopen("/sys/kernel/tracing/trace", "r");
	TEST_ASSERT(trace, "cannot read the trace buffer");
	while (fgets(line, sizeof(line), trace))
		seen |= strstr(line, "kvm_smccc_exit_user") &&
			strstr(line, "nr: 0xc3000033");
	fclose(trace);
	TEST_ASSERT(seen, "no kvm_smccc_exit_user event for 0x%x", fn);
	ksft_test_result_pass("tracepoint kvm_smccc_exit_user\n");
}

/* --- several vCPUs at once --------------------------------------------- */

#define NR_VCPUS	4
#define NR_CALLS	300
#define CONC_FN		OEM_FN(0x200)

static uint64_t conc_result(uint64_t vcpu_id, uint64_t seq, int i)
{
	return (vcpu_id << 48) ^ (seq << 8) ^ (0x5a5a + i);
}

static void guest_concurrent(uint64_t vcpu_id)
{
	struct arm_smccc_res res;
	uint64_t seq;

	for (seq = 0; seq < NR_CALLS; seq++) {
		smccc_hvc(CONC_FN, vcpu_id, seq, 0, 0, 0, 0, 0, &res);
		GUEST_ASSERT_EQ(res.a0, conc_result(vcpu_id, seq, 0));
		GUEST_ASSERT_EQ(res.a1, conc_result(vcpu_id, seq, 1));
		GUEST_ASSERT_EQ(res.a2, conc_result(vcpu_id, seq, 2));
		GUEST_ASSERT_EQ(res.a3, conc_result(vcpu_id, seq, 3));
	}
	GUEST_DONE();
}

static void *vcpu_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	struct kvm_run *run = vcpu->run;
	uint64_t expect = 0, id = vcpu->id;
	struct ucall uc;

	for (;;) {
		vcpu_run(vcpu);
		if (run->exit_reason != KVM_EXIT_HYPERCALL)
			break;
		/* In order, once each: nothing lost, nothing duplicated. */
		TEST_ASSERT(run->hypercall.nr == CONC_FN &&
			    run->hypercall.args[0] == id &&
			    run->hypercall.args[1] == expect,
			    "vCPU %lu: call (0x%llx, %llu, %llu), expected seq %lu",
			    id, run->hypercall.nr, run->hypercall.args[0],
			    run->hypercall.args[1], expect);
		run->s.regs.regs.regs[0] = conc_result(id, expect, 0);
		run->s.regs.regs.regs[1] = conc_result(id, expect, 1);
		run->s.regs.regs.regs[2] = conc_result(id, expect, 2);
		run->s.regs.regs.regs[3] = conc_result(id, expect, 3);
		run->kvm_dirty_regs = KVM_SYNC_ARM64_REGS;
		expect++;
	}
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_DONE:
		break;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
	default:
		TEST_FAIL("vCPU %lu: unexpected exit %s", id,
			  exit_reason_str(run->exit_reason));
	}
	TEST_ASSERT(expect == NR_CALLS, "vCPU %lu: %lu calls, expected %d",
		    id, expect, NR_CALLS);
	return NULL;
}

static void test_concurrent(void)
{
	struct kvm_vcpu *vcpus[NR_VCPUS];
	pthread_t threads[NR_VCPUS];
	struct kvm_vm *vm;
	int i;

	vm = vm_create_with_vcpus(NR_VCPUS, guest_concurrent, vcpus);
	enable_fwd(vm, CONC_FN, 1, FWD_HVC);
	for (i = 0; i < NR_VCPUS; i++) {
		vcpus[i]->run->kvm_valid_regs = KVM_SYNC_ARM64_REGS;
		vcpu_args_set(vcpus[i], 1, vcpus[i]->id);
		pthread_create(&threads[i], NULL, vcpu_thread, vcpus[i]);
	}
	for (i = 0; i < NR_VCPUS; i++)
		pthread_join(threads[i], NULL);
	for (i = 0; i < NR_VCPUS; i++)
		TEST_ASSERT(vcpu_stat(vcpus[i], "smccc_exit_user") == NR_CALLS,
			    "vCPU %d: smccc_exit_user is not %d", i, NR_CALLS);
	kvm_vm_free(vm);
	ksft_test_result_pass("%d vCPUs x %d calls, each checked\n",
			      NR_VCPUS, NR_CALLS);
}

int main(void)
{
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ARM_SMCCC_FORWARD));
	TEST_REQUIRE(kvm_check_cap(KVM_CAP_SYNC_REGS) & KVM_SYNC_ARM64_REGS);

	ksft_print_header();
	ksft_set_plan(19 + AARCH32_TESTS);

	test_check_extension();
	test_einval();
	test_arch_calls_eexist();
	test_eexist();
	test_ebusy();
	test_no_capability();
	test_conduits();
	test_range_edges();
	test_sdei_preset(HVC_INSN);
	test_sdei_preset(SMC_INSN);
	test_results_in_run();
	test_one_reg_style();
	test_filter_exit_flags();
	test_sdei_context_switch();
	test_filter_coexistence();
	test_all_smc();
	test_all_smc_edges();
	test_aarch32();
	test_tracepoint();
	test_concurrent();

	ksft_finished();
}
