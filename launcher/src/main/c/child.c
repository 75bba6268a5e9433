/*
 * The child: runs between clone and execve. It may share the JVM's memory (CLONE_VM) while JVM threads
 * keep running, so it uses the raw calls of sys.h only: no errno, no locks, no allocation, no stdio.
 * Every step that fails is reported to the parent as (step, errno, detail) over a CLOEXEC pipe; the
 * pipe closing on execve is what tells the parent the workload is running.
 *
 * The order of the steps follows runc's nsexec/rootfs setup: namespaces joined, cgroup joined before the
 * workload's first instruction, mounts made private, the new root assembled and pivoted into with the
 * old root detached, then hostname, rlimits, capabilities, user, working directory, no_new_privs, exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/prctl.h>
#include <linux/sched.h>
#include <net/if.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <netinet/in.h>

#include "fdmsg.h"
#include "launcher.h"
#include "sys.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

#define PATH_BUF 4096
#ifndef MNT_DETACH
#define MNT_DETACH 2
#endif

static const struct {
	const char *name;
	unsigned int major, minor;
} devices[ISL_DEVICES] = {
	{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

/* ------------------------------------------------------------------ strings without libc state */

static size_t append(char *buf, size_t at, size_t cap, const char *s)
{
	while (s && *s && at + 1 < cap)
		buf[at++] = *s++;
	buf[at < cap ? at : cap - 1] = '\0';
	return at;
}

static size_t append_uint(char *buf, size_t at, size_t cap, unsigned long v)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n && at + 1 < cap)
		buf[at++] = digits[--n];
	buf[at] = '\0';
	return at;
}

/* ------------------------------------------------------------------ tracing */

void isl_trace_step(struct isl_trace *t, const char *step)
{
	struct timespec ts;

	if (!t || t->n >= ISL_TRACE_MAX)
		return;
	sys2(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	t->at[t->n].step = step;
	t->at[t->n].ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	t->n++;
}

#define TRACE(step) isl_trace_step(c->trace, step)

/* ------------------------------------------------------------------ failure */

static void __attribute__((noreturn)) die(struct isl_child_ctx *c, const char *step, long err,
					  const char *detail, const char *detail2)
{
	struct isl_error e;

	memset(&e, 0, sizeof(e));
	e.err = (int32_t)(err < 0 ? -err : err);
	append(e.step, 0, sizeof(e.step), step);
	append(e.detail, append(e.detail, 0, sizeof(e.detail), detail), sizeof(e.detail), detail2);
	if (c->err_fd >= 0) {
		sys3(SYS_write, c->err_fd, &e, sizeof(e));
	} else {
		/* The static helper has no parent listening: say it on stderr, as a shell would. */
		char line[640];
		size_t n = append(line, 0, sizeof(line), "isolab-launch-helper: ");

		n = append(line, n, sizeof(line), e.step);
		n = append(line, n, sizeof(line), ": ");
		n = append(line, n, sizeof(line), e.detail);
		n = append(line, n, sizeof(line), ": errno ");
		n = append_uint(line, n, sizeof(line), (unsigned long)e.err);
		n = append(line, n, sizeof(line), "\n");
		sys3(SYS_write, 2, line, n);
	}
	for (;;)
		sys1(SYS_exit_group, 127);
}

#define CHECK(call, step, detail)                               \
	do {                                                    \
		long rc_ = (call);                              \
		if (rc_ < 0)                                    \
			die(c, step, rc_, detail, NULL);        \
	} while (0)

/* ------------------------------------------------------------------ file system helpers */

static long make_dirs(const char *path, int mode)
{
	char buf[PATH_BUF];
	size_t n = append(buf, 0, sizeof(buf), path);
	long rc = 0;

	if (n >= sizeof(buf) - 1)
		return -ENAMETOOLONG;
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		rc = sys3(SYS_mkdirat, AT_FDCWD, buf, mode);
		if (rc < 0 && rc != -EEXIST)
			return rc;
		buf[i] = i < n ? '/' : '\0';
	}
	return 0;
}

/* A mount point for a file: its directory, then an empty file (kept if present). */
static long make_file(const char *path)
{
	char dir[PATH_BUF];
	size_t n = append(dir, 0, sizeof(dir), path);
	long rc, fd;

	while (n > 1 && dir[n - 1] != '/')
		n--;
	dir[n > 1 ? n - 1 : 1] = '\0';
	rc = make_dirs(dir, 0755);
	if (rc < 0)
		return rc;
	fd = sys4(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd == -EISDIR)
		return 0;
	if (fd < 0)
		return fd;
	sys1(SYS_close, fd);
	return 0;
}

