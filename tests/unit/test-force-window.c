/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ForceWindow=: the values it takes, and when a window is open or opens
 * next, in UTC and across the daylight-saving changes of two zones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "force-window.h"
#include "macro.h"

static const struct parse_case {
	const char *value;
	const char *want; /* as formatted, or NULL for an error */
	const char *error; /* a part of the message */
} parse_cases[] = {
	{ "Mon..Fri 02:00-04:00", "Mon..Fri 02:00-04:00", NULL },
	{ "Sat,Sun 00:00-06:00", "Sat,Sun 00:00-06:00", NULL },
	{ "02:00-04:00", "02:00-04:00", NULL },
	{ "22:00-02:00", "22:00-02:00", NULL },
	{ "  mon 2:00-4:00  ", "Mon 02:00-04:00", NULL },
	{ "Friday..Monday 23:00-24:00", "Mon,Fri..Sun 23:00-24:00", NULL },
	{ "Mon..Sun 00:00-24:00", "00:00-24:00", NULL },
	{ "Sun..Sat 05:00-05:00", "05:00-05:00", NULL },
	{ "Mon, Wed,Fri 01:00 - 02:00", "Mon,Wed,Fri 01:00-02:00", NULL },
	{ "Mon..Wed,Thu,Sun 01:00-02:00", "Mon..Thu,Sun 01:00-02:00", NULL },
	{ "", NULL, "expected a time range HH:MM-HH:MM at ''" },
	{ "Mox 02:00-04:00", NULL, "'Mox' is not a weekday: expected Mon, Tue" },
	{ "Mon..Fri", NULL, "expected a time range HH:MM-HH:MM after the weekdays" },
	{ "Mon.. 02:00-03:00", NULL, "weekday range 'Mon..' must end in a weekday" },
	{ "Mon;Tue 01:00-02:00", NULL, "expected ',', '..' or a blank after the weekdays at ';Tue" },
	{ "Mon,,Tue 01:00-02:00", NULL, "expected a weekday at ',Tue 01:00-02:00'" },
	{ "24:00-02:00", NULL, "start '24:00' must be a time of day from 00:00 to 23:59" },
	{ "02:60-03:00", NULL, "start '02:60' must be" },
	{ "02:00-24:30", NULL, "end '24:30' must be a time of day from 00:00 to 24:00" },
	{ "02:00", NULL, "expected '-' and the end of the time range at ''" },
	{ "02:00-", NULL, "expected the end of the time range (HH:MM) at ''" },
	{ "02:00-03:000", NULL, "expected the end of the time range (HH:MM) at '03:000'" },
	{ "02:00-03:00 Mon", NULL, "unexpected 'Mon' after the time range" },
	{ "2:0-3:00", NULL, "expected a time range HH:MM-HH:MM at '2:0-3:00'" },
	{ "123:00-01:00", NULL, "expected a time range" },
};

static void test_parse(void **state)
{
	for (size_t i = 0; i < ELEMENTSOF(parse_cases); i++) {
		const struct parse_case *pc = &parse_cases[i];
		struct force_window w, again;
		char error[256] = "", text[FORCE_WINDOW_STRING_MAX];
		int r = force_window_parse(pc->value, &w, error, sizeof(error));

		if (!pc->want) {
			if (r != -EINVAL || !strstr(error, pc->error))
				fail_msg("'%s': r=%d error '%s', want '%s'", pc->value, r, error,
					 pc->error);
			continue;
		}
		if (r < 0)
			fail_msg("'%s': %s", pc->value, error);
		force_window_format(&w, text, sizeof(text));
		if (!streq(text, pc->want))
			fail_msg("'%s': formatted '%s', want '%s'", pc->value, text, pc->want);
		/* it reads back as the same window */
		assert_int_equal(force_window_parse(text, &again, error, sizeof(error)), 0);
		assert_memory_equal(&w, &again, sizeof(w));
	}
}

/* "YYYY-MM-DD HH:MM:SS" in UTC, as CLOCK_REALTIME usec. */
static uint64_t utc(const char *s)
{
	struct tm tm = {};
	const char *e = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);

	if (!e || *e)
		fail_msg("bad time '%s'", s);
	return (uint64_t)timegm(&tm) * USEC_PER_SEC;
}

