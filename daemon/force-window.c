/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "force-window.h"

#define MINUTES_PER_DAY 1440
#define ALL_DAYS 0x7f
#define USEC_PER_DAY (24 * 3600 * USEC_PER_SEC)

/* The offset from UTC changes rarely; it is probed this often to find
 * where (no time zone changes it twice within an hour). */
#define OFFSET_PROBE_SEC 3600

/* In tm_wday order. */
static const char *const day_names[7] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const day_long_names[7] = { "Sunday",   "Monday", "Tuesday", "Wednesday",
					       "Thursday", "Friday", "Saturday" };

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* The weekday named at S (tm_wday), -1 for none; *END after the word. */
static int parse_day(const char *s, const char **end)
{
	size_t n = 0;

	while (isalpha((unsigned char)s[n]))
		n++;
	*end = s + n;
	for (int d = 0; d < 7; d++)
		if ((n == 3 && strncasecmp(s, day_names[d], 3) == 0) ||
		    (n == strlen(day_long_names[d]) && strncasecmp(s, day_long_names[d], n) == 0))
			return d;
	return -1;
}

/* "H:MM" or "HH:MM" at S, in minutes, at most MAX: -EINVAL when it is no
 * time, -ERANGE when it is above MAX or its minutes above 59. */
static int parse_time(const char *s, const char **end, unsigned max)
{
	unsigned h = 0, m;
	size_t n = 0;

	while (n < 2 && isdigit((unsigned char)s[n]))
		h = h * 10 + (unsigned)(s[n++] - '0');
	if (n == 0 || s[n] != ':' || !isdigit((unsigned char)s[n + 1]) ||
	    !isdigit((unsigned char)s[n + 2]) || isdigit((unsigned char)s[n + 3]))
		return -EINVAL;
	m = (unsigned)(s[n + 1] - '0') * 10 + (unsigned)(s[n + 2] - '0');
	*end = s + n + 3;
	if (m > 59 || h * 60 + m > max)
		return -ERANGE;
	return (int)(h * 60 + m);
}

/* The weekday list at *S, up to the first blank or the end. */
static int parse_days(const char **s, uint16_t *ret, char *error, size_t size)
{
	const char *c = *s;
	uint16_t days = 0;

	for (;;) {
		const char *e;
		int from = parse_day(c, &e), to;

		if (from < 0) {
			snprintf(error, size,
				 e == c ? "expected a weekday at '%.*s'"
					: "'%.*s' is not a weekday: expected Mon, Tue, Wed, Thu, Fri, "
					  "Sat or Sun",
				 e == c ? (int)strlen(c) : (int)(e - c), c);
			return -EINVAL;
		}
		to = from;
		if (strncmp(e, "..", 2) == 0) {
			const char *r = e + 2;

			to = parse_day(r, &e);
			if (to < 0) {
				snprintf(error, size,
					 "weekday range '%.*s' must end in a weekday (as in Mon..Fri)",
					 (int)(e - c), c);
				return -EINVAL;
			}
		}
		/* Monday first, so that Fri..Mon is the weekend */
		for (int i = (from + 6) % 7;; i = (i + 1) % 7) {
			days |= (uint16_t)(1u << ((i + 1) % 7));
			if (i == (to + 6) % 7)
				break;
		}
		if (*e != ',') {
			*s = e;
			break;
		}
		c = skip_blanks(e + 1);
	}
	*ret = days;
	return 0;
}

/* The start or the END of the time range at C, in minutes. */
static int parse_bound(const char *c, const char **e, bool end, char *error, size_t size)
{
	int r = parse_time(c, e, end ? MINUTES_PER_DAY : MINUTES_PER_DAY - 1);

	if (r == -ERANGE)
		snprintf(error, size, "%s '%.*s' must be a time of day from 00:00 to %s",
			 end ? "end" : "start", (int)(*e - c), c, end ? "24:00" : "23:59");
	else if (r < 0)
		snprintf(error, size,
			 end ? "expected the end of the time range (HH:MM) at '%s'"
			     : "expected a time range HH:MM-HH:MM at '%s'",
			 c);
	return r < 0 ? -EINVAL : r;
}

int force_window_parse(const char *s, struct force_window *ret, char *error, size_t size)
{
	struct force_window w = { .days = ALL_DAYS };
	const char *c = skip_blanks(s), *e;
	int start, end, r;

	if (isalpha((unsigned char)*c)) {
		r = parse_days(&c, &w.days, error, size);
		if (r < 0)
			return r;
		if (!*c) {
			snprintf(error, size, "expected a time range HH:MM-HH:MM after the weekdays");
			return -EINVAL;
		}
		if (*c != ' ' && *c != '\t') {
			snprintf(error, size, "expected ',', '..' or a blank after the weekdays at '%s'",
				 c);
			return -EINVAL;
		}
		c = skip_blanks(c);
	}

	start = parse_bound(c, &e, false, error, size);
	if (start < 0)
		return start;
	c = skip_blanks(e);
	if (*c != '-') {
		snprintf(error, size, "expected '-' and the end of the time range at '%s'", c);
		return -EINVAL;
	}
	end = parse_bound(skip_blanks(c + 1), &e, true, error, size);
	if (end < 0)
		return end;
	c = skip_blanks(e);
	if (*c) {
		snprintf(error, size, "unexpected '%s' after the time range", c);
		return -EINVAL;
	}
	w.start = (uint16_t)start;
	w.end = (uint16_t)end;
	*ret = w;
	return 0;
}

