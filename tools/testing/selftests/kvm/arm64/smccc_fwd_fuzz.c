// SPDX-License-Identifier: GPL-2.0-only
/*
 * smccc_fwd_fuzz - Seeded fuzzing and stress of the VMM-as-firmware UAPI:
 * KVM_CAP_ARM_SMCCC_FORWARD, KVM_CAP_SYNC_REGS and KVM_ARM_INJECT_SERROR.
 *
 * Four modes (-m), each bounded by a count (-n) and a time (-t), replayed
 * from the seed (-s) printed at start:
 *
 *  uapi:   a single-threaded VMM that mixes KVM_ENABLE_CAP of the forwarding
 *          capability (every flag combination, unknown bits, bases and counts
 *          around 0, U32_MAX and 2^32, the edges of the Arm Architecture
 *          Calls, overlaps with earlier ranges and with the SMCCC filter,
 *          calls after a vCPU ran), KVM_ARM_VM_SMCCC_FILTER,
 *          KVM_ARM_INJECT_SERROR and KVM_SET_VCPU_EVENTS with random fields,
 *          KVM_ARM_VCPU_INIT in the middle of a call, signals interrupting
 *          KVM_RUN, immediate_exit, KVM_SET_ONE_REG between an exit and its
 *          completion, and VMs destroyed with a call in flight. Each errno
 *          must be one of the ioctl's documented table (api.rst 7.48, 4.146,
 *          4.31/4.32, 4.82, 6.74, devices/vm.rst) and the one a model of the
 *          documented rules predicts: a call the model accepts must succeed.
 *
 *  guest:  random forwarded ranges and filter entries, then vCPUs that issue
 *          HVC and SMC with random x0 (inside and outside the ranges, SDEI,
 *          PSCI, Arm Architecture Calls, high bits of x0 set), immediates and
 *          x1-x6. Guest and VMM derive each call from (seed, vCPU, sequence
 *          number); the guest passes the sequence number in x9. The VMM
 *          thread of each vCPU checks that every call that must be forwarded
 *          exits exactly once, in order, with nr, args and flags as passed,
 *          and completes it alternately through kvm_run and with
 *          KVM_SET_ONE_REG; the guest checks every result, and upstream's
 *          answer (KVM's PSCI/SMCCC results, SMCCC_RET_NOT_SUPPORTED, -1 for
 *          an SMC with an immediate) for the calls that must not exit.
 *
 *  stress: the guest mode on 4 or more vCPUs, while other threads inject
 *          SErrors (KVM_ARM_INJECT_SERROR), reset vCPUs in the middle of a
 *          call (KVM_ARM_VCPU_INIT; the guest restarts and re-issues the
 *          abandoned call) and send signals that interrupt KVM_RUN. Calls are
 *          counted on both sides: nothing lost, nothing duplicated. SErrors
 *          taken by the guest never outnumber the successful injections.
 *
 *  a32:    the calls of the guest mode from an AArch32 caller (A32 HVC with
 *          the same immediates, SMC #0 and #15), on a vCPU with AArch32 EL1
 *          (KVM_CAP_ARM_EL1_32BIT; "all" runs it only if the host has it).
 *          The VMM writes each call's r0-r6 and PC, alternately through
 *          kvm_run and with KVM_SET_ONE_REG, sometimes with bits [63:32]
 *          set, and checks the exit (r0-r6 narrowed to 32 bits, AArch32 and
 *          immediate in flags for the capability's ranges only), completes
 *          it with 64-bit results, and reads back the results the guest got
 *          (narrowed) through its stores to an MMIO page. T32 callers,
 *          conditional SMCs and FIQ's banked registers are covered by
 *          smccc_fwd.
 */
#include <linux/arm-smccc.h>
#include <linux/psci.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#define FWD_HVC		KVM_ARM_SMCCC_FWD_HVC
#define FWD_SMC		KVM_ARM_SMCCC_FWD_SMC
#define FWD_SDEI	KVM_ARM_SMCCC_FWD_SDEI
#define FWD_ALL_SMC	KVM_ARM_SMCCC_FWD_ALL_SMC
#define FWD_FLAGS	(FWD_HVC | FWD_SMC | FWD_SDEI | FWD_ALL_SMC)

#define MAX_VCPUS	8
#define MAX_RANGES	128
#define POOL_SIZE	64
#define NR_KNOWN	5

/* --- shared by guest and host ------------------------------------------ */

/* splitmix64: guest and VMM derive the same call from the same inputs. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t hash3(uint64_t a, uint64_t b, uint64_t c)
{
	return mix(a ^ mix(b ^ mix(c)));
}

enum kind {
	R_FWD,		/* KVM_CAP_ARM_SMCCC_FORWARD range */
	R_HANDLE,	/* filter entries, with their action */
	R_DENY,
	R_FILTER_FWD,
	R_ARCH,		/* the Arm Architecture Calls, always KVM's */
};

struct id_range {
	uint32_t lo, hi;	/* inclusive */
	uint8_t kind;
	uint8_t conduits;	/* FWD_HVC | FWD_SMC */
};

/* A call KVM implements, with the answer it gave a VM with no ranges. */
struct known_call {
	uint32_t id;
	uint64_t x1;
	uint64_t res[2][4];	/* [smc][x0-x3] */
};

struct fuzz_model {
	uint64_t seed;
	uint32_t nr_calls;	/* per vCPU */
	int nr;
	struct id_range r[MAX_RANGES];
	bool all_smc;
	bool sdei;
	uint32_t pool[POOL_SIZE];
	struct known_call known[NR_KNOWN];
	/* written by the guest */
	uint64_t next_seq[MAX_VCPUS];	/* survives a vCPU reset */
	uint64_t fwd_done[MAX_VCPUS];	/* forwarded calls completed */
	uint64_t serrors[MAX_VCPUS];	/* SErrors taken */
	uint64_t restarts[MAX_VCPUS];
};

static struct fuzz_model model;

struct call {
	uint64_t x[7];		/* x0-x6 */
	bool smc;
	uint16_t imm;
};

enum disposition {
	D_EXIT_FWD,		/* a range: exits with the immediate */
	D_EXIT_FILTER,		/* a filter entry: upstream's flags */
	D_EXIT_ALL_SMC,		/* ALL_SMC: nr is all of x0 */
	D_NOT_SUPPORTED,	/* x0 = -1, x1-x3 = 0 */
	D_IMM_SMC,		/* x0 = -1, x1-x3 unchanged */
	D_KNOWN,		/* KVM's own answer */
};

static const uint16_t hvc_imms[4] = { 0, 1, 0x5a5a, 0xffff };
static const uint16_t smc_imms[4] = { 0, 0, 1, 0xffff };

static void gen_call(int vcpu, uint64_t seq, struct call *c)
{
	uint64_t h = hash3(model.seed, vcpu, seq);
	int i;

	c->smc = h & 1;
	c->imm = c->smc ? smc_imms[(h >> 1) & 3] : hvc_imms[(h >> 1) & 3];
	for (i = 1; i < 7; i++)
		c->x[i] = hash3(model.seed ^ 0xa5, seq, i);
	if (((h >> 3) & 7) == 0)
		c->x[0] = (uint32_t)(h >> 32);	/* anything */
	else
		c->x[0] = model.pool[(h >> 8) % POOL_SIZE];
	if (((h >> 16) & 15) == 0)
		c->x[0] |= h & 0xffffffff00000000ull;	/* matched on w0 */
	for (i = 0; i < NR_KNOWN; i++)
		if ((uint32_t)c->x[0] == model.known[i].id)
			c->x[1] = model.known[i].x1;
}

static bool in_arch_range(uint32_t id)
{
	return (id >= 0x80000000 && id <= 0x8000ffff) ||
	       (id >= 0xc0000000 && id <= 0xc000ffff);
}

static enum disposition classify(const struct call *c)
{
	uint32_t w0 = c->x[0];
	uint8_t conduit = c->smc ? FWD_SMC : FWD_HVC;
	int i;

	/* DEN0028 "SMC and HVC immediate value": not an SMCCC call */
	if (c->smc && c->imm)
		return model.all_smc ? D_EXIT_ALL_SMC : D_IMM_SMC;
	if (!in_arch_range(w0)) {
		for (i = 0; i < model.nr; i++) {
			const struct id_range *r = &model.r[i];

			if (w0 < r->lo || w0 > r->hi)
				continue;
			switch (r->kind) {
			case R_FWD:
				if (r->conduits & conduit)
					return D_EXIT_FWD;
				continue;
			case R_DENY:
				return D_NOT_SUPPORTED;
			case R_FILTER_FWD:
				return D_EXIT_FILTER;
			case R_HANDLE:
				goto kvm;
			}
		}
		if (c->smc && model.all_smc)
			return D_EXIT_ALL_SMC;
	}
kvm:
	for (i = 0; i < NR_KNOWN; i++)
		if (w0 == model.known[i].id)
			return D_KNOWN;
	return D_NOT_SUPPORTED;
}

static bool exits(enum disposition d)
{
	return d <= D_EXIT_ALL_SMC;
}

static uint64_t result(uint64_t seq, int i)
{
	return hash3(model.seed ^ 0x5e, seq, i + 100);
}

/* --- guest side ------------------------------------------------------- */

#define DO_CALL(insn)							\
	({								\
		asm volatile(insn					\
			     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3),	\
			       "+r"(x4), "+r"(x5), "+r"(x6)		\
			     : "r"(x9) : "memory");			\
	})

