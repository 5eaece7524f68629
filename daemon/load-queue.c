/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load-queue.h"
#include "macro.h"
#include "statedir.h"

void queued_loads_free(struct queued_load *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i].path);
	free(l);
}

static int parse_line(const char *line, size_t n, struct queued_load *ret)
{
	char name[KLP_MODULE_NAME_MAX];
	const char *sp1 = memchr(line, ' ', n), *sp2, *path;
	size_t name_len, path_len;

	if (!sp1)
		return -EBADMSG;
	name_len = (size_t)(sp1 - line);
	if (name_len == 0 || name_len >= sizeof(name))
		return -EBADMSG;
	memcpy(name, line, name_len);
	name[name_len] = '\0';
	if (module_name_normalize(name, ret->name) < 0 || !streq(name, ret->name))
		return -EBADMSG;
	sp2 = memchr(sp1 + 1, ' ', n - name_len - 1);
	if (!sp2)
		return -EBADMSG;
	if (sp2 - sp1 - 1 == 4 && memcmp(sp1 + 1, "boot", 4) == 0)
		ret->at_boot = true;
	else if (sp2 - sp1 - 1 == 4 && memcmp(sp1 + 1, "hand", 4) == 0)
		ret->at_boot = false;
	else
		return -EBADMSG;
	path = sp2 + 1;
	path_len = n - (size_t)(path - line);
	if (path_len < 2 || path[0] != '/' || path_len >= 4096)
		return -EBADMSG;
	ret->path = strndup(path, path_len);
	return ret->path ? 0 : -ENOMEM;
}

int load_queue_parse(const char *buf, size_t len, struct queued_load **ret, size_t *ret_n)
{
	struct queued_load *l = NULL, *nl;
	size_t n = 0;
	int r = 0;

	if (len > LOAD_QUEUE_FILE_MAX || memchr(buf, '\0', len))
		return -EBADMSG;
	for (size_t pos = 0; pos < len;) {
		const char *line = buf + pos, *eol = memchr(line, '\n', len - pos);
		size_t ll = eol ? (size_t)(eol - line) : len - pos;
		struct queued_load rec = {};

		pos += ll + (eol ? 1 : 0);
		if (ll == 0 || line[0] == '#')
			continue;
		r = parse_line(line, ll, &rec);
		if (r < 0)
			break;
		nl = realloc(l, (n + 1) * sizeof(*l));
		if (!nl) {
			free(rec.path);
			r = -ENOMEM;
			break;
		}
		l = nl;
		l[n++] = rec;
	}
	if (r < 0) {
		queued_loads_free(l, n);
		return r;
	}
	*ret = l;
	*ret_n = n;
	return 0;
}

int load_queue_format(const struct queued_load *l, size_t n, char **ret)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	for (size_t i = 0; i < n; i++)
		if (strchr(l[i].path, '\n'))
			return -EINVAL;
	f = open_memstream(&text, &size);
	if (!f)
		return -ENOMEM;
	fprintf(f, "# klpd: loads waiting for a transition to end, in order.\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s %s %s\n", l[i].name, l[i].at_boot ? "boot" : "hand", l[i].path);
	if (fclose(f) != 0 || !text) {
		free(text);
		return -ENOMEM;
	}
	*ret = text;
	return 0;
}

int load_queue_read(const char *dir, struct queued_load **ret, size_t *ret_n)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	*ret = NULL;
	*ret_n = 0;
	r = statedir_read(dir, LOAD_QUEUE_FILE, LOAD_QUEUE_FILE_MAX, &buf, &len);
	if (r <= 0)
		return r;
	return load_queue_parse(buf, len, ret, ret_n);
}

int load_queue_write(const char *dir, const struct queued_load *l, size_t n)
{
	_cleanup_free_ char *text = NULL;
	int r;

	if (n == 0)
		return statedir_remove(dir, LOAD_QUEUE_FILE);
	r = load_queue_format(l, n, &text);
	if (r < 0)
		return r;
	return statedir_write(dir, LOAD_QUEUE_FILE, text);
}
