/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Durations as systemd-analyze timespan takes them: "90s", "5min", "1h 30min",
 * "1h30min", "500ms", "10μs", "1.5h", "2months", "1y", "infinity"; a number
 * without a unit counts seconds ("1h 30" is 1h 30s). Units: us usec µs μs,
 * ms msec, s sec second(s), m min minute(s), h hr hour(s), d day(s),
 * w week(s), M month(s) (30.44 days), y year(s) (365.25 days). Result in
 * microseconds, fractions cut to the microsecond. -EINVAL for anything else
 * (empty, negative, unknown unit, junk), -ERANGE when the sum does not fit
 * below USEC_INFINITY. */
int duration_parse(const char *s, uint64_t *ret_usec);

/* Format like systemd does ("1h 30min", "500ms", "0", "infinity"), exact to
 * the microsecond. Returns BUF. 64 bytes always suffice. */
#define DURATION_MAX 64
char *duration_format(char *buf, size_t size, uint64_t usec);

/* Shortest human form for tables and status lines, rounded down to the
 * largest two units ("12s", "3min 20s", "2h 5min"). */
char *duration_format_short(char *buf, size_t size, uint64_t usec);
