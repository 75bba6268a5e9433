/*
 * What the process can see of its machine (inspect), and whether it can leave its root (escape-chroot):
 * the evidence of isolation, compared by the tests against what the host itself sees.
 *
 * Linux reads /proc; every /proc-derived fact is null (or {} for ns) when /proc is not mounted, so an
 * absent /proc is never mistaken for an empty machine. The FreeBSD branch (jails) is UNVERIFIED: it was
 * written against FreeBSD's documented interfaces (sysctl(3), getfsstat(2)) but never compiled or run
 * on FreeBSD. Keep it small until it has been.
 */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <dirent.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/vfs.h>
#define PROC_SUPER_MAGIC 0x9fa0 /* <linux/magic.h>; spelt out to need no kernel headers */
#elif defined(__FreeBSD__)
#include <sys/param.h>
#include <sys/mount.h>
#include <sys/sysctl.h>
#include <sys/time.h>
#include <sys/user.h>
#endif

/* ---------------------------------------------------------------- helpers */

struct names {
	char **v;
	size_t n;
};

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add a copy of name; with `unique`, only if not already present. */
static void names_add(struct names *names, const char *name, bool unique)
{
	if (unique)
		for (size_t i = 0; i < names->n; i++)
			if (strcmp(names->v[i], name) == 0)
				return;
	char **v = realloc(names->v, (names->n + 1) * sizeof(char *));
	if (v == NULL)
		fail("realloc");
	names->v = v;
	if ((v[names->n] = strdup(name)) == NULL)
		fail("strdup");
	names->n++;
}

static void names_sort(struct names *names)
{
	if (names->n > 0)
		qsort(names->v, names->n, sizeof(char *), compare_names);
}

static void names_free(struct names *names)
{
	for (size_t i = 0; i < names->n; i++)
		free(names->v[i]);
	free(names->v);
	names->v = NULL;
	names->n = 0;
}

/* The entries of dir except . and .., sorted bytewise; false when dir cannot be read. */
static bool list_dir(const char *dir, struct names *out)
{
	out->v = NULL;
	out->n = 0;
	DIR *d = opendir(dir);
	if (d == NULL)
		return false;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			names_add(out, e->d_name, false);
	closedir(d);
	names_sort(out);
	return true;
}

static void json_names(const char *key, const struct names *names)
{
	json_array(key);
	for (size_t i = 0; i < names->n; i++)
		json_str(NULL, names->v[i]);
	json_array_end();
}

static void json_root_listing(void)
{
	struct names root;
	if (list_dir("/", &root))
		json_names("root_listing", &root);
	else
		json_null("root_listing");
	names_free(&root);
}

/* The PATH of an optional "--marker PATH", NULL without one. */
static const char *marker_option(int argc, char **argv)
{
	if (argc == 1)
		return NULL;
	if (strcmp(argv[1], "--marker") != 0)
		usage_error("unexpected argument '%s'", argv[1]);
	if (argc != 3)
		usage_error("--marker needs PATH");
	return argv[2];
}

static void json_marker(const char *marker)
{
	if (marker == NULL)
		json_null("marker_visible");
	else
		json_bool("marker_visible", access(marker, F_OK) == 0);
}

/* ---------------------------------------------------------------- Linux: /proc */

#if defined(__linux__)

/* The whole of a small file (NUL-terminated, cut at size - 1 bytes) in buf; false if unreadable. */
static bool read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	size_t len = 0;
	ssize_t n;
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return false;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return true;
}

