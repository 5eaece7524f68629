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
		{ "", -EINVAL, 0 },
		{ "   ", -EINVAL, 0 },
		{ "-5s", -EINVAL, 0 },
		{ "5x", -EINVAL, 0 },
		{ "5mins", -EINVAL, 0 },
		{ "s", -EINVAL, 0 },
		{ "1h 30", -EINVAL, 0 },
		{ "5 6", -EINVAL, 0 },
		{ ".s", -EINVAL, 0 },
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
