/*
 * Subcommands that run into resource limits: memory (alloc) and process count (forkbomb). A limit shows
 * either as a refusal (mmap or fork fails: reported, exit code or JSON) or as the kernel's enforcement
 * (the OOM killer's SIGKILL), and the backends' tests accept both.
 */
#include "probe.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int cmd_alloc(int argc, char **argv)
{
	uint64_t mb = parse_u64(argv[1], "MB", 0, UINT64_C(1) << 30);
	int64_t hold_ms = -1;
	if (argc > 2) {
		if (strcmp(argv[2], "--hold") != 0)
			usage_error("unexpected argument '%s'", argv[2]);
		if (argc != 4)
			usage_error("--hold needs MS");
		hold_ms = (int64_t)parse_u64(argv[3], "MS", 0, UINT64_C(1000000000000));
	}

	/*
	 * mmap rather than malloc: every step is exactly one fresh MiB whose failure is the kernel's answer
	 * (RLIMIT_AS, overcommit), not an allocator's fallback. Writing one byte per page makes it
	 * resident, so a memory cgroup charges it (and may OOM-kill us here, which is the point).
	 */
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	for (uint64_t i = 0; i < mb; i++) {
		char *p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			fprintf(stderr, "isolab-probe: alloc: cannot allocate after %llu MiB: %s\n",
				(unsigned long long)i, strerror(errno));
			exit(EXIT_ALLOC);
		}
		for (size_t off = 0; off < MIB; off += page)
			p[off] = 1;
		keep(p);
	}
	json_begin("alloc");
	json_uint("mb", mb);
	json_end();
	if (hold_ms >= 0) /* stays resident, for tests that read the sandbox's memory statistics */
		sleep_until_ns(now_ns(CLOCK_MONOTONIC) + hold_ms * 1000000);
	return 0;
}

/* Default bound of forkbomb: a missing limit must never take the host down. */
#define FORKBOMB_DEFAULT_MAX 10000

int cmd_forkbomb(int argc, char **argv)
{
	uint64_t max = argc > 1 ? parse_u64(argv[1], "MAX", 0, 100000) : FORKBOMB_DEFAULT_MAX;
	pid_t *children = malloc((max > 0 ? max : 1) * sizeof(pid_t));
	if (children == NULL)
		fail("malloc");

	/*
	 * The children sleep in read() on a pipe whose only writer is this process, rather than in
	 * pause(): if we are killed before we reap them (a timeout's SIGKILL), they read EOF and exit
	 * instead of idling on the host forever.
	 */
	int gate[2];
	if (pipe(gate) != 0)
		fail("pipe");
	flush_stdout(); /* nothing buffered may be written by the children's exit */
	uint64_t forked = 0;
	int err = 0;
	while (forked < max) {
		pid_t pid = fork();
		if (pid < 0) {
			err = errno;
			break;
		}
		if (pid == 0) {
			char c;
			close(gate[1]);
			while (read(gate[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		children[forked++] = pid;
	}
	close(gate[1]);
	for (uint64_t i = 0; i < forked; i++)
		kill(children[i], SIGKILL);
	for (uint64_t i = 0; i < forked; i++)
		while (waitpid(children[i], NULL, 0) < 0 && errno == EINTR)
			;

	json_begin("forkbomb");
	json_uint("max", max);
	json_uint("forked", forked);
	json_bool("limit_hit", err != 0);
	json_str("errno", err != 0 ? errno_name(err) : NULL);
	json_end();
	free(children);
	return 0;
}
