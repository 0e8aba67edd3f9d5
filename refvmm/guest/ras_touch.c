// SPDX-License-Identifier: GPL-2.0
/*
 * ras_touch: the guest side of refvmm's RAS scenarios. Static, run as root
 * in the guest with refvmm_test.ko loaded. For each scenario it takes a
 * page of its own, writes a pattern, has the host poison it for real
 * (debugfs refvmm/ras_poison: the module finds the page's guest physical
 * address and calls TESTDEV_POISON), then touches it, and checks what the
 * guest saw:
 *
 *   sdei    the RAS SDEI event's handler read a record with the page's
 *           address; this process runs on and reads a fresh page
 *   serror  the guest took an SError with exactly the VMM's syndrome
 *           (Restartable, UEO); this process runs on
 *   sea     the child that touched the page is killed with SIGBUS; the
 *           guest kernel and this process run on
 *   ao      the page is poisoned and not touched: the VMM reports the
 *           BUS_MCEERR_AO with a record (a latent error) through SDEI, and
 *           the page reads fresh afterwards with no further notification
 *   einval  TESTDEV_POISON refuses two notifications at once
 *
 * Each prints "@@G PASS ras_<name>" or "@@G FAIL ras_<name> <why>", the
 * markers of refvmm/guest/init; tests.d/50-ras plans them. The exit status
 * is the number of failures.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testdev.h"

#define DEBUGFS		"/sys/kernel/debug/refvmm/"
#define PATTERN		0x5a5a5a5a5a5a5a5aULL
#define RAS_SERROR_ESR	0xbe000811ULL	/* ras.h: 0xbe000000 | ISS */
#define CPER_FLAG_PRIMARY	0x01	/* ACPI 6.5 Table 18.12, Flags */
#define CPER_FLAG_LATENT	0x20
#define CPER_MEM_SCRUB_UE	14	/* UEFI 2.10 N.2.5, memory error type */

struct ras_status {
	uint64_t poison_gpa, sdei_gpa, sdei_mask, sdei_pc, serror_esr;
	long sdei_registered, sdei_events, sdei_flags, sdei_type;
	long bad_records, serror_kprobe, serrors;
};

static long page_size;
static int failures;

static void result(const char *name, const char *why)
{
	if (why) {
		printf("@@G FAIL ras_%s %s\n", name, why);
		failures++;
	} else {
		printf("@@G PASS ras_%s\n", name);
	}
	fflush(stdout);
}

static int read_status(struct ras_status *st)
{
	char key[64], val[64];
	unsigned long long v;
	FILE *f = fopen(DEBUGFS "ras_status", "r");

	if (!f)
		return -1;
	memset(st, 0, sizeof(*st));
	while (fscanf(f, "%63s %63s", key, val) == 2) {
		/* strtoull: addresses use all 64 bits */
		v = strtoull(val, NULL, 0);
		if (!strcmp(key, "poison_gpa"))
			st->poison_gpa = v;
		else if (!strcmp(key, "sdei_registered"))
			st->sdei_registered = v;
		else if (!strcmp(key, "sdei_events"))
			st->sdei_events = v;
		else if (!strcmp(key, "sdei_gpa"))
			st->sdei_gpa = v;
		else if (!strcmp(key, "sdei_mask"))
			st->sdei_mask = v;
		else if (!strcmp(key, "sdei_flags"))
			st->sdei_flags = v;
		else if (!strcmp(key, "sdei_type"))
			st->sdei_type = v;
		else if (!strcmp(key, "sdei_pc"))
			st->sdei_pc = v;
		else if (!strcmp(key, "bad_records"))
			st->bad_records = v;
		else if (!strcmp(key, "serror_kprobe"))
			st->serror_kprobe = v;
		else if (!strcmp(key, "serrors"))
			st->serrors = v;
		else if (!strcmp(key, "serror_esr"))
			st->serror_esr = v;
	}
	fclose(f);
	return 0;
}

/* Ask the module to poison the page at @p; 0 or the errno of write() */
static int poison(volatile uint64_t *p, unsigned long flags)
{
	char buf[64];
	int fd, n, ret = 0;

	fd = open(DEBUGFS "ras_poison", O_WRONLY);
	if (fd < 0)
		return errno;
	n = snprintf(buf, sizeof(buf), "%lx %lx", (unsigned long)p, flags);
	if (write(fd, buf, n) != n)
		ret = errno;
	close(fd);
	return ret;
}

static volatile uint64_t *new_page(void)
{
	volatile uint64_t *p;

	p = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* The page must stay where the module found it */
	mlock((void *)p, page_size);
	p[0] = PATTERN;
	p[page_size / 8 - 1] = PATTERN;
	return p;
}

