// SPDX-License-Identifier: GPL-2.0-only
/*
 * ras_claim - Test that the host's RAS code (APEI/GHES) gets the SErrors and
 * synchronous external aborts (SEA) taken while a guest runs before KVM
 * injects anything into the guest.
 *
 * Emulation cannot raise a real RAS error, so kvm_ras_testmod plays the
 * platform: it writes a CPER memory error record into a GHES error status
 * block, as firmware would, and arms the KVM_ARM_RAS_INJECT hook, which turns
 * the next IRQ exit of the vCPU into an SError or SEA exit with a chosen
 * syndrome. KVM's exit handling, APEI's claim and KVM's injection decision
 * then all run as for a real error.
 *
 * Run on an ACPI boot whose HEST has a GHESv2 source with the SEI
 * notification (testbed/acpi/hest-sei.dsl), this test covers the SError
 * policy of Documentation/virt/kvm/arm/ras.rst for SErrors taken from a
 * guest:
 *  - Claimed UER and UEU (consumed errors): the KVM_RUN that made the SError
 *    exit ends in SIGBUS BUS_MCEERR_AR for the page's host address, before
 *    the guest runs again; nothing is injected.
 *  - Claimed CE and UEO: the guest resumes, nothing is injected, no signal.
 *    After a UEO record the page is poisoned, and the guest's next access
 *    gives the VMM SIGBUS BUS_MCEERR_AR; the VMM hands the guest an SError
 *    with a syndrome of its choice with KVM_ARM_INJECT_SERROR.
 *  - The same record twice within 10 s: GHES drops the second as a
 *    duplicate, and its SError takes the not-claimed path.
 *  - An SError KVM makes itself (as the vgic-v2 CPU interface trap does,
 *    with a data abort's syndrome) never goes to APEI: a pending SEI record
 *    stays pending for the next real SError.
 *  - No record: KVM's own classification. UER, UEU and IMPLEMENTATION
 *    DEFINED SErrors inject a virtual SError whose ISS is IDS alone
 *    (kvm_inject_vabt()); CE and UEO inject nothing.
 *  - SEA, claimed (nothing injected; the guest, retrying its access, ends
 *    in SIGBUS BUS_MCEERR_AR; the VMM hands the guest an SEA with
 *    KVM_SET_VCPU_EVENTS) and unclaimed (a virtual SError, no signal).
 *  - SEA with KVM_CAP_ARM_SEA_TO_USER enabled: a claimed SEA still makes no
 *    exit (SIGBUS BUS_MCEERR_AR as without it); an unclaimed one exits with
 *    KVM_EXIT_ARM_SEA, whose esr, gva, gpa and flags are those api.rst
 *    documents, and nothing is injected; a record GHES drops as a duplicate
 *    claims nothing, so its SEA exits too; an SEA the host owns (on a
 *    stage-2 table walk) is a virtual SError, never an exit; and an SError
 *    never exits, claimed or not.
 *  - The hook's refusal of requests that would not describe the exit.
 *
 * Without an SEI source in the HEST the test skips, unless -e says that
 * one is expected. With -n, for a HEST without an SEI source (QEMU's own,
 * SEA only): an SError exit is never claimed, not even with an SEA record
 * pending, which stays pending for the SEA that claims it. This is the base
 * kernel's behaviour. The SEA cases, which need only QEMU's SEA source, run
 * in both modes.
 *
 * The same source builds in Linux 6.12's selftests, whose library predates
 * KVM_CAP_ARM_SEA_TO_USER: there the SEA_TO_USER cases report SKIP.
 *
 * The test holds on any host:
 *  - It asks for late kill (PR_MCE_KILL), so that vm.memory_failure_early_kill
 *    does not decide whether it gets SIGBUS BUS_MCEERR_AO.
 *  - Poisoned pages cannot be unpoisoned after a memory failure that is not
 *    software-simulated (unpoison_memory() refuses), so each run poisons at
 *    most MAX_POISONED_PER_RUN pages, and the test skips once
 *    HardwareCorrupted exceeds MAX_CORRUPTED_KB.
 *  - An armed exit needs no host timer tick: the hook makes the vCPU exit on
 *    an IRQ as soon as it enters the guest.
 *  - GHES logs, and so caches for duplicate detection, at most two records
 *    every 5 s; before a record whose logging it checks, the test waits out
 *    that rate limit, whatever earlier runs did.
 *
 * Cases that must panic the host (UC, claimed or not; an unclaimed
 * Uncategorized SError; a fatal record; a consumed error in host kernel
 * code) are not run; see Documentation/virt/kvm/arm/ras.rst.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "arch_timer.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#include "ras_testmod/kvm_ras_testmod.h"

/* Names of the selftest library that changed after 6.12 */
#ifdef KVM_CAP_ARM_SEA_TO_USER
#define test_alloc_page(vm)	vm_alloc_page(vm)
#else
#define test_alloc_page(vm)	vm_vaddr_alloc_page(vm)
#endif

/* Exception classes (Arm ARM, ESR_ELx.EC) */
#define EC_SHIFT		26
#define ESR_EC_SERROR		0x2f
#define ESR_EC_DABT_LOW		0x24
#define ESR_EC_DABT_CUR		0x25
#define ESR_EC_IABT_LOW		0x20
#define ESR_IL			BIT(25)

/* ISS encoding for an SError exception, see ESR_ELx in the Arm ARM */
#define ISS_IDS			BIT(24)
#define ISS_AET(aet)		((uint64_t)(aet) << 10)
#define ISS_DFSC_SERROR		0x11
#define AET_UEU			1
#define AET_UEO			2
#define AET_UER			3
#define AET_CE			6
#define RAS_ISS(aet)		(ISS_DFSC_SERROR | ISS_AET(aet))

/* Data abort from a lower EL, synchronous external abort not on a walk */
#define DFSC_SEA		0x10

#define ESR(ec, iss)		(((uint64_t)(ec) << EC_SHIFT) | ESR_IL | (iss))
#define SERROR_ESR(iss)		ESR(ESR_EC_SERROR, iss)
#define SEA_ESR			ESR(ESR_EC_DABT_LOW, DFSC_SEA)

/* What kvm_inject_vabt() makes the guest see (ESR_ELx_ISV == IDS) */
#define KVM_VABT_ESR		SERROR_ESR(ISS_IDS)

/* Data abort from a lower EL: ISV, a word access, translation fault L3 */
#define DABT_ESR		ESR(ESR_EC_DABT_LOW, BIT(24) | (2 << 22) | 0x07)

