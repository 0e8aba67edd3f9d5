// SPDX-License-Identifier: GPL-2.0
/*
 * vmm_env: does the test VM's kernel give a VMM what it asks for at start?
 *
 * A VMM brought with 'make run EXTRA=' (kvmtool, crosvm, Firecracker,
 * QEMU) sets up its control socket, event loop, guest memory, console and
 * sandbox before it creates a VM. Each check below does one of these the
 * way those VMMs do, and names the kernel option it needs
 * (testbed/config/vmmfw.config), so that a fragment change that drops one
 * fails 'make check' instead of the first user's VMM:
 *
 *   unix_stream     CONFIG_UNIX: kvmtool's control socket
 *                   (~/.lkvm/<name>.sock), Firecracker's API socket,
 *                   QEMU's -qmp unix:
 *   unix_seqpacket  CONFIG_UNIX: crosvm's control socket
 *   eventfd_epoll   CONFIG_EVENTFD, CONFIG_EPOLL: KVM_IRQFD/IOEVENTFD and
 *                   every VMM's event loop
 *   signalfd        CONFIG_SIGNALFD
 *   timerfd         CONFIG_TIMERFD
 *   memfd           CONFIG_MEMFD_CREATE: guest RAM (crosvm, refvmm)
 *   dev_shm         testbed/init's tmpfs on /dev/shm (shm_open)
 *   pty             CONFIG_UNIX98_PTYS and testbed/init's devpts: a guest
 *                   console on a pty (kvmtool --tty, QEMU -serial pty)
 *   seccomp         CONFIG_SECCOMP_FILTER: crosvm's and Firecracker's
 *                   default sandbox
 *
 * Output is TAP; the exit status is the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define TMPFS_MAGIC	0x01021994

/* Each check returns NULL on success, or what failed (errno is kept). */
typedef const char *(*check_fn)(void);

static const char *unix_socket(int type)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int srv, cli, conn;
	char c = 0;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "/tmp/vmm_env.%d.sock",
		 (int)getpid());
	unlink(addr.sun_path);
	srv = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (srv < 0)
		return "socket(AF_UNIX)";
	if (bind(srv, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(srv, 1))
		return "bind/listen";
	cli = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (cli < 0 || connect(cli, (struct sockaddr *)&addr, sizeof(addr)))
		return "connect";
	conn = accept(srv, NULL, NULL);
	if (conn < 0)
		return "accept";
	if (write(cli, "x", 1) != 1 || read(conn, &c, 1) != 1 || c != 'x')
		return "write/read";
	close(conn);
	close(cli);
	close(srv);
	unlink(addr.sun_path);
	return NULL;
}

static const char *check_unix_stream(void)
{
	return unix_socket(SOCK_STREAM);
}

static const char *check_unix_seqpacket(void)
{
	return unix_socket(SOCK_SEQPACKET);
}

/* Wait up to 1 s for fd to be readable through a fresh epoll instance. */
static const char *epoll_wait_one(int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
	int ep = epoll_create1(EPOLL_CLOEXEC);
	int n;

	if (ep < 0)
		return "epoll_create1";
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
		return "epoll_ctl";
	n = epoll_wait(ep, &ev, 1, 1000);
	close(ep);
	if (n != 1 || ev.data.fd != fd)
		return "epoll_wait";
	return NULL;
}

static const char *check_eventfd_epoll(void)
{
	uint64_t v = 1;
	const char *err;
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (fd < 0)
		return "eventfd";
	if (write(fd, &v, sizeof(v)) != sizeof(v))
		return "eventfd write";
	err = epoll_wait_one(fd);
	if (err)
		return err;
	if (read(fd, &v, sizeof(v)) != sizeof(v) || v != 1)
		return "eventfd read";
	close(fd);
	return NULL;
}

static const char *check_signalfd(void)
{
	struct signalfd_siginfo si;
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return "sigprocmask";
	fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (fd < 0)
		return "signalfd";
	if (raise(SIGUSR1))
		return "raise";
	if (read(fd, &si, sizeof(si)) != sizeof(si) || si.ssi_signo != SIGUSR1)
		return "signalfd read";
	close(fd);
	return NULL;
}

