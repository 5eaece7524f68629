/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The last valid configuration: written from the files' texts, read back
 * into the same configuration, refused when anything in it is off, and the
 * choice at start between it and the defaults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "config-snapshot.h"
#include "macro.h"

#define MAIN_CONF "[Daemon]\nLoadAtBoot=no\n[Policy]\nStallTimeout=2min\nOnStall=wait\n"
/* sets a key the main file set too: fine across files, not within one */
#define DROPIN_CONF "[Policy]\nOnStall=force\n[Patch:cve-*]\nAutoUnload=no"

static char *format_two(void)
{
	_cleanup_(config_texts_donep) struct config_texts t = {};
	char *text = NULL;

	assert_int_equal(config_texts_add(&t, "/etc/klpd/klpd.conf", MAIN_CONF, strlen(MAIN_CONF)),
			 0);
	assert_int_equal(config_texts_add(&t, "/etc/klpd/klpd.conf.d/50-a.conf", DROPIN_CONF,
					  strlen(DROPIN_CONF)),
			 0);
	assert_int_equal(config_snapshot_format(&t, &text), 0);
	return text;
}

static void test_round_trip(void **state)
{
	_cleanup_free_ char *text = format_two(), *error = NULL, *expected = NULL;
	_cleanup_(config_donep) struct config c = {};
	struct policy_settings ps;

	assert_true(asprintf(&expected,
			     "\nklpd-config-snapshot 1\n"
			     "file %zu /etc/klpd/klpd.conf\n" MAIN_CONF "\n"
			     "file %zu /etc/klpd/klpd.conf.d/50-a.conf\n" DROPIN_CONF "\n"
			     "end\n",
			     strlen(MAIN_CONF), strlen(DROPIN_CONF)) > 0);
	/* comment lines first, then exactly this */
	assert_string_equal(strstr(text, "\nklpd-config-snapshot"), expected);
	assert_int_equal(config_snapshot_parse(text, strlen(text), &c, &error), 0);
	assert_null(error);
	assert_false(c.load_at_boot);
	assert_int_equal(c.stall_timeout_usec, 120 * USEC_PER_SEC);
	assert_null(config_policy_for(&c, "klpt_x", &ps));
	assert_int_equal(ps.on_stall, ON_STALL_FORCE);
	assert_string_equal(config_policy_for(&c, "cve_1", &ps), "cve_*");
	assert_false(ps.auto_unload);
}

static void test_no_files(void **state)
{
	struct config_texts t = {};
	_cleanup_free_ char *text = NULL;
	_cleanup_(config_donep) struct config c = {};

	/* klpd.conf absent and no drop-ins: the defaults were valid */
	assert_int_equal(config_snapshot_format(&t, &text), 0);
	assert_int_equal(config_snapshot_parse(text, strlen(text), &c, NULL), 0);
	assert_true(c.load_at_boot);
	assert_int_equal(c.stall_timeout_usec, 60 * USEC_PER_SEC);
}

static void test_refused(void **state)
{
	static const struct {
		const char *text;
		int r;
		const char *error;
		size_t len; /* 0: strlen(text) */
	} cases[] = {
		{ "", -EBADMSG, "no 'klpd-config-snapshot 1' line" },
		{ "# only a comment\n", -EBADMSG, "no 'klpd-config-snapshot 1' line" },
		{ "klpd-config-snapshot 2\nend\n", -EBADMSG, "not a klpd configuration snapshot" },
		{ "klpd-config-snapshot 1\n", -EBADMSG, "truncated: no 'end' line" },
		{ "klpd-config-snapshot 1\nend", -EBADMSG, "truncated: no 'end' line" },
		{ "klpd-config-snapshot 1\nend\n\n", -EBADMSG, "data after the 'end' line" },
		{ "klpd-config-snapshot 1\nfile 8 /a\n[Policy]\n", -EBADMSG, "truncated: no 'end'" },
		{ "klpd-config-snapshot 1\nfile 9 /a\n[Policy]\nend\n", -EBADMSG,
		  "the text of /a is truncated" },
		{ "klpd-config-snapshot 1\nfile 1 /a\n[Policy]\nend\n", -EBADMSG,
		  "the text of /a is truncated" },
		{ "klpd-config-snapshot 1\nfile 01 /a\n[\nend\n", -EBADMSG, "bad 'file" },
		{ "klpd-config-snapshot 1\nfile 1 a\n[\nend\n", -EBADMSG, "bad 'file" },
		{ "klpd-config-snapshot 1\nfile 1\n[\nend\n", -EBADMSG, "bad 'file" },
		{ "klpd-config-snapshot 1\nfile -1 /a\n[\nend\n", -EBADMSG, "bad 'file" },
		{ "klpd-config-snapshot 1\nfile 99999999999999999999 /a\n\nend\n", -EBADMSG,
		  "bad 'file" },
		{ "klpd-config-snapshot 1\nfile 0 /a\n\nfile 0 /b\n\nstuff\nend\n", -EBADMSG,
		  "expected a 'file LENGTH NAME' line or 'end'" },
		/* a file in it that is not valid (an older klpd's key, say) */
		{ "klpd-config-snapshot 1\nfile 18 /etc/k.conf\n[Policy]\nOnStall=x\nend\n", -EINVAL,
		  "/etc/k.conf:2: key 'OnStall' in section 'Policy': value 'x' must be" },
#define WITH_NUL "klpd-config-snapshot 1\nfile 3 /a\na\0b\nend\n"
		{ WITH_NUL, -EINVAL, "/a:1: contains a NUL byte", sizeof(WITH_NUL) - 1 },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_(config_donep) struct config c = {};
		_cleanup_free_ char *error = NULL;
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);

		print_message("case %zu\n", i);
		assert_int_equal(config_snapshot_parse(cases[i].text, len, &c, &error), cases[i].r);
		assert_non_null(error);
		assert_non_null(strstr(error, cases[i].error));
		assert_null(c.patch_dirs);
	}
}

