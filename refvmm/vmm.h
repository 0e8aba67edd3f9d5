/* SPDX-License-Identifier: GPL-2.0 */
/*
 * refvmm: the reference VMM of vmmfw. The VM, its vCPUs, register access,
 * and the hooks through which the firmware units (psci.c, testdev.c, the
 * SDEI glue, ras.c) plug in.
 *
 * Threads: one per vCPU, the UART input thread, the main thread (which
 * waits for the VM to stop). A vCPU's registers are only ever read or
 * written by its own thread, between two KVM_RUNs; other threads ask it to
 * do things by setting state under a lock and calling vcpu_kick().
 */
#ifndef REFVMM_VMM_H
#define REFVMM_VMM_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#define VMM_MAX_VCPUS		4

/* Guest physical memory map (QEMU's virt where it matters) */
#define GPA_GICD		0x08000000UL
#define GICD_SIZE		0x10000UL
#define GPA_GICR		0x080a0000UL
#define GICR_SIZE_PER_CPU	0x20000UL	/* RD_base + SGI_base frames */
#define GPA_UART		0x09000000UL
#define UART_SIZE		0x1000UL
#define UART_SPI		1		/* INTID 32 + 1 */
#define GPA_RAM			0x80000000UL
/*
 * No kernel, initrd or DTB is put in the top VMM_FW_SIZE bytes of RAM:
 * the firmware units take their memory there. Only what they use is
 * withheld from the guest, by a /reserved-memory node (no-map) in the DT
 * (ras.c, its error records); the rest is ordinary guest RAM.
 */
#define VMM_FW_SIZE		0x10000UL

/* Registers reachable through both modes (the set of KVM_SYNC_ARM64_REGS) */
enum vreg {
	REG_X0 = 0,			/* REG_X0 + n for xn, n <= 30 */
	REG_SP_EL0 = 31,
	REG_PC,
	REG_PSTATE,
	REG_SP_EL1,
	REG_ELR_EL1,
	REG_SPSR_EL1,
	NR_VREGS
};

enum regs_mode {
	REGS_SYNC,	/* kvm_run->s.regs, KVM_CAP_SYNC_REGS: no ioctl */
	REGS_ONEREG,	/* KVM_GET/SET_ONE_REG: one ioctl per register */
};

/* PSCI power state of a vCPU (DEN0022 5.1.5 AFFINITY_INFO) */
enum vcpu_power {
	VCPU_OFF,
	VCPU_ON_PENDING,	/* CPU_ON accepted, the vCPU has not run yet */
	VCPU_ON,
};

struct vcpu_stats {
	uint64_t ioctls;	/* every ioctl on the vCPU fd, KVM_RUN included */
	uint64_t runs;		/* KVM_RUN alone */
	uint64_t exits;		/* KVM_RUN returns, errors included */
	uint64_t hypercalls;	/* KVM_EXIT_HYPERCALL exits */
};

struct vm;

struct vcpu {
	struct vm *vm;
	int idx;			/* 0..nr_vcpus-1, also the KVM vcpu id */
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;			/* thread is valid (vm_stop() kicks) */
	uint64_t mpidr;			/* MPIDR_EL1, PSCI's target_cpu */

	/* Set when the last exit was KVM_EXIT_MMIO: see vcpu_complete_mmio() */
	bool mmio_pending;

	/* PSCI state, under lock; cond signals OFF -> ON_PENDING */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum vcpu_power power;
	uint64_t entry, context_id;	/* of a pending CPU_ON */

	struct vcpu_stats stats;

	/* Per-vCPU data of the units (SDEI, RAS), theirs to use */
	void *sdei;
	void *ras;
};

struct vm {
	int kvm_fd, fd;
	int gic_fd;
	int nr_vcpus;
	struct vcpu vcpus[VMM_MAX_VCPUS];
	enum regs_mode regs_mode;
	struct kvm_vcpu_init vcpu_init;	/* KVM_ARM_PREFERRED_TARGET + PSCI 0.2 */

	/* Guest RAM: one memfd, MAP_SHARED at mem, memslot 0 at GPA_RAM */
	int mem_fd;
	uint8_t *mem;
	uint64_t ram_size;

