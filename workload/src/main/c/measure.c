/*
 * The measuring subcommands. Each runs its workload, then prints one JSON line: overhead inside a sandbox
 * is measured by the workload itself, the same way on every backend.
 *
 * Clocks: wall time is CLOCK_MONOTONIC, cpu time CLOCK_PROCESS_CPUTIME_ID. Rates are MiB per second.
 */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define NS_PER_MS 1e6
#define NS_PER_US 1e3

static double seconds(int64_t ns)
{
	return (double)ns / 1e9;
}

static double mib_per_s(double mib, int64_t ns)
{
	return mib / seconds(ns);
}

static void *xmalloc(size_t size)
{
	void *p = malloc(size);
	if (p == NULL)
		fail("malloc %zu bytes", size);
	return p;
}

/* The mean, median and 99th percentile of n latency samples in microseconds (sorts them). */
static void json_latencies(double *us, size_t n)
{
	double total = 0;
	for (size_t i = 0; i < n; i++)
		total += us[i];
	json_num("mean_us", total / (double)n);
	json_num("median_us", percentile(us, n, 50));
	json_num("p99_us", percentile(us, n, 99));
}

/* Wait for pid, resuming after signals; its wait status. */
static int wait_child(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			fail("waitpid %ld", (long)pid);
	return status;
}

/* ---------------------------------------------------------------- burn: CPU quota check */

int cmd_burn(int argc, char **argv)
{
	(void)argc;
	int64_t ms = (int64_t)parse_u64(argv[1], "MS", 0, 86400000);
	int64_t cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	int64_t t0 = now_ns(CLOCK_MONOTONIC), t;
	/* Under a CPU quota the scheduler takes the core away part of the time: wall time goes on, cpu
	 * time does not, and cpu_ms / wall_ms is the share granted. */
	while ((t = now_ns(CLOCK_MONOTONIC)) < t0 + ms * 1000000)
		;
	int64_t cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0;

	json_begin("burn");
	json_int("ms", ms);
	json_num("wall_ms", (double)(t - t0) / NS_PER_MS);
	json_num("cpu_ms", (double)cpu / NS_PER_MS);
	json_end();
	return 0;
}

/* ---------------------------------------------------------------- cpu: fixed compute work */

/* One unit of `cpu` work: this many iterations of the loop below (a few ms on a current x86 core). */
#define CPU_OPS_PER_UNIT (UINT64_C(1) << 20)

/*
 * Integer and floating-point work with a loop-carried dependency, so it can be neither vectorised nor
 * skipped, and a checksum, so it cannot be optimised away and its result can be compared across
 * backends and machines. Only IEEE-exact operations (no libm), and no fused multiply-add (the Makefile
 * passes -ffp-contract=off; each statement has one operation for compilers that fuse within one), so the
 * checksum is the same on every conforming platform.
 */
static uint64_t cpu_work(uint64_t ops)
{
	uint64_t x = UINT64_C(0x9E3779B97F4A7C15);
	double f = 0.0;
	for (uint64_t i = 0; i < ops; i++) {
		x ^= x >> 12; /* xorshift64* */
		x ^= x << 25;
		x ^= x >> 27;
		uint64_t r = x * UINT64_C(0x2545F4914F6CDD1D);
		double half = f * 0.5;
		f = half + (double)(r >> 11) * 0x1p-53; /* stays in [0, 2): never denormal, never infinite */
	}
	uint64_t bits;
	memcpy(&bits, &f, sizeof(bits));
	return x ^ bits;
}

int cmd_cpu(int argc, char **argv)
{
	(void)argc;
	uint64_t units = parse_u64(argv[1], "N", 1, UINT64_C(1) << 32);
	uint64_t ops = units * CPU_OPS_PER_UNIT;
	int64_t cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID), t0 = now_ns(CLOCK_MONOTONIC);
	uint64_t checksum = cpu_work(ops);
	int64_t wall = now_ns(CLOCK_MONOTONIC) - t0, cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0;

	char hex[17];
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)checksum);
	json_begin("cpu");
	json_uint("n", units);
	json_uint("ops", ops);
	json_num("seconds", seconds(wall));
	json_num("cpu_seconds", seconds(cpu));
	json_num("ops_per_sec", (double)ops / seconds(wall));
	json_str("checksum", hex);
	json_end();
	return 0;
}

