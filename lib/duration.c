/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "duration.h"
#include "macro.h"

struct unit {
	const char *name;
	uint64_t usec;
};

#define USEC_PER_MINUTE (60 * USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MINUTE)
#define USEC_PER_DAY (24 * USEC_PER_HOUR)
/* As systemd.time(7) counts them: a year of 365.25 days, a month a twelfth
 * of that (30.44 days). */
#define USEC_PER_YEAR (31557600 * USEC_PER_SEC)
#define USEC_PER_MONTH (USEC_PER_YEAR / 12)

/* The longest name that matches is taken: "ms" is not "m" + "s". Names are
 * case-sensitive: "M" is a month, "m" a minute. */
static const struct unit units[] = {
	{ "us", 1 },
	{ "usec", 1 },
	{ "\xc2\xb5s", 1 }, /* U+00B5 MICRO SIGN */
	{ "\xce\xbcs", 1 }, /* U+03BC GREEK SMALL LETTER MU */
	{ "ms", USEC_PER_MSEC },
	{ "msec", USEC_PER_MSEC },
	{ "s", USEC_PER_SEC },
	{ "sec", USEC_PER_SEC },
	{ "second", USEC_PER_SEC },
	{ "seconds", USEC_PER_SEC },
	{ "m", USEC_PER_MINUTE },
	{ "min", USEC_PER_MINUTE },
	{ "minute", USEC_PER_MINUTE },
	{ "minutes", USEC_PER_MINUTE },
	{ "h", USEC_PER_HOUR },
	{ "hr", USEC_PER_HOUR },
	{ "hour", USEC_PER_HOUR },
	{ "hours", USEC_PER_HOUR },
	{ "d", USEC_PER_DAY },
	{ "day", USEC_PER_DAY },
	{ "days", USEC_PER_DAY },
	{ "w", 7 * USEC_PER_DAY },
	{ "week", 7 * USEC_PER_DAY },
	{ "weeks", 7 * USEC_PER_DAY },
	{ "M", USEC_PER_MONTH },
	{ "month", USEC_PER_MONTH },
	{ "months", USEC_PER_MONTH },
	{ "y", USEC_PER_YEAR },
	{ "year", USEC_PER_YEAR },
	{ "years", USEC_PER_YEAR },
};

static const struct unit *unit_match(const char *s, size_t *ret_len)
{
	const struct unit *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < ELEMENTSOF(units); i++) {
		size_t n = strlen(units[i].name);

		if (n > best_len && strncmp(s, units[i].name, n) == 0) {
			best = &units[i];
			best_len = n;
		}
	}
	/* The unit must end here: "5mins" is not "5min" + "s". */
	if (!best || isalpha((unsigned char)s[best_len]))
		return NULL;
	*ret_len = best_len;
	return best;
}

static const char *skip_blanks(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* Digits past these, in a fraction, are below a microsecond of a year. */
#define FRACTION_DIGITS_MAX 18

/* One part "W[.F][ ]UNIT" or "[W].F[ ]UNIT" at *S, without a unit in
 * seconds, into *RET; *S moves past it. */
static int parse_part(const char **s, unsigned __int128 *ret)
{
	unsigned __int128 whole = 0, frac = 0, div = 1;
	const char *p = *s, *after;
	const struct unit *u;
	size_t ulen = 0, n_whole = 0, n_frac = 0;
	uint64_t mult;

	for (; isdigit((unsigned char)*p); p++, n_whole++) {
		whole = whole * 10 + (unsigned)(*p - '0');
		if (whole > UINT64_MAX)
			return -ERANGE;
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++, n_frac++)
			if (n_frac < FRACTION_DIGITS_MAX) {
				frac = frac * 10 + (unsigned)(*p - '0');
				div *= 10;
			}
		/* "5." and "." are no numbers */
		if (n_frac == 0)
			return -EINVAL;
	} else if (n_whole == 0)
		return -EINVAL;

	after = skip_blanks(p);
	u = unit_match(after, &ulen);
	if (u) {
		mult = u->usec;
		p = after + ulen;
	} else {
		/* A number without a unit counts seconds. What follows it is
		 * the next part, set apart by blanks: "1.5.5" is an error. */
		if (*after && (after == p || (!isdigit((unsigned char)*after) && *after != '.')))
			return -EINVAL;
		mult = USEC_PER_SEC;
		p = after;
	}
	*ret = whole * mult + frac * mult / div;
	*s = p;
	return 0;
}