/* ISS of a data abort (Arm ARM, ESR_ELx ISS encoding for a Data Abort) */
#define DABT_ISV		BIT(24)
#define DABT_SAS(sas)		((uint64_t)(sas) << 22)
#define DABT_SRT(srt)		((uint64_t)(srt) << 16)
#define DABT_SET(set)		((uint64_t)(set) << 11)
#define DABT_FNV		BIT(10)
#define DABT_EA			BIT(9)
#define DABT_CM			BIT(8)
#define DABT_S1PTW		BIT(7)
#define DABT_WNR		BIT(6)
#define DFSC_SEA_TTW(level)	(0x14 + (level))

/* HPFAR_EL2: FIPA (IPA[55:12]) in bits [47:4]; NS marks it valid for KVM */
#define HPFAR_NS		BIT_ULL(63)
#define HPFAR(gpa)		(HPFAR_NS | (((gpa) >> 12) << 4))

/* ID_AA64PFR0_EL1 and its RAS field, [31:28] */
#define PFR0_REG	ARM64_SYS_REG(3, 0, 0, 4, 0)
#define PFR0_RAS(v)	(((v) >> 28) & 0xf)

/* Bounds on the host's waits, in seconds */
#define ARMED_EXIT_TIMEOUT	30
#define POISON_TIMEOUT		30

/* GHES prints at most 2 records every 5 s (ghes_print_estatus()) */
#define GHES_RATELIMIT_SECS	6
/* GHES drops a record seen in the last 10 s (GHES_ESTATUS_IN_CACHE_MAX_NSEC) */
#define GHES_CACHE_SECS		10

/* Pages one run poisons at most, and the HardwareCorrupted it runs under */
#define MAX_POISONED_PER_RUN	8
#define MAX_CORRUPTED_KB	1024

enum guest_cmd {
	CMD_SPIN,		/* spin a while, where IRQ exits happen */
	CMD_TOUCH,		/* read the test page */
	CMD_SPIN_TOUCH,		/* spin a while, reading the test page */
	CMD_CHECK_NO_SERROR,	/* assert that no SError was taken */
};

/* Written by the host */
static enum guest_cmd guest_cmd;
static uint64_t guest_page_gva;

/* Written by the guest */
static uint64_t guest_esr;
static uint64_t guest_nr_serrors;
static uint64_t guest_skipped_touch;
static uint64_t guest_dabt_esr;
static uint64_t guest_nr_dabts;

/* Address of the single instruction that reads the test page */
static uint64_t guest_touch_pc;

static void guest_serror_handler(struct ex_regs *regs)
{
	WRITE_ONCE(guest_esr, read_sysreg(esr_el1));
	WRITE_ONCE(guest_nr_serrors, READ_ONCE(guest_nr_serrors) + 1);

	/*
	 * The VMM's SError for a poisoned page is taken before the read of
	 * the page is retried: skip the read, or it would fault again.
	 */
	if (regs->pc == READ_ONCE(guest_touch_pc)) {
		regs->pc += 4;
		WRITE_ONCE(guest_skipped_touch, 1);
	}
}

/* The VMM's SEA for a poisoned page: skip the read, as for the SError */
static void guest_dabt_handler(struct ex_regs *regs)
{
	WRITE_ONCE(guest_dabt_esr, read_sysreg(esr_el1));
	WRITE_ONCE(guest_nr_dabts, READ_ONCE(guest_nr_dabts) + 1);

	if (regs->pc == READ_ONCE(guest_touch_pc))
		regs->pc += 4;
}

static noinline void guest_touch(uint64_t gva)
{
	uint64_t val, pc;

	asm volatile("adr	%[pc], 1f\n\t"
		     "str	%[pc], [%[slot]]\n\t"
		     "1: ldr	%[val], [%[gva]]\n\t"
		     : [val] "=&r" (val), [pc] "=&r" (pc)
		     : [gva] "r" (gva), [slot] "r" (&guest_touch_pc)
		     : "memory");
}

/*
 * Spin for about 20 ms of guest time, long enough for a host tick, reading
 * the test page if asked to, for as long as the host leaves it set.
 */
static void guest_spin(bool touch)
{
	uint64_t end = timer_get_cntct(VIRTUAL) + timer_get_cntfrq() / 50;

	while (timer_get_cntct(VIRTUAL) < end) {
		uint64_t gva = READ_ONCE(guest_page_gva);

		if (touch && gva)
			guest_touch(gva);
		cpu_relax();
	}
}

static void guest_code(void)
{
	asm volatile("msr daifclr, #4" : : : "memory");
	isb();

	for (;;) {
		switch (READ_ONCE(guest_cmd)) {
		case CMD_SPIN:
			guest_spin(false);
			break;
		case CMD_SPIN_TOUCH:
			guest_spin(true);
			break;
		case CMD_TOUCH:
			guest_touch(READ_ONCE(guest_page_gva));
			break;
		case CMD_CHECK_NO_SERROR:
			GUEST_ASSERT_EQ(READ_ONCE(guest_nr_serrors), 0);
			break;
		}
		GUEST_SYNC(READ_ONCE(guest_cmd));
	}
}

/* --- the host: SIGBUS -------------------------------------------------- */

/* Written by the SIGBUS handler, which only runs when KVM_RUN returns */
static int nr_sigbus;
static int sigbus_code;
static void *sigbus_addr;
static short sigbus_lsb;

static void sigbus_handler(int sig, siginfo_t *si, void *ctx)
{
	sigbus_code = si->si_code;
	sigbus_addr = si->si_addr;
	sigbus_lsb = si->si_addr_lsb;
	WRITE_ONCE(nr_sigbus, nr_sigbus + 1);
}

static void install_sigbus_handler(void)
{
	struct sigaction sa = {
		.sa_sigaction = sigbus_handler,
		.sa_flags = SA_SIGINFO,
	};

	TEST_ASSERT(!sigaction(SIGBUS, &sa, NULL), "sigaction(SIGBUS)");
}

static void assert_one_sigbus_ar(void *hva)
{
	TEST_ASSERT_EQ(nr_sigbus, 1);
	TEST_ASSERT(sigbus_code == BUS_MCEERR_AR,
		    "SIGBUS si_code %d, expected BUS_MCEERR_AR", sigbus_code);
	TEST_ASSERT(sigbus_addr == hva, "SIGBUS for %p, expected %p",
		    sigbus_addr, hva);
	TEST_ASSERT_EQ(sigbus_lsb, getpagesize() == 4096 ? 12 : 16);
}

/* --- the host: the test module ------------------------------------------ */

static int testmod_fd;

static void arm_exit(struct kvm_vm *vm, uint32_t type, uint64_t esr,
		     uint64_t far, uint64_t hpfar)
{
	struct kvm_ras_testmod_exit exit = {
		.vm_fd = vm->fd, .vcpu = 0, .type = type,
		.esr = esr, .far = far, .hpfar = hpfar,
	};

	TEST_ASSERT(!ioctl(testmod_fd, KVM_RAS_TESTMOD_ARM_EXIT, &exit),
		    "arming exit type %u esr 0x%lx: %s", type, esr,
		    strerror(errno));
}

