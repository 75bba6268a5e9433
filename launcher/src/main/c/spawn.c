/*
 * The parent side of a launch, called from a JVM thread through JNA: prepares every descriptor the
 * child needs, clones the child onto a stack of its own, and waits on the error pipe until the child
 * has exec'd (the pipe closes) or reported the step that failed. No intermediate process, and no JVM
 * code between clone and execve.
 *
 * Three ways to clone, chosen by what the parent must do while the child waits:
 *  - CLONE_VM | CLONE_VFORK (the JDK's vfork launcher, glibc's posix_spawn): the cheapest; the parent
 *    sleeps until the child execs. The child joins cgroups itself (writes "0" to cgroup.procs fds the
 *    parent opened) or is born in its cgroup (clone3 CLONE_INTO_CGROUP on cgroup v2).
 *  - CLONE_VM plus a go pipe: a new user namespace, whose uid/gid maps the parent writes while the
 *    child waits.
 *  - no CLONE_VM (fork) plus the pipes: joining a user or time namespace with setns, which the kernel
 *    refuses to a process sharing its memory with others.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdmsg.h"
#include "launcher.h"
#include "sys.h"

#define STACK_SIZE (256 * 1024)
#define GUARD_SIZE 4096
#define STACK_CACHE 8
#define CGROUP2_SUPER_MAGIC 0x63677270

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* Features the kernel has, probed once (bits shared with io.isolab.launcher.NativeFeatures). */
#define F_CLONE3 1
#define F_PIDFD 2
#define F_OPEN_TREE 4
#define F_MOUNT_SETATTR 8
#define F_CLOSE_RANGE 16
#define F_TIME_NS 32

/*
 * long isl_clone3_call(struct clone_args *args, size_t size, void (*fn)(void *), void *arg)
 *
 * clone3 returns in the child on the new stack, where no C frame exists to return to: the child calls
 * fn(arg) from here and exits if it ever returns. fn and arg ride in r8/r9, which the syscall keeps.
 */
long isl_clone3_call(struct clone_args *args, size_t size, void (*fn)(void *), void *arg);
__asm__(".text\n"
	".p2align 4\n"
	".type isl_clone3_call,@function\n"
	"isl_clone3_call:\n"
	"	mov %rdx, %r8\n"
	"	mov %rcx, %r9\n"
	"	mov $435, %eax\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jnz 1f\n"
	"	xor %ebp, %ebp\n"
	"	mov %r9, %rdi\n"
	"	call *%r8\n"
	"	mov $60, %eax\n"
	"	mov $127, %edi\n"
	"	syscall\n"
	"	hlt\n"
	"1:	ret\n"
	".size isl_clone3_call, .-isl_clone3_call\n");

static void child_entry(void *arg)
{
	isl_child(arg);
}

static int legacy_child_entry(void *arg)
{
	isl_child(arg);
}

struct spawn {
	struct isl_req req;
	struct isl_child_ctx ctx;
	int err_pipe[2], sync_pipe[2], out_pipe[2], errout_pipe[2], keep_sock[2];
	int null_fd, cgroup_fd, join_pidfd, saved_pidns, target_pidns;
	void *stack;
	int pid, pidfd;
	char *msg;
	size_t msglen;
	int64_t *out;
	struct isl_trace trace;
};

