/* Parses the request Java encodes (see launcher.h and io.isolab.launcher.RequestEncoder). */
#include <stdlib.h>
#include <string.h>

#include "launcher.h"

#define CLONE_NEWNET_FLAG 0x40000000ULL
#define CLONE_NEWUSER_FLAG 0x10000000ULL
#define CLONE_NEWNS_FLAG 0x00020000ULL
#define CLONE_NEWTIME_FLAG 0x00000080ULL

struct reader {
	const uint8_t *p, *end;
};

static uint32_t u32_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t u64_at(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* A payload that must be one NUL-terminated string filling it exactly. */
static const char *string_of(const uint8_t *p, uint32_t len)
{
	if (len == 0 || p[len - 1] != '\0' || memchr(p, '\0', len) != p + len - 1)
		return NULL;
	return (const char *)p;
}

static int add_string(char ***list, int *n, int *cap, const char *s)
{
	if (*n + 2 > *cap) {
		int ncap = *cap ? *cap * 2 : 16;
		char **grown = realloc(*list, (size_t)ncap * sizeof(char *));

		if (!grown)
			return -1;
		*list = grown;
		*cap = ncap;
	}
	(*list)[(*n)++] = (char *)s;
	(*list)[*n] = NULL;
	return 0;
}

void isl_req_free(struct isl_req *req)
{
	free(req->argv);
	free(req->envp);
	req->argv = NULL;
	req->envp = NULL;
}

#define NEED(cond, msg)                 \
	do {                            \
		if (!(cond)) {          \
			isl_req_free(req); \
			return msg;     \
		}                       \
	} while (0)

const char *isl_parse(const uint8_t *buf, size_t len, struct isl_req *req)
{
	struct reader r = { buf, buf + len };
	int nargv = 0, capargv = 0, nenv = 0, capenv = 0;

	memset(req, 0, sizeof(*req));
	req->stdin_fd = ISL_FD_NULL;
	req->stdout_fd = ISL_FD_PIPE;
	req->stderr_fd = ISL_FD_PIPE;
	req->netns_fd = -1;
	req->mntns_fd = -1;
	if (len < 4 || u32_at(buf) != ISL_MAGIC)
		return "bad request: wrong magic (launcher library and Java classes of different versions?)";
	r.p += 4;
	while (r.p < r.end) {
		uint32_t tag, n;
		const uint8_t *v;
		const char *s;

		NEED(r.end - r.p >= 8, "bad request: truncated record header");
		tag = u32_at(r.p);
		n = u32_at(r.p + 4);
		r.p += 8;
		NEED((size_t)(r.end - r.p) >= n, "bad request: truncated record");
		v = r.p;
		r.p += n;
		s = string_of(v, n);
		switch (tag) {
		case T_ARG:
			NEED(s && add_string(&req->argv, &nargv, &capargv, s) == 0, "bad request: argument");
			break;
		case T_ENV:
			NEED(s && add_string(&req->envp, &nenv, &capenv, s) == 0, "bad request: environment");
			break;
		case T_CWD:
			NEED(s, "bad request: cwd");
			req->cwd = s;
			break;
		case T_UID:
			NEED(n == 4, "bad request: uid");
			req->has_uid = 1;
			req->uid = u32_at(v);
			break;
		case T_GID:
			NEED(n == 4, "bad request: gid");
			req->has_gid = 1;
			req->gid = u32_at(v);
			break;
		case T_GROUP:
			NEED(n == 4 && req->ngroups < ISL_MAX_GROUPS, "bad request: too many supplementary groups");
			req->groups[req->ngroups++] = u32_at(v);
			break;
		case T_RLIMIT:
			NEED(n == 24 && req->nrlimits < ISL_MAX_RLIMITS, "bad request: rlimit");
			req->rlimits[req->nrlimits].resource = u32_at(v);
			req->rlimits[req->nrlimits].soft = u64_at(v + 8);
			req->rlimits[req->nrlimits].hard = u64_at(v + 16);
			req->nrlimits++;
			break;
		case T_CLONE_FLAGS:
			NEED(n == 8, "bad request: clone flags");
			req->clone_flags = u64_at(v);
			break;
		case T_HOSTNAME:
			NEED(s, "bad request: hostname");
			req->hostname = s;
			break;
		case T_ROOT_MODE:
			NEED(n == 4 && u32_at(v) <= ROOT_PIVOT, "bad request: root mode");
			req->root_mode = u32_at(v);
			break;
		case T_ROOT_DIR:
			NEED(s, "bad request: root dir");
			req->root_dir = s;
			break;
		case T_ROOT_SOURCE:
			NEED(s, "bad request: root source");
			req->root_source = s;
			break;
		case T_OVL_LOWER:
			NEED(s, "bad request: overlay lower");
			req->ovl_lower = s;
			break;
		case T_OVL_UPPER:
			NEED(s, "bad request: overlay upper");
			req->ovl_upper = s;
			break;
		case T_OVL_WORK:
			NEED(s, "bad request: overlay work");
			req->ovl_work = s;
			break;
		case T_ROOT_RDONLY:
			req->root_rdonly = 1;
			break;
		case T_MOUNT: {
			const char *src, *dst, *end;

			NEED(n > 6 && req->nmounts < ISL_MAX_MOUNTS, "bad request: too many mounts");
			end = (const char *)v + n;
			src = (const char *)v + 4;
			dst = memchr(src, '\0', (size_t)(end - src));
			NEED(dst && dst + 1 < end && end[-1] == '\0', "bad request: mount");
			dst++;
			NEED(memchr(dst, '\0', (size_t)(end - dst)) == end - 1, "bad request: mount");
			req->mounts[req->nmounts].flags = u32_at(v);
			req->mounts[req->nmounts].source = src;
			req->mounts[req->nmounts].target = dst;
			req->nmounts++;
			break;
		}
		case T_PROC:
			req->proc = 1;
			break;
		case T_DEV:
			NEED(n == 4 && u32_at(v) <= DEV_BIND, "bad request: dev mode");
			req->dev = u32_at(v);
			break;
		case T_SYSFS:
			req->sysfs = 1;
			break;
		case T_MASK:
			NEED(s && req->nmasked < ISL_MAX_PATHS, "bad request: masked path");
			req->masked[req->nmasked++] = s;
			break;
		case T_RO_PATH:
			NEED(s && req->nro_paths < ISL_MAX_PATHS, "bad request: read-only path");
			req->ro_paths[req->nro_paths++] = s;
			break;
		case T_CGROUP:
			NEED(s && req->ncgroups < ISL_MAX_CGROUPS, "bad request: too many cgroups");
			req->cgroups[req->ncgroups++] = s;
			break;
		case T_UID_MAP:
			NEED(s, "bad request: uid map");
			req->uid_map = s;
			break;
		case T_GID_MAP:
			NEED(s, "bad request: gid map");
			req->gid_map = s;
			break;
		case T_SETGROUPS_DENY:
			req->setgroups_deny = 1;
			break;
		case T_CAPS:
			NEED(n == 8, "bad request: caps");
			req->has_caps = 1;
			req->caps = u64_at(v);
			break;
		case T_NO_NEW_PRIVS:
			req->no_new_privs = 1;
			break;
		case T_SETSID:
			req->setsid = 1;
			break;
		case T_LOOPBACK:
			req->loopback = 1;
			break;
		case T_JOIN_PID:
			NEED(n == 4, "bad request: join pid");
			req->join_pid = u32_at(v);
			break;
		case T_JOIN_NS:
			NEED(n == 8, "bad request: join namespaces");
			req->join_ns = u64_at(v);
			break;
		case T_STDIN_FD:
			NEED(n == 4, "bad request: stdin");
			req->stdin_fd = (int32_t)u32_at(v);
			break;
		case T_STDOUT_FD:
			NEED(n == 4, "bad request: stdout");
			req->stdout_fd = (int32_t)u32_at(v);
			break;
		case T_STDERR_FD:
			NEED(n == 4, "bad request: stderr");
			req->stderr_fd = (int32_t)u32_at(v);
			break;
		case T_PIPE_SIZE:
			NEED(n == 4, "bad request: pipe size");
			req->pipe_size = u32_at(v);
			break;
		case T_OVL_MEMORY:
			req->ovl_memory = 1;
			break;
		case T_PREPARE_ONLY:
			req->prepare_only = 1;
			break;
		case T_MNTNS_FD:
			NEED(n == 4 && (int32_t)u32_at(v) >= 0, "bad request: mount namespace fd");
			req->mntns_fd = (int32_t)u32_at(v);
			break;
		case T_KEEP_MNTNS:
			req->keep_mntns = 1;
			break;
		case T_PARK:
			req->park = 1;
			break;
		case T_NETNS_FD:
			NEED(n == 4 && (int32_t)u32_at(v) >= 0, "bad request: network namespace fd");
			req->netns_fd = (int32_t)u32_at(v);
			break;
		default:
			NEED(0, "bad request: unknown record (launcher library and Java classes of different versions?)");
		}
	}
	NEED(nargv > 0 || req->prepare_only || req->park, "bad request: no command");
	NEED(!req->park || (req->mntns_fd >= 0 && req->netns_fd >= 0 && !req->nmounts && !req->root_rdonly &&
			    !(req->clone_flags & (CLONE_NEWUSER_FLAG | CLONE_NEWTIME_FLAG)) && !req->join_pid),
	     "bad request: a parked launch joins a prepared root and network, without bind mounts, read-only root, "
	     "user or time namespace");
	NEED(!req->prepare_only || (req->root_mode == ROOT_PIVOT && req->keep_mntns && !req->proc && req->mntns_fd < 0),
	     "bad request: a prepared root is a pivot root without /proc, kept");
	NEED(req->mntns_fd < 0 || (req->root_mode == ROOT_PIVOT && (req->clone_flags & CLONE_NEWNS_FLAG)),
	     "bad request: a prepared mount namespace stands for a new one with a pivot root");
	if (!req->envp) {
		req->envp = calloc(1, sizeof(char *)); /* an empty environment is a valid request */
		NEED(req->envp, "out of memory");
	}
	if (!req->cwd)
		req->cwd = "/";
	NEED(req->root_mode != ROOT_NONE || !req->root_dir, "bad request: root dir without root mode");
	NEED(req->root_mode == ROOT_NONE || req->root_dir, "bad request: root mode without root dir");
	NEED(!req->ovl_lower || (req->ovl_memory ? !req->ovl_upper && !req->ovl_work : req->ovl_upper && req->ovl_work),
	     "bad request: an overlay has upper and work dirs, or keeps them in memory");
	NEED(req->netns_fd < 0 || (req->clone_flags & CLONE_NEWNET_FLAG), "bad request: a prepared network namespace without CLONE_NEWNET");
	NEED(req->netns_fd < 0 || !(req->clone_flags & CLONE_NEWUSER_FLAG),
	     "bad request: a prepared network namespace belongs to the caller's user namespace, not a new one");
	return NULL;
}
