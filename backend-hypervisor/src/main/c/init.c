/*
 * isolab-guest-init: PID 1 of a hypervisor sandbox.
 *
 * Boots the guest far enough to talk to the host (proc, sys, dev, cgroup2, the virtio drivers from the
 * initramfs, the virtio-serial port), says HELLO, then serves the host's frames (see protocol.h): it
 * starts the workload it is sent, relays the workload's stdout and stderr, reports its exit status,
 * signal and OOM kills from the guest kernel's own accounting, and powers the guest off when the host
 * says so or disappears. Nothing else runs in the guest.
 *
 * With isolab.argv= on the kernel command line it makes a console run instead (console.c): no port, the
 * command from the command line, its output and then a status line on the serial console. That is how a
 * plain qemu-system-x86_64, without libvirt or isolab on the host, boots the same guest.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init.h"
#include "protocol.h"

#define MODULES_DIR "/isolab/modules"
#define PORT_WAIT_NS (30ull * 1000000000ull)

static int port = -1;
static int sigfd = -1;
static int cgroup_procs = -1;
static struct proc procs[MAX_PROCS];
static bool main_started;
static bool host_spoke;
static struct hello hello;
/* A console run (console.c): no port, the command from the kernel command line, output on the console. */
static bool console_mode;
static struct console_run console_run;
static uint64_t main_exec_ns;

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -1;
	ret = write_all(fd, text, strlen(text));
	close(fd);
	return ret;
}

/* Sends one frame; the port is blocking, so this waits while the host catches up. */
static int send_frame(uint8_t type, uint8_t proc, const void *payload, size_t len)
{
	struct frame_header h = { .magic = FRAME_MAGIC, .type = type, .proc = proc, .length = (uint32_t)len };
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)payload, len } };
	size_t total = sizeof(h) + len;

	if (port < 0)
		return -1;
	while (total > 0) {
		ssize_t n = writev(port, iov, 2);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		total -= (size_t)n;
		for (int i = 0; i < 2 && n > 0; i++) {
			size_t step = (size_t)n < iov[i].iov_len ? (size_t)n : iov[i].iov_len;

			iov[i].iov_base = (char *)iov[i].iov_base + step;
			iov[i].iov_len -= step;
			n -= (ssize_t)step;
		}
	}
	return 0;
}

/* To the console (the domain's serial log) and, once it is open, to the host as a LOG frame. */
void log_msg(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	dprintf(2, "isolab-guest-init: %s\n", buf);
	send_frame(FRAME_LOG, 0, buf, (size_t)n);
}