char *force_window_format(const struct force_window *w, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	if ((w->days & ALL_DAYS) != ALL_DAYS) {
		/* Monday first; runs of three days or more as ranges */
		for (int i = 0; i < 7;) {
			int j = i;

			if (!(w->days & (1u << ((i + 1) % 7)))) {
				i++;
				continue;
			}
			while (j + 1 < 7 && (w->days & (1u << ((j + 2) % 7))))
				j++;
			if (j - i >= 2)
				n += (size_t)snprintf(buf + n, size - n, "%s%s..%s", n ? "," : "",
						      day_names[(i + 1) % 7], day_names[(j + 1) % 7]);
			else
				for (int k = i; k <= j; k++)
					n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "",
							      day_names[(k + 1) % 7]);
			i = j + 1;
			if (n >= size)
				return buf;
		}
		n += (size_t)snprintf(buf + n, size - n, " ");
		if (n >= size)
			return buf;
	}
	snprintf(buf + n, size - n, "%02u:%02u-%02u:%02u", w->start / 60u, w->start % 60u,
		 w->end / 60u, w->end % 60u);
	return buf;
}

/* Seconds east of UTC at T in the process's time zone. */
static long utc_offset(time_t t)
{
	struct tm tm;

	return localtime_r(&t, &tm) ? tm.tm_gmtoff : 0;
}

/* The end of the stretch from T (usec) on in which the offset stays OFF:
 * the first second with another one, or HORIZON. */
static int64_t offset_end(int64_t t, int64_t horizon, long off)
{
	time_t lo = (time_t)(t / (int64_t)USEC_PER_SEC), hi;

	for (;;) {
		hi = lo + OFFSET_PROBE_SEC;
		if ((int64_t)hi * (int64_t)USEC_PER_SEC >= horizon) {
			hi = (time_t)(horizon / (int64_t)USEC_PER_SEC);
			if (hi <= lo || utc_offset(hi) == off)
				return horizon;
			break;
		}
		if (utc_offset(hi) != off)
			break;
		lo = hi;
	}
	/* the offset at LO is OFF, at HI another one */
	while (hi - lo > 1) {
		time_t mid = lo + (hi - lo) / 2;

		if (utc_offset(mid) == off)
			lo = mid;
		else
			hi = mid;
	}
	return (int64_t)hi * (int64_t)USEC_PER_SEC;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

/* The first instant in [A, B) in one of W's windows, with the local clock
 * OFF seconds ahead of UTC throughout; -1 for none. */
static int64_t first_in_stretch(const struct force_windows *w, int64_t a, int64_t b, long off)
{
	const int64_t day = (int64_t)USEC_PER_DAY, minute = 60 * (int64_t)USEC_PER_SEC;
	const int64_t shift = (int64_t)off * (int64_t)USEC_PER_SEC;
	int64_t first = -1;

	/* from the day before: a window that started then may still be open */
	for (int64_t d = floor_div(a + shift, day) - 1; d <= floor_div(b - 1 + shift, day); d++) {
		/* 1970-01-01 was a Thursday */
		int wday = (int)(((d % 7) + 7 + 4) % 7);

		for (size_t i = 0; i < w->n; i++) {
			const struct force_window *fw = &w->w[i];
			int64_t from, to;
			unsigned end = fw->end > fw->start ? fw->end : fw->end + MINUTES_PER_DAY;

			if (!(fw->days & (1u << wday)))
				continue;
			from = d * day + fw->start * minute - shift;
			to = d * day + end * minute - shift;
			if (from < a)
				from = a;
			if (to > b)
				to = b;
			if (from < to && (first < 0 || from < first))
				first = from;
		}
	}
	return first;
}

bool force_windows_check(const struct force_windows *w, uint64_t now, uint64_t *next)
{
	int64_t t = (int64_t)now, horizon = t + (int64_t)FORCE_WINDOW_SEARCH_USEC;

	*next = USEC_INFINITY;
	if (w->n == 0)
		return true;
	/* stretch by stretch of one offset from UTC, in which the local clock
	 * runs evenly */
	while (t < horizon) {
		long off = utc_offset((time_t)(t / (int64_t)USEC_PER_SEC));
		int64_t end = offset_end(t, horizon, off);
		int64_t first = first_in_stretch(w, t, end, off);

		if (first >= 0) {
			if (first == (int64_t)now)
				return true;
			*next = (uint64_t)first;
			return false;
		}
		t = end;
	}
	return false;
}
