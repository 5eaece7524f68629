/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "health-records.h"
#include "health.h"
#include "macro.h"

/* health.c: whom an incident is blamed on; health-records.c: the file. */

#define MIN (60 * USEC_PER_SEC)

static struct kernel_incident incident_naming(const char *module)
{
	struct kernel_incident inc = { .kind = KERNEL_INCIDENT_WARNING };

	if (module) {
		snprintf(inc.modules[0], sizeof(inc.modules[0]), "%s", module);
		inc.n_modules = 1;
	}
	return inc;
}

struct blame_case {
	const char *what;
	const char *named;  /* the module the report names, or NULL */
	uint64_t at;        /* when it was reported */
	enum health_attribution b_attr; /* of "b", the newer patch */
	bool a, b;          /* blamed? */
};

static void test_blame_table(void **state)
{
	static const struct blame_case cases[] = {
		{ "the report names a's code", "klp_a", 15 * MIN, HEALTH_ATTRIBUTION_STACK, true, false },
		{ "names b's, written with '-'", "klp-b", 15 * MIN, HEALTH_ATTRIBUTION_STACK, false, true },
		{ "another module's, stack: nobody", "other", 15 * MIN, HEALTH_ATTRIBUTION_STACK, false, false },
		{ "no module, stack: nobody", NULL, 15 * MIN, HEALTH_ATTRIBUTION_STACK, false, false },
		{ "another module's, window: the newest", "other", 15 * MIN, HEALTH_ATTRIBUTION_WINDOW, false, true },
		{ "window and evidence on a: both", "klp_a", 15 * MIN, HEALTH_ATTRIBUTION_WINDOW, true, true },
		{ "a's window is over, b's goes on", "klp_a", 25 * MIN, HEALTH_ATTRIBUTION_STACK, false, false },
		{ "before b was applied: a is newest then", "other", 9 * MIN, HEALTH_ATTRIBUTION_WINDOW, false, false },
		{ "after both windows: nobody", "klp_b", 40 * MIN, HEALTH_ATTRIBUTION_WINDOW, false, false },
		{ "at b's very start", "klp_b", 10 * MIN, HEALTH_ATTRIBUTION_STACK, false, true },
		{ "at b's very end: closed", "klp_b", 30 * MIN, HEALTH_ATTRIBUTION_WINDOW, false, false },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		const struct blame_case *c = &cases[i];
		struct health_watch w[] = {
			{ "klp_a", 5 * MIN, 15 * MIN, HEALTH_ATTRIBUTION_STACK },
			{ "klp_b", 10 * MIN, 20 * MIN, c->b_attr },
		};
		struct kernel_incident inc = incident_naming(c->named);
		bool blamed[2];
		size_t n = health_blame(w, 2, &inc, c->at, blamed);

		print_message("# %s\n", c->what);
		assert_int_equal(blamed[0], c->a);
		assert_int_equal(blamed[1], c->b);
		assert_int_equal(n, (size_t)c->a + (size_t)c->b);
	}
}

static void test_window_end(void **state)
{
	struct health_watch w = { "x", 100, USEC_INFINITY, HEALTH_ATTRIBUTION_STACK };

	assert_true(health_watch_end(&w) == USEC_INFINITY);
	assert_true(health_watch_covers(&w, UINT64_MAX - 1));
	assert_false(health_watch_covers(&w, 99));
	w.window = 50;
	assert_int_equal(health_watch_end(&w), 150);
	assert_true(health_watch_covers(&w, 149));
	assert_false(health_watch_covers(&w, 150));
	/* a window that would end past the clock's range never ends */
	w.start = UINT64_MAX - 10;
	w.window = 100;
	assert_true(health_watch_end(&w) == USEC_INFINITY);
}

