// SPDX-License-Identifier: GPL-2.0-only
/*
 * smccc_fwd_bench - Round trip of an SMCCC call forwarded to userspace.
 *
 * Measures the time a guest waits for an SMCCC call that its VMM serves,
 * from the HVC instruction until the guest has the results in x0-x3, for:
 *
 *  (a)  a range forwarded with KVM_CAP_ARM_SMCCC_FORWARD, completed through
 *       KVM_CAP_SYNC_REGS: the VMM reads the arguments from kvm_run, writes
 *       the results to run->s.regs.regs.regs[0-3], marks the set dirty and
 *       calls KVM_RUN again, one ioctl per call;
 *  (b)  the same call forwarded by KVM_ARM_VM_SMCCC_FILTER with
 *       KVM_SMCCC_FILTER_FWD_TO_USER, served the upstream way: x0-x3 read
 *       with KVM_GET_ONE_REG, the results written with KVM_SET_ONE_REG, then
 *       KVM_RUN, nine ioctls per call;
 *  (c)  the floor of any exit to userspace: an MMIO write to a GPA that no
 *       memslot backs, re-entered at once;
 *  (d)  an HVC that KVM handles itself, PSCI_VERSION, which does not exit;
 *  (a1000) as (a), with 999 more forwarded ranges installed in the VM, to
 *       see what the lookup of the range costs.
 *
 * Each case has a VM of its own, with one vCPU, since a function ID is
 * either in the filter or in a forwarded range. The guest makes batches of
 * N calls (-n), and ends each batch with a ucall. The host times each batch
 * with CLOCK_MONOTONIC and divides by N; the ucall that ends the batch is
 * included. The cases are interleaved, a b c d a1000 a b c d a1000 ..., for
 * R repetitions (-r), after each VM has warmed up (-w).
 *
 * The host counts the ioctls it issues for each forwarded call, from the
 * exit of the call up to and including the KVM_RUN that resumes the guest.
 * The guest checks every result it gets back, and the host every exit it
 * gets. The times and the ratios are only reported, next to the targets of
 * the feature: this is a benchmark, not a test, and it never fails on them.
 */
#include <linux/arm-smccc.h>
#include <linux/psci.h>
#include <sched.h>
#include <stdint.h>
#include <time.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

/* The measured call: an OEM service call (owning entity 3), unknown to KVM. */
#define BENCH_FN	ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL, ARM_SMCCC_SMC_64, \
					   ARM_SMCCC_OWNER_OEM, 0)

/*
 * The 999 extra ranges of case (a1000): single function IDs, every other
 * ID, 500 in the SiP service calls below BENCH_FN and 499 in the OEM
 * service calls above it.
 */
#define NR_EXTRA_RANGES		999
#define NR_EXTRA_BELOW		500
#define EXTRA_BELOW_FN(i)	ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL,		\
						   ARM_SMCCC_SMC_64,		\
						   ARM_SMCCC_OWNER_SIP, 2 * (i))
#define EXTRA_ABOVE_FN(i)	ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL,		\
						   ARM_SMCCC_SMC_64,		\
						   ARM_SMCCC_OWNER_OEM,		\
						   0x100 + 2 * (i))

/* Arguments the guest passes in x2 and x3; x1 is the number of the call. */
#define ARG2		0x5555aaaa00000000ull
#define ARG3		0x0123456789abcdefull

#define DEFAULT_NR_CALLS	3000
#define DEFAULT_NR_REPS		9
#define MIN_NR_REPS		7
#define DEFAULT_NR_WARMUP	500

/* Targets of the feature, for comparison. */
#define TARGET_IOCTLS		1
#define UPSTREAM_IOCTLS		9
#define TARGET_A_C		1.10
#define TARGET_A_B		1.0
#define TARGET_A1000_A		1.10

enum bench_case {
	CASE_FWD,
	CASE_FILTER,
	CASE_MMIO,
	CASE_PSCI,
	CASE_FWD_1000,
	NR_CASES,
};

static const char * const case_name[NR_CASES] = {
	[CASE_FWD]	= "(a)     SMCCC_FORWARD, results in kvm_run",
	[CASE_FILTER]	= "(b)     SMCCC_FILTER, GET/SET_ONE_REG x0-x3",
	[CASE_MMIO]	= "(c)     MMIO write exit (floor)",
	[CASE_PSCI]	= "(d)     PSCI_VERSION, handled by KVM",
	[CASE_FWD_1000]	= "(a1000) as (a), 1000 ranges installed",
};

