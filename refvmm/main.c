// SPDX-License-Identifier: GPL-2.0
/*
 * refvmm: the reference VMM of vmmfw. It boots a Linux Image on KVM/arm64
 * and plays the guest's firmware (PSCI, SDEI, RAS notifications) through
 * KVM_CAP_ARM_SMCCC_FORWARD and KVM_CAP_SYNC_REGS. See refvmm/README and
 * vmm.h.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "fdt.h"
#include "vmm.h"

#define DEFAULT_CMDLINE	"console=ttyS0 earlycon panic=-1"
#define SZ_2M		0x200000UL

static struct vm the_vm;

static const char usage[] =
"usage: refvmm -k IMAGE [options]\n"
"  -k, --kernel IMAGE      arm64 Linux Image to boot\n"
"  -i, --initrd FILE       initramfs\n"
"  -a, --append ARGS       appended to the kernel command line (repeatable)\n"
"                          (" DEFAULT_CMDLINE ")\n"
"  -c, --cpus N            vCPUs, 1-4 (2)\n"
"  -m, --memory SIZE       guest RAM, e.g. 256M, 1G (256M)\n"
"      --regs=sync|onereg  register access: kvm_run sync regs (default) or\n"
"                          KVM_GET/SET_ONE_REG\n"
"      --ras-notify=HOW    how RAS errors reach the guest (ras.c)\n"
"      --stats             per-vCPU ioctl counters on stderr at exit\n"
"      --testdev           the test device (refvmm/testdev.h), for tests only:\n"
"                          the guest can make the host poison its memory\n"
"The guest console is stdin/stdout. Exit status: 0 after PSCI SYSTEM_OFF,\n"
"2 after SYSTEM_RESET (refvmm does not reboot), 1 on an error.\n";

struct options {
	const char *kernel, *initrd, *append;
	bool stats;
};

/* --- the arm64 boot protocol (Documentation/arch/arm64/booting.rst) --------- */
struct arm64_image_header {
	uint32_t code0, code1;
	uint64_t text_offset;	/* little-endian */
	uint64_t image_size;
	uint64_t flags;
	uint64_t res2, res3, res4;
	uint32_t magic;		/* "ARM\x64" */
	uint32_t res5;
};

#define ARM64_IMAGE_MAGIC	0x644d5241

static uint64_t file_size(int fd, const char *path)
{
	struct stat st;

	if (fstat(fd, &st))
		vmm_die("%s: %m", path);
	return st.st_size;
}

static void read_into(struct vm *vm, const char *path, uint64_t gpa,
		      uint64_t size)
{
	uint8_t *p = vm_gpa_to_hva(vm, gpa, size);
	int fd = open(path, O_RDONLY);
	uint64_t done = 0;
	ssize_t n;

	if (fd < 0)
		vmm_die("%s: %m", path);
	if (!p)
		vmm_die("%s does not fit in guest RAM", path);
	while (done < size) {
		n = read(fd, p + done, size - done);
		if (n <= 0)
			vmm_die("%s: short read", path);
		done += n;
	}
	close(fd);
}

struct boot_layout {
	uint64_t kernel_entry, kernel_end;
	uint64_t initrd_start, initrd_end;
	uint64_t dtb;
};

/*
 * The kernel at the start of RAM (2 MiB aligned) + text_offset; the DTB
 * 2 MiB below the firmware area at the top of RAM; the initrd below it.
 */
static void load_images(struct vm *vm, const struct options *o,
			struct boot_layout *b)
{
	struct arm64_image_header h;
	uint64_t ksize, isize = 0, top;
	int fd;

	fd = open(o->kernel, O_RDONLY);
	if (fd < 0)
		vmm_die("%s: %m", o->kernel);
	ksize = file_size(fd, o->kernel);
	if (read(fd, &h, sizeof(h)) != sizeof(h) ||
	    le32toh(h.magic) != ARM64_IMAGE_MAGIC)
		vmm_die("%s: not an arm64 Image", o->kernel);
	close(fd);

