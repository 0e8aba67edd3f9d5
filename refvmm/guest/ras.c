// SPDX-License-Identifier: GPL-2.0
/*
 * The RAS part of refvmm's guest test module: what the guest sees of the
 * VMM's RAS notifications (refvmm/ras.c), for the ras_touch program.
 *
 * - SDEI: the handler of SDEI_EV_RAS reads the error records the VMM wrote
 *   into the region /reserved-memory describes (compatible
 *   "refvmm,ras-error-records"), with the kernel's own definitions of the
 *   ACPI 6.5 Generic Error Status Block and Data Entry (actbl1.h) and of
 *   the UEFI CPER Memory Error Section (linux/cper.h), which the VMM does
 *   not share: they are the oracle of its layout. It clears Block Status
 *   once it has read a record, which frees the slot.
 * - SError: a Restartable (UEO) SError is resumed from silently by
 *   do_serror() (arch/arm64/kernel/traps.c); a kprobe on it logs the
 *   syndrome and keeps it for the test.
 * - SEA: nothing here; the guest kernel kills the task (do_sea()).
 *
 * debugfs (refvmm/):
 *   ras_poison  write "<user address> <flags>": the page holding that
 *               address of the writer is poisoned with TESTDEV_POISON
 *               (its guest physical address is found by pinning it)
 *   ras_status  the counters and last values, "name value" lines
 *
 * arm_sdei.c exports nothing to modules: the sdei_* functions are found
 * with refvmm_lookup() (refvmm_guest_test.c).
 */
#include <linux/arm-smccc.h>
#include <linux/arm_sdei.h>
#include <linux/cper.h>
#include <linux/debugfs.h>
#include <linux/io.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include <acpi/actypes.h>
#include <acpi/actbl1.h>

#include "testdev.h"
#include "refvmm_guest.h"

#define RAS_PFX		"refvmm-ras: "
#define RAS_SLOT_SIZE	0x100

static void __iomem *ras_records;	/* cacheable: ioremap_cache() */
static size_t ras_records_size;
static bool ras_sdei_registered;

/* Written by the SDEI handler and the kprobe, read by ras_status */
static atomic_t ras_sdei_events;
static atomic_t ras_bad_records;
static u64 ras_sdei_gpa;
static u64 ras_sdei_mask;
static u8 ras_sdei_flags;
static u8 ras_sdei_type;
static u64 ras_sdei_pc;			/* interrupted PC, from regs */
static atomic_t ras_serrors;
static u64 ras_serror_esr;
static u64 ras_poison_gpa;

static int (*p_sdei_event_register)(u32, sdei_event_callback *, void *);
static int (*p_sdei_event_enable)(u32);
static int (*p_sdei_event_disable)(u32);
static int (*p_sdei_event_unregister)(u32);

/*
 * One record: an ACPI 6.5 18.3.2.7.1 Generic Error Status Block with one
 * Generic Error Data Entry (Table 18.12) of the platform memory section
 * type, whose CPER Memory Error Section (UEFI 2.10 N.2.5) has a valid
 * physical address. Anything else counts as a bad record.
 */
static bool ras_parse_record(void *slot)
{
	struct acpi_hest_generic_status *st = slot;
	struct acpi_hest_generic_data_v300 *gd = (void *)(st + 1);
	struct cper_sec_mem_err *mem = (void *)(gd + 1);
	guid_t type;

	if ((st->block_status & ACPI_HEST_ERROR_ENTRY_COUNT) >> 4 != 1 ||
	    !(st->block_status & ACPI_HEST_UNCORRECTABLE) ||
	    st->data_length != sizeof(*gd) + sizeof(*mem) ||
	    st->error_severity != ACPI_HEST_GEN_ERROR_RECOVERABLE)
		return false;
	import_guid(&type, gd->section_type);
	if (!guid_equal(&type, &CPER_SEC_PLATFORM_MEM) ||
	    gd->revision != 0x300 || gd->error_data_length != sizeof(*mem))
		return false;
	if (!(mem->validation_bits & CPER_MEM_VALID_PA))
		return false;

	WRITE_ONCE(ras_sdei_gpa, mem->physical_addr);
	WRITE_ONCE(ras_sdei_mask,
		   mem->validation_bits & CPER_MEM_VALID_PA_MASK ?
		   mem->physical_addr_mask : 0);
	WRITE_ONCE(ras_sdei_flags, gd->flags);
	WRITE_ONCE(ras_sdei_type,
		   mem->validation_bits & CPER_MEM_VALID_ERROR_TYPE ?
		   mem->error_type : 0xff);
	return true;
}

