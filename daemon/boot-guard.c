/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot-guard.h"
#include "log.h"
#include "macro.h"
#include "statedir.h"

void boot_guard_done(struct boot_guard *g)
{
	free(g->records);
	*g = (struct boot_guard){};
}

bool boot_guard_record_skipped(const struct boot_guard *g, const struct boot_record *r)
{
	/* Without this boot's id no record can be told apart: all are old. */
	return !g->boot_id[0] || !streq(r->boot_id, g->boot_id);
}

const struct boot_record *boot_guard_find(const struct boot_guard *g, const char *name)
{
	for (size_t i = 0; i < g->n_records; i++)
		if (streq(g->records[i].name, name))
			return &g->records[i];
	return NULL;
}

static struct boot_record *find_record(struct boot_guard *g, const char *name)
{
	return (struct boot_record *)boot_guard_find(g, name);
}

bool boot_guard_skipped(const struct boot_guard *g, const char *name)
{
	const struct boot_record *rec = boot_guard_find(g, name);

	return rec && boot_guard_record_skipped(g, rec);
}

static void save(const struct boot_guard *g)
{
	int r;

	r = boot_records_save(statedir_path(), g->records, g->n_records);
	if (r < 0)
		log_warning_errno(r, "Cannot write %s/%s; the crash-loop guard may not see this "
				     "boot's loads",
				  statedir_path(), BOOT_LOADS_FILE);
}

static void drop(struct boot_guard *g, struct boot_record *rec)
{
	size_t i = (size_t)(rec - g->records);

	memmove(rec, rec + 1, (g->n_records - i - 1) * sizeof(*rec));
	g->n_records--;
}

void boot_guard_begin(struct boot_guard *g, const char *name)
{
	struct boot_record *rec, *l;

	if (!g->boot_id[0])
		return;
	rec = find_record(g, name);
	if (!rec) {
		l = realloc(g->records, (g->n_records + 1) * sizeof(*l));
		if (!l) {
			log_error_errno(-ENOMEM, "Cannot record the boot-time load of '%s'", name);
			return;
		}
		g->records = l;
		rec = &l[g->n_records++];
		snprintf(rec->name, sizeof(rec->name), "%s", name);
	}
	snprintf(rec->boot_id, sizeof(rec->boot_id), "%s", g->boot_id);
	save(g);
}

void boot_guard_end(struct boot_guard *g, const char *name)
{
	struct boot_record *rec = find_record(g, name);

	if (!rec || boot_guard_record_skipped(g, rec))
		return;
	drop(g, rec);
	save(g);
}

bool boot_guard_clear(struct boot_guard *g, const char *name, bool loaded)
{
	struct boot_record *rec = find_record(g, name);

	if (!rec || !boot_guard_record_skipped(g, rec))
		return false;
	drop(g, rec);
	save(g);
	if (loaded)
		log_patch(LOG_NOTICE, name, "load", KLPD_MID_ACTION,
			  "Module '%s' was loaded by hand: no longer skipped at boot", name);
	else
		log_patch(LOG_NOTICE, name, "clear-skip", KLPD_MID_ACTION,
			  "Module '%s' is no longer skipped at boot (cleared by hand, not loaded)",
			  name);
	return true;
}

void boot_guard_settle(struct boot_guard *g, struct state *state)
{
	const struct transition *t = &state->transition;

	for (size_t i = 0; i < g->n_records;) {
		struct boot_record *rec = &g->records[i];

		if (boot_guard_record_skipped(g, rec) || !state_find(state, rec->name) ||
		    (t->active && streq(t->patch, rec->name))) {
			i++;
			continue;
		}
		log_debug("Boot-time load of '%s' finished", rec->name);
		drop(g, rec);
		save(g);
	}
}

void boot_guard_read(struct boot_guard *g, const char *root, struct state *state)
{
	const struct transition *t = &state->transition;
	size_t before;
	int r;

	r = boot_read_id(root, g->boot_id);
	if (r < 0) {
		g->boot_id[0] = '\0';
		log_warning_errno(r, "Cannot read %s/proc/sys/kernel/random/boot_id; boot-time "
				     "loads are not guarded against crash loops",
				  root);
	}
	r = boot_records_load(statedir_path(), &g->records, &g->n_records);
	if (r < 0) {
		log_warning_errno(r, "Ignoring %s/%s: no module is skipped at boot",
				  statedir_path(), BOOT_LOADS_FILE);
		return;
	}
	before = g->n_records;
	for (size_t i = 0; i < g->n_records;) {
		const struct boot_record *rec = &g->records[i];

		if (boot_guard_record_skipped(g, rec) ||
		    (t->active && streq(t->patch, rec->name) && state_find(state, rec->name)))
			i++;
		else
			drop(g, &g->records[i]);
	}
	if (g->n_records != before)
		save(g);
}
