/*
 * A minimal streaming JSON writer: one object per run, on one line of stdout. It tracks only whether a
 * comma is due at each nesting level; the callers nest correctly by construction.
 *
 * Strings are emitted as valid UTF-8 JSON whatever the bytes: host names and file names are arbitrary
 * bytes, and one invalid sequence must not make the whole report unparseable, so invalid bytes become
 * U+FFFD.
 */
#include "probe.h"

#include <math.h>
#include <stdio.h>

#define MAX_DEPTH 8

static bool first[MAX_DEPTH]; /* no member written yet at this depth */
static int depth = -1;

/* Length of the valid UTF-8 sequence starting at p (RFC 3629), 0 if invalid. p[0] >= 0x80. */
static size_t utf8_sequence(const unsigned char *p)
{
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF; /* bounds of the second byte */
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		len = 2;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		len = 3;
		if (p[0] == 0xE0)
			lo = 0xA0; /* overlong */
		if (p[0] == 0xED)
			hi = 0x9F; /* surrogates */
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		len = 4;
		if (p[0] == 0xF0)
			lo = 0x90; /* overlong */
		if (p[0] == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xBF) /* also stops at the terminating NUL */
			return 0;
	return len;
}

static void put_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	putchar('"');
	while (*p) {
		unsigned char c = *p;
		if (c >= 0x80) {
			size_t n = utf8_sequence(p);
			if (n == 0) {
				fputs("\\ufffd", stdout);
				n = 1;
			} else
				fwrite(p, 1, n, stdout);
			p += n;
			continue;
		}
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20 || c == 0x7F)
			printf("\\u%04x", c);
		else
			putchar(c);
		p++;
	}
	putchar('"');
}

/* The comma and the key before a member (key NULL inside arrays). */
static void member(const char *key)
{
	if (!first[depth])
		putchar(',');
	first[depth] = false;
	if (key != NULL) {
		put_string(key);
		putchar(':');
	}
}

static void open_container(const char *key, char bracket)
{
	if (depth >= 0)
		member(key);
	if (depth + 1 >= MAX_DEPTH)
		fail_msg("json: nested too deep"); /* a bug in the probe, not a runtime condition */
	first[++depth] = true;
	putchar(bracket);
}

void json_begin(const char *probe)
{
	depth = -1;
	open_container(NULL, '{');
	if (probe != NULL)
		json_str("probe", probe);
}

void json_end(void)
{
	putchar('}');
	putchar('\n');
	depth--;
	flush_stdout();
}

void json_object(const char *key)
{
	open_container(key, '{');
}

void json_object_end(void)
{
	putchar('}');
	depth--;
}

void json_array(const char *key)
{
	open_container(key, '[');
}

void json_array_end(void)
{
	putchar(']');
	depth--;
}

void json_str(const char *key, const char *value)
{
	member(key);
	if (value == NULL)
		fputs("null", stdout);
	else
		put_string(value);
}

void json_int(const char *key, int64_t value)
{
	member(key);
	printf("%lld", (long long)value);
}

void json_uint(const char *key, uint64_t value)
{
	member(key);
	printf("%llu", (unsigned long long)value);
}

void json_num(const char *key, double value)
{
	member(key);
	if (isfinite(value))
		printf("%.3f", value);
	else
		fputs("null", stdout); /* JSON has no NaN or Infinity */
}

void json_bool(const char *key, bool value)
{
	member(key);
	fputs(value ? "true" : "false", stdout);
}

void json_null(const char *key)
{
	member(key);
	fputs("null", stdout);
}