static int arm_exit_errno(struct kvm_ras_testmod_exit *exit)
{
	int ret = ioctl(testmod_fd, KVM_RAS_TESTMOD_ARM_EXIT, exit);

	TEST_ASSERT(ret == -1, "bad arming request accepted");
	return errno;
}

static uint64_t armed_exits(struct kvm_vm *vm)
{
	struct kvm_ras_testmod_count count = { .vm_fd = vm->fd };

	TEST_ASSERT(!ioctl(testmod_fd, KVM_RAS_TESTMOD_EXIT_COUNT, &count),
		    "KVM_RAS_TESTMOD_EXIT_COUNT: %s", strerror(errno));
	return count.count;
}

/* When this process last wrote a record, or started: GHES's rate limit */
static struct timespec last_cper;

static void write_cper_sev(uint32_t source, uint64_t pa, uint32_t severity)
{
	struct kvm_ras_testmod_cper cper = {
		.source = source,
		.severity = severity,
		.pa = pa,
	};

	TEST_ASSERT(!ioctl(testmod_fd, KVM_RAS_TESTMOD_WRITE_CPER, &cper),
		    "writing a CPER record for 0x%lx: %s", pa, strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &last_cper);
}

static void write_cper(uint32_t source, uint64_t pa)
{
	write_cper_sev(source, pa, KVM_RAS_TESTMOD_SEV_RECOVERABLE);
}

static double secs_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) + (now.tv_nsec - t->tv_nsec) / 1e9;
}

/*
 * GHES logs a record, and only then caches it for duplicate detection, if
 * its printk rate limit allows. Before a record whose logging matters, let
 * the limit's interval pass since the last record: this run's, or, at the
 * start, one an earlier run may have written just before.
 */
static void wait_ghes_ratelimit(void)
{
	double left = GHES_RATELIMIT_SECS - secs_since(&last_cper);

	if (left > 0)
		usleep(left * 1e6);
}

static bool cper_pending(uint32_t source)
{
	struct kvm_ras_testmod_cper cper = { .source = source };
	int ret = ioctl(testmod_fd, KVM_RAS_TESTMOD_CPER_PENDING, &cper);

	TEST_ASSERT(ret == 0 || ret == 1, "KVM_RAS_TESTMOD_CPER_PENDING: %s",
		    strerror(errno));
	return ret;
}

/* --- the host: guest memory ------------------------------------------- */

struct test_page {
	uint64_t gva;
	uint64_t gpa;
	void *hva;
	uint64_t pa;
};

/* The host physical address backing @hva, from /proc/self/pagemap */
static uint64_t hva_to_pa(void *hva)
{
	uint64_t entry, pfn_mask = GENMASK_ULL(54, 0);
	off_t off = (uintptr_t)hva / getpagesize() * sizeof(entry);
	int fd = open("/proc/self/pagemap", O_RDONLY);

	TEST_ASSERT(fd >= 0, "open(/proc/self/pagemap)");
	TEST_ASSERT_EQ(pread(fd, &entry, sizeof(entry), off), sizeof(entry));
	close(fd);
	TEST_ASSERT(entry & BIT_ULL(63), "page %p not present", hva);
	TEST_ASSERT(entry & pfn_mask, "no PFN in pagemap: needs CAP_SYS_ADMIN");

	return (entry & pfn_mask) * getpagesize();
}

/*
 * A guest page of its own, so that poisoning it hurts nothing else. Every
 * record names a different host page: a poisoned page is never reused, and
 * GHES drops a record identical to one it has seen in the last 10 seconds.
 */
static struct test_page test_page(struct kvm_vm *vm)
{
	struct test_page p;

	p.gva = test_alloc_page(vm);
	p.gpa = addr_gva2gpa(vm, p.gva);
	p.hva = addr_gva2hva(vm, p.gva);
	memset(p.hva, 0x5a, vm->page_size);
	p.pa = hva_to_pa(p.hva);

	return p;
}

/* /proc/meminfo's HardwareCorrupted, in kB */
static long hardware_corrupted_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	TEST_ASSERT(f, "fopen(/proc/meminfo)");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "HardwareCorrupted: %ld kB", &kb) == 1)
			break;
	fclose(f);
	TEST_ASSERT(kb >= 0, "no HardwareCorrupted in /proc/meminfo");

	return kb;
}

static void wait_for_poison(long before_kb)
{
	time_t end = time(NULL) + POISON_TIMEOUT;

	while (hardware_corrupted_kb() < before_kb + getpagesize() / 1024) {
		TEST_ASSERT(time(NULL) < end, "page not poisoned after %ds",
			    POISON_TIMEOUT);
		usleep(10000);
	}
}

/* --- the host: the kernel log ------------------------------------------ */

static int kmsg_fd;

static void kmsg_open(void)
{
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	TEST_ASSERT(kmsg_fd >= 0, "open(/dev/kmsg)");
	lseek(kmsg_fd, 0, SEEK_END);
}

/* Has the kernel logged @needle since the last call? */
static bool kmsg_seen(const char *needle)
{
	char rec[1024];
	bool seen = false;
	ssize_t n;

	while ((n = read(kmsg_fd, rec, sizeof(rec) - 1)) > 0 || errno == EPIPE) {
		if (n <= 0)
			continue;
		rec[n] = '\0';
		if (strstr(rec, needle))
			seen = true;
	}
	TEST_ASSERT(errno == EAGAIN, "read(/dev/kmsg): %s", strerror(errno));

	return seen;
}

/* --- the host: running the guest ---------------------------------------- */

static void set_guest_cmd(struct kvm_vm *vm, enum guest_cmd cmd)
{
	guest_cmd = cmd;
	sync_global_to_guest(vm, guest_cmd);
}

static void read_guest_serrors(struct kvm_vm *vm)
{
	sync_global_from_guest(vm, guest_nr_serrors);
	sync_global_from_guest(vm, guest_esr);
	sync_global_from_guest(vm, guest_skipped_touch);
}

/*
 * Run the guest until it syncs, or until a signal ends KVM_RUN.
 * Return: true if the guest synced, false on a signal.
 */
static bool run_once(struct kvm_vcpu *vcpu)
{
	struct ucall uc;
	int ret = __vcpu_run(vcpu);

	if (ret == -1 && errno == EINTR)
		return false;
	TEST_ASSERT(!ret, "KVM_RUN: %s", strerror(errno));

	switch (get_ucall(vcpu, &uc)) {
	case UCALL_SYNC:
		return true;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		/* NOT REACHED */
	default:
		TEST_FAIL("unexpected exit %s",
			  exit_reason_str(vcpu->run->exit_reason));
	}
	return false;
}