static int fail(struct spawn *s, const char *step, int err, const char *detail)
{
	snprintf(s->msg, s->msglen, "%s%c%s%s%s", step, '\0', detail, err ? ": " : "", err ? strerror(err) : "");
	s->out[5] = err;
	return -1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int open_pipe(struct spawn *s, int p[2], const char *what)
{
	if (pipe2(p, O_CLOEXEC) < 0)
		return fail(s, "pipe", errno, what);
	return 0;
}

/* stdin is /dev/null unless given; stdout/stderr are pipes unless given or /dev/null. */
static int prepare_stdio(struct spawn *s)
{
	const struct isl_req *r = &s->req;
	int *pipes[2] = { s->out_pipe, s->errout_pipe };
	int fds[2] = { r->stdout_fd, r->stderr_fd };

	if (r->stdin_fd == ISL_FD_NULL || r->stdout_fd == ISL_FD_NULL || r->stderr_fd == ISL_FD_NULL) {
		s->null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (s->null_fd < 0)
			return fail(s, "stdio", errno, "/dev/null");
	}
	s->ctx.stdio[0] = r->stdin_fd == ISL_FD_NULL ? s->null_fd : r->stdin_fd;
	for (int i = 0; i < 2; i++) {
		if (fds[i] == ISL_FD_PIPE) {
			if (open_pipe(s, pipes[i], i ? "stderr" : "stdout") < 0)
				return -1;
			if (r->pipe_size)
				fcntl(pipes[i][0], F_SETPIPE_SZ, (int)r->pipe_size); /* best effort: bounded by pipe-max-size */
			s->ctx.stdio[i + 1] = pipes[i][1];
		} else {
			s->ctx.stdio[i + 1] = fds[i] == ISL_FD_NULL ? s->null_fd : fds[i];
		}
	}
	return 0;
}

/*
 * cgroup v2 with one target and clone3: the child is born in it (CLONE_INTO_CGROUP). Otherwise (v1 needs
 * one join per hierarchy) the child writes "0" to each cgroup.procs before anything else, and unshares
 * its cgroup namespace only afterwards, so that the namespace is rooted at the sandbox's cgroup.
 */
static int prepare_cgroups(struct spawn *s, int have_clone3, uint64_t *flags)
{
	const struct isl_req *r = &s->req;
	struct statfs fs;

	if (r->ncgroups == 1 && have_clone3) {
		int fd = open(r->cgroups[0], O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0)
			return fail(s, "cgroup join", errno, r->cgroups[0]);
		if (fstatfs(fd, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC) {
			s->cgroup_fd = fd;
			*flags |= CLONE_INTO_CGROUP;
			return 0;
		}
		close(fd);
	}
	for (int i = 0; i < r->ncgroups; i++) {
		char path[4200];

		snprintf(path, sizeof(path), "%s/cgroup.procs", r->cgroups[i]);
		s->ctx.procs_fds[i] = open(path, O_WRONLY | O_CLOEXEC);
		if (s->ctx.procs_fds[i] < 0)
			return fail(s, "cgroup join", errno, path);
		s->ctx.nprocs_fds = i + 1;
	}
	if (r->ncgroups && (*flags & CLONE_NEWCGROUP)) {
		*flags &= ~(uint64_t)CLONE_NEWCGROUP;
		s->ctx.unshare_flags |= CLONE_NEWCGROUP;
	}
	return 0;
}

/*
 * Joining a running sandbox: the namespace files are opened here, then the process is checked to be
 * still the one the pidfd names (a pid reused in between would name someone else's namespaces). The pid
 * namespace is joined by this thread itself (it only decides where this thread's children are born) and
 * left right after the clone.
 */
static int prepare_join(struct spawn *s)
{
	static const struct {
		uint64_t flag;
		const char *name;
	} order[] = {
		{ CLONE_NEWUSER, "user" }, { CLONE_NEWCGROUP, "cgroup" }, { CLONE_NEWIPC, "ipc" },
		{ CLONE_NEWUTS, "uts" }, { CLONE_NEWNET, "net" }, { CLONE_NEWNS, "mnt" },
		{ CLONE_NEWTIME, "time" },
	};
	const struct isl_req *r = &s->req;
	char path[64];

	if (!r->join_pid)
		return 0;
	s->join_pidfd = (int)syscall(SYS_pidfd_open, r->join_pid, 0);
	if (s->join_pidfd < 0)
		return fail(s, "setns", errno, "pidfd_open of the sandbox's process");
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		int fd;

		if (!(r->join_ns & order[i].flag))
			continue;
		snprintf(path, sizeof(path), "/proc/%u/ns/%s", r->join_pid, order[i].name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return fail(s, "setns", errno, path);
		s->ctx.join_ns_fds[s->ctx.njoin_ns_fds++] = fd;
	}
	if (r->join_ns & CLONE_NEWPID) {
		snprintf(path, sizeof(path), "/proc/%u/ns/pid", r->join_pid);
		s->target_pidns = open(path, O_RDONLY | O_CLOEXEC);
		if (s->target_pidns < 0)
			return fail(s, "setns", errno, path);
		s->saved_pidns = open("/proc/thread-self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (s->saved_pidns < 0)
			return fail(s, "setns", errno, "/proc/thread-self/ns/pid");
	}
	if (syscall(SYS_pidfd_send_signal, s->join_pidfd, 0, NULL, 0) < 0)
		return fail(s, "setns", errno, "the sandbox's process is gone");
	return 0;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return errno;
	n = write(fd, text, strlen(text));
	err = n < 0 ? errno : (size_t)n != strlen(text) ? EIO : 0;
	close(fd);
	return err;
}

/* A new user namespace's maps, written while the child waits on the go pipe (runc's nsexec does this). */
static int write_id_maps(struct spawn *s)
{
	const struct isl_req *r = &s->req;
	char path[64];
	int err;

	if (r->setgroups_deny) {
		snprintf(path, sizeof(path), "/proc/%d/setgroups", s->pid);
		if ((err = write_file(path, "deny")))
			return fail(s, "setgroups deny", err, path);
	}
	if (r->uid_map) {
		snprintf(path, sizeof(path), "/proc/%d/uid_map", s->pid);
		if ((err = write_file(path, r->uid_map)))
			return fail(s, "uid_map", err, r->uid_map);
	}
	if (r->gid_map) {
		snprintf(path, sizeof(path), "/proc/%d/gid_map", s->pid);
		if ((err = write_file(path, r->gid_map)))
			return fail(s, "gid_map", err, r->gid_map);
	}
	return 0;
}

static int do_clone(struct spawn *s, uint64_t flags, int have_clone3)
{
	sigset_t all, old;
	int saved_errno = 0;

	sigfillset(&all);
	/* Raw: glibc's wrapper would leave its own two signals unblocked. No handler may run in the child. */
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, 8);
	if (s->target_pidns >= 0 && setns(s->target_pidns, CLONE_NEWPID) < 0) {
		saved_errno = errno;
		syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, 8);
		return fail(s, "setns", saved_errno, "pid namespace of the sandbox");
	}
	s->pidfd = -1;
	if (have_clone3) {
		struct clone_args args;

		memset(&args, 0, sizeof(args));
		args.flags = flags | CLONE_PIDFD;
		args.pidfd = (uint64_t)(uintptr_t)&s->pidfd;
		args.exit_signal = SIGCHLD;
		args.stack = (uint64_t)(uintptr_t)s->stack;
		args.stack_size = STACK_SIZE;
		args.cgroup = s->cgroup_fd >= 0 ? (uint64_t)s->cgroup_fd : 0;
		s->pid = (int)isl_clone3_call(&args, sizeof(args), child_entry, &s->ctx);
		if (s->pid < 0)
			saved_errno = -s->pid;
	} else {
		/* Before Linux 5.3. The time namespace bit means an exit signal to clone(): unshare it instead. */
		if (flags & CLONE_NEWTIME)
			s->ctx.unshare_flags |= CLONE_NEWTIME;
		flags &= ~(uint64_t)CLONE_NEWTIME;
		s->pid = clone(legacy_child_entry, (char *)s->stack + STACK_SIZE, (int)flags | CLONE_PIDFD | SIGCHLD,
			       &s->ctx, &s->pidfd);
		if (s->pid < 0 && errno == EINVAL) { /* before Linux 5.2: no pidfd, pid-based wait and kill */
			s->pidfd = -1;
			s->pid = clone(legacy_child_entry, (char *)s->stack + STACK_SIZE, (int)flags | SIGCHLD,
				       &s->ctx);
		}
		if (s->pid < 0)
			saved_errno = errno;
	}
	if (s->target_pidns >= 0 && setns(s->saved_pidns, CLONE_NEWPID) < 0)
		abort(); /* this JVM thread would fork into the sandbox from now on: unrecoverable */
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, 8);
	if (s->pid < 0)
		return fail(s, "clone", saved_errno, "namespaces and flags of the request");
	return 0;
}

