// SPDX-License-Identifier: GPL-2.0
/*
 * RAS in the reference VMM: a host memory error on guest RAM, from the
 * poison to the guest's handler, with no debug hook on the way.
 *
 * 1. The poison is real. TESTDEV_POISON(gpa, flags) makes the host run
 *    memory_failure() on the page through madvise(MADV_HWPOISON), which
 *    needs CAP_SYS_ADMIN and CONFIG_MEMORY_FAILURE (mm/madvise.c).
 * 2. The guest touches the page. KVM's stage-2 fault finds the hwpoison
 *    entry and sends SIGBUS BUS_MCEERR_AR with the hva to the vCPU thread
 *    (arch/arm64/kvm/mmu.c, kvm_send_hwpoison_signal()), and KVM_RUN
 *    returns EINTR. A page the guest has not touched is reported to the
 *    process as BUS_MCEERR_AO, if it asked for early kill.
 * 3. The hva becomes a gpa through the memslot.
 * 4. The guest is told as configured: an error record (ACPI 6.5 Generic
 *    Error Status Block + UEFI 2.10 CPER Memory Error Section) in memory
 *    the DT reserves, then the RAS SDEI event; or a Restartable SError with
 *    KVM_ARM_INJECT_SERROR; or a synchronous external abort with
 *    KVM_SET_VCPU_EVENTS. An AO is reported with a record and SDEI, which
 *    QEMU does not do.
 * 5. A guest without APEI cannot offline the page: once it has been told,
 *    the VMM backs the gpa with a fresh page so that it does not consume
 *    the poison again, as QEMU remaps poisoned pages at reset.
 *
 * Who gets which signal, read from mm/memory-failure.c (7.3):
 * madvise(MADV_HWPOISON) runs memory_failure(pfn, MF_ACTION_REQUIRED | ...).
 * collect_procs_file() asks task_early_kill(tsk, force_early = true) for
 * each process mapping the page: for the caller's own process it returns
 * the calling thread, whatever any other thread asked for, and kill_proc()
 * sends that thread BUS_MCEERR_AR (forced) as if it had consumed the error.
 * Every other process gets BUS_MCEERR_AO on its early-kill thread: the
 * first thread that set PR_MCE_KILL_EARLY with prctl(PR_MCE_KILL) (a
 * per-thread flag), or its first thread when vm.memory_failure_early_kill
 * is set; otherwise nothing until it touches the page. Signals are only
 * sent for a dirty page (hwpoison_user_mappings(), forcekill).
 *
 * So a VMM thread that poisoned its own mapping would get an AR that only
 * echoes the injection, and no thread would ever see an AO. The VMM
 * instead forks a child, which shares guest RAM (a MAP_SHARED memfd
 * mapping survives fork), and the child poisons the page: the child gets
 * the AR echo (checked, it proves the page was dirty and mapped), and the
 * VMM's RAS thread, the only one with PR_MCE_KILL_EARLY, gets a genuine
 * BUS_MCEERR_AO for its own hva, as it would for an error a patrol scrubber
 * found. The vCPU threads keep the default (late kill): they learn of the
 * error when the guest touches the page, with an AR.
 *
 * Replacing a poisoned page of a memfd takes two steps, both checked in
 * the test VM: shmem keeps a poisoned folio in the page cache (its
 * error_remove_folio() does nothing; read() of it fails with EIO) until
 * the range is punched out with fallocate(FALLOC_FL_PUNCH_HOLE); and
 * try_to_unmap() left a hwpoison entry in the VMM's page table, which the
 * punch does not zap (unmap_mapping_range() skips hwpoison entries unless
 * asked to zap COWed pages), so an access through the old mapping still
 * raises SIGBUS. A MAP_FIXED mapping of the same memfd range over the page
 * drops that entry; the memslot's hva range stays the same, and the MMU
 * notifier already removed the stage-2 mapping.
 *
 * refvmm/tests/ras_host_facts checks all of the above on each base's host
 * kernel (6.12 has the same code paths).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "fdt.h"
#include "ras.h"
#include "sdei_glue.h"
#include "testdev.h"
#include "vmm.h"

#ifndef BUS_MCEERR_AR
#define BUS_MCEERR_AR	4
#define BUS_MCEERR_AO	5
#endif

/*
 * The SError syndrome, ISS of ESR_ELx for an SError exception (Arm ARM
 * DDI 0487, D24.2.49 ESR_EL1, "ISS encoding for an SError exception"):
 * IDS = 0 (architected syndrome), DFSC = 0b010001 (Asynchronous SError
 * interrupt), AET = 0b010 Restartable error (UEO): the error has not been
 * consumed by the interrupted context, which can make progress; the page
 * has been replaced when the guest retries the access. EA = 0: no
 * IMPLEMENTATION DEFINED external abort classification. IESB = 0: the
 * error was not synchronized by an implicit error synchronization event at
 * an exception entry (and KVM_ARM_INJECT_SERROR refuses IESB = 1 for a
 * virtual SError). The guest reads ESR_EL1 = 0xbe000000 | this (EC 0x2f,
 * IL = 1).
 */
