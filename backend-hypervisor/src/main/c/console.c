/*
 * The console run: the guest without isolab's host channel, as a plain qemu-system-x86_64 boots it.
 *
 * The command comes on the kernel command line, isolab.argv=<base64 of the NUL-separated argv>, with
 * isolab.nonce=<token> chosen by whoever starts QEMU. The workload's stdout and stderr go to the serial
 * console as they come, and once it has exited and its output is drained, init writes one status line
 * (see protocol.h, CONSOLE_STATUS) and powers off. The line carries the nonce, which the workload cannot
 * read (its /proc/cmdline is masked), so nothing it prints can pass for the status line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"
#include "protocol.h"

#define CMDLINE_MAX 4096
#define ARGV_KEY "isolab.argv="
#define NONCE_KEY "isolab.nonce="

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decodes standard base64 (padding optional) into out, which holds len * 3 / 4 + 1 bytes; -1 if malformed. */
static ssize_t b64_decode(const char *in, size_t len, char *out)
{
	size_t n = 0;
	uint32_t acc = 0;
	int bits = 0;

	while (len > 0 && in[len - 1] == '=')
		len--;
	for (size_t i = 0; i < len; i++) {
		int v = b64_value(in[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	return (ssize_t)n;
}

/* The value of "key" (which ends in '=') among the space-separated words of the command line, or NULL. */
static const char *find_word(const char *cmdline, const char *key, size_t *len)
{
	size_t klen = strlen(key);

	for (const char *p = cmdline; *p != '\0'; ) {
		size_t word = strcspn(p, " \n");

		if (word > klen && strncmp(p, key, klen) == 0) {
			*len = word - klen;
			return p + klen;
		}
		p += word;
		p += strspn(p, " \n");
	}
	return NULL;
}

static int nonce_ok(const char *nonce, size_t len)
{
	if (len < 8 || len >= sizeof(((struct console_run *)0)->nonce))
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = nonce[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'))
			return 0;
	}
	return 1;
}

/* Splits the decoded NUL-separated argv into spec->argv; the command needs at least argv[0]. */
static int split_argv(const char *bytes, size_t len, struct spec *spec)
{
	size_t argc = 0;

	for (size_t i = 0; i < len; i++)
		argc += bytes[i] == '\0';
	argc++;
	spec->argv = calloc(argc + 1, sizeof(char *));
	if (spec->argv == NULL)
		return -1;
	for (size_t i = 0, at = 0; i < argc; i++) {
		size_t n = strnlen(bytes + at, len - at);

		spec->argv[i] = strndup(bytes + at, n);
		if (spec->argv[i] == NULL)
			return -1;
		at += n + 1;
	}
	return spec->argv[0][0] == '\0' ? -1 : 0;
}

int console_parse(struct spec *spec, struct console_run *run)
{
	static const char *default_env[] = { "PATH=" DEFAULT_PATH, NULL };
	char cmdline[CMDLINE_MAX];
	const char *argv, *nonce;
	size_t argv_len, nonce_len;
	ssize_t n;
	char *bytes;
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, cmdline, sizeof(cmdline) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	cmdline[n] = '\0';
	argv = find_word(cmdline, ARGV_KEY, &argv_len);
	if (argv == NULL)
		return 0;
	nonce = find_word(cmdline, NONCE_KEY, &nonce_len);
	if (nonce == NULL || !nonce_ok(nonce, nonce_len)) {
		log_msg("a console run needs " NONCE_KEY "<8 to %zu letters, digits or '-'>",
			sizeof(run->nonce) - 1);
		return -1;
	}
	memcpy(run->nonce, nonce, nonce_len);
	run->nonce[nonce_len] = '\0';
	memset(spec, 0, sizeof(*spec));
	bytes = malloc(argv_len * 3 / 4 + 1);
	n = bytes == NULL ? -1 : b64_decode(argv, argv_len, bytes);
	if (n <= 0 || split_argv(bytes, (size_t)n, spec)) {
		log_msg(ARGV_KEY " is not the base64 of a NUL-separated argv");
		free(bytes);
		spec_free(spec);
		return -1;
	}
	free(bytes);
	for (size_t i = 0; default_env[i] != NULL; i++) {
		char **grown = realloc(spec->envp, (i + 2) * sizeof(char *));

		if (grown == NULL || (grown[i] = strdup(default_env[i])) == NULL) {
			spec->envp = grown;
			spec_free(spec);
			return -1;
		}
		grown[i + 1] = NULL;
		spec->envp = grown;
	}
	spec->cwd = strdup("/");
	if (spec->cwd == NULL) {
		spec_free(spec);
		return -1;
	}
	spec->mask_cmdline = true;
	return 1;
}

void console_output(const char *buf, size_t len)
{
	write_all(STDOUT_FILENO, buf, len);
}

/* Waits until the serial port has sent everything: the guest powers off right after. */
static void drain(void)
{
	tcdrain(STDOUT_FILENO);
}

void console_report_exit(const struct console_run *run, const struct hello *hello, uint64_t exec_ns,
			 const struct exit_report *r)
{
	int status = (int)r->wait_status;

	dprintf(STDOUT_FILENO, "\n" CONSOLE_STATUS " %s exit code=%d signal=%d oom_kills=%llu init_ns=%llu ready_ns=%llu"
		" exec_ns=%llu exit_ns=%llu\n", run->nonce, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		WIFSIGNALED(status) ? WTERMSIG(status) : 0, (unsigned long long)r->oom_kills,
		(unsigned long long)hello->init_ns, (unsigned long long)hello->ready_ns, (unsigned long long)exec_ns,
		(unsigned long long)r->exit_ns);
	drain();
}

void console_report_failure(const struct console_run *run, const struct start_error *e)
{
	dprintf(STDOUT_FILENO, "\n" CONSOLE_STATUS " %s failed step=%s errno=%d %s\n", run->nonce, e->step, e->err,
		e->detail);
	drain();
}