static const char *check_timerfd(void)
{
	struct itimerspec its = { .it_value.tv_nsec = 1000000 };
	const char *err;
	uint64_t n;
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);

	if (fd < 0)
		return "timerfd_create";
	if (timerfd_settime(fd, 0, &its, NULL))
		return "timerfd_settime";
	err = epoll_wait_one(fd);
	if (err)
		return err;
	if (read(fd, &n, sizeof(n)) != sizeof(n) || n < 1)
		return "timerfd read";
	close(fd);
	return NULL;
}

static const char *check_memfd(void)
{
	size_t len = 2 << 20;
	int fd = memfd_create("guest-ram", MFD_CLOEXEC);
	char *p;

	if (fd < 0)
		return "memfd_create";
	if (ftruncate(fd, len))
		return "ftruncate";
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return "mmap";
	p[len - 1] = 1;
	munmap(p, len);
	close(fd);
	return NULL;
}

static const char *check_dev_shm(void)
{
	struct statfs st;

	if (statfs("/dev/shm", &st))
		return "statfs(/dev/shm)";
	if (st.f_type != TMPFS_MAGIC) {
		errno = 0;
		return "/dev/shm is not a tmpfs";
	}
	return NULL;
}

static const char *check_pty(void)
{
	char c = 0;
	int m, s;

	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return "posix_openpt";
	if (grantpt(m) || unlockpt(m) || !ptsname(m))
		return "grantpt/unlockpt/ptsname";
	s = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		return "open(ptsname)";
	/* What the guest's UART writes must come out on the other side. */
	if (write(m, "x\n", 2) != 2 || read(s, &c, 1) != 1 || c != 'x')
		return "pty write/read";
	close(s);
	close(m);
	return NULL;
}

/*
 * In a child: install a filter that fails getppid() with EPERM and allows
 * everything else, the shape of a VMM's allow-list.
 */
static int seccomp_child(void)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(insns) / sizeof(insns[0]),
		.filter = insns,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return 1;
	if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return 2;
	/* Through syscall(): glibc's getppid() never sets errno. */
	if (syscall(__NR_getppid) != -1 || errno != EPERM)
		return 3;
	return 0;
}

static const char *check_seccomp(void)
{
	static const char *const what[] = {
		NULL, "prctl(NO_NEW_PRIVS)", "seccomp(SET_MODE_FILTER) in a child",
		"getppid() under the filter did not fail with EPERM",
	};
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return "fork";
	if (!pid)
		_exit(seccomp_child());
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return "waitpid";
	errno = 0;
	if (WEXITSTATUS(status) >= sizeof(what) / sizeof(what[0]))
		return "seccomp child";
	return what[WEXITSTATUS(status)];
}

static const struct {
	const char *name;
	check_fn fn;
} checks[] = {
	{ "unix_stream",	check_unix_stream },
	{ "unix_seqpacket",	check_unix_seqpacket },
	{ "eventfd_epoll",	check_eventfd_epoll },
	{ "signalfd",		check_signalfd },
	{ "timerfd",		check_timerfd },
	{ "memfd",		check_memfd },
	{ "dev_shm",		check_dev_shm },
	{ "pty",		check_pty },
	{ "seccomp",		check_seccomp },
};

int main(void)
{
	int n = sizeof(checks) / sizeof(checks[0]);
	int i, failed = 0;

	printf("TAP version 13\n1..%d\n", n);
	for (i = 0; i < n; i++) {
		const char *err;

		errno = 0;
		err = checks[i].fn();
		if (!err) {
			printf("ok %d %s\n", i + 1, checks[i].name);
			continue;
		}
		printf("not ok %d %s # %s: %s\n", i + 1, checks[i].name, err,
		       errno ? strerror(errno) : "unexpected result");
		failed++;
	}
	fflush(stdout);
	return failed;
}