#define RAS_ESR_DFSC_SERROR	0x11UL
#define RAS_ESR_AET_SHIFT	10
#define RAS_ESR_AET_MASK	7UL
#define RAS_ESR_AET_UEO		2UL
#define RAS_ESR_AET_CE		6UL
_Static_assert(RAS_SERROR_ISS ==
	       (RAS_ESR_DFSC_SERROR | RAS_ESR_AET_UEO << RAS_ESR_AET_SHIFT),
	       "ras.h");

/* ACPI 6.5 18.3.2.7.1, Table 18.11: Generic Error Status Block */
struct ghes_status_block {
	uint32_t block_status;
	uint32_t raw_data_offset;
	uint32_t raw_data_length;
	uint32_t data_length;
	uint32_t error_severity;
} __attribute__((packed));

#define GHES_BLOCK_UE_VALID		(1U << 0)
#define GHES_BLOCK_ENTRY_COUNT_SHIFT	4	/* bits [13:4] */
#define GHES_SEV_RECOVERABLE		0

/* ACPI 6.5 Table 18.12: Generic Error Data Entry, revision 0x300 */
struct ghes_data_entry {
	uint8_t section_type[16];
	uint32_t error_severity;
	uint16_t revision;
	uint8_t validation_bits;
	uint8_t flags;
	uint32_t error_data_length;
	uint8_t fru_id[16];
	uint8_t fru_text[20];
	uint64_t timestamp;
} __attribute__((packed));

#define GHES_DATA_REVISION		0x0300
#define GHES_DATA_FLAG_PRIMARY		0x01
#define GHES_DATA_FLAG_LATENT		0x20

/* UEFI 2.10 N.2.5, Table N.31: Memory Error Section */
struct cper_mem_section {
	uint64_t validation_bits;
	uint64_t error_status;
	uint64_t physical_address;
	uint64_t physical_address_mask;
	uint16_t node, card, module, bank, device, row, column, bit_position;
	uint64_t requestor_id, responder_id, target_id;
	uint8_t memory_error_type;
	uint8_t extended;
	uint16_t rank_number, card_handle, module_handle;
} __attribute__((packed));

#define CPER_MEM_PA_VALID		(1ULL << 1)
#define CPER_MEM_PA_MASK_VALID		(1ULL << 2)
#define CPER_MEM_TYPE_VALID		(1ULL << 14)
#define CPER_MEM_TYPE_UNKNOWN		0
#define CPER_MEM_TYPE_SCRUB_UE		14

/*
 * Platform Memory Error section GUID (UEFI 2.10 N.2.2, Table N.17),
 * A5BC1114-6F64-4EDE-B863-3E83ED7C83B1, in the GUID byte order (the first
 * three fields little-endian).
 */
static const uint8_t cper_sec_platform_mem[16] = {
	0x14, 0x11, 0xbc, 0xa5, 0x64, 0x6f, 0xde, 0x4e,
	0xb8, 0x63, 0x3e, 0x83, 0xed, 0x7c, 0x83, 0xb1,
};

struct ras_record {
	struct ghes_status_block block;
	struct ghes_data_entry entry;
	struct cper_mem_section mem;
} __attribute__((packed));

_Static_assert(sizeof(struct ghes_status_block) == 20, "ACPI 6.5 Table 18.11");
_Static_assert(sizeof(struct ghes_data_entry) == 72, "ACPI 6.5 Table 18.12");
_Static_assert(sizeof(struct cper_mem_section) == 80, "UEFI 2.10 Table N.31");
_Static_assert(sizeof(struct ras_record) <= RAS_RECORD_SLOT_SIZE, "ras.h");

#define RAS_MAX_PAGES	64

enum ras_page_state {
	RAS_PAGE_POISONED,	/* poisoned, the guest not told yet */
	RAS_PAGE_REPLACED,	/* the guest told, a fresh page behind the gpa */
};

struct ras_page {
	uint64_t gpa;
	uint64_t flags;		/* TESTDEV_POISON flags */
	int vcpu;		/* who asked: the target of an AO report */
	enum ras_page_state state;
};