static void power_off(void)
{
	sync();
	/* With reboot=t on the command line this is an immediate triple fault: QEMU (and libvirt, with
	 * on_reboot=destroy) ends the domain without waiting for ACPI. */
	reboot(RB_AUTOBOOT);
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static void mount_early(void)
{
	mkdir("/proc", 0555);
	mkdir("/sys", 0555);
	mkdir("/dev", 0755);
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		log_msg("mount /proc: %s", strerror(errno));
	if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		log_msg("mount /sys: %s", strerror(errno));
	if (mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755"))
		log_msg("mount /dev: %s", strerror(errno));
	if (mount("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		log_msg("mount /sys/fs/cgroup: %s", strerror(errno));
	/* Without /dev/console in the initramfs the kernel leaves 0-2 closed: never let pipes take them. */
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) < 0) {
			int n = open("/dev/console", O_RDWR);

			if (n < 0)
				n = open("/dev/null", O_RDWR);
			if (n >= 0 && n != fd) {
				dup2(n, fd);
				close(n);
			}
		}
	}
}

/* Loads the drivers listed, in dependency order, in MODULES_DIR/order (the kernel has no modules.dep here). */
static void load_modules(void)
{
	char name[256];
	FILE *order = fopen(MODULES_DIR "/order", "re");

	if (order == NULL)
		return;
	while (fgets(name, sizeof(name), order) != NULL) {
		char path[512];
		int fd;

		name[strcspn(name, "\n")] = '\0';
		if (name[0] == '\0')
			continue;
		snprintf(path, sizeof(path), MODULES_DIR "/%s", name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			log_msg("module %s: %s", path, strerror(errno));
			continue;
		}
		if (syscall(SYS_finit_module, fd, "", 0) && errno != EEXIST)
			log_msg("module %s: %s", path, strerror(errno));
		close(fd);
	}
	fclose(order);
}

/* The /dev node of the virtio-serial port named PORT_NAME, opened; it appears once the driver saw it. */
static int open_port(void)
{
	uint64_t deadline = now_ns() + PORT_WAIT_NS;

	while (now_ns() < deadline) {
		DIR *d = opendir("/sys/class/virtio-ports");
		struct dirent *e;
		int fd = -1;

		while (d != NULL && fd < 0 && (e = readdir(d)) != NULL) {
			char path[300], name[64] = "";
			int nf;
			ssize_t n;

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", e->d_name);
			nf = open(path, O_RDONLY | O_CLOEXEC);
			if (nf < 0)
				continue;
			n = read(nf, name, sizeof(name) - 1);
			close(nf);
			if (n <= 0)
				continue;
			name[strcspn(name, "\n")] = '\0';
			if (strcmp(name, PORT_NAME) != 0)
				continue;
			snprintf(path, sizeof(path), "/dev/%s", e->d_name);
			fd = open(path, O_RDWR | O_CLOEXEC);
		}
		if (d != NULL)
			closedir(d);
		if (fd >= 0)
			return fd;
		sleep_ms(1);
	}
	return -1;
}

/* Waits until QEMU's end of the port is connected: before that, the port reads as hung up. */
static void wait_for_host(void)
{
	uint64_t deadline = now_ns() + PORT_WAIT_NS;

	while (now_ns() < deadline) {
		struct pollfd p = { .fd = port, .events = POLLOUT };

		if (poll(&p, 1, 0) == 1 && !(p.revents & POLLHUP))
			return;
		sleep_ms(1);
	}
}

static void loopback_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(s, SIOCSIFFLAGS, &ifr))
			log_msg("lo up: %s", strerror(errno));
	}
	close(s);
}

/* One cgroup for everything the host starts: the guest kernel's accounting of the workload. */
static void prepare_cgroup(void)
{
	if (write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory +pids +cpu"))
		log_msg("enable memory, pids and cpu controllers: %s", strerror(errno));
	if (mkdir(WORKLOAD_CGROUP, 0755) && errno != EEXIST)
		log_msg("mkdir " WORKLOAD_CGROUP ": %s", strerror(errno));
	cgroup_procs = open(WORKLOAD_CGROUP "/cgroup.procs", O_WRONLY | O_CLOEXEC);
	if (cgroup_procs < 0)
		log_msg("open " WORKLOAD_CGROUP "/cgroup.procs: %s", strerror(errno));
}

/* A small file's text, NUL-terminated, into buf; its length, or -1 when it cannot be read. */
static ssize_t read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* The value after "key" in a "key value" file (memory.events, cpu.stat, meminfo); 0 when absent. */
static uint64_t read_keyed(const char *path, const char *key)
{
	char buf[4096];
	size_t klen = strlen(key);

	if (read_text(path, buf, sizeof(buf)) <= 0)
		return 0;
	for (char *line = buf; line != NULL && *line != '\0'; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (strncmp(line, key, klen) == 0 && (line[klen] == ' ' || line[klen] == ':'))
			return strtoull(line + klen + 1 + strspn(line + klen + 1, " \t"), NULL, 10);
	}
	return 0;
}

static uint64_t read_number(const char *path)
{
	char buf[64];

	return read_text(path, buf, sizeof(buf)) > 0 ? strtoull(buf, NULL, 10) : 0;
}

static uint64_t timeval_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000ull + (uint64_t)tv.tv_usec * 1000ull;
}

