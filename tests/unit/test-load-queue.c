/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The persisted load queue: its file's lines, refused garbage, and the
 * write/read round trip through a state directory. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "load-queue.h"
#include "macro.h"

static int parse(const char *text, struct queued_load **l, size_t *n)
{
	return load_queue_parse(text, strlen(text), l, n);
}

static void test_parse_good(void **state)
{
	struct queued_load *l = NULL;
	size_t n = 0;

	assert_int_equal(parse("# comment\n\nklpt_a hand /var/lib/klpd/patches/a b.ko\n"
			       "klpt_b boot /p/6.1.0/klpt_b.ko",
			       &l, &n),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(l[0].name, "klpt_a");
	assert_false(l[0].at_boot);
	assert_string_equal(l[0].path, "/var/lib/klpd/patches/a b.ko");
	assert_string_equal(l[1].name, "klpt_b");
	assert_true(l[1].at_boot);
	assert_string_equal(l[1].path, "/p/6.1.0/klpt_b.ko");
	queued_loads_free(l, n);

	assert_int_equal(parse("", &l, &n), 0);
	assert_int_equal(n, 0);
	queued_loads_free(l, n);
}

static void test_parse_bad(void **state)
{
	static const char *const bad[] = {
		"klpt_a\n",
		"klpt_a hand\n",
		"klpt_a hand \n",
		"klpt_a hand relative.ko\n",
		"klpt_a later /p/a.ko\n",
		"klpt-a hand /p/a.ko\n", /* names are stored normalized */
		"../a hand /p/a.ko\n",
		" klpt_a hand /p/a.ko\n",
		"klpt_a  hand /p/a.ko\n",
		"klpt_a hand /\n",
	};
	struct queued_load *l = NULL;
	size_t n = 0;

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		l = NULL;
		assert_int_equal(parse(bad[i], &l, &n), -EBADMSG);
		assert_null(l);
	}
	assert_int_equal(load_queue_parse("klpt_a hand /p\0.ko\n", 18, &l, &n), -EBADMSG);
}

static void test_round_trip(void **state)
{
	char dir[] = "/tmp/klpd-test-queue-XXXXXX", path[64];
	struct queued_load in[] = {
		{ .name = "klpt_x", .at_boot = true, .path = (char *)"/p/6.1/klpt_x.ko" },
		{ .name = "klpt_y", .at_boot = false, .path = (char *)"/p/klpt_y.ko" },
	};
	struct queued_load *out = NULL, nl = { .name = "klpt_z", .path = (char *)"/p/a\nb.ko" };
	char *text = NULL;
	size_t n = 0;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(load_queue_read(dir, &out, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(load_queue_write(dir, in, 2), 0);
	assert_int_equal(load_queue_read(dir, &out, &n), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(out[i].name, in[i].name);
		assert_int_equal(out[i].at_boot, in[i].at_boot);
		assert_string_equal(out[i].path, in[i].path);
	}
	queued_loads_free(out, n);

	/* An empty queue leaves no file. */
	assert_int_equal(load_queue_write(dir, in, 0), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, LOAD_QUEUE_FILE);
	assert_int_equal(access(path, F_OK), -1);
	/* A path with a newline cannot be one line: refused, not mangled. */
	assert_int_equal(load_queue_format(&nl, 1, &text), -EINVAL);
	assert_null(text);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