/* The descriptor the child sent (its mount namespace), already there once it exec'd; -1 if none. */
static int receive_fd(int sock)
{
	struct isl_fdmsg m;
	int fd = -1;

	isl_fdmsg_init(&m, 0, NULL, 0);
	if (recvmsg(sock, &m.msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) < 0 || isl_fdmsg_fds(&m, &fd, 1) != 1)
		return -1;
	return fd;
}

/*
 * Waits for the child's verdict: EOF when it exec'd, or its error record. After a vfork the verdict is
 * already in: the parent resumes when the child's execve has passed its point of no return (the child's
 * mm released; a later failure kills it, as it would the workload) or when the child exited, and a child
 * that failed wrote its record (one write, atomic) before exiting. So the pipe is only looked at: waiting
 * for its EOF too (when exec closes the child's CLOEXEC descriptors, a moment later) would cost a second
 * wake-up.
 */
static int await_exec(struct spawn *s, int vforked)
{
	struct isl_error e;
	size_t got = 0;

	if (vforked) {
		struct pollfd p = { .fd = s->err_pipe[0], .events = POLLIN };

		if (poll(&p, 1, 0) == 0)
			return 0;
	}
	while (got < sizeof(e)) {
		ssize_t n = read(s->err_pipe[0], (char *)&e + got, sizeof(e) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got == 0)
		return 0;
	/* The child failed and exits 127: reap it so that no zombie is left. */
	while (waitpid(s->pid, NULL, __WALL) < 0 && errno == EINTR)
		;
	if (got < sizeof(e))
		return fail(s, "launch", EPROTO, "truncated error report from the child");
	e.step[sizeof(e.step) - 1] = '\0';
	e.detail[sizeof(e.detail) - 1] = '\0';
	return fail(s, e.step, e.err, e.detail);
}

/* ISOLAB_LAUNCH_TRACE=FILE: -1 when unset, read once. */
static int trace_fd(void)
{
	static int fd = -2;

	if (fd == -2) {
		const char *file = getenv("ISOLAB_LAUNCH_TRACE");

		fd = file && *file ? open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600) : -1;
	}
	return fd;
}

