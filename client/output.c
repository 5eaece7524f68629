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

/* S is escaped first, so only '"' and '\\' are left to quote. */
void json_string(const char *s)
{
	_cleanup_free_ char *text = utf8_escape_dup(strempty(s));

	putchar('"');
	for (const char *c = text ? text : ""; *c; c++) {
		if (*c == '"' || *c == '\\')
			putchar('\\');
		putchar(*c);
	}
	putchar('"');
}

/* {"patch":NAME,"path":PATH}: what load, install and uninstall print. */
void json_patch_path(const char *name, const char *path)
{
	printf("{\"patch\":");
	json_string(name);
	printf(",\"path\":");
	json_string(path);
	printf("}\n");
}

/* A JSON array of the space-separated WORDS. */
void json_words(const char *words)
{
	char *save = NULL, *tok, buf[512];

	snprintf(buf, sizeof(buf), "%s", words);
	putchar('[');
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (tok != buf)
			putchar(',');
		json_string(tok);
	}
	putchar(']');
}

char *format_age(char *buf, size_t size, uint64_t loaded_at)
{
	uint64_t now;

	if (loaded_at == 0)
		return strcpy(buf, "-");
	now = now_usec(CLOCK_REALTIME);
	return duration_format_short(buf, size, now > loaded_at ? now - loaded_at : 0);
}

void print_patch_json(const struct patch_info *p)
{
	printf("{\"name\":");
	json_string(p->name);
	printf(",\"state\":");
	json_string(p->state);
	printf(",\"enabled\":%s,\"transition\":%s,\"replace\":", p->enabled ? "true" : "false",
	       p->transition ? "true" : "false");
	json_string(p->replace);
	printf(",\"stack_order\":%" PRIu32 ",\"refcount\":%" PRIi32
	       ",\"forced\":%s,\"loaded_at_usec\":%" PRIu64 ",\"source\":",
	       p->stack_order, p->refcount, p->forced ? "true" : "false", p->loaded_at);
	json_string(p->source);
	printf(",\"objects\":");
	json_string(p->objects);
	printf(",\"blockers\":[");
	for (size_t i = 0; i < p->n_blockers; i++) {
		printf("%s{\"pid\":%" PRIu32 ",\"comm\":", i ? "," : "", p->blockers[i].pid);
		json_string(p->blockers[i].comm);
		printf(",\"stack\":");
		json_string(p->blockers[i].stack);
		printf("}");
	}
	printf("]}");
}

void print_table(const struct patch_info *l, size_t n)
{
	char age[DURATION_MAX];

	if (n == 0) {
		printf("No livepatch modules loaded.\n");
		return;
	}
	printf("%-32s %-11s %-7s %-8s %-10s %s\n", "NAME", "STATE", "ENABLED", "REFCOUNT", "AGE",
	       "SOURCE");
	/* the colour goes around the padded field, so that columns stay put */
	for (size_t i = 0; i < n; i++)
		printf("%-32s %s%-11s%s %-7s %-8" PRIi32 " %-10s %s\n", l[i].name,
		       color_out(color_of_state(l[i].state)), l[i].state, color_out_end(),
		       yes_no(l[i].enabled), l[i].refcount,
		       format_age(age, sizeof(age), l[i].loaded_at),
		       l[i].source && *l[i].source ? l[i].source : "-");
}