/*
 * Poison *pp, or a fresh page instead while the host answers EBUSY: its
 * memory_failure() gives up on a page whose reference count it cannot
 * settle at that moment (the VMM then reports TESTDEV_BUSY and leaves the
 * page alone), which is no result of the scenario.
 */
static int poison_fresh(volatile uint64_t **pp, unsigned long flags,
			int *busy)
{
	int err, tries;

	for (tries = 0; tries < 5; tries++) {
		err = poison(*pp, flags);
		if (err != EBUSY)
			return err;
		if (busy)
			++*busy;
		*pp = new_page();
		if (!*pp)
			return ENOMEM;
	}
	return err;
}

static char why[256];

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			snprintf(why, sizeof(why), __VA_ARGS__);	\
			return why;					\
		}							\
	} while (0)

static const char *scenario_sdei(void)
{
	struct ras_status before, after;
	volatile uint64_t *p = new_page();
	uint64_t v;
	int err;

	CHECK(p, "mmap: %s", strerror(errno));
	CHECK(!read_status(&before), "no " DEBUGFS "ras_status");
	CHECK(before.sdei_registered, "the RAS SDEI event is not registered");
	err = poison_fresh(&p, TESTDEV_POISON_SDEI, NULL);
	CHECK(!err, "poison: %s", strerror(err));
	v = p[0];	/* consumes the poison: AR, SDEI, page replaced */
	read_status(&after);
	CHECK(after.sdei_events == before.sdei_events + 1,
	      "%ld SDEI RAS events, expected 1",
	      after.sdei_events - before.sdei_events);
	CHECK(!after.bad_records, "%ld bad records", after.bad_records);
	CHECK(after.sdei_gpa == after.poison_gpa,
	      "record gpa %#llx, poisoned %#llx",
	      (unsigned long long)after.sdei_gpa,
	      (unsigned long long)after.poison_gpa);
	CHECK(after.sdei_mask == ~(uint64_t)(page_size - 1),
	      "record address mask %#llx", (unsigned long long)after.sdei_mask);
	CHECK(after.sdei_flags == CPER_FLAG_PRIMARY,
	      "record flags %#lx, expected primary", after.sdei_flags);
	/* The handler interrupted this process, at EL0 */
	CHECK(after.sdei_pc < 0xffff000000000000ULL,
	      "interrupted PC %#llx is not a user address",
	      (unsigned long long)after.sdei_pc);
	CHECK(v != PATTERN, "read the old data after the notification");
	CHECK(v == 0, "a fresh page reads 0, got %#llx",
	      (unsigned long long)v);
	p[1] = 1;
	CHECK(p[1] == 1, "the page is not writable after replacement");
	printf("ras_touch: sdei: gpa %#llx reported, process runs on\n",
	       (unsigned long long)after.sdei_gpa);
	return NULL;
}

static const char *scenario_serror(void)
{
	struct ras_status before, after;
	volatile uint64_t *p = new_page();
	uint64_t v;
	int err;

	CHECK(p, "mmap: %s", strerror(errno));
	CHECK(!read_status(&before), "no " DEBUGFS "ras_status");
	err = poison_fresh(&p, TESTDEV_POISON_SERROR, NULL);
	CHECK(!err, "poison: %s", strerror(err));
	v = p[0];	/* AR, Restartable SError, page replaced, retried */
	read_status(&after);
	CHECK(after.sdei_events == before.sdei_events,
	      "an SDEI event for an SError notification");
	if (after.serror_kprobe) {
		CHECK(after.serrors == before.serrors + 1,
		      "%ld SErrors, expected 1", after.serrors - before.serrors);
		CHECK(after.serror_esr == RAS_SERROR_ESR,
		      "ESR %#llx, expected %#llx",
		      (unsigned long long)after.serror_esr, RAS_SERROR_ESR);
	} else {
		printf("ras_touch: serror: no kprobe, syndrome not checked\n");
	}
	CHECK(v == 0, "a fresh page reads 0, got %#llx",
	      (unsigned long long)v);
	printf("ras_touch: serror: ESR %#llx, process runs on\n",
	       (unsigned long long)after.serror_esr);
	return NULL;
}

