/*
 * Starting workloads in the guest.
 *
 * The main process runs in a PID and mount namespace of its own, under a small reaper that is PID 1
 * there (as tini is for a container): the workload is PID 2, sees only its own processes, cannot see
 * or signal isolab's init, and has a /dev without the host channel. The reaper forwards signals (a
 * PID-namespace init ignores those it has no handler for, so the workload itself could not be PID 1),
 * reaps orphans, and hands the workload's wait status to init. Processes added by EXEC join those
 * namespaces with setns(2), as `docker exec` does.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"
#include "protocol.h"

static uint32_t u32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int append(char ***list, size_t *n, const char *value, uint32_t len)
{
	char **grown = realloc(*list, (*n + 2) * sizeof(char *));

	if (grown == NULL)
		return -1;
	*list = grown;
	grown[*n] = strndup(value, len);
	if (grown[*n] == NULL)
		return -1;
	grown[++*n] = NULL;
	return 0;
}

int spec_parse(char *payload, size_t len, struct spec *spec)
{
	size_t at = 0, argc = 0, envc = 0;

	memset(spec, 0, sizeof(*spec));
	while (at + 5 <= len) {
		uint8_t tag = (uint8_t)payload[at];
		uint32_t vlen = u32(payload + at + 1);
		char *value = payload + at + 5;

		if (vlen > len - at - 5)
			goto bad;
		at += 5 + vlen;
		switch (tag) {
		case TAG_ARG:
			if (append(&spec->argv, &argc, value, vlen))
				goto bad;
			break;
		case TAG_ENV:
			if (append(&spec->envp, &envc, value, vlen))
				goto bad;
			break;
		case TAG_CWD:
			free(spec->cwd);
			spec->cwd = strndup(value, vlen);
			if (spec->cwd == NULL)
				goto bad;
			break;
		case TAG_HOSTNAME:
			free(spec->hostname);
			spec->hostname = strndup(value, vlen);
			if (spec->hostname == NULL)
				goto bad;
			break;
		case TAG_UID:
		case TAG_GID:
		case TAG_GROUP:
		case TAG_PIDS_MAX:
			if (vlen != sizeof(uint32_t))
				goto bad;
			if (tag == TAG_UID) {
				spec->uid = u32(value);
				spec->has_user = true;
			} else if (tag == TAG_GID) {
				spec->gid = u32(value);
			} else if (tag == TAG_GROUP) {
				if (spec->ngroups < MAX_GROUPS)
					spec->groups[spec->ngroups++] = u32(value);
			} else {
				spec->pids_max = u32(value);
			}
			break;
		case TAG_READ_ONLY_ROOT:
			spec->read_only_root = true;
			break;
		case TAG_CPU_MAX:
			if (vlen != 2 * sizeof(uint32_t))
				goto bad;
			spec->cpu_quota = u32(value);
			spec->cpu_period = u32(value + sizeof(uint32_t));
			break;
		default:
			goto bad;
		}
	}
	if (at != len || argc == 0)
		goto bad;
	if (spec->envp == NULL) {
		spec->envp = calloc(1, sizeof(char *));
		if (spec->envp == NULL)
			goto bad;
	}
	if (spec->cwd == NULL) {
		spec->cwd = strdup("/");
		if (spec->cwd == NULL)
			goto bad;
	}
	return 0;
bad:
	spec_free(spec);
	return -1;
}

void spec_free(struct spec *spec)
{
	for (size_t i = 0; spec->argv != NULL && spec->argv[i] != NULL; i++)
		free(spec->argv[i]);
	for (size_t i = 0; spec->envp != NULL && spec->envp[i] != NULL; i++)
		free(spec->envp[i]);
	free(spec->argv);
	free(spec->envp);
	free(spec->cwd);
	free(spec->hostname);
	memset(spec, 0, sizeof(*spec));
}

/* Reports why the process could not start, through the pipe its starter reads, and ends. */
static void __attribute__((noreturn)) fail(int errp, const char *step, int err, const char *detail)
{
	struct start_error e = { .err = err };

	snprintf(e.step, sizeof(e.step), "%s", step);
	snprintf(e.detail, sizeof(e.detail), "%s: %s", detail, strerror(err));
	write_all(errp, &e, sizeof(e));
	_exit(127);
}

static const char *env_path(char *const *envp)
{
	for (size_t i = 0; envp[i] != NULL; i++)
		if (strncmp(envp[i], "PATH=", 5) == 0)
			return envp[i] + 5;
	return DEFAULT_PATH;
}

/* execve, searching the spec's PATH (not init's) for a name without '/', as execvpe(3) would. */
static int exec_search(char *const *argv, char *const *envp)
{
	const char *file = argv[0];
	const char *path;
	bool denied = false;

	if (strchr(file, '/') != NULL) {
		execve(file, argv, envp);
		return errno;
	}
	for (path = env_path(envp); ; path++) {
		char full[PATH_MAX];
		size_t dir = strcspn(path, ":");

		snprintf(full, sizeof(full), "%.*s%s%s", (int)dir, path, dir ? "/" : "", file);
		execve(full, argv, envp);
		if (errno == EACCES)
			denied = true;
		else if (errno != ENOENT && errno != ENOTDIR)
			return errno;
		path += dir;
		if (*path == '\0')
			break;
	}
	return denied ? EACCES : ENOENT;
}

