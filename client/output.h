/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "bus-objects.h"

/* What klpctl prints on stdout: JSON, and the table of patches. */

void json_string(const char *s);
/* {"patch":NAME,"path":PATH}: what load, install and uninstall print. */
void json_patch_path(const char *name, const char *path);
/* A JSON array of the space-separated WORDS. */
void json_words(const char *words);
void print_patch_json(const struct patch_info *p);

/* How long ago LOADED_AT (CLOCK_REALTIME usec) was; "-" for 0. */
char *format_age(char *buf, size_t size, uint64_t loaded_at);
/* NAME STATE ENABLED REFCOUNT AGE SOURCE, one patch a line. */
void print_table(const struct patch_info *l, size_t n);
