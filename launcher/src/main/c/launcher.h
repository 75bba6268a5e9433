/*
 * isolab launcher: the request a Java caller encodes, the parsed form the child works from, and the
 * functions exported to JNA. The wire format is written by io.isolab.launcher.RequestEncoder: a magic
 * word, then records of (u32 tag, u32 length, payload), little-endian, strings NUL-terminated.
 */
#ifndef ISOLAB_LAUNCHER_H
#define ISOLAB_LAUNCHER_H

#include <stddef.h>
#include <stdint.h>

#define ISL_EXPORT __attribute__((visibility("default")))

#define ISL_MAGIC 0x314c5349u /* "ISL1" */

enum isl_tag {
	T_ARG = 1,		/* string, repeated: argv */
	T_ENV = 2,		/* string "K=V", repeated: the whole environment */
	T_CWD = 3,		/* string */
	T_UID = 4,		/* u32 */
	T_GID = 5,		/* u32 */
	T_GROUP = 6,		/* u32, repeated: supplementary groups (none given: setgroups(0)) */
	T_RLIMIT = 7,		/* u32 resource, u32 pad, u64 soft, u64 hard */
	T_CLONE_FLAGS = 8,	/* u64: CLONE_NEW* namespaces to create */
	T_HOSTNAME = 9,		/* string */
	T_ROOT_MODE = 10,	/* u32: enum isl_root_mode */
	T_ROOT_DIR = 11,	/* string: chroot dir, or the new root's mount point */
	T_ROOT_SOURCE = 12,	/* string: directory bind-mounted onto ROOT_DIR (pivot, bind) */
	T_OVL_LOWER = 13,	/* string: overlay lowerdir (pivot, overlay) */
	T_OVL_UPPER = 14,	/* string */
	T_OVL_WORK = 15,	/* string */
	T_ROOT_RDONLY = 16,	/* flag */
	T_MOUNT = 17,		/* u32 flags (ISL_MNT_*), source\0, target\0 */
	T_PROC = 18,		/* flag: mount /proc */
	T_DEV = 19,		/* u32: enum isl_dev_mode */
	T_SYSFS = 20,		/* flag: mount /sys read-only */
	T_MASK = 21,		/* string, repeated: path hidden (tmpfs or /dev/null over it) */
	T_RO_PATH = 22,		/* string, repeated: path made read-only */
	T_CGROUP = 23,		/* string, repeated: cgroup directory to join */
	T_UID_MAP = 24,		/* string: /proc/PID/uid_map text, written by the parent */
	T_GID_MAP = 25,		/* string */
	T_SETGROUPS_DENY = 26,	/* flag */
	T_CAPS = 27,		/* u64: capabilities kept; absent: capabilities untouched */
	T_NO_NEW_PRIVS = 28,	/* flag */
	T_SETSID = 29,		/* flag */
	T_LOOPBACK = 30,	/* flag: bring "lo" up */
	T_JOIN_PID = 31,	/* u32: join the namespaces of this process (exec) */
	T_JOIN_NS = 32,		/* u64: CLONE_NEW* namespaces to join */
	T_STDIN_FD = 33,	/* i32: fd to use as stdin (default /dev/null) */
	T_STDOUT_FD = 34,	/* i32: ISL_FD_PIPE (default), ISL_FD_NULL, or an fd */
	T_STDERR_FD = 35,	/* i32 */
	T_PIPE_SIZE = 36,	/* u32: F_SETPIPE_SZ for output pipes */
	T_NETNS_FD = 37,	/* i32: a prepared network namespace (isl_netns_new) to join instead of a new one */
	T_KEEP_MNTNS = 38,	/* flag: hand the new mount namespace to the caller (isl_spawn's out[6]) */
	T_OVL_MEMORY = 39,	/* flag: the overlay's upper and work dirs in a tmpfs mounted on ROOT_DIR */
	T_PREPARE_ONLY = 40,	/* flag: set up the root, hand the mount namespace over (out[6]), exit: no exec */
	T_MNTNS_FD = 41,	/* i32: a prepared root's mount namespace to join instead of assembling one */
	T_PARK = 42,		/* flag: set up namespaces and root, then wait for the rest (isl_park): no command */
};

enum isl_root_mode { ROOT_NONE = 0, ROOT_CHROOT = 1, ROOT_PIVOT = 2 };
enum isl_dev_mode { DEV_NONE = 0, DEV_MKNOD = 1, DEV_BIND = 2 };

#define ISL_MNT_RDONLY 1u
#define ISL_FD_PIPE (-1)
#define ISL_FD_NULL (-2)

#define ISL_MAX_RLIMITS 16
#define ISL_MAX_MOUNTS 64
#define ISL_MAX_PATHS 64
#define ISL_MAX_CGROUPS 16
#define ISL_MAX_GROUPS 64
#define ISL_DEVICES 6

struct isl_rlimit {
	uint32_t resource;
	uint64_t soft, hard;
};

struct isl_mount {
	uint32_t flags;
	const char *source, *target;
};