/* Spin the guest until the armed exit has been made and handled */
static void run_until_armed_exit(struct kvm_vcpu *vcpu, uint64_t before)
{
	time_t end = time(NULL) + ARMED_EXIT_TIMEOUT;

	set_guest_cmd(vcpu->vm, CMD_SPIN);
	while (armed_exits(vcpu->vm) == before) {
		TEST_ASSERT(time(NULL) < end, "no IRQ exit within %ds",
			    ARMED_EXIT_TIMEOUT);
		run_once(vcpu);
	}
	TEST_ASSERT_EQ(armed_exits(vcpu->vm), before + 1);
}

/* Let the guest run once more, and take any SError pending for it */
static void run_spin(struct kvm_vcpu *vcpu)
{
	set_guest_cmd(vcpu->vm, CMD_SPIN);
	TEST_ASSERT(run_once(vcpu), "unexpected signal");
}

/*
 * The guest reads the test page in a loop, as a guest whose access took
 * an SEA retries it, until a SIGBUS ends KVM_RUN: memory_failure() sends
 * it from the vCPU thread, or KVM does when the guest's next access finds
 * the page poisoned, whichever comes first.
 */
static void run_until_sigbus(struct kvm_vcpu *vcpu, uint64_t gva)
{
	time_t end = time(NULL) + ARMED_EXIT_TIMEOUT;

	guest_page_gva = gva;
	sync_global_to_guest(vcpu->vm, guest_page_gva);
	set_guest_cmd(vcpu->vm, CMD_SPIN_TOUCH);
	while (!READ_ONCE(nr_sigbus)) {
		TEST_ASSERT(time(NULL) < end, "no SIGBUS within %ds",
			    ARMED_EXIT_TIMEOUT);
		run_once(vcpu);
	}
}

/*
 * The VMM's answer to a SIGBUS BUS_MCEERR_AR after a claimed SEA: stop the
 * guest's reads of the page, and hand it an SEA (KVM_SET_VCPU_EVENTS). The
 * guest takes a synchronous external data abort (DFSC 0b010000).
 */
static void vmm_hands_guest_sea(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu_events events = {};

	guest_page_gva = 0;
	sync_global_to_guest(vcpu->vm, guest_page_gva);
	events.exception.ext_dabt_pending = 1;
	vcpu_events_set(vcpu, &events);
	TEST_ASSERT(run_once(vcpu), "unexpected signal");

	sync_global_from_guest(vcpu->vm, guest_nr_dabts);
	sync_global_from_guest(vcpu->vm, guest_dabt_esr);
	TEST_ASSERT_EQ(guest_nr_dabts, 1);
	TEST_ASSERT_EQ(guest_dabt_esr >> EC_SHIFT, ESR_EC_DABT_CUR);
	TEST_ASSERT_EQ(guest_dabt_esr & 0x3f, DFSC_SEA);
}

static void assert_no_serror_pending(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu_events events;

	vcpu_events_get(vcpu, &events);
	TEST_ASSERT(!events.exception.serror_pending,
		    "a virtual SError is pending, ESR 0x%llx",
		    events.exception.serror_esr);
}

/* The guest, resumed, has taken no SError, and none is pending for it */
static void assert_guest_took_no_serror(struct kvm_vcpu *vcpu)
{
	assert_no_serror_pending(vcpu);
	set_guest_cmd(vcpu->vm, CMD_CHECK_NO_SERROR);
	TEST_ASSERT(run_once(vcpu), "unexpected signal");
}

static struct kvm_vm *create_vm(struct kvm_vcpu **vcpu)
{
	struct kvm_vm *vm = vm_create_with_one_vcpu(vcpu, guest_code);

	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(*vcpu);
	vm_install_exception_handler(vm, VECTOR_ERROR_CURRENT,
				     guest_serror_handler);
	vm_install_sync_handler(vm, VECTOR_SYNC_CURRENT, ESR_EC_DABT_CUR,
				guest_dabt_handler);
	nr_sigbus = 0;
	guest_nr_dabts = 0;

	return vm;
}

/* --- the cases ------------------------------------------------------------ */

/*
 * A claimed UEO: the error is not consumed yet, so the guest resumes and the
 * page is poisoned in the background; the guest's next access to it gives
 * the VMM the SIGBUS, and the VMM tells the guest.
 */
static void test_full_flow(void)
{
	const uint64_t vmm_iss = ISS_IDS | 0x5a5a;
	struct kvm_arm_serror serror = { .esr = vmm_iss };
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = create_vm(&vcpu);
	struct test_page p = test_page(vm);
	long corrupted = hardware_corrupted_kb();
	char pa_str[64];

	/* The guest has the page mapped at stage 2 before the error */
	guest_page_gva = p.gva;
	sync_global_to_guest(vm, guest_page_gva);
	set_guest_cmd(vm, CMD_TOUCH);
	TEST_ASSERT(run_once(vcpu), "unexpected signal");

	/* Firmware describes the error, then the SError announces it */
	wait_ghes_ratelimit();
	write_cper(KVM_RAS_TESTMOD_SRC_SEI, p.pa);
	arm_exit(vm, KVM_RAS_TESTMOD_EXIT_SERROR, SERROR_ESR(RAS_ISS(AET_UEO)),
		 0, 0);
	run_until_armed_exit(vcpu, armed_exits(vm));

	/* APEI claimed it: the record is consumed, nothing is injected */
	TEST_ASSERT(!cper_pending(KVM_RAS_TESTMOD_SRC_SEI),
		    "APEI did not consume the SEI record");
	assert_guest_took_no_serror(vcpu);

	/* The host handled it: GHES logged it, memory_failure() poisoned */
	wait_for_poison(corrupted);
	snprintf(pa_str, sizeof(pa_str), "physical_address: 0x%016lx", p.pa);
	TEST_ASSERT(kmsg_seen(pa_str), "GHES did not log '%s'", pa_str);
	TEST_ASSERT_EQ(nr_sigbus, 0);

	/* The guest touches the page again: the VMM gets the SIGBUS */
	set_guest_cmd(vm, CMD_TOUCH);
	TEST_ASSERT(!run_once(vcpu), "the guest read a poisoned page");
	assert_one_sigbus_ar(p.hva);

	/* The VMM hands the guest an SError with the syndrome it chose */
	vcpu_ioctl(vcpu, KVM_ARM_INJECT_SERROR, &serror);
	TEST_ASSERT(run_once(vcpu), "unexpected signal");
	read_guest_serrors(vm);
	TEST_ASSERT_EQ(guest_nr_serrors, 1);
	TEST_ASSERT_EQ(guest_esr, SERROR_ESR(vmm_iss));
	TEST_ASSERT_EQ(guest_skipped_touch, 1);
	TEST_ASSERT_EQ(nr_sigbus, 1);

	kvm_vm_free(vm);
	ksft_test_result_pass("SEI claimed UEO: no SError, poison, SIGBUS AR, VMM SError\n");
}

