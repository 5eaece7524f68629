/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

/* ForceWindow=: when forcing a stalled transition is allowed, as weekdays
 * and times of day in local time. Pure: the only outside input is the
 * process's time zone, through localtime_r(). */

#define FORCE_WINDOWS_MAX 32

/* How far force_windows_check() looks ahead: a week, and a day more for a
 * window that a daylight-saving gap swallows once. */
#define FORCE_WINDOW_SEARCH_USEC (8 * 24 * 3600 * USEC_PER_SEC)

/* No padding: a config's settings are compared with memcmp(). */
struct force_window {
	uint16_t days;  /* bit N: weekday N as in tm_wday (0 is Sunday) */
	uint16_t start; /* minutes after local midnight, 0..1439 */
	uint16_t end;   /* 1..1440; at or before START: on the next day */
};

struct force_windows {
	size_t n; /* 0: forcing is allowed at any time */
	struct force_window w[FORCE_WINDOWS_MAX];
};

/* One ForceWindow= value: "[DAYS] HH:MM-HH:MM". DAYS is a list of weekdays
 * (Mon or Monday, any case) and ranges of them (Mon..Fri; Fri..Mon wraps
 * over the weekend) separated by ','; without it, every day. A window that
 * ends at or before its start ends on the next day, and belongs to the day
 * it starts on; 24:00 may end one. -EINVAL with a message in ERROR (SIZE
 * bytes) that says what is wrong. */
int force_window_parse(const char *s, struct force_window *ret, char *error, size_t size);

/* W as force_window_parse() reads it back; returns BUF. */
#define FORCE_WINDOW_STRING_MAX 64
char *force_window_format(const struct force_window *w, char *buf, size_t size);

/* Whether the CLOCK_REALTIME instant NOW (usec) lies in one of W's windows
 * (always, when W has none). If not, *NEXT is the first instant after NOW
 * that does, USEC_INFINITY when none does within FORCE_WINDOW_SEARCH_USEC.
 * A time of day counts by the local clock: in a daylight-saving gap a
 * window opens at the first instant after it (one wholly in the gap does
 * not open that day), and in a repeated hour it opens for both. */
bool force_windows_check(const struct force_windows *w, uint64_t now, uint64_t *next);
