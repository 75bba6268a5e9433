/*
 * isolab-guest-init: PID 1 of a hypervisor sandbox. Declarations shared by its two files.
 */
#ifndef ISOLAB_INIT_H
#define ISOLAB_INIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#define MAX_PROCS 64
#define MAX_GROUPS 64
#define WORKLOAD_CGROUP "/sys/fs/cgroup/workload"
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* What to run, decoded from a RUN or EXEC frame; spec_free() frees it. */
struct spec {
	char **argv;
	char **envp;
	char *cwd;
	uid_t uid;
	gid_t gid;
	gid_t groups[MAX_GROUPS];
	size_t ngroups;
	bool has_user;
	char *hostname;
	uint32_t pids_max;
	uint32_t cpu_quota;	/* 0: no CPU limit */
	uint32_t cpu_period;
	bool read_only_root;
	bool mask_cmdline;	/* a console run: the command line holds the status line's nonce */
};

/* A console run's own settings (console.c). */
struct console_run {
	char nonce[65];
};

struct hello;
struct exit_report;

/* Why a process could not be started; sent to the host as START_FAILED. */
struct start_error {
	int32_t err;
	char step[32];
	char detail[256];
};

/* One process the host knows about: the main one (id 0) or one added by EXEC. */
struct proc {
	bool used;
	uint8_t id;
	pid_t pid;		/* whom init waits for: the reaper for the main process, else the process */
	pid_t signal_target;	/* whom KILL signals: the reaper forwards them to the main process */
	int out;		/* read ends of its stdout and stderr pipes, -1 once at EOF */
	int err;
	int status_fd;		/* main only: the reaper writes the workload's wait status here */
	bool exited;
	int status;
	struct rusage usage;
	bool reported;
};

/* init.c */
uint64_t now_ns(void);
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int write_all(int fd, const void *buf, size_t len);
int write_file(const char *path, const char *text);

/* console.c */
int console_parse(struct spec *spec, struct console_run *run);
void console_output(const char *buf, size_t len);
void console_report_exit(const struct console_run *run, const struct hello *hello, uint64_t exec_ns,
			 const struct exit_report *r);
void console_report_failure(const struct console_run *run, const struct start_error *e);

/* process.c */
int spec_parse(char *payload, size_t len, struct spec *spec);
void spec_free(struct spec *spec);
int start_main(const struct spec *spec, struct proc *p, int cgroup_procs_fd, const int *close_in_child,
	       size_t nclose, struct start_error *error);
int start_exec(const struct spec *spec, struct proc *p, const struct proc *main_proc, int cgroup_procs_fd,
	       const int *close_in_child, size_t nclose, struct start_error *error);

#endif