static void send_stats(void)
{
	struct stats_report r = {
		.memory_bytes = read_number(WORKLOAD_CGROUP "/memory.current"),
		.memory_peak_bytes = read_number(WORKLOAD_CGROUP "/memory.peak"),
		.pids = read_number(WORKLOAD_CGROUP "/pids.current"),
		.cpu_ns = read_keyed(WORKLOAD_CGROUP "/cpu.stat", "usage_usec") * 1000ull,
		.oom_kills = read_keyed(WORKLOAD_CGROUP "/memory.events", "oom_kill"),
		.guest_total_bytes = read_keyed("/proc/meminfo", "MemTotal") * 1024ull,
		.guest_available_bytes = read_keyed("/proc/meminfo", "MemAvailable") * 1024ull,
	};

	send_frame(FRAME_STATS, 0, &r, sizeof(r));
}

/* Every fd a child must not keep: the port, the signalfd and the other processes' pipes. */
static size_t fds_to_close(int *fds, size_t cap)
{
	size_t n = 0;

	fds[n++] = port;
	fds[n++] = sigfd;
	for (int i = 0; i < MAX_PROCS && n + 3 <= cap; i++) {
		if (!procs[i].used)
			continue;
		fds[n++] = procs[i].out;
		fds[n++] = procs[i].err;
		fds[n++] = procs[i].status_fd;
	}
	return n;
}

static void send_start_result(int rc, const struct proc *p, uint8_t id, const struct start_error *error)
{
	uint64_t exec_ns = now_ns();

	if (console_mode) {
		if (rc != 0) {
			console_report_failure(&console_run, error);
			power_off();
		}
		main_exec_ns = exec_ns;
		return;
	}
	if (rc == 0) {
		struct started s = { .pid = (uint32_t)p->signal_target, .exec_ns = exec_ns };

		send_frame(FRAME_STARTED, id, &s, sizeof(s));
	} else {
		char buf[sizeof(int32_t) + sizeof(error->step) + sizeof(error->detail)];
		size_t step = strnlen(error->step, sizeof(error->step));
		size_t detail = strnlen(error->detail, sizeof(error->detail));

		memcpy(buf, &error->err, sizeof(int32_t));
		memcpy(buf + sizeof(int32_t), error->step, step);
		buf[sizeof(int32_t) + step] = '\0';
		memcpy(buf + sizeof(int32_t) + step + 1, error->detail, detail);
		send_frame(FRAME_START_FAILED, id, buf, sizeof(int32_t) + step + 1 + detail);
	}
}

static int setup_failed(struct start_error *error, const char *step, const char *what)
{
	error->err = errno;
	snprintf(error->step, sizeof(error->step), "%s", step);
	snprintf(error->detail, sizeof(error->detail), "%s: %s", what, strerror(errno));
	return -1;
}

/* The guest-wide settings of a RUN. One that cannot be applied fails the start: the host promised it. */
static int configure_guest(const struct spec *spec, struct start_error *error)
{
	char value[32];

	if (spec->hostname != NULL && sethostname(spec->hostname, strlen(spec->hostname)))
		return setup_failed(error, "sethostname", spec->hostname);
	if (spec->pids_max > 0) {
		/* +1: the workload's own PID-namespace init (the reaper) counts too */
		snprintf(value, sizeof(value), "%u", spec->pids_max + 1);
		if (write_file(WORKLOAD_CGROUP "/pids.max", value))
			return setup_failed(error, "cgroup", WORKLOAD_CGROUP "/pids.max");
	}
	if (spec->cpu_quota > 0) {
		snprintf(value, sizeof(value), "%u %u", spec->cpu_quota, spec->cpu_period);
		if (write_file(WORKLOAD_CGROUP "/cpu.max", value))
			return setup_failed(error, "cgroup", WORKLOAD_CGROUP "/cpu.max");
	}
	return 0;
}

/* Starts a parsed spec in slot id (0: the main process) and reports how it went; frees the spec. */
static void start_spec(uint8_t type, uint8_t id, struct spec *spec)
{
	struct start_error error = { 0 };
	struct proc *p = &procs[id];
	int closing[3 * MAX_PROCS + 2];
	size_t nclose;
	int rc;

	p->id = id;
	nclose = fds_to_close(closing, sizeof(closing) / sizeof(closing[0]));
	if (type == FRAME_RUN) {
		main_started = true;
		rc = configure_guest(spec, &error);
		if (rc == 0)
			rc = start_main(spec, p, cgroup_procs, closing, nclose, &error);
	} else {
		rc = start_exec(spec, p, &procs[0], cgroup_procs, closing, nclose, &error);
	}
	spec_free(spec);
	send_start_result(rc, p, id, &error);
}