enum ras_notify {
	RAS_NOTIFY_SDEI,
	RAS_NOTIFY_SERROR,
	RAS_NOTIFY_SEA,
};

static const char *const notify_names[] = {
	[RAS_NOTIFY_SDEI] = "sdei",
	[RAS_NOTIFY_SERROR] = "serror",
	[RAS_NOTIFY_SEA] = "sea",
};

static struct {
	struct vm *vm;
	enum ras_notify notify;		/* --ras-notify=, sdei by default */
	long page_size;
	int ao_pipe[2];			/* SIGBUS handler -> RAS thread */
	int probe_pipe[2];		/* ras_page_readable() */
	pthread_t thread;
	bool ready;
	pthread_mutex_t lock;		/* pages[], stats, record slots */
	struct ras_page pages[RAS_MAX_PAGES];
	unsigned int nr_pages;
	struct ras_stats stats;
} ras = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.ao_pipe = { -1, -1 },
	.probe_pipe = { -1, -1 },
};

/*
 * Each notification is logged only with REFVMM_RAS_VERBOSE set in the
 * environment: the VMM's stderr and the guest's console share a terminal,
 * and a line written while the guest prints one would cut it in two. A
 * summary is printed at exit; errors always are.
 */
static bool ras_verbose;
#define ras_info(...)							\
	do {								\
		if (ras_verbose)					\
			vmm_log(__VA_ARGS__);				\
	} while (0)

/*
 * What the SIGBUS handler saw on a vCPU thread. KVM sends the AR while the
 * thread is in KVM_RUN; the handler runs on the way out of the ioctl,
 * which returns EINTR, and the vCPU's run_error or pre_run hook picks it
 * up.
 */
static __thread volatile sig_atomic_t ras_ar_pending;
static __thread void *ras_ar_addr;

static void ras_write_str(const char *s)
{
	ssize_t r = write(STDERR_FILENO, s, strlen(s));

	(void)r;
}

/*
 * Only BUS_MCEERR_AR and BUS_MCEERR_AO belong to the RAS unit; any other
 * SIGBUS is a VMM bug and kills it with the default action when the access
 * is retried.
 *
 * An AO goes to whichever thread memory_failure() chose (ours, or the
 * first thread when vm.memory_failure_early_kill is set): the handler
 * passes the address to the RAS thread through a pipe (write() is
 * async-signal-safe, and atomic below PIPE_BUF).
 *
 * An AR on a thread that is not a vCPU thread, or a second AR before the
 * first was handled, means the VMM itself read poisoned guest memory
 * outside KVM_RUN: returning would retry the access forever, so the VMM
 * stops.
 */
static void ras_sigbus_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;

	switch (si->si_code) {
	case BUS_MCEERR_AO:
		if (write(ras.ao_pipe[1], &si->si_addr, sizeof(si->si_addr)) !=
		    sizeof(si->si_addr))
			ras_write_str("refvmm: ras: BUS_MCEERR_AO lost\n");
		return;
	case BUS_MCEERR_AR:
		if (!vcpu_self() || ras_ar_pending) {
			ras_write_str("refvmm: ras: the VMM consumed poisoned guest memory\n");
			_exit(VMM_EXIT_ERROR);
		}
		ras_ar_addr = si->si_addr;
		ras_ar_pending = 1;
		return;
	default:
		signal(sig, SIG_DFL);
		return;
	}
}

static bool ras_hva_to_gpa(const void *hva, uint64_t *gpa)
{
	uint64_t g;

	if (vm_hva_to_gpa(ras.vm, hva, &g))
		return false;
	*gpa = g & ~(uint64_t)(ras.page_size - 1);
	return true;
}

static uint64_t ras_record_gpa(void)
{
	return GPA_RAM + ras.vm->ram_size - VMM_FW_SIZE;
}

static bool ras_gpa_is_ram(uint64_t gpa)
{
	return gpa >= GPA_RAM && gpa - GPA_RAM < ras.vm->ram_size - VMM_FW_SIZE;
}

/* Called with ras.lock held */
static struct ras_page *ras_find_page(uint64_t gpa)
{
	unsigned int i;

	for (i = 0; i < ras.nr_pages; i++)
		if (ras.pages[i].gpa == gpa)
			return &ras.pages[i];
	return NULL;
}

/*
 * Write one error record into a free slot of the reserved region. A slot
 * is free while its Block Status is 0: the guest clears it once it has
 * read the record, as OSPM does with a GHES status block (ACPI 6.5
 * 18.3.2.7.1). Block Status is written last, after a release barrier, so
 * that a guest that sees it non-zero sees the whole record.
 * Called with ras.lock held. Returns the slot, NULL when all are in use.
 */
