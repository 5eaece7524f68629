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

/* Longest names first where one is a prefix of another ("ms" before "m"). */
static const struct unit units[] = {
	{ "usec", 1 },
	{ "us", 1 },
	{ "µs", 1 },
	{ "msec", USEC_PER_MSEC },
	{ "ms", USEC_PER_MSEC },
	{ "seconds", USEC_PER_SEC },
	{ "second", USEC_PER_SEC },
	{ "sec", USEC_PER_SEC },
	{ "s", USEC_PER_SEC },
	{ "minutes", 60 * USEC_PER_SEC },
	{ "minute", 60 * USEC_PER_SEC },
	{ "min", 60 * USEC_PER_SEC },
	{ "m", 60 * USEC_PER_SEC },
	{ "hours", 3600 * USEC_PER_SEC },
	{ "hour", 3600 * USEC_PER_SEC },
	{ "hr", 3600 * USEC_PER_SEC },
	{ "h", 3600 * USEC_PER_SEC },
	{ "days", 86400 * USEC_PER_SEC },
	{ "day", 86400 * USEC_PER_SEC },
	{ "d", 86400 * USEC_PER_SEC },
	{ "weeks", 7 * 86400 * USEC_PER_SEC },
	{ "week", 7 * 86400 * USEC_PER_SEC },
	{ "w", 7 * 86400 * USEC_PER_SEC },
};

static const struct unit *unit_match(const char *s, size_t *ret_len)
{
	for (size_t i = 0; i < ELEMENTSOF(units); i++) {
		size_t n = strlen(units[i].name);

		if (strncmp(s, units[i].name, n) != 0)
			continue;
		/* The unit must end here: "5mins" is not "5min" + "s". */
		if (isalpha((unsigned char)s[n]))
			continue;
		*ret_len = n;
		return &units[i];
	}
	return NULL;
}

static int add_overflow(uint64_t a, uint64_t b, uint64_t *r)
{
	if (a > UINT64_MAX - 1 - b) /* UINT64_MAX itself means infinity */
		return -ERANGE;
	*r = a + b;
	return 0;
}

int duration_parse(const char *s, uint64_t *ret_usec)
{
	uint64_t total = 0;
	bool any = false;

	if (!s)
		return -EINVAL;
	while (isspace((unsigned char)*s))
		s++;
	if (streq(s, "infinity")) {
		*ret_usec = USEC_INFINITY;
		return 0;
	}

	for (;;) {
		uint64_t whole = 0, frac = 0, frac_div = 1, mult, part;
		const struct unit *u;
		size_t ulen = 0;
		bool digits = false;

		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		if (!isdigit((unsigned char)*s) && *s != '.')
			return -EINVAL;

		for (; isdigit((unsigned char)*s); s++) {
			if (whole > (UINT64_MAX - 9) / 10)
				return -ERANGE;
			whole = whole * 10 + (uint64_t)(*s - '0');
			digits = true;
		}
		if (*s == '.') {
			s++;
			for (; isdigit((unsigned char)*s); s++) {
				/* Digits past microsecond precision of a week are noise. */
				if (frac_div < 1000000000000ULL) {
					frac = frac * 10 + (uint64_t)(*s - '0');
					frac_div *= 10;
				}
				digits = true;
			}
		}
		if (!digits)
			return -EINVAL;

		while (isspace((unsigned char)*s))
			s++;
		if (!*s || isdigit((unsigned char)*s)) {
			/* Only a lone bare number means seconds: "1h 30" is ambiguous. */
			if (any || (*s && isdigit((unsigned char)*s)))
				return -EINVAL;
			mult = USEC_PER_SEC;
		} else {
			u = unit_match(s, &ulen);
			if (!u)
				return -EINVAL;
			mult = u->usec;
			s += ulen;
		}

		if (whole > (UINT64_MAX - 1) / mult)
			return -ERANGE;
		part = whole * mult;
		/* frac < frac_div <= 10^12 and mult <= 1 week in us: the
		 * product needs more than 64 bits. */
		if (add_overflow(part,
				 (uint64_t)((unsigned __int128)frac * mult / frac_div), &part) < 0)
			return -ERANGE;
		if (add_overflow(total, part, &total) < 0)
			return -ERANGE;
		any = true;
	}

	if (!any)
		return -EINVAL;
	*ret_usec = total;
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
