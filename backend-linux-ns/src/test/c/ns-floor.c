/*
 * The floor of a namespace launcher, for LinuxNsLaunchBenchmarkTest: clone five new namespaces (pid,
 * mount, uts, ipc, net) sharing memory with vfork semantics, chroot, exec, wait. No cgroup, no user
 * namespace, no pivot_root, no /proc, no error channel: what no real runtime can go below.
 *
 *   ns-floor ROOT COMMAND [ARG...]
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *root;
static char *const *command;
static char stack[64 * 1024] __attribute__((aligned(16)));

static int child(void *arg)
{
	(void)arg;
	if (chroot(root) || chdir("/"))
		_exit(126);
	execv(command[0], command);
	_exit(127);
}

int main(int argc, char **argv)
{
	const int flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
			  CLONE_VM | CLONE_VFORK | SIGCHLD;
	int status;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: %s ROOT COMMAND [ARG...]\n", argv[0]);
		return 2;
	}
	root = argv[1];
	command = argv + 2;
	pid = clone(child, stack + sizeof(stack), flags, NULL);
	if (pid < 0) {
		perror("clone");
		return 1;
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		return 1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
