/*
 * isolab-probe: main, the subcommand table, and the helpers every subcommand shares (errors, argument
 * parsing, clocks). See probe.h for the output contract.
 */
#include "probe.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *probe_cmd = "";
const char *probe_argv0 = "isolab-probe";

struct command {
	const char *name;
	const char *args; /* synopsis of the arguments, for usage lines */
	int min_args, max_args;
	int (*run)(int argc, char **argv);
};

/* Argument counts exclude the subcommand itself; options (--marker, --hold) count as two. */
static const struct command commands[] = {
	{"true", "", 0, 0, cmd_true},
	{"exit", "N", 1, 1, cmd_exit},
	{"segv", "", 0, 0, cmd_segv},
	{"print", "OUT ERR", 2, 2, cmd_print},
	{"env", "", 0, 0, cmd_env},
	{"pwd", "", 0, 0, cmd_pwd},
	{"sleep", "MS", 1, 1, cmd_sleep},
	{"spin", "", 0, 0, cmd_spin},
	{"tick", "MS", 1, 1, cmd_tick},
	{"flood", "MB", 1, 1, cmd_flood},
	{"read-file", "PATH", 1, 1, cmd_read_file},
	{"write-file", "PATH TEXT", 2, 2, cmd_write_file},
	{"burn", "MS", 1, 1, cmd_burn},
	{"cpu", "N", 1, 1, cmd_cpu},
	{"mem", "MB", 1, 1, cmd_mem},
	{"syscall", "N", 1, 1, cmd_syscall},
	{"spawn", "N", 1, 1, cmd_spawn},
	{"io", "MB [DIR]", 1, 2, cmd_io},
	{"net", "N", 1, 1, cmd_net},
	{"alloc", "MB [--hold MS]", 1, 3, cmd_alloc},
	{"forkbomb", "[MAX]", 0, 1, cmd_forkbomb},
	{"inspect", "[--marker PATH]", 0, 2, cmd_inspect},
	{"escape-chroot", "[--marker PATH]", 0, 2, cmd_escape_chroot},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *current;

static void print_usage(FILE *f)
{
	fprintf(f, "usage: isolab-probe COMMAND [ARGS]   (MB means MiB, MS milliseconds)\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %s%s%s\n", commands[i].name, commands[i].args[0] ? " " : "", commands[i].args);
}

static void print_command_usage(void)
{
	fprintf(stderr, "usage: isolab-probe %s%s%s\n", current->name, current->args[0] ? " " : "", current->args);
}

int main(int argc, char **argv)
{
	if (argc > 0 && argv[0] != NULL && argv[0][0] != '\0')
		probe_argv0 = argv[0];
	if (argc < 2) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
		print_usage(stdout);
		flush_stdout();
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		current = &commands[i];
		probe_cmd = current->name;
		int nargs = argc - 2;
		if (nargs < current->min_args || nargs > current->max_args)
			usage_error("expected %s%s", current->args[0] ? "arguments " : "no arguments",
				    current->args);
		int status = current->run(argc - 1, argv + 1);
		flush_stdout();
		return status;
	}
	fprintf(stderr, "isolab-probe: unknown command '%s'\n", argv[1]);
	print_usage(stderr);
	return EXIT_USAGE;
}

static _Noreturn void vfail(int err, const char *fmt, va_list ap)
{
	/* One fprintf per line: stderr is unbuffered, so a line assembled in pieces could interleave
	 * with a child's. */
	char what[512];
	vsnprintf(what, sizeof(what), fmt, ap);
	if (err != 0)
		fprintf(stderr, "isolab-probe: %s: %s: %s\n", probe_cmd, what, strerror(err));
	else
		fprintf(stderr, "isolab-probe: %s: %s\n", probe_cmd, what);
	exit(EXIT_RUNTIME);
}

void fail(const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	va_start(ap, fmt);
	vfail(err, fmt, ap);
}

void fail_errno(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(err, fmt, ap);
}

void fail_msg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(0, fmt, ap);
}

void usage_error(const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fprintf(stderr, "isolab-probe: %s: %s\n", probe_cmd, what);
	print_command_usage();
	exit(EXIT_USAGE);
}

uint64_t parse_u64(const char *arg, const char *what, uint64_t min, uint64_t max)
{
	/* strtoull accepts leading blanks and a sign (and wraps "-1"); a count or a size does not. */
	if (arg[0] < '0' || arg[0] > '9')
		usage_error("%s must be a non-negative integer, got '%s'", what, arg);
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	if (*end != '\0')
		usage_error("%s must be a non-negative integer, got '%s'", what, arg);
	if (errno == ERANGE || v < min || v > max)
		usage_error("%s must be between %llu and %llu, got '%s'", what, (unsigned long long)min,
			    (unsigned long long)max, arg);
	return v;
}

int64_t now_ns(clockid_t clock)
{
	struct timespec ts;
	if (clock_gettime(clock, &ts) != 0)
		fail("clock_gettime");
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void sleep_until_ns(int64_t deadline_ns)
{
	struct timespec ts = {.tv_sec = deadline_ns / 1000000000, .tv_nsec = deadline_ns % 1000000000};
	int err;
	/* An absolute deadline: a signal handler interrupting the sleep cannot make it drift. */
	while ((err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL)) == EINTR)
		;
	if (err != 0)
		fail_errno(err, "clock_nanosleep");
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double percentile(double *v, size_t n, unsigned percent)
{
	qsort(v, n, sizeof(*v), compare_double);
	size_t rank = (n * percent + 99) / 100; /* ceil(n * p / 100), 1-based */
	return v[rank > 0 ? rank - 1 : 0];
}

const char *errno_name(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
#define E(x) {x, #x}
		E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG), E(ENOEXEC),
		E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY), E(EEXIST),
		E(EXDEV), E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOSPC),
		E(EROFS), E(EMLINK), E(EPIPE), E(ENAMETOOLONG), E(ENOSYS), E(ELOOP), E(EOPNOTSUPP),
		E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH), E(ECONNREFUSED),
		E(ECONNRESET), E(ETIMEDOUT),
#undef E
	};
	static char other[16];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	snprintf(other, sizeof(other), "E%d", err);
	return other;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void flush_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		fail("write stdout");
}