static void guest_issue(const struct call *c, uint64_t seq, uint64_t res[4])
{
	register uint64_t x0 asm("x0") = c->x[0];
	register uint64_t x1 asm("x1") = c->x[1];
	register uint64_t x2 asm("x2") = c->x[2];
	register uint64_t x3 asm("x3") = c->x[3];
	register uint64_t x4 asm("x4") = c->x[4];
	register uint64_t x5 asm("x5") = c->x[5];
	register uint64_t x6 asm("x6") = c->x[6];
	register uint64_t x9 asm("x9") = seq;

	if (c->smc) {
		switch (c->imm) {
		case 0:
			DO_CALL("smc #0");
			break;
		case 1:
			DO_CALL("smc #1");
			break;
		default:
			DO_CALL("smc #0xffff");
			break;
		}
	} else {
		switch (c->imm) {
		case 0:
			DO_CALL("hvc #0");
			break;
		case 1:
			DO_CALL("hvc #1");
			break;
		case 0x5a5a:
			DO_CALL("hvc #0x5a5a");
			break;
		default:
			DO_CALL("hvc #0xffff");
			break;
		}
	}
	res[0] = x0;
	res[1] = x1;
	res[2] = x2;
	res[3] = x3;
}

static void guest_serror(struct ex_regs *regs)
{
	uint64_t esr = read_sysreg(esr_el1);

	GUEST_ASSERT_EQ(esr >> 26, 0x2f);	/* EC: SError */
	WRITE_ONCE(model.serrors[guest_get_vcpuid()],
		   model.serrors[guest_get_vcpuid()] + 1);
}

/*
 * Every call of this vCPU in sequence, each result checked. The sequence
 * number lives in memory, so a vCPU reset in the middle of a call restarts
 * here and re-issues that call.
 */
static void guest_fuzz(void)
{
	int vcpu = guest_get_vcpuid();
	uint64_t res[4], seq;
	struct call c;
	int i;

	WRITE_ONCE(model.restarts[vcpu], model.restarts[vcpu] + 1);
	asm volatile("msr daifclr, #4" : : : "memory");	/* SErrors */
	for (seq = READ_ONCE(model.next_seq[vcpu]); seq < model.nr_calls; seq++) {
		enum disposition d;

		gen_call(vcpu, seq, &c);
		d = classify(&c);
		guest_issue(&c, seq, res);
		switch (d) {
		case D_EXIT_FWD:
		case D_EXIT_FILTER:
		case D_EXIT_ALL_SMC:
			for (i = 0; i < 4; i++)
				__GUEST_ASSERT(res[i] == result(seq, i),
					       "seq %lu x%d 0x%lx, expected 0x%lx (x0 0x%lx)",
					       seq, i, res[i], result(seq, i), c.x[0]);
			WRITE_ONCE(model.fwd_done[vcpu], model.fwd_done[vcpu] + 1);
			break;
		case D_NOT_SUPPORTED:
			__GUEST_ASSERT(res[0] == SMCCC_RET_NOT_SUPPORTED,
				       "seq %lu x0 0x%lx: got 0x%lx, expected NOT_SUPPORTED",
				       seq, c.x[0], res[0]);
			break;
		case D_IMM_SMC:
			__GUEST_ASSERT(res[0] == ~0ull && res[1] == c.x[1] &&
				       res[2] == c.x[2] && res[3] == c.x[3],
				       "seq %lu: SMC #0x%x got 0x%lx 0x%lx",
				       seq, c.imm, res[0], res[1]);
			break;
		case D_KNOWN:
			for (i = 0; i < NR_KNOWN; i++)
				if (model.known[i].id == (uint32_t)c.x[0])
					break;
			__GUEST_ASSERT(res[0] == model.known[i].res[c.smc][0],
				       "seq %lu 0x%lx: KVM answered 0x%lx, expected 0x%lx",
				       seq, c.x[0], res[0],
				       model.known[i].res[c.smc][0]);
			break;
		}
		WRITE_ONCE(model.next_seq[vcpu], seq + 1);
	}
	GUEST_DONE();
}

/* The calibration guest: KVM's answers to the calls it implements. */
static void guest_known(void)
{
	struct arm_smccc_res res;
	int i;

	for (i = 0; i < NR_KNOWN; i++) {
		smccc_hvc(model.known[i].id, model.known[i].x1, 0, 0, 0, 0, 0, 0, &res);
		GUEST_SYNC_ARGS(0, res.a0, res.a1, res.a2, res.a3);
		smccc_smc(model.known[i].id, model.known[i].x1, 0, 0, 0, 0, 0, 0, &res);
		GUEST_SYNC_ARGS(1, res.a0, res.a1, res.a2, res.a3);
	}
	GUEST_DONE();
}

/* The uapi mode's guest: a call, then report what it returned. */
static void guest_uapi(void)
{
	struct arm_smccc_res res;
	uint32_t i;

	for (i = 0;; i++) {
		uint32_t id = model.pool[i % POOL_SIZE];

		if (i & 1)
			smccc_smc(id, i, 0, 0, 0, 0, 0, 0, &res);
		else
			smccc_hvc(id, i, 0, 0, 0, 0, 0, 0, &res);
		GUEST_SYNC_ARGS(id, res.a0, res.a1, i, 0);
	}
}

/* --- host: options, randomness, failure reports ------------------------ */

static const char *mode_name = "all";
static uint64_t opt_seed, opt_count, opt_secs = 20;
static int opt_vcpus = 4;
static struct timespec t_end;
static __thread uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state = mix(rng_state);
	return rng_state;
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(int one_in)
{
	return !rnd_below(one_in);
}

static bool time_left(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec < t_end.tv_sec ||
	       (now.tv_sec == t_end.tv_sec && now.tv_nsec < t_end.tv_nsec);
}

#define FUZZ_ASSERT(cond, fmt, ...)					\
	TEST_ASSERT(cond, fmt "\n  seed %lu, replay: smccc_fwd_fuzz -m %s -s %lu -n %lu -t %lu", \
		    ##__VA_ARGS__, opt_seed, mode_name, opt_seed, opt_count, opt_secs)

/* The errnos each ioctl's documentation lists; anything else fails. */
static const int errs_fwd[]	= { EINVAL, EBUSY, EEXIST, ENOMEM, 0 };
static const int errs_filter[]	= { EINVAL, EBUSY, EEXIST, ENOMEM, EFAULT, ENXIO, 0 };
static const int errs_serror[]	= { EFAULT, EINVAL, ENOEXEC, ENODEV, EOPNOTSUPP, EBUSY, 0 };
static const int errs_events[]	= { EINVAL, ENOEXEC, 0 };
static const int errs_init[]	= { EINVAL, ENOENT, 0 };
static const int errs_run[]	= { EINTR, EINVAL, ENOEXEC, 0 };

/* How often each ioctl returned each errno, for the summary. */
static const int *const tables[] = {
	errs_fwd, errs_filter, errs_serror, errs_events, errs_init, errs_run,
};

static const char *const table_names[] = {
	"KVM_CAP_ARM_SMCCC_FORWARD", "KVM_ARM_VM_SMCCC_FILTER",
	"KVM_ARM_INJECT_SERROR", "KVM_SET_VCPU_EVENTS", "KVM_ARM_VCPU_INIT",
	"KVM_RUN",
};

static uint64_t seen[ARRAY_SIZE(tables)][8];

static void count_errno(const int *table, int got)
{
	int t, i;

	for (t = 0; tables[t] != table; t++)
		;
	for (i = 0; got && table[i] != got; i++)
		;
	__atomic_add_fetch(&seen[t][got ? i + 1 : 0], 1, __ATOMIC_RELAXED);
}

static void print_errnos(void)
{
	int t, i;

	for (t = 0; t < ARRAY_SIZE(tables); t++) {
		char line[256];
		int n = 0;

		n += snprintf(line + n, sizeof(line) - n, "# %s: %lu ok",
			      table_names[t], seen[t][0]);
		for (i = 0; tables[t][i]; i++)
			if (seen[t][i + 1])
				n += snprintf(line + n, sizeof(line) - n, ", %lu %s",
					      seen[t][i + 1],
					      strerrorname_np(tables[t][i]));
		pr_info("%s\n", line);
	}
	memset(seen, 0, sizeof(seen));
}

/* @want is the errno the model predicts, negative, or 0 for success. */
static void check_errno(const char *what, const int *table, int r, int want)
{
	int got = r ? errno : 0, i;

	want = -want;

	for (i = 0; table[i] && table[i] != got; i++)
		;
	FUZZ_ASSERT(!got || table[i] == got,
		    "%s: errno %d (%s) is not in the documented table",
		    what, got, strerror(got));
	FUZZ_ASSERT(got == want, "%s: got %s, the documented rules say %s",
		    what, got ? strerror(got) : "success",
		    want ? strerror(want) : "success");
	count_errno(table, got);
}

static uint64_t get_reg(struct kvm_vcpu *vcpu, uint64_t id)
{
	uint64_t val;
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)&val };

	/* Not vcpu_get_reg(): its signature differs in 6.12.y. */
	vcpu_ioctl(vcpu, KVM_GET_ONE_REG, &reg);
	return val;
}

#define XREG(n)		ARM64_CORE_REG(regs.regs[n])

/* --- host: the model of the ranges ------------------------------------ */

struct range_model {
	int nr;
	struct id_range r[MAX_RANGES];
	bool sdei, all_smc, ran;
};