	b->kernel_entry = GPA_RAM + le64toh(h.text_offset);
	b->kernel_end = b->kernel_entry +
			(h.image_size ? le64toh(h.image_size) : ksize);
	read_into(vm, o->kernel, b->kernel_entry, ksize);

	top = GPA_RAM + vm->ram_size - VMM_FW_SIZE;
	b->dtb = (top - SZ_2M) & ~(SZ_2M - 1);
	b->initrd_start = b->initrd_end = 0;
	if (o->initrd) {
		fd = open(o->initrd, O_RDONLY);
		if (fd < 0)
			vmm_die("%s: %m", o->initrd);
		isize = file_size(fd, o->initrd);
		close(fd);
		b->initrd_start = (b->dtb - isize) & ~0xfffUL;
		b->initrd_end = b->initrd_start + isize;
		read_into(vm, o->initrd, b->initrd_start, isize);
	}
	if ((b->initrd_start ? b->initrd_start : b->dtb) < b->kernel_end)
		vmm_die("guest RAM too small for the kernel and initrd");
}

/* --- the device tree -------------------------------------------------------- */
static void fdt_cpus(struct vm *vm, struct fdt *fdt)
{
	char name[32];
	int i;

	fdt_begin_node(fdt, "cpus");
	fdt_prop_u32(fdt, "#address-cells", 1);
	fdt_prop_u32(fdt, "#size-cells", 0);
	for (i = 0; i < vm->nr_vcpus; i++) {
		uint32_t reg = vm->vcpus[i].mpidr & 0xffffff;

		snprintf(name, sizeof(name), "cpu@%x", reg);
		fdt_begin_node(fdt, name);
		fdt_prop_str(fdt, "device_type", "cpu");
		fdt_prop_str(fdt, "compatible", "arm,armv8");
		fdt_prop_u32(fdt, "reg", reg);
		fdt_prop_str(fdt, "enable-method", "psci");
		fdt_end_node(fdt);
	}
	fdt_end_node(fdt);
}

/* Interrupt specifiers of arm,gic-v3: type (0 SPI, 1 PPI), number, flags */
#define GIC_SPI		0
#define GIC_PPI		1
#define IRQ_LEVEL_HIGH	4

static void *build_fdt(struct vm *vm, const struct options *o,
		       const struct boot_layout *b, size_t *size)
{
	static const char psci_compat[] = "arm,psci-1.0\0arm,psci-0.2";
	struct fdt *fdt = fdt_create();
	uint32_t gic = fdt_phandle(fdt);
	struct vmm_unit *u;
	char *cmdline;
	uint32_t irqs[12];
	int i;

	if (asprintf(&cmdline, "%s%s%s", DEFAULT_CMDLINE, o->append ? " " : "",
		     o->append ? o->append : "") < 0)
		vmm_die("out of memory");

	fdt_begin_node(fdt, "");
	fdt_prop_str(fdt, "compatible", "linux,dummy-virt");
	fdt_prop_u32(fdt, "#address-cells", 2);
	fdt_prop_u32(fdt, "#size-cells", 2);
	fdt_prop_u32(fdt, "interrupt-parent", gic);

	fdt_begin_node(fdt, "chosen");
	fdt_prop_str(fdt, "bootargs", cmdline);
	fdt_prop_str(fdt, "stdout-path", "/uart@9000000");
	if (b->initrd_start) {
		fdt_prop_u64(fdt, "linux,initrd-start", b->initrd_start);
		fdt_prop_u64(fdt, "linux,initrd-end", b->initrd_end);
	}
	fdt_end_node(fdt);

	fdt_begin_node(fdt, "memory@80000000");
	fdt_prop_str(fdt, "device_type", "memory");
	fdt_prop_reg64(fdt, "reg", GPA_RAM, vm->ram_size);
	fdt_end_node(fdt);

	fdt_cpus(vm, fdt);

	fdt_begin_node(fdt, "psci");
	fdt_prop(fdt, "compatible", psci_compat, sizeof(psci_compat));
	fdt_prop_str(fdt, "method", "hvc");
	fdt_end_node(fdt);

	fdt_begin_node(fdt, "intc@8000000");
	fdt_prop_str(fdt, "compatible", "arm,gic-v3");
	fdt_prop_u32(fdt, "#interrupt-cells", 3);
	fdt_prop_empty(fdt, "interrupt-controller");
	fdt_prop_cells(fdt, "reg", 8, 0, (uint32_t)GPA_GICD, 0,
		       (uint32_t)GICD_SIZE, 0, (uint32_t)GPA_GICR, 0,
		       (uint32_t)(GICR_SIZE_PER_CPU * vm->nr_vcpus));
	fdt_prop_u32(fdt, "phandle", gic);
	fdt_end_node(fdt);

	/* Secure, non-secure, virtual, hypervisor physical timer PPIs */
	fdt_begin_node(fdt, "timer");
	fdt_prop_str(fdt, "compatible", "arm,armv8-timer");
	for (i = 0; i < 4; i++) {
		static const uint32_t ppi[] = { 13, 14, 11, 10 };

		irqs[3 * i] = htobe32(GIC_PPI);
		irqs[3 * i + 1] = htobe32(ppi[i]);
		irqs[3 * i + 2] = htobe32(IRQ_LEVEL_HIGH);
	}
	fdt_prop(fdt, "interrupts", irqs, sizeof(irqs));
	fdt_prop_empty(fdt, "always-on");
	fdt_end_node(fdt);

	fdt_begin_node(fdt, "uart@9000000");
	fdt_prop_str(fdt, "compatible", "ns16550a");
	fdt_prop_reg64(fdt, "reg", GPA_UART, UART_SIZE);
	fdt_prop_cells(fdt, "interrupts", 3, GIC_SPI, UART_SPI, IRQ_LEVEL_HIGH);
	fdt_prop_u32(fdt, "clock-frequency", 1843200);
	fdt_end_node(fdt);

	for (u = vmm_units; u; u = u->next)
		if (u->fdt)
			u->fdt(vm, fdt);

	fdt_end_node(fdt);
	free(cmdline);
	return fdt_finish(fdt, size);
}

