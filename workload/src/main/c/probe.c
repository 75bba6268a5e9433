/*
 * isolab-probe: the one workload every backend runs. Placeholder with the first subcommands; the full
 * set (inspect, measurements, limits) lands with the workload issue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: isolab-probe COMMAND [ARGS]\n");
		return 2;
	}
	if (strcmp(argv[1], "true") == 0)
		return 0;
	if (strcmp(argv[1], "exit") == 0 && argc > 2)
		return atoi(argv[2]);
	fprintf(stderr, "isolab-probe: unknown command '%s'\n", argv[1]);
	return 2;
}