	const char *ras_notify;		/* --ras-notify=..., for ras.c */
	/*
	 * --testdev: forward the test device's SiP calls (testdev.h). Off by
	 * default: they let the guest have the host poison its memory for
	 * real and start VMM threads, which only a test may allow.
	 */
	bool testdev;

	/* vm_stop(): the main thread exits with stop_status */
	pthread_mutex_t stop_lock;
	pthread_cond_t stop_cond;
	bool stopping;
	int stop_status;
};

/* Exit status of refvmm for the guest's PSCI calls */
#define VMM_EXIT_SYSTEM_OFF	0
#define VMM_EXIT_SYSTEM_RESET	2	/* refvmm does not reboot the guest */
#define VMM_EXIT_ERROR		1

/* --- register access (only from the vCPU's own thread) ------------------ */
/*
 * REGS_SYNC: reads come from kvm_run->s.regs, stored by KVM at every
 * KVM_RUN return; writes go there too and set KVM_SYNC_ARM64_REGS in
 * kvm_dirty_regs, so that the next KVM_RUN loads the whole set.
 * REGS_ONEREG: each read or write is one KVM_GET/SET_ONE_REG ioctl.
 * Both count their ioctls in vcpu->stats.
 */
uint64_t vcpu_get_reg(struct vcpu *v, enum vreg r);
void vcpu_set_reg(struct vcpu *v, enum vreg r, uint64_t val);
/* SMCCC results: x0 only, or x0-x3 */
void vcpu_smccc_ret(struct vcpu *v, uint64_t x0);
void vcpu_smccc_ret4(struct vcpu *v, uint64_t x0, uint64_t x1, uint64_t x2,
		     uint64_t x3);
/* Every ioctl on a vCPU fd goes through here, for the counters */
int vcpu_ioctl(struct vcpu *v, unsigned long req, void *arg);

/*
 * At a KVM_EXIT_MMIO exit the access is not complete: the PC is still the
 * access's, and the next KVM_RUN writes a load's destination register and
 * steps the PC. Code that reads a context to switch away from it (SDEI
 * event entry) or writes the PC must first let KVM finish the access: this
 * does one KVM_RUN with immediate_exit set when an MMIO exit is pending
 * (and nothing otherwise). vcpu_set_reg(REG_PC) calls it itself.
 */
void vcpu_complete_mmio(struct vcpu *v);
/*
 * Sync mode only (nothing otherwise): around an ioctl that changes the
 * vCPU's registers in KVM, such as KVM_SET_VCPU_EVENTS with
 * ext_dabt_pending, call this before (KVM loads the dirty set) and after
 * (kvm_run gets the new state): see vcpu.c.
 */
void vcpu_sync_regs(struct vcpu *v);

/*
 * Make the vCPU leave KVM_RUN soon (or not enter it), from any thread:
 * its thread then runs the units' pre_run hooks before the next KVM_RUN.
 * The kick is the signal VCPU_KICK_SIGNAL, which the vCPU thread blocks
 * except inside KVM_RUN (KVM_SET_SIGNAL_MASK): a kick sent while the
 * thread is outside KVM_RUN stays pending and makes the next KVM_RUN
 * return -EINTR at once, so no kick is lost.
 */
#define VCPU_KICK_SIGNAL	SIGUSR1
void vcpu_kick(struct vcpu *v);
/* The vCPU whose thread calls this, or NULL (e.g. in a signal handler) */
struct vcpu *vcpu_self(void);

/* --- memory --------------------------------------------------------------- */
/* NULL unless [gpa, gpa + len) is guest RAM */
void *vm_gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len);
/* 0 and *gpa, or -1 if hva is not in guest RAM */
int vm_hva_to_gpa(struct vm *vm, const void *hva, uint64_t *gpa);

/* Set the level of SPI n (INTID 32 + n) of the in-kernel GIC */
void vm_set_spi(struct vm *vm, unsigned int spi, int level);

/* --- SMCCC calls ---------------------------------------------------------- */
struct hcall {
	uint32_t fid;		/* w0: kvm_run->hypercall.nr */
	uint64_t args[6];	/* x1-x6: kvm_run->hypercall.args */
	uint64_t flags;		/* KVM_HYPERCALL_EXIT_* */
};