static struct ras_record *ras_write_record(uint64_t gpa, bool consumed)
{
	struct ras_record rec, *slot = NULL;
	uint8_t *region;
	unsigned int i;

	region = vm_gpa_to_hva(ras.vm, ras_record_gpa(), RAS_RECORD_SIZE);
	for (i = 0; i < RAS_RECORD_SLOTS; i++) {
		slot = (struct ras_record *)(region + i * RAS_RECORD_SLOT_SIZE);
		if (!__atomic_load_n(&slot->block.block_status,
				     __ATOMIC_ACQUIRE))
			break;
	}
	if (i == RAS_RECORD_SLOTS)
		return NULL;

	memset(&rec, 0, sizeof(rec));
	rec.block.data_length = sizeof(rec.entry) + sizeof(rec.mem);
	rec.block.error_severity = GHES_SEV_RECOVERABLE;

	memcpy(rec.entry.section_type, cper_sec_platform_mem, 16);
	rec.entry.error_severity = GHES_SEV_RECOVERABLE;
	rec.entry.revision = GHES_DATA_REVISION;
	/* An AO is an error nobody has consumed yet: a latent error */
	rec.entry.flags = consumed ? GHES_DATA_FLAG_PRIMARY :
				     GHES_DATA_FLAG_LATENT;
	rec.entry.error_data_length = sizeof(rec.mem);

	rec.mem.validation_bits = CPER_MEM_PA_VALID | CPER_MEM_PA_MASK_VALID |
				  CPER_MEM_TYPE_VALID;
	rec.mem.physical_address = gpa;
	/* memory_failure() works on pages: the error is somewhere in it */
	rec.mem.physical_address_mask = ~(uint64_t)(ras.page_size - 1);
	rec.mem.memory_error_type = consumed ? CPER_MEM_TYPE_UNKNOWN :
					       CPER_MEM_TYPE_SCRUB_UE;

	memcpy((uint8_t *)slot + sizeof(rec.block.block_status),
	       (uint8_t *)&rec + sizeof(rec.block.block_status),
	       sizeof(rec) - sizeof(rec.block.block_status));
	__atomic_store_n(&slot->block.block_status,
			 GHES_BLOCK_UE_VALID |
			 (1U << GHES_BLOCK_ENTRY_COUNT_SHIFT),
			 __ATOMIC_RELEASE);
	return slot;
}

/*
 * Can the VMM read @hva without a fault? The kernel reads it for write()
 * into a pipe: a hwpoison entry makes copy_from_user() fail with EFAULT
 * (no SIGBUS for a kernel access). Called with ras.lock held, which
 * serialises the use of the pipe.
 */
static bool ras_page_readable(void *hva)
{
	uint64_t val;

	if (write(ras.probe_pipe[1], hva, sizeof(val)) != sizeof(val))
		return false;
	return read(ras.probe_pipe[0], &val, sizeof(val)) == sizeof(val);
}

/*
 * Put a fresh page behind @gpa (see the top of the file for why both
 * steps). Called with ras.lock held, once the guest has been told.
 */
static int ras_replace_page(uint64_t gpa)
{
	off_t off = gpa - GPA_RAM;
	void *hva = ras.vm->mem + off, *p;

	if (fallocate(ras.vm->mem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      off, ras.page_size)) {
		vmm_log("ras: punching out gpa %#llx: %s",
			(unsigned long long)gpa, strerror(errno));
		return -errno;
	}
	p = mmap(hva, ras.page_size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, ras.vm->mem_fd, off);
	if (p == MAP_FAILED) {
		vmm_log("ras: remapping gpa %#llx: %s",
			(unsigned long long)gpa, strerror(errno));
		return -errno;
	}
	if (!ras_page_readable(hva)) {
		vmm_log("ras: gpa %#llx is still poisoned after its replacement",
			(unsigned long long)gpa);
		return -EIO;
	}
	ras.stats.replaced++;
	return 0;
}

static enum ras_notify ras_page_notify(const struct ras_page *pg)
{
	if (!pg)
		return ras.notify;
	if (pg->flags & TESTDEV_POISON_SDEI)
		return RAS_NOTIFY_SDEI;
	if (pg->flags & TESTDEV_POISON_SERROR)
		return RAS_NOTIFY_SERROR;
	if (pg->flags & TESTDEV_POISON_SEA)
		return RAS_NOTIFY_SEA;
	return ras.notify;
}

/*
 * SDEI: the record first, then the event. Called with ras.lock held;
 * vm_sdei_signal() takes the dispatcher's lock, never ours.
 */
