/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
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

static int parse_line(const char *line, size_t n, struct leftover_record *ret)
{
	char name[KLP_MODULE_NAME_MAX], num[32];
	const char *sp = memchr(line, ' ', n);
	size_t name_len, num_len;
	uint64_t v = 0;

	if (!sp)
		return -EBADMSG;
	name_len = (size_t)(sp - line);
	num_len = n - name_len - 1;
	if (name_len == 0 || name_len >= sizeof(name) || num_len == 0 || num_len >= sizeof(num))
		return -EBADMSG;
	memcpy(name, line, name_len);
	name[name_len] = '\0';
	memcpy(num, sp + 1, num_len);
	num[num_len] = '\0';
	if (module_name_normalize(name, ret->name) < 0 || !streq(name, ret->name))
		return -EBADMSG;
	for (const char *c = num; *c; c++) {
		if (*c < '0' || *c > '9' || v > (UINT64_MAX - (uint64_t)(*c - '0')) / 10)
			return -EBADMSG;
		v = v * 10 + (uint64_t)(*c - '0');
	}
	if (v == 0)
		return -EBADMSG;
	ret->since = v;
	return 0;
}

int leftovers_parse(const char *buf, size_t len, struct leftover_record **ret, size_t *ret_n)
{
	_cleanup_free_ struct leftover_record *l = NULL;
	size_t n = 0;

	if (len > LEFTOVERS_FILE_MAX || memchr(buf, '\0', len))
		return -EBADMSG;
	for (size_t pos = 0; pos < len;) {
		const char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		struct leftover_record rec, *nlst;

		pos += ll + (nl ? 1 : 0);
		if (ll == 0 || line[0] == '#')
			continue;
		if (parse_line(line, ll, &rec) < 0)
			return -EBADMSG;
		for (size_t i = 0; i < n; i++)
			if (streq(l[i].name, rec.name))
				return -EBADMSG;
		nlst = realloc(l, (n + 1) * sizeof(*l));
		if (!nlst)
			return -ENOMEM;
		l = nlst;
		l[n++] = rec;
	}
	*ret = TAKE_PTR(l);
	*ret_n = n;
	return 0;
}

int statedir_read(const char *dir, const char *file, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *path = NULL, *buf = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = 0;

	*ret = NULL;
	*ret_len = 0;
	if (asprintf(&path, "%s/%s", dir, file) < 0)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	buf = malloc(max + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t k = read(fd, buf + len, max + 1 - len);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			break;
		len += (size_t)k;
		if (len > max)
			return -EBADMSG;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 1;
}

int statedir_write(const char *dir, const char *file, const char *text)
{
	_cleanup_free_ char *path = NULL, *tmp = NULL;
	_cleanup_close_ int dfd = -1;
	_cleanup_fclose_ FILE *f = NULL;
	int fd, r;

	if (asprintf(&path, "%s/%s", dir, file) < 0 || asprintf(&tmp, "%s/.%s.XXXXXX", dir, file) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
		unlink(tmp);
		return r;
	}
	fputs(text, f);
	if (fflush(f) != 0 || fchmod(fileno(f), 0644) < 0 || fsync(fileno(f)) < 0) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	if (rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	/* the rename itself must survive a crash too */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		(void)fsync(dfd);
	return 0;
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