/* What the VMM answers in x0-x3 to a call with arguments x1-x3. */
static void bench_results(uint64_t x1, uint64_t x2, uint64_t x3,
			  struct arm_smccc_res *res)
{
	res->a0 = SMCCC_RET_SUCCESS;
	res->a1 = ~x1;
	res->a2 = x2 + x1;
	res->a3 = x3 ^ x1;
}

/* --- guest side ------------------------------------------------------- */

static uint64_t guest_nr_calls;
static uint64_t guest_psci_version;
static uint64_t *guest_mmio;

static void guest_fwd(void)
{
	struct arm_smccc_res res, expected;
	uint64_t i, n;

	for (;;) {
		GUEST_SYNC(0);
		n = READ_ONCE(guest_nr_calls);

		for (i = 0; i < n; i++) {
			smccc_hvc(BENCH_FN, i, ARG2, ARG3, 0, 0, 0, 0, &res);
			bench_results(i, ARG2, ARG3, &expected);
			GUEST_ASSERT_EQ(res.a0, expected.a0);
			GUEST_ASSERT_EQ(res.a1, expected.a1);
			GUEST_ASSERT_EQ(res.a2, expected.a2);
			GUEST_ASSERT_EQ(res.a3, expected.a3);
		}
	}
}

static void guest_mmio_write(void)
{
	uint64_t i, n;

	for (;;) {
		GUEST_SYNC(0);
		n = READ_ONCE(guest_nr_calls);

		for (i = 0; i < n; i++)
			WRITE_ONCE(*guest_mmio, i);
	}
}

static void guest_psci(void)
{
	struct arm_smccc_res res;
	uint64_t i, n;

	for (;;) {
		GUEST_SYNC(0);
		n = READ_ONCE(guest_nr_calls);

		for (i = 0; i < n; i++) {
			smccc_hvc(PSCI_0_2_FN_PSCI_VERSION, 0, 0, 0, 0, 0, 0, 0,
				  &res);
			GUEST_ASSERT_EQ(res.a0, guest_psci_version);
		}
	}
}

/* --- host side -------------------------------------------------------- */

struct bench {
	enum bench_case type;
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	vm_paddr_t mmio_gpa;
	/* Forwarded calls served while timed, and the ioctls they took */
	uint64_t nr_calls;
	uint64_t nr_call_ioctls;
	/* Per-call time of each repetition, in microseconds */
	double *us;
};

static uint64_t nr_ioctls;

/* Every ioctl on the measured path goes through here, to be counted. */
static int bench_ioctl(int fd, unsigned long cmd, void *arg)
{
	nr_ioctls++;
	return ioctl(fd, cmd, arg);
}

static uint64_t bench_get_reg(struct kvm_vcpu *vcpu, int n)
{
	uint64_t val;
	struct kvm_one_reg reg = {
		.id	= ARM64_CORE_REG(regs.regs[n]),
		.addr	= (uint64_t)&val,
	};
	int r = bench_ioctl(vcpu->fd, KVM_GET_ONE_REG, &reg);

	TEST_ASSERT(!r, KVM_IOCTL_ERROR(KVM_GET_ONE_REG, r));
	return val;
}

static void bench_set_reg(struct kvm_vcpu *vcpu, int n, uint64_t val)
{
	struct kvm_one_reg reg = {
		.id	= ARM64_CORE_REG(regs.regs[n]),
		.addr	= (uint64_t)&val,
	};
	int r = bench_ioctl(vcpu->fd, KVM_SET_ONE_REG, &reg);

	TEST_ASSERT(!r, KVM_IOCTL_ERROR(KVM_SET_ONE_REG, r));
}

static void bench_run(struct kvm_vcpu *vcpu)
{
	int r = bench_ioctl(vcpu->fd, KVM_RUN, NULL);

	TEST_ASSERT(!r, KVM_IOCTL_ERROR(KVM_RUN, r));
}