static int ras_notify_sdei(int vcpu, uint64_t gpa, bool consumed)
{
	struct ras_record *rec;
	int ret;

	rec = ras_write_record(gpa, consumed);
	if (!rec) {
		vmm_log("ras: no free error record for gpa %#llx",
			(unsigned long long)gpa);
		return -ENOSPC;
	}
	ret = vm_sdei_signal(ras.vm, SDEI_EV_RAS, vcpu);
	if (ret) {
		vmm_log("ras: SDEI event %#x on vCPU %d: %s", SDEI_EV_RAS,
			vcpu, strerror(-ret));
		/* Take the record back: no handler will read it */
		__atomic_store_n(&rec->block.block_status, 0, __ATOMIC_RELEASE);
	}
	return ret;
}

/*
 * SError: KVM_ARM_INJECT_SERROR, from the vCPU thread so that it does not
 * wait for KVM_RUN (api.rst 4.146). With an SError already pending, both
 * are merged into one syndrome (DDI 0587 2.5.3, multiple SErrors): the
 * more severe one. Only a pending CE is less severe than UEO.
 */
static int ras_notify_serror(struct vcpu *v)
{
	struct kvm_arm_serror se = { .esr = RAS_SERROR_ISS };
	struct kvm_vcpu_events ev;

	if (!vcpu_ioctl(v, KVM_ARM_INJECT_SERROR, &se))
		return 0;
	if (errno != EBUSY)
		goto err;
	if (vcpu_ioctl(v, KVM_GET_VCPU_EVENTS, &ev))
		goto err;
	if (ev.exception.serror_has_esr &&
	    ((ev.exception.serror_esr >> RAS_ESR_AET_SHIFT) &
	     RAS_ESR_AET_MASK) != RAS_ESR_AET_CE)
		return 0;
	se.flags = KVM_ARM_SERROR_REPLACE;
	if (!vcpu_ioctl(v, KVM_ARM_INJECT_SERROR, &se))
		return 0;
err:
	vmm_log("ras: KVM_ARM_INJECT_SERROR: %s", strerror(errno));
	return -errno;
}

/*
 * SEA: KVM_SET_VCPU_EVENTS with ext_dabt_pending. KVM commits it at once
 * (arch/arm64/kvm/guest.c): a synchronous external data abort at the
 * instruction whose access faulted, FAR_EL1 its address. The exception
 * entry changes PC, PSTATE, ELR_EL1 and SPSR_EL1 in KVM, not in kvm_run:
 * with sync regs, a dirty set written before would be loaded over it, and
 * one written after from the stale copy (an SDEI dispatch in pre_run)
 * would undo it. vcpu_sync_regs() before and after keeps both in step.
 */
static int ras_notify_sea(struct vcpu *v)
{
	struct kvm_vcpu_events ev;
	int ret = 0;

	memset(&ev, 0, sizeof(ev));
	ev.exception.ext_dabt_pending = 1;
	if (v->run->kvm_dirty_regs & KVM_SYNC_ARM64_REGS)
		vcpu_sync_regs(v);
	if (vcpu_ioctl(v, KVM_SET_VCPU_EVENTS, &ev)) {
		ret = -errno;
		vmm_log("ras: KVM_SET_VCPU_EVENTS(ext_dabt_pending): %s",
			strerror(-ret));
		return ret;
	}
	vcpu_sync_regs(v);
	return 0;
}

/*
 * The guest consumed poison on vCPU @v (BUS_MCEERR_AR). Tell it, then
 * replace the page so that the access it retries reads a fresh page. An
 * SDEI notification the guest cannot take (event not registered or not
 * enabled) falls back to an SEA, QEMU's only way.
 */