/* One line per launch: each step's microseconds since the one before, and the total. */
static void write_trace(const struct isl_trace *t, int ok)
{
	char line[4096];
	size_t n = 0;

	for (int i = 1; i < t->n && n < sizeof(line) - 64; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s=%.1f ", t->at[i].step,
				      (double)(t->at[i].ns - t->at[i - 1].ns) / 1000);
	n += (size_t)snprintf(line + n, sizeof(line) - n, "total=%.1f%s\n",
			      t->n ? (double)(t->at[t->n - 1].ns - t->at[0].ns) / 1000 : 0.0, ok ? "" : " failed");
	if (write(trace_fd(), line, n) < 0)
		return; /* a debugging aid: never fails a launch */
}

static int probe_features(void)
{
	static int features = -1;
	int f = 0;
	int fd;

	if (features >= 0)
		return features;
	if (syscall(SYS_clone3, NULL, 0) < 0 && errno != ENOSYS)
		f |= F_CLONE3;
	fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (fd >= 0) {
		f |= F_PIDFD;
		close(fd);
	}
	if (syscall(SYS_open_tree, -1, NULL, 0) < 0 && errno != ENOSYS)
		f |= F_OPEN_TREE;
	if (syscall(SYS_mount_setattr, -1, NULL, 0, NULL, 0) < 0 && errno != ENOSYS)
		f |= F_MOUNT_SETATTR;
	if (syscall(SYS_close_range, ~0U, ~0U, 0) == 0 || errno != ENOSYS)
		f |= F_CLOSE_RANGE;
	if (access("/proc/self/ns/time", F_OK) == 0)
		f |= F_TIME_NS;
	features = f;
	return f;
}

ISL_EXPORT int isl_features(void)
{
	return probe_features();
}

/*
 * Child stacks are kept for the next launch rather than unmapped: an mmap and a munmap per launch take
 * the JVM's mmap lock for writing (and the munmap shoots down TLBs on every CPU running a JVM thread),
 * which a concurrent launch's execve waits for, and a fresh stack faults its pages in again. A stack is
 * free once its child has exec'd or exited, that is when isl_spawn returns.
 */
static pthread_mutex_t stacks_lock = PTHREAD_MUTEX_INITIALIZER;
static void *stacks[STACK_CACHE];
static int nstacks;

