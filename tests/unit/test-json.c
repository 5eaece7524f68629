/* SPDX-License-Identifier: GPL-2.0-or-later */
/* klpctl's JSON writer: RFC 8259 quoting, the commas, the shape of a patch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "klpctl.h"
#include "macro.h"
#include "output.h"

/* klpctl.c's options, which output.c reads */
enum json_mode arg_json = JSON_SHORT;
bool arg_legend = true;

/* What WRITE puts into a stream, as a string to free. */
#define CAPTURE(j, write)                                                 \
	({                                                                \
		char *_buf = NULL;                                        \
		size_t _len = 0;                                          \
		FILE *_f = open_memstream(&_buf, &_len);                  \
		struct json j = JSON_INIT(_f);                            \
		assert_non_null(_f);                                      \
		write;                                                    \
		fclose(_f);                                               \
		_buf;                                                     \
	})

static void expect_quote(const char *s, const char *want)
{
	_cleanup_free_ char *got = CAPTURE(j, json_quote(j.f, s));

	assert_string_equal(got, want);
}

static void test_quote(void **state)
{
	expect_quote("", "\"\"");
	expect_quote("plain", "\"plain\"");
	expect_quote("a\"b", "\"a\\\"b\"");
	expect_quote("a\\b", "\"a\\\\b\"");
	expect_quote("\"\\\"", "\"\\\"\\\\\\\"\"");
	/* every control character, none left raw */
	expect_quote("\x01", "\"\\u0001\"");
	expect_quote("tab\there", "\"tab\\u0009here\"");
	expect_quote("two\nlines\r", "\"two\\u000alines\\u000d\"");
	expect_quote("\x1b[31m", "\"\\u001b[31m\"");
	expect_quote("\x1f", "\"\\u001f\"");
	/* UTF-8 as it is; DEL needs no escape in JSON */
	expect_quote("caf\xc3\xa9 \xe2\x82\xac", "\"caf\xc3\xa9 \xe2\x82\xac\"");
	expect_quote("\x7f", "\"\x7f\"");
	/* text escaped already (lib/utf8.h): its backslash is quoted */
	expect_quote("co\\x1bm", "\"co\\\\x1bm\"");
}

/* json_string() escapes text from outside first, as the terminal shows it. */
static void test_string_escapes_text_first(void **state)
{
	_cleanup_free_ char *raw = CAPTURE(j, json_string(&j, NULL, "a\x01\"b\xff"));
	_cleanup_free_ char *escaped = CAPTURE(j, json_string(&j, NULL, "a\\x01\"b\\xff"));
	_cleanup_free_ char *null = CAPTURE(j, json_string(&j, NULL, NULL));

	assert_string_equal(raw, "\"a\\\\x01\\\"b\\\\xff\"");
	/* escaping escaped text changes nothing */
	assert_string_equal(escaped, raw);
	assert_string_equal(null, "\"\"");
}

static void test_commas_and_nesting(void **state)
{
	_cleanup_free_ char *got = CAPTURE(j, {
		json_open_object(&j, NULL);
		json_string(&j, "k\"ey", "v");
		json_bool(&j, "t", true);
		json_bool(&j, "f", false);
		json_open_array(&j, "empty");
		json_close_array(&j);
		json_open_array(&j, "mixed");
		json_string(&j, NULL, "x");
		json_uint(&j, NULL, UINT64_MAX);
		json_int(&j, NULL, -1);
		json_open_object(&j, NULL);
		json_close_object(&j);
		json_close_array(&j);
		json_strv(&j, "words", (char *[]){ "a", "b\x01", NULL });
		json_strv(&j, "none", NULL);
		json_time(&j, "never", 0);
		json_time(&j, "at", 1);
		json_null(&j, "n");
		json_close_object(&j);
		json_end(&j);
	});

	assert_string_equal(got, "{\"k\\\"ey\":\"v\",\"t\":true,\"f\":false,\"empty\":[],"
				 "\"mixed\":[\"x\",18446744073709551615,-1,{}],"
				 "\"words\":[\"a\",\"b\\\\x01\"],\"none\":[],\"never\":null,"
				 "\"at\":1,\"n\":null}\n");
}

/* The keys, their order and the shape that status, list and show print. */
static void test_patch_shape(void **state)
{
	struct patch_info p = {
		.name = "klpt_a",
		.state = "applied",
		.enabled = 1,
		.replace = "yes",
		.stack_order = 2,
		.refcount = -1,
		.forced = 1,
		.loaded_at = 1700000000000000,
		.source = "/p/\"x\".ko",
		.health = "faulty",
		.health_since = 1700000000000001,
		.objects = (struct patch_object[]){ { "vmlinux", 1 }, { "ext4", 0 } },
		.n_objects = 2,
		.blockers = (struct blocker[]){ { 42, "ba\\x1bsh", "fn+0x1/0x2" }, { 7, "cat", "" } },
		.n_blockers = 2,
	};
	_cleanup_free_ char *got = CAPTURE(j, json_patches(&j, NULL, &p, 1));

	assert_string_equal(got,
			    "[{\"name\":\"klpt_a\",\"state\":\"applied\",\"enabled\":true,"
			    "\"transition\":false,\"replace\":\"yes\",\"stack_order\":2,"
			    "\"refcount\":-1,\"forced\":true,\"loaded_at_usec\":1700000000000000,"
			    "\"source\":\"/p/\\\"x\\\".ko\",\"health\":\"faulty\","
			    "\"health_since_usec\":1700000000000001,\"objects\":[{\"name\":\"vmlinux\","
			    "\"patched\":true},{\"name\":\"ext4\",\"patched\":false}],"
			    "\"blockers\":[{\"pid\":42,\"comm\":\"ba\\\\x1bsh\",\"stack\":\"fn+0x1/0x2\"},"
			    "{\"pid\":7,\"comm\":\"cat\",\"stack\":\"\"}]}]");
}

/* A patch whose time klpd does not know: null, not 0. */
static void test_patch_unknown_time(void **state)
{
	struct patch_info p = { .name = "klpt_b", .state = "applied", .replace = "no" };
	_cleanup_free_ char *got = CAPTURE(j, json_patch(&j, &p));

	assert_non_null(strstr(got, "\"loaded_at_usec\":null,"));
	assert_non_null(strstr(got, "\"objects\":[],\"blockers\":[]}"));
}

/* --json=pretty: the same document, a member a line, two spaces a level;
 * empty containers stay on their line. */
static void test_pretty(void **state)
{
	_cleanup_free_ char *got = CAPTURE(j, {
		j.pretty = true;
		json_open_object(&j, NULL);
		json_string(&j, "a", "x");
		json_open_array(&j, "l");
		json_uint(&j, NULL, 1);
		json_open_object(&j, NULL);
		json_bool(&j, "b", true);
		json_close_object(&j);
		json_close_array(&j);
		json_open_array(&j, "e");
		json_close_array(&j);
		json_close_object(&j);
		json_end(&j);
	});

	assert_string_equal(got, "{\n  \"a\": \"x\",\n  \"l\": [\n    1,\n    {\n      \"b\": true\n"
				 "    }\n  ],\n  \"e\": []\n}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_string_escapes_text_first),
		cmocka_unit_test(test_commas_and_nesting),
		cmocka_unit_test(test_patch_shape),
		cmocka_unit_test(test_patch_unknown_time),
		cmocka_unit_test(test_pretty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