/*
 * A claimed error the guest has consumed: the KVM_RUN whose exit took the
 * SError ends in SIGBUS BUS_MCEERR_AR for the page, sent from the vCPU
 * thread before it could enter the guest again (the guest, left running,
 * would sync after its 20 ms spin instead). Nothing is injected.
 */
static void check_claimed_consumed(uint64_t iss)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = create_vm(&vcpu);
	struct test_page p = test_page(vm);
	uint64_t before;

	run_spin(vcpu);
	before = armed_exits(vm);
	write_cper(KVM_RAS_TESTMOD_SRC_SEI, p.pa);
	arm_exit(vm, KVM_RAS_TESTMOD_EXIT_SERROR, SERROR_ESR(iss), 0, 0);
	set_guest_cmd(vm, CMD_SPIN);
	TEST_ASSERT(!run_once(vcpu),
		    "ISS 0x%lx: the guest ran again before any SIGBUS", iss);
	TEST_ASSERT_EQ(armed_exits(vm), before + 1);
	assert_one_sigbus_ar(p.hva);
	TEST_ASSERT(!cper_pending(KVM_RAS_TESTMOD_SRC_SEI),
		    "APEI did not consume the SEI record");
	assert_guest_took_no_serror(vcpu);
	TEST_ASSERT_EQ(nr_sigbus, 1);

	kvm_vm_free(vm);
}

static void test_claimed_consumed(void)
{
	check_claimed_consumed(RAS_ISS(AET_UER));
	check_claimed_consumed(RAS_ISS(AET_UEU));
	ksft_test_result_pass("SEI claimed UER/UEU: SIGBUS AR before re-entry, no SError\n");
}

/* A claimed CE, with a corrected record: the guest resumes, no signal */
static void test_claimed_ce(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = create_vm(&vcpu);
	struct test_page p = test_page(vm);

	write_cper_sev(KVM_RAS_TESTMOD_SRC_SEI, p.pa,
		       KVM_RAS_TESTMOD_SEV_CORRECTED);
	arm_exit(vm, KVM_RAS_TESTMOD_EXIT_SERROR, SERROR_ESR(RAS_ISS(AET_CE)),
		 0, 0);
	run_until_armed_exit(vcpu, armed_exits(vm));
	TEST_ASSERT(!cper_pending(KVM_RAS_TESTMOD_SRC_SEI),
		    "APEI did not consume the SEI record");
	assert_guest_took_no_serror(vcpu);
	TEST_ASSERT_EQ(nr_sigbus, 0);

	kvm_vm_free(vm);
	ksft_test_result_pass("SEI claimed CE: no SError, no signal\n");
}

/*
 * The same record twice within GHES's 10 s cache: the second is dropped as
 * a duplicate, so its SError is not claimed and KVM's classification of the
 * UER syndrome injects a virtual SError. The first must have been logged,
 * since GHES caches only the records it prints.
 */
static void test_duplicate_record(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = create_vm(&vcpu);
	struct test_page p = test_page(vm);
	struct timespec first;
	char pa_str[64];

	run_spin(vcpu);
	wait_ghes_ratelimit();
	kmsg_seen("");
	write_cper(KVM_RAS_TESTMOD_SRC_SEI, p.pa);
	first = last_cper;
	arm_exit(vm, KVM_RAS_TESTMOD_EXIT_SERROR, SERROR_ESR(RAS_ISS(AET_UER)),
		 0, 0);
	set_guest_cmd(vm, CMD_SPIN);
	TEST_ASSERT(!run_once(vcpu), "the first record was not claimed");
	assert_one_sigbus_ar(p.hva);
	snprintf(pa_str, sizeof(pa_str), "physical_address: 0x%016lx", p.pa);
	TEST_ASSERT(kmsg_seen(pa_str), "GHES did not log '%s'", pa_str);

	write_cper(KVM_RAS_TESTMOD_SRC_SEI, p.pa);
	arm_exit(vm, KVM_RAS_TESTMOD_EXIT_SERROR, SERROR_ESR(RAS_ISS(AET_UER)),
		 0, 0);
	run_until_armed_exit(vcpu, armed_exits(vm));
	run_spin(vcpu);
	TEST_ASSERT(secs_since(&first) < GHES_CACHE_SECS,
		    "too slow: the records were %.1f s apart", secs_since(&first));

	read_guest_serrors(vm);
	TEST_ASSERT(guest_nr_serrors == 1 && guest_esr == KVM_VABT_ESR,
		    "duplicate record claimed: %lu SErrors, ESR 0x%lx",
		    guest_nr_serrors, guest_esr);
	TEST_ASSERT_EQ(nr_sigbus, 1);
	TEST_ASSERT(!cper_pending(KVM_RAS_TESTMOD_SRC_SEI),
		    "GHES did not acknowledge the duplicate record");

	kvm_vm_free(vm);
	ksft_test_result_pass("duplicate SEI record within 10 s: not claimed, 0x%lx injected\n",
			      (uint64_t)KVM_VABT_ESR);
}

/*
 * An SError exit KVM makes itself, such as the vgic-v2 CPU interface trap's
 * (ARM_EXCEPTION_EL1_SERROR with a data abort's syndrome), is injected as a
 * virtual SError without asking APEI: a pending SEI record stays pending,
 * for the next real SError to claim.
 */
static void test_kvm_made_serror(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = create_vm(&vcpu);
	struct test_page p = test_page(vm);

	write_cper(KVM_RAS_TESTMOD_SRC_SEI, p.pa);
	arm_exit(vm, KVM_RAS_TESTMOD_EXIT_SERROR, DABT_ESR, 0, 0);
	run_until_armed_exit(vcpu, armed_exits(vm));
	run_spin(vcpu);
	read_guest_serrors(vm);
	TEST_ASSERT_EQ(guest_nr_serrors, 1);
	TEST_ASSERT_EQ(guest_esr, KVM_VABT_ESR);
	TEST_ASSERT(cper_pending(KVM_RAS_TESTMOD_SRC_SEI),
		    "APEI claimed an SError that KVM made itself");

	/* A real SError, restartable, claims the record */
	arm_exit(vm, KVM_RAS_TESTMOD_EXIT_SERROR, SERROR_ESR(RAS_ISS(AET_UEO)),
		 0, 0);
	run_until_armed_exit(vcpu, armed_exits(vm));
	run_spin(vcpu);
	TEST_ASSERT(!cper_pending(KVM_RAS_TESTMOD_SRC_SEI),
		    "APEI did not consume the SEI record");
	read_guest_serrors(vm);
	TEST_ASSERT_EQ(guest_nr_serrors, 1);
	TEST_ASSERT_EQ(nr_sigbus, 0);

	kvm_vm_free(vm);
	ksft_test_result_pass("SError made by KVM: 0x%lx injected, SEI record left pending\n",
			      (uint64_t)KVM_VABT_ESR);
}

