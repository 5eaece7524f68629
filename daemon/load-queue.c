/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load-queue.h"
#include "macro.h"
#include "records.h"
#include "statedir.h"

void load_queue_free(struct load_request *q)
{
	while (q) {
		struct load_request *next = q->next;

		if (q->fd >= 0)
			close(q->fd);
		free(q->source);
		free(q);
		q = next;
	}
}

int load_queue_append(struct load_request **queue, int fd, const char *name, const char *source,
		      const char *reason)
{
	struct load_request *q, **tail;

	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->source = strdup(source);
	if (!q->source) {
		free(q);
		return -ENOMEM;
	}
	q->fd = fd;
	q->reason = reason;
	snprintf(q->name, sizeof(q->name), "%s", name);
	for (tail = queue; *tail; tail = &(*tail)->next)
		;
	*tail = q;
	return 0;
}

bool load_queue_contains(const struct load_request *queue, const char *name)
{
	for (const struct load_request *q = queue; q; q = q->next)
		if (streq(q->name, name))
			return true;
	return false;
}

struct load_request *load_queue_pop(struct load_request **queue)
{
	struct load_request *q = *queue;

	if (q) {
		*queue = q->next;
		q->next = NULL;
	}
	return q;
}

void load_queue_push_front(struct load_request **queue, struct load_request *q)
{
	q->next = *queue;
	*queue = q;
}

int load_queue_save(const struct load_request *queue, const char *dir)
{
	_cleanup_free_ struct queued_load *l = NULL;
	size_t n = 0;

	for (const struct load_request *q = queue; q; q = q->next)
		n++;
	l = calloc(n ? n : 1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	n = 0;
	for (const struct load_request *q = queue; q; q = q->next, n++) {
		snprintf(l[n].name, sizeof(l[n].name), "%s", q->name);
		l[n].at_boot = q->reason != NULL;
		l[n].path = q->source; /* borrowed */
	}
	return load_queue_write(dir, l, n);
}

void queued_loads_free(struct queued_load *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i].path);
	free(l);
}

static void queued_load_done(void *item)
{
	free(((struct queued_load *)item)->path);
}

static int parse_queued_load(const char *name, const char *rest, size_t rest_len, void *item)
{
	struct queued_load *q = item;
	const char *sp = memchr(rest, ' ', rest_len), *path;
	size_t path_len;

	if (!sp)
		return -EBADMSG;
	if (sp - rest == 4 && memcmp(rest, "boot", 4) == 0)
		q->at_boot = true;
	else if (sp - rest == 4 && memcmp(rest, "hand", 4) == 0)
		q->at_boot = false;
	else
		return -EBADMSG;
	path = sp + 1;
	path_len = rest_len - (size_t)(path - rest);
	if (path_len < 2 || path[0] != '/' || path_len >= 4096)
		return -EBADMSG;
	q->path = strndup(path, path_len);
	return q->path ? 0 : -ENOMEM;
}

int load_queue_parse(const char *buf, size_t len, struct queued_load **ret, size_t *ret_n)
{
	void *l = NULL;
	int r;

	static_assert(offsetof(struct queued_load, name) == 0, "records_parse() wants the name first");
	r = records_parse(buf, len, LOAD_QUEUE_FILE_MAX, sizeof(**ret), 0, parse_queued_load,
			  queued_load_done, &l, ret_n);
	*ret = l;
	return r;
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