static int ras_handle_ar(struct vcpu *v, void *hva)
{
	struct ras_page *pg;
	enum ras_notify how;
	uint64_t gpa;
	int ret = 0;

	if (!ras_hva_to_gpa(hva, &gpa)) {
		vmm_log("ras: BUS_MCEERR_AR for %p, outside guest RAM", hva);
		return -EFAULT;
	}

	pthread_mutex_lock(&ras.lock);
	ras.stats.ar++;
	pg = ras_find_page(gpa);
	/*
	 * Told and replaced already (an AO report, or another vCPU took the
	 * same fault): the guest retries on the fresh page. Unless it is not
	 * fresh: then the guest would fault for ever.
	 */
	if (pg && pg->state == RAS_PAGE_REPLACED) {
		if (!ras_page_readable(hva)) {
			vmm_log("ras: gpa %#llx faults again after its replacement",
				(unsigned long long)gpa);
			ret = -EIO;
		}
		goto out;
	}
	how = ras_page_notify(pg);
	ras_info("ras: vCPU %d consumed poison at gpa %#llx (hva %p): %s",
		v->idx, (unsigned long long)gpa, hva, notify_names[how]);

	switch (how) {
	case RAS_NOTIFY_SDEI:
		ret = ras_notify_sdei(v->idx, gpa, true);
		if (!ret) {
			ras.stats.sdei++;
			break;
		}
		vmm_log("ras: falling back to an SEA");
		/* fall through */
	case RAS_NOTIFY_SEA:
		ret = ras_notify_sea(v);
		if (!ret)
			ras.stats.sea++;
		break;
	case RAS_NOTIFY_SERROR:
		ret = ras_notify_serror(v);
		if (!ret)
			ras.stats.serror++;
		break;
	}
	if (ret)
		goto out;

	ret = ras_replace_page(gpa);
	if (!pg && ras.nr_pages < RAS_MAX_PAGES) {
		pg = &ras.pages[ras.nr_pages++];
		pg->gpa = gpa;
		pg->vcpu = v->idx;
	}
	if (pg && !ret)
		pg->state = RAS_PAGE_REPLACED;
out:
	pthread_mutex_unlock(&ras.lock);
	return ret;
}

static bool ras_take_ar(struct vcpu *v)
{
	if (!ras_ar_pending)
		return false;
	ras_ar_pending = 0;
	if (ras_handle_ar(v, ras_ar_addr))
		vm_stop(v->vm, VMM_EXIT_ERROR);
	return true;
}

/* KVM_RUN returned -1: EINTR after the AR (kvm_send_hwpoison_signal()) */
static bool ras_run_error(struct vcpu *v, int err)
{
	return err == EINTR && ras_take_ar(v);
}

/* Also before each KVM_RUN, whichever unit took the EINTR */
static void ras_pre_run(struct vcpu *v)
{
	ras_take_ar(v);
}

/*
 * A BUS_MCEERR_AO: a page of guest RAM went bad and no one has consumed
 * it. A page the guest poisoned without TESTDEV_POISON_EARLY waits for the
 * guest's access and its AR (the test wants that path). Any other page,
 * an error the guest did not ask for included, is reported now with a
 * record and the RAS SDEI event, and replaced.
 */
static void ras_handle_ao(void *hva)
{
	struct ras_page *pg;
	uint64_t gpa;
	int vcpu = 0;

	if (!ras_hva_to_gpa(hva, &gpa)) {
		vmm_log("ras: BUS_MCEERR_AO for %p, outside guest RAM: ignored",
			hva);
		return;
	}

	pthread_mutex_lock(&ras.lock);
	ras.stats.ao++;
	pg = ras_find_page(gpa);
	if (pg) {
		vcpu = pg->vcpu;
		if (pg->state == RAS_PAGE_REPLACED ||
		    !(pg->flags & TESTDEV_POISON_EARLY))
			goto out;
	}
	ras_info("ras: BUS_MCEERR_AO: gpa %#llx (hva %p) poisoned, reported to vCPU %d",
		(unsigned long long)gpa, hva, vcpu);
	if (ras_notify_sdei(vcpu, gpa, false)) {
		ras.stats.lost++;
		goto out;
	}
	ras.stats.sdei++;
	if (!ras_replace_page(gpa) && pg)
		pg->state = RAS_PAGE_REPLACED;
out:
	pthread_mutex_unlock(&ras.lock);
}

/*
 * The RAS thread: the process's early-kill thread (PR_MCE_KILL_EARLY is a
 * per-thread flag, PF_MCE_EARLY), the only one. It handles the AOs the
 * SIGBUS handler passes on, outside signal context.
 */
static void *ras_thread(void *arg)
{
	void *hva;
	ssize_t n;

	(void)arg;
	for (;;) {
		n = read(ras.ao_pipe[0], &hva, sizeof(hva));
		if (n == sizeof(hva))
			ras_handle_ao(hva);
		else if (n == 0 || (n < 0 && errno != EINTR))
			return NULL;
	}
}

struct ras_thread_start {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int err;
	bool done;
};

static void *ras_thread_start(void *arg)
{
	struct ras_thread_start *st = arg;
	sigset_t set;
	int err = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGBUS);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0))
		err = -errno;

	pthread_mutex_lock(&st->lock);
	st->err = err;
	st->done = true;
	pthread_cond_signal(&st->cond);
	pthread_mutex_unlock(&st->lock);
	return err ? NULL : ras_thread(NULL);
}