static void test_format_limits(void **state)
{
	_cleanup_(config_texts_donep) struct config_texts t = {};
	char *text = NULL;

	assert_int_equal(config_texts_add(&t, "relative.conf", "", 0), 0);
	assert_int_equal(config_snapshot_format(&t, &text), -EINVAL);
	config_texts_done(&t);
	assert_int_equal(config_texts_add(&t, "/a\nfile 0 /b", "", 0), 0);
	assert_int_equal(config_snapshot_format(&t, &text), -EINVAL);
	config_texts_done(&t);
	for (int i = 0; i <= CONFIG_SNAPSHOT_FILES_MAX; i++)
		assert_int_equal(config_texts_add(&t, "/x.conf", "", 0), 0);
	assert_int_equal(config_snapshot_format(&t, &text), -EFBIG);
	assert_null(text);
}

/* A text in the snapshot with lines that look like the snapshot's own. */
static void test_text_like_the_format(void **state)
{
	_cleanup_(config_texts_donep) struct config_texts t = {};
	_cleanup_free_ char *text = NULL;
	_cleanup_(config_donep) struct config c = {};
	const char *conf = "# end\n# file 3 /x\n[Policy]\nOnStall=wait\n";

	assert_int_equal(config_texts_add(&t, "/k.conf", conf, strlen(conf)), 0);
	assert_int_equal(config_snapshot_format(&t, &text), 0);
	assert_int_equal(config_snapshot_parse(text, strlen(text), &c, NULL), 0);
	assert_int_equal(c.policy.on_stall, ON_STALL_WAIT);
}

static void test_fallback(void **state)
{
	_cleanup_free_ char *good = format_two();

	/* a valid snapshot: run on it */
	{
		_cleanup_(config_donep) struct config c = {};
		_cleanup_free_ char *why = NULL;

		assert_int_equal(config_fallback(good, strlen(good), &c, &why),
				 CONFIG_ORIGIN_LAST_VALID);
		assert_null(why);
		assert_false(c.load_at_boot);
		assert_int_equal(c.stall_timeout_usec, 120 * USEC_PER_SEC);
	}
	/* none saved: the defaults, nothing to say about it */
	{
		_cleanup_(config_donep) struct config c = {};
		_cleanup_free_ char *why = NULL;

		assert_int_equal(config_fallback(NULL, 0, &c, &why), CONFIG_ORIGIN_DEFAULTS);
		assert_null(why);
		assert_true(c.load_at_boot);
		assert_string_equal(c.patch_dirs[0], KLPD_DEFAULT_PATCH_DIR);
	}
	/* a damaged one: the defaults, and why */
	{
		_cleanup_(config_donep) struct config c = {};
		_cleanup_free_ char *why = NULL;

		assert_int_equal(config_fallback(good, strlen(good) - 2, &c, &why),
				 CONFIG_ORIGIN_DEFAULTS);
		assert_non_null(why);
		assert_non_null(strstr(why, "truncated"));
		assert_true(c.load_at_boot);
		assert_int_equal(c.stall_timeout_usec, 60 * USEC_PER_SEC);
	}
	/* one whose file is no longer valid: the defaults, with file:line */
	{
		_cleanup_(config_donep) struct config c = {};
		_cleanup_free_ char *why = NULL;
		const char *old = "klpd-config-snapshot 1\nfile 14 /k.conf\n[Policy]\nOld=1\nend\n";

		assert_int_equal(config_fallback(old, strlen(old), &c, &why),
				 CONFIG_ORIGIN_DEFAULTS);
		assert_non_null(strstr(why, "/k.conf:2: unknown key 'Old'"));
		assert_int_equal(c.policy.on_stall, ON_STALL_REVERT);
	}
}

static void test_origin_names(void **state)
{
	assert_string_equal(config_origin_to_string(CONFIG_ORIGIN_FILES), "files");
	assert_string_equal(config_origin_to_string(CONFIG_ORIGIN_LAST_VALID), "last-valid");
	assert_string_equal(config_origin_to_string(CONFIG_ORIGIN_DEFAULTS), "defaults");
	assert_null(config_origin_to_string(_CONFIG_ORIGIN_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_no_files),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_format_limits),
		cmocka_unit_test(test_text_like_the_format),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_origin_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