/* Each line of path as a string, runs of blanks squeezed to one space (uid_map pads its columns). */
static void json_lines(const char *key, const char *path)
{
	char buf[16384];
	if (!read_small(path, buf, sizeof(buf))) {
		json_null(key);
		return;
	}
	json_array(key);
	for (char *line = strtok(buf, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		char *w = line;
		for (char *r = line; *r; r++)
			if (!(*r == ' ' && (w == line || w[-1] == ' ')))
				*w++ = *r;
		if (w > line && w[-1] == ' ')
			w--;
		*w = '\0';
		json_str(NULL, line);
	}
	json_array_end();
}

static bool proc_mounted(void)
{
	struct statfs fs;
	return statfs("/proc", &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC;
}

static void json_boot_id(void)
{
	char id[64];
	if (read_small("/proc/sys/kernel/random/boot_id", id, sizeof(id))) {
		id[strcspn(id, "\n")] = '\0';
		json_str("boot_id", id);
	} else
		json_null("boot_id");
}

/* The inode of every /proc/self/ns entry: two processes share a namespace iff these are equal. */
static void json_namespaces(void)
{
	struct names ns;
	json_object("ns");
	if (list_dir("/proc/self/ns", &ns)) {
		for (size_t i = 0; i < ns.n; i++) {
			char path[64];
			struct stat st;
			snprintf(path, sizeof(path), "/proc/self/ns/%s", ns.v[i]);
			if (stat(path, &st) == 0)
				json_uint(ns.v[i], (uint64_t)st.st_ino);
			else
				json_null(ns.v[i]);
		}
	}
	json_object_end();
	names_free(&ns);
}

static void json_processes(void)
{
	DIR *d = proc_mounted() ? opendir("/proc") : NULL;
	if (d == NULL) {
		json_null("processes");
		return;
	}
	int64_t count = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && strspn(e->d_name, "0123456789") == strlen(e->d_name))
			count++;
	closedir(d);
	json_int("processes", count);
}

static void json_mounts(void)
{
	FILE *f = fopen("/proc/self/mounts", "re");
	if (f == NULL) {
		json_null("mounts");
		return;
	}
	int64_t lines = 0;
	int c;
	while ((c = getc(f)) != EOF)
		lines += c == '\n';
	fclose(f);
	json_int("mounts", lines);
}

/* The value of "Name:\t<value>" in /proc/self/status, in out; false if absent. */
static bool status_field(const char *status, const char *name, char *out, size_t size)
{
	size_t len = strlen(name);
	for (const char *line = status; line != NULL; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (strncmp(line, name, len) == 0 && line[len] == ':') {
			const char *v = line + len + 1;
			v += strspn(v, " \t");
			snprintf(out, size, "%.*s", (int)strcspn(v, "\n"), v);
			return true;
		}
	}
	return false;
}

/* Capabilities, no_new_privs and seccomp mode: what the process may still do to the kernel. */
static void json_privileges(void)
{
	char status[8192], v[64];
	bool ok = read_small("/proc/self/status", status, sizeof(status));
	if (ok && status_field(status, "CapEff", v, sizeof(v)))
		json_str("cap_eff", v);
	else
		json_null("cap_eff");
	if (ok && status_field(status, "NoNewPrivs", v, sizeof(v)))
		json_bool("no_new_privs", strcmp(v, "0") != 0);
	else
		json_null("no_new_privs");
	if (ok && status_field(status, "Seccomp", v, sizeof(v)))
		json_int("seccomp", atoi(v)); /* 0 off, 1 strict, 2 filter */
	else
		json_null("seccomp");
}

static void json_os_specific(void)
{
	json_boot_id();
	json_null("jailed");
	json_namespaces();
	json_processes();
	json_lines("cgroup", "/proc/self/cgroup");
	json_lines("uid_map", "/proc/self/uid_map");
	json_privileges();
	json_mounts();
}

/* ---------------------------------------------------------------- FreeBSD: sysctl (UNVERIFIED) */

#elif defined(__FreeBSD__)

static void json_os_specific(void)
{
	struct timeval boot;
	size_t len = sizeof(boot);
	if (sysctlbyname("kern.boottime", &boot, &len, NULL, 0) == 0) {
		/* No boot id on FreeBSD: the boot time identifies a boot as well, to the microsecond. */
		char id[64];
		snprintf(id, sizeof(id), "%lld.%06ld", (long long)boot.tv_sec, (long)boot.tv_usec);
		json_str("boot_id", id);
	} else
		json_null("boot_id");

	int jailed;
	len = sizeof(jailed);
	if (sysctlbyname("security.jail.jailed", &jailed, &len, NULL, 0) == 0)
		json_bool("jailed", jailed != 0);
	else
		json_null("jailed");

	json_object("ns"); /* no namespaces: a jail is one object, not a set of them */
	json_object_end();

	/* kern.proc.proc lists the processes this process may see (only its jail's, inside one). The
	 * size is read twice because processes may appear in between; ENOMEM means retry. */
	int mib[3] = {CTL_KERN, KERN_PROC, KERN_PROC_PROC};
	struct kinfo_proc *procs = NULL;
	int err = ENOMEM;
	for (int attempt = 0; attempt < 5 && err == ENOMEM; attempt++) {
		len = 0;
		if (sysctl(mib, 3, NULL, &len, NULL, 0) != 0) {
			err = errno;
			break;
		}
		len += len / 4;
		free(procs);
		procs = malloc(len);
		if (procs == NULL)
			fail("malloc");
		err = sysctl(mib, 3, procs, &len, NULL, 0) == 0 ? 0 : errno;
	}
	if (err == 0)
		json_int("processes", (int64_t)(len / sizeof(struct kinfo_proc)));
	else
		json_null("processes");
	free(procs);

	json_null("cgroup");
	json_null("uid_map");
	json_null("cap_eff");
	json_null("no_new_privs");
	json_null("seccomp");
	int mounts = getfsstat(NULL, 0, MNT_NOWAIT); /* the mounts visible to this process */
	if (mounts >= 0)
		json_int("mounts", mounts);
	else
		json_null("mounts");
}

#else

static void json_os_specific(void)
{
	json_null("boot_id");
	json_null("jailed");
	json_object("ns");
	json_object_end();
	json_null("processes");
	json_null("cgroup");
	json_null("uid_map");
	json_null("cap_eff");
	json_null("no_new_privs");
	json_null("seccomp");
	json_null("mounts");
}

#endif

/* ---------------------------------------------------------------- inspect */

/* Names of the network interfaces, up or down, with or without an address: all this process can see. */
static void json_interfaces(void)
{
	struct ifaddrs *list;
	if (getifaddrs(&list) != 0) {
		json_null("interfaces");
		return;
	}
	struct names names = {NULL, 0};
	for (struct ifaddrs *i = list; i != NULL; i = i->ifa_next)
		names_add(&names, i->ifa_name, true);
	freeifaddrs(list);
	names_sort(&names);
	json_names("interfaces", &names);
	names_free(&names);
}

int cmd_inspect(int argc, char **argv)
{
	const char *marker = marker_option(argc, argv);
	struct utsname u;
	if (uname(&u) != 0)
		fail("uname");
	char host[256], cwd[4096];
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "%s", u.nodename);
	host[sizeof(host) - 1] = '\0';

	json_begin("inspect");
	json_int("pid", getpid());
	json_int("ppid", getppid());
	json_int("uid", getuid());
	json_int("gid", getgid());
	json_int("euid", geteuid());
	json_int("egid", getegid());
	json_str("hostname", host);
	json_str("sysname", u.sysname);
	json_str("kernel", u.release);
	json_os_specific();
	json_interfaces();
	json_marker(marker);
	json_root_listing();
	json_str("cwd", getcwd(cwd, sizeof(cwd)));
	json_end();
	return 0;
}

