// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvm_ras_testmod: play firmware and hardware for the KVM RAS selftests.
 *
 * Emulation cannot raise a real RAS error, so this module does what
 * firmware-first hardware would: it writes a CPER record (UEFI 2.10,
 * appendix N) into the error status block of a Generic Hardware Error
 * Source described by the HEST (ACPI 6.5, section 18.3.2.7), and it arms
 * the KVM_ARM_RAS_INJECT hook so that the next IRQ exit of a vCPU is handled
 * as the SError or SEA exit that would announce the error. KVM and APEI then
 * run their real exit, claim and injection paths.
 */

#include <linux/acpi.h>
#include <linux/cper.h>
#include <linux/file.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/kvm_host.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/uaccess.h>

#include <acpi/actbl1.h>

#include "kvm_ras_testmod.h"

/* A record: status block, one generic data entry, one memory error section */
struct ras_testmod_record {
	struct acpi_hest_generic_status estatus;
	struct acpi_hest_generic_data_v300 gdata;
	struct cper_sec_mem_err mem;
} __packed;

/* Serialises the "firmware": one record written at a time */
static DEFINE_MUTEX(ras_testmod_lock);

/**
 * hest_subtable_len() - Length of a HEST error source structure
 * @hdr: the structure
 *
 * Return: its length in bytes, or 0 for a type this module cannot skip.
 */
static size_t hest_subtable_len(struct acpi_hest_header *hdr)
{
	switch (hdr->type) {
	case ACPI_HEST_TYPE_AER_ROOT_PORT:
		return sizeof(struct acpi_hest_aer_root);
	case ACPI_HEST_TYPE_AER_ENDPOINT:
		return sizeof(struct acpi_hest_aer);
	case ACPI_HEST_TYPE_AER_BRIDGE:
		return sizeof(struct acpi_hest_aer_bridge);
	case ACPI_HEST_TYPE_GENERIC_ERROR:
		return sizeof(struct acpi_hest_generic);
	case ACPI_HEST_TYPE_GENERIC_ERROR_V2:
		return sizeof(struct acpi_hest_generic_v2);
	default:
		return 0;
	}
}

/**
 * find_ghes() - Find the first GHESv2 with a given notification type
 * @notify: ACPI_HEST_NOTIFY_SEA or ACPI_HEST_NOTIFY_SEI
 * @out: filled with a copy of the error source
 *
 * Only GHESv2 sources are used: their read ack register is how firmware
 * learns that the OS has consumed a record (ACPI 6.5, 18.3.2.8).
 *
 * Return: 0 if found, -ENODEV otherwise.
 */
static int find_ghes(u8 notify, struct acpi_hest_generic_v2 *out)
{
	struct acpi_table_header *tbl;
	struct acpi_hest_header *hdr;
	void *p, *end;
	int ret = -ENODEV;

	if (ACPI_FAILURE(acpi_get_table(ACPI_SIG_HEST, 0, &tbl)))
		return -ENODEV;

	p = (void *)tbl + sizeof(struct acpi_table_hest);
	end = (void *)tbl + tbl->length;
	while (p + sizeof(*hdr) <= end) {
		struct acpi_hest_generic_v2 *g = p;
		size_t len;

		hdr = p;
		len = hest_subtable_len(hdr);
		if (!len || p + len > end)
			break;
		if (hdr->type == ACPI_HEST_TYPE_GENERIC_ERROR_V2 &&
		    g->notify.type == notify && g->enabled) {
			*out = *g;
			ret = 0;
			break;
		}
		p += len;
	}

	acpi_put_table(tbl);
	return ret;
}

/**
 * map_reserved() - Map firmware memory that the OS does not own
 * @pa: physical address
 * @size: size in bytes
 *
 * GHES maps error status blocks as normal cacheable memory; so do we. The
 * HEST is a test input: refuse to write into memory the kernel uses.
 *
 * Return: the mapping, or NULL.
 */
