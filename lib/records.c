/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "records.h"

struct records {
	char *items;
	size_t n, size;
	unsigned flags;
	record_fn fn;
};

static int parse_record(struct records *recs, const char *line, size_t n)
{
	char name[KLP_MODULE_NAME_MAX], normal[KLP_MODULE_NAME_MAX];
	const char *sp = memchr(line, ' ', n);
	size_t name_len;
	char *items;
	int r;

	if (!sp)
		return -EBADMSG;
	name_len = (size_t)(sp - line);
	if (name_len == 0 || name_len >= sizeof(name))
		return -EBADMSG;
	memcpy(name, line, name_len);
	name[name_len] = '\0';
	/* a name klpd did not write (other case, '-' for '_') is no record of its own */
	if (module_name_normalize(name, normal) < 0 || !streq(name, normal))
		return -EBADMSG;
	if (recs->flags & RECORDS_UNIQUE)
		for (size_t i = 0; i < recs->n; i++)
			if (streq(recs->items + i * recs->size, normal))
				return -EBADMSG;
	items = realloc(recs->items, (recs->n + 1) * recs->size);
	if (!items)
		return -ENOMEM;
	recs->items = items;
	items += recs->n * recs->size;
	memset(items, 0, recs->size);
	memcpy(items, normal, sizeof(normal));
	r = recs->fn(normal, sp + 1, n - name_len - 1, items);
	if (r < 0)
		return r;
	recs->n++;
	return 0;
}

int records_parse(const char *buf, size_t len, size_t max, size_t size, unsigned flags,
		  record_fn fn, void (*done)(void *item), void **ret, size_t *ret_n)
{
	struct records recs = { .size = size, .flags = flags, .fn = fn };
	int r = 0;

	if (len > max || memchr(buf, '\0', len))
		r = -EBADMSG;
	for (size_t pos = 0; r == 0 && pos < len;) {
		const char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;

		pos += ll + (nl ? 1 : 0);
		if (ll > 0 && line[0] != '#')
			r = parse_record(&recs, line, ll);
	}
	if (r < 0) {
		for (size_t i = 0; done && i < recs.n; i++)
			done(recs.items + i * recs.size);
		free(recs.items);
		return r;
	}
	*ret = recs.items;
	*ret_n = recs.n;
	return 0;
}
