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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launcher.h"
#include "sys.h"

#define STACK_SIZE (256 * 1024)
#define GUARD_SIZE 4096
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
	int err_pipe[2], sync_pipe[2], out_pipe[2], errout_pipe[2];
	int null_fd, cgroup_fd, join_pidfd, saved_pidns, target_pidns;
	void *stack;
	int pid, pidfd;
	char *msg;
	size_t msglen;
	int64_t *out;
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

static int64_t start_time(int pid)
{
	char path[64], buf[1024];
	ssize_t n;
	int fd;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
	if (!p)
		return -1;
	/* after ") ": field 3 (state) ... field 22 (starttime) is the 20th token */
	for (int field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	return p ? strtoll(p + 1, NULL, 10) : -1;
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

/* Waits for the child's verdict: EOF when it exec'd, or its error record. */
static int await_exec(struct spawn *s)
{
	struct isl_error e;
	size_t got = 0;

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

static void cleanup(struct spawn *s, int ok)
{
	close_fd(&s->err_pipe[0]);
	close_fd(&s->err_pipe[1]);
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
	if (s->stack != MAP_FAILED)
		munmap((char *)s->stack - GUARD_SIZE, STACK_SIZE + GUARD_SIZE);
	isl_req_free(&s->req);
}

/*
 * Launches the request in buf. On success returns 0 and fills out: [0] pid, [1] pidfd (-1 before Linux
 * 5.2), [2] stdout read end, [3] stderr read end (non-blocking, -1 when not a pipe), [4] start time in
 * clock ticks since boot. On failure returns -1, out[5] = errno, err = "step\0detail: strerror".
 */
ISL_EXPORT int isl_spawn(const uint8_t *buf, uint32_t len, int64_t *out, char *err, uint32_t errlen)
{
	struct spawn s;
	const char *bad;
	uint64_t flags;
	int features = probe_features();
	int have_clone3 = features & F_CLONE3;
	int fork_mode, sync_mode, rc = -1;
	void *map;

	memset(&s, 0, sizeof(s));
	s.msg = err;
	s.msglen = errlen;
	s.out = out;
	for (int i = 0; i < 2; i++)
		s.err_pipe[i] = s.sync_pipe[i] = s.out_pipe[i] = s.errout_pipe[i] = -1;
	s.null_fd = s.cgroup_fd = s.join_pidfd = s.saved_pidns = s.target_pidns = s.pidfd = -1;
	s.stack = MAP_FAILED;
	s.ctx.req = &s.req;
	s.ctx.sync_fd = -1;
	for (int i = 0; i < ISL_MAX_MOUNTS; i++)
		s.ctx.tree_fds[i] = -1;
	for (int i = 0; i < ISL_DEVICES; i++)
		s.ctx.dev_fds[i] = -1;
	bad = isl_parse(buf, len, &s.req);
	if (bad) {
		fail(&s, "request", EINVAL, bad);
		return -1;
	}
	flags = s.req.clone_flags & (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
				     CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME);
	fork_mode = (s.req.join_ns & (CLONE_NEWUSER | CLONE_NEWTIME)) != 0;
	sync_mode = (flags & CLONE_NEWUSER) != 0;
	if (open_pipe(&s, s.err_pipe, "error pipe") < 0 || (sync_mode && open_pipe(&s, s.sync_pipe, "go pipe") < 0) ||
	    prepare_stdio(&s) < 0 || prepare_cgroups(&s, have_clone3, &flags) < 0 || prepare_join(&s) < 0)
		goto out;
	s.ctx.err_fd = s.err_pipe[1];
	s.ctx.sync_fd = s.sync_pipe[0];
	map = mmap(NULL, STACK_SIZE + GUARD_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	if (map == MAP_FAILED) {
		fail(&s, "clone", errno, "child stack");
		goto out;
	}
	mprotect(map, GUARD_SIZE, PROT_NONE);
	s.stack = (char *)map + GUARD_SIZE;
	if (!fork_mode)
		flags |= CLONE_VM | (sync_mode ? 0 : CLONE_VFORK);
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
	if (await_exec(&s) < 0)
		goto out;
	out[0] = s.pid;
	out[1] = s.pidfd;
	out[2] = s.out_pipe[0];
	out[3] = s.errout_pipe[0];
	out[4] = start_time(s.pid);
	for (int i = 2; i < 4; i++)
		if (out[i] >= 0)
			fcntl((int)out[i], F_SETFL, O_NONBLOCK);
	rc = 0;
out:
	cleanup(&s, rc == 0);
	return rc;
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