static const struct check_case {
	const char *what;
	const char *tz;
	const char *windows[3];
	const char *now;  /* UTC */
	const char *next; /* UTC; NULL: inside a window now */
} check_cases[] = {
	/* 2026-12-07 is a Monday */
	{ "UTC: inside", "UTC", { "Mon..Fri 02:00-04:00" }, "2026-12-07 03:00:00", NULL },
	{ "UTC: the start is inside", "UTC", { "Mon..Fri 02:00-04:00" }, "2026-12-07 02:00:00",
	  NULL },
	{ "UTC: the end is not: the next day's", "UTC", { "Mon..Fri 02:00-04:00" },
	  "2026-12-07 04:00:00", "2026-12-08 02:00:00" },
	{ "UTC: Friday after the window: Monday's", "UTC", { "Mon..Fri 02:00-04:00" },
	  "2026-12-11 05:00:00", "2026-12-14 02:00:00" },
	{ "UTC: several windows: the weekend's first", "UTC",
	  { "Mon..Fri 02:00-04:00", "Sat,Sun 00:00-06:00" }, "2026-12-11 05:00:00",
	  "2026-12-12 00:00:00" },
	{ "UTC: several windows: inside the second", "UTC",
	  { "Mon..Fri 02:00-04:00", "Sat,Sun 00:00-06:00" }, "2026-12-13 05:59:59", NULL },
	{ "UTC: across midnight, after it", "UTC", { "Fri 22:00-02:00" }, "2026-12-12 01:59:59",
	  NULL },
	{ "UTC: across midnight, belongs to Friday only", "UTC", { "Fri 22:00-02:00" },
	  "2026-12-12 02:00:00", "2026-12-18 22:00:00" },
	{ "UTC: Sunday's window open on Monday", "UTC", { "Sun 23:00-01:00" },
	  "2026-12-07 00:30:00", NULL },
	{ "UTC: Sunday to Monday", "UTC", { "Mon 01:00-02:00" }, "2026-12-06 12:00:00",
	  "2026-12-07 01:00:00" },
	{ "UTC: Monday to Sunday, six days on", "UTC", { "Sun 03:00-04:00" },
	  "2026-12-07 12:00:00", "2026-12-13 03:00:00" },
	{ "UTC: a week on, same day", "UTC", { "Mon 01:00-02:00" }, "2026-12-07 02:00:00",
	  "2026-12-14 01:00:00" },
	{ "UTC: 24:00 ends the day", "UTC", { "Mon 22:00-24:00" }, "2026-12-07 23:59:59", NULL },
	{ "UTC: ... and not the next", "UTC", { "Mon 22:00-24:00" }, "2026-12-08 00:00:00",
	  "2026-12-14 22:00:00" },
	{ "UTC: start == end: a whole day", "UTC", { "Wed 06:00-06:00" }, "2026-12-10 05:59:59",
	  NULL },
	{ "UTC: every day", "UTC", { "09:00-10:00" }, "2026-12-12 11:00:00",
	  "2026-12-13 09:00:00" },

	/* Berlin: CET (+1), CEST (+2) from 2026-03-29 01:00 UTC to 2026-10-25 01:00 UTC */
	{ "Berlin: local time in winter", "Europe/Berlin", { "Mon..Fri 02:00-04:00" },
	  "2026-12-07 00:30:00", "2026-12-07 01:00:00" },
	{ "Berlin: local time in summer", "Europe/Berlin", { "Mon..Fri 02:00-04:00" },
	  "2026-07-06 02:30:00", "2026-07-07 00:00:00" },
	{ "Berlin: starting in the spring gap: at its end", "Europe/Berlin",
	  { "Sun 02:30-04:00" }, "2026-03-28 12:00:00", "2026-03-29 01:00:00" },
	{ "Berlin: the gap's end is inside", "Europe/Berlin", { "Sun 02:30-04:00" },
	  "2026-03-29 01:00:00", NULL },
	{ "Berlin: wholly in the gap: not that day", "Europe/Berlin", { "Sun 02:00-02:45" },
	  "2026-03-28 12:00:00", "2026-04-05 00:00:00" },
	{ "Berlin: repeated hour, first time", "Europe/Berlin", { "Sun 02:00-02:30" },
	  "2026-10-25 00:15:00", NULL },
	{ "Berlin: repeated hour: opens again", "Europe/Berlin", { "Sun 02:00-02:30" },
	  "2026-10-25 00:30:00", "2026-10-25 01:00:00" },
	{ "Berlin: repeated hour, second time", "Europe/Berlin", { "Sun 02:00-02:30" },
	  "2026-10-25 01:15:00", NULL },
	{ "Berlin: after both: next week", "Europe/Berlin", { "Sun 02:00-02:30" },
	  "2026-10-25 01:30:00", "2026-11-01 01:00:00" },
	{ "Berlin: across midnight and the autumn change", "Europe/Berlin",
	  { "Sat 23:00-03:00" }, "2026-10-25 01:59:59", NULL },
	{ "Berlin: ... closed at 03:00 CET", "Europe/Berlin", { "Sat 23:00-03:00" },
	  "2026-10-25 02:00:00", "2026-10-31 22:00:00" },

	/* New York: EST (-5), EDT (-4) from 2026-03-08 07:00 UTC to 2026-11-01 06:00 UTC */
	{ "New York: local time", "America/New_York", { "Mon..Fri 02:00-04:00" },
	  "2026-12-07 00:00:00", "2026-12-07 07:00:00" },
	{ "New York: starting in the spring gap: at its end", "America/New_York",
	  { "Sun 02:15-03:30" }, "2026-03-08 05:00:00", "2026-03-08 07:00:00" },
	{ "New York: daily, wholly in the gap: the next day", "America/New_York",
	  { "02:00-03:00" }, "2026-03-08 06:30:00", "2026-03-09 06:00:00" },
	{ "New York: repeated hour, first time", "America/New_York", { "Sun 01:00-01:30" },
	  "2026-11-01 05:10:00", NULL },
	{ "New York: repeated hour: opens again", "America/New_York", { "Sun 01:00-01:30" },
	  "2026-11-01 05:40:00", "2026-11-01 06:00:00" },
	{ "New York: the days are local too", "America/New_York", { "Sat 20:00-21:00" },
	  "2026-12-13 01:30:00", NULL },
};