static int ras_start_thread(void)
{
	struct ras_thread_start st = {
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.cond = PTHREAD_COND_INITIALIZER,
	};
	int ret;

	ret = pthread_create(&ras.thread, NULL, ras_thread_start, &st);
	if (ret)
		return -ret;
	pthread_mutex_lock(&st.lock);
	while (!st.done)
		pthread_cond_wait(&st.cond, &st.lock);
	pthread_mutex_unlock(&st.lock);
	if (st.err) {
		pthread_join(ras.thread, NULL);
		return st.err;
	}
	pthread_setname_np(ras.thread, "ras");
	return 0;
}

static int ras_hcall_poison(struct vcpu *v, const struct hcall *c);

static void ras_summary(void)
{
	/* No lock: at exit a vCPU thread may hold it for good */
	struct ras_stats st = ras.stats;

	if (!st.poisoned && !st.ar && !st.ao)
		return;
	vmm_log("ras: %lu poisoned, %lu consumed (AR), %lu AO; told by SDEI %lu, SError %lu, SEA %lu; %lu pages replaced, %lu not reported",
		st.poisoned, st.ar, st.ao, st.sdei, st.serror, st.sea,
		st.replaced, st.lost);
}

static int ras_init(struct vm *vm)
{
	struct sigaction sa;
	int ret;

	ras.vm = vm;
	ras.page_size = sysconf(_SC_PAGESIZE);
	ras_verbose = getenv("REFVMM_RAS_VERBOSE");
	ras.notify = RAS_NOTIFY_SDEI;
	if (vm->ras_notify) {
		for (ret = RAS_NOTIFY_SDEI; ret <= RAS_NOTIFY_SEA; ret++)
			if (!strcmp(vm->ras_notify, notify_names[ret]))
				break;
		if (ret > RAS_NOTIFY_SEA) {
			vmm_log("ras: --ras-notify=%s: sdei, serror or sea",
				vm->ras_notify);
			return -EINVAL;
		}
		ras.notify = ret;
	}

	ret = testdev_register(TESTDEV_POISON - TESTDEV_FN_BASE,
			       ras_hcall_poison);
	if (ret)
		return ret;

	if (pipe2(ras.ao_pipe, O_CLOEXEC) || pipe2(ras.probe_pipe, O_CLOEXEC))
		return -errno;
	/*
	 * The SIGBUS handler writes the AO pipe: a full pipe must lose that
	 * report (the handler says so) rather than block the thread it
	 * interrupted, which may be the main thread or a vCPU thread.
	 */
	if (fcntl(ras.ao_pipe[1], F_SETFL, O_NONBLOCK))
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = ras_sigbus_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL))
		return -errno;

	ret = ras_start_thread();
	if (ret) {
		/* Without it, AOs are not reported; ARs still are */
		vmm_log("ras: no early-kill thread: %s", strerror(-ret));
	}
	ras.ready = true;
	atexit(ras_summary);
	return 0;
}

/*
 * /reserved-memory (DT spec v0.4, 3.5): the records are not the guest's
 * RAM (no-map keeps them out of its linear map, so it never reads them
 * speculatively as normal memory and never allocates them).
 */
static void ras_fdt(struct vm *vm, struct fdt *fdt)
{
	char name[32];

	(void)vm;
	fdt_begin_node(fdt, "reserved-memory");
	fdt_prop_u32(fdt, "#address-cells", 2);
	fdt_prop_u32(fdt, "#size-cells", 2);
	fdt_prop_empty(fdt, "ranges");
	snprintf(name, sizeof(name), "ras@%llx",
		 (unsigned long long)ras_record_gpa());
	fdt_begin_node(fdt, name);
	fdt_prop_str(fdt, "compatible", RAS_DT_COMPATIBLE);
	fdt_prop_reg64(fdt, "reg", ras_record_gpa(), RAS_RECORD_SIZE);
	fdt_prop_empty(fdt, "no-map");
	fdt_end_node(fdt);
	fdt_end_node(fdt);
}

/*
 * The poisoner, in a forked child (see the top of the file). It exits 0
 * once memory_failure() has run on the page and sent the child the AR echo
 * for its own mapping; with the errno of madvise() if that failed; with
 * RAS_CHILD_NO_ECHO if madvise() succeeded but no AR came (the page was
 * not mapped dirty anywhere: nobody was signalled).
 */
#define RAS_CHILD_NO_ECHO	200

static volatile sig_atomic_t child_echo;
static void *volatile child_echo_addr;