/* ---------------------------------------------------------------- mem: STREAM-like bandwidth */

#define MEM_REPEATS 5

int cmd_mem(int argc, char **argv)
{
	(void)argc;
	uint64_t mb = parse_u64(argv[1], "MB", 1, UINT64_C(1) << 20);
	/* Three arrays of doubles sharing the MB, as STREAM's a, b and c. */
	size_t n = (size_t)(mb * MIB / (3 * sizeof(double)));
	double *a = xmalloc(n * sizeof(double)), *b = xmalloc(n * sizeof(double)),
	       *c = xmalloc(n * sizeof(double));
	keep(a), keep(b), keep(c); /* escaped: the stores below must happen, and in the timed windows */

	/* First touch: page faults, and whatever the sandbox adds to them (cgroup charging, EPT). */
	int64_t t0 = now_ns(CLOCK_MONOTONIC);
	for (size_t i = 0; i < n; i++) {
		a[i] = 1.0;
		b[i] = 2.0;
		c[i] = 0.0;
	}
	int64_t touch = now_ns(CLOCK_MONOTONIC) - t0;

	/* Best of MEM_REPEATS, as STREAM reports: the least disturbed run is the bandwidth. */
	int64_t copy = INT64_MAX, triad = INT64_MAX;
	for (int r = 0; r < MEM_REPEATS; r++) {
		int64_t t = now_ns(CLOCK_MONOTONIC);
		for (size_t i = 0; i < n; i++)
			c[i] = a[i];
		keep(c);
		int64_t t1 = now_ns(CLOCK_MONOTONIC);
		for (size_t i = 0; i < n; i++) {
			double scaled = 3.0 * c[i];
			a[i] = b[i] + scaled;
		}
		keep(a);
		int64_t t2 = now_ns(CLOCK_MONOTONIC);
		copy = t1 - t < copy ? t1 - t : copy;
		triad = t2 - t1 < triad ? t2 - t1 : triad;
	}
	double array_mib = (double)(n * sizeof(double)) / (double)MIB;

	json_begin("mem");
	json_uint("mb", mb);
	json_num("touch_ms", (double)touch / NS_PER_MS);
	json_num("copy_mb_s", mib_per_s(2 * array_mib, copy));   /* read a, write c */
	json_num("triad_mb_s", mib_per_s(3 * array_mib, triad)); /* read b and c, write a */
	json_end();
	free(a), free(b), free(c);
	return 0;
}

/* ---------------------------------------------------------------- syscall: kernel entry cost */

int cmd_syscall(int argc, char **argv)
{
	(void)argc;
	uint64_t n = parse_u64(argv[1], "N", 1, UINT64_C(1) << 40);
	/* getppid: no arguments, no locks, never cached by libc (glibc caches getpid in some versions);
	 * called through syscall(2) so no wrapper can answer it in user space. Under gVisor or a
	 * seccomp filter, this is where the extra cost shows. */
	int64_t t0 = now_ns(CLOCK_MONOTONIC);
	for (uint64_t i = 0; i < n; i++)
		syscall(SYS_getppid);
	int64_t t = now_ns(CLOCK_MONOTONIC) - t0;

	json_begin("syscall");
	json_uint("n", n);
	json_str("syscall", "getppid");
	json_num("ns_per_call", (double)t / (double)n);
	json_end();
	return 0;
}

/* ---------------------------------------------------------------- spawn: fork + exec + wait */

/* One fork, exec of `exe true`, wait; nanoseconds. */
static int64_t spawn_once(const char *exe)
{
	int64_t t0 = now_ns(CLOCK_MONOTONIC);
	pid_t pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		char *args[] = {(char *)"isolab-probe", (char *)"true", NULL};
		execvp(exe, args); /* a path with '/' is used as is; a bare argv[0] is looked up on PATH */
		fprintf(stderr, "isolab-probe: spawn: exec %s: %s\n", exe, strerror(errno));
		_exit(127);
	}
	int status = wait_child(pid);
	int64_t t = now_ns(CLOCK_MONOTONIC) - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("%s true did not exit 0 (wait status 0x%x)", exe, (unsigned)status);
	return t;
}