/* An SError exit without a record: KVM's classification of the ESR */
static void check_unclaimed_serror(uint64_t iss, bool injects)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = create_vm(&vcpu);

	arm_exit(vm, KVM_RAS_TESTMOD_EXIT_SERROR, SERROR_ESR(iss), 0, 0);
	run_until_armed_exit(vcpu, armed_exits(vm));
	run_spin(vcpu);

	read_guest_serrors(vm);
	if (injects) {
		TEST_ASSERT(guest_nr_serrors == 1,
			    "ISS 0x%lx: %lu SErrors, expected one", iss,
			    guest_nr_serrors);
		TEST_ASSERT(guest_esr == KVM_VABT_ESR,
			    "ISS 0x%lx: guest ESR 0x%lx, expected 0x%lx", iss,
			    guest_esr, KVM_VABT_ESR);
	} else {
		TEST_ASSERT(guest_nr_serrors == 0,
			    "ISS 0x%lx: the guest took an SError, ESR 0x%lx",
			    iss, guest_esr);
		assert_no_serror_pending(vcpu);
	}
	TEST_ASSERT_EQ(nr_sigbus, 0);

	kvm_vm_free(vm);
}

static void test_unclaimed_serror(void)
{
	check_unclaimed_serror(RAS_ISS(AET_UER), true);
	check_unclaimed_serror(RAS_ISS(AET_UEU), true);
	check_unclaimed_serror(ISS_IDS | 0x1234, true);
	check_unclaimed_serror(RAS_ISS(AET_CE), false);
	check_unclaimed_serror(RAS_ISS(AET_UEO), false);

	TEST_ASSERT(!cper_pending(KVM_RAS_TESTMOD_SRC_SEI),
		    "a record appeared in the SEI block");
	ksft_test_result_pass("no record: UER/UEU/IMPDEF inject 0x%lx, CE/UEO nothing\n",
			      (uint64_t)KVM_VABT_ESR);
}

#ifdef KVM_CAP_ARM_SEA_TO_USER
static void enable_sea_to_user(struct kvm_vm *vm)
{
	vm_enable_cap(vm, KVM_CAP_ARM_SEA_TO_USER, 0);
}
#else
static void enable_sea_to_user(struct kvm_vm *vm)
{
	TEST_FAIL("KVM_CAP_ARM_SEA_TO_USER is not in this tree's UAPI");
}
#endif

static void arm_sea(struct kvm_vm *vm, struct test_page *p)
{
	arm_exit(vm, KVM_RAS_TESTMOD_EXIT_SEA, SEA_ESR, p->gva, HPFAR(p->gpa));
}

/*
 * An SEA exit, with a record in the SEA source for the page it names: APEI
 * claims it, and with KVM_CAP_ARM_SEA_TO_USER too KVM neither exits nor
 * injects (run_once() fails the test on any exit but a ucall).
 */
static void check_claimed_sea(bool sea_to_user)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = create_vm(&vcpu);
	struct test_page p = test_page(vm);
	uint64_t before = armed_exits(vm);

	if (sea_to_user)
		enable_sea_to_user(vm);
	write_cper(KVM_RAS_TESTMOD_SRC_SEA, p.pa);
	arm_sea(vm, &p);
	run_until_sigbus(vcpu, p.gva);
	TEST_ASSERT_EQ(armed_exits(vm), before + 1);
	assert_one_sigbus_ar(p.hva);
	TEST_ASSERT(!cper_pending(KVM_RAS_TESTMOD_SRC_SEA),
		    "APEI did not consume the SEA record");
	assert_no_serror_pending(vcpu);

	vmm_hands_guest_sea(vcpu);
	TEST_ASSERT_EQ(nr_sigbus, 1);
	set_guest_cmd(vm, CMD_CHECK_NO_SERROR);
	TEST_ASSERT(run_once(vcpu), "unexpected signal");

	kvm_vm_free(vm);
}

static void check_unclaimed_sea(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = create_vm(&vcpu);
	struct test_page p = test_page(vm);

	arm_sea(vm, &p);
	run_until_armed_exit(vcpu, armed_exits(vm));
	run_spin(vcpu);

	read_guest_serrors(vm);
	TEST_ASSERT_EQ(guest_nr_serrors, 1);
	TEST_ASSERT_EQ(guest_esr, KVM_VABT_ESR);
	TEST_ASSERT_EQ(nr_sigbus, 0);

	kvm_vm_free(vm);
}

static void test_sea(void)
{
	check_claimed_sea(false);
	check_unclaimed_sea();
	ksft_test_result_pass("SEA: claimed SIGBUS AR, VMM's SEA; unclaimed injects 0x%lx\n",
			      (uint64_t)KVM_VABT_ESR);
}

#ifdef KVM_CAP_ARM_SEA_TO_USER
/*
 * ESR_EL2 as KVM_EXIT_ARM_SEA reports it (api.rst): EC, IL, FnV, EA, CM,
 * WNR and FSC, and SET when the VM has FEAT_RAS.
 */
static uint64_t sea_exit_esr(struct kvm_vcpu *vcpu, uint64_t esr)
{
	uint64_t mask = (0x3fULL << EC_SHIFT) | ESR_IL | DABT_FNV | DABT_EA |
			DABT_CM | DABT_WNR | 0x3f;
	struct kvm_one_reg reg;
	uint64_t pfr0;

	reg.id = PFR0_REG;
	reg.addr = (uint64_t)&pfr0;
	vcpu_ioctl(vcpu, KVM_GET_ONE_REG, &reg);
	if (PFR0_RAS(pfr0))
		mask |= DABT_SET(3);

	return esr & mask;
}

/*
 * Run until the armed SEA exit, which must reach the VMM as
 * KVM_EXIT_ARM_SEA. Return: the exit's kvm_run.
 */
static struct kvm_run *run_until_sea_exit(struct kvm_vcpu *vcpu,
					  uint64_t before)
{
	time_t end = time(NULL) + ARMED_EXIT_TIMEOUT;
	struct ucall uc;

	set_guest_cmd(vcpu->vm, CMD_SPIN);
	for (;;) {
		TEST_ASSERT(time(NULL) < end, "no IRQ exit within %ds",
			    ARMED_EXIT_TIMEOUT);
		TEST_ASSERT(!__vcpu_run(vcpu), "KVM_RUN: %s", strerror(errno));
		if (vcpu->run->exit_reason == KVM_EXIT_ARM_SEA)
			break;
		TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC,
			    "unexpected exit %s",
			    exit_reason_str(vcpu->run->exit_reason));
		TEST_ASSERT(armed_exits(vcpu->vm) == before,
			    "the armed SEA made no KVM_EXIT_ARM_SEA");
	}
	TEST_ASSERT_EQ(armed_exits(vcpu->vm), before + 1);

	return vcpu->run;
}

