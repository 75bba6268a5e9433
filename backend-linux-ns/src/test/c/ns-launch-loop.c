/*
 * The engineering loop of the linux-ns launch, without a JVM: creates, launches, waits for and destroys
 * N sandboxes the way LinuxNsSandbox does (cgroup per hierarchy with memory + pids limits, overlay
 * directories, the request the backend encodes) through the launcher library, and prints the median and
 * p90 of each phase. With ISOLAB_LAUNCH_TRACE=FILE the library also writes each launch's steps to FILE.
 * A test tool, never shipped; built against the launcher's own C sources.
 *
 *   ns-launch-loop ROOTFS SCRATCH N [OPTION...] [vs OPTION...]...
 *
 * OPTIONs: userns timens nosysfs hostnet newnet release disk noprep. As the backend does by default, the
 * network namespace and the root on it are made before the clock starts (its pool), the mount namespace is
 * kept until destroy and the overlay's layers are in memory; newnet creates the network namespace in the
 * clone, noprep has the child assemble the root, release lets the mount namespace go at the workload's
 * exit, disk puts the layers in the sandbox directory. Variants
 * separated by "vs" take turns launch by launch, so that a loaded machine's drift hits them alike.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "launcher.h"

static uint8_t req[16384];
static size_t len;

static void rec(uint32_t tag, const void *data, uint32_t n)
{
	memcpy(req + len, &tag, 4);
	memcpy(req + len + 4, &n, 4);
	memcpy(req + len + 8, data, n);
	len += 8 + n;
}

static void str(uint32_t tag, const char *s)
{
	rec(tag, s, (uint32_t)strlen(s) + 1);
}

static void u32(uint32_t tag, uint32_t v)
{
	rec(tag, &v, 4);
}

static void u64(uint32_t tag, uint64_t v)
{
	rec(tag, &v, 8);
}

static int64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static const char *hierarchies[] = { "unified", "memory", "pids", "cpuacct", "freezer" };
#define NH (sizeof(hierarchies) / sizeof(hierarchies[0]))

static void write_file(const char *dir, const char *name, const char *value)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, value, strlen(value)) < 0) {
		perror(path);
		exit(1);
	}
	close(fd);
}

static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (d) {
		chmod(path, 0700);
		while ((e = readdir(d))) {
			char child[1024];

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
			remove_tree(child);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static int cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, int64_t *xs, int n)
{
	qsort(xs, (size_t)n, sizeof(*xs), cmp);
	printf("%-10s p50 %8.3f ms  p90 %8.3f ms\n", what, xs[n / 2] / 1e6, xs[n * 9 / 10] / 1e6);
}

struct variant {
	char name[128];
	int userns, timens, sysfs, hostnet, newnet, release, disk, noprep;
	int64_t *ph[5];
	int n;
};

int main(int argc, char **argv)
{
	static const char *masked[] = { "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
					"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
					"/proc/sched_debug", "/proc/scsi", "/sys/firmware",
					"/sys/devices/virtual/powercap" };
	static const char *ro[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" };
	static const char *phases[] = { "create", "start", "run", "c+s+r", "destroy" };
	const uint64_t caps = (1ULL << 0) | (1ULL << 1) | (1ULL << 3) | (1ULL << 4) | (1ULL << 5) | (1ULL << 6) |
			      (1ULL << 7) | (1ULL << 8) | (1ULL << 10) | (1ULL << 13) | (1ULL << 18) | (1ULL << 27) |
			      (1ULL << 29) | (1ULL << 31);
	struct variant vs[8];
	int nv = 1, n;

	if (argc < 4) {
		fprintf(stderr, "usage: %s ROOTFS SCRATCH N [OPTION...] [vs OPTION...]...\n", argv[0]);
		return 2;
	}
	n = atoi(argv[3]);
	memset(vs, 0, sizeof(vs));
	vs[0].sysfs = 1;
	for (int i = 4; i < argc; i++) {
		struct variant *v = &vs[nv - 1];

		if (!strcmp(argv[i], "vs")) {
			if (nv == 8)
				return 2;
			vs[nv++].sysfs = 1;
			continue;
		}
		v->userns |= !strcmp(argv[i], "userns");
		v->timens |= !strcmp(argv[i], "timens");
		v->sysfs &= !!strcmp(argv[i], "nosysfs");
		v->hostnet |= !strcmp(argv[i], "hostnet");
		v->newnet |= !strcmp(argv[i], "newnet");
		v->release |= !strcmp(argv[i], "release");
		v->disk |= !strcmp(argv[i], "disk");
		v->noprep |= !strcmp(argv[i], "noprep");
		snprintf(v->name + strlen(v->name), sizeof(v->name) - strlen(v->name), " %s", argv[i]);
	}
	for (int i = 0; i < nv; i++)
		for (int p = 0; p < 5; p++)
			vs[i].ph[p] = calloc((size_t)n, sizeof(int64_t));
	signal(SIGPIPE, SIG_IGN);
	for (int it = 0; it < n * nv; it++) {
		struct variant *v = &vs[it % nv];
		int userns = v->userns, timens = v->timens, sysfs = v->sysfs, hostnet = v->hostnet;
		int newnet = v->newnet, release = v->release, disk = v->disk;
		char dir[512], root[600], upper[600], work[600], cg[NH][512], host[64];
		int64_t out[8], t0, t1, t2, t3, t4;
		uint64_t flags = 0x00020000 | 0x04000000 | 0x08000000 | 0x20000000 | 0x02000000;
		char err[1024];
		int32_t status[2];
		struct pollfd pfd;
		int netns = -1, mntns = -1;

		if (!hostnet && !newnet && !userns) {
			netns = isl_netns_new();
			if (netns < 0) {
				fprintf(stderr, "isl_netns_new: %s\n", strerror(-netns));
				return 1;
			}
		}
		if (netns >= 0 && !disk && !v->noprep) {
			/* the root, prepared as the backend's pool does: everything but /proc and what is under it */
			uint32_t magic = ISL_MAGIC;

			memcpy(req, &magic, 4);
			len = 4;
			u64(T_CLONE_FLAGS, 0x00020000 | 0x40000000);
			u32(T_ROOT_MODE, ROOT_PIVOT);
			str(T_ROOT_DIR, argv[2]);
			str(T_OVL_LOWER, argv[1]);
			rec(T_OVL_MEMORY, "", 0);
			if (sysfs)
				rec(T_SYSFS, "", 0);
			u32(T_DEV, DEV_MKNOD);
			for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++)
				str(T_MASK, masked[i]);
			for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
				str(T_RO_PATH, ro[i]);
			u32(T_NETNS_FD, (uint32_t)netns);
			rec(T_KEEP_MNTNS, "", 0);
			rec(T_PREPARE_ONLY, "", 0);
			u32(T_STDOUT_FD, (uint32_t)ISL_FD_NULL);
			u32(T_STDERR_FD, (uint32_t)ISL_FD_NULL);
			if (isl_spawn(req, (uint32_t)len, out, err, sizeof(err))) {
				fprintf(stderr, "prepare failed: %s: %s\n", err, err + strlen(err) + 1);
				return 1;
			}
			mntns = (int)out[6];
		}
		t0 = now();
		snprintf(dir, sizeof(dir), "%s/isolab-linux-ns-loop%d", argv[2], it);
		snprintf(root, sizeof(root), "%s/root", dir);
		snprintf(upper, sizeof(upper), "%s/upper", dir);
		snprintf(work, sizeof(work), "%s/work", dir);
		if (mkdir(dir, 0700) || (disk && (mkdir(root, 0700) || mkdir(upper, 0755) || mkdir(work, 0700)))) {
			perror(dir);
			return 1;
		}
		for (size_t h = 0; h < NH; h++) {
			snprintf(cg[h], sizeof(cg[h]), "/sys/fs/cgroup/%s/isolab/isolab-linux-ns-loop%d-%d", hierarchies[h],
				 getpid(), it);
			if (mkdir(cg[h], 0755)) {
				perror(cg[h]);
				return 1;
			}
		}
		write_file(cg[1], "memory.limit_in_bytes", "67108864");
		write_file(cg[2], "pids.max", "64");
		t1 = now();

		{
			uint32_t magic = ISL_MAGIC;

			memcpy(req, &magic, 4);
			len = 4;
		}
		str(T_ARG, "/usr/bin/isolab-probe");
		str(T_ARG, "true");
		str(T_ENV, "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
		str(T_CWD, "/");
		if (userns)
			flags |= 0x10000000;
		if (timens)
			flags |= 0x80;
		if (!hostnet)
			flags |= 0x40000000;
		u64(T_CLONE_FLAGS, flags);
		snprintf(host, sizeof(host), "isolab-linux-ns-loop%d", it);
		str(T_HOSTNAME, host);
		u32(T_ROOT_MODE, ROOT_PIVOT);
		str(T_ROOT_DIR, disk ? root : dir);
		if (mntns < 0) {
			str(T_OVL_LOWER, argv[1]);
			if (disk) {
				str(T_OVL_UPPER, upper);
				str(T_OVL_WORK, work);
			} else {
				rec(T_OVL_MEMORY, "", 0);
			}
		}
		rec(T_PROC, "", 0);
		if (sysfs && !hostnet && mntns < 0)
			rec(T_SYSFS, "", 0);
		u32(T_DEV, userns ? DEV_BIND : DEV_MKNOD);
		for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++)
			if (mntns < 0 || !strncmp(masked[i], "/proc/", 6))
				str(T_MASK, masked[i]);
		for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
			if (mntns < 0 || !strncmp(ro[i], "/proc/", 6))
				str(T_RO_PATH, ro[i]);
		for (size_t h = 0; h < NH; h++)
			str(T_CGROUP, cg[h]);
		if (userns) {
			str(T_UID_MAP, "0 0 4294967295\n");
			str(T_GID_MAP, "0 0 4294967295\n");
		}
		u64(T_CAPS, caps);
		rec(T_NO_NEW_PRIVS, "", 0);
		rec(T_SETSID, "", 0);
		if (netns >= 0)
			u32(T_NETNS_FD, (uint32_t)netns);
		else if (!hostnet)
			rec(T_LOOPBACK, "", 0);
		if (mntns >= 0)
			u32(T_MNTNS_FD, (uint32_t)mntns);
		else if (!release)
			rec(T_KEEP_MNTNS, "", 0);
		if (isl_spawn(req, (uint32_t)len, out, err, sizeof(err))) {
			fprintf(stderr, "launch failed: %s: %s\n", err, err + strlen(err) + 1);
			return 1;
		}
		t2 = now();
		if (netns >= 0)
			close(netns);
		pfd.fd = (int)out[1];
		pfd.events = POLLIN;
		while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
			;
		if (isl_wait((int)out[1], (int)out[0], status) != 1 || status[0] != 0) {
			fprintf(stderr, "bad exit %d/%d\n", status[0], status[1]);
			return 1;
		}
		close((int)out[1]);
		close((int)out[2]);
		close((int)out[3]);
		t3 = now();
		if (out[6] >= 0)
			close((int)out[6]);
		if (mntns >= 0)
			close(mntns);
		for (size_t h = 0; h < NH; h++)
			for (int a = 0; rmdir(cg[h]) && errno == EBUSY && a < 100; a++)
				usleep(1000);
		remove_tree(dir);
		t4 = now();
		v->ph[0][v->n] = t1 - t0;
		v->ph[1][v->n] = t2 - t1;
		v->ph[2][v->n] = t3 - t2;
		v->ph[3][v->n] = t3 - t0;
		v->ph[4][v->n] = t4 - t3;
		v->n++;
	}
	for (int i = 0; i < nv; i++) {
		if (nv > 1)
			printf("--%s\n", vs[i].name[0] ? vs[i].name : " defaults");
		for (int p = 0; p < 5; p++)
			report(phases[p], vs[i].ph[p], vs[i].n);
	}
	return 0;
}