/*
 * SDEI_EV_RAS: runs in the SDEI handler's NMI-like context (arm_sdei.c),
 * so no lock and no sleep. Reads every slot whose Block Status is set,
 * then clears it.
 */
static int ras_sdei_handler(u32 event, struct pt_regs *regs, void *arg)
{
	size_t off;

	for (off = 0; off + RAS_SLOT_SIZE <= ras_records_size;
	     off += RAS_SLOT_SIZE) {
		void *slot = (void __force *)ras_records + off;
		u32 *status = slot;

		if (!smp_load_acquire(status))
			continue;
		if (!ras_parse_record(slot))
			atomic_inc(&ras_bad_records);
		WRITE_ONCE(ras_sdei_pc, regs->pc);
		smp_store_release(status, 0);
		atomic_inc(&ras_sdei_events);
	}
	return 0;
}

static int ras_serror_pre(struct kprobe *p, struct pt_regs *regs)
{
	/* do_serror(struct pt_regs *regs, unsigned long esr) */
	WRITE_ONCE(ras_serror_esr, regs->regs[1]);
	atomic_inc(&ras_serrors);
	pr_info(RAS_PFX "SError taken, ESR 0x%016llx\n", regs->regs[1]);
	return 0;
}

static struct kprobe ras_serror_kp = {
	.symbol_name = "do_serror",
	.pre_handler = ras_serror_pre,
};
static bool ras_serror_kp_registered;

static int ras_map_records(void)
{
	struct device_node *np;
	struct resource res;
	int ret;

	np = of_find_compatible_node(NULL, NULL, "refvmm,ras-error-records");
	if (!np)
		return -ENODEV;
	ret = of_address_to_resource(np, 0, &res);
	of_node_put(np);
	if (ret)
		return ret;
	/* no-map: not in the linear map, so this maps it Normal cacheable */
	ras_records = ioremap_cache(res.start, resource_size(&res));
	if (!ras_records)
		return -ENOMEM;
	ras_records_size = resource_size(&res);
	pr_info(RAS_PFX "error records at %pa, %zu bytes\n", &res.start,
		ras_records_size);
	return 0;
}

static int ras_sdei_init(void)
{
	int ret;

	p_sdei_event_register = (void *)refvmm_lookup("sdei_event_register");
	p_sdei_event_enable = (void *)refvmm_lookup("sdei_event_enable");
	p_sdei_event_disable = (void *)refvmm_lookup("sdei_event_disable");
	p_sdei_event_unregister = (void *)refvmm_lookup("sdei_event_unregister");
	if (!p_sdei_event_register || !p_sdei_event_enable ||
	    !p_sdei_event_disable || !p_sdei_event_unregister)
		return -ENOENT;

	ret = p_sdei_event_register(SDEI_EV_RAS, ras_sdei_handler, NULL);
	if (ret)
		return ret;
	ret = p_sdei_event_enable(SDEI_EV_RAS);
	if (ret) {
		p_sdei_event_unregister(SDEI_EV_RAS);
		return ret;
	}
	ras_sdei_registered = true;
	return 0;
}

/* The guest physical address of the page holding @uaddr, pinned briefly */
static int ras_user_gpa(unsigned long uaddr, u64 *gpa)
{
	struct page *page;
	int ret;

	ret = pin_user_pages_fast(uaddr & PAGE_MASK, 1, FOLL_WRITE, &page);
	if (ret != 1)
		return ret < 0 ? ret : -EFAULT;
	*gpa = page_to_phys(page);
	unpin_user_page(page);
	return 0;
}