static int is_dir_fd(int fd)
{
	struct stat st;

	if (sys4(SYS_newfstatat, fd, "", &st, AT_EMPTY_PATH) < 0)
		return 1;
	return S_ISDIR(st.st_mode);
}

/* 1 directory, 0 other, negative errno (ENOENT when absent). */
static long path_kind(const char *path)
{
	struct stat st;
	long rc = sys4(SYS_newfstatat, AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW);

	return rc < 0 ? rc : S_ISDIR(st.st_mode);
}

static long set_readonly(int dirfd, const char *path, unsigned int flags)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

	return sys5(SYS_mount_setattr, dirfd, path, flags, &attr, sizeof(attr));
}

/* Attaches a detached mount (from open_tree) at target, creating the mount point first. */
static void attach(struct isl_child_ctx *c, int tree, const char *target, const char *step)
{
	CHECK(is_dir_fd(tree) ? make_dirs(target, 0755) : make_file(target), step, target);
	CHECK(sys5(SYS_move_mount, tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH), step, target);
}

static int clone_tree(struct isl_child_ctx *c, int dirfd, const char *path, unsigned int flags,
		      const char *step)
{
	long fd = sys3(SYS_open_tree, dirfd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | flags);

	if (fd < 0)
		die(c, step, fd, path[0] ? path : "(detached mount)",
		    fd == -ENOSYS ? " (open_tree needs Linux 5.2)" : NULL);
	return (int)fd;
}

/*
 * A new proc or sysfs instance as a detached mount, made before the pivot: in a user namespace the
 * kernel allows it only while a full view of the host's instance is visible in the mount namespace.
 */
static int new_fs(struct isl_child_ctx *c, const char *type, unsigned int attrs, const char *step)
{
	long fs = sys2(SYS_fsopen, type, FSOPEN_CLOEXEC);
	long mnt;

	if (fs < 0)
		die(c, step, fs, type, fs == -ENOSYS ? " (fsopen needs Linux 5.2)" : NULL);
	CHECK(sys5(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0), step, type);
	mnt = sys3(SYS_fsmount, fs, FSMOUNT_CLOEXEC, attrs);
	CHECK(mnt, step, type);
	sys1(SYS_close, fs);
	return (int)mnt;
}

/* ------------------------------------------------------------------ the root */

/* Detached copies of the bind mounts' sources (and of the host's devices), made while the caller's mounts are visible. */
static void clone_sources(struct isl_child_ctx *c, int devices_too)
{
	const struct isl_req *r = c->req;

	for (int i = 0; i < r->nmounts; i++) {
		c->tree_fds[i] = clone_tree(c, AT_FDCWD, r->mounts[i].source, AT_RECURSIVE, "bind mount");
		if (r->mounts[i].flags & ISL_MNT_RDONLY)
			CHECK(set_readonly(c->tree_fds[i], "", AT_EMPTY_PATH | AT_RECURSIVE), "bind mount read-only",
			      r->mounts[i].source);
	}
	for (int i = 0; devices_too && i < ISL_DEVICES; i++) {
		char path[32];

		append(path, append(path, 0, sizeof(path), "/dev/"), sizeof(path), devices[i].name);
		c->dev_fds[i] = clone_tree(c, AT_FDCWD, path, 0, "bind host device");
	}
}

/* dir + "/" + name into buf, which holds PATH_BUF bytes. */
static const char *child_path(char *buf, const char *dir, const char *name)
{
	size_t n = append(buf, 0, PATH_BUF, dir);

	n = append(buf, n, PATH_BUF, "/");
	append(buf, n, PATH_BUF, name);
	return buf;
}

/*
 * The overlay's upper and work dirs in a tmpfs of the sandbox's own, mounted on the root dir (in its
 * mount namespace only): nothing to make or remove on the host, and no disk under the copy-on-write layer.
 * Returns where the overlay goes: root_dir/root.
 */