static bool overlaps(struct range_model *m, uint64_t lo, uint64_t hi)
{
	int i;

	if ((lo <= 0x8000ffff && hi >= 0x80000000) ||
	    (lo <= 0xc000ffff && hi >= 0xc0000000))
		return true;
	for (i = 0; i < m->nr; i++)
		if (lo <= m->r[i].hi && hi >= m->r[i].lo)
			return true;
	return false;
}

static void model_add(struct range_model *m, uint32_t lo, uint32_t hi,
		      uint8_t kind, uint8_t conduits)
{
	TEST_ASSERT(m->nr < MAX_RANGES, "more than %d ranges in one VM",
		    MAX_RANGES);
	m->r[m->nr++] = (struct id_range){ lo, hi, kind, conduits };
}

#define SDEI32_LO	0x84000020u
#define SDEI64_LO	0xc4000020u

/* api.rst 7.48: EINVAL first, then EBUSY, then EEXIST; -errno or 0. */
static int predict_fwd(struct range_model *m, uint64_t base, uint64_t nr,
		       uint64_t flags, uint64_t arg3, uint32_t cap_flags)
{
	uint64_t preset = flags & (FWD_SDEI | FWD_ALL_SMC);

	if (cap_flags || arg3 || (flags & ~FWD_FLAGS) ||
	    !(flags & (FWD_HVC | FWD_SMC)))
		return -EINVAL;
	if (preset) {
		if (base || nr || preset == (FWD_SDEI | FWD_ALL_SMC) ||
		    ((flags & FWD_ALL_SMC) && (flags & FWD_HVC)))
			return -EINVAL;
	} else if (!nr || base > UINT32_MAX || nr > (1ull << 32) - base) {
		return -EINVAL;
	}
	if (m->ran)
		return -EBUSY;
	if (flags & FWD_ALL_SMC)
		return m->all_smc ? -EEXIST : 0;
	if (flags & FWD_SDEI)
		return overlaps(m, SDEI32_LO, SDEI32_LO + 31) ||
		       overlaps(m, SDEI64_LO, SDEI64_LO + 31) ? -EEXIST : 0;
	return overlaps(m, base, base + nr - 1) ? -EEXIST : 0;
}

static int fuzz_enable(struct kvm_vm *vm, struct range_model *m, uint64_t base,
		       uint64_t nr, uint64_t flags, uint64_t arg3,
		       uint32_t cap_flags)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_ARM_SMCCC_FORWARD,
		.flags = cap_flags,
		.args = { base, nr, flags, arg3 },
	};
	int want = predict_fwd(m, base, nr, flags, arg3, cap_flags);
	char what[160];
	int r;

	r = __vm_ioctl(vm, KVM_ENABLE_CAP, &cap);
	snprintf(what, sizeof(what),
		 "KVM_CAP_ARM_SMCCC_FORWARD base 0x%lx nr 0x%lx flags 0x%lx args[3] 0x%lx cap.flags 0x%x",
		 base, nr, flags, arg3, cap_flags);
	check_errno(what, errs_fwd, r, want);
	if (r)
		return errno;
	if (flags & FWD_ALL_SMC) {
		m->all_smc = true;
	} else if (flags & FWD_SDEI) {
		m->sdei = true;
		model_add(m, SDEI32_LO, SDEI32_LO + 31, R_FWD, flags & 3);
		model_add(m, SDEI64_LO, SDEI64_LO + 31, R_FWD, flags & 3);
	} else {
		model_add(m, base, base + nr - 1, R_FWD, flags & 3);
	}
	return 0;
}

/* devices/vm.rst, KVM_ARM_VM_SMCCC_FILTER */
static int fuzz_filter(struct kvm_vm *vm, struct range_model *m, uint32_t base,
		       uint32_t nr, uint8_t action)
{
	struct kvm_smccc_filter f = {
		.base = base, .nr_functions = nr, .action = action,
	};
	uint32_t end = base + nr - 1;
	int want, r;
	char what[96];

	if (!nr || end < base || action > KVM_SMCCC_FILTER_FWD_TO_USER)
		want = -EINVAL;
	else if (m->ran)
		want = -EBUSY;
	else
		want = overlaps(m, base, end) ? -EEXIST : 0;
	r = __kvm_device_attr_set(vm->fd, KVM_ARM_VM_SMCCC_CTRL,
				  KVM_ARM_VM_SMCCC_FILTER, &f);
	snprintf(what, sizeof(what), "KVM_ARM_VM_SMCCC_FILTER base 0x%x nr 0x%x action %u",
		 base, nr, action);
	check_errno(what, errs_filter, r, want);
	if (!r)
		model_add(m, base, end, action == KVM_SMCCC_FILTER_HANDLE ? R_HANDLE :
			  action == KVM_SMCCC_FILTER_DENY ? R_DENY : R_FILTER_FWD,
			  FWD_HVC | FWD_SMC);
	return r ? errno : 0;
}

/* Values around the edges that matter, and anything. */
static uint64_t edge_u64(void)
{
	static const uint64_t edges[] = {
		0, 1, 2, 0x7fffffff, 0x80000000, 0x8000ffff, 0x80010000,
		0xbfffffff, 0xc0000000, 0xc000ffff, 0xc0010000, 0xffffff00,
		0xfffffffe, 0xffffffff, 1ull << 32, (1ull << 32) + 1,
		0x84000000, 0x84000020, 0x8400003f, 0xc4000020, 0xc400003f,
		0x83000000, 0xc3000000, ~0ull, 1ull << 63,
	};

	switch (rnd_below(4)) {
	case 0:
		return edges[rnd_below(ARRAY_SIZE(edges))];
	case 1:
		return edges[rnd_below(ARRAY_SIZE(edges))] + rnd_below(5) - 2;
	case 2:
		return rnd_below(0x200);
	default:
		return rnd() >> rnd_below(64);
	}
}

/* A random, mostly well-formed KVM_ENABLE_CAP. */
static int fuzz_enable_random(struct kvm_vm *vm, struct range_model *m)
{
	uint64_t flags = rnd_below(16), base, nr;

	if (chance(16))
		flags |= 1ull << (4 + rnd_below(60));
	if (flags & (FWD_SDEI | FWD_ALL_SMC) && !chance(6)) {
		base = 0;
		nr = 0;
	} else if (chance(2)) {
		base = edge_u64();
		nr = edge_u64();
	} else {
		/* near an earlier range, or in the OEM/SiP space */
		if (m->nr && chance(2)) {
			struct id_range *r = &m->r[rnd_below(m->nr)];

			base = r->lo + rnd_below(0x40) - 0x20;
			if (chance(2))
				base = r->hi + 1 - rnd_below(2);
		} else {
			base = 0x82000000 + (rnd_below(4) << 24) +
			       rnd_below(0x1000) + (chance(2) << 30);
		}
		base &= 0xffffffff;
		nr = 1 + rnd_below(chance(4) ? 0x10000 : 0x40);
	}
	return fuzz_enable(vm, m, base, nr, flags,
			   chance(32) ? 1ull << rnd_below(64) : 0,
			   chance(32) ? 1u << rnd_below(32) : 0);
}

static void fuzz_filter_random(struct kvm_vm *vm, struct range_model *m)
{
	uint32_t base, nr;

	if (chance(3)) {
		base = edge_u64();
		nr = edge_u64();
	} else {
		base = 0x82000000 + (rnd_below(4) << 24) + rnd_below(0x1000) +
		       (chance(2) << 30);
		nr = 1 + rnd_below(0x40);
	}
	fuzz_filter(vm, m, base, nr, rnd_below(chance(8) ? 256 : 3));
}

/* --- host: SError injection and vCPU events --------------------------- */

static bool has_ras;

static bool serror_pending(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu_events ev;

	vcpu_ioctl(vcpu, KVM_GET_VCPU_EVENTS, &ev);
	return ev.exception.serror_pending;
}

/* api.rst 4.146: what the architecture defines for an SError's ISS */
static bool serror_esr_valid(uint64_t esr)
{
	uint64_t aet = (esr >> 10) & 7;

	if (esr & ~GENMASK_ULL(24, 0))
		return false;
	if (esr & BIT(24))
		return true;
	if (!(esr & 0x3f))
		return !esr;
	if ((esr & 0x3f) != 0x11)
		return false;
	if (esr & (GENMASK_ULL(23, 13) | GENMASK_ULL(8, 6)))
		return false;
	return aet <= 3 || aet == 6;
}

static uint64_t random_esr(void)
{
	switch (rnd_below(5)) {
	case 0:
		return BIT(24) | rnd_below(BIT(24));
	case 1:
		return 0x11 | (rnd_below(8) << 10) | (rnd_below(2) << 9);
	case 2:
		return 0;
	case 3:
		return rnd_below(BIT(25));
	default:
		return rnd() >> rnd_below(64);
	}
}

static int fuzz_inject(struct kvm_vcpu *vcpu, bool sane, bool racy)
{
	struct kvm_arm_serror s = {
		.esr = sane ? BIT(24) | rnd_below(BIT(24)) : random_esr(),
		.flags = chance(3) ? KVM_ARM_SERROR_REPLACE : 0,
	};
	bool pending = serror_pending(vcpu);
	int want, r;
	char what[96];

	if (!sane && chance(8))
		s.flags |= 1u << rnd_below(32);
	if (!sane && chance(8))
		s.pad = rnd();
	if (!sane && chance(8))
		s.reserved[rnd_below(6)] = rnd() | 1;

	if (s.pad || (s.flags & ~KVM_ARM_SERROR_REPLACE) ||
	    s.reserved[0] | s.reserved[1] | s.reserved[2] | s.reserved[3] |
	    s.reserved[4] | s.reserved[5] ||
	    !serror_esr_valid(s.esr))
		want = -EINVAL;
	else if (!has_ras)
		want = -ENODEV;
	else if (pending && !(s.flags & KVM_ARM_SERROR_REPLACE))
		want = -EBUSY;
	else
		want = 0;
	r = __vcpu_ioctl(vcpu, KVM_ARM_INJECT_SERROR, &s);
	/* the guest may take the SError, or a reset drop it, in between */
	if (racy && want == -EBUSY && !r)
		want = 0;
	snprintf(what, sizeof(what), "KVM_ARM_INJECT_SERROR esr 0x%llx flags 0x%x%s",
		 s.esr, s.flags, pending ? " (one pending)" : "");
	check_errno(what, errs_serror, r, want);
	return r ? errno : 0;
}