static const char *scenario_sea(void)
{
	struct ras_status before, after;
	int status, err;
	pid_t pid;

	CHECK(!read_status(&before), "no " DEBUGFS "ras_status");
	pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		volatile uint64_t *p = new_page();

		if (!p)
			_exit(10);
		signal(SIGBUS, SIG_DFL);
		err = poison_fresh(&p, TESTDEV_POISON_SEA, NULL);
		if (err)
			_exit(11);
		(void)p[0];	/* AR, SEA: the guest kernel kills us */
		_exit(12);
	}
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid: %s", strerror(errno));
	CHECK(!WIFEXITED(status) || WEXITSTATUS(status) != 11,
	      "the child could not poison its page");
	CHECK(!WIFEXITED(status) || WEXITSTATUS(status) != 12,
	      "the child read the poisoned page and lived");
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS,
	      "child status %#x, expected killed by SIGBUS", status);
	read_status(&after);
	CHECK(after.sdei_events == before.sdei_events &&
	      after.serrors == before.serrors,
	      "another notification than the SEA");
	printf("ras_touch: sea: the child was killed by SIGBUS, the guest runs on\n");
	return NULL;
}

static const char *scenario_ao(void)
{
	struct ras_status before, after;
	volatile uint64_t *p = new_page();
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	uint64_t v;
	int err, i, busy = 0;

	CHECK(p, "mmap: %s", strerror(errno));
	CHECK(!read_status(&before), "no " DEBUGFS "ras_status");
	CHECK(before.sdei_registered, "the RAS SDEI event is not registered");
	err = poison_fresh(&p, TESTDEV_POISON_SDEI | TESTDEV_POISON_EARLY,
			   &busy);
	CHECK(!err, "poison: %s", strerror(err));
	/* Do not touch: the AO reaches the VMM's RAS thread on its own */
	/*
	 * A page the host answered EBUSY for may still have been reported
	 * (memory_failure() signals before it fails to unmap): up to one
	 * more event per such page, and the last record is this page's.
	 */
	for (i = 0; i < 500; i++) {
		read_status(&after);
		if (after.sdei_events != before.sdei_events &&
		    after.sdei_gpa == after.poison_gpa)
			break;
		nanosleep(&ts, NULL);
	}
	CHECK(after.sdei_events >= before.sdei_events + 1 &&
	      after.sdei_events <= before.sdei_events + 1 + busy,
	      "%ld SDEI RAS events in 5 s, expected 1 (+%d busy)",
	      after.sdei_events - before.sdei_events, busy);
	CHECK(!after.bad_records, "%ld bad records", after.bad_records);
	CHECK(after.sdei_gpa == after.poison_gpa,
	      "record gpa %#llx, poisoned %#llx",
	      (unsigned long long)after.sdei_gpa,
	      (unsigned long long)after.poison_gpa);
	CHECK(after.sdei_flags == CPER_FLAG_LATENT,
	      "record flags %#lx, expected latent", after.sdei_flags);
	CHECK(after.sdei_type == CPER_MEM_SCRUB_UE,
	      "memory error type %ld, expected scrub uncorrected",
	      after.sdei_type);
	v = p[0];	/* replaced already: no fault, no notification */
	read_status(&before);
	CHECK(before.sdei_events == after.sdei_events &&
	      before.serrors == after.serrors,
	      "a notification for a page already replaced");
	CHECK(v == 0, "a fresh page reads 0, got %#llx",
	      (unsigned long long)v);
	printf("ras_touch: ao: gpa %#llx reported before any access\n",
	       (unsigned long long)after.sdei_gpa);
	return NULL;
}

static const char *scenario_einval(void)
{
	volatile uint64_t *p = new_page();
	int err;

	CHECK(p, "mmap: %s", strerror(errno));
	err = poison(p, TESTDEV_POISON_SDEI | TESTDEV_POISON_SEA);
	CHECK(err == EINVAL, "two notifications: %s, expected EINVAL",
	      strerror(err));
	err = poison(p, 1UL << 20);
	CHECK(err == EINVAL, "unknown flag: %s, expected EINVAL",
	      strerror(err));
	CHECK(p[0] == PATTERN, "the page changed");
	return NULL;
}

static const struct {
	const char *name;
	const char *(*fn)(void);
} scenarios[] = {
	{ "einval", scenario_einval },
	{ "sdei", scenario_sdei },
	{ "serror", scenario_serror },
	{ "sea", scenario_sea },
	{ "ao", scenario_ao },
};

int main(int argc, char **argv)
{
	unsigned int i;
	int j;

	page_size = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		if (argc > 1) {
			for (j = 1; j < argc; j++)
				if (!strcmp(argv[j], scenarios[i].name))
					break;
			if (j == argc)
				continue;
		}
		result(scenarios[i].name, scenarios[i].fn());
	}
	printf("ras_touch: %d failed\n", failures);
	return failures;
}