/* The parsed request: pointers into the caller's buffer, which outlives the spawn. */
struct isl_req {
	char **argv;
	char **envp;
	const char *cwd;
	int has_uid, has_gid;
	uint32_t uid, gid;
	uint32_t groups[ISL_MAX_GROUPS];
	int ngroups;
	struct isl_rlimit rlimits[ISL_MAX_RLIMITS];
	int nrlimits;
	uint64_t clone_flags;
	const char *hostname;
	uint32_t root_mode;
	const char *root_dir, *root_source, *ovl_lower, *ovl_upper, *ovl_work;
	int ovl_memory;
	int root_rdonly;
	struct isl_mount mounts[ISL_MAX_MOUNTS];
	int nmounts;
	int proc, sysfs;
	uint32_t dev;
	const char *masked[ISL_MAX_PATHS];
	int nmasked;
	const char *ro_paths[ISL_MAX_PATHS];
	int nro_paths;
	const char *cgroups[ISL_MAX_CGROUPS];
	int ncgroups;
	const char *uid_map, *gid_map;
	int setgroups_deny;
	int has_caps;
	uint64_t caps;
	int no_new_privs, setsid, loopback;
	uint32_t join_pid;
	uint64_t join_ns;
	int stdin_fd, stdout_fd, stderr_fd;
	uint32_t pipe_size;
	int netns_fd;
	int keep_mntns;
	int prepare_only;
	int mntns_fd;
	int park;
};

/* Why the child stopped before execve: written to the parent in one write(2), atomically. */
struct isl_error {
	int32_t err;
	char step[32];
	char detail[480];
};

/*
 * Where a launch spends its time, for the engineering loop: with ISOLAB_LAUNCH_TRACE=FILE in the
 * environment, the child stamps each step (CLOCK_MONOTONIC) into this buffer, which it shares with the
 * parent (CLONE_VM; a forked child's stamps are lost), and the parent appends one line per launch to FILE.
 */
#define ISL_TRACE_MAX 64
struct isl_trace {
	int n;
	struct {
		const char *step;
		int64_t ns;
	} at[ISL_TRACE_MAX];
};

/* Everything the child needs that the parent prepared (fds it opened, buffers it allocated). */
struct isl_child_ctx {
	const struct isl_req *req;
	int err_fd;		/* write end of the CLOEXEC error pipe */
	int sync_fd;		/* read end of the go pipe, -1 when the parent has nothing to do first */
	int stdio[3];		/* fds to become 0, 1, 2 */
	int procs_fds[ISL_MAX_CGROUPS]; /* cgroup.procs to write "0" to; -1 when joined by clone3 */
	int nprocs_fds;
	uint64_t unshare_flags;	/* namespaces the child must unshare itself (cgroup after the join; time) */
	int join_ns_fds[8];	/* namespaces of the sandbox to join (exec), in setns order */
	int njoin_ns_fds;
	int dev_fds[ISL_DEVICES]; /* host device nodes for DEV_BIND, O_PATH */
	int netns_fd;		/* a prepared network namespace to join, or -1 */
	int keep_fd;		/* socket to send the new mount namespace over (SCM_RIGHTS), or -1 */
	int mntns_fd;		/* a prepared root's mount namespace to join, or -1 */
	int tree_fds[ISL_MAX_MOUNTS]; /* open_tree clones of bind sources, -1: mount by path */
	int park_fd;		/* a parked launch's socket (isl_park): the rest of the request comes over it */
	int restore_affinity;	/* a parked launch woken on its launcher's CPU: 1 when affinity is to be restored */
	uint64_t affinity[16];	/* the launching thread's CPU affinity (a cpu_set_t), the workload's */
	struct isl_trace *trace; /* NULL unless tracing */
};

/* Stamps a step into ctx->trace when tracing; raw system call, so the child may use it. */
void isl_trace_step(struct isl_trace *t, const char *step);

/* What /proc/<pid>/stat says of a process that isolab needs: its identity is (pid, start). */
struct isl_proc_stat {
	char state;
	int session;
	long long start;	/* starttime, in clock ticks since boot */
};

/* Reads /proc/<pid>/stat; 0, or -1 when the process is gone or the line cannot be read. */
int isl_read_stat(int pid, struct isl_proc_stat *f);

/* Parses buf into req; returns 0 or a message naming the problem. Allocates argv/envp. */
const char *isl_parse(const uint8_t *buf, size_t len, struct isl_req *req);
void isl_req_free(struct isl_req *req);

/*
 * The child: sets up everything the request asks for and execs. Never returns on success; on failure
 * it reports over ctx->err_fd and exits 127. Runs between clone and execve, possibly sharing the
 * parent's memory, so it uses raw system calls only (no errno, no locks, no allocation).
 */
void isl_child(struct isl_child_ctx *ctx) __attribute__((noreturn));

/* Exported to Java. */
ISL_EXPORT int isl_spawn(const uint8_t *buf, uint32_t len, int64_t *out, char *err, uint32_t errlen);
ISL_EXPORT int isl_wait(int pidfd, int pid, int32_t *status);
ISL_EXPORT int isl_kill(int pidfd, int pid, int sig);
ISL_EXPORT int isl_features(void);
ISL_EXPORT int isl_netns_new(void);
ISL_EXPORT int isl_nice_thread(int nice);
ISL_EXPORT int64_t isl_park(const uint8_t *buf, uint32_t len, int64_t *out, char *err, uint32_t errlen);
ISL_EXPORT int isl_unpark(int64_t parked, const uint8_t *buf, uint32_t len, int64_t *out, char *err, uint32_t errlen);
ISL_EXPORT void isl_park_cancel(int64_t parked);

#endif