/* api.rst 4.31: has_esr without RAS, or bits above the ISS: EINVAL */
static void fuzz_set_events(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu_events ev = {};
	int want = 0, r;
	char what[96];

	ev.exception.serror_pending = chance(2);
	ev.exception.serror_has_esr = chance(2);
	ev.exception.serror_esr = chance(2) ? rnd_below(BIT(24)) : edge_u64();
	if ((ev.exception.serror_pending && ev.exception.serror_has_esr) &&
	    (!has_ras || (ev.exception.serror_esr & ~GENMASK_ULL(24, 0))))
		want = -EINVAL;
	r = __vcpu_ioctl(vcpu, KVM_SET_VCPU_EVENTS, &ev);
	snprintf(what, sizeof(what), "KVM_SET_VCPU_EVENTS pending %u has_esr %u esr 0x%llx",
		 ev.exception.serror_pending, ev.exception.serror_has_esr,
		 ev.exception.serror_esr);
	check_errno(what, errs_events, r, want);
	if (!r && ev.exception.serror_pending)
		FUZZ_ASSERT(serror_pending(vcpu),
			    "KVM_SET_VCPU_EVENTS made no SError pending");
}

/* --- host: vCPUs -------------------------------------------------------- */

struct vcpu_state {
	struct kvm_vcpu *vcpu;
	struct kvm_vcpu_init init;
	uint64_t sp, vbar, entry;
	pthread_t thread;
	int idx;
	/* VMM side */
	uint64_t vmm_next;	/* first sequence number not yet seen */
	uint64_t exits, completions, abandoned, resets, eintr, onereg;
	uint64_t injected;	/* successful KVM_ARM_INJECT_SERROR */
	bool reset_req;
	bool done;
};

static void save_start(struct vcpu_state *vs)
{
	vs->sp = get_reg(vs->vcpu, ARM64_CORE_REG(sp_el1));
	vs->vbar = get_reg(vs->vcpu, KVM_ARM64_SYS_REG(SYS_VBAR_EL1));
	vs->entry = get_reg(vs->vcpu, ARM64_CORE_REG(regs.pc));
}

/*
 * KVM_ARM_VCPU_INIT on a vCPU that has run, then the state the selftest
 * library gave it at creation, so that its guest code restarts cleanly.
 * The registers in kvm_run are stale now: nothing is loaded from there.
 */
static void reset_vcpu(struct vcpu_state *vs)
{
	struct kvm_run *run = vs->vcpu->run;

	/*
	 * KVM_ARM_VCPU_INIT does not cancel an MMIO access (a ucall) that
	 * the last exit asked for: complete it first (api.rst 7.48).
	 */
	if (run->exit_reason == KVM_EXIT_MMIO) {
		run->immediate_exit = 1;
		TEST_ASSERT(__vcpu_run(vs->vcpu) && errno == EINTR,
			    "KVM_RUN with immediate_exit: %s", strerror(errno));
		run->immediate_exit = 0;
	}
	aarch64_vcpu_setup(vs->vcpu, &vs->init);
	vcpu_set_reg(vs->vcpu, ARM64_CORE_REG(sp_el1), vs->sp);
	vcpu_set_reg(vs->vcpu, KVM_ARM64_SYS_REG(SYS_VBAR_EL1), vs->vbar);
	vcpu_set_reg(vs->vcpu, ARM64_CORE_REG(regs.pc), vs->entry);
	vs->vcpu->run->kvm_dirty_regs = 0;
	vs->resets++;
}

static struct kvm_vm *create_vm(int nr_vcpus, struct vcpu_state *vs,
				void *guest_code)
{
	struct kvm_vcpu_init init;
	struct kvm_vm *vm;
	int i;

	vm = vm_create(nr_vcpus);
	vm_ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init);
	init.features[0] |= 1 << KVM_ARM_VCPU_PSCI_0_2;
	vm_init_descriptor_tables(vm);
	for (i = 0; i < nr_vcpus; i++) {
		vs[i].idx = i;
		vs[i].init = init;
		vs[i].vcpu = aarch64_vcpu_add(vm, i, &init, guest_code);
		vcpu_init_descriptor_tables(vs[i].vcpu);
		vs[i].vcpu->run->kvm_valid_regs = KVM_SYNC_ARM64_REGS;
		save_start(&vs[i]);
	}
	kvm_arch_vm_finalize_vcpus(vm);
	vm_install_exception_handler(vm, VECTOR_ERROR_CURRENT, guest_serror);
	return vm;
}

/* KVM's answers to the calls it implements, on a VM with no ranges. */
static void calibrate(void)
{
	static const struct { uint32_t id; uint64_t x1; } ids[NR_KNOWN] = {
		{ ARM_SMCCC_VERSION_FUNC_ID, 0 },
		{ ARM_SMCCC_ARCH_FEATURES_FUNC_ID, ARM_SMCCC_ARCH_WORKAROUND_1 },
		{ PSCI_0_2_FN_PSCI_VERSION, 0 },
		{ PSCI_1_0_FN_PSCI_FEATURES, PSCI_0_2_FN64_CPU_ON },
		{ PSCI_0_2_FN_MIGRATE_INFO_TYPE, 0 },
	};
	struct vcpu_state vs = {};
	struct kvm_vm *vm;
	struct ucall uc;
	int i, j, smc;

	for (i = 0; i < NR_KNOWN; i++) {
		model.known[i].id = ids[i].id;
		model.known[i].x1 = ids[i].x1;
	}
	vm = create_vm(1, &vs, guest_known);
	sync_global_to_guest(vm, model);
	for (i = 0; i < NR_KNOWN; i++) {
		for (smc = 0; smc < 2; smc++) {
			vcpu_run(vs.vcpu);
			TEST_ASSERT(get_ucall(vs.vcpu, &uc) == UCALL_SYNC,
				    "calibration: unexpected exit %s",
				    exit_reason_str(vs.vcpu->run->exit_reason));
			for (j = 0; j < 4; j++)
				model.known[i].res[smc][j] = uc.args[2 + j];
		}
	}
	kvm_vm_free(vm);
}

/* --- the VMM loop of the guest and stress modes ----------------------- */

static struct kvm_vm *fuzz_vm;
static struct vcpu_state vstate[MAX_VCPUS];
static bool stop_stress;

static void check_exit(struct vcpu_state *vs)
{
	struct kvm_run *run = vs->vcpu->run;
	uint64_t *x = (uint64_t *)run->s.regs.regs.regs;
	uint64_t seq = x[9], t, want_flags, nr;
	enum disposition d = D_NOT_SUPPORTED;
	struct call c = {};
	int i;

	/* the first call from vmm_next on that must exit is this one */
	for (t = vs->vmm_next; t < model.nr_calls; t++) {
		gen_call(vs->idx, t, &c);
		d = classify(&c);
		if (exits(d))
			break;
	}
	FUZZ_ASSERT(seq == t,
		    "vCPU %d: exit for call %lu, expected call %lu (%s)", vs->idx,
		    seq, t, seq < t ? "duplicated" : "lost calls");
	nr = d == D_EXIT_ALL_SMC ? c.x[0] : (uint32_t)c.x[0];
	want_flags = c.smc ? KVM_HYPERCALL_EXIT_SMC : 0;
	if (d != D_EXIT_FILTER)
		want_flags |= (uint64_t)c.imm << KVM_HYPERCALL_EXIT_IMM_SHIFT;
	FUZZ_ASSERT(run->hypercall.nr == nr && run->hypercall.flags == want_flags,
		    "vCPU %d call %lu: nr 0x%llx flags 0x%llx, expected 0x%lx 0x%lx",
		    vs->idx, seq, run->hypercall.nr, run->hypercall.flags, nr,
		    want_flags);
	for (i = 0; i < 6; i++)
		FUZZ_ASSERT(run->hypercall.args[i] == c.x[i + 1] &&
			    x[i + 1] == c.x[i + 1],
			    "vCPU %d call %lu: args[%d] 0x%llx, x%d 0x%lx, passed 0x%lx",
			    vs->idx, seq, i, run->hypercall.args[i], i + 1,
			    x[i + 1], c.x[i + 1]);
	vs->vmm_next = seq + 1;
	vs->exits++;
}

/*
 * The results of call @seq in x0-x3, through kvm_run or with
 * KVM_SET_ONE_REG; returns 1 for the latter, for the counts.
 */
static int put_results(struct kvm_vcpu *vcpu, uint64_t seq, bool sync_regs)
{
	int i;

	if (sync_regs) {
		for (i = 0; i < 4; i++)
			vcpu->run->s.regs.regs.regs[i] = result(seq, i);
		vcpu->run->kvm_dirty_regs |= KVM_SYNC_ARM64_REGS;
		return 0;
	}
	for (i = 0; i < 4; i++)
		vcpu_set_reg(vcpu, XREG(i), result(seq, i));
	return 1;
}