static void *take_stack(void)
{
	void *stack = NULL, *map;

	pthread_mutex_lock(&stacks_lock);
	if (nstacks)
		stack = stacks[--nstacks];
	pthread_mutex_unlock(&stacks_lock);
	if (stack)
		return stack;
	map = mmap(NULL, STACK_SIZE + GUARD_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	if (map == MAP_FAILED)
		return NULL;
	mprotect(map, GUARD_SIZE, PROT_NONE);
	return (char *)map + GUARD_SIZE;
}

static void give_back_stack(void *stack)
{
	pthread_mutex_lock(&stacks_lock);
	if (nstacks < STACK_CACHE) {
		stacks[nstacks++] = stack;
		stack = NULL;
	}
	pthread_mutex_unlock(&stacks_lock);
	if (stack)
		munmap((char *)stack - GUARD_SIZE, STACK_SIZE + GUARD_SIZE);
}

static void cleanup(struct spawn *s, int ok)
{
	close_fd(&s->err_pipe[0]);
	close_fd(&s->err_pipe[1]);
	close_fd(&s->keep_sock[0]);
	close_fd(&s->keep_sock[1]);
	close_fd(&s->sync_pipe[0]);
	close_fd(&s->sync_pipe[1]);
	close_fd(&s->out_pipe[1]);
	close_fd(&s->errout_pipe[1]);
	close_fd(&s->null_fd);
	close_fd(&s->cgroup_fd);
	close_fd(&s->join_pidfd);
	close_fd(&s->saved_pidns);
	close_fd(&s->target_pidns);
	for (int i = 0; i < s->ctx.nprocs_fds; i++)
		close_fd(&s->ctx.procs_fds[i]);
	for (int i = 0; i < s->ctx.njoin_ns_fds; i++)
		close_fd(&s->ctx.join_ns_fds[i]);
	if (!ok) {
		close_fd(&s->out_pipe[0]);
		close_fd(&s->errout_pipe[0]);
		close_fd(&s->pidfd);
	}
	if (s->stack)
		give_back_stack(s->stack);
	isl_req_free(&s->req);
}

/* Every descriptor unset, the request parsed; -1 (and the reason in err) when it is bad. */
static int spawn_init(struct spawn *s, const uint8_t *buf, uint32_t len, int64_t *out, char *err, uint32_t errlen)
{
	const char *bad;

	memset(s, 0, sizeof(*s));
	s->msg = err;
	s->msglen = errlen;
	s->out = out;
	for (int i = 0; i < 2; i++)
		s->err_pipe[i] = s->sync_pipe[i] = s->out_pipe[i] = s->errout_pipe[i] = s->keep_sock[i] = -1;
	s->null_fd = s->cgroup_fd = s->join_pidfd = s->saved_pidns = s->target_pidns = s->pidfd = -1;
	s->stack = NULL;
	s->ctx.req = &s->req;
	s->ctx.sync_fd = -1;
	s->ctx.netns_fd = -1;
	s->ctx.keep_fd = -1;
	s->ctx.mntns_fd = -1;
	s->ctx.park_fd = -1;
	out[6] = -1;
	for (int i = 0; i < ISL_MAX_MOUNTS; i++)
		s->ctx.tree_fds[i] = -1;
	for (int i = 0; i < ISL_DEVICES; i++)
		s->ctx.dev_fds[i] = -1;
	if (trace_fd() >= 0) {
		s->ctx.trace = &s->trace;
		isl_trace_step(&s->trace, "spawn");
	}
	bad = isl_parse(buf, len, &s->req);
	if (bad)
		return fail(s, "request", EINVAL, bad);
	return 0;
}

/* The start time of the child, in clock ticks since boot, or -1: with its pid, the process's identity. */
static long long start_time(struct spawn *s)
{
	struct isl_proc_stat st;

	return isl_read_stat(s->pid, &st) == 0 ? st.start : -1;
}

/* What the caller gets of a running process: pid, pidfd, its output's read ends, its start time. */
static void report_running(struct spawn *s, long long start)
{
	s->out[0] = s->pid;
	s->out[1] = s->pidfd;
	s->out[2] = s->out_pipe[0];
	s->out[3] = s->errout_pipe[0];
	s->out[4] = start;
	for (int i = 2; i < 4; i++)
		if (s->out[i] >= 0)
			fcntl((int)s->out[i], F_SETFL, O_NONBLOCK);
}

/*
 * Launches the request in buf. On success returns 0 and fills out: [0] pid, [1] pidfd (-1 before Linux
 * 5.2), [2] stdout read end, [3] stderr read end (non-blocking, -1 when not a pipe), [4] start time in
 * clock ticks since boot, [6] the new mount namespace when T_KEEP_MNTNS asked for it (else -1). On
 * failure returns -1, out[5] = errno, err = "step\0detail: strerror".
 */
ISL_EXPORT int isl_spawn(const uint8_t *buf, uint32_t len, int64_t *out, char *err, uint32_t errlen)
{
	struct spawn s;
	uint64_t flags;
	int features = probe_features();
	int have_clone3 = features & F_CLONE3;
	int fork_mode, sync_mode, rc = -1;

	if (spawn_init(&s, buf, len, out, err, errlen) < 0)
		return -1;
	flags = s.req.clone_flags & (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
				     CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME);
	if (s.req.netns_fd >= 0) {
		flags &= ~(uint64_t)CLONE_NEWNET; /* the child joins the prepared one */
		s.ctx.netns_fd = s.req.netns_fd;
	}
	if (s.req.mntns_fd >= 0) {
		flags &= ~(uint64_t)CLONE_NEWNS; /* likewise */
		s.ctx.mntns_fd = s.req.mntns_fd;
	}
	fork_mode = (s.req.join_ns & (CLONE_NEWUSER | CLONE_NEWTIME)) != 0;
	sync_mode = (flags & CLONE_NEWUSER) != 0;
	if (open_pipe(&s, s.err_pipe, "error pipe") < 0 || (sync_mode && open_pipe(&s, s.sync_pipe, "go pipe") < 0) ||
	    prepare_stdio(&s) < 0 || prepare_cgroups(&s, have_clone3, &flags) < 0 || prepare_join(&s) < 0)
		goto out;
	if (s.req.keep_mntns && (flags & CLONE_NEWNS)) {
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, s.keep_sock) < 0) {
			fail(&s, "keep mount namespace", errno, "socketpair");
			goto out;
		}
		s.ctx.keep_fd = s.keep_sock[1];
	}
	s.ctx.err_fd = s.err_pipe[1];
	s.ctx.sync_fd = s.sync_pipe[0];
	s.stack = take_stack();
	if (!s.stack) {
		fail(&s, "clone", errno, "child stack");
		goto out;
	}
	if (!fork_mode)
		flags |= CLONE_VM | (sync_mode ? 0 : CLONE_VFORK);
	isl_trace_step(s.ctx.trace, "prepare");
	if (do_clone(&s, flags, have_clone3) < 0)
		goto out;
	close_fd(&s.err_pipe[1]);
	close_fd(&s.sync_pipe[0]);
	if (sync_mode) {
		if (write_id_maps(&s) < 0) {
			kill(s.pid, SIGKILL);
			while (waitpid(s.pid, NULL, __WALL) < 0 && errno == EINTR)
				;
			goto out;
		}
		if (write(s.sync_pipe[1], "g", 1) != 1) {
			fail(&s, "launch", errno, "go pipe");
			kill(s.pid, SIGKILL);
			while (waitpid(s.pid, NULL, __WALL) < 0 && errno == EINTR)
				;
			goto out;
		}
	}
	if (await_exec(&s, (flags & CLONE_VFORK) != 0) < 0)
		goto out;
	isl_trace_step(s.ctx.trace, "exec");
	if (s.ctx.keep_fd >= 0)
		out[6] = receive_fd(s.keep_sock[0]);
	if (s.req.prepare_only) {
		/* the child exited once its root was ready; its mount namespace is all there is to return */
		while (waitpid(s.pid, NULL, __WALL) < 0 && errno == EINTR)
			;
		close_fd(&s.pidfd);
		close_fd(&s.out_pipe[0]);
		close_fd(&s.errout_pipe[0]);
		if (out[6] < 0) {
			fail(&s, "prepare root", EPROTO, "the child sent no mount namespace");
			goto out;
		}
		rc = 0;
		goto out;
	}
	report_running(&s, start_time(&s));
	rc = 0;
