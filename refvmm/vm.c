// SPDX-License-Identifier: GPL-2.0
/*
 * The VM: KVM fd, guest RAM (a memfd in one memslot), the in-kernel
 * GICv3, the SMCCC call dispatch, the MMIO dispatch, the units, stopping.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm.h"

struct vmm_unit *vmm_units;

void vmm_unit_register(struct vmm_unit *u)
{
	struct vmm_unit **p = &vmm_units;

	/* in link order, which is the order of the names (refvmm/Makefile) */
	while (*p)
		p = &(*p)->next;
	*p = u;
}

void vmm_log(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "refvmm: %s\n", buf);
}

void vmm_die(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "refvmm: error: %s\n", buf);
	exit(VMM_EXIT_ERROR);
}

/* --- memory ---------------------------------------------------------------- */
void vm_setup_memory(struct vm *vm)
{
	struct kvm_userspace_memory_region region;

	/*
	 * A memfd, MAP_SHARED: the RAS unit can poison a page of it and back
	 * the gpa with a fresh page afterwards, and the mapping is what KVM's
	 * stage-2 faults resolve through (hva -> gpa in the SIGBUS path).
	 */
	vm->mem_fd = memfd_create("refvmm-ram", MFD_CLOEXEC);
	if (vm->mem_fd < 0)
		vmm_die("memfd_create: %m");
	if (ftruncate(vm->mem_fd, vm->ram_size))
		vmm_die("ftruncate guest RAM: %m");
	vm->mem = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->mem_fd, 0);
	if (vm->mem == MAP_FAILED)
		vmm_die("mmap guest RAM: %m");

	region = (struct kvm_userspace_memory_region) {
		.slot = 0,
		.guest_phys_addr = GPA_RAM,
		.memory_size = vm->ram_size,
		.userspace_addr = (uint64_t)vm->mem,
	};
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region))
		vmm_die("KVM_SET_USER_MEMORY_REGION: %m");
}

void *vm_gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa < GPA_RAM || len > vm->ram_size ||
	    gpa - GPA_RAM > vm->ram_size - len)
		return NULL;
	return vm->mem + (gpa - GPA_RAM);
}

int vm_hva_to_gpa(struct vm *vm, const void *hva, uint64_t *gpa)
{
	const uint8_t *p = hva;

	if (p < vm->mem || p >= vm->mem + vm->ram_size)
		return -1;
	*gpa = GPA_RAM + (p - vm->mem);
	return 0;
}

/* --- GICv3 ---------------------------------------------------------------- */
static void gic_set_attr(struct vm *vm, uint32_t group, uint64_t attr,
			 void *val)
{
	struct kvm_device_attr a = {
		.group = group,
		.attr = attr,
		.addr = (uint64_t)val,
	};

	if (ioctl(vm->gic_fd, KVM_SET_DEVICE_ATTR, &a))
		vmm_die("GICv3 attribute %u/%llu: %m", group,
			(unsigned long long)attr);
}

void vm_create_gic(struct vm *vm)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	uint64_t dist = GPA_GICD, redist = GPA_GICR;

	if (ioctl(vm->fd, KVM_CREATE_DEVICE, &cd))
		vmm_die("KVM_CREATE_DEVICE GICv3: %m");
	vm->gic_fd = cd.fd;
	gic_set_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR,
		     KVM_VGIC_V3_ADDR_TYPE_DIST, &dist);
	gic_set_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR,
		     KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist);
}

/* After all vCPUs exist: the redistributors are per vCPU */
void vm_init_gic(struct vm *vm)
{
	gic_set_attr(vm, KVM_DEV_ARM_VGIC_GRP_CTRL,
		     KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
}

void vm_set_spi(struct vm *vm, unsigned int spi, int level)
{
	struct kvm_irq_level irq = {
		.irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) |
		       ((32 + spi) << KVM_ARM_IRQ_NUM_SHIFT),
		.level = level,
	};

	if (ioctl(vm->fd, KVM_IRQ_LINE, &irq))
		vmm_die("KVM_IRQ_LINE SPI %u: %m", spi);
}

/* --- SMCCC calls ---------------------------------------------------------- */
#define MAX_HCALL_RANGES	16

