/*
 * isolab-bench-launch: the benchmark's own native helpers, one static binary with two modes.
 *
 *   floor ROOTFS PROGRAM [ARGS...]
 *	The floor a namespace launcher is measured against (issue 4): clone(NEWPID|NEWNS|NEWUTS|NEWIPC|
 *	NEWNET|CLONE_VM|CLONE_VFORK), then in the child chroot + chdir + execve and nothing else, then
 *	waitpid. Exits with the child's status (128 + signal when killed), 125 on its own failure.
 *
 *   hide-cgroup2 PROGRAM [ARGS...]
 *	For crun on a hybrid cgroup host, which refuses to run while a cgroup2 hierarchy is mounted next
 *	to the v1 controllers: a private mount namespace (what `unshare --mount --propagation private`
 *	does) without /sys/fs/cgroup/unified, then execvp. One exec instead of unshare + sh + umount, so
 *	that the wrapper adds as little as possible to crun's own figure.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_SELF 125
#define CHILD_STACK (64 * 1024)
#define UNIFIED "/sys/fs/cgroup/unified"

extern char **environ;

struct floor_args {
	const char *rootfs;
	char **argv;
	int err;		/* errno of the failed step, seen by the parent: CLONE_VM shares memory */
	const char *step;
};

static int floor_child(void *p)
{
	struct floor_args *a = p;

	if (chroot(a->rootfs) != 0) {
		a->err = errno;
		a->step = "chroot";
		_exit(EXIT_SELF);
	}
	if (chdir("/") != 0) {
		a->err = errno;
		a->step = "chdir";
		_exit(EXIT_SELF);
	}
	execve(a->argv[0], a->argv, environ);
	a->err = errno;
	a->step = "execve";
	_exit(EXIT_SELF);
}

static int run_floor(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: isolab-bench-launch floor ROOTFS PROGRAM [ARGS...]\n");
		return 2;
	}
	struct floor_args a = {.rootfs = argv[0], .argv = argv + 1};
	char *stack = mmap(NULL, CHILD_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED) {
		perror("isolab-bench-launch: floor: mmap");
		return EXIT_SELF;
	}
	int flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_VM |
		    CLONE_VFORK | SIGCHLD;
	pid_t pid = clone(floor_child, stack + CHILD_STACK, flags, &a);
	if (pid < 0) {
		perror("isolab-bench-launch: floor: clone");
		return EXIT_SELF;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("isolab-bench-launch: floor: waitpid");
			return EXIT_SELF;
		}
	}
	if (a.step != NULL) {
		fprintf(stderr, "isolab-bench-launch: floor: %s: %s\n", a.step, strerror(a.err));
		return EXIT_SELF;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int hide_cgroup2(int argc, char **argv)
{
	if (argc < 1) {
		fprintf(stderr, "usage: isolab-bench-launch hide-cgroup2 PROGRAM [ARGS...]\n");
		return 2;
	}
	if (unshare(CLONE_NEWNS) != 0) {
		perror("isolab-bench-launch: hide-cgroup2: unshare(CLONE_NEWNS)");
		return EXIT_SELF;
	}
	/* Private first, so that the umount below stays in this namespace. */
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		perror("isolab-bench-launch: hide-cgroup2: make / private");
		return EXIT_SELF;
	}
	if (umount2(UNIFIED, MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
		perror("isolab-bench-launch: hide-cgroup2: umount " UNIFIED);
		return EXIT_SELF;
	}
	execvp(argv[0], argv);
	fprintf(stderr, "isolab-bench-launch: hide-cgroup2: execvp %s: %s\n", argv[0], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "floor") == 0)
		return run_floor(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "hide-cgroup2") == 0)
		return hide_cgroup2(argc - 2, argv + 2);
	fprintf(stderr, "usage: isolab-bench-launch floor ROOTFS PROGRAM [ARGS...]\n"
			"       isolab-bench-launch hide-cgroup2 PROGRAM [ARGS...]\n");
	return 2;
}
