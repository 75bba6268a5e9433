/*
 * isolab-probe: the one workload every isolab backend runs (chroot, Linux namespaces, a VM's initramfs,
 * a FreeBSD jail). Shared declarations of its few source files.
 *
 * Output contract: every measuring subcommand prints exactly one JSON line on stdout with
 * "probe":"<name>", its parameters and its results. Errors go to stderr as
 * "isolab-probe: <cmd>: <what>: <strerror>" with exit 1; usage errors exit 2; alloc's refusal exits 3.
 * Sizes called MB are MiB (2^20 bytes) everywhere.
 *
 * Everything here must also build with FreeBSD's cc (clang) and must link statically: no NSS
 * (getpwnam, getaddrinfo), addresses are literal.
 */
#ifndef ISOLAB_PROBE_H
#define ISOLAB_PROBE_H

/* Before any system header (every .c includes this file first): glibc hides O_DIRECT and friends
 * without it. FreeBSD's headers ignore it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2
#define EXIT_ALLOC 3

#define MIB ((size_t)1 << 20)

/* ---- probe.c: errors, arguments, clocks, small helpers ---- */

/* The subcommand being run, for error messages. */
extern const char *probe_cmd;
/* argv[0] as the probe was started, for re-executing itself where /proc is absent. */
extern const char *probe_argv0;

/* "isolab-probe: <cmd>: <what>: <strerror(errno)>", exit 1. */
_Noreturn void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same with an explicit error number (e.g. one a child reported). */
_Noreturn void fail_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "isolab-probe: <cmd>: <what>" without an errno, exit 1. */
_Noreturn void fail_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "isolab-probe: <cmd>: <what>" and the subcommand's usage line, exit 2. */
_Noreturn void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A decimal argument in [min, max], else a usage error naming `what`. */
uint64_t parse_u64(const char *arg, const char *what, uint64_t min, uint64_t max);

/* Nanoseconds on `clock` (CLOCK_MONOTONIC for wall time, CLOCK_PROCESS_CPUTIME_ID for cpu). */
int64_t now_ns(clockid_t clock);
/* Sleep until `deadline_ns` on CLOCK_MONOTONIC, resuming after signals. */
void sleep_until_ns(int64_t deadline_ns);

/* The nearest-rank `percent` percentile of v[0..n-1] (sorts v). n > 0. */
double percentile(double *v, size_t n, unsigned percent);

/* "EAGAIN" for EAGAIN: the symbolic name, or "E<number>" for the uncommon ones. */
const char *errno_name(int err);

/* write() all of buf, resuming after short writes and EINTR; -1 with errno on failure. */
int write_all(int fd, const void *buf, size_t len);
/* Flush stdout, failing on a write error (a full disk or a closed pipe must not pass silently). */
void flush_stdout(void);

/* Keep the compiler from proving memory at p dead and deleting the work that filled it. */
static inline void keep(const void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* ---- json.c: one JSON object per run, written to stdout on a single line ---- */

void json_begin(const char *probe); /* '{' and "probe":"<probe>" (NULL: no probe key) */
void json_end(void);                /* '}' '\n', flushed */
void json_object(const char *key);  /* key NULL inside arrays */
void json_object_end(void);
void json_array(const char *key);
void json_array_end(void);
void json_str(const char *key, const char *value); /* NULL value: null */
void json_int(const char *key, int64_t value);
void json_uint(const char *key, uint64_t value);
void json_num(const char *key, double value); /* 3 decimals; not finite: null */
void json_bool(const char *key, bool value);
void json_null(const char *key);

/* ---- commands: each gets argc/argv with argv[0] the subcommand's name ---- */

int cmd_true(int argc, char **argv);
int cmd_exit(int argc, char **argv);
int cmd_segv(int argc, char **argv);
int cmd_print(int argc, char **argv);
int cmd_env(int argc, char **argv);
int cmd_pwd(int argc, char **argv);
int cmd_sleep(int argc, char **argv);
int cmd_spin(int argc, char **argv);
int cmd_tick(int argc, char **argv);
int cmd_flood(int argc, char **argv);
int cmd_read_file(int argc, char **argv);
int cmd_write_file(int argc, char **argv);

int cmd_burn(int argc, char **argv);
int cmd_cpu(int argc, char **argv);
int cmd_mem(int argc, char **argv);
int cmd_syscall(int argc, char **argv);
int cmd_spawn(int argc, char **argv);
int cmd_io(int argc, char **argv);
int cmd_net(int argc, char **argv);

int cmd_alloc(int argc, char **argv);
int cmd_forkbomb(int argc, char **argv);

int cmd_inspect(int argc, char **argv);
int cmd_escape_chroot(int argc, char **argv);

#endif
