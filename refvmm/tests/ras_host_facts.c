// SPDX-License-Identifier: GPL-2.0
/*
 * ras_host_facts: the host kernel behaviour refvmm/ras.c is built on,
 * checked on a memfd without KVM (run as root in the test VM, on each
 * base). TAP output.
 *
 * 1. madvise(MADV_HWPOISON) from a forked child that shares a MAP_SHARED
 *    memfd mapping: the child gets BUS_MCEERR_AR for its own address
 *    (memory_failure() with MF_ACTION_REQUIRED, task_early_kill() returns
 *    current for its own mm); the parent's thread that set
 *    PR_MCE_KILL_EARLY gets BUS_MCEERR_AO for the parent's address; the
 *    parent's other threads get nothing.
 * 2. An access through the parent's mapping then gets BUS_MCEERR_AR.
 * 3. shmem keeps the poisoned folio in the page cache: read() fails with
 *    EIO until the range is punched out (FALLOC_FL_PUNCH_HOLE).
 * 4. After the punch the old mapping still raises BUS_MCEERR_AR (the
 *    hwpoison page table entry survives the punch); a MAP_FIXED mapping of
 *    the same range replaces it, and the page reads 0.
 * 5. madvise(MADV_HWPOISON) from a second thread of the same process: only
 *    that thread gets a signal, an AR; the early-kill thread gets no AO.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NR_PAGES	8

struct sigbus_event {
	pid_t tid;
	int code;
	void *addr;
};

static struct sigbus_event events[16];
static volatile int nr_events;
static __thread sigjmp_buf *recover;
static long pg;
static int test_nr, failed;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	int i = __atomic_fetch_add(&nr_events, 1, __ATOMIC_SEQ_CST);

	if (i < 16) {
		events[i].tid = syscall(SYS_gettid);
		events[i].code = si->si_code;
		events[i].addr = si->si_addr;
	}
	if (recover)
		siglongjmp(*recover, 1);
}

static void ok(int cond, const char *what)
{
	printf("%sok %d %s\n", cond ? "" : "not ", ++test_nr, what);
	if (!cond)
		failed++;
}

/* 0 if the load worked, -1 if it raised SIGBUS */
static int load(volatile char *p, char *val)
{
	sigjmp_buf b;

	recover = &b;
	if (sigsetjmp(b, 1)) {
		recover = NULL;
		return -1;
	}
	*val = *p;
	recover = NULL;
	return 0;
}

static pid_t early_tid;
static volatile int stop;

static void *early_thread(void *arg)
{
	(void)arg;
	if (prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0))
		perror("prctl");
	__atomic_store_n(&early_tid, syscall(SYS_gettid), __ATOMIC_SEQ_CST);
	while (!stop)
		usleep(1000);
	return NULL;
}

static void *poison_thread(void *addr)
{
	return (void *)(long)madvise(addr, pg, MADV_HWPOISON);
}

static int only_event(pid_t tid, int code, void *addr)
{
	return nr_events == 1 && events[0].tid == tid &&
	       events[0].code == code && events[0].addr == addr;
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus,
				.sa_flags = SA_SIGINFO };
	pid_t self = syscall(SYS_gettid);
	char *ram, *page, buf[8], v;
	pthread_t early, t;
	void *ret;
	int fd, status;
	pid_t pid;

	pg = sysconf(_SC_PAGESIZE);
	printf("TAP version 13\n1..10\n");
	fd = memfd_create("guest-ram", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, NR_PAGES * pg)) {
		printf("Bail out! memfd: %s\n", strerror(errno));
		return 1;
	}
	ram = mmap(NULL, NR_PAGES * pg, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	if (ram == MAP_FAILED) {
		printf("Bail out! mmap: %s\n", strerror(errno));
		return 1;
	}
	memset(ram, 0x5a, NR_PAGES * pg);	/* dirty: signals are sent */
	sigaction(SIGBUS, &sa, NULL);
	pthread_create(&early, NULL, early_thread, NULL);
	while (!__atomic_load_n(&early_tid, __ATOMIC_SEQ_CST))
		usleep(1000);

	/* 1 */
	page = ram + pg;
	pid = fork();
	if (!pid) {
		int r = madvise(page, pg, MADV_HWPOISON);

		_exit(r ? 100 + errno :
		      only_event(syscall(SYS_gettid), BUS_MCEERR_AR, page) ?
		      0 : 99);
	}
	waitpid(pid, &status, 0);
	usleep(20000);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "the poisoning child gets BUS_MCEERR_AR for its address");
	ok(only_event(early_tid, BUS_MCEERR_AO, page),
	   "only the early-kill thread gets BUS_MCEERR_AO, for its address");
	nr_events = 0;

	/* 2 */
	ok(load(page, &v) == -1 && only_event(self, BUS_MCEERR_AR, page),
	   "an access through the mapping gets BUS_MCEERR_AR");
	nr_events = 0;

	/* 3 */
	ok(pread(fd, buf, 8, pg) == -1 && errno == EIO,
	   "read() of the poisoned page fails with EIO");
	ok(!fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, pg, pg) &&
	   pread(fd, buf, 8, pg) == 8 && buf[0] == 0,
	   "after FALLOC_FL_PUNCH_HOLE, read() gives a fresh page");

	/* 4 */
	ok(load(page, &v) == -1 && only_event(self, BUS_MCEERR_AR, page),
	   "the old mapping still raises BUS_MCEERR_AR after the punch");
	nr_events = 0;
	ok(mmap(page, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
		pg) == page && load(page, &v) == 0 && v == 0 && !nr_events,
	   "a MAP_FIXED mapping over it reads a fresh page");
	ok(page[pg] == 0x5a && ram[0] == 0x5a,
	   "the neighbouring pages are untouched");

	/* 5 */
	page = ram + 3 * pg;
	pthread_create(&t, NULL, poison_thread, page);
	pthread_join(t, &ret);
	usleep(20000);
	ok(!ret, "madvise(MADV_HWPOISON) from a second thread");
	ok(nr_events == 1 && events[0].tid != early_tid &&
	   events[0].tid != self && events[0].code == BUS_MCEERR_AR,
	   "only the poisoning thread gets a signal, an AR; no AO to the process");

	stop = 1;
	pthread_join(early, NULL);
	printf("# %d failed\n", failed);
	return failed ? 1 : 0;
}
