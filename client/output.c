/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bus-objects.h"
#include "duration.h"
#include "klpctl.h"
#include "macro.h"
#include "output.h"
#include "terminal.h"
#include "utf8.h"

void json_quote(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(f, "\\%c", *c);
		else if (*c < 0x20)
			fprintf(f, "\\u%04x", *c);
		else
			fputc(*c, f);
	}
	fputc('"', f);
}

/* --json=pretty: a member a line, indented by two spaces a level. */
static void json_indent(struct json *j, unsigned depth)
{
	fputc('\n', j->f);
	for (unsigned i = 0; i < depth; i++)
		fputs("  ", j->f);
}

/* Before a member or an element: the comma, and "KEY": in an object. */
static void json_next(struct json *j, const char *key)
{
	if (j->more[j->depth])
		fputc(',', j->f);
	j->more[j->depth] = true;
	if (j->pretty && j->depth > 0)
		json_indent(j, j->depth);
	if (key) {
		json_quote(j->f, key);
		fputs(j->pretty ? ": " : ":", j->f);
	}
}

static void json_open(struct json *j, const char *key, char c)
{
	json_next(j, key);
	fputc(c, j->f);
	if (j->depth + 1 < ELEMENTSOF(j->more))
		j->depth++;
	j->more[j->depth] = false;
}

static void json_close(struct json *j, char c)
{
	if (j->pretty && j->more[j->depth] && j->depth > 0)
		json_indent(j, j->depth - 1);
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
}

void json_open_object(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_close_object(struct json *j)
{
	json_close(j, '}');
}

void json_open_array(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_close_array(struct json *j)
{
	json_close(j, ']');
}

void json_string(struct json *j, const char *key, const char *s)
{
	_cleanup_free_ char *text = utf8_escape_dup(strempty(s));

	json_next(j, key);
	json_quote(j->f, text ? text : "");
}

void json_bool(struct json *j, const char *key, bool b)
{
	json_next(j, key);
	fputs(b ? "true" : "false", j->f);
}

void json_uint(struct json *j, const char *key, uint64_t u)
{
	json_next(j, key);
	fprintf(j->f, "%" PRIu64, u);
}

void json_int(struct json *j, const char *key, int64_t i)
{
	json_next(j, key);
	fprintf(j->f, "%" PRIi64, i);
}

void json_strv(struct json *j, const char *key, char **l)
{
	json_open_array(j, key);
	for (char **s = l; s && *s; s++)
		json_string(j, NULL, *s);
	json_close_array(j);
}

void json_null(struct json *j, const char *key)
{
	json_next(j, key);
	fputs("null", j->f);
}

void json_time(struct json *j, const char *key, uint64_t usec)
{
	if (usec == 0)
		json_null(j, key);
	else
		json_uint(j, key, usec);
}

void json_blockers(struct json *j, const char *key, const struct blocker *l, size_t n)
{
	json_open_array(j, key);
	for (size_t i = 0; i < n; i++) {
		json_open_object(j, NULL);
		json_uint(j, "pid", l[i].pid);
		json_string(j, "comm", l[i].comm);
		json_string(j, "stack", l[i].stack);
		json_close_object(j);
	}
	json_close_array(j);
}

void json_end(struct json *j)
{
	fputc('\n', j->f);
}

void json_patch_path(const char *name, const char *path)
{
	struct json j = JSON_INIT(stdout);

	json_open_object(&j, NULL);
	json_string(&j, "patch", name);
	json_string(&j, "path", path);
	json_close_object(&j);
	json_end(&j);
}

void json_patch(struct json *j, const struct patch_info *p)
{
	json_open_object(j, NULL);
	json_string(j, "name", p->name);
	json_string(j, "state", p->state);
	json_bool(j, "enabled", p->enabled);
	json_bool(j, "transition", p->transition);
	json_string(j, "replace", p->replace);
	json_uint(j, "stack_order", p->stack_order);
	json_int(j, "refcount", p->refcount);
	json_bool(j, "forced", p->forced);
	json_time(j, "loaded_at_usec", p->loaded_at);
	json_string(j, "source", p->source);
	json_string(j, "health", p->health);
	json_time(j, "health_since_usec", p->health_since);
	json_open_array(j, "objects");
	for (size_t i = 0; i < p->n_objects; i++) {
		json_open_object(j, NULL);
		json_string(j, "name", p->objects[i].name);
		json_bool(j, "patched", p->objects[i].patched);
		json_close_object(j);
	}
	json_close_array(j);
	json_blockers(j, "blockers", p->blockers, p->n_blockers);
	json_close_object(j);
}

void json_patches(struct json *j, const char *key, const struct patch_info *l, size_t n)
{
	json_open_array(j, key);
	for (size_t i = 0; i < n; i++)
		json_patch(j, &l[i]);
	json_close_array(j);
}

char *format_age(char *buf, size_t size, uint64_t loaded_at)
{
	uint64_t now;

	if (loaded_at == 0)
		return strcpy(buf, "unknown");
	now = now_usec(CLOCK_REALTIME);
	return duration_format_short(buf, size, now > loaded_at ? now - loaded_at : 0);
}

void print_table(const struct patch_info *l, size_t n)
{
	char age[DURATION_MAX];

	if (n == 0) {
		if (arg_legend)
			printf("No livepatch modules loaded.\n");
		return;
	}
	if (arg_legend)
		printf("%-32s %-11s %-7s %-8s %-10s %-8s %s\n", "NAME", "STATE", "ENABLED", "REFCOUNT",
		       "AGE", "HEALTH", "SOURCE");
	/* the colour goes around the padded field, so that columns stay put */
	for (size_t i = 0; i < n; i++)
		printf("%-32s %s%-11s%s %-7s %-8" PRIi32 " %-10s %-8s %s\n", l[i].name,
		       color_out(color_of_state(l[i].state)), l[i].state, color_out_end(),
		       yes_no(l[i].enabled), l[i].refcount,
		       l[i].loaded_at ? format_age(age, sizeof(age), l[i].loaded_at) : "-",
		       l[i].health && *l[i].health ? l[i].health : "-",
		       l[i].source && *l[i].source ? l[i].source : "-");
}