static const char *memory_layers(struct isl_child_ctx *c, char *upper, char *work, char *root)
{
	const char *dir = c->req->root_dir;

	CHECK(sys5(SYS_mount, "tmpfs", dir, "tmpfs", 0, "mode=0755"), "mount overlay layers", dir);
	CHECK(sys3(SYS_mkdirat, AT_FDCWD, child_path(upper, dir, "upper"), 0755), "mount overlay layers", upper);
	CHECK(sys3(SYS_mkdirat, AT_FDCWD, child_path(work, dir, "work"), 0700), "mount overlay layers", work);
	CHECK(sys3(SYS_mkdirat, AT_FDCWD, child_path(root, dir, "root"), 0755), "mount overlay layers", root);
	return root;
}

/*
 * Host-side work that must happen before the old root is detached. Returns the new root's path:
 * root_dir, or root_buf (PATH_BUF bytes) for an overlay whose layers are in memory.
 */
static const char *prepare_root(struct isl_child_ctx *c, char *root_buf)
{
	const struct isl_req *r = c->req;
	const char *new_root = r->root_dir;

	CHECK(sys5(SYS_mount, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), "mount propagation", "/");
	TRACE("propagation");
	if (r->ovl_lower) {
		char opts[3 * PATH_BUF], upper_buf[PATH_BUF], work_buf[PATH_BUF];
		const char *upper = r->ovl_upper, *work = r->ovl_work;
		size_t n = append(opts, 0, sizeof(opts), "lowerdir=");

		if (r->ovl_memory) {
			new_root = memory_layers(c, upper_buf, work_buf, root_buf);
			upper = upper_buf;
			work = work_buf;
		}
		n = append(opts, n, sizeof(opts), r->ovl_lower);
		n = append(opts, n, sizeof(opts), ",upperdir=");
		n = append(opts, n, sizeof(opts), upper);
		n = append(opts, n, sizeof(opts), ",workdir=");
		n = append(opts, n, sizeof(opts), work);
		/*
		 * Layers in memory are thrown away with the sandbox: volatile (Linux 5.10) skips every sync of
		 * them. On disk syncs stay: an fsync in the sandbox must reach the disk (and write back the
		 * dirty pages a memory cgroup could not reclaim otherwise).
		 */
		if (r->ovl_memory)
			n = append(opts, n, sizeof(opts), ",volatile");
		/* In a user namespace overlayfs keeps its metadata in user.* xattrs (Linux 5.11+). */
		if (r->clone_flags & CLONE_NEWUSER)
			append(opts, n, sizeof(opts), ",userxattr");
		CHECK(sys5(SYS_mount, "overlay", new_root, "overlay", 0, opts), "mount overlay", new_root);
	} else {
		const char *source = r->root_source ? r->root_source : r->root_dir;

		CHECK(sys5(SYS_mount, source, r->root_dir, NULL, MS_BIND | MS_REC, NULL), "bind root", source);
	}
	TRACE("root-mount");
	clone_sources(c, r->dev == DEV_BIND);
	TRACE("bind-sources");
	return new_root;
}

static void pivot(struct isl_child_ctx *c, const char *root)
{
	CHECK(sys1(SYS_chdir, root), "chdir new root", root);
	/* pivot_root(".", ".") stacks the old root on the new one: no put_old directory in the rootfs. */
	CHECK(sys2(SYS_pivot_root, ".", "."), "pivot_root", root);
	TRACE("pivot_root");
	CHECK(sys5(SYS_mount, NULL, ".", NULL, MS_SLAVE | MS_REC, NULL), "detach old root", root);
	CHECK(sys2(SYS_umount2, ".", MNT_DETACH), "detach old root", root);
	CHECK(sys1(SYS_chdir, "/"), "chdir /", root);
	TRACE("detach-old-root");
}