/* --- the console ---------------------------------------------------------- */
static struct termios saved_tty;
static bool tty_raw;

static void tty_restore(void)
{
	if (tty_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
}

static void on_fatal_signal(int sig)
{
	tty_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * An interactive guest shell: the guest echoes and edits lines itself, so
 * the host tty passes keys through at once. Ctrl-C still ends refvmm.
 */
static void tty_setup(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty))
		return;
	t = saved_tty;
	t.c_lflag &= ~(ICANON | ECHO | ECHONL | IEXTEN);
	t.c_iflag &= ~(ICRNL | IXON);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t))
		return;
	tty_raw = true;
	atexit(tty_restore);
	signal(SIGINT, on_fatal_signal);
	signal(SIGTERM, on_fatal_signal);
}

/* --- setup ------------------------------------------------------------------ */
static void kick_handler(int sig)
{
}

static void setup_signals(void)
{
	struct sigaction sa = { .sa_handler = kick_handler };
	sigset_t set;

	/* blocked everywhere but inside KVM_RUN (vcpu.c) */
	sigaction(VCPU_KICK_SIGNAL, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	switch (*end) {
	case 'G': case 'g':
		v <<= 10;
		/* fall through */
	case 'M': case 'm':
		v <<= 10;
		/* fall through */
	case 'K': case 'k':
		v <<= 10;
		end++;
		break;
	}
	if (*end || !v)
		vmm_die("bad size '%s'", s);
	return v;
}

static void check_caps(struct vm *vm)
{
	int r;

	r = ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_SMCCC_FORWARD);
	if (r <= 0 || !(r & KVM_ARM_SMCCC_FWD_HVC))
		vmm_die("KVM_CAP_ARM_SMCCC_FORWARD is missing: a vmmfw kernel is needed");
	if (vm->regs_mode == REGS_SYNC) {
		r = ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
		if (r <= 0 || !(r & KVM_SYNC_ARM64_REGS))
			vmm_die("KVM_CAP_SYNC_REGS has no KVM_SYNC_ARM64_REGS: use --regs=onereg");
	}
}