/* Results through kvm_run: nothing to issue but the next KVM_RUN. */
static void serve_fwd(struct kvm_run *run)
{
	struct arm_smccc_res res;

	TEST_ASSERT(run->hypercall.nr == BENCH_FN,
		    "Unexpected call 0x%llx, flags 0x%llx",
		    run->hypercall.nr, run->hypercall.flags);

	bench_results(run->hypercall.args[0], run->hypercall.args[1],
		      run->hypercall.args[2], &res);

	run->s.regs.regs.regs[0] = res.a0;
	run->s.regs.regs.regs[1] = res.a1;
	run->s.regs.regs.regs[2] = res.a2;
	run->s.regs.regs.regs[3] = res.a3;
	run->kvm_dirty_regs = KVM_SYNC_ARM64_REGS;
}

/* The upstream way: read x0-x3, write x0-x3. */
static void serve_filter(struct kvm_vcpu *vcpu)
{
	uint64_t x0 = bench_get_reg(vcpu, 0);
	uint64_t x1 = bench_get_reg(vcpu, 1);
	uint64_t x2 = bench_get_reg(vcpu, 2);
	uint64_t x3 = bench_get_reg(vcpu, 3);
	struct arm_smccc_res res;

	TEST_ASSERT(x0 == BENCH_FN && vcpu->run->hypercall.nr == BENCH_FN,
		    "Unexpected call 0x%lx (exit reports 0x%llx)",
		    x0, vcpu->run->hypercall.nr);

	bench_results(x1, x2, x3, &res);

	bench_set_reg(vcpu, 0, res.a0);
	bench_set_reg(vcpu, 1, res.a1);
	bench_set_reg(vcpu, 2, res.a2);
	bench_set_reg(vcpu, 3, res.a3);
}

/*
 * Serve the exit the case expects, if this is one; return false for any
 * other exit, which should be the ucall that ends the batch.
 */
static bool serve_exit(struct bench *b)
{
	struct kvm_run *run = b->vcpu->run;

	switch (b->type) {
	case CASE_FWD:
	case CASE_FWD_1000:
		if (run->exit_reason != KVM_EXIT_HYPERCALL)
			return false;
		serve_fwd(run);
		return true;
	case CASE_FILTER:
		if (run->exit_reason != KVM_EXIT_HYPERCALL)
			return false;
		serve_filter(b->vcpu);
		return true;
	case CASE_MMIO:
		if (run->exit_reason != KVM_EXIT_MMIO ||
		    run->mmio.phys_addr != b->mmio_gpa)
			return false;
		TEST_ASSERT(run->mmio.is_write && run->mmio.len == 8,
			    "Unexpected MMIO access, write %u, len %u",
			    run->mmio.is_write, run->mmio.len);
		return true;
	default:
		return false;
	}
}

