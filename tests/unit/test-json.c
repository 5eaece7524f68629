/* SPDX-License-Identifier: GPL-2.0-or-later */
/* klpctl's JSON writer: RFC 8259 quoting, the commas, the shape of a patch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "macro.h"
#include "output.h"

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
		json_words(&j, "words", "a b\\x01  c");
		json_strv(&j, "none", NULL);
		json_close_object(&j);
		json_end(&j);
	});

	assert_string_equal(got, "{\"k\\\"ey\":\"v\",\"t\":true,\"f\":false,\"empty\":[],"
				 "\"mixed\":[\"x\",18446744073709551615,-1,{}],"
				 "\"words\":[\"a\",\"b\\\\x01\",\"c\"],\"none\":[]}\n");
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
		.objects = "vmlinux ext4(unpatched)",
		.blockers = { { 42, "ba\\x1bsh", "fn+0x1/0x2" }, { 7, "cat", "" } },
		.n_blockers = 2,
	};
	_cleanup_free_ char *got = CAPTURE(j, json_patches(&j, NULL, &p, 1));

	assert_string_equal(got,
			    "[{\"name\":\"klpt_a\",\"state\":\"applied\",\"enabled\":true,"
			    "\"transition\":false,\"replace\":\"yes\",\"stack_order\":2,"
			    "\"refcount\":-1,\"forced\":true,\"loaded_at_usec\":1700000000000000,"
			    "\"source\":\"/p/\\\"x\\\".ko\",\"objects\":\"vmlinux ext4(unpatched)\","
			    "\"blockers\":[{\"pid\":42,\"comm\":\"ba\\\\x1bsh\",\"stack\":\"fn+0x1/0x2\"},"
			    "{\"pid\":7,\"comm\":\"cat\",\"stack\":\"\"}]}]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_string_escapes_text_first),
		cmocka_unit_test(test_commas_and_nesting),
		cmocka_unit_test(test_patch_shape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