int cmd_spawn(int argc, char **argv)
{
	(void)argc;
	uint64_t n = parse_u64(argv[1], "N", 1, 10000000);
	/* /proc/self/exe is this very binary whatever the root or PATH; a sandbox without /proc leaves
	 * argv[0] (a path when the probe was started by path, else looked up on PATH as the shell did). */
	const char *exe = access("/proc/self/exe", X_OK) == 0 ? "/proc/self/exe" : probe_argv0;
	double *us = xmalloc(n * sizeof(double));
	flush_stdout(); /* nothing buffered may be written twice by the children */
	spawn_once(exe); /* unmeasured: checks the exec works and warms the page cache */
	for (uint64_t i = 0; i < n; i++)
		us[i] = (double)spawn_once(exe) / NS_PER_US;

	json_begin("spawn");
	json_uint("n", n);
	json_str("exe", exe);
	json_latencies(us, n);
	json_end();
	free(us);
	return 0;
}

/* ---------------------------------------------------------------- io: file write, fsync, read */

struct io_result {
	int64_t write_ns, fsync_ns, read_ns;
	bool direct;
};

/* Switch O_DIRECT on or off for fd; whether it is now on. */
static bool set_direct(int fd, bool on)
{
#ifdef O_DIRECT
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return false;
	flags = on ? flags | O_DIRECT : flags & ~O_DIRECT;
	return fcntl(fd, F_SETFL, flags) == 0 && on;
#else
	(void)fd, (void)on;
	return false;
#endif
}

/* Read from the start to EOF in chunks of MIB; the byte count, or -1 with errno. */
static int64_t read_to_end(int fd, char *buf)
{
	if (lseek(fd, 0, SEEK_SET) != 0)
		return -1;
	int64_t total = 0;
	for (;;) {
		ssize_t n = read(fd, buf, MIB);
		if (n == 0)
			return total;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		total += n;
	}
}

/* The measured part of io; NULL, or the step that failed with errno set. */
static const char *io_run(int fd, char *buf, uint64_t mb, struct io_result *r)
{
	int64_t t0 = now_ns(CLOCK_MONOTONIC);
	for (uint64_t i = 0; i < mb; i++)
		if (write_all(fd, buf, MIB) != 0)
			return "write";
	int64_t t1 = now_ns(CLOCK_MONOTONIC);
	if (fsync(fd) != 0)
		return "fsync";
	int64_t t2 = now_ns(CLOCK_MONOTONIC);
	r->write_ns = t1 - t0;
	r->fsync_ns = t2 - t1;

	/*
	 * Reading back what was just written would measure the page cache, and dropping it needs root.
	 * O_DIRECT bypasses it where the file system supports it (not tmpfs on older kernels, where
	 * F_SETFL or the first read says EINVAL); otherwise this is a buffered read, and says so.
	 */
	r->direct = set_direct(fd, true);
	int64_t t3 = now_ns(CLOCK_MONOTONIC);
	int64_t got = read_to_end(fd, buf);
	if (got < 0 && errno == EINVAL && r->direct) {
		r->direct = set_direct(fd, false);
		t3 = now_ns(CLOCK_MONOTONIC);
		got = read_to_end(fd, buf);
	}
	r->read_ns = now_ns(CLOCK_MONOTONIC) - t3;
	if (got < 0)
		return "read";
	if ((uint64_t)got != mb * MIB) {
		errno = EIO;
		return "short read back from";
	}
	return NULL;
}