/*
 * A handler writes its results with vcpu_smccc_ret*() (or any register
 * through vcpu_set_reg(), for a context switch) and returns 0, or -1 for a
 * fatal error that stops the VM.
 */
typedef int (*hcall_fn)(struct vcpu *v, const struct hcall *c);

/*
 * Forward [first, first + count) with KVM_CAP_ARM_SMCCC_FORWARD and the
 * flags KVM_ARM_SMCCC_FWD_* (for the SDEI preset, first = count = 0).
 * Only from a unit's init(). Returns 0 or -errno (EEXIST, EINVAL...).
 */
int vm_smccc_forward(struct vm *vm, uint64_t first, uint64_t count,
		     uint64_t flags);
/* Call fn for the function IDs [first, first + count) (w0) */
int vm_hcall_register(struct vm *vm, uint32_t first, uint32_t count,
		      hcall_fn fn);

/* --- units ---------------------------------------------------------------- */
struct fdt;

/*
 * A unit is a firmware service or device model. It registers itself from
 * a constructor: VMM_UNIT(my_unit). Every hook may be NULL.
 */
struct vmm_unit {
	const char *name;
	/* After the vCPUs exist, before any KVM_RUN: forward, register */
	int (*init)(struct vm *vm);
	/* Add nodes under the DT's root node (it is open) */
	void (*fdt)(struct vm *vm, struct fdt *fdt);
	/* In the vCPU thread, before each KVM_RUN (after a kick, too) */
	void (*pre_run)(struct vcpu *v);
	/*
	 * In the vCPU thread, when its KVM_RUN returned -1 with errno (EINTR
	 * after a kick or a signal, EFAULT, EHWPOISON...). Return true if the
	 * unit handled it; an errno no unit takes other than EINTR and EAGAIN
	 * stops the VM.
	 */
	bool (*run_error)(struct vcpu *v, int err);
	/* In the vCPU thread, when PSCI resets it (CPU_ON, after the reset) */
	void (*vcpu_reset)(struct vcpu *v);
	struct vmm_unit *next;
};

void vmm_unit_register(struct vmm_unit *u);
#define VMM_UNIT(u)							\
	static void __attribute__((constructor)) u##_register(void)	\
	{								\
		vmm_unit_register(&(u));				\
	}

/* --- VM lifetime ---------------------------------------------------------- */
/* Stop the VM: refvmm exits with status (VMM_EXIT_*) */
void vm_stop(struct vm *vm, int status);
/* The vCPU's PSCI power state (under its lock) */
enum vcpu_power vcpu_power(struct vcpu *v);

/*
 * The test device (testdev.c, testdev.h): a unit's init() registers the
 * handler of call n of the SiP range (TESTDEV_FN(n)); calls with no
 * handler return TESTDEV_NOT_SUPPORTED. Returns 0, or -EEXIST/-EINVAL.
 */
int testdev_register(unsigned int n, hcall_fn fn);

/* Messages: to stderr, prefixed "refvmm: " */
void vmm_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void __attribute__((noreturn, format(printf, 1, 2)))
vmm_die(const char *fmt, ...);

/* --- between the core's files (main.c, vm.c, vcpu.c, uart.c) ------------- */
extern struct vmm_unit *vmm_units;
void vcpu_create(struct vm *vm, int idx);
void vcpu_start(struct vcpu *v);
void vcpu_set_entry(struct vcpu *v, uint64_t entry, uint64_t arg);
void vcpu_power_off(struct vcpu *v);
void vm_mmio(struct vcpu *v, uint64_t gpa, uint8_t *data, uint32_t len,
	     bool is_write);
void vm_hypercall(struct vcpu *v);
bool vm_stopping(struct vm *vm);
int vm_wait_stop(struct vm *vm);
void vm_setup_memory(struct vm *vm);
void vm_create_gic(struct vm *vm);
void vm_init_gic(struct vm *vm);
void uart_mmio(struct vm *vm, uint64_t off, uint8_t *data, uint32_t len,
	       bool is_write);
void uart_start_input(struct vm *vm);

#endif /* REFVMM_VMM_H */