/*
 * An unclaimed SEA on a guest access, with the capability: KVM_EXIT_ARM_SEA,
 * nothing injected, no signal. With FnV clear and a valid HPFAR_EL2 the exit
 * has both addresses; with FnV set and none, it has neither.
 */
static void check_sea_exit(bool addresses)
{
	uint64_t esr = ESR(ESR_EC_DABT_LOW, DABT_ISV | DABT_SAS(2) |
			   DABT_SRT(5) | DABT_SET(2) | DABT_EA | DABT_WNR |
			   DFSC_SEA);
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = create_vm(&vcpu);
	struct test_page p = test_page(vm);
	uint64_t far = p.gva + 0x128;
	struct kvm_run *run;

	enable_sea_to_user(vm);
	if (addresses)
		arm_exit(vm, KVM_RAS_TESTMOD_EXIT_SEA, esr, far, HPFAR(p.gpa));
	else
		arm_exit(vm, KVM_RAS_TESTMOD_EXIT_SEA, esr | DABT_FNV, far, 0);

	run = run_until_sea_exit(vcpu, armed_exits(vm));
	if (addresses) {
		TEST_ASSERT_EQ(run->arm_sea.esr, sea_exit_esr(vcpu, esr));
		TEST_ASSERT_EQ(run->arm_sea.flags,
			       KVM_EXIT_ARM_SEA_FLAG_GPA_VALID);
		TEST_ASSERT_EQ(run->arm_sea.gva, far);
		TEST_ASSERT_EQ(run->arm_sea.gpa, p.gpa & ~0xfffULL);
	} else {
		TEST_ASSERT_EQ(run->arm_sea.esr,
			       sea_exit_esr(vcpu, esr | DABT_FNV));
		TEST_ASSERT_EQ(run->arm_sea.flags, 0);
	}
	assert_no_serror_pending(vcpu);
	TEST_ASSERT_EQ(nr_sigbus, 0);

	/* The VMM, as firmware, hands the guest an SEA */
	vmm_hands_guest_sea(vcpu);
	set_guest_cmd(vm, CMD_CHECK_NO_SERROR);
	TEST_ASSERT(run_once(vcpu), "unexpected signal");

	kvm_vm_free(vm);
}

/*
 * An external abort on a stage-2 table walk (S1PTW set) is the host's own:
 * the capability does not apply, and KVM injects a virtual SError.
 */
static void check_host_owned_sea(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = create_vm(&vcpu);
	struct test_page p = test_page(vm);

	enable_sea_to_user(vm);
	arm_exit(vm, KVM_RAS_TESTMOD_EXIT_SEA,
		 ESR(ESR_EC_DABT_LOW, DABT_S1PTW | DFSC_SEA_TTW(1)), p.gva,
		 HPFAR(p.gpa));
	run_until_armed_exit(vcpu, armed_exits(vm));
	run_spin(vcpu);

	read_guest_serrors(vm);
	TEST_ASSERT_EQ(guest_nr_serrors, 1);
	TEST_ASSERT_EQ(guest_esr, KVM_VABT_ESR);
	TEST_ASSERT_EQ(nr_sigbus, 0);

	kvm_vm_free(vm);
}

/*
 * The same SEA record twice within GHES's 10 s cache: the second claims
 * nothing, and its SEA exits to the VMM. The first must have been logged,
 * since GHES caches only the records it prints.
 */
static void check_duplicate_sea_exit(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = create_vm(&vcpu);
	struct test_page p = test_page(vm);
	struct timespec first;
	struct kvm_run *run;
	char pa_str[64];

	enable_sea_to_user(vm);
	run_spin(vcpu);
	wait_ghes_ratelimit();
	kmsg_seen("");
	write_cper(KVM_RAS_TESTMOD_SRC_SEA, p.pa);
	first = last_cper;
	arm_sea(vm, &p);
	run_until_sigbus(vcpu, p.gva);
	assert_one_sigbus_ar(p.hva);
	snprintf(pa_str, sizeof(pa_str), "physical_address: 0x%016lx", p.pa);
	TEST_ASSERT(kmsg_seen(pa_str), "GHES did not log '%s'", pa_str);

	/* The guest stops reading the page, which is poisoned now */
	guest_page_gva = 0;
	sync_global_to_guest(vm, guest_page_gva);
	write_cper(KVM_RAS_TESTMOD_SRC_SEA, p.pa);
	arm_sea(vm, &p);
	run = run_until_sea_exit(vcpu, armed_exits(vm));
	TEST_ASSERT(secs_since(&first) < GHES_CACHE_SECS,
		    "too slow: the records were %.1f s apart", secs_since(&first));
	TEST_ASSERT_EQ(run->arm_sea.esr, sea_exit_esr(vcpu, SEA_ESR));
	TEST_ASSERT_EQ(run->arm_sea.gpa, p.gpa & ~0xfffULL);
	TEST_ASSERT(!cper_pending(KVM_RAS_TESTMOD_SRC_SEA),
		    "GHES did not acknowledge the duplicate record");
	TEST_ASSERT_EQ(nr_sigbus, 1);

	kvm_vm_free(vm);
}

/* An SError the host does not claim never exits, capability or not */
static void check_serror_no_exit(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = create_vm(&vcpu);

	enable_sea_to_user(vm);
	arm_exit(vm, KVM_RAS_TESTMOD_EXIT_SERROR, SERROR_ESR(RAS_ISS(AET_UER)),
		 0, 0);
	run_until_armed_exit(vcpu, armed_exits(vm));
	run_spin(vcpu);
	read_guest_serrors(vm);
	TEST_ASSERT_EQ(guest_nr_serrors, 1);
	TEST_ASSERT_EQ(guest_esr, KVM_VABT_ESR);

	kvm_vm_free(vm);
}

static void test_sea_to_user(void)
{
	if (!kvm_has_cap(KVM_CAP_ARM_SEA_TO_USER)) {
		ksft_test_result_skip("SEA_TO_USER: no KVM_CAP_ARM_SEA_TO_USER\n");
		return;
	}

	check_claimed_sea(true);
	check_sea_exit(true);
	check_sea_exit(false);
	check_host_owned_sea();
	check_duplicate_sea_exit();
	check_serror_no_exit();
	ksft_test_result_pass("SEA_TO_USER: KVM_EXIT_ARM_SEA only for an unclaimed guest SEA\n");
}
#else
static void test_sea_to_user(void)
{
	ksft_test_result_skip("SEA_TO_USER: not in this tree's UAPI\n");
}
#endif

