/*
 * The plain subcommands: exit paths, output, environment, time and files. Backends' contract tests use
 * them to check that exit codes, signals, streams, environment, working directory, timeouts, output limits
 * and mounts come through the sandbox unchanged.
 */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/* Longest sleep or tick period accepted: about 31 years, far from overflowing nanoseconds. */
#define MAX_MS UINT64_C(1000000000000)

int cmd_true(int argc, char **argv)
{
	(void)argc, (void)argv;
	return 0;
}

int cmd_exit(int argc, char **argv)
{
	(void)argc;
	return (int)parse_u64(argv[1], "N", 0, 255);
}

int cmd_segv(int argc, char **argv)
{
	(void)argc, (void)argv;
	/*
	 * A real fault, not raise(SIGSEGV): the kernel delivers a fault's signal even to pid 1 of a pid
	 * namespace and even when SIGSEGV is ignored or blocked, where a raised signal would be dropped.
	 * The pointer itself is volatile so the compiler cannot see that it is NULL and replace the store
	 * with a trap instruction (which would die by SIGILL instead).
	 */
	volatile int *volatile p = NULL;
	*p = 1;
	fail_msg("survived a store to address 0 (is page 0 mapped?)");
}

int cmd_print(int argc, char **argv)
{
	(void)argc;
	printf("%s\n", argv[1]);
	flush_stdout(); /* stdout first, so a reader of both streams sees the order the contract names */
	if (fprintf(stderr, "%s\n", argv[2]) < 0)
		fail("write stderr");
	return 0;
}

int cmd_env(int argc, char **argv)
{
	(void)argc, (void)argv;
	for (char **e = environ; *e != NULL; e++)
		printf("%s\n", *e);
	return 0;
}

int cmd_pwd(int argc, char **argv)
{
	(void)argc, (void)argv;
	char cwd[4096];
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		fail("getcwd");
	printf("%s\n", cwd);
	return 0;
}

int cmd_sleep(int argc, char **argv)
{
	(void)argc;
	int64_t ms = (int64_t)parse_u64(argv[1], "MS", 0, MAX_MS);
	sleep_until_ns(now_ns(CLOCK_MONOTONIC) + ms * 1000000);
	return 0;
}

int cmd_spin(int argc, char **argv)
{
	(void)argc, (void)argv;
	volatile uint64_t spins = 0;
	for (;;)
		spins++;
}

int cmd_tick(int argc, char **argv)
{
	(void)argc;
	int64_t period = (int64_t)parse_u64(argv[1], "MS", 1, MAX_MS) * 1000000;
	int64_t start = now_ns(CLOCK_MONOTONIC);
	/* "tick N" at start + N * MS: deadlines are absolute, so slow writes do not accumulate drift. */
	for (uint64_t n = 0;; n++) {
		sleep_until_ns(start + (int64_t)n * period);
		printf("tick %llu\n", (unsigned long long)n);
		flush_stdout();
	}
}

int cmd_flood(int argc, char **argv)
{
	(void)argc;
	uint64_t mb = parse_u64(argv[1], "MB", 0, UINT64_C(1) << 30);
	/* 64-byte lines, so 1 MiB is a whole number of lines; 64 KiB writes keep the syscall count low. */
	static char chunk[64 * 1024];
	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (i % 64 == 63) ? '\n' : 'x';
	for (uint64_t i = 0; i < mb * (MIB / sizeof(chunk)); i++)
		if (write_all(STDOUT_FILENO, chunk, sizeof(chunk)) != 0)
			fail("write stdout");
	return 0;
}

int cmd_read_file(int argc, char **argv)
{
	(void)argc;
	const char *path = argv[1];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail("open %s", path);
	char buf[64 * 1024];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail("read %s", path);
		}
		if (write_all(STDOUT_FILENO, buf, (size_t)n) != 0)
			fail("write stdout");
	}
	close(fd);
	return 0;
}

int cmd_write_file(int argc, char **argv)
{
	(void)argc;
	const char *path = argv[1], *text = argv[2];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		fail("open %s", path);
	if (write_all(fd, text, strlen(text)) != 0)
		fail("write %s", path);
	/* close reports deferred write errors on some file systems (NFS, FUSE). */
	if (close(fd) != 0)
		fail("close %s", path);
	return 0;
}