/* Alternately through kvm_run and with KVM_SET_ONE_REG. */
static void complete(struct vcpu_state *vs, uint64_t seq)
{
	vs->onereg += put_results(vs->vcpu, seq, vs->exits & 1);
	vs->completions++;
}

static void vmm_loop(struct vcpu_state *vs)
{
	struct kvm_run *run = vs->vcpu->run;
	struct ucall uc;
	int r;

	for (;;) {
		r = __vcpu_run(vs->vcpu);
		if (r) {
			check_errno("KVM_RUN", errs_run, r, -EINTR);
			FUZZ_ASSERT(run->exit_reason == KVM_EXIT_INTR,
				    "KVM_RUN: EINTR with exit reason %u",
				    run->exit_reason);
			vs->eintr++;
			continue;
		}
		if (run->exit_reason == KVM_EXIT_HYPERCALL) {
			uint64_t seq = run->s.regs.regs.regs[9];

			check_exit(vs);
			if (READ_ONCE(vs->reset_req)) {
				/* the call is abandoned: the guest re-issues it */
				WRITE_ONCE(vs->reset_req, false);
				reset_vcpu(vs);
				vs->vmm_next = seq;
				vs->abandoned++;
				continue;
			}
			complete(vs, seq);
			continue;
		}
		switch (get_ucall(vs->vcpu, &uc)) {
		case UCALL_DONE:
			return;
		case UCALL_ABORT:
			pr_info("seed %lu, replay: smccc_fwd_fuzz -m %s -s %lu -n %lu -t %lu\n",
				opt_seed, mode_name, opt_seed, opt_count, opt_secs);
			REPORT_GUEST_ASSERT(uc);
		default:
			FUZZ_ASSERT(false, "vCPU %d: unexpected exit %s", vs->idx,
				    exit_reason_str(run->exit_reason));
		}
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu_state *vs = arg;

	vmm_loop(vs);
	WRITE_ONCE(vs->done, true);
	return NULL;
}

/* Random ranges and filter entries, all through the checked paths. */
static void setup_ranges(struct kvm_vm *vm, struct range_model *m)
{
	int i, n;

	if (chance(2))
		fuzz_enable(vm, m, 0, 0, FWD_SDEI | (1 + rnd_below(3)), 0, 0);
	if (chance(3))
		fuzz_enable(vm, m, chance(2) ? 0x84000000 : 0xc4000000, 0x20,
			    1 + rnd_below(3), 0, 0);
	if (chance(4))
		fuzz_enable(vm, m, 0, 0, FWD_SMC | FWD_ALL_SMC, 0, 0);
	n = 1 + rnd_below(8);
	for (i = 0; i < n; i++)
		fuzz_enable_random(vm, m);
	n = rnd_below(4);
	for (i = 0; i < n; i++)
		fuzz_filter_random(vm, m);
}

/* IDs for the guest: edges of every range, SDEI, PSCI, arch, unknown. */
static void fill_pool(struct range_model *m)
{
	static const uint32_t fixed[] = {
		ARM_SMCCC_VERSION_FUNC_ID, ARM_SMCCC_ARCH_FEATURES_FUNC_ID,
		PSCI_0_2_FN_PSCI_VERSION, PSCI_1_0_FN_PSCI_FEATURES,
		PSCI_0_2_FN_MIGRATE_INFO_TYPE, SDEI32_LO, SDEI64_LO + 0x11,
		SDEI64_LO + 31, 0x83000000, 0xc3000001, 0x02000000,
	};
	int i = 0;

	while (i < ARRAY_SIZE(fixed)) {
		model.pool[i] = fixed[i];
		i++;
	}
	for (; i < POOL_SIZE; i++) {
		uint32_t id;

		if (m->nr && chance(2)) {
			struct id_range *r = &m->r[rnd_below(m->nr)];

			switch (rnd_below(5)) {
			case 0:
				id = r->lo - 1;
				break;
			case 1:
				id = r->lo;
				break;
			case 2:
				id = r->hi;
				break;
			case 3:
				id = r->hi + 1;
				break;
			default:
				id = r->lo + rnd_below(r->hi - r->lo + 1);
				break;
			}
		} else {
			/* owners 1-3 and 48-63, and SDEI: nothing KVM implements */
			static const uint32_t owners[] = { 1, 2, 3, 48, 50, 63 };

			id = ARM_SMCCC_CALL_VAL(chance(4) ? 0 : 1, rnd_below(2),
						owners[rnd_below(ARRAY_SIZE(owners))],
						rnd_below(0x10000));
			if (chance(6))
				id = (chance(2) ? SDEI32_LO : SDEI64_LO) + rnd_below(32);
		}
		/* never an ID of KVM's own that is not calibrated (CPU_OFF...) */
		if ((id >> 24 & 0x3f) >= 4 && (id >> 24 & 0x3f) <= 6 &&
		    !((id & 0xffff) >= 0x20 && (id & 0xffff) <= 0x3f &&
		      (id >> 24 & 0x3f) == 4))
			id = 0x83000000 | (id & 0xffff);
		if (in_arch_range(id))
			id = ARM_SMCCC_VERSION_FUNC_ID;
		model.pool[i] = id;
	}
}

static void *injector(void *arg)
{
	int n = *(int *)arg;

	rng_state = opt_seed ^ 0x1234;
	while (!READ_ONCE(stop_stress)) {
		struct vcpu_state *vs = &vstate[rnd_below(n)];

		if (!READ_ONCE(vs->done) && !fuzz_inject(vs->vcpu, true, true))
			vs->injected++;
		usleep(200 + rnd_below(2000));
	}
	return NULL;
}

static void *resetter(void *arg)
{
	int n = *(int *)arg;

	rng_state = opt_seed ^ 0x4321;
	while (!READ_ONCE(stop_stress)) {
		WRITE_ONCE(vstate[rnd_below(n)].reset_req, true);
		usleep(2000 + rnd_below(20000));
	}
	return NULL;
}

static void *signaller(void *arg)
{
	int n = *(int *)arg;

	rng_state = opt_seed ^ 0x5678;
	while (!READ_ONCE(stop_stress)) {
		struct vcpu_state *vs = &vstate[rnd_below(n)];

		if (!READ_ONCE(vs->done))
			pthread_kill(vs->thread, SIGUSR1);
		usleep(100 + rnd_below(3000));
	}
	return NULL;
}

static void sig_nop(int sig)
{
}

static struct {
	uint64_t exits, onereg, abandoned, resets, eintr, injected, taken;
} totals;

/* One VM of the guest or stress mode; returns the calls forwarded. */
static uint64_t guest_round(int nr_vcpus, bool stress, uint32_t calls)
{
	pthread_t helpers[3];
	struct range_model m = {};
	uint64_t fwd = 0;
	int i;

	memset(vstate, 0, sizeof(vstate));
	memset(model.next_seq, 0, sizeof(model.next_seq));
	fuzz_vm = create_vm(nr_vcpus, vstate, guest_fuzz);
	setup_ranges(fuzz_vm, &m);
	fill_pool(&m);
	model.nr = m.nr;
	memcpy(model.r, m.r, sizeof(m.r));
	model.all_smc = m.all_smc;
	model.sdei = m.sdei;
	model.nr_calls = calls;
	model.seed = rnd();
	sync_global_to_guest(fuzz_vm, model);

	WRITE_ONCE(stop_stress, false);
	for (i = 0; i < nr_vcpus; i++)
		pthread_create(&vstate[i].thread, NULL, vcpu_thread, &vstate[i]);
	if (stress) {
		if (has_ras)
			pthread_create(&helpers[0], NULL, injector, &nr_vcpus);
		pthread_create(&helpers[1], NULL, resetter, &nr_vcpus);
		pthread_create(&helpers[2], NULL, signaller, &nr_vcpus);
	}
	/*
	 * The helpers stop before any vCPU thread is joined: the signaller
	 * must never pthread_kill() a thread that is gone.
	 */
	for (i = 0; i < nr_vcpus; i++)
		while (!READ_ONCE(vstate[i].done))
			usleep(1000);
	WRITE_ONCE(stop_stress, true);
	if (stress) {
		if (has_ras)
			pthread_join(helpers[0], NULL);
		pthread_join(helpers[1], NULL);
		pthread_join(helpers[2], NULL);
	}
	for (i = 0; i < nr_vcpus; i++)
		pthread_join(vstate[i].thread, NULL);

	sync_global_from_guest(fuzz_vm, model);
	for (i = 0; i < nr_vcpus; i++) {
		struct vcpu_state *vs = &vstate[i];
		struct call c;
		uint64_t t;

		/* no call that must exit after the last one seen */
		for (t = vs->vmm_next; t < calls; t++) {
			gen_call(i, t, &c);
			FUZZ_ASSERT(!exits(classify(&c)),
				    "vCPU %d: call %lu never exited", i, t);
		}
		FUZZ_ASSERT(model.fwd_done[i] == vs->exits - vs->abandoned,
			    "vCPU %d: the guest completed %lu forwarded calls, the VMM saw %lu exits and abandoned %lu",
			    i, model.fwd_done[i], vs->exits, vs->abandoned);
		FUZZ_ASSERT(model.restarts[i] == vs->resets + 1,
			    "vCPU %d: %lu guest starts for %lu resets", i,
			    model.restarts[i], vs->resets);
		FUZZ_ASSERT(model.serrors[i] <= vs->injected,
			    "vCPU %d: the guest took %lu SErrors, %lu injected", i,
			    model.serrors[i], vs->injected);
		fwd += vs->exits;
		totals.exits += vs->exits;
		totals.onereg += vs->onereg;
		totals.abandoned += vs->abandoned;
		totals.resets += vs->resets;
		totals.eintr += vs->eintr;
		totals.injected += vs->injected;
		totals.taken += model.serrors[i];
	}
	kvm_vm_free(fuzz_vm);
	memset(model.fwd_done, 0, sizeof(model.fwd_done));
	memset(model.serrors, 0, sizeof(model.serrors));
	memset(model.restarts, 0, sizeof(model.restarts));
	return fwd;
}

/* --- the uapi mode ------------------------------------------------------ */

static timer_t sig_timer;

static void arm_signal(void)
{
	struct itimerspec its = {
		.it_value.tv_nsec = 1 + rnd_below(200000),
	};

	timer_settime(sig_timer, 0, &its, NULL);
}

/*
 * A signal armed for a KVM_RUN that returned before it fired must not hit
 * a later system call: KVM_CREATE_VM, for one, fails with EINTR when a
 * signal is pending. One that fired was handled on the way back to user
 * space.
 */
static void disarm_signal(void)
{
	struct itimerspec its = {};

	timer_settime(sig_timer, 0, &its, NULL);
}

/*
 * One KVM_RUN of the uapi guest, maybe with immediate_exit or a signal on
 * the way; a hypercall exit is completed in one of several ways, and the
 * guest then reports what it got.
 */
static void uapi_run(struct vcpu_state *vs, struct range_model *m,
		     uint64_t *expect_x0, bool *expecting)
{
	struct kvm_run *run = vs->vcpu->run;
	struct ucall uc;
	int r, ie = chance(8);

	if (chance(24)) {
		__u64 *bits = chance(2) ? &run->kvm_valid_regs : &run->kvm_dirty_regs;
		__u64 old = *bits;

		*bits |= 1ull << (1 + rnd_below(63));
		r = __vcpu_run(vs->vcpu);
		*bits = old;
		check_errno("KVM_RUN with an unknown sync regs bit", errs_run, r,
			    -EINVAL);
	}
	if (chance(6))
		arm_signal();
	run->immediate_exit = ie;
	r = __vcpu_run(vs->vcpu);
	disarm_signal();
	run->immediate_exit = 0;
	m->ran = true;
	if (r) {
		check_errno("KVM_RUN", errs_run, r, -EINTR);
		/* immediate_exit leaves exit_reason alone, a signal does not */
		FUZZ_ASSERT(ie || run->exit_reason == KVM_EXIT_INTR,
			    "KVM_RUN: EINTR with exit reason %u", run->exit_reason);
		return;
	}
	FUZZ_ASSERT(!ie, "KVM_RUN with immediate_exit ran the guest");
	if (run->exit_reason == KVM_EXIT_HYPERCALL) {
		uint64_t a = rnd(), b = rnd();

		FUZZ_ASSERT(!*expecting, "a second exit before the guest reported");
		/* ONE_REG, then maybe the set in kvm_run, which wins */
		if (chance(2)) {
			vcpu_set_reg(vs->vcpu, XREG(0), a);
			*expect_x0 = a;
		} else {
			*expect_x0 = run->s.regs.regs.regs[0];
		}
		if (chance(2)) {
			run->s.regs.regs.regs[0] = b;
			run->kvm_dirty_regs = KVM_SYNC_ARM64_REGS;
			*expect_x0 = b;
		}
		*expecting = true;
		return;
	}
	switch (get_ucall(vs->vcpu, &uc)) {
	case UCALL_SYNC:
		if (*expecting)
			FUZZ_ASSERT(uc.args[2] == *expect_x0,
				    "the guest got x0 0x%lx for 0x%lx, the VMM wrote 0x%lx",
				    uc.args[2], uc.args[1], *expect_x0);
		*expecting = false;
		return;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
	default:
		FUZZ_ASSERT(false, "unexpected exit %s",
			    exit_reason_str(run->exit_reason));
	}
}

/* KVM_ARM_VCPU_INIT in the middle of whatever the vCPU was doing. */
static void uapi_vcpu_init(struct vcpu_state *vs, bool *expecting)
{
	struct kvm_vcpu_init init = vs->init;
	int want = 0, r;
	char what[64];

	switch (rnd_below(6)) {
	case 0:
		init.features[0] |= 1u << (16 + rnd_below(16));	/* unknown */
		want = -ENOENT;
		break;
	case 1:
		init.features[1 + rnd_below(6)] = 1u << rnd_below(32);
		want = -ENOENT;
		break;
	case 2:
		init.features[0] ^= 1 << KVM_ARM_VCPU_PSCI_0_2;	/* changed */
		want = -EINVAL;
		break;
	default:
		reset_vcpu(vs);
		*expecting = false;
		return;
	}
	r = __vcpu_ioctl(vs->vcpu, KVM_ARM_VCPU_INIT, &init);
	snprintf(what, sizeof(what), "KVM_ARM_VCPU_INIT features 0x%x 0x%x",
		 init.features[0], init.features[1]);
	/* ENOENT for an unknown bit, EINVAL for another set (api.rst 4.82) */
	check_errno(what, errs_init, r, want);
}

static uint64_t uapi_mode(uint64_t max_ops)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1,
	};
	uint64_t ops = 0;

	timer_create(CLOCK_MONOTONIC, &sev, &sig_timer);
	while (ops < max_ops && time_left()) {
		struct range_model m = {};
		struct vcpu_state vs = {};
		bool expecting = false;
		uint64_t expect_x0 = 0;
		struct kvm_vm *vm;
		int n = 1 + rnd_below(48), i;

		vm = create_vm(1, &vs, guest_uapi);
		for (i = 0; i < n && ops < max_ops; i++, ops++) {
			switch (rnd_below(12)) {
			case 0 ... 3:
				fuzz_enable_random(vm, &m);
				break;
			case 4:
				fuzz_filter_random(vm, &m);
				break;
			case 5:
				fuzz_inject(vs.vcpu, false, false);
				break;
			case 6:
				fuzz_set_events(vs.vcpu);
				break;
			case 7:
				uapi_vcpu_init(&vs, &expecting);
				break;
			default:
				if (!m.ran) {
					fill_pool(&m);
					model.all_smc = m.all_smc;
					sync_global_to_guest(vm, model);
				}
				uapi_run(&vs, &m, &expect_x0, &expecting);
				break;
			}
		}
		/* destroyed as it is, maybe in the middle of a call */
		kvm_vm_free(vm);
	}
	timer_delete(sig_timer);
	return ops;
}

