/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Durations in systemd's forms: "90s", "5min", "1h 30min", "500ms", "1.5h",
 * "infinity"; a bare number means seconds. Result in microseconds.
 * -EINVAL for anything else (empty, negative, unknown unit, junk),
 * -ERANGE on overflow. */
int duration_parse(const char *s, uint64_t *ret_usec);

/* Format like systemd does ("1h 30min", "500ms", "0", "infinity"), exact to
 * the microsecond. Returns BUF. 64 bytes always suffice. */
#define DURATION_MAX 64
char *duration_format(char *buf, size_t size, uint64_t usec);

/* Shortest human form for tables and status lines, rounded down to the
 * largest two units ("12s", "3min 20s", "2h 5min"). */
char *duration_format_short(char *buf, size_t size, uint64_t usec);
