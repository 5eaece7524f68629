/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "records.h"
#include "statedir.h"

const char *statedir_path(void)
{
	static char buf[4096];
	const char *e = getenv("STATE_DIRECTORY");
	size_t n;

	if (!e || e[0] != '/')
		return KLPD_STATE_DIR;
	/* systemd passes one entry per StateDirectory=, ':'-separated */
	n = strcspn(e, ":");
	if (n >= sizeof(buf))
		return KLPD_STATE_DIR;
	memcpy(buf, e, n);
	buf[n] = '\0';
	return buf;
}

static int parse_leftover(const char *name, const char *rest, size_t rest_len, void *item)
{
	struct leftover_record *rec = item;
	uint64_t v = 0;

	if (rest_len == 0 || rest_len >= 32)
		return -EBADMSG;
	for (size_t i = 0; i < rest_len; i++) {
		char c = rest[i];

		if (c < '0' || c > '9' || v > (UINT64_MAX - (uint64_t)(c - '0')) / 10)
			return -EBADMSG;
		v = v * 10 + (uint64_t)(c - '0');
	}
	if (v == 0)
		return -EBADMSG;
	rec->since = v;
	return 0;
}

int leftovers_parse(const char *buf, size_t len, struct leftover_record **ret, size_t *ret_n)
{
	void *l = NULL;
	int r;

	static_assert(offsetof(struct leftover_record, name) == 0, "records_parse() wants the name first");
	r = records_parse(buf, len, LEFTOVERS_FILE_MAX, sizeof(**ret), RECORDS_UNIQUE, parse_leftover,
			  NULL, &l, ret_n);
	*ret = l;
	return r;
}

int statedir_read(const char *dir, const char *file, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *path = NULL;
	int r;

	*ret = NULL;
	*ret_len = 0;
	if (asprintf(&path, "%s/%s", dir, file) < 0)
		return -ENOMEM;
	r = read_full_file(path, O_NOFOLLOW, max, ret, ret_len);
	if (r == -ENOENT)
		return 0;
	if (r == -EFBIG)
		return -EBADMSG;
	return r < 0 ? r : 1;
}

int statedir_write(const char *dir, const char *file, const char *text)
{
	_cleanup_free_ char *path = NULL, *tmp = NULL;

	if (asprintf(&path, "%s/%s", dir, file) < 0 || asprintf(&tmp, "%s/.%s.XXXXXX", dir, file) < 0)
		return -ENOMEM;
	return write_file_atomic(path, tmp, text, WRITE_FILE_SYNC);
}

int statedir_remove(const char *dir, const char *file)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int leftovers_load(const char *dir, struct leftover_record **ret, size_t *ret_n)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	*ret = NULL;
	*ret_n = 0;
	r = statedir_read(dir, LEFTOVERS_FILE, LEFTOVERS_FILE_MAX, &buf, &len);
	if (r <= 0)
		return r;
	return leftovers_parse(buf, len, ret, ret_n);
}

int leftovers_save(const char *dir, const struct leftover_record *l, size_t n)
{
	_cleanup_free_ char *text = NULL;
	size_t size = 0;
	FILE *f;
	int r;

	f = open_memstream(&text, &size);
	if (!f)
		return -ENOMEM;
	fprintf(f, "# klpd: when each leftover livepatch module's patch went away\n"
		   "# (CLOCK_REALTIME usec). Rewritten by klpd; removing it is harmless.\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s %" PRIu64 "\n", l[i].name, l[i].since);
	r = fclose(f);
	if (r != 0 || !text)
		return -ENOMEM;
	return statedir_write(dir, LEFTOVERS_FILE, text);
}