static void test_arm_errors(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = create_vm(&vcpu);
	struct kvm_ras_testmod_exit good = {
		.vm_fd = vm->fd, .type = KVM_RAS_TESTMOD_EXIT_SERROR,
		.esr = SERROR_ESR(RAS_ISS(AET_UER)),
	};
	struct kvm_ras_testmod_exit bad;

	/* A syndrome that does not describe the exit */
	bad = good;
	bad.esr = ESR(ESR_EC_IABT_LOW, DFSC_SEA);
	TEST_ASSERT_EQ(arm_exit_errno(&bad), EINVAL);
	bad = good;
	bad.type = KVM_RAS_TESTMOD_EXIT_SEA;
	TEST_ASSERT_EQ(arm_exit_errno(&bad), EINVAL);
	/* An SEA syndrome whose fault is not an external abort */
	bad.esr = ESR(ESR_EC_DABT_LOW, 0x07);	/* translation fault, level 3 */
	TEST_ASSERT_EQ(arm_exit_errno(&bad), EINVAL);

	/* No such vCPU */
	bad = good;
	bad.vcpu = 1;
	TEST_ASSERT_EQ(arm_exit_errno(&bad), EINVAL);
	bad.vcpu = -2;
	TEST_ASSERT_EQ(arm_exit_errno(&bad), EINVAL);

	/* Not a VM */
	bad = good;
	bad.vm_fd = vcpu->fd;
	TEST_ASSERT_EQ(arm_exit_errno(&bad), EINVAL);
	bad.vm_fd = -1;
	TEST_ASSERT_EQ(arm_exit_errno(&bad), EBADF);

	/* Nothing armed by a refused request */
	run_spin(vcpu);
	TEST_ASSERT_EQ(armed_exits(vm), 0);

	kvm_vm_free(vm);
	ksft_test_result_pass("arming: EINVAL for a mismatched syndrome, vCPU or fd, EBADF\n");
}

/* HEST without an SEI source: nothing claims an SError, as in the base */
static void test_no_sei_source(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct test_page p;

	check_unclaimed_serror(RAS_ISS(AET_UER), true);

	/* Not even with an SEA record pending: that one is the SEA's */
	vm = create_vm(&vcpu);
	p = test_page(vm);
	write_cper(KVM_RAS_TESTMOD_SRC_SEA, p.pa);
	arm_exit(vm, KVM_RAS_TESTMOD_EXIT_SERROR, SERROR_ESR(RAS_ISS(AET_UER)),
		 0, 0);
	run_until_armed_exit(vcpu, armed_exits(vm));
	run_spin(vcpu);
	read_guest_serrors(vm);
	TEST_ASSERT_EQ(guest_nr_serrors, 1);
	TEST_ASSERT_EQ(guest_esr, KVM_VABT_ESR);
	TEST_ASSERT(cper_pending(KVM_RAS_TESTMOD_SRC_SEA),
		    "an SError consumed the SEA record");
	TEST_ASSERT_EQ(nr_sigbus, 0);

	/* The SEA that follows claims it */
	arm_sea(vm, &p);
	run_until_sigbus(vcpu, p.gva);
	TEST_ASSERT_EQ(armed_exits(vm), 2);
	assert_one_sigbus_ar(p.hva);
	TEST_ASSERT(!cper_pending(KVM_RAS_TESTMOD_SRC_SEA),
		    "APEI did not consume the SEA record");
	vmm_hands_guest_sea(vcpu);

	kvm_vm_free(vm);
	ksft_test_result_pass("no SEI source: SError never claimed, SEA record left to the SEA\n");
}

static void help(const char *name)
{
	printf("usage: %s [-e | -n]\n"
	       " -e: the HEST must have an SEI error source (fail, not skip, without)\n"
	       " -n: the HEST has no SEI error source (QEMU's HEST alone)\n",
	       name);
}

int main(int argc, char *argv[])
{
	bool no_sei = false, expect_sei = false;
	long corrupted;
	int opt, src;

	while ((opt = getopt(argc, argv, "ehn")) != -1) {
		switch (opt) {
		case 'e':
			expect_sei = true;
			break;
		case 'n':
			no_sei = true;
			break;
		default:
			help(argv[0]);
			exit(opt == 'h' ? KSFT_PASS : KSFT_FAIL);
		}
	}
	TEST_ASSERT(!(no_sei && expect_sei), "-e and -n exclude each other");

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ARM_INJECT_SERROR_EVENT));
	testmod_fd = open(KVM_RAS_TESTMOD_DEV, O_RDWR);
	__TEST_REQUIRE(testmod_fd >= 0,
		       "no " KVM_RAS_TESTMOD_DEV ": load kvm_ras_testmod.ko");

	src = ioctl(testmod_fd, KVM_RAS_TESTMOD_SOURCES);
	TEST_ASSERT(src >= 0, "KVM_RAS_TESTMOD_SOURCES: %s", strerror(errno));
	__TEST_REQUIRE(src & KVM_RAS_TESTMOD_HAS_SEA || expect_sei || no_sei,
		       "no GHESv2 SEA source in the HEST");
	TEST_ASSERT(src & KVM_RAS_TESTMOD_HAS_SEA, "no GHESv2 SEA source");
	if (no_sei) {
		TEST_ASSERT(!(src & KVM_RAS_TESTMOD_HAS_SEI),
			    "the HEST has an SEI source");
	} else {
		__TEST_REQUIRE(src & KVM_RAS_TESTMOD_HAS_SEI || expect_sei,
			       "no GHESv2 SEI source in the HEST (-e requires one)");
		TEST_ASSERT(src & KVM_RAS_TESTMOD_HAS_SEI,
			    "no GHESv2 SEI source: boot with the HEST override");
	}

	/* Every page poisoned stays lost: bound what repeated runs take */
	corrupted = hardware_corrupted_kb();
	__TEST_REQUIRE(corrupted + MAX_POISONED_PER_RUN * getpagesize() / 1024 <=
		       MAX_CORRUPTED_KB,
		       "HardwareCorrupted is %ld kB already, over this test's bound",
		       corrupted);

	/* Late kill, whatever vm.memory_failure_early_kill says */
	TEST_ASSERT(!prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_LATE, 0, 0),
		    "prctl(PR_MCE_KILL): %s", strerror(errno));

	install_sigbus_handler();
	kmsg_open();
	clock_gettime(CLOCK_MONOTONIC, &last_cper);

	ksft_print_header();
	if (no_sei) {
		ksft_set_plan(3);
		test_no_sei_source();
		test_sea();
		test_sea_to_user();
	} else {
		ksft_set_plan(9);
		test_arm_errors();
		test_claimed_consumed();
		test_claimed_ce();
		test_kvm_made_serror();
		test_unclaimed_serror();
		test_sea();
		test_sea_to_user();
		test_full_flow();
		test_duplicate_record();
	}

	ksft_finished();
}