/* ---------------------------------------------------------------- escape-chroot */

/* Enough ".." steps for any real directory depth: at the true root ".." is the root itself. */
#define ESCAPE_CLIMB 1024

static void json_root_id(const char *key, const struct stat *st)
{
	json_object(key);
	json_uint("dev", (uint64_t)st->st_dev);
	json_uint("ino", (uint64_t)st->st_ino);
	json_object_end();
}

/* A directory below "/" to chroot into: a fresh one in /tmp, else any existing one (the trick only
 * needs the working directory to stay outside the new root). In `made` the fresh one's name. */
static bool escape_target(char *path, size_t size, bool *made)
{
	snprintf(path, size, "/tmp/isolab-escape.XXXXXX");
	*made = mkdtemp(path) != NULL;
	if (*made)
		return true;
	int err = errno;
	struct names root;
	bool found = false;
	if (list_dir("/", &root)) {
		for (size_t i = 0; i < root.n && !found; i++) {
			struct stat st;
			snprintf(path, size, "/%s", root.v[i]);
			found = lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
		}
	}
	names_free(&root);
	if (!found)
		path[0] = '\0';
	errno = err;
	return found;
}

/* The escape attempt into dir; NULL, or the step that failed with its errno in err. */
static const char *try_escape(char *dir, size_t size, bool *made, int *err)
{
	const char *step = "chdir /";
	if (chdir("/") != 0)
		goto failed;
	step = "mkdir";
	if (!escape_target(dir, size, made))
		goto failed;
	step = "chroot";
	if (chroot(dir) != 0)
		goto failed;
	step = "chdir ..";
	for (int i = 0; i < ESCAPE_CLIMB; i++)
		if (chdir("..") != 0)
			goto failed;
	step = "chroot .";
	if (chroot(".") != 0)
		goto failed;
	return NULL;
failed:
	*err = errno;
	return step;
}

int cmd_escape_chroot(int argc, char **argv)
{
	const char *marker = marker_option(argc, argv);
	struct stat before, after;
	if (stat("/", &before) != 0)
		fail("stat /");

	/*
	 * The classic escape: chroot() changes the root but not the working directory, and ".." stops
	 * only at the root. So: stand at the old root, chroot into a subdirectory, climb ".." past the
	 * new root (the kernel never meets it on the way up) to the real root, and make that the root.
	 * A sandbox stops it by withholding CAP_SYS_CHROOT (EPERM), or by a root that ".." cannot climb
	 * out of: pivot_root in a mount namespace, a jail's root, a VM's disk.
	 */
	char dir[64] = "";
	bool made = false;
	int err = 0;
	int tmp_fd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* to remove dir from any root */
	const char *failed = try_escape(dir, sizeof(dir), &made, &err);
	if (stat("/", &after) != 0)
		fail("stat / after the attempt");
	/* After a failed step the root may have changed (into dir), but inward: not an escape. */
	bool escaped = failed == NULL && (after.st_dev != before.st_dev || after.st_ino != before.st_ino);

	json_begin("escape-chroot");
	json_bool("escaped", escaped);
	json_marker(marker);
	json_str("via", dir[0] != '\0' ? dir : NULL);
	json_str("failed_step", failed);
	json_str("errno", failed != NULL ? errno_name(err) : NULL);
	json_root_id("root_before", &before);
	json_root_id("root_after", &after);
	json_root_listing();
	json_end();

	if (tmp_fd >= 0) {
		if (made)
			unlinkat(tmp_fd, dir + strlen("/tmp/"), AT_REMOVEDIR);
		close(tmp_fd);
	}
	return 0;
}
