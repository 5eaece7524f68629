/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>

#include <cmocka.h>

#include "duration.h"
#include "macro.h"

#define SEC USEC_PER_SEC
#define MSEC USEC_PER_MSEC
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define WEEK (7 * DAY)
#define YEAR (31557600 * SEC) /* 365.25 days */
#define MONTH (YEAR / 12)     /* 30.44 days */

static void test_duration_parse(void **state)
{
	static const struct {
		const char *s;
		int r;
		uint64_t usec;
	} cases[] = {
		{ "90s", 0, 90 * SEC },
		{ "90", 0, 90 * SEC },
		{ "0", 0, 0 },
		{ "  30  ", 0, 30 * SEC },
		{ "5min", 0, 5 * MIN },
		{ "5m", 0, 5 * MIN },
		{ "5 min", 0, 5 * MIN },
		{ "1h 30min", 0, HOUR + 30 * MIN },
		{ "1h30min", 0, HOUR + 30 * MIN },
		{ "500ms", 0, 500 * MSEC },
		{ "500msec", 0, 500 * MSEC },
		{ "250us", 0, 250 },
		{ "1.5h", 0, HOUR + 30 * MIN },
		{ "0.5s", 0, 500 * MSEC },
		{ ".25s", 0, 250 * MSEC },
		{ "2d", 0, 2 * DAY },
		{ "1w", 0, 7 * DAY },
		{ "3 hours 2 minutes 1 second", 0, 3 * HOUR + 2 * MIN + SEC },
		{ "infinity", 0, USEC_INFINITY },
		/* the fraction times a long unit needs more than 64 bits */
		{ "0.999999999999w", 0, 7 * DAY - 1 },
		{ "0.999999999999min", 0, MIN - 1 },
		{ "1.5w", 0, 7 * DAY + 7 * DAY / 2 },
		/* what systemd-analyze timespan takes too */
		{ "1y", 0, YEAR },
		{ "1year", 0, YEAR },
		{ "2years", 0, 2 * YEAR },
		{ "1M", 0, MONTH },
		{ "1month", 0, MONTH },
		{ "2months", 0, 2 * MONTH },
		{ "2 months", 0, 2 * MONTH },
		{ "12M", 0, YEAR },
		{ "0.5y", 0, YEAR / 2 },
		{ "10\xce\xbcs", 0, 10 },  /* U+03BC GREEK SMALL LETTER MU */
		{ "10\xc2\xb5s", 0, 10 },  /* U+00B5 MICRO SIGN */
		{ "10usec", 0, 10 },
		{ "3sec", 0, 3 * SEC },
		{ "2seconds", 0, 2 * SEC },
		{ "1minute", 0, MIN },
		{ "1hr", 0, HOUR },
		{ "1hour 1day", 0, HOUR + DAY },
		{ "2weeks", 0, 2 * WEEK },
		{ "1y 1M 1w 1d 1h 1min 1s 1ms 1us", 0,
		  YEAR + MONTH + WEEK + DAY + HOUR + MIN + SEC + MSEC + 1 },
		{ "1y1M1w1d1h1m1s1ms1us", 0, YEAR + MONTH + WEEK + DAY + HOUR + MIN + SEC + MSEC + 1 },
		{ "1h 30", 0, HOUR + 30 * SEC }, /* a part without a unit counts seconds */
		{ "5 6", 0, 11 * SEC },
		{ "1h30", 0, HOUR + 30 * SEC },
		{ "1.5 .5", 0, 2 * SEC },
		{ "5min.5s", 0, 5 * MIN + 500 * MSEC },
		{ "\t1h\n", 0, HOUR },
		{ " infinity ", 0, USEC_INFINITY },
		{ "1M", 0, MONTH },
		{ "1m", 0, MIN },
		{ "1ms", 0, MSEC },
		/* the largest sum below infinity, and one past it */
		{ "18446744073709551614us", 0, UINT64_MAX - 1 },
		{ "18446744073709551615us", -ERANGE, 0 },
		{ "584543y", -ERANGE, 0 },
		{ "584542y 1y", -ERANGE, 0 },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "1.000000000000000000001y", 0, YEAR },
		{ "", -EINVAL, 0 },
		{ "   ", -EINVAL, 0 },
		{ "-5s", -EINVAL, 0 },
		{ "5x", -EINVAL, 0 },
		{ "5mins", -EINVAL, 0 },
		{ "s", -EINVAL, 0 },
		{ ".s", -EINVAL, 0 },
		{ "5.", -EINVAL, 0 },
		{ "5.s", -EINVAL, 0 },
		{ "1.5.5", -EINVAL, 0 },
		{ "5 x", -EINVAL, 0 },
		{ "5Ms", -EINVAL, 0 },
		{ "1Y", -EINVAL, 0 },
		{ "1 yrs", -EINVAL, 0 },
		{ "10\xce\xbc", -EINVAL, 0 },
		{ "infinity 5s", -EINVAL, 0 },
		{ "5s infinity", -EINVAL, 0 },
		{ "10s junk", -EINVAL, 0 },
		{ "99999999999999999999", -ERANGE, 0 },
		{ "999999999999w", -ERANGE, 0 },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		uint64_t u = 12345;
		int r = duration_parse(cases[i].s, &u);

		if (r != cases[i].r)
			fail_msg("duration_parse(\"%s\") = %d, want %d", cases[i].s, r, cases[i].r);
		if (r == 0 && u != cases[i].usec)
			fail_msg("duration_parse(\"%s\") gave %" PRIu64 " us, want %" PRIu64,
				 cases[i].s, u, cases[i].usec);
		if (r < 0 && u != 12345)
			fail_msg("duration_parse(\"%s\") wrote its result on failure", cases[i].s);
	}
}

static void test_duration_format(void **state)
{
	static const struct {
		uint64_t usec;
		const char *full, *brief;
	} cases[] = {
		{ 0, "0", "0" },
		{ 90 * SEC, "1min 30s", "1min 30s" },
		{ HOUR + 30 * MIN, "1h 30min", "1h 30min" },
		{ 500 * MSEC, "500ms", "500ms" },
		{ 12 * SEC + 345 * MSEC, "12s 345ms", "12s" },
		{ 2 * DAY + 3 * HOUR + 1 * SEC, "2d 3h 1s", "2d 3h" },
		{ HOUR + 5 * SEC, "1h 5s", "1h" },
		{ 7, "7us", "7us" },
		{ 1500, "1ms 500us", "1ms" },
		{ USEC_INFINITY, "infinity", "infinity" },
	};
	char buf[DURATION_MAX];

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		assert_string_equal(duration_format(buf, sizeof(buf), cases[i].usec), cases[i].full);
		assert_string_equal(duration_format_short(buf, sizeof(buf), cases[i].usec),
				    cases[i].brief);
	}
}

static void test_duration_roundtrip(void **state)
{
	static const uint64_t values[] = { 1, 999, MSEC, SEC, 61 * SEC, 3 * HOUR + 7 * MSEC, 9 * DAY };
	char buf[DURATION_MAX];

	for (size_t i = 0; i < ELEMENTSOF(values); i++) {
		uint64_t u;

		assert_int_equal(duration_parse(duration_format(buf, sizeof(buf), values[i]), &u), 0);
		assert_int_equal(u, values[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_parse),
		cmocka_unit_test(test_duration_format),
		cmocka_unit_test(test_duration_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
