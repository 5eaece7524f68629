/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-snapshot.h"
#include "dbus-names.h"
#include "macro.h"

#define SNAPSHOT_HEADER "klpd-config-snapshot 1"
#define SNAPSHOT_FILE_TAG "file "
#define SNAPSHOT_END "end"

static const char *const origin_table[_CONFIG_ORIGIN_MAX] = {
	[CONFIG_ORIGIN_FILES] = KLPD_CONFIG_SOURCE_FILES,
	[CONFIG_ORIGIN_LAST_VALID] = KLPD_CONFIG_SOURCE_LAST_VALID,
	[CONFIG_ORIGIN_DEFAULTS] = KLPD_CONFIG_SOURCE_DEFAULTS,
};

const char *config_origin_to_string(enum config_origin o)
{
	return o < _CONFIG_ORIGIN_MAX ? origin_table[o] : NULL;
}

/* A name the snapshot can hold on its "file" line: absolute, one line. */
static bool name_ok(const char *name, size_t n)
{
	return n > 1 && n < 4096 && name[0] == '/' && !memchr(name, '\n', n) &&
	       !memchr(name, '\0', n);
}

int config_snapshot_format(const struct config_texts *texts, char **ret)
{
	_cleanup_free_ char *buf = NULL;
	size_t size = 0, total = 0;
	FILE *f;

	if (texts->n > CONFIG_SNAPSHOT_FILES_MAX)
		return -EFBIG;
	for (size_t i = 0; i < texts->n; i++) {
		const struct config_text *t = &texts->files[i];

		if (!name_ok(t->name, strlen(t->name)) || t->len > CONFIG_FILE_MAX)
			return -EINVAL;
		total += t->len;
	}
	if (total > CONFIG_SNAPSHOT_MAX)
		return -EFBIG;

	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;
	fputs("# klpd: the last configuration it accepted, run on when klpd.conf is refused\n"
	      "# at start. Rewritten by klpd; without it klpd falls back to the defaults.\n"
	      SNAPSHOT_HEADER "\n",
	      f);
	for (size_t i = 0; i < texts->n; i++) {
		const struct config_text *t = &texts->files[i];

		fprintf(f, SNAPSHOT_FILE_TAG "%zu %s\n", t->len, t->name);
		fwrite(t->text, 1, t->len, f);
		fputc('\n', f);
	}
	fputs(SNAPSHOT_END "\n", f);
	if (fclose(f) != 0 || !buf)
		return -ENOMEM;
	if (size > CONFIG_SNAPSHOT_MAX + 64 * 1024)
		return -EFBIG;
	*ret = TAKE_PTR(buf);
	return 0;
}

static int bad(char **error, const char *fmt, ...) _printf_(2, 3);
static int bad(char **error, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!error)
		return -EBADMSG;
	va_start(ap, fmt);
	n = vasprintf(error, fmt, ap);
	va_end(ap);
	if (n < 0) {
		*error = NULL;
		return -ENOMEM;
	}
	return -EBADMSG;
}

/* The line at *POS (without its newline) into LINE/N; false at the end of
 * the buffer or when the last line has no newline. */
static bool next_line(const char *buf, size_t len, size_t *pos, const char **line, size_t *n)
{
	const char *nl;

	if (*pos >= len)
		return false;
	nl = memchr(buf + *pos, '\n', len - *pos);
	if (!nl)
		return false;
	*line = buf + *pos;
	*n = (size_t)(nl - *line);
	*pos += *n + 1;
	return true;
}

/* "LENGTH NAME" after "file ": a decimal LENGTH without leading zeros. */
static int parse_file_line(const char *s, size_t n, size_t *ret_len, char **ret_name)
{
	size_t v = 0, i = 0;

	if (n == 0 || s[0] < '0' || s[0] > '9' || (s[0] == '0' && n > 1 && s[1] != ' '))
		return -EBADMSG;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (size_t)(s[i] - '0');
		if (v > CONFIG_FILE_MAX)
			return -EBADMSG;
	}
	if (i >= n || s[i] != ' ' || !name_ok(s + i + 1, n - i - 1))
		return -EBADMSG;
	*ret_name = strndup(s + i + 1, n - i - 1);
	if (!*ret_name)
		return -ENOMEM;
	*ret_len = v;
	return 0;
}

int config_snapshot_parse(const char *buf, size_t len, struct config *ret, char **error)
{
	_cleanup_(config_donep) struct config c = {};
	const char *line;
	size_t pos = 0, n, files = 0;
	int r;

	if (error)
		*error = NULL;
	if (len > CONFIG_SNAPSHOT_MAX + 64 * 1024)
		return bad(error, "larger than %d bytes", CONFIG_SNAPSHOT_MAX);
	r = config_init_defaults(&c);
	if (r < 0)
		return r;

	/* comments, then the header */
	for (;;) {
		if (!next_line(buf, len, &pos, &line, &n))
			return bad(error, "no '" SNAPSHOT_HEADER "' line");
		if (n > 0 && line[0] == '#')
			continue;
		if (n != strlen(SNAPSHOT_HEADER) || memcmp(line, SNAPSHOT_HEADER, n) != 0)
			return bad(error, "not a klpd configuration snapshot (version 1)");
		break;
	}

	for (;;) {
		_cleanup_free_ char *name = NULL;
		size_t flen;

		if (!next_line(buf, len, &pos, &line, &n))
			return bad(error, "truncated: no '" SNAPSHOT_END "' line");
		if (n == strlen(SNAPSHOT_END) && memcmp(line, SNAPSHOT_END, n) == 0)
			break;
		if (n < strlen(SNAPSHOT_FILE_TAG) ||
		    memcmp(line, SNAPSHOT_FILE_TAG, strlen(SNAPSHOT_FILE_TAG)) != 0)
			return bad(error, "expected a 'file LENGTH NAME' line or 'end'");
		r = parse_file_line(line + strlen(SNAPSHOT_FILE_TAG), n - strlen(SNAPSHOT_FILE_TAG),
				    &flen, &name);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			return bad(error, "bad 'file LENGTH NAME' line");
		if (++files > CONFIG_SNAPSHOT_FILES_MAX)
			return bad(error, "more than %d files", CONFIG_SNAPSHOT_FILES_MAX);
		/* the text, then the newline that ends it */
		if (len - pos < flen + 1 || buf[pos + flen] != '\n')
			return bad(error, "the text of %s is truncated", name);
		r = config_parse_buffer(&c, name, buf + pos, flen, error);
		if (r < 0)
			return r;
		pos += flen + 1;
	}
	if (pos != len)
		return bad(error, "data after the '" SNAPSHOT_END "' line");
	c.stall_timeout_usec = c.policy.stall_timeout_usec;
	*ret = c;
	c = (struct config){};
	return 0;
}

int config_fallback(const char *snapshot, size_t len, struct config *ret, char **why)
{
	_cleanup_free_ char *msg = NULL;
	int r;

	if (why)
		*why = NULL;
	if (snapshot) {
		r = config_snapshot_parse(snapshot, len, ret, &msg);
		if (r == -ENOMEM)
			return r;
		if (r == 0)
			return CONFIG_ORIGIN_LAST_VALID;
		if (!msg && !(msg = strdup("not valid")))
			return -ENOMEM;
	}
	r = config_init_defaults(ret);
	if (r < 0)
		return r;
	if (why)
		*why = TAKE_PTR(msg);
	return CONFIG_ORIGIN_DEFAULTS;
}