int duration_parse(const char *s, uint64_t *ret_usec)
{
	unsigned __int128 total = 0;
	bool any = false;

	if (!s)
		return -EINVAL;
	s = skip_blanks(s);
	if (strncmp(s, "infinity", 8) == 0 && !*skip_blanks(s + 8)) {
		*ret_usec = USEC_INFINITY;
		return 0;
	}

	for (;;) {
		unsigned __int128 part;
		int r;

		s = skip_blanks(s);
		if (!*s)
			break;
		r = parse_part(&s, &part);
		if (r < 0)
			return r;
		total += part;
		/* USEC_INFINITY itself is only ever "infinity" */
		if (total >= USEC_INFINITY)
			return -ERANGE;
		any = true;
	}

	if (!any)
		return -EINVAL;
	*ret_usec = (uint64_t)total;
	return 0;
}

static const struct unit format_units[] = {
	{ "d", 86400 * USEC_PER_SEC }, { "h", 3600 * USEC_PER_SEC }, { "min", 60 * USEC_PER_SEC },
	{ "s", USEC_PER_SEC },         { "ms", USEC_PER_MSEC },      { "us", 1 },
};

static char *format_units_upto(char *buf, size_t size, uint64_t usec, unsigned max_parts)
{
	size_t off = 0;
	unsigned parts = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (usec == USEC_INFINITY) {
		snprintf(buf, size, "infinity");
		return buf;
	}
	if (usec == 0) {
		snprintf(buf, size, "0");
		return buf;
	}

	for (size_t i = 0; i < ELEMENTSOF(format_units) && usec > 0 && parts < max_parts; i++) {
		uint64_t n = usec / format_units[i].usec;
		int r;

		if (n == 0) {
			if (parts > 0)
				break; /* keep the short form to adjacent units */
			continue;
		}
		usec -= n * format_units[i].usec;
		r = snprintf(buf + off, size - off, "%s%" PRIu64 "%s", parts ? " " : "", n,
			     format_units[i].name);
		if (r < 0 || (size_t)r >= size - off)
			break;
		off += (size_t)r;
		parts++;
	}
	return buf;
}

char *duration_format(char *buf, size_t size, uint64_t usec)
{
	size_t off = 0;
	bool first = true;

	if (size == 0)
		return buf;
	if (usec == 0 || usec == USEC_INFINITY)
		return format_units_upto(buf, size, usec, 1);

	buf[0] = '\0';
	for (size_t i = 0; i < ELEMENTSOF(format_units) && usec > 0; i++) {
		uint64_t n = usec / format_units[i].usec;
		int r;

		if (n == 0)
			continue;
		usec -= n * format_units[i].usec;
		r = snprintf(buf + off, size - off, "%s%" PRIu64 "%s", first ? "" : " ", n,
			     format_units[i].name);
		if (r < 0 || (size_t)r >= size - off)
			break;
		off += (size_t)r;
		first = false;
	}
	return buf;
}

char *duration_format_short(char *buf, size_t size, uint64_t usec)
{
	/* Below a second the milliseconds matter; above, they are noise. */
	if (usec == USEC_INFINITY)
		;
	else if (usec >= USEC_PER_SEC)
		usec -= usec % USEC_PER_SEC;
	else if (usec >= USEC_PER_MSEC)
		usec -= usec % USEC_PER_MSEC;
	return format_units_upto(buf, size, usec, 2);
}