static void start(uint8_t type, uint8_t id, char *payload, size_t len)
{
	struct start_error error = { 0 };
	struct spec spec;

	if (id >= MAX_PROCS || procs[id].used || (type == FRAME_RUN) != (id == 0) || (id == 0 && main_started)) {
		error.err = EINVAL;
		snprintf(error.step, sizeof(error.step), "protocol");
		snprintf(error.detail, sizeof(error.detail), "process slot %u is taken or wrong", id);
		send_start_result(-1, NULL, id, &error);
		return;
	}
	if (spec_parse(payload, len, &spec)) {
		error.err = EINVAL;
		snprintf(error.step, sizeof(error.step), "protocol");
		snprintf(error.detail, sizeof(error.detail), "malformed spec");
		send_start_result(-1, NULL, id, &error);
		return;
	}
	start_spec(type, id, &spec);
}

static void kill_proc(uint8_t id, int sig)
{
	if (id < MAX_PROCS && procs[id].used && !procs[id].exited)
		kill(procs[id].signal_target, sig);
}

/* The host is gone (its JVM died or it destroyed us): nothing is listening, so leave now. */
static void host_gone(void)
{
	for (int i = 0; i < MAX_PROCS; i++)
		kill_proc((uint8_t)i, SIGKILL);
	power_off();
}

static void handle_frame(const struct frame_header *h, char *payload)
{
	int32_t sig;

	host_spoke = true;
	switch (h->type) {
	case FRAME_RUN:
	case FRAME_EXEC:
		start(h->type, h->proc, payload, h->length);
		break;
	case FRAME_KILL:
		if (h->length == sizeof(sig)) {
			memcpy(&sig, payload, sizeof(sig));
			kill_proc(h->proc, sig);
		}
		break;
	case FRAME_STATS_REQUEST:
		send_stats();
		break;
	case FRAME_POWER_OFF:
		power_off();
		break;
	default:
		log_msg("unknown frame type %u", h->type);
	}
}

/* Reads what the host sent and handles every complete frame. */
static void read_port(void)
{
	static char buf[sizeof(struct frame_header) + FRAME_MAX];
	static size_t have;
	ssize_t n = read(port, buf + have, sizeof(buf) - have);

	if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
		if (host_spoke)
			host_gone();
		sleep_ms(1);	/* not connected yet: the host has not said anything */
		return;
	}
	if (n < 0)
		return;
	have += (size_t)n;
	while (have >= sizeof(struct frame_header)) {
		struct frame_header h;
		size_t size;

		memcpy(&h, buf, sizeof(h));
		if (h.magic != FRAME_MAGIC || h.length > FRAME_MAX) {
			log_msg("bad frame from the host (magic %#x, length %u): giving up", h.magic, h.length);
			host_gone();
		}
		size = sizeof(h) + h.length;
		if (have < size)
			break;
		handle_frame(&h, buf + sizeof(h));
		memmove(buf, buf + size, have - size);
		have -= size;
	}
}

static void forward_output(struct proc *p, int *fd, uint8_t type)
{
	static char buf[FRAME_MAX];
	ssize_t n = read(*fd, buf, sizeof(buf));

	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return;
	}
	if (console_mode)
		console_output(buf, (size_t)n);
	else if (send_frame(type, p->id, buf, (size_t)n))
		host_gone();
}

static void reap(void)
{
	struct signalfd_siginfo si;
	struct rusage usage;
	int status;
	pid_t pid;

	while (read(sigfd, &si, sizeof(si)) == sizeof(si))
		;
	while ((pid = wait4(-1, &status, WNOHANG, &usage)) > 0) {
		for (int i = 0; i < MAX_PROCS; i++) {
			struct proc *p = &procs[i];
			int workload_status;

			if (!p->used || p->pid != pid)
				continue;
			/* The reaper passes on the workload's status; killed itself, it has none to pass. */
			if (p->status_fd >= 0) {
				if (WIFEXITED(status) &&
				    read(p->status_fd, &workload_status, sizeof(workload_status)) == sizeof(workload_status))
					status = workload_status;
				close(p->status_fd);
				p->status_fd = -1;
			}
			p->exited = true;
			p->status = status;
			p->usage = usage;
		}
	}
}