static void mount_dev(struct isl_child_ctx *c)
{
	static const char *const links[][2] = {
		{ "/dev/fd", "/proc/self/fd" }, { "/dev/stdin", "/proc/self/fd/0" },
		{ "/dev/stdout", "/proc/self/fd/1" }, { "/dev/stderr", "/proc/self/fd/2" },
		{ "/dev/ptmx", "pts/ptmx" },
	};

	CHECK(make_dirs("/dev", 0755), "mount /dev", "/dev");
	CHECK(sys5(SYS_mount, "tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k"),
	      "mount /dev", "/dev");
	for (int i = 0; i < ISL_DEVICES; i++) {
		char path[32];

		append(path, append(path, 0, sizeof(path), "/dev/"), sizeof(path), devices[i].name);
		if (c->req->dev == DEV_MKNOD)
			CHECK(sys4(SYS_mknodat, AT_FDCWD, path, S_IFCHR | 0666,
				   makedev(devices[i].major, devices[i].minor)), "mknod", path);
		else
			attach(c, c->dev_fds[i], path, "bind host device");
	}
	CHECK(make_dirs("/dev/pts", 0755), "mount /dev/pts", "/dev/pts");
	CHECK(sys5(SYS_mount, "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		   "newinstance,ptmxmode=0666,mode=0620"), "mount /dev/pts", "/dev/pts");
	CHECK(make_dirs("/dev/shm", 01777), "mount /dev/shm", "/dev/shm");
	CHECK(sys5(SYS_mount, "shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		   "mode=1777,size=65536k"), "mount /dev/shm", "/dev/shm");
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		CHECK(sys3(SYS_symlinkat, links[i][1], AT_FDCWD, links[i][0]), "symlink", links[i][0]);
}

/* What the masks mounted so far, so that the next ones are binds of them rather than new mounts. */
struct masking {
	const char *dir;	/* the first masked directory: an empty read-only tmpfs */
	const char *file;	/* the first masked file: /dev/null */
	int null_tree;		/* without a /dev of our own: the host's /dev/null, cloned before the pivot */
};

/*
 * Hides a path the way the OCI runtimes do: /dev/null over a file, an empty read-only tmpfs over a
 * directory. One tmpfs serves every directory (a bind mount keeps the read-only, nosuid, nodev, noexec
 * flags of its source), which saves a superblock per masked directory.
 */
static void mask(struct isl_child_ctx *c, const char *path, struct masking *m)
{
	long kind = path_kind(path);

	if (kind == -ENOENT)
		return;
	CHECK(kind, "mask path", path);
	if (kind == 1) {
		if (m->dir) {
			CHECK(sys5(SYS_mount, m->dir, path, NULL, MS_BIND, NULL), "mask path", path);
			return;
		}
		CHECK(sys5(SYS_mount, "tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0"),
		      "mask path", path);
		m->dir = path;
	} else if (m->file || c->req->dev != DEV_NONE) {
		/* the new root's /dev/null */
		CHECK(sys5(SYS_mount, m->file ? m->file : "/dev/null", path, NULL, MS_BIND, NULL), "mask path", path);
		m->file = path;
	} else {
		/*
		 * Attached once, then bound from: Linux 6.1 (Debian 12's) refuses to clone a detached mount,
		 * and one left detached would be dissolved at exec, an RCU grace period in the workload's way.
		 */
		CHECK(sys5(SYS_move_mount, m->null_tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH), "mask path", path);
		m->file = path;
	}
}

static void readonly_path(struct isl_child_ctx *c, const char *path)
{
	long kind = path_kind(path);

	if (kind == -ENOENT)
		return;
	CHECK(kind, "read-only path", path);
	CHECK(sys5(SYS_mount, path, path, NULL, MS_BIND | MS_REC, NULL), "read-only path", path);
	CHECK(set_readonly(AT_FDCWD, path, AT_RECURSIVE), "read-only path", path);
}

/* The last steps of either root, once /proc is there: bind mounts, masks, read-only paths, read-only root. */
static void finish_root(struct isl_child_ctx *c, struct masking *masking)
{
	const struct isl_req *r = c->req;

	for (int i = 0; i < r->nmounts; i++)
		attach(c, c->tree_fds[i], r->mounts[i].target, "bind mount");
	TRACE("bind-mounts");
	for (int i = 0; i < r->nmasked; i++)
		mask(c, r->masked[i], masking);
	for (int i = 0; i < r->nro_paths; i++)
		readonly_path(c, r->ro_paths[i]);
	TRACE("masks-ro-paths");
	if (r->root_rdonly)
		CHECK(set_readonly(AT_FDCWD, "/", 0), "read-only root", "/");
}

static void setup_pivot_root(struct isl_child_ctx *c)
{
	const struct isl_req *r = c->req;
	struct masking masking = { NULL, NULL, -1 };
	int proc = -1, sysfs = -1;
	char root_buf[PATH_BUF];
	const char *root = prepare_root(c, root_buf);

	if (r->nmasked && r->dev == DEV_NONE)
		masking.null_tree = clone_tree(c, AT_FDCWD, "/dev/null", 0, "mask path");
	if (r->proc)
		proc = new_fs(c, "proc", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, "mount /proc");
	TRACE("new-proc");
	if (r->sysfs)
		sysfs = new_fs(c, "sysfs", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
			       "mount /sys");
	TRACE("new-sysfs");
	pivot(c, root);
	if (proc >= 0)
		attach(c, proc, "/proc", "mount /proc");
	if (sysfs >= 0)
		attach(c, sysfs, "/sys", "mount /sys");
	TRACE("attach-proc-sys");
	if (r->dev != DEV_NONE)
		mount_dev(c);
	TRACE("dev");
	finish_root(c, &masking);
}

/*
 * A root prepared ahead (T_MNTNS_FD, made by a T_PREPARE_ONLY launch): its mount namespace already holds
 * the overlay, /dev, /sys and the masks and read-only paths outside /proc, pivoted into with the old root
 * detached. What depends on this launch is done here, in the order of setup_pivot_root: the bind mounts'
 * sources cloned while the caller's mounts are visible, the namespace joined (root and working directory
 * become its root), /proc of the new pid namespace, the bind mounts, the masks and read-only paths (the
 * caller passes those under /proc), the read-only root.
 */
static void setup_prepared_root(struct isl_child_ctx *c)
{
	const struct isl_req *r = c->req;
	struct masking masking = { NULL, NULL, -1 };

	clone_sources(c, 0);
	CHECK(sys2(SYS_setns, c->mntns_fd, CLONE_NEWNS), "setns", "prepared mount namespace");
	CHECK(sys1(SYS_chdir, "/"), "chdir /", "prepared root");
	TRACE("setns-prepared-root");
	if (r->proc) {
		int proc = new_fs(c, "proc", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, "mount /proc");

		attach(c, proc, "/proc", "mount /proc");
		sys1(SYS_close, proc); /* a parked child would hold it until its exec */
	}
	TRACE("proc");
	finish_root(c, &masking);
}

/*
 * Sends the child's mount namespace to the parent, which keeps it until the sandbox is destroyed: the
 * namespace's teardown (an RCU grace period, and the overlay's) then happens there rather than between
 * the workload's exit and its parent learning of it.
 */
static void send_mount_namespace(struct isl_child_ctx *c)
{
	struct isl_fdmsg m;
	long fd = sys4(SYS_openat, AT_FDCWD, "/proc/thread-self/ns/mnt", O_RDONLY | O_CLOEXEC, 0);

	CHECK(fd, "keep mount namespace", "/proc/thread-self/ns/mnt");
	isl_fdmsg_init(&m, 'm', &(int){ (int)fd }, 1);
	CHECK(sys3(SYS_sendmsg, c->keep_fd, &m.msg, 0), "keep mount namespace", "sendmsg");
	sys1(SYS_close, fd);
}

/* ------------------------------------------------------------------ the process */

static void reset_signals(void)
{
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		unsigned long mask;
	} dfl = { SIG_DFL, 0, NULL, 0 };

	/* The JVM's handlers must never run here; the workload starts with default dispositions. */
	for (int sig = 1; sig < 65; sig++)
		sys4(SYS_rt_sigaction, sig, &dfl, NULL, 8);
}

static void mark_fds_cloexec(struct isl_child_ctx *c)
{
	char buf[1024];
	long fd, n;

	if (sys3(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	/* Before Linux 5.11: walk /proc/self/fd (the JVM opens some descriptors without O_CLOEXEC). */
	fd = sys4(SYS_openat, AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	CHECK(fd, "close descriptors", "/proc/self/fd");
	while ((n = sys3(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			const char *name = buf + off + 19; /* d_ino 8, d_off 8, d_reclen 2, d_type 1 */
			unsigned short reclen;
			long v = 0;

			memcpy(&reclen, buf + off + 16, sizeof(reclen));
			off += reclen;
			if (*name < '0' || *name > '9')
				continue;
			while (*name >= '0' && *name <= '9')
				v = v * 10 + (*name++ - '0');
			if (v > 2 && v != fd)
				sys3(SYS_fcntl, v, F_SETFD, FD_CLOEXEC);
		}
	}
	sys1(SYS_close, fd);
}

static void setup_stdio(struct isl_child_ctx *c)
{
	for (int i = 0; i < 3; i++) {
		if (c->stdio[i] == i)
			CHECK(sys3(SYS_fcntl, i, F_SETFD, 0), "stdio", "dup2");
		else
			CHECK(sys2(SYS_dup2, c->stdio[i], i), "stdio", "dup2");
	}
}

static void loopback_up(struct isl_child_ctx *c)
{
	struct ifreq ifr;
	long s = sys3(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	CHECK(s, "loopback up", "socket");
	memset(&ifr, 0, sizeof(ifr));
	append(ifr.ifr_name, 0, sizeof(ifr.ifr_name), "lo");
	CHECK(sys3(SYS_ioctl, s, SIOCGIFFLAGS, &ifr), "loopback up", "SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	CHECK(sys3(SYS_ioctl, s, SIOCSIFFLAGS, &ifr), "loopback up", "SIOCSIFFLAGS lo");
	sys1(SYS_close, s);
}

static const char *rlimit_name(unsigned int resource)
{
	static const char *const names[] = {
		"RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE",
		"RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS",
		"RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",
		"RLIMIT_RTPRIO", "RLIMIT_RTTIME",
	};

	return resource < sizeof(names) / sizeof(names[0]) ? names[resource] : "RLIMIT_?";
}

/* Bounding set and ambient set first, while CAP_SETPCAP is still held; the user switch keeps the rest. */
static void drop_bounding_caps(struct isl_child_ctx *c)
{
	for (int cap = 0; cap < 64; cap++) {
		long rc;

		if (c->req->caps & (1ULL << cap))
			continue;
		rc = sys2(SYS_prctl, PR_CAPBSET_DROP, cap);
		if (rc < 0 && rc != -EINVAL) /* EINVAL: beyond this kernel's last capability */
			die(c, "capability bounding set", rc, "PR_CAPBSET_DROP", NULL);
	}
	sys5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

static void set_caps(struct isl_child_ctx *c)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	uint64_t keep = c->req->caps;

	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	CHECK(sys2(SYS_capset, &hdr, data), "capset", "effective and permitted sets");
}

static void switch_user(struct isl_child_ctx *c)
{
	const struct isl_req *r = c->req;

	if (r->has_caps)
		CHECK(sys2(SYS_prctl, PR_SET_KEEPCAPS, 1), "capabilities", "PR_SET_KEEPCAPS");
	if (!r->setgroups_deny)
		CHECK(sys2(SYS_setgroups, r->ngroups, r->groups), "setgroups", "supplementary groups");
	if (r->has_gid)
		CHECK(sys3(SYS_setresgid, r->gid, r->gid, r->gid), "setgid", "group id");
	if (r->has_uid)
		CHECK(sys3(SYS_setresuid, r->uid, r->uid, r->uid), "setuid", "user id");
	if (r->has_caps) {
		set_caps(c);
		CHECK(sys2(SYS_prctl, PR_SET_KEEPCAPS, 0), "capabilities", "PR_SET_KEEPCAPS");
	}
}

static const char *env_path(char *const *envp)
{
	for (; *envp; envp++)
		if (!strncmp(*envp, "PATH=", 5))
			return *envp + 5;
	return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

/* execvpe's search, without its allocation: a command without '/' is looked up on the request's PATH. */
static void __attribute__((noreturn)) exec_command(struct isl_child_ctx *c)
{
	char *const *argv = c->req->argv;
	char *const *envp = c->req->envp;
	const char *cmd = argv[0];
	char buf[PATH_BUF];
	long rc, seen = -ENOENT;

	if (strchr(cmd, '/')) {
		rc = sys3(SYS_execve, cmd, argv, envp);
		die(c, "execve", rc, cmd, NULL);
	}
	for (const char *p = env_path(envp); ; p++) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		size_t n = 0;

		if (len + strlen(cmd) + 2 < sizeof(buf)) {
			memcpy(buf, p, len);
			n = len;
			if (n == 0)
				buf[n++] = '.';
			buf[n++] = '/';
			append(buf, n, sizeof(buf), cmd);
			rc = sys3(SYS_execve, buf, argv, envp);
			if (rc == -EACCES)
				seen = rc;
			else if (rc != -ENOENT && rc != -ENOTDIR)
				die(c, "execve", rc, buf, NULL);
		}
		if (!end)
			break;
		p = end;
	}
	die(c, "execve", seen, cmd, seen == -ENOENT ? " (not found on PATH)" : " (on PATH)");
}

/* The sandbox's cgroups joined, before the workload's first instruction; then its cgroup namespace. */
static void join_cgroups(struct isl_child_ctx *c)
{
	for (int i = 0; i < c->nprocs_fds; i++)
		CHECK(sys3(SYS_write, c->procs_fds[i], "0", 1), "cgroup join", c->req->cgroups[i]);
	TRACE("cgroup-join");
	if (c->unshare_flags)
		CHECK(sys1(SYS_unshare, c->unshare_flags), "unshare", "cgroup/time namespace");
	TRACE("unshare");
}

/* Once in its namespaces and root: hostname, rlimits, capabilities, user, working directory, exec. */
static void __attribute__((noreturn)) become_workload(struct isl_child_ctx *c, long old_umask)
{
	const struct isl_req *r = c->req;
	unsigned long empty = 0;

	if (r->hostname)
		CHECK(sys2(SYS_sethostname, r->hostname, strlen(r->hostname)), "sethostname", r->hostname);
	if (r->loopback)
		loopback_up(c);
	TRACE("hostname-lo");
	for (int i = 0; i < r->nrlimits; i++) {
		struct rlimit64 {
			uint64_t cur, max;
		} lim = { r->rlimits[i].soft, r->rlimits[i].hard };

		CHECK(sys4(SYS_prlimit64, 0, r->rlimits[i].resource, &lim, NULL), "setrlimit",
		      rlimit_name(r->rlimits[i].resource));
	}
	if (r->has_caps)
		drop_bounding_caps(c);
	if (r->has_uid || r->has_gid || r->ngroups)
		switch_user(c);
	else if (r->has_caps)
		set_caps(c);
	if (old_umask >= 0)
		sys1(SYS_umask, old_umask);
	CHECK(sys1(SYS_chdir, r->cwd), "chdir", r->cwd);
	if (r->no_new_privs)
		CHECK(sys5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs", "PR_SET_NO_NEW_PRIVS");
	TRACE("creds");
	sys4(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL, 8);
	exec_command(c);
}

/* ------------------------------------------------------------------ a parked launch */

/*
 * A parked child lives on beside the JVM for as long as its launch waits: of the JVM's descriptors it
 * keeps only its socket and the namespaces it joins (and 0-2, replaced at its launch). Held copies of
 * the JVM's files and sockets would keep them open, and another parked child's socket would keep that
 * child from seeing its launch let go.
 */
static void keep_only(struct isl_child_ctx *c)
{
	int keep[3] = { c->park_fd, c->netns_fd, c->mntns_fd };
	unsigned int from = 3;

	for (int i = 0; i < 3; i++)
		for (int j = i + 1; j < 3; j++)
			if (keep[j] < keep[i]) {
				int t = keep[i];

				keep[i] = keep[j];
				keep[j] = t;
			}
	for (int i = 0; i < 3; i++) {
		if (keep[i] < (int)from)
			continue;
		if ((unsigned int)keep[i] > from)
			CHECK(sys3(SYS_close_range, from, keep[i] - 1, 0), "park", "close the JVM's descriptors");
		from = (unsigned int)keep[i] + 1;
	}
	CHECK(sys3(SYS_close_range, from, ~0U, 0), "park", "close the JVM's descriptors");
}

/*
 * Waits for the rest of the launch: one message whose descriptors are stdin, stdout, stderr and the
 * cgroup.procs files to join, in that order; the parent has written the rest of the request into the
 * shared context before sending it. Copies the context (the parent's descriptor numbers are not this
 * process's) into mine. The socket closing instead means the launch was let go, or the JVM died.
 */
static void await_unpark(struct isl_child_ctx *c, struct isl_child_ctx *mine)
{
	struct isl_fdmsg m;
	long n;
	int fds[ISL_FDMSG_MAX];

	isl_fdmsg_init(&m, 0, NULL, 0);
	do
		n = sys3(SYS_recvmsg, c->park_fd, &m.msg, MSG_CMSG_CLOEXEC);
	while (n == -EINTR);
	if (n <= 0)
		sys1(SYS_exit_group, 0); /* nothing to run: not a failure anybody waits to hear of */
	*mine = *c;
	if (isl_fdmsg_fds(&m, fds, ISL_FDMSG_MAX) != 3 + mine->nprocs_fds)
		die(mine, "unpark", -EPROTO, "descriptors of the launch", NULL);
	for (int i = 0; i < 3; i++)
		mine->stdio[i] = fds[i];
	for (int i = 0; i < mine->nprocs_fds; i++)
		mine->procs_fds[i] = fds[3 + i];
}

/*
 * A parked launch (isl_park): the namespaces and the root are made now, off the launch's path; then the
 * child waits on its socket, and once the rest of the request is there it does what is the launch's
 * own (cgroups, session, stdio, hostname, limits, user) and execs. It shares the JVM's memory (CLONE_VM)
 * but not its descriptors, and writes nothing shared but its trace: what it receives goes into mine.
 */
static void __attribute__((noreturn)) parked_child(struct isl_child_ctx *c)
{
	struct isl_child_ctx mine;
	long old_umask;

	TRACE("child");
	reset_signals();
	keep_only(c);
	sys2(SYS_prctl, PR_SET_NAME, "isolab-parked");
	CHECK(sys2(SYS_setns, c->netns_fd, CLONE_NEWNET), "setns", "prepared network namespace");
	old_umask = sys1(SYS_umask, 0);
	setup_prepared_root(c);
	sys1(SYS_close, c->netns_fd);
	sys1(SYS_close, c->mntns_fd);
	TRACE("root");
	CHECK(sys3(SYS_write, c->park_fd, "r", 1), "park", "ready");
	await_unpark(c, &mine);
	c = &mine;
	if (c->restore_affinity)
		CHECK(sys3(SYS_sched_setaffinity, 0, sizeof(c->affinity), c->affinity), "sched_setaffinity",
		      "the launching thread's CPUs");
	TRACE("unparked");
	join_cgroups(c);
	if (c->req->setsid)
		CHECK(sys0(SYS_setsid), "setsid", "new session");
	mark_fds_cloexec(c);
	setup_stdio(c);
	TRACE("session-fds-stdio");
	become_workload(c, old_umask);
}

void isl_child(struct isl_child_ctx *c)
{
	const struct isl_req *r = c->req;
	long old_umask = -1;

	if (c->park_fd >= 0)
		parked_child(c);
	TRACE("child");
	reset_signals();
	TRACE("signals");
	if (c->sync_fd >= 0) {
		char go;
		long n = sys3(SYS_read, c->sync_fd, &go, 1);

		if (n != 1) /* the parent failed (and says why) or died: nothing to report */
			sys1(SYS_exit_group, 127);
	}
	for (int i = 0; i < c->njoin_ns_fds; i++)
		CHECK(sys2(SYS_setns, c->join_ns_fds[i], 0), "setns", "namespace of the sandbox");
	if (c->netns_fd >= 0)
		CHECK(sys2(SYS_setns, c->netns_fd, CLONE_NEWNET), "setns", "prepared network namespace");
	if ((r->clone_flags | r->join_ns) & CLONE_NEWUSER) {
		/* Still the parent's (unmapped) ids: become the namespace's root, as runc's nsexec does. */
		CHECK(sys3(SYS_setresgid, 0, 0, 0), "setgid", "root of the new user namespace (gid 0 must be mapped)");
		CHECK(sys3(SYS_setresuid, 0, 0, 0), "setuid", "root of the new user namespace (uid 0 must be mapped)");
	}
	TRACE("setns-ids");
	join_cgroups(c);
	if (r->setsid)
		CHECK(sys0(SYS_setsid), "setsid", "new session");
	if (c->keep_fd >= 0)
		send_mount_namespace(c);
	mark_fds_cloexec(c);
	setup_stdio(c);
	TRACE("session-fds-stdio");
	if (r->root_mode == ROOT_CHROOT) {
		CHECK(sys1(SYS_chroot, r->root_dir), "chroot", r->root_dir);
		CHECK(sys1(SYS_chdir, "/"), "chdir", "/");
	} else if (r->root_mode == ROOT_PIVOT) {
		old_umask = sys1(SYS_umask, 0); /* device nodes and mount points get exactly their modes */
		if (c->mntns_fd >= 0)
			setup_prepared_root(c);
		else
			setup_pivot_root(c);
		if (r->prepare_only)
			sys1(SYS_exit_group, 0); /* the parent has the mount namespace: the root is ready */
	}
	TRACE("root");
	become_workload(c, old_umask);
}