out:
	if (s.ctx.trace) {
		isl_trace_step(s.ctx.trace, "returned");
		write_trace(s.ctx.trace, rc == 0);
	}
	cleanup(&s, rc == 0);
	return rc;
}

/* ------------------------------------------------------------------ parked launches */

/*
 * A launch parked before its last steps: its child was cloned into new pid, uts, ipc (and cgroup)
 * namespaces, joined a prepared network and root, mounted its /proc, and waits on its socket. What it
 * still needs is the launch's own: the command, cgroups, stdio, session, hostname, limits and user.
 */
struct parked {
	struct spawn s;
	int sock;		/* the parent's end of the child's socket (SOCK_SEQPACKET) */
	long long start;	/* the child's start time, read while it was parked rather than at its launch */
};

/* The child's verdict on its socket: 1 when it sent ok (one byte), 0 at EOF, -1 (reason in s) on a report. */
static int read_verdict(struct spawn *s, int sock, char ok)
{
	struct isl_error e;
	ssize_t n;

	do
		n = recv(sock, &e, sizeof(e), 0);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n == 1 && ((char *)&e)[0] == ok)
		return 1;
	if (n < 0 && errno == ECONNRESET) /* it died with the launch's message unread: killed while it waited */
		return fail(s, "parked child gone", errno, "it was killed while it waited");
	if (n != (ssize_t)sizeof(e))
		return fail(s, "launch", n < 0 ? errno : EPROTO, "no verdict from the parked child");
	e.step[sizeof(e.step) - 1] = '\0';
	e.detail[sizeof(e.detail) - 1] = '\0';
	return fail(s, e.step, e.err, e.detail);
}

/* Kills the parked child if it still lives, reaps it, and frees what the parked launch holds. */
static void park_free(struct parked *p, int ok)
{
	if (p->sock >= 0)
		close(p->sock); /* a parked child sees EOF and exits of itself */
	if (!ok && p->s.pid > 0) {
		if (p->s.pidfd >= 0)
			syscall(SYS_pidfd_send_signal, p->s.pidfd, SIGKILL, NULL, 0);
		else
			kill(p->s.pid, SIGKILL);
		while (waitpid(p->s.pid, NULL, __WALL) < 0 && errno == EINTR)
			;
	}
	cleanup(&p->s, ok);
	free(p);
}

/*
 * Parks a launch (T_PARK): the request names the namespaces, the prepared network (T_NETNS_FD) and
 * root (T_MNTNS_FD) to join, and the root's /proc and what is under it. Returns once the child is
 * ready, with out[0] pid and out[1] pidfd; the handle for isl_unpark or isl_park_cancel, or 0 with the
 * reason in err (nothing is left then). The namespace descriptors stay the caller's: the child joined them.
 */