/* --- main ------------------------------------------------------------- */

static void help(const char *name)
{
	printf("usage: %s [-m uapi|guest|stress|a32|all] [-s seed] [-n count]\n"
	       "  [-t seconds] [-v vcpus]\n"
	       "  -n: uapi: operations; guest, stress, a32: calls per vCPU (400 per VM)\n"
	       "  -t: wall-clock limit of each mode, in seconds (default 20)\n"
	       "  -v: vCPUs of the stress mode (default 4, at most %d)\n",
	       name, MAX_VCPUS);
	exit(KSFT_FAIL);
}

static void start_clock(uint64_t secs)
{
	clock_gettime(CLOCK_MONOTONIC, &t_end);
	t_end.tv_sec += secs;
}

static void run_guest_mode(bool stress)
{
	uint64_t fwd = 0, vms = 0, calls = 0, max = opt_count ? opt_count : ~0ull;
	int n = stress ? opt_vcpus : 2;
	struct timespec t0, t1;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	start_clock(opt_secs);
	do {
		uint32_t nr = min_t(uint64_t, max - calls, 400);

		fwd += guest_round(n, stress, nr);
		calls += nr;
		vms++;
	} while (time_left() && calls < max);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	ksft_test_result_pass("%s: %lu VMs, %d vCPUs, %lu calls/vCPU, %lu forwarded, %.0f/s\n",
			      stress ? "stress" : "guest", vms, n, calls, fwd,
			      fwd / secs);
	pr_info("# %lu exits (%lu completed through ONE_REG, %lu abandoned by %lu vCPU resets), %lu KVM_RUN interrupted, %lu SErrors injected, %lu taken\n",
		totals.exits, totals.onereg, totals.abandoned, totals.resets,
		totals.eintr, totals.injected, totals.taken);
	memset(&totals, 0, sizeof(totals));
	print_errnos();
}

/* --- the a32 mode: an AArch32 caller, driven by the VMM ---------------- */

/*
 * One vCPU in AArch32 state at EL1, MMU off, Supervisor mode with A, I and F
 * masked, runs a few A32 instructions that the VMM writes into its memory
 * (encodings from ARM DDI 0487, F5.1): one HVC or SMC per entry point, each
 * followed by a branch to four stores of r0-r3 to an MMIO page whose
 * address is in r8, which show the VMM the results the caller got. For each
 * call, the VMM writes r0-r6 and a PC at one of the entry points, so the
 * calls need no AArch32 compiler, and it checks both sides of the call
 * itself. The HVC immediates are those of the guest mode. The syndrome of a
 * trapped AArch32 SMC has no immediate (api.rst 7.48, "AArch32 callers"),
 * so KVM takes the SMC #15 for an SMCCC call as it does SMC #0.
 */