static void *map_reserved(u64 pa, size_t size)
{
	if (region_intersects(pa, size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT)
		return NULL;

	return memremap(pa, size, MEMREMAP_WB);
}

/**
 * struct ghes_regs - The registers of a GHESv2, mapped
 * @status_addr: the Error Status Address register
 * @read_ack: the Read Ack register
 * @block_pa: physical address of the error status block
 */
struct ghes_regs {
	u64 *status_addr;
	u64 *read_ack;
	u64 block_pa;
};

/**
 * unmap_regs() - Undo map_regs()
 * @r: the mapped registers
 */
static void unmap_regs(struct ghes_regs *r)
{
	if (r->status_addr)
		memunmap(r->status_addr);
	if (r->read_ack)
		memunmap(r->read_ack);
}

/**
 * map_regs() - Map the registers of a GHESv2 and locate its status block
 * @g: the error source
 * @r: filled with the mappings and the block address
 *
 * QEMU's firmware points the register of its own source at the block. The
 * SEI source of the test bed's HEST override leaves it 0 and keeps its
 * block right after its two registers (testbed/acpi/hest-sei.dsl).
 *
 * Return: 0 on success, -ENXIO if a register is not in reserved memory.
 */
static int map_regs(const struct acpi_hest_generic_v2 *g, struct ghes_regs *r)
{
	u64 reg = g->error_status_address.address;

	memset(r, 0, sizeof(*r));
	if (g->error_status_address.space_id != ACPI_ADR_SPACE_SYSTEM_MEMORY ||
	    g->read_ack_register.space_id != ACPI_ADR_SPACE_SYSTEM_MEMORY)
		return -ENXIO;

	r->status_addr = map_reserved(reg, sizeof(u64));
	r->read_ack = map_reserved(g->read_ack_register.address, sizeof(u64));
	if (!r->status_addr || !r->read_ack) {
		unmap_regs(r);
		return -ENXIO;
	}

	r->block_pa = READ_ONCE(*r->status_addr);
	if (!r->block_pa && g->read_ack_register.address == reg + 8)
		r->block_pa = reg + 16;
	if (!r->block_pa) {
		unmap_regs(r);
		return -ENXIO;
	}

	return 0;
}

/**
 * fill_record() - Build a record with one memory error section
 * @rec: the record
 * @sev: its severity, CPER_SEV_*
 * @pa: the physical address the memory error names
 *
 * The section is a UEFI Platform Memory Error Section (UEFI 2.10, N.2.5)
 * with a valid physical address and error type, in a generic data entry of
 * revision 3 (ACPI 6.5, 18.3.2.7.1).
 */
static void fill_record(struct ras_testmod_record *rec, u32 sev, u64 pa)
{
	memset(rec, 0, sizeof(*rec));

	rec->mem.validation_bits = CPER_MEM_VALID_PA | CPER_MEM_VALID_ERROR_TYPE;
	rec->mem.physical_addr = pa;
	rec->mem.error_type = 3;	/* multi-bit ECC */

	guid_copy((guid_t *)rec->gdata.section_type, &CPER_SEC_PLATFORM_MEM);
	rec->gdata.error_severity = sev;
	rec->gdata.revision = 0x300;
	rec->gdata.error_data_length = sizeof(rec->mem);

	rec->estatus.block_status = (1 << 4) |	/* one data entry */
		(sev == CPER_SEV_CORRECTED ? ACPI_HEST_CORRECTABLE :
					     ACPI_HEST_UNCORRECTABLE);
	rec->estatus.data_length = sizeof(rec->gdata) + sizeof(rec->mem);
	rec->estatus.error_severity = sev;
}

/**
 * check_cper_args() - Check the source of a request, and find it
 * @args: the request
 * @g: filled with the error source
 *
 * Return: 0 on success, -EINVAL for a bad source, -ENODEV if it is absent.
 */
static int check_cper_args(const struct kvm_ras_testmod_cper *args,
			   struct acpi_hest_generic_v2 *g)
{
	if (args->source != ACPI_HEST_NOTIFY_SEA &&
	    args->source != ACPI_HEST_NOTIFY_SEI)
		return -EINVAL;

	return find_ghes(args->source, g);
}

/**
 * write_cper() - Write a record into an error status block, as firmware does
 * @args: the request
 *
 * Write the record, then publish it: block_status last, as the OS takes a
 * non-zero block_status to mean that the record is complete. The read ack
 * register goes to 0: the OS writes it back to 1 once it has consumed the
 * record (ACPI 6.5, 18.3.2.8).
 *
 * Context: holding ras_testmod_lock.
 *
 * Return: 0 on success, or the errors of KVM_RAS_TESTMOD_WRITE_CPER.
 */
static int write_cper(const struct kvm_ras_testmod_cper *args)
{
	struct acpi_hest_generic_v2 g;
	struct ras_testmod_record rec;
	struct acpi_hest_generic_status *blk;
	struct ghes_regs r;
	int ret;

	if (args->severity > CPER_SEV_CORRECTED)
		return -EINVAL;
	ret = check_cper_args(args, &g);
	if (ret)
		return ret;
	if (g.error_block_length < sizeof(rec))
		return -ENOSPC;

	ret = map_regs(&g, &r);
	if (ret)
		return ret;

	blk = map_reserved(r.block_pa, sizeof(rec));
	if (!blk) {
		ret = -ENXIO;
		goto out_regs;
	}

	if (READ_ONCE(blk->block_status)) {
		ret = -EBUSY;
		goto out_blk;
	}

	fill_record(&rec, args->severity, args->pa);
	memcpy((void *)blk + sizeof(u32), (void *)&rec + sizeof(u32),
	       sizeof(rec) - sizeof(u32));
	WRITE_ONCE(*r.status_addr, r.block_pa);
	WRITE_ONCE(*r.read_ack, 0);
	/* The OS must not see block_status before the rest of the record */
	smp_wmb();
	WRITE_ONCE(blk->block_status, rec.estatus.block_status);
	ret = 0;

out_blk:
	memunmap(blk);
out_regs:
	unmap_regs(&r);
	return ret;
}

/**
 * cper_pending() - Is a record waiting for the OS in an error status block?
 * @args: the request, naming the source
 *
 * Context: holding ras_testmod_lock.
 *
 * Return: 1 if the block holds a record or the OS has not acknowledged the
 * last one, 0 if not, or a negative error code.
 */
static int cper_pending(const struct kvm_ras_testmod_cper *args)
{
	struct acpi_hest_generic_v2 g;
	struct acpi_hest_generic_status *blk;
	struct ghes_regs r;
	int ret;

	if (args->severity || args->pa)
		return -EINVAL;
	ret = check_cper_args(args, &g);
	if (ret)
		return ret;

	ret = map_regs(&g, &r);
	if (ret)
		return ret;

	blk = map_reserved(r.block_pa, sizeof(*blk));
	if (blk) {
		ret = READ_ONCE(blk->block_status) || !(READ_ONCE(*r.read_ack) & 1);
		memunmap(blk);
	} else {
		ret = -ENXIO;
	}

	unmap_regs(&r);
	return ret;
}

/**
 * sources() - Which GHESv2 notification types does the HEST have?
 *
 * Return: KVM_RAS_TESTMOD_HAS_* flags.
 */
static int sources(void)
{
	struct acpi_hest_generic_v2 g;
	int ret = 0;

	if (!find_ghes(ACPI_HEST_NOTIFY_SEA, &g))
		ret |= KVM_RAS_TESTMOD_HAS_SEA;
	if (!find_ghes(ACPI_HEST_NOTIFY_SEI, &g))
		ret |= KVM_RAS_TESTMOD_HAS_SEI;

	return ret;
}

/**
 * vm_from_fd() - The VM of a file descriptor
 * @f: the file descriptor, from fdget()
 *
 * The VM file holds a reference on the VM for as long as the file is held
 * here, so the struct kvm can be used until fdput().
 *
 * Return: the VM, ERR_PTR(-EBADF) or ERR_PTR(-EINVAL) if @f is not a VM.
 */
static struct kvm *vm_from_fd(struct fd f)
{
	struct kvm *kvm;

	if (!fd_file(f))
		return ERR_PTR(-EBADF);

	/*
	 * Where KVM exports its internals to its own modules only,
	 * file_is_kvm() among them, the injection hook answers instead.
	 */
#ifdef EXPORT_SYMBOL_FOR_KVM_INTERNAL
	kvm = kvm_arm_ras_inject_file_kvm(fd_file(f));
#else
	kvm = file_is_kvm(fd_file(f)) ? fd_file(f)->private_data : NULL;
#endif

	return kvm ?: ERR_PTR(-EINVAL);
}

/**
 * arm_exit() - Arm an SError or SEA exit with kvm_arm_ras_inject_arm()
 * @args: the request
 *
 * Return: 0 on success, or the errors of KVM_RAS_TESTMOD_ARM_EXIT.
 */
static int arm_exit(const struct kvm_ras_testmod_exit *args)
{
	struct kvm_arm_ras_inject inj = {
		.esr = args->esr,
		.far = args->far,
		.hpfar = args->hpfar,
	};
	struct fd f;
	struct kvm *kvm;
	int ret;

	if (args->pad || args->vcpu < -1)
		return -EINVAL;

	switch (args->type) {
	case KVM_RAS_TESTMOD_EXIT_NONE:
		inj.type = KVM_ARM_RAS_INJECT_NONE;
		break;
	case KVM_RAS_TESTMOD_EXIT_SERROR:
		inj.type = KVM_ARM_RAS_INJECT_SERROR;
		break;
	case KVM_RAS_TESTMOD_EXIT_SEA:
		inj.type = KVM_ARM_RAS_INJECT_SEA;
		break;
	default:
		return -EINVAL;
	}

	f = fdget(args->vm_fd);
	kvm = vm_from_fd(f);
	if (IS_ERR(kvm))
		ret = PTR_ERR(kvm);
	else
		ret = kvm_arm_ras_inject_arm(kvm, args->vcpu, &inj);
	fdput(f);

	return ret;
}

/**
 * exit_count() - Read how many armed exits a VM has made
 * @args: the request; its count is filled in
 *
 * Return: 0 on success, -EINVAL for non-zero padding or a file that is
 * not a VM, -EBADF.
 */
static int exit_count(struct kvm_ras_testmod_count *args)
{
	struct fd f;
	struct kvm *kvm;
	int ret = 0;

	if (args->pad)
		return -EINVAL;

	f = fdget(args->vm_fd);
	kvm = vm_from_fd(f);
	if (IS_ERR(kvm))
		ret = PTR_ERR(kvm);
	else
		args->count = kvm_arm_ras_inject_count(kvm);
	fdput(f);

	return ret;
}

/**
 * ras_testmod_ioctl() - The ioctls of /dev/kvm_ras_testmod
 * @file: the device file
 * @cmd: KVM_RAS_TESTMOD_*
 * @arg: the user pointer to the argument of @cmd
 *
 * Return: see kvm_ras_testmod.h; -ENOTTY for an unknown @cmd.
 */
static long ras_testmod_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	void __user *argp = (void __user *)arg;
	union {
		struct kvm_ras_testmod_cper cper;
		struct kvm_ras_testmod_exit exit;
		struct kvm_ras_testmod_count count;
	} u;
	long ret;

	if (_IOC_SIZE(cmd) > sizeof(u))
		return -ENOTTY;
	if ((_IOC_DIR(cmd) & _IOC_WRITE) &&
	    copy_from_user(&u, argp, _IOC_SIZE(cmd)))
		return -EFAULT;

	switch (cmd) {
	case KVM_RAS_TESTMOD_SOURCES:
		return sources();
	case KVM_RAS_TESTMOD_WRITE_CPER:
		mutex_lock(&ras_testmod_lock);
		ret = write_cper(&u.cper);
		mutex_unlock(&ras_testmod_lock);
		return ret;
	case KVM_RAS_TESTMOD_CPER_PENDING:
		mutex_lock(&ras_testmod_lock);
		ret = cper_pending(&u.cper);
		mutex_unlock(&ras_testmod_lock);
		return ret;
	case KVM_RAS_TESTMOD_ARM_EXIT:
		return arm_exit(&u.exit);
	case KVM_RAS_TESTMOD_EXIT_COUNT:
		ret = exit_count(&u.count);
		if (!ret && copy_to_user(argp, &u.count, sizeof(u.count)))
			ret = -EFAULT;
		return ret;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ras_testmod_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= ras_testmod_ioctl,
};

static struct miscdevice ras_testmod_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "kvm_ras_testmod",
	.fops	= &ras_testmod_fops,
	.mode	= 0600,
};

module_misc_device(ras_testmod_dev);

MODULE_DESCRIPTION("Firmware-first RAS error and KVM exit injection for selftests");
MODULE_LICENSE("GPL");