static struct hcall_range {
	uint32_t first, count;
	hcall_fn fn;
} hcall_ranges[MAX_HCALL_RANGES];
static int nr_hcall_ranges;

int vm_smccc_forward(struct vm *vm, uint64_t first, uint64_t count,
		     uint64_t flags)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_ARM_SMCCC_FORWARD,
		.args = { first, count, flags },
	};

	if (ioctl(vm->fd, KVM_ENABLE_CAP, &cap))
		return -errno;
	return 0;
}

int vm_hcall_register(struct vm *vm, uint32_t first, uint32_t count,
		      hcall_fn fn)
{
	int i;

	if (!count || first + count - 1 < first)
		return -EINVAL;
	for (i = 0; i < nr_hcall_ranges; i++) {
		struct hcall_range *h = &hcall_ranges[i];

		if (first < h->first + h->count && h->first < first + count)
			return -EEXIST;
	}
	if (nr_hcall_ranges == MAX_HCALL_RANGES)
		return -ENOSPC;
	hcall_ranges[nr_hcall_ranges++] = (struct hcall_range){ first, count, fn };
	return 0;
}

void vm_hypercall(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	struct hcall c = {
		.fid = (uint32_t)run->hypercall.nr,
		.flags = run->hypercall.flags,
	};
	int i;

	memcpy(c.args, run->hypercall.args, sizeof(c.args));
	for (i = 0; i < nr_hcall_ranges; i++) {
		struct hcall_range *h = &hcall_ranges[i];

		if (c.fid - h->first < h->count) {
			if (h->fn(v, &c))
				vmm_die("vcpu%d: call 0x%08x failed", v->idx, c.fid);
			return;
		}
	}
	/* A range was forwarded but nobody handles it: DEN0028 "Unknown" */
	vcpu_smccc_ret(v, (uint64_t)-1);
}

/* --- MMIO ------------------------------------------------------------------ */
void vm_mmio(struct vcpu *v, uint64_t gpa, uint8_t *data, uint32_t len,
	     bool is_write)
{
	static bool warned;

	if (gpa - GPA_UART < UART_SIZE) {
		uart_mmio(v->vm, gpa - GPA_UART, data, len, is_write);
		return;
	}
	/* Nothing there: reads as zero, writes ignored (like a bus that RAZ/WI) */
	if (!warned) {
		vmm_log("vcpu%d: MMIO %s at 0x%llx with no device", v->idx,
			is_write ? "write" : "read", (unsigned long long)gpa);
		warned = true;
	}
	if (!is_write)
		memset(data, 0, len);
}

/* --- stopping ---------------------------------------------------------------- */
/*
 * PSCI SYSTEM_OFF and SYSTEM_RESET stop every PE, not only the caller
 * (DEN0022D.b, SYSTEM_OFF and SYSTEM_RESET): kick the vCPUs out of KVM_RUN, and their
 * threads see vm_stopping() before they run the guest again. A vCPU that
 * is off waits for a CPU_ON that will not come. The main thread then
 * exits the process.
 */
void vm_stop(struct vm *vm, int status)
{
	bool first;
	int i;

	pthread_mutex_lock(&vm->stop_lock);
	first = !vm->stopping;
	if (first) {
		vm->stopping = true;
		vm->stop_status = status;
	}
	pthread_cond_broadcast(&vm->stop_cond);
	pthread_mutex_unlock(&vm->stop_lock);
	if (!first)
		return;
	for (i = 0; i < vm->nr_vcpus; i++)
		if (__atomic_load_n(&vm->vcpus[i].started, __ATOMIC_ACQUIRE))
			pthread_kill(vm->vcpus[i].thread, VCPU_KICK_SIGNAL);
}

bool vm_stopping(struct vm *vm)
{
	bool s;

	pthread_mutex_lock(&vm->stop_lock);
	s = vm->stopping;
	pthread_mutex_unlock(&vm->stop_lock);
	return s;
}

int vm_wait_stop(struct vm *vm)
{
	pthread_mutex_lock(&vm->stop_lock);
	while (!vm->stopping)
		pthread_cond_wait(&vm->stop_cond, &vm->stop_lock);
	pthread_mutex_unlock(&vm->stop_lock);
	return vm->stop_status;
}
