/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health-records.h"
#include "macro.h"
#include "records.h"
#include "statedir.h"

static const char *const health_table[_PATCH_HEALTH_MAX] = {
	[PATCH_HEALTH_NONE] = "none",
	[PATCH_HEALTH_WATCHING] = "watching",
	[PATCH_HEALTH_ACCEPTED] = "accepted",
	[PATCH_HEALTH_FAULTY] = "faulty",
};

const char *patch_health_to_string(enum patch_health h)
{
	return h < _PATCH_HEALTH_MAX ? health_table[h] : NULL;
}

void health_book_done(struct health_book *b)
{
	free(b->records);
	*b = (struct health_book){};
}

/* The next blank-separated word of [*P, END) into BUF; -EBADMSG when it is
 * empty or longer than SIZE - 1. */
static int next_word(const char **p, const char *end, char *buf, size_t size)
{
	size_t n = 0;

	while (*p < end && **p != ' ') {
		if (n + 1 >= size)
			return -EBADMSG;
		buf[n++] = *(*p)++;
	}
	if (n == 0)
		return -EBADMSG;
	buf[n] = '\0';
	if (*p < end)
		(*p)++; /* the blank */
	return 0;
}

static int parse_usec(const char *s, uint64_t *ret)
{
	uint64_t v = 0;

	for (const char *c = s; *c; c++) {
		if (*c < '0' || *c > '9' || v > (UINT64_MAX - (uint64_t)(*c - '0')) / 10)
			return -EBADMSG;
		v = v * 10 + (uint64_t)(*c - '0');
	}
	if (v == 0)
		return -EBADMSG;
	*ret = v;
	return 0;
}

static int parse_health_record(const char *name, const char *rest, size_t rest_len, void *item)
{
	struct health_record *rec = item;
	const char *p = rest, *end = rest + rest_len;
	char status[16], usec[24], extra[64];
	int r;

	if (next_word(&p, end, status, sizeof(status)) < 0 ||
	    next_word(&p, end, usec, sizeof(usec)) < 0 || parse_usec(usec, &rec->since) < 0)
		return -EBADMSG;
	rec->kind = _KERNEL_INCIDENT_KIND_INVALID;
	r = -EBADMSG;
	for (enum patch_health h = PATCH_HEALTH_WATCHING; h < _PATCH_HEALTH_MAX; h++)
		if (streq(status, health_table[h])) {
			rec->health = h;
			r = 0;
		}
	if (r < 0)
		return r;
	switch (rec->health) {
	case PATCH_HEALTH_WATCHING:
		if (next_word(&p, end, extra, sizeof(extra)) < 0 || !boot_id_valid(extra))
			return -EBADMSG;
		memcpy(rec->boot_id, extra, BOOT_ID_LEN + 1);
		break;
	case PATCH_HEALTH_FAULTY:
		if (next_word(&p, end, extra, sizeof(extra)) < 0)
			return -EBADMSG;
		rec->kind = kernel_incident_kind_from_string(extra);
		if (rec->kind == _KERNEL_INCIDENT_KIND_INVALID)
			return -EBADMSG;
		break;
	default:
		break;
	}
	return p == end ? 0 : -EBADMSG;
}

int health_records_parse(const char *buf, size_t len, struct health_record **ret, size_t *ret_n)
{
	void *l = NULL;
	int r;

	static_assert(offsetof(struct health_record, name) == 0, "records_parse() wants the name first");
	r = records_parse(buf, len, HEALTH_FILE_MAX, sizeof(**ret), RECORDS_UNIQUE,
			  parse_health_record, NULL, &l, ret_n);
	*ret = l;
	return r;
}

int health_records_format(const struct health_record *l, size_t n, char **ret)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	f = open_memstream(&text, &size);
	if (!f)
		return -ENOMEM;
	fprintf(f, "# klpd: the health window's findings (CLOCK_REALTIME usec).\n"
		   "# 'faulty' modules are skipped at boot: 'klpctl clear-skip NAME' ends that.\n");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s %s %" PRIu64, l[i].name, health_table[l[i].health], l[i].since);
		if (l[i].health == PATCH_HEALTH_WATCHING)
			fprintf(f, " %s", l[i].boot_id);
		else if (l[i].health == PATCH_HEALTH_FAULTY)
			fprintf(f, " %s", kernel_incident_kind_to_string(l[i].kind));
		fputc('\n', f);
	}
	if (fclose(f) != 0 || !text) {
		free(text);
		return -ENOMEM;
	}
	*ret = text;
	return 0;
}

int health_book_load(struct health_book *b, const char *dir)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	health_book_done(b);
	r = statedir_read(dir, HEALTH_FILE, HEALTH_FILE_MAX, &buf, &len);
	if (r <= 0)
		return r;
	return health_records_parse(buf, len, &b->records, &b->n);
}

int health_book_save(const struct health_book *b, const char *dir)
{
	_cleanup_free_ char *text = NULL;
	int r;

	if (b->n == 0)
		return statedir_remove(dir, HEALTH_FILE);
	r = health_records_format(b->records, b->n, &text);
	if (r < 0)
		return r;
	return statedir_write(dir, HEALTH_FILE, text);
}

const struct health_record *health_book_find(const struct health_book *b, const char *name)
{
	for (size_t i = 0; i < b->n; i++)
		if (streq(b->records[i].name, name))
			return &b->records[i];
	return NULL;
}

enum patch_health health_book_get(const struct health_book *b, const char *name)
{
	const struct health_record *rec = health_book_find(b, name);

	return rec ? rec->health : PATCH_HEALTH_NONE;
}

int health_book_set(struct health_book *b, const struct health_record *rec)
{
	struct health_record *old = (struct health_record *)health_book_find(b, rec->name), *l;

	if (old) {
		*old = *rec;
		return 0;
	}
	l = realloc(b->records, (b->n + 1) * sizeof(*l));
	if (!l)
		return -ENOMEM;
	b->records = l;
	l[b->n++] = *rec;
	return 0;
}

bool health_book_drop(struct health_book *b, const char *name)
{
	struct health_record *rec = (struct health_record *)health_book_find(b, name);
	size_t i;

	if (!rec)
		return false;
	i = (size_t)(rec - b->records);
	memmove(rec, rec + 1, (b->n - i - 1) * sizeof(*rec));
	b->n--;
	return true;
}
