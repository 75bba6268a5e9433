/*
 * Descriptors passed over a Unix socket (SCM_RIGHTS) in a one-byte message: the mount namespace a child
 * sends its parent to keep, and what a parked child receives at its launch. Memory only, no system call,
 * so the child (between clone and execve) may use it as well as the parent.
 */
#ifndef ISOLAB_FDMSG_H
#define ISOLAB_FDMSG_H

#include <string.h>
#include <sys/socket.h>

#include "launcher.h"

/* The most a message carries: a parked launch's stdin, stdout, stderr and cgroup.procs files. */
#define ISL_FDMSG_MAX (3 + ISL_MAX_CGROUPS)

struct isl_fdmsg {
	struct msghdr msg;
	struct iovec iov;
	char byte;
	union {
		char buf[CMSG_SPACE(sizeof(int) * ISL_FDMSG_MAX)];
		struct cmsghdr align;
	} control;
};

/* Readies m to send byte with fds[0..nfds), or, with nfds 0, to receive up to ISL_FDMSG_MAX. */
static inline void isl_fdmsg_init(struct isl_fdmsg *m, char byte, const int *fds, int nfds)
{
	memset(m, 0, sizeof(*m));
	m->byte = byte;
	m->iov.iov_base = &m->byte;
	m->iov.iov_len = 1;
	m->msg.msg_iov = &m->iov;
	m->msg.msg_iovlen = 1;
	m->msg.msg_control = m->control.buf;
	m->msg.msg_controllen = nfds ? CMSG_SPACE(sizeof(int) * (size_t)nfds) : sizeof(m->control.buf);
	if (nfds) {
		struct cmsghdr *c = CMSG_FIRSTHDR(&m->msg);

		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
}

/* How many descriptors a received m carried (none unless SCM_RIGHTS), at most max of them copied to fds. */
static inline int isl_fdmsg_fds(struct isl_fdmsg *m, int *fds, int max)
{
	struct cmsghdr *c = CMSG_FIRSTHDR(&m->msg);
	int n;

	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
		return 0;
	n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
	memcpy(fds, CMSG_DATA(c), sizeof(int) * (size_t)(n < max ? n : max));
	return n;
}

#endif
