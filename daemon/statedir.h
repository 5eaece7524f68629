/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "names.h"

/* klpd's state directory keeps only what the kernel cannot tell. Here: when
 * each leftover livepatch module (patch disabled or replaced, module still
 * loaded) became one, so that UnloadDelay survives a restart of klpd. */

#define KLPD_STATE_DIR LOCALSTATEDIR "/lib/klpd"
#define LEFTOVERS_FILE "leftovers"
#define LEFTOVERS_FILE_MAX (64 * 1024)

struct leftover_record {
	char name[KLP_MODULE_NAME_MAX];
	uint64_t since; /* CLOCK_REALTIME usec */
};

/* $STATE_DIRECTORY (its first entry) or KLPD_STATE_DIR. */
const char *statedir_path(void);

/* Read DIR/FILE whole (NUL-terminated) into *RET: 1, or 0 and NULL when it
 * does not exist; -EBADMSG when it is longer than MAX. */
int statedir_read(const char *dir, const char *file, size_t max, char **ret, size_t *ret_len);

/* Replace DIR/FILE with TEXT atomically: a temporary file in DIR, fsync,
 * rename, fsync of the directory. Mode 0644. */
int statedir_write(const char *dir, const char *file, const char *text);

/* Remove DIR/FILE; one that is not there is no error. */
int statedir_remove(const char *dir, const char *file);

/* Parse the file's text: "# comment" lines, else "NAME USEC" lines.
 * -EBADMSG when anything is off (a bad name, a number with junk, a
 * duplicate, a NUL byte): the file is then worth nothing. */
int leftovers_parse(const char *buf, size_t len, struct leftover_record **ret, size_t *ret_n);

/* Read DIR/leftovers: 0 and an empty list when it does not exist. */
int leftovers_load(const char *dir, struct leftover_record **ret, size_t *ret_n);

/* Replace DIR/leftovers atomically: a temporary file, fsync, rename, fsync
 * of the directory. */
int leftovers_save(const char *dir, const struct leftover_record *l, size_t n);