static void report_exits(void)
{
	for (int i = 0; i < MAX_PROCS; i++) {
		struct proc *p = &procs[i];
		struct exit_report r;

		if (!p->used || p->reported || !p->exited || p->out >= 0 || p->err >= 0)
			continue;
		memset(&r, 0, sizeof(r));
		r.wait_status = (uint32_t)p->status;
		r.oom_kills = read_keyed(WORKLOAD_CGROUP "/memory.events", "oom_kill");
		r.user_ns = timeval_ns(p->usage.ru_utime);
		r.system_ns = timeval_ns(p->usage.ru_stime);
		r.max_rss_bytes = (uint64_t)p->usage.ru_maxrss * 1024ull;
		r.memory_peak_bytes = read_number(WORKLOAD_CGROUP "/memory.peak");
		r.exit_ns = now_ns();
		p->reported = true;
		if (console_mode) {
			console_report_exit(&console_run, &hello, main_exec_ns, &r);
			power_off();
		}
		if (send_frame(FRAME_EXIT, p->id, &r, sizeof(r)))
			host_gone();
	}
}

static void serve(void)
{
	for (;;) {
		struct pollfd fds[2 + 2 * MAX_PROCS];
		struct proc *owner[2 + 2 * MAX_PROCS];
		int nfds = 0;

		fds[nfds++] = (struct pollfd){ .fd = port, .events = POLLIN };
		fds[nfds++] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		for (int i = 0; i < MAX_PROCS; i++) {
			if (!procs[i].used)
				continue;
			if (procs[i].out >= 0) {
				owner[nfds] = &procs[i];
				fds[nfds++] = (struct pollfd){ .fd = procs[i].out, .events = POLLIN };
			}
			if (procs[i].err >= 0) {
				owner[nfds] = &procs[i];
				fds[nfds++] = (struct pollfd){ .fd = procs[i].err, .events = POLLIN };
			}
		}
		if (poll(fds, (nfds_t)nfds, -1) < 0) {
			if (errno != EINTR)
				log_msg("poll: %s", strerror(errno));
			continue;
		}
		if (fds[1].revents)
			reap();
		for (int i = 2; i < nfds; i++) {
			struct proc *p = owner[i];

			if (!fds[i].revents)
				continue;
			if (fds[i].fd == p->out)
				forward_output(p, &p->out, FRAME_STDOUT);
			else if (fds[i].fd == p->err)
				forward_output(p, &p->err, FRAME_STDERR);
		}
		report_exits();
		if (fds[0].revents)
			read_port();
	}
}

int main(void)
{
	uint64_t init_ns = now_ns();
	struct spec console_spec;
	sigset_t chld;
	int console;

	/* The kernel starts PID 1 sharing its fs_struct (CLONE_FS): setns(CLONE_NEWNS), which EXEC needs,
	 * refuses a process that shares it. */
	if (unshare(CLONE_FS))
		log_msg("unshare(CLONE_FS): %s", strerror(errno));
	mount_early();
	load_modules();
	hello.modules_ns = now_ns();
	console = console_parse(&console_spec, &console_run);
	if (console < 0)
		power_off();
	console_mode = console > 0;
	if (!console_mode) {
		port = open_port();
		if (port < 0) {
			log_msg("no virtio-serial port named " PORT_NAME " appeared: powering off");
			power_off();
		}
		wait_for_host();
	}
	loopback_up();
	prepare_cgroup();
	for (int i = 0; i < MAX_PROCS; i++)
		procs[i] = (struct proc){ .out = -1, .err = -1, .status_fd = -1 };
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	hello.init_ns = init_ns;
	hello.ready_ns = now_ns();
	if (console_mode) {
		start_spec(FRAME_RUN, 0, &console_spec);
	} else if (send_frame(FRAME_HELLO, 0, &hello, sizeof(hello))) {
		log_msg("cannot say hello to the host: %s", strerror(errno));
		power_off();
	}
	serve();
	return 0;
}
