/*
 * What the launcher's one I/O thread needs (an epoll set over pidfds and output pipes, as Netty's epoll
 * transport does), and the process-table scan that finds a session's members for kill and gc.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launcher.h"

ISL_EXPORT int isl_epoll_create(void)
{
	int fd = epoll_create1(EPOLL_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

ISL_EXPORT int isl_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	return fd < 0 ? -errno : fd;
}

/* Level-triggered interest in readability (a pidfd is readable once its process has exited). */
ISL_EXPORT int isl_epoll_add(int epfd, int fd, int64_t token)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)token };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

ISL_EXPORT int isl_epoll_del(int epfd, int fd)
{
	return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL) < 0 ? -errno : 0;
}

/* Waits for events; fills the tokens of the ready descriptors. Returns their number or -errno. */
ISL_EXPORT int isl_epoll_wait(int epfd, int64_t *tokens, int max, int timeout_ms)
{
	struct epoll_event events[256];
	int n;

	if (max > 256)
		max = 256;
	n = epoll_wait(epfd, events, max, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++)
		tokens[i] = (int64_t)events[i].data.u64;
	return n;
}

ISL_EXPORT int isl_eventfd_signal(int fd)
{
	uint64_t one = 1;

	return write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN ? -errno : 0;
}

ISL_EXPORT int isl_eventfd_drain(int fd)
{
	uint64_t value;

	return read(fd, &value, sizeof(value)) < 0 && errno != EAGAIN ? -errno : 0;
}

/* Bytes read, 0 at end of file, -EAGAIN when a non-blocking pipe is empty, other -errno. */
ISL_EXPORT int isl_read(int fd, uint8_t *buf, int len)
{
	ssize_t n;

	do {
		n = read(fd, buf, (size_t)len);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : (int)n;
}

/* Waits up to timeout_ms (-1: forever) for fd to turn readable: 1 when it is, 0 on timeout or signal, -errno. */
ISL_EXPORT int isl_poll_in(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	return n;
}

/* A CLOEXEC duplicate of fd, or -errno. */
ISL_EXPORT int isl_dup(int fd)
{
	int dup = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	return dup < 0 ? -errno : dup;
}

ISL_EXPORT int isl_close(int fd)
{
	return close(fd) < 0 ? -errno : 0;
}

int isl_read_stat(int pid, struct isl_proc_stat *f)
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
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	/* ") S ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
	 *  priority nice threads itrealvalue starttime" */
	if (sscanf(p + 2, "%c %*d %*d %d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %lld",
		   &f->state, &f->session, &f->start) != 3)
		return -1;
	return 0;
}

/*
 * The live (not zombie) processes of session sid that started at or after min_start (clock ticks since
 * boot: older ones belong to an earlier session that had the same id). With sig > 0, each is signalled
 * through a pidfd opened before its start time is checked again, so a pid reused in between is never
 * hit. Fills up to max pids; returns how many matched, or -errno.
 */
ISL_EXPORT int isl_session_scan(int sid, int64_t min_start, int sig, int32_t *pids, int max)
{
	DIR *proc = opendir("/proc");
	struct dirent *d;
	int count = 0;

	if (!proc)
		return -errno;
	while ((d = readdir(proc))) {
		struct isl_proc_stat f, again;
		int pid, pidfd;

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		pid = atoi(d->d_name);
		/* getsid is one system call; generating /proc/PID/stat costs ~15 us: read it for members only */
		if (getsid(pid) != sid)
			continue;
		if (isl_read_stat(pid, &f) < 0 || f.session != sid || f.start < min_start || f.state == 'Z' ||
		    f.state == 'X')
			continue;
		if (sig > 0) {
			pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
			if (pidfd >= 0) {
				if (isl_read_stat(pid, &again) == 0 && again.start == f.start)
					syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
				close(pidfd);
			} else if (errno == ENOSYS) {
				kill(pid, sig);
			}
		}
		if (count < max)
			pids[count] = pid;
		count++;
	}
	closedir(proc);
	return count;
}