#define A32_MMIO	0x3fff0000ul
#define A32_CPSR	0x1d3		/* Supervisor mode; A, I and F masked */
#define A32_SLOTS	6		/* the HVCs of hvc_imms[], SMC #0, SMC #15 */
#define A32_SLOT(k)	(4 + 8 * (k))	/* entry point k, after the stray store */
#define A32_STORES	A32_SLOT(A32_SLOTS)
#define A32_STRAY	16		/* MMIO offset stored to from offset 0 */

static bool has_a32;

/* KVM's answers to the calls it implements, to an AArch32 caller. */
static uint32_t a32_known[NR_KNOWN][2][4];

struct a32_vcpu {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	uint64_t code;		/* guest physical address of the code */
	bool at_store;		/* stopped at an MMIO store exit */
	uint64_t calls, exits, onereg_set, onereg_done, ie_moves;
};

static struct {
	uint64_t calls, exits, onereg_set, onereg_done, ie_moves, upstream;
} a32_totals;

/* str rt, [r8, #off] */
static uint32_t a32_str(int rt, int off)
{
	return 0xe5880000 | rt << 12 | off;
}

/* b to @to from @from, both offsets in the code */
static uint32_t a32_b(uint32_t from, uint32_t to)
{
	return 0xea000000 | (((to - from - 8) >> 2) & 0xffffff);
}

static uint32_t a32_insn(int slot)
{
	uint16_t imm;

	if (slot == 4)
		return 0xe1600070;			/* smc #0 */
	if (slot == 5)
		return 0xe160007f;			/* smc #15 */
	imm = hvc_imms[slot];
	return 0xe1400070 | (imm >> 4) << 8 | (imm & 0xf);	/* hvc #imm */
}

static void a32_create(struct a32_vcpu *a)
{
	struct kvm_vcpu_init init;
	uint32_t *p;
	int k;

	memset(a, 0, sizeof(*a));
	a->vm = vm_create(1);
	/* the MMU is off: the PC is a guest physical address */
	a->code = vm_phy_page_alloc(a->vm, KVM_GUEST_PAGE_TABLE_MIN_PADDR, 0);
	p = addr_gpa2hva(a->vm, a->code);
	/*
	 * Offset 0 is where a PC written 4 bytes before entry point 0 lands if
	 * KVM does not complete the store the last exit stopped at.
	 */
	p[0] = a32_str(0, A32_STRAY);
	for (k = 0; k < A32_SLOTS; k++) {
		p[A32_SLOT(k) / 4] = a32_insn(k);
		p[A32_SLOT(k) / 4 + 1] = a32_b(A32_SLOT(k) + 4, A32_STORES);
	}
	for (k = 0; k < 4; k++)
		p[A32_STORES / 4 + k] = a32_str(k, 4 * k);
	p[A32_STORES / 4 + 4] = 0xeafffffe;		/* b . */

	a->vcpu = __vm_vcpu_add(a->vm, 0);
	vm_ioctl(a->vm, KVM_ARM_PREFERRED_TARGET, &init);
	init.features[0] |= 1 << KVM_ARM_VCPU_PSCI_0_2 |
			    1 << KVM_ARM_VCPU_EL1_32BIT;
	vcpu_ioctl(a->vcpu, KVM_ARM_VCPU_INIT, &init);
	kvm_arch_vm_finalize_vcpus(a->vm);
	vcpu_set_reg(a->vcpu, ARM64_CORE_REG(regs.pstate), A32_CPSR);
	vcpu_set_reg(a->vcpu, XREG(8), A32_MMIO);
	a->vcpu->run->kvm_valid_regs = KVM_SYNC_ARM64_REGS;
}

/*
 * After the ranges are added: one KVM_RUN with immediate_exit stores the
 * registers into kvm_run (api.rst 6.74), so the first call can be set up
 * through sync regs too.
 */
static void a32_start(struct a32_vcpu *a)
{
	struct kvm_run *run = a->vcpu->run;
	int r;

	run->immediate_exit = 1;
	r = __vcpu_run(a->vcpu);
	run->immediate_exit = 0;
	check_errno("KVM_RUN with immediate_exit", errs_run, r, -EINTR);
	FUZZ_ASSERT(run->s.regs.regs.pstate == A32_CPSR &&
		    run->s.regs.regs.regs[8] == A32_MMIO,
		    "a32: kvm_run holds PSTATE 0x%llx r8 0x%llx, not the registers written",
		    run->s.regs.regs.pstate, run->s.regs.regs.regs[8]);
}

static void a32_run(struct a32_vcpu *a)
{
	FUZZ_ASSERT(!__vcpu_run(a->vcpu), "a32 call %lu: KVM_RUN: %s",
		    a->calls, strerror(errno));
}

/*
 * Put the vCPU at entry point @slot with r0-r6 from @c, alternately through
 * sync regs and with KVM_SET_ONE_REG. A vCPU stopped at a store is moved
 * either after one KVM_RUN with immediate_exit, which completes the store,
 * or with a PC 4 bytes before the entry point, which the next KVM_RUN
 * advances when it completes the store (api.rst 6.74).
 */
static void a32_setup(struct a32_vcpu *a, const struct call *c, int slot)
{
	struct kvm_run *run = a->vcpu->run;
	__u64 *x = run->s.regs.regs.regs;
	uint64_t pc = a->code + A32_SLOT(slot);
	int i, r;

	if (a->at_store && (a->calls & 2)) {
		run->immediate_exit = 1;
		r = __vcpu_run(a->vcpu);
		run->immediate_exit = 0;
		check_errno("KVM_RUN with immediate_exit after a store", errs_run,
			    r, -EINTR);
		FUZZ_ASSERT(run->s.regs.regs.pc == a->code + A32_STORES + 16,
			    "a32 call %lu: PC 0x%llx after the last store completed, expected 0x%lx",
			    a->calls, run->s.regs.regs.pc,
			    a->code + A32_STORES + 16);
		a->at_store = false;
		a->ie_moves++;
	}
	if (a->at_store)
		pc -= 4;
	if (a->calls & 1) {
		for (i = 0; i < 7; i++)
			x[i] = c->x[i];
		run->s.regs.regs.pc = pc;
		run->kvm_dirty_regs |= KVM_SYNC_ARM64_REGS;
	} else {
		for (i = 0; i < 7; i++)
			vcpu_set_reg(a->vcpu, XREG(i), c->x[i]);
		vcpu_set_reg(a->vcpu, ARM64_CORE_REG(regs.pc), pc);
		a->onereg_set++;
	}
	a->at_store = false;
}

/* The exit of a forwarded call, as api.rst describes it for AArch32. */
static void a32_check_exit(struct a32_vcpu *a, const struct call *c, int slot,
			   enum disposition d)
{
	struct kvm_run *run = a->vcpu->run;
	__u64 *x = run->s.regs.regs.regs;
	uint64_t want_flags;
	uint32_t nr = c->x[0];	/* r0: all of it for ALL_SMC, w0 otherwise */
	int i;

	FUZZ_ASSERT(run->exit_reason == KVM_EXIT_HYPERCALL,
		    "a32 call %lu: x0 0x%lx by %s must exit, got %s", a->calls,
		    c->x[0], slot < 4 ? "HVC" : "SMC",
		    exit_reason_str(run->exit_reason));
	want_flags = slot >= 4 ? KVM_HYPERCALL_EXIT_SMC : 0;
	/* only the capability's exits say AArch32 and give the immediate */
	if (d != D_EXIT_FILTER) {
		want_flags |= KVM_HYPERCALL_EXIT_AARCH32;
		if (slot < 4)
			want_flags |= (uint64_t)hvc_imms[slot] <<
				      KVM_HYPERCALL_EXIT_IMM_SHIFT;
	}
	FUZZ_ASSERT(run->hypercall.nr == nr && run->hypercall.flags == want_flags &&
		    !run->hypercall.ret,
		    "a32 call %lu: nr 0x%llx flags 0x%llx ret 0x%llx, expected 0x%x 0x%lx 0",
		    a->calls, run->hypercall.nr, run->hypercall.flags,
		    run->hypercall.ret, nr, want_flags);
	/* r1-r6, zero-extended, in args[] and in kvm_run */
	for (i = 0; i < 6; i++)
		FUZZ_ASSERT(run->hypercall.args[i] == (uint32_t)c->x[i + 1] &&
			    x[i + 1] == (uint32_t)c->x[i + 1],
			    "a32 call %lu: args[%d] 0x%llx, r%d 0x%llx, passed 0x%x",
			    a->calls, i, run->hypercall.args[i], i + 1, x[i + 1],
			    (uint32_t)c->x[i + 1]);
	FUZZ_ASSERT(run->s.regs.regs.pc == a->code + A32_SLOT(slot) + 4 &&
		    (run->s.regs.regs.pstate & 0x3f) == (A32_CPSR & 0x3f),
		    "a32 call %lu: PC 0x%llx PSTATE 0x%llx at the exit, expected 0x%lx, A32 Supervisor mode",
		    a->calls, run->s.regs.regs.pc, run->s.regs.regs.pstate,
		    a->code + A32_SLOT(slot) + 4);
	a->exits++;
}

/* Results of 64 bits: KVM narrows them to the caller's 32 (api.rst 7.48). */
static void a32_complete(struct a32_vcpu *a, uint64_t seq)
{
	a->onereg_done += put_results(a->vcpu, seq, a->exits & 1);
}

/*
 * One call from entry point @slot: set up, run, the exit checked and
 * completed if @d says it must exit, then the caller's four stores of r0-r3
 * into @got. r4-r6 must still hold what the VMM passed.
 */