static void expect_sync(struct kvm_vcpu *vcpu)
{
	struct ucall uc;

	switch (get_ucall(vcpu, &uc)) {
	case UCALL_SYNC:
		break;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	default:
		TEST_FAIL("Unexpected exit %s, ucall %lu",
			  exit_reason_str(vcpu->run->exit_reason), uc.cmd);
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/*
 * Run one batch of @n calls; the vCPU waits in the ucall of the previous
 * batch. Return the time the batch took, in nanoseconds.
 */
static uint64_t run_batch(struct bench *b, uint64_t n, bool timed)
{
	uint64_t calls = 0, call_ioctls = 0, mark = 0;
	bool in_call = false;
	uint64_t start, end;

	guest_nr_calls = n;
	sync_global_to_guest(b->vm, guest_nr_calls);

	start = now_ns();
	for (;;) {
		bench_run(b->vcpu);

		/* The ioctls since the last exit served that call. */
		if (in_call)
			call_ioctls += nr_ioctls - mark;

		mark = nr_ioctls;
		in_call = serve_exit(b);
		if (!in_call)
			break;
		calls++;
	}
	end = now_ns();

	expect_sync(b->vcpu);
	TEST_ASSERT(calls == (b->type == CASE_PSCI ? 0 : n),
		    "%s: %lu exits for %lu calls", case_name[b->type], calls, n);

	if (timed) {
		b->nr_calls += calls;
		b->nr_call_ioctls += call_ioctls;
	}

	return end - start;
}

static int enable_fwd(struct kvm_vm *vm, uint32_t base, uint32_t nr)
{
	struct kvm_enable_cap cap = {
		.cap	= KVM_CAP_ARM_SMCCC_FORWARD,
		.args	= { base, nr,
			    KVM_ARM_SMCCC_FWD_HVC },
	};

	return __vm_ioctl(vm, KVM_ENABLE_CAP, &cap);
}

static void setup_fwd(struct bench *b, int nr_extra)
{
	int i, r;

	r = enable_fwd(b->vm, BENCH_FN, 1);
	TEST_ASSERT(!r, "KVM_CAP_ARM_SMCCC_FORWARD 0x%x: %s",
		    BENCH_FN, strerror(errno));
	b->vcpu->run->kvm_valid_regs = KVM_SYNC_ARM64_REGS;

	for (i = 0; i < nr_extra; i++) {
		uint32_t fn = i < NR_EXTRA_BELOW ?
			      EXTRA_BELOW_FN(i) :
			      EXTRA_ABOVE_FN(i - NR_EXTRA_BELOW);

		r = enable_fwd(b->vm, fn, 1);
		TEST_ASSERT(!r, "KVM_CAP_ARM_SMCCC_FORWARD 0x%x (range %d): %s",
			    fn, i + 2, strerror(errno));
	}
}

static void setup_filter(struct bench *b)
{
	struct kvm_smccc_filter filter = {
		.base		= BENCH_FN,
		.nr_functions	= 1,
		.action		= KVM_SMCCC_FILTER_FWD_TO_USER,
	};
	int r;

	r = __kvm_device_attr_set(b->vm->fd, KVM_ARM_VM_SMCCC_CTRL,
				  KVM_ARM_VM_SMCCC_FILTER, &filter);
	TEST_ASSERT(!r, "KVM_ARM_VM_SMCCC_FILTER 0x%x: %s",
		    BENCH_FN, strerror(errno));
}

/* A GPA past the ucall page, which no memslot backs, mapped for the guest. */
static void setup_mmio(struct bench *b)
{
	vm_vaddr_t gva = vm_vaddr_unused_gap(b->vm, b->vm->page_size,
					     KVM_UTIL_MIN_VADDR);

	b->mmio_gpa = b->vm->ucall_mmio_addr + b->vm->page_size;
	virt_map(b->vm, gva, b->mmio_gpa, 1);

	guest_mmio = (uint64_t *)gva;
	sync_global_to_guest(b->vm, guest_mmio);
}

static void setup_psci(struct bench *b)
{
	vcpu_get_reg(b->vcpu, KVM_REG_ARM_PSCI_VERSION, &guest_psci_version);
	sync_global_to_guest(b->vm, guest_psci_version);
}

static void setup_bench(struct bench *b, enum bench_case type, int nr_reps,
			int nr_warmup)
{
	void *guest_code[NR_CASES] = {
		[CASE_FWD]	= guest_fwd,
		[CASE_FILTER]	= guest_fwd,
		[CASE_MMIO]	= guest_mmio_write,
		[CASE_PSCI]	= guest_psci,
		[CASE_FWD_1000]	= guest_fwd,
	};
	struct kvm_vcpu_init init;

	b->type = type;
	b->us = calloc(nr_reps, sizeof(*b->us));
	TEST_ASSERT(b->us, "calloc() failed");

	/* PSCI 0.2 or later, for PSCI_VERSION */
	b->vm = vm_create(1);
	vm_ioctl(b->vm, KVM_ARM_PREFERRED_TARGET, &init);
	init.features[0] |= BIT(KVM_ARM_VCPU_PSCI_0_2);
	b->vcpu = aarch64_vcpu_add(b->vm, 0, &init, guest_code[type]);

	/* The ranges must be in place before the vCPU first runs. */
	switch (type) {
	case CASE_FWD:
		setup_fwd(b, 0);
		break;
	case CASE_FWD_1000:
		setup_fwd(b, NR_EXTRA_RANGES);
		break;
	case CASE_FILTER:
		setup_filter(b);
		break;
	case CASE_MMIO:
		setup_mmio(b);
		break;
	case CASE_PSCI:
		setup_psci(b);
		break;
	default:
		TEST_FAIL("Unknown case %d", type);
	}

	/* Up to the first ucall, then a warm-up batch. */
	vcpu_run(b->vcpu);
	expect_sync(b->vcpu);
	run_batch(b, nr_warmup, false);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct summary {
	double median, min, max;
};

static struct summary summarize(const double *val, int n)
{
	double *sorted = malloc(n * sizeof(*sorted));
	struct summary s;

	TEST_ASSERT(sorted, "malloc() failed");
	memcpy(sorted, val, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_double);

	s.min = sorted[0];
	s.max = sorted[n - 1];
	s.median = n % 2 ? sorted[n / 2] :
			   (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	free(sorted);
	return s;
}

static const char *met(bool ok)
{
	return ok ? "met" : "NOT met";
}

static void help(const char *name)
{
	puts("");
	printf("usage: %s [-n calls] [-r repetitions] [-w warm-up calls]\n", name);
	printf(" -n: calls per batch, i.e. per sample (default %d)\n",
	       DEFAULT_NR_CALLS);
	printf(" -r: repetitions of the whole series, at least %d (default %d)\n",
	       MIN_NR_REPS, DEFAULT_NR_REPS);
	printf(" -w: calls made in each VM before timing (default %d)\n",
	       DEFAULT_NR_WARMUP);
	puts("");
	exit(0);
}

int main(int argc, char *argv[])
{
	int nr_calls = DEFAULT_NR_CALLS, nr_reps = DEFAULT_NR_REPS;
	int nr_warmup = DEFAULT_NR_WARMUP;
	uint64_t needed = KVM_ARM_SMCCC_FWD_HVC;
	double *ratio_ac, *ratio_ab, *ratio_1000;
	struct bench bench[NR_CASES] = {};
	struct summary s_ac, s_ab, s_1000;
	uint64_t fwd_ioctls, filter_ioctls;
	uint64_t start;
	int opt, i, r;

	while ((opt = getopt(argc, argv, "hn:r:w:")) != -1) {
		switch (opt) {
		case 'n':
			nr_calls = atoi_positive("Calls per batch", optarg);
			break;
		case 'r':
			nr_reps = atoi_positive("Repetitions", optarg);
			TEST_ASSERT(nr_reps >= MIN_NR_REPS,
				    "At least %d repetitions", MIN_NR_REPS);
			break;
		case 'w':
			nr_warmup = atoi_non_negative("Warm-up calls", optarg);
			break;
		case 'h':
		default:
			help(argv[0]);
		}
	}

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ARM_SMCCC_FORWARD));
	TEST_REQUIRE((kvm_check_cap(KVM_CAP_ARM_SMCCC_FORWARD) & needed) == needed);
	TEST_REQUIRE(kvm_check_cap(KVM_CAP_SYNC_REGS) & KVM_SYNC_ARM64_REGS);

	/* Keep the vCPU threads, i.e. this one, on one physical CPU. */
	r = sched_getcpu();
	TEST_ASSERT(r >= 0, "sched_getcpu() failed");
	kvm_pin_this_task_to_pcpu(r);

	ksft_print_msg("smccc_fwd_bench: ID 0x%x over HVC, %d calls per sample\n",
		       BENCH_FN, nr_calls);
	ksft_print_msg("%d repetitions, %d warm-up calls per VM, pinned to CPU %d\n",
		       nr_reps, nr_warmup, r);

	start = now_ns();
	for (i = 0; i < NR_CASES; i++)
		setup_bench(&bench[i], i, nr_reps, nr_warmup);

	for (r = 0; r < nr_reps; r++) {
		for (i = 0; i < NR_CASES; i++) {
			uint64_t ns = run_batch(&bench[i], nr_calls, true);

			bench[i].us[r] = ns / 1000.0 / nr_calls;
		}
	}

	ratio_ac = calloc(nr_reps, sizeof(double));
	ratio_ab = calloc(nr_reps, sizeof(double));
	ratio_1000 = calloc(nr_reps, sizeof(double));
	TEST_ASSERT(ratio_ac && ratio_ab && ratio_1000, "calloc() failed");

	for (r = 0; r < nr_reps; r++) {
		ratio_ac[r] = bench[CASE_FWD].us[r] / bench[CASE_MMIO].us[r];
		ratio_ab[r] = bench[CASE_FWD].us[r] / bench[CASE_FILTER].us[r];
		ratio_1000[r] = bench[CASE_FWD_1000].us[r] / bench[CASE_FWD].us[r];
	}
	s_ac = summarize(ratio_ac, nr_reps);
	s_ab = summarize(ratio_ab, nr_reps);
	s_1000 = summarize(ratio_1000, nr_reps);

	ksft_print_msg("\n");
	ksft_print_msg("Round trip guest -> VMM -> guest, in us per call, over %d samples:\n",
		       nr_reps);
	ksft_print_msg("%-44s %12s %9s %9s %9s\n",
		       "case", "ioctls/call", "median", "min", "max");
	for (i = 0; i < NR_CASES; i++) {
		struct summary s = summarize(bench[i].us, nr_reps);
		char ioctls[32];

		if (bench[i].nr_calls)
			snprintf(ioctls, sizeof(ioctls), "%.2f",
				 (double)bench[i].nr_call_ioctls / bench[i].nr_calls);
		else
			snprintf(ioctls, sizeof(ioctls), "no exit");

		ksft_print_msg("%-44s %12s %9.2f %9.2f %9.2f\n",
			       case_name[i], ioctls, s.median, s.min, s.max);
	}

	ksft_print_msg("\n");
	ksft_print_msg("Per repetition, in us per call:\n");
	ksft_print_msg("%4s %9s %9s %9s %9s %9s\n",
		       "rep", "(a)", "(b)", "(c)", "(d)", "(a1000)");
	for (r = 0; r < nr_reps; r++)
		ksft_print_msg("%4d %9.2f %9.2f %9.2f %9.2f %9.2f\n", r,
			       bench[CASE_FWD].us[r], bench[CASE_FILTER].us[r],
			       bench[CASE_MMIO].us[r], bench[CASE_PSCI].us[r],
			       bench[CASE_FWD_1000].us[r]);

	ksft_print_msg("\n");
	ksft_print_msg("Ratios, computed per repetition:\n");
	ksft_print_msg("%-44s %9s %9s %9s\n", "ratio", "median", "min", "max");
	ksft_print_msg("%-44s %9.3f %9.3f %9.3f\n", "a/c     (forwarded call / MMIO exit)",
		       s_ac.median, s_ac.min, s_ac.max);
	ksft_print_msg("%-44s %9.3f %9.3f %9.3f\n", "a/b     (kvm_run results / ONE_REG)",
		       s_ab.median, s_ab.min, s_ab.max);
	ksft_print_msg("%-44s %9.3f %9.3f %9.3f\n", "a1000/a (1000 ranges / 1 range)",
		       s_1000.median, s_1000.min, s_1000.max);

	fwd_ioctls = bench[CASE_FWD].nr_call_ioctls;
	filter_ioctls = bench[CASE_FILTER].nr_call_ioctls;

	ksft_print_msg("\n");
	ksft_print_msg("ioctls counted for the forwarded calls:\n");
	ksft_print_msg("  (a) %lu for %lu calls, (a1000) %lu for %lu calls\n",
		       fwd_ioctls, bench[CASE_FWD].nr_calls,
		       bench[CASE_FWD_1000].nr_call_ioctls,
		       bench[CASE_FWD_1000].nr_calls);
	ksft_print_msg("  (b) %lu for %lu calls\n",
		       filter_ioctls, bench[CASE_FILTER].nr_calls);
	ksft_print_msg("\n");
	ksft_print_msg("%-44s %9s %16s  %s\n", "target", "value", "target", "");
	ksft_print_msg("%-44s %9.2f %16s  %s\n", "ioctls per forwarded call, (a)",
		       (double)fwd_ioctls / bench[CASE_FWD].nr_calls,
		       "1 (upstream 9)",
		       met(fwd_ioctls == TARGET_IOCTLS * bench[CASE_FWD].nr_calls));
	ksft_print_msg("%-44s %9.2f %16s  %s\n", "ioctls per forwarded call, (b) upstream",
		       (double)filter_ioctls / bench[CASE_FILTER].nr_calls,
		       "9 expected",
		       filter_ioctls == UPSTREAM_IOCTLS * bench[CASE_FILTER].nr_calls ?
		       "as expected" : "UNEXPECTED");
	ksft_print_msg("%-44s %9.3f %16s  %s\n", "median a/c", s_ac.median,
		       "<= 1.10", met(s_ac.median <= TARGET_A_C));
	ksft_print_msg("%-44s %9.3f %16s  %s\n", "median a/b", s_ab.median,
		       "<= 1.0", met(s_ab.median <= TARGET_A_B));
	ksft_print_msg("%-44s %9.3f %16s  %s\n", "median a1000/a", s_1000.median,
		       "<= 1.10", met(s_1000.median <= TARGET_A1000_A));
	ksft_print_msg("\n");
	ksft_print_msg("Total time %.1f s\n", (now_ns() - start) / 1e9);

	for (i = 0; i < NR_CASES; i++) {
		kvm_vm_free(bench[i].vm);
		free(bench[i].us);
	}
	free(ratio_ac);
	free(ratio_ab);
	free(ratio_1000);

	return 0;
}