static void test_check(void **state)
{
	char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;

	for (size_t i = 0; i < ELEMENTSOF(check_cases); i++) {
		const struct check_case *cc = &check_cases[i];
		struct force_windows w = {};
		char error[256];
		uint64_t next = 0, want = cc->next ? utc(cc->next) : USEC_INFINITY;
		bool inside;

		assert_int_equal(setenv("TZ", cc->tz, 1), 0);
		tzset();
		for (size_t j = 0; j < ELEMENTSOF(cc->windows) && cc->windows[j]; j++)
			if (force_window_parse(cc->windows[j], &w.w[w.n++], error, sizeof(error)) < 0)
				fail_msg("%s: %s", cc->what, error);
		inside = force_windows_check(&w, utc(cc->now), &next);
		if (inside != !cc->next || next != want)
			fail_msg("%s: inside %d next %llu, want inside %d next %llu (%s)", cc->what,
				 inside, (unsigned long long)next, !cc->next,
				 (unsigned long long)want, cc->next ? cc->next : "-");
	}

	/* no windows: any time; a microsecond before a start: that start */
	assert_int_equal(setenv("TZ", "UTC", 1), 0);
	tzset();
	{
		struct force_windows w = {};
		char error[256];
		uint64_t next = 0;

		assert_true(force_windows_check(&w, utc("2026-12-07 12:00:00"), &next));
		assert_int_equal(force_window_parse("Mon 13:00-14:00", &w.w[w.n++], error,
						    sizeof(error)),
				 0);
		assert_false(force_windows_check(&w, utc("2026-12-07 13:00:00") - 1, &next));
		assert_int_equal(next, utc("2026-12-07 13:00:00"));
	}

	if (old)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