ISL_EXPORT int64_t isl_park(const uint8_t *buf, uint32_t len, int64_t *out, char *err, uint32_t errlen)
{
	struct parked *p = calloc(1, sizeof(*p));
	struct spawn *s;
	int sv[2], features = probe_features(), ok;
	uint64_t flags;

	if (!p) {
		snprintf(err, errlen, "park%cparked launch: %s", '\0', strerror(ENOMEM));
		out[5] = ENOMEM;
		return 0;
	}
	p->sock = -1;
	s = &p->s;
	if (spawn_init(s, buf, len, out, err, errlen) < 0) {
		park_free(p, 0);
		return 0;
	}
	if (!s->req.park || !(features & F_CLOSE_RANGE) || !(features & F_PIDFD)) {
		fail(s, "park", s->req.park ? ENOSYS : EINVAL,
		     s->req.park ? "a parked launch needs close_range (Linux 5.9) and pidfds" : "not a parked launch");
		park_free(p, 0);
		return 0;
	}
	flags = s->req.clone_flags & (CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID);
	/* a cgroup namespace is rooted where the workload is: unshared after its cgroups are joined */
	s->ctx.unshare_flags = s->req.clone_flags & CLONE_NEWCGROUP;
	s->ctx.netns_fd = s->req.netns_fd;
	s->ctx.mntns_fd = s->req.mntns_fd;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		fail(s, "park", errno, "socketpair");
		park_free(p, 0);
		return 0;
	}
	p->sock = sv[0];
	s->ctx.park_fd = s->ctx.err_fd = sv[1];
	s->stack = take_stack();
	if (!s->stack) {
		close(sv[1]);
		fail(s, "clone", errno, "child stack");
		park_free(p, 0);
		return 0;
	}
	isl_trace_step(s->ctx.trace, "prepare");
	ok = do_clone(s, flags | CLONE_VM, probe_features() & F_CLONE3) == 0;
	close(sv[1]); /* the child's copy is its own; the context keeps the number, which the child reads */
	if (ok) {
		ok = read_verdict(s, p->sock, 'r');
		if (ok == 0)
			fail(s, "park", EPROTO, "the parked child exited before it was ready");
	}
	isl_trace_step(s->ctx.trace, "parked");
	if (s->ctx.trace)
		write_trace(s->ctx.trace, ok == 1);
	if (ok != 1) {
		park_free(p, 0);
		return 0;
	}
	p->start = start_time(s);
	out[0] = s->pid;
	out[1] = s->pidfd;
	return (int64_t)(uintptr_t)p;
}

/*
 * Wakes the parked child on the CPU this thread is on, which this thread gives up at once to wait for
 * the exec: the child then runs there at the next switch, rather than on an idle CPU that must be woken
 * first (an IPI; in a VM, an exit to the host and back: 50-150 us measured here). Best effort; the child
 * takes this thread's own affinity back before anything else.
 */
static void pin_to_this_cpu(struct spawn *s)
{
	cpu_set_t here;
	int cpu = sched_getcpu();

	s->ctx.restore_affinity = 0;
	if (cpu < 0 || sched_getaffinity(0, sizeof(s->ctx.affinity), (cpu_set_t *)s->ctx.affinity) < 0)
		return;
	CPU_ZERO(&here);
	CPU_SET(cpu, &here);
	s->ctx.restore_affinity = sched_setaffinity(s->pid, sizeof(here), &here) == 0;
}

/*
 * Launches a parked launch with the rest of its request (buf: a whole request; its namespaces and root
 * are the parked child's, only the rest is read). The handle is used up, launched or not. Returns and
 * fills out as isl_spawn does; on failure the child is killed and reaped.
 */