static void test_realtime_to_monotonic(void **state)
{
	assert_int_equal(health_realtime_to_monotonic(1000, 1500, 800), 300);
	assert_int_equal(health_realtime_to_monotonic(1000, 5000, 800), 0);  /* before boot */
	assert_int_equal(health_realtime_to_monotonic(2000, 1500, 800), 800); /* clock set back */
}

#define BOOT "0123abcd-0123-4567-89ab-cdef01234567"

static void test_records_round_trip(void **state)
{
	const char *text = "# comment\n"
			   "klp_a watching 1700000000000000 " BOOT "\n"
			   "klp_b accepted 1700000000000001\n"
			   "\n"
			   "klp_c faulty 1700000000000002 warning\n";
	struct health_record *l = NULL, *l2 = NULL;
	size_t n = 0, n2 = 0;
	char *out = NULL;

	assert_int_equal(health_records_parse(text, strlen(text), &l, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(l[0].health, PATCH_HEALTH_WATCHING);
	assert_string_equal(l[0].boot_id, BOOT);
	assert_int_equal(l[1].health, PATCH_HEALTH_ACCEPTED);
	assert_int_equal(l[1].since, 1700000000000001ULL);
	assert_int_equal(l[2].health, PATCH_HEALTH_FAULTY);
	assert_int_equal(l[2].kind, KERNEL_INCIDENT_WARNING);

	assert_int_equal(health_records_format(l, n, &out), 0);
	assert_int_equal(health_records_parse(out, strlen(out), &l2, &n2), 0);
	assert_int_equal(n2, n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(l[i].name, l2[i].name);
		assert_int_equal(l[i].health, l2[i].health);
		assert_int_equal(l[i].since, l2[i].since);
		assert_int_equal(l[i].kind, l2[i].kind);
		if (l[i].health == PATCH_HEALTH_WATCHING)
			assert_string_equal(l[i].boot_id, l2[i].boot_id);
	}
	free(out);
	free(l);
	free(l2);
}

static void test_records_refused(void **state)
{
	static const char *const bad[] = {
		"klp_a watching 17 " BOOT " extra\n",
		"klp_a watching 17\n",                    /* no boot id */
		"klp_a watching 17 0123abcd\n",           /* a short one */
		"klp_a faulty 17\n",                      /* no kind */
		"klp_a faulty 17 sneeze\n",               /* an unknown kind */
		"klp_a none 17\n",                        /* not a status kept */
		"klp_a accepted 0\n",
		"klp_a accepted 17x\n",
		"klp_a accepted 99999999999999999999999\n",
		"klp_a accepted 17\nklp_a faulty 18 bug\n", /* twice */
		"klp/a accepted 17\n",
		"klp_a accepted  17\n",
	};

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		struct health_record *l = NULL;
		size_t n = 0;

		print_message("# %s", bad[i]);
		assert_int_equal(health_records_parse(bad[i], strlen(bad[i]), &l, &n), -EBADMSG);
		assert_null(l);
	}
}

static void test_book(void **state)
{
	struct health_book b = {};
	struct health_record r = { .name = "klp_a", .health = PATCH_HEALTH_ACCEPTED, .since = 5 };

	assert_int_equal(health_book_get(&b, "klp_a"), PATCH_HEALTH_NONE);
	assert_int_equal(health_book_set(&b, &r), 0);
	r.health = PATCH_HEALTH_FAULTY;
	assert_int_equal(health_book_set(&b, &r), 0);
	assert_int_equal(b.n, 1);
	assert_int_equal(health_book_get(&b, "klp_a"), PATCH_HEALTH_FAULTY);
	assert_true(health_book_drop(&b, "klp_a"));
	assert_false(health_book_drop(&b, "klp_a"));
	assert_int_equal(b.n, 0);
	health_book_done(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blame_table),
		cmocka_unit_test(test_window_end),
		cmocka_unit_test(test_realtime_to_monotonic),
		cmocka_unit_test(test_records_round_trip),
		cmocka_unit_test(test_records_refused),
		cmocka_unit_test(test_book),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
