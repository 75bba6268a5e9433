/*
 * isolab-launch-helper: design (b) of the launcher, kept to measure it against design (a). A static
 * executable that a ProcessBuilder starts with the encoded request as its one argument (hex); it runs
 * the same child code as the library, in place (no clone), and execs the workload. It supports what the
 * chroot backend needs (root, user, rlimits, session), not namespaces: those would need a clone here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "launcher.h"

static int hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int main(int argc, char **argv)
{
	static struct isl_req req;
	static struct isl_child_ctx ctx;
	const char *bad;
	uint8_t *buf;
	size_t len;

	if (argc != 2 || strlen(argv[1]) % 2) {
		fprintf(stderr, "usage: isolab-launch-helper HEX-REQUEST\n");
		return 126;
	}
	len = strlen(argv[1]) / 2;
	buf = malloc(len ? len : 1);
	if (!buf)
		return 126;
	for (size_t i = 0; i < len; i++) {
		int hi = hex(argv[1][2 * i]), lo = hex(argv[1][2 * i + 1]);

		if (hi < 0 || lo < 0) {
			fprintf(stderr, "isolab-launch-helper: the request is not lower-case hex\n");
			return 126;
		}
		buf[i] = (uint8_t)(hi << 4 | lo);
	}
	bad = isl_parse(buf, len, &req);
	if (bad || req.clone_flags || req.join_pid || req.ncgroups || req.root_mode == ROOT_PIVOT) {
		fprintf(stderr, "isolab-launch-helper: %s\n", bad ? bad : "namespaces, cgroups and pivot_root need design (a)");
		return 126;
	}
	ctx.req = &req;
	ctx.err_fd = -1;
	ctx.sync_fd = -1;
	ctx.netns_fd = -1;
	ctx.keep_fd = -1;
	ctx.mntns_fd = -1;
	ctx.park_fd = -1;
	for (int i = 0; i < 3; i++)
		ctx.stdio[i] = i;
	isl_child(&ctx);
}