static ssize_t ras_poison_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct arm_smccc_res res;
	unsigned long uaddr, flags;
	char buf[64];
	u64 gpa;
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (sscanf(buf, "%lx %lx", &uaddr, &flags) != 2)
		return -EINVAL;
	ret = ras_user_gpa(uaddr, &gpa);
	if (ret)
		return ret;

	WRITE_ONCE(ras_poison_gpa, gpa);
	arm_smccc_1_1_hvc(TESTDEV_POISON, gpa, flags, &res);
	pr_info(RAS_PFX "TESTDEV_POISON(%#llx, %#lx) = %ld\n", gpa, flags,
		(long)res.a0);
	if ((long)res.a0 == TESTDEV_INVALID_PARAMETERS)
		return -EINVAL;
	if ((long)res.a0 == TESTDEV_BUSY)
		return -EBUSY;
	if ((long)res.a0)
		return -EOPNOTSUPP;
	return count;
}

static const struct file_operations ras_poison_fops = {
	.owner = THIS_MODULE,
	.write = ras_poison_write,
};

static int ras_status_show(struct seq_file *m, void *v)
{
	seq_printf(m, "poison_gpa 0x%llx\n", READ_ONCE(ras_poison_gpa));
	seq_printf(m, "sdei_registered %d\n", ras_sdei_registered);
	seq_printf(m, "sdei_events %d\n", atomic_read(&ras_sdei_events));
	seq_printf(m, "sdei_gpa 0x%llx\n", READ_ONCE(ras_sdei_gpa));
	seq_printf(m, "sdei_mask 0x%llx\n", READ_ONCE(ras_sdei_mask));
	seq_printf(m, "sdei_flags 0x%x\n", READ_ONCE(ras_sdei_flags));
	seq_printf(m, "sdei_type %u\n", READ_ONCE(ras_sdei_type));
	seq_printf(m, "sdei_pc 0x%llx\n", READ_ONCE(ras_sdei_pc));
	seq_printf(m, "bad_records %d\n", atomic_read(&ras_bad_records));
	seq_printf(m, "serror_kprobe %d\n", ras_serror_kp_registered);
	seq_printf(m, "serrors %d\n", atomic_read(&ras_serrors));
	seq_printf(m, "serror_esr 0x%llx\n", READ_ONCE(ras_serror_esr));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ras_status);

int refvmm_ras_init(struct dentry *dir)
{
	int ret;

	ret = ras_map_records();
	if (ret)
		pr_warn(RAS_PFX "no error record region: %d\n", ret);
	else {
		ret = ras_sdei_init();
		if (ret)
			pr_warn(RAS_PFX "SDEI event %#x: %d\n", SDEI_EV_RAS, ret);
		else
			pr_info(RAS_PFX "SDEI event %#x registered and enabled\n",
				SDEI_EV_RAS);
	}

	ret = register_kprobe(&ras_serror_kp);
	if (ret)
		pr_warn(RAS_PFX "no kprobe on do_serror: %d\n", ret);
	else
		ras_serror_kp_registered = true;

	debugfs_create_file("ras_poison", 0200, dir, NULL, &ras_poison_fops);
	debugfs_create_file("ras_status", 0444, dir, NULL, &ras_status_fops);
	return 0;
}

void refvmm_ras_exit(void)
{
	if (ras_serror_kp_registered)
		unregister_kprobe(&ras_serror_kp);
	if (ras_sdei_registered) {
		p_sdei_event_disable(SDEI_EV_RAS);
		/* EINPROGRESS while the handler runs (arm_sdei.h) */
		while (p_sdei_event_unregister(SDEI_EV_RAS) == -EINPROGRESS)
			cpu_relax();
	}
	if (ras_records)
		iounmap(ras_records);
}