static void print_stats(struct vm *vm)
{
	int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu_stats *s = &vm->vcpus[i].stats;

		fprintf(stderr, "refvmm: vcpu%d: %llu ioctls, %llu KVM_RUN, %llu exits, %llu hypercalls\n",
			i, (unsigned long long)s->ioctls,
			(unsigned long long)s->runs,
			(unsigned long long)s->exits,
			(unsigned long long)s->hypercalls);
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "memory", required_argument, NULL, 'm' },
		{ "regs", required_argument, NULL, 'r' },
		{ "ras-notify", required_argument, NULL, 'R' },
		{ "stats", no_argument, NULL, 's' },
		{ "testdev", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct options o = { };
	struct vm *vm = &the_vm;
	struct boot_layout b;
	struct vmm_unit *u;
	char *append;
	size_t dtb_size;
	void *dtb;
	int opt, i, status;

	vm->nr_vcpus = 2;
	vm->ram_size = 256UL << 20;
	vm->regs_mode = REGS_SYNC;
	pthread_mutex_init(&vm->stop_lock, NULL);
	pthread_cond_init(&vm->stop_cond, NULL);

	while ((opt = getopt_long(argc, argv, "k:i:a:c:m:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			o.kernel = optarg;
			break;
		case 'i':
			o.initrd = optarg;
			break;
		case 'a':
			/* repeatable: the arguments add up */
			if (o.append && asprintf(&append, "%s %s", o.append, optarg) < 0)
				vmm_die("out of memory");
			o.append = o.append ? append : optarg;
			break;
		case 'c':
			vm->nr_vcpus = atoi(optarg);
			if (vm->nr_vcpus < 1 || vm->nr_vcpus > VMM_MAX_VCPUS)
				vmm_die("--cpus: 1 to %d", VMM_MAX_VCPUS);
			break;
		case 'm':
			vm->ram_size = parse_size(optarg);
			if (vm->ram_size & 0xfff || vm->ram_size < (16UL << 20))
				vmm_die("--memory: at least 16M, a multiple of 4K");
			break;
		case 'r':
			if (!strcmp(optarg, "sync"))
				vm->regs_mode = REGS_SYNC;
			else if (!strcmp(optarg, "onereg"))
				vm->regs_mode = REGS_ONEREG;
			else
				vmm_die("--regs: sync or onereg");
			break;
		case 'R':
			vm->ras_notify = optarg;
			break;
		case 's':
			o.stats = true;
			break;
		case 'T':
			vm->testdev = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return VMM_EXIT_ERROR;
		}
	}
	if (!o.kernel || optind != argc) {
		fputs(usage, stderr);
		return VMM_EXIT_ERROR;
	}

	setup_signals();
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		vmm_die("/dev/kvm: %m");
	vm->fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		vmm_die("KVM_CREATE_VM: %m");
	check_caps(vm);
	vm_setup_memory(vm);

	if (ioctl(vm->fd, KVM_ARM_PREFERRED_TARGET, &vm->vcpu_init))
		vmm_die("KVM_ARM_PREFERRED_TARGET: %m");
	vm->vcpu_init.features[0] |= 1U << KVM_ARM_VCPU_PSCI_0_2;
	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_create(vm, i);
	vm_create_gic(vm);
	vm_init_gic(vm);

	/* The units add their SMCCC ranges before any vCPU has run */
	for (u = vmm_units; u; u = u->next)
		if (u->init && u->init(vm))
			vmm_die("unit %s failed to start", u->name);

	load_images(vm, &o, &b);
	dtb = build_fdt(vm, &o, &b, &dtb_size);
	if (dtb_size > SZ_2M)
		vmm_die("DTB too large");
	memcpy(vm_gpa_to_hva(vm, b.dtb, dtb_size), dtb, dtb_size);
	free(dtb);

	/* Boot protocol: x0 = DTB, x1-x3 = 0, at the Image's entry */
	vcpu_set_entry(&vm->vcpus[0], b.kernel_entry, b.dtb);

	tty_setup();
	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_start(&vm->vcpus[i]);
	uart_start_input(vm);

	status = vm_wait_stop(vm);
	if (o.stats)
		print_stats(vm);
	fflush(stdout);
	exit(status);
}