static void ras_child_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (si->si_code == BUS_MCEERR_AR) {
		child_echo_addr = si->si_addr;
		child_echo = 1;
	}
}

static __attribute__((noreturn)) void ras_child(void *hva)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = ras_child_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGBUS);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	if (madvise(hva, ras.page_size, MADV_HWPOISON))
		_exit(errno);
	_exit(child_echo && child_echo_addr == hva ? 0 : RAS_CHILD_NO_ECHO);
}

static int ras_poison_page(uint64_t gpa)
{
	void *hva = vm_gpa_to_hva(ras.vm, gpa, ras.page_size);
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid)
		ras_child(hva);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status)) {
		vmm_log("ras: the poisoner died: status %#x", status);
		return -EIO;
	}
	switch (WEXITSTATUS(status)) {
	case 0:
		return 0;
	case RAS_CHILD_NO_ECHO:
		vmm_log("ras: gpa %#llx poisoned, but no process was signalled",
			(unsigned long long)gpa);
		return 0;
	default:
		return -WEXITSTATUS(status);
	}
}

#define TESTDEV_POISON_NOTIFY	(TESTDEV_POISON_SDEI | TESTDEV_POISON_SERROR | \
				 TESTDEV_POISON_SEA)

int64_t ras_testdev_poison(struct vcpu *v, uint64_t gpa, uint64_t flags)
{
	struct ras_page *pg;
	uint64_t notify = flags & TESTDEV_POISON_NOTIFY;
	int ret;

	if (!ras.ready)
		return TESTDEV_NOT_SUPPORTED;
	/* At most one notification; only the SDEI one can report an AO */
	if (flags & ~(TESTDEV_POISON_NOTIFY | TESTDEV_POISON_EARLY) ||
	    (notify & (notify - 1)))
		return TESTDEV_INVALID_PARAMETERS;
	if (gpa & (ras.page_size - 1) || !ras_gpa_is_ram(gpa))
		return TESTDEV_INVALID_PARAMETERS;

	/* Record the page before its AO can reach the RAS thread */
	pthread_mutex_lock(&ras.lock);
	pg = ras_find_page(gpa);
	if (pg && pg->state == RAS_PAGE_POISONED) {
		pthread_mutex_unlock(&ras.lock);
		return TESTDEV_INVALID_PARAMETERS;
	}
	if (!pg) {
		if (ras.nr_pages == RAS_MAX_PAGES) {
			pthread_mutex_unlock(&ras.lock);
			return TESTDEV_NOT_SUPPORTED;
		}
		pg = &ras.pages[ras.nr_pages++];
	}
	pg->gpa = gpa;
	pg->flags = flags;
	pg->vcpu = v->idx;
	pg->state = RAS_PAGE_POISONED;
	pthread_mutex_unlock(&ras.lock);

	ret = ras_poison_page(gpa);
	pthread_mutex_lock(&ras.lock);
	if (ret)
		pg->state = RAS_PAGE_REPLACED;	/* nothing to wait for */
	else
		ras.stats.poisoned++;
	pthread_mutex_unlock(&ras.lock);
	if (ret == -EBUSY) {
		/*
		 * memory_failure() did not finish with the page: it could
		 * not settle its reference count, or could not unmap it
		 * after signalling (then an AO may still come, and is
		 * reported as for any page). The guest may try another.
		 */
		ras_info("ras: poisoning gpa %#llx: busy",
			 (unsigned long long)gpa);
		return TESTDEV_BUSY;
	}
	if (ret) {
		/* EPERM: no CAP_SYS_ADMIN; EINVAL: no CONFIG_MEMORY_FAILURE */
		vmm_log("ras: poisoning gpa %#llx: %s",
			(unsigned long long)gpa, strerror(-ret));
		return TESTDEV_NOT_SUPPORTED;
	}
	ras_info("ras: gpa %#llx poisoned for vCPU %d (flags %#llx)",
		(unsigned long long)gpa, v->idx, (unsigned long long)flags);
	return TESTDEV_SUCCESS;
}

static int ras_hcall_poison(struct vcpu *v, const struct hcall *c)
{
	vcpu_smccc_ret(v, ras_testdev_poison(v, c->args[0], c->args[1]));
	return 0;
}

void ras_get_stats(struct ras_stats *st)
{
	pthread_mutex_lock(&ras.lock);
	*st = ras.stats;
	pthread_mutex_unlock(&ras.lock);
}

static struct vmm_unit ras_unit = {
	.name = "ras",
	.init = ras_init,
	.fdt = ras_fdt,
	.pre_run = ras_pre_run,
	.run_error = ras_run_error,
};
VMM_UNIT(ras_unit);
