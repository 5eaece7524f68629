/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "names.h"

/* The record files of klpd's state directory: "# comment" lines, empty
 * lines, else one record a line, "NAME REST", NAME a module name in its
 * normal form (as module_name_normalize() writes it), REST the line after
 * the first blank. */

/* Fills the record ITEM from NAME (normal form) and REST (not
 * NUL-terminated, REST_LEN bytes); ITEM's name is already NAME. A malformed
 * REST is -EBADMSG; another negative return stops the parse too. */
typedef int (*record_fn)(const char *name, const char *rest, size_t rest_len, void *item);

enum {
	RECORDS_UNIQUE = 1 << 0, /* a name twice is -EBADMSG */
};

/* Parse BUF into a malloc'ed array *RET of *RET_N records of SIZE bytes
 * each, whose first member is char name[KLP_MODULE_NAME_MAX]. 0, or
 * -EBADMSG when BUF is longer than MAX, holds a NUL byte or a line without a
 * valid NAME, or what FN returned. On failure nothing is returned: DONE
 * (may be NULL) is called on each record parsed so far. */
int records_parse(const char *buf, size_t len, size_t max, size_t size, unsigned flags,
		  record_fn fn, void (*done)(void *item), void **ret, size_t *ret_n);