ISL_EXPORT int isl_unpark(int64_t handle, const uint8_t *buf, uint32_t len, int64_t *out, char *err, uint32_t errlen)
{
	struct parked *p = (struct parked *)(uintptr_t)handle;
	struct spawn *s = &p->s;
	struct isl_fdmsg m;
	const char *bad;
	uint64_t no_flags = 0;
	int fds[ISL_FDMSG_MAX], nice, rc;

	s->msg = err;
	s->msglen = errlen;
	s->out = out;
	out[6] = -1;
	if (s->ctx.trace) {
		s->trace.n = 0;
		isl_trace_step(&s->trace, "unpark");
	}
	/* the child waits on its socket and reads none of this until it is woken */
	isl_req_free(&s->req);
	bad = isl_parse(buf, len, &s->req);
	if (bad) {
		fail(s, "request", EINVAL, bad);
		goto failed;
	}
	/*
	 * The child was made by a background thread and has its nice value (19): the workload gets the
	 * launching thread's, before it is woken, so that it is not scheduled as a background task on its way.
	 */
	errno = 0;
	nice = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
	if ((nice == -1 && errno) || setpriority(PRIO_PROCESS, (id_t)s->pid, nice) < 0) {
		fail(s, "setpriority", errno, "the launching thread's nice value for the workload");
		goto failed;
	}
	if (prepare_stdio(s) < 0 || prepare_cgroups(s, 0, &no_flags) < 0)
		goto failed;
	fds[0] = s->ctx.stdio[0];
	fds[1] = s->ctx.stdio[1];
	fds[2] = s->ctx.stdio[2];
	for (int i = 0; i < s->ctx.nprocs_fds; i++)
		fds[3 + i] = s->ctx.procs_fds[i];
	isl_fdmsg_init(&m, 'g', fds, 3 + s->ctx.nprocs_fds);
	pin_to_this_cpu(s);
	if (sendmsg(p->sock, &m.msg, MSG_NOSIGNAL) < 0) {
		fail(s, "parked child gone", errno, "it was killed while it waited");
		goto failed;
	}
	/* EOF once the child's execve closed its end (after the point of no return), or its report */
	rc = read_verdict(s, p->sock, 0);
	isl_trace_step(s->ctx.trace, "exec");
	if (rc != 0)
		goto failed;
	report_running(s, p->start);
	if (s->ctx.trace) {
		isl_trace_step(s->ctx.trace, "returned");
		write_trace(s->ctx.trace, 1);
	}
	park_free(p, 1);
	return 0;
failed:
	if (s->ctx.trace) {
		isl_trace_step(s->ctx.trace, "returned");
		write_trace(s->ctx.trace, 0);
	}
	park_free(p, 0);
	return -1;
}

/* Lets a parked launch go: its child exits (or is killed) and is reaped; the handle is used up. */
ISL_EXPORT void isl_park_cancel(int64_t handle)
{
	park_free((struct parked *)(uintptr_t)handle, 0);
}

static int loopback_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int err = 0;

	if (s < 0)
		return errno;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		err = errno;
	} else {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			err = errno;
	}
	close(s);
	return err;
}

/*
 * A network namespace made ahead of a launch, with lo up, for a request's T_NETNS_FD: its creation
 * (setup_net runs every pernet init: 0.5 ms at best, several under load) then happens off the launch's
 * critical path. The calling thread enters it with unshare(CLONE_NEWNET) and returns to its own at once,
 * all within this call. Returns an O_CLOEXEC descriptor of the namespace (it lives as long as that
 * descriptor or a process in it) or -errno.
 */
ISL_EXPORT int isl_netns_new(void)
{
	int self, fd = -1, err = 0;

	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (unshare(CLONE_NEWNET) < 0) {
		err = errno;
		close(self);
		return -err;
	}
	err = loopback_up();
	if (!err) {
		fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			err = errno;
	}
	if (setns(self, CLONE_NEWNET) < 0)
		abort(); /* this JVM thread would stay in the sandbox's network: unrecoverable */
	close(self);
	return err ? -err : fd;
}

/* Sets the calling thread's nice value (Linux schedules threads, each with its own). 0 or -errno. */
ISL_EXPORT int isl_nice_thread(int nice)
{
	return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice) < 0 ? -errno : 0;
}

/* Reaps the process if it has exited: 1 and status = {exit code, signal}; 0 while it runs; -errno. */
ISL_EXPORT int isl_wait(int pidfd, int pid, int32_t *status)
{
	siginfo_t info;
	long rc;

	memset(&info, 0, sizeof(info));
	rc = pidfd >= 0 ? syscall(SYS_waitid, P_PIDFD, pidfd, &info, WEXITED | WNOHANG | __WALL, NULL)
			: syscall(SYS_waitid, P_PID, pid, &info, WEXITED | WNOHANG | __WALL, NULL);
	if (rc < 0)
		return -errno;
	if (info.si_pid == 0)
		return 0;
	status[0] = info.si_code == CLD_EXITED ? info.si_status : -1;
	status[1] = info.si_code == CLD_EXITED ? 0 : info.si_status;
	return 1;
}

/* Signals the process; by pidfd, so a reused pid can never be hit. 0 or -errno (ESRCH once gone). */
ISL_EXPORT int isl_kill(int pidfd, int pid, int sig)
{
	long rc = pidfd >= 0 ? syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) : kill(pid, sig);

	return rc < 0 ? -errno : 0;
}
