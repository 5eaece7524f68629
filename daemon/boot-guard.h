/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "boot-load.h"
#include "state.h"

/* The crash-loop guard (see boot-load.h for the idea and the file): its
 * records in memory, as last written to the state directory. This boot's
 * records are loads in flight, any other boot's are skipped modules. */
struct boot_guard {
	struct boot_record *records;
	size_t n_records;
	char boot_id[BOOT_ID_LEN + 1]; /* "" when unknown: no guard */
};

void boot_guard_done(struct boot_guard *g);

/* At start: read this boot's id under ROOT and the records. This boot's
 * records are loads klpd itself did not see to the end (it was restarted):
 * one whose module is still in its transition in STATE stays, the others
 * go. Any other boot's are loads the machine went down in. */
void boot_guard_read(struct boot_guard *g, const char *root, struct state *state);

/* Whether record R, or module NAME, is skipped at boot. */
bool boot_guard_record_skipped(const struct boot_guard *g, const struct boot_record *r);
bool boot_guard_skipped(const struct boot_guard *g, const char *name);
/* The record of NAME, or NULL. */
const struct boot_record *boot_guard_find(const struct boot_guard *g, const char *name);

/* Around a boot-time load: begin before the insert, end when it failed. */
void boot_guard_begin(struct boot_guard *g, const char *name);
void boot_guard_end(struct boot_guard *g, const char *name);
/* A boot-time load is over when its module is in STATE and no longer in
 * transition: a machine going down after that is not this load's doing. */
void boot_guard_settle(struct boot_guard *g, struct state *state);
/* NAME is no longer skipped at boot: a load by hand succeeded (LOADED), or
 * an operator cleared the record; logged. False when NAME was not skipped. */
bool boot_guard_clear(struct boot_guard *g, const char *name, bool loaded);
