/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bus-objects.h"
#include "klpctl.h"

/* What klpctl prints on stdout: JSON documents, and the table of patches. */

/* --- JSON, one document a line, written as it goes */

/* S, UTF-8, as an RFC 8259 string: in quotes, with '"' and '\' escaped by
 * a backslash and the control characters U+0000..U+001F as \u00XX. */
void json_quote(FILE *f, const char *s);

/* The writer puts the commas and quotes the keys. A KEY is NULL for an
 * element of an array (or the document itself). Strings are text klpctl
 * did not write itself: escaped first as text_copy() does, then quoted, so
 * that what a user reads is the same in JSON and at a terminal. */
struct json {
	FILE *f;
	bool pretty; /* --json=pretty: indented, a member a line */
	unsigned depth;
	bool more[8]; /* at each depth: a member is written, the next takes a comma */
};
#define JSON_INIT(file) { .f = (file), .pretty = arg_json == JSON_PRETTY }

void json_open_object(struct json *j, const char *key);
void json_close_object(struct json *j);
void json_open_array(struct json *j, const char *key);
void json_close_array(struct json *j);
void json_string(struct json *j, const char *key, const char *s);
void json_bool(struct json *j, const char *key, bool b);
void json_uint(struct json *j, const char *key, uint64_t u);
void json_int(struct json *j, const char *key, int64_t i);
/* An array of the strings of L (NULL: none). */
void json_strv(struct json *j, const char *key, char **l);
void json_null(struct json *j, const char *key);
/* A point in time, USEC since the epoch (CLOCK_REALTIME): null for 0, the
 * value klpd gives for "not known" or "none". */
void json_time(struct json *j, const char *key, uint64_t usec);
/* An array of {"pid","comm","stack"}. */
void json_blockers(struct json *j, const char *key, const struct blocker *l, size_t n);
/* The newline that ends the document. */
void json_end(struct json *j);

/* {"patch":NAME,"path":PATH}: what load, install and uninstall print. */
void json_patch_path(const char *name, const char *path);
/* One patch, as status, list and show print it. */
void json_patch(struct json *j, const struct patch_info *p);
/* An array of the N patches at L. */
void json_patches(struct json *j, const char *key, const struct patch_info *l, size_t n);

/* --- text */

/* How long ago LOADED_AT (CLOCK_REALTIME usec) was; "unknown" for 0. */
char *format_age(char *buf, size_t size, uint64_t loaded_at);
/* NAME STATE ENABLED REFCOUNT AGE SOURCE, one patch a line; the header
 * unless --no-legend. */
void print_table(const struct patch_info *l, size_t n);