/*
 * Keeps Docker's and the OCI runtime spec's default capabilities, as isolab's launcher does for containers
 * (LinuxCapability.OCI_DEFAULT), and drops the rest from the bounding set too: the workload is root in its
 * guest, but cannot remount /sys writable to lift the limits of its cgroup, load modules or reboot.
 */
static int drop_capabilities(void)
{
	static const int kept[] = {
		CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW, CAP_SETGID,
		CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL,
		CAP_AUDIT_WRITE,
	};
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	uint64_t keep = 0;

	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		keep |= 1ull << kept[i];
	for (int cap = 0; cap < 64; cap++) {
		if (keep & (1ull << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)) {
			if (errno == EINVAL)
				break;	/* past the kernel's last capability */
			return -1;
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		return -1;
	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	return (int)syscall(SYS_capset, &header, data);
}

/* In the forked child: becomes the workload. */
static void __attribute__((noreturn)) exec_workload(const struct spec *s, int out, int err, int errp)
{
	sigset_t none;
	int null;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		fail(errp, "stdio", errno, "/dev/null and pipes");
	if (drop_capabilities())
		fail(errp, "capabilities", errno, "keep the OCI default set");
	if (s->has_user) {
		char who[32];

		snprintf(who, sizeof(who), "uid %u gid %u", s->uid, s->gid);
		if (setgroups(s->ngroups, s->groups) || setgid(s->gid) || setuid(s->uid))
			fail(errp, "setuid", errno, who);
	}
	if (chdir(s->cwd))
		fail(errp, "chdir", errno, s->cwd);
	fail(errp, "execve", exec_search(s->argv, s->envp), s->argv[0]);
}

static int make_node(const char *name, int major, int minor)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/%s", name);
	if (mknod(path, S_IFCHR | 0666, makedev(major, minor)))
		return -1;
	return chmod(path, 0666);
}

/* A /dev like a container's: the usual character devices, none of the guest's hardware. */
static int setup_dev(void)
{
	static const struct { const char *name; int major, minor; } nodes[] = {
		{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
		{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
	};

	if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k"))
		return -1;
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		if (make_node(nodes[i].name, nodes[i].major, nodes[i].minor))
			return -1;
	if (symlink("/proc/self/fd", "/dev/fd") || symlink("/proc/self/fd/0", "/dev/stdin") ||
	    symlink("/proc/self/fd/1", "/dev/stdout") || symlink("/proc/self/fd/2", "/dev/stderr"))
		return -1;
	if (mkdir("/dev/shm", 01777) || mount("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"))
		return -1;
	return 0;
}

static pid_t forward_to;

static void forward(int sig)
{
	kill(forward_to, sig);
}

/* PID 1 of the workload's namespace: sets up its view, starts it, and passes on its wait status. */
static void __attribute__((noreturn)) reaper(const struct spec *s, int out, int err, int errp, int status_out,
					      int cgroup_procs)
{
	struct sigaction sa = { .sa_handler = forward, .sa_flags = SA_RESTART };
	sigset_t none;
	pid_t child;

	if (write(cgroup_procs, "0", 1) != 1)
		fail(errp, "cgroup", errno, WORKLOAD_CGROUP);
	close(cgroup_procs);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		fail(errp, "mount", errno, "make / private");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		fail(errp, "mount", errno, "/proc");
	if (setup_dev())
		fail(errp, "mount", errno, "/dev");
	if (s->mask_cmdline && mount("/dev/null", "/proc/cmdline", NULL, MS_BIND, NULL))
		fail(errp, "mount", errno, "mask /proc/cmdline");
	/* As in a container: the guest's /sys and cgroups are visible, not writable (the limits live there). */
	if (mount(NULL, "/sys", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) ||
	    mount(NULL, "/sys/fs/cgroup", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		fail(errp, "mount", errno, "read-only /sys");
	/* isolab's own files (this program, the drivers) are not part of the workload's rootfs */
	if (mount("tmpfs", "/isolab", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0755"))
		fail(errp, "mount", errno, "/isolab");
	if (s->read_only_root && mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL))
		fail(errp, "mount", errno, "read-only /");
	child = fork();
	if (child < 0)
		fail(errp, "fork", errno, "the workload");
	if (child == 0)
		exec_workload(s, out, err, errp);
	close(out);
	close(err);
	close(errp);
	forward_to = child;
	for (int sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD)
			sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);

		if (pid == child) {
			write_all(status_out, &status, sizeof(status));
			_exit(0);
		}
		if (pid < 0 && errno == ECHILD)
			_exit(1);
	}
}

/* Reads the child's start error, or nothing when it exec'd (the pipe is close-on-exec). */
static int await_start(int errp, struct start_error *error)
{
	size_t have = 0;

	while (have < sizeof(*error)) {
		ssize_t n = read(errp, (char *)error + have, sizeof(*error) - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
	}
	close(errp);
	return have == sizeof(*error) ? -1 : 0;
}

static void close_all(const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static int pipes(int (*p)[2], size_t n, struct start_error *error)
{
	for (size_t i = 0; i < n; i++) {
		if (pipe2(p[i], O_CLOEXEC)) {
			error->err = errno;
			snprintf(error->step, sizeof(error->step), "pipe");
			snprintf(error->detail, sizeof(error->detail), "%s", strerror(errno));
			while (i-- > 0) {
				close(p[i][0]);
				close(p[i][1]);
			}
			return -1;
		}
	}
	return 0;
}

int start_main(const struct spec *spec, struct proc *p, int cgroup_procs, const int *close_in_child,
	       size_t nclose, struct start_error *error)
{
	int fd[4][2];	/* stdout, stderr, start errors, the reaper's report of the wait status */
	pid_t pid;

	if (pipes(fd, 4, error))
		return -1;
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNS | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid == 0) {
		close_all(close_in_child, nclose);
		for (int i = 0; i < 4; i++)
			close(fd[i][0]);
		reaper(spec, fd[0][1], fd[1][1], fd[2][1], fd[3][1], cgroup_procs);
	}
	for (int i = 0; i < 4; i++)
		close(fd[i][1]);
	if (pid < 0) {
		error->err = errno;
		snprintf(error->step, sizeof(error->step), "clone");
		snprintf(error->detail, sizeof(error->detail), "new PID and mount namespaces: %s", strerror(errno));
		for (int i = 0; i < 4; i++)
			close(fd[i][0]);
		return -1;
	}
	if (await_start(fd[2][0], error)) {
		close(fd[0][0]);
		close(fd[1][0]);
		close(fd[3][0]);
		return -1;	/* the reaper exits; init's wait4(-1) collects it */
	}
	p->used = true;
	p->pid = pid;
	p->signal_target = pid;
	p->out = fd[0][0];
	p->err = fd[1][0];
	p->status_fd = fd[3][0];
	return 0;
}

static int open_ns(pid_t pid, const char *ns)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns);
	return open(path, O_RDONLY | O_CLOEXEC);
}

int start_exec(const struct spec *spec, struct proc *p, const struct proc *main_proc, int cgroup_procs,
	       const int *close_in_child, size_t nclose, struct start_error *error)
{
	static int own_pid_ns = -1, own_mnt_ns = -1;
	int fd[3][2];	/* stdout, stderr, start errors */
	int pid_ns, mnt_ns;
	pid_t pid;

	if (!main_proc->used || main_proc->exited) {
		error->err = ESRCH;
		snprintf(error->step, sizeof(error->step), "exec");
		snprintf(error->detail, sizeof(error->detail), "the main process is not running");
		return -1;
	}
	if (own_pid_ns < 0) {
		own_pid_ns = open_ns(getpid(), "pid");
		own_mnt_ns = open_ns(getpid(), "mnt");
	}
	pid_ns = open_ns(main_proc->pid, "pid");
	mnt_ns = open_ns(main_proc->pid, "mnt");
	if (own_pid_ns < 0 || own_mnt_ns < 0 || pid_ns < 0 || mnt_ns < 0 || pipes(fd, 3, error)) {
		if (error->err == 0) {
			error->err = errno;
			snprintf(error->step, sizeof(error->step), "setns");
			snprintf(error->detail, sizeof(error->detail), "namespaces of pid %d: %s", main_proc->pid,
				 strerror(errno));
		}
		if (pid_ns >= 0)
			close(pid_ns);
		if (mnt_ns >= 0)
			close(mnt_ns);
		return -1;
	}
	/* Enter for the fork only: the child is born in the workload's PID namespace, init stays out. */
	if (setns(pid_ns, CLONE_NEWPID) || setns(mnt_ns, CLONE_NEWNS))
		pid = -1;
	else
		pid = fork();
	if (pid == 0) {
		close_all(close_in_child, nclose);
		for (int i = 0; i < 3; i++)
			close(fd[i][0]);
		if (write(cgroup_procs, "0", 1) != 1)
			fail(fd[2][1], "cgroup", errno, WORKLOAD_CGROUP);
		exec_workload(spec, fd[0][1], fd[1][1], fd[2][1]);
	}
	if (pid < 0) {
		error->err = errno;
		snprintf(error->step, sizeof(error->step), "setns");
		snprintf(error->detail, sizeof(error->detail), "join the workload: %s", strerror(errno));
	}
	if (setns(own_pid_ns, CLONE_NEWPID) || setns(own_mnt_ns, CLONE_NEWNS))
		log_msg("cannot return to init's own namespaces: %s", strerror(errno));
	close(pid_ns);
	close(mnt_ns);
	for (int i = 0; i < 3; i++)
		close(fd[i][1]);
	if (pid < 0 || await_start(fd[2][0], error)) {
		close(fd[0][0]);
		close(fd[1][0]);
		if (pid < 0)
			close(fd[2][0]);
		return -1;
	}
	p->used = true;
	p->pid = pid;
	p->signal_target = pid;
	p->out = fd[0][0];
	p->err = fd[1][0];
	p->status_fd = -1;
	return 0;
}
