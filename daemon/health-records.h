/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot-load.h"
#include "kernel-incident.h"
#include "names.h"

/* What the health window found out about each livepatch module, kept in the
 * state directory (the file "health") because the kernel cannot tell it:
 *   NAME watching USEC BOOT_ID   applied at USEC in that boot, window open
 *   NAME accepted USEC           its window passed without an incident
 *   NAME faulty USEC KIND        an incident of KIND was blamed on it
 * USEC is CLOCK_REALTIME. A faulty module is skipped at boot until an
 * operator clears the mark; LoadAtBoot=accepted loads only accepted ones. */

#define HEALTH_FILE "health"
#define HEALTH_FILE_MAX (256 * 1024)

enum patch_health {
	PATCH_HEALTH_NONE, /* nothing known: never watched by klpd */
	PATCH_HEALTH_WATCHING,
	PATCH_HEALTH_ACCEPTED,
	PATCH_HEALTH_FAULTY,
	_PATCH_HEALTH_MAX,
};

const char *patch_health_to_string(enum patch_health h);

struct health_record {
	char name[KLP_MODULE_NAME_MAX]; /* first: records_parse() */
	enum patch_health health;       /* never NONE */
	uint64_t since;                 /* CLOCK_REALTIME usec */
	char boot_id[BOOT_ID_LEN + 1];  /* WATCHING: the boot it was applied in */
	enum kernel_incident_kind kind; /* FAULTY: what was blamed on it */
};

/* The records in memory, as last written. */
struct health_book {
	struct health_record *records;
	size_t n;
};

void health_book_done(struct health_book *b);

/* -EBADMSG when anything is off (an unknown status, a bad number, a
 * duplicate name): the file is then worth nothing. */
int health_records_parse(const char *buf, size_t len, struct health_record **ret, size_t *ret_n);
int health_records_format(const struct health_record *l, size_t n, char **ret);

/* DIR/health: 0 and nothing when it does not exist. */
int health_book_load(struct health_book *b, const char *dir);
int health_book_save(const struct health_book *b, const char *dir);

const struct health_record *health_book_find(const struct health_book *b, const char *name);
enum patch_health health_book_get(const struct health_book *b, const char *name);
/* Replace NAME's record with REC (REC->name is NAME). -ENOMEM. */
int health_book_set(struct health_book *b, const struct health_record *rec);
/* Forget NAME's record; false when there was none. */
bool health_book_drop(struct health_book *b, const char *name);