int cmd_io(int argc, char **argv)
{
	uint64_t mb = parse_u64(argv[1], "MB", 1, UINT64_C(1) << 20);
	const char *dir = argc > 2 ? argv[2] : "/tmp";
	char path[4096];
	if ((size_t)snprintf(path, sizeof(path), "%s/isolab-probe-io.%ld", dir, (long)getpid()) >= sizeof(path))
		usage_error("DIR is too long");

	/* O_DIRECT wants aligned buffers. Non-zero, varied bytes: compressing file systems (ZFS, btrfs)
	 * would otherwise turn the write into a no-op. */
	void *mem;
	int err = posix_memalign(&mem, 4096, MIB);
	if (err != 0)
		fail_errno(err, "posix_memalign");
	char *buf = mem;
	uint64_t x = UINT64_C(0x9E3779B97F4A7C15);
	for (size_t i = 0; i < MIB; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		buf[i] = (char)x;
	}

	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		fail("create %s", path);
	struct io_result r;
	const char *failed = io_run(fd, buf, mb, &r);
	err = errno;
	close(fd);
	unlink(path); /* before failing too: no test file is left behind */
	if (failed != NULL)
		fail_errno(err, "%s %s", failed, path);

	json_begin("io");
	json_uint("mb", mb);
	json_str("dir", dir);
	json_num("write_mb_s", mib_per_s((double)mb, r.write_ns));
	json_num("fsync_ms", (double)r.fsync_ns / NS_PER_MS);
	json_num("read_mb_s", mib_per_s((double)mb, r.read_ns));
	json_str("read_mode", r.direct ? "direct" : "buffered");
	json_end();
	free(buf);
	return 0;
}

/* ---------------------------------------------------------------- net: loopback TCP round trips */

#define NET_WARMUP 10

static _Noreturn void net_fail(const char *step)
{
	if (errno == EADDRNOTAVAIL || errno == ENETUNREACH || errno == ENETDOWN)
		fail("%s 127.0.0.1: the loopback interface is down or has no address", step);
	fail("%s 127.0.0.1", step);
}

static void set_nodelay(int fd)
{
	int one = 1;
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0)
		fail("setsockopt TCP_NODELAY");
}

/* The child: echo every byte back until the parent closes the connection. */
static _Noreturn void echo_server(int listener)
{
	int fd = accept(listener, NULL, NULL);
	if (fd < 0)
		fail("accept");
	close(listener);
	set_nodelay(fd);
	char c;
	for (;;) {
		ssize_t n = recv(fd, &c, 1, 0);
		if (n == 0)
			_exit(0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail("echo server: recv");
		}
		if (send(fd, &c, 1, MSG_NOSIGNAL) != 1)
			fail("echo server: send");
	}
}

static void round_trip(int fd)
{
	char c = 'x';
	ssize_t n;
	while ((n = send(fd, &c, 1, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	if (n != 1)
		fail("send");
	while ((n = recv(fd, &c, 1, 0)) < 0 && errno == EINTR)
		;
	if (n < 0)
		fail("recv");
	if (n == 0)
		fail_msg("the echo server closed the connection");
}

int cmd_net(int argc, char **argv)
{
	(void)argc;
	uint64_t n = parse_u64(argv[1], "N", 1, 100000000);
	struct sockaddr_in addr;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(addr);

	int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listener < 0)
		fail("socket");
	if (bind(listener, (struct sockaddr *)&addr, sizeof(addr)) != 0)
		net_fail("bind");
	if (listen(listener, 1) != 0 || getsockname(listener, (struct sockaddr *)&addr, &len) != 0)
		fail("listen");
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fail("socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0)
		net_fail("connect");
	set_nodelay(fd);

	/*
	 * Connected before the fork: the server's accept() finds the connection already queued and cannot
	 * block, and the parent holds the only client end, so whenever the parent dies (even by SIGKILL
	 * from a timeout) the server reads EOF and exits: no orphan is left behind.
	 */
	flush_stdout();
	pid_t server = fork();
	if (server < 0)
		fail("fork");
	if (server == 0) {
		close(fd);
		echo_server(listener);
	}
	close(listener);

	double *us = xmalloc(n * sizeof(double));
	for (int i = 0; i < NET_WARMUP; i++)
		round_trip(fd);
	for (uint64_t i = 0; i < n; i++) {
		int64_t t0 = now_ns(CLOCK_MONOTONIC);
		round_trip(fd);
		us[i] = (double)(now_ns(CLOCK_MONOTONIC) - t0) / NS_PER_US;
	}
	close(fd);
	int status = wait_child(server);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("the echo server failed (wait status 0x%x)", (unsigned)status);

	json_begin("net");
	json_uint("n", n);
	json_latencies(us, n);
	json_end();
	free(us);
	return 0;
}