static void a32_call(struct a32_vcpu *a, const struct call *c, int slot,
		     enum disposition d, uint64_t seq, uint32_t got[4])
{
	struct kvm_run *run = a->vcpu->run;
	int i;

	a32_setup(a, c, slot);
	a32_run(a);
	if (exits(d)) {
		a32_check_exit(a, c, slot, d);
		a32_complete(a, seq);
		a32_run(a);
	}
	for (i = 0; i < 4; i++) {
		if (i)
			a32_run(a);
		FUZZ_ASSERT(run->exit_reason == KVM_EXIT_MMIO && run->mmio.is_write &&
			    run->mmio.len == 4 && run->mmio.phys_addr == A32_MMIO + 4 * i,
			    "a32 call %lu: x0 0x%lx by %s: %s (MMIO 0x%llx, len %u, write %u), expected the store of r%d to 0x%lx",
			    a->calls, c->x[0], slot < 4 ? "HVC" : "SMC",
			    exit_reason_str(run->exit_reason), run->mmio.phys_addr,
			    run->mmio.len, run->mmio.is_write, i, A32_MMIO + 4 * i);
		memcpy(&got[i], run->mmio.data, 4);
	}
	for (i = 4; i < 7; i++)
		FUZZ_ASSERT(run->s.regs.regs.regs[i] == (uint32_t)c->x[i],
			    "a32 call %lu: r%d 0x%llx after the call, passed 0x%x",
			    a->calls, i, run->s.regs.regs.regs[i],
			    (uint32_t)c->x[i]);
	a->at_store = true;
	a->calls++;
}

/* The entry point of a call of the guest mode; SMC immediates are lost. */
static int a32_slot(struct call *c)
{
	int k;

	if (c->smc) {
		k = c->imm ? 5 : 4;
		c->imm = 0;
		return k;
	}
	for (k = 0; hvc_imms[k] != c->imm; k++)
		;
	return k;
}

/*
 * KVM's answers to an AArch32 caller, on a VM with no ranges: those it gave
 * the AArch64 one, narrowed, but for PSCI_FEATURES of a 64-bit function,
 * which an AArch32 caller cannot call (DEN0022, "SMC64/HVC64 calls").
 */
static void a32_calibrate(void)
{
	struct a32_vcpu a;
	struct call c = {};
	int i, j, smc;

	model.nr = 0;
	model.all_smc = false;
	a32_create(&a);
	a32_start(&a);
	for (i = 0; i < NR_KNOWN; i++) {
		for (smc = 0; smc < 2; smc++) {
			c.x[0] = model.known[i].id;
			c.x[1] = model.known[i].x1;
			a32_call(&a, &c, smc ? 4 : 0, D_KNOWN, 0,
				 a32_known[i][smc]);
			for (j = 0; j < 4; j++) {
				uint32_t want = model.known[i].res[smc][j];

				if (c.x[0] == PSCI_1_0_FN_PSCI_FEATURES && !j &&
				    (c.x[1] & PSCI_0_2_64BIT))
					want = PSCI_RET_NOT_SUPPORTED;
				FUZZ_ASSERT(a32_known[i][smc][j] == want,
					    "a32: KVM answered 0x%lx (x1 0x%lx) by %s with r%d 0x%x, expected 0x%x",
					    c.x[0], c.x[1], smc ? "SMC" : "HVC", j,
					    a32_known[i][smc][j], want);
			}
		}
	}
	kvm_vm_free(a.vm);
}

/* One VM: random ranges and filter entries, then @calls calls. */
static void a32_round(uint32_t calls)
{
	struct range_model m = {};
	struct a32_vcpu a;
	uint32_t got[4];
	uint64_t seq;
	int i, k;

	a32_create(&a);
	setup_ranges(a.vm, &m);
	fill_pool(&m);
	model.nr = m.nr;
	memcpy(model.r, m.r, sizeof(m.r));
	model.all_smc = m.all_smc;
	model.sdei = m.sdei;
	model.seed = rnd();
	a32_start(&a);

	for (seq = 0; seq < calls; seq++) {
		enum disposition d;
		struct call c;
		int slot;

		gen_call(0, seq, &c);
		slot = a32_slot(&c);
		d = classify(&c);
		a32_call(&a, &c, slot, d, seq, got);
		switch (d) {
		case D_EXIT_FWD:
		case D_EXIT_FILTER:
		case D_EXIT_ALL_SMC:
			for (i = 0; i < 4; i++)
				FUZZ_ASSERT(got[i] == (uint32_t)result(seq, i),
					    "a32 call %lu x0 0x%lx: r%d 0x%x after the VMM's results, expected 0x%x",
					    a.calls - 1, c.x[0], i, got[i],
					    (uint32_t)result(seq, i));
			break;
		case D_NOT_SUPPORTED:
			FUZZ_ASSERT(got[0] == (uint32_t)SMCCC_RET_NOT_SUPPORTED,
				    "a32 call %lu x0 0x%lx by %s: r0 0x%x, expected NOT_SUPPORTED",
				    a.calls - 1, c.x[0], slot < 4 ? "HVC" : "SMC",
				    got[0]);
			a32_totals.upstream++;
			break;
		case D_KNOWN:
			for (k = 0; model.known[k].id != (uint32_t)c.x[0]; k++)
				;
			for (i = 0; i < 4; i++)
				FUZZ_ASSERT(got[i] == a32_known[k][slot >= 4][i],
					    "a32 call %lu x0 0x%lx by %s: KVM answered r%d 0x%x, expected 0x%x",
					    a.calls - 1, c.x[0],
					    slot < 4 ? "HVC" : "SMC", i, got[i],
					    a32_known[k][slot >= 4][i]);
			a32_totals.upstream++;
			break;
		default:
			FUZZ_ASSERT(false, "a32 call %lu: disposition %d", a.calls - 1, d);
		}
	}
	a32_totals.calls += a.calls;
	a32_totals.exits += a.exits;
	a32_totals.onereg_set += a.onereg_set;
	a32_totals.onereg_done += a.onereg_done;
	a32_totals.ie_moves += a.ie_moves;
	kvm_vm_free(a.vm);
}

static void run_a32_mode(void)
{
	uint64_t vms = 0, calls = 0, max = opt_count ? opt_count : ~0ull;
	struct timespec t0, t1;
	double secs;

	if (!has_a32) {
		ksft_test_result_skip("a32: no AArch32 EL1 (KVM_CAP_ARM_EL1_32BIT)\n");
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	start_clock(opt_secs);
	a32_calibrate();
	do {
		uint32_t nr = min_t(uint64_t, max - calls, 400);

		a32_round(nr);
		calls += nr;
		vms++;
	} while (time_left() && calls < max);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	ksft_test_result_pass("a32: %lu VMs, 1 vCPU, %lu calls, %lu forwarded, %.0f/s\n",
			      vms, calls, a32_totals.exits,
			      a32_totals.exits / secs);
	pr_info("# %lu calls/s, %lu answered by KVM as upstream does, %lu set up and %lu completed through ONE_REG, %lu moved after KVM_RUN with immediate_exit\n",
		(uint64_t)(a32_totals.calls / secs), a32_totals.upstream,
		a32_totals.onereg_set, a32_totals.onereg_done,
		a32_totals.ie_moves);
	memset(&a32_totals, 0, sizeof(a32_totals));
	print_errnos();
}

int main(int argc, char *argv[])
{
	struct sigaction sa = { .sa_handler = sig_nop };
	bool all;
	int opt;

	opt_seed = time(NULL) ^ getpid();
	while ((opt = getopt(argc, argv, "m:s:n:t:v:h")) != -1) {
		switch (opt) {
		case 'm':
			mode_name = optarg;
			break;
		case 's':
			opt_seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			opt_count = strtoull(optarg, NULL, 0);
			break;
		case 't':
			opt_secs = strtoull(optarg, NULL, 0);
			break;
		case 'v':
			opt_vcpus = atoi(optarg);
			break;
		default:
			help(argv[0]);
		}
	}
	all = !strcmp(mode_name, "all");
	if (!all && strcmp(mode_name, "uapi") && strcmp(mode_name, "guest") &&
	    strcmp(mode_name, "stress") && strcmp(mode_name, "a32"))
		help(argv[0]);
	if (opt_vcpus < 4 || opt_vcpus > MAX_VCPUS)
		help(argv[0]);

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ARM_SMCCC_FORWARD));
	has_ras = kvm_has_cap(KVM_CAP_ARM_INJECT_SERROR_ESR);
	has_a32 = kvm_has_cap(KVM_CAP_ARM_EL1_32BIT);
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: KVM_RUN sees EINTR */

	ksft_print_header();
	ksft_set_plan(all ? 3 + has_a32 : 1);
	pr_info("seed %lu, replay: %s -m %s -s %lu -n %lu -t %lu\n", opt_seed,
		argv[0], mode_name, opt_seed, opt_count, opt_secs);
	rng_state = opt_seed;

	calibrate();
	if (all || !strcmp(mode_name, "uapi")) {
		uint64_t ops;

		start_clock(opt_secs);
		ops = uapi_mode(opt_count ? opt_count : ~0ull);
		ksft_test_result_pass("uapi: %lu operations, every errno as documented\n",
				      ops);
		print_errnos();
	}
	if (all || !strcmp(mode_name, "guest"))
		run_guest_mode(false);
	if (all || !strcmp(mode_name, "stress"))
		run_guest_mode(true);
	if ((all && has_a32) || !strcmp(mode_name, "a32"))
		run_a32_mode();
	ksft_finished();
}
