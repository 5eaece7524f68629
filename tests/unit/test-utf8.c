/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Escaping text from the kernel and from other users (lib/utf8.h): what
 * comes out is valid UTF-8 without control characters, and is never cut
 * inside a character or an escape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

static void test_char_len(void **state)
{
	static const struct {
		const char *s;
		size_t len;
	} cases[] = {
		{ "a", 1 },
		{ "\x7f", 1 },
		{ "\xc3\xa9", 2 },         /* é */
		{ "\xc2\x9b", 2 },         /* U+009B, a C1 control: valid UTF-8 */
		{ "\xe2\x82\xac", 3 },     /* € */
		{ "\xf0\x9f\x98\x80", 4 }, /* U+1F600 */
		{ "\xf4\x8f\xbf\xbf", 4 }, /* U+10FFFF, the last one */
		{ "\xff", 0 },
		{ "\x80", 0 },             /* a stray continuation byte */
		{ "\xc3", 0 },             /* cut short */
		{ "\xc3" "a", 0 },
		{ "\xe2\x82", 0 },
		{ "\xc0\xaf", 0 },         /* overlong '/' */
		{ "\xc1\xbf", 0 },
		{ "\xe0\x80\xaf", 0 },     /* overlong, 3 bytes */
		{ "\xf0\x80\x80\xaf", 0 }, /* overlong, 4 bytes */
		{ "\xed\xa0\x80", 0 },     /* U+D800, a surrogate */
		{ "\xed\xbf\xbf", 0 },     /* U+DFFF */
		{ "\xf4\x90\x80\x80", 0 }, /* U+110000 */
		{ "\xf5\x80\x80\x80", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(utf8_char_len(cases[i].s, strlen(cases[i].s)), cases[i].len);
	assert_int_equal(utf8_char_len("\xc3\xa9", 1), 0); /* N cuts it */
	assert_int_equal(utf8_char_len("", 0), 0);
	assert_int_equal(utf8_char_len("\0", 1), 1);
}

static void test_escape(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" },
		{ "klpt_busy", "klpt_busy" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
		{ "\xff", "\\xff" },
		/* a 15-byte comm cut by the kernel inside a character */
		{ "aaaaaaaaaaaaaa\xc3", "aaaaaaaaaaaaaa\\xc3" },
		/* terminal escapes: CSI 2J (clear), OSC 0 (title), BEL */
		{ "\x1b[2J\x1b]0;x\a", "\\x1b[2J\\x1b]0;x\\x07" },
		{ "a\tb\nc\rd", "a\\x09b\\x0ac\\x0dd" },
		{ "\x7f", "\\x7f" },
		{ "\xc2\x9b" "2J", "\\xc2\\x9b2J" }, /* C1 CSI */
		{ "\xc2\x9f\xc2\xa0", "\\xc2\\x9f\xc2\xa0" }, /* U+00A0 is text */
		{ "\xc0\xaf", "\\xc0\\xaf" },
		{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },
		{ "\\x41", "\\x41" }, /* a backslash stays: escaping is idempotent */
	};
	char buf[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *dup;

		assert_true(utf8_escape(buf, sizeof(buf), cases[i].in, strlen(cases[i].in)));
		assert_string_equal(buf, cases[i].out);
		assert_true(utf8_is_clean(buf, strlen(buf)));
		assert_int_equal(utf8_is_clean(cases[i].in, strlen(cases[i].in)),
				 strcmp(cases[i].in, cases[i].out) == 0);
		dup = utf8_escape_dup(cases[i].in);
		assert_non_null(dup);
		assert_string_equal(dup, cases[i].out);
		free(dup);
	}
	/* a NUL inside the bytes is a control character too */
	assert_true(utf8_escape(buf, sizeof(buf), "a\0b", 3));
	assert_string_equal(buf, "a\\x00b");
}

static void test_escape_cut(void **state)
{
	char buf[8];

	/* "ab" + é: é needs 2 bytes and the NUL one: it fits in 5, not in 4 */
	assert_true(utf8_escape(buf, 5, "ab\xc3\xa9", 4));
	assert_string_equal(buf, "ab\xc3\xa9");
	assert_false(utf8_escape(buf, 4, "ab\xc3\xa9", 4));
	assert_string_equal(buf, "ab");
	/* an escape is whole or absent */
	assert_false(utf8_escape(buf, 7, "abc\xff", 4));
	assert_string_equal(buf, "abc");
	assert_true(utf8_escape(buf, 8, "ab\xff", 3));
	assert_string_equal(buf, "ab\\xff");
	assert_false(utf8_escape(buf, 1, "a", 1));
	assert_string_equal(buf, "");
	/* a 4-byte character at the end of a long text */
	memset(buf, 'X', sizeof(buf));
	assert_false(utf8_escape(buf, 7, "abcd\xf0\x9f\x98\x80", 8));
	assert_string_equal(buf, "abcd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_char_len),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
