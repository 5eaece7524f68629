/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the kernel's answers to finit_module(2) and delete_module(2) mean to
 * the caller of Load and Unload: the named error and the message. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "action-result.h"
#include "utf8.h"

static const char *const path = "/var/lib/klpd/patches/klpt_x.ko";

/* RES after an answer R: untouched (MESSAGE NULL, no failure), or saying
 * ERROR and MESSAGE. */
static void check_res(const struct action_result *res, int r, enum action_error error,
		      const char *message)
{
	if (!message) {
		assert_int_equal(res->error, ACTION_ERROR_NOT_SUPPORTED);
		assert_string_equal(res->message, "");
		return;
	}
	assert_int_equal(res->error, error);
	assert_int_equal(res->errnum, r);
	assert_string_equal(res->message, message);
}

static void test_insert(void **state)
{
	static const struct {
		int r, want;
		enum action_error error;
		const char *message; /* NULL: no failure */
	} cases[] = {
		{ 0, 0, 0, NULL },
		/* another transition runs: the caller queues, nothing failed */
		{ -EBUSY, -EBUSY, 0, NULL },
		{ -EEXIST, -EEXIST, ACTION_ERROR_REFUSED, "Module 'klpt_x' is already loaded" },
		{ -ENOEXEC, -ENOEXEC, ACTION_ERROR_BAD_SOURCE,
		  "The kernel refused '/var/lib/klpd/patches/klpt_x.ko' as a module (Exec format "
		  "error): see the kernel log" },
		{ -EKEYREJECTED, -EKEYREJECTED, ACTION_ERROR_FAILED,
		  "Loading '/var/lib/klpd/patches/klpt_x.ko' failed: Key was rejected by service" },
		{ -EPERM, -EPERM, ACTION_ERROR_FAILED,
		  "Loading '/var/lib/klpd/patches/klpt_x.ko' failed: Operation not permitted" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct action_result res = { .error = ACTION_ERROR_NOT_SUPPORTED };

		assert_int_equal(action_insert_result(cases[i].r, "klpt_x", path, &res),
				 cases[i].want);
		check_res(&res, cases[i].r, cases[i].error, cases[i].message);
	}
}

static void test_remove(void **state)
{
	static const struct {
		int r;
		bool forced;
		int want;
		enum action_error error;
		const char *message; /* NULL: gone, no failure */
	} cases[] = {
		{ 0, false, 0, 0, NULL },
		/* gone before we asked: what was asked for is true */
		{ -ENOENT, false, 0, 0, NULL },
		/* EWOULDBLOCK: a reference held; forced, it never goes */
		{ -EWOULDBLOCK, false, -EWOULDBLOCK, ACTION_ERROR_REFUSED,
		  "Module 'klpt_x' is in use (refcount 1): something still holds a reference to "
		  "it" },
		{ -EWOULDBLOCK, true, -EWOULDBLOCK, ACTION_ERROR_PINNED,
		  "Module 'klpt_x' is in use (refcount 1): a forced transition keeps it until "
		  "reboot" },
		/* EBUSY: still coming or going */
		{ -EBUSY, false, -EBUSY, ACTION_ERROR_REFUSED,
		  "Module 'klpt_x' is in use (refcount 1): it is still being loaded or removed" },
		/* the log: "failed" once, and no bare errno text */
		{ -ENOSYS, false, -ENOSYS, ACTION_ERROR_FAILED,
		  "Cannot remove module 'klpt_x': this kernel cannot unload modules (built "
		  "without CONFIG_MODULE_UNLOAD); it stays until reboot" },
		{ -EPERM, false, -EPERM, ACTION_ERROR_FAILED,
		  "Cannot remove module 'klpt_x': the kernel does not let klpd remove modules "
		  "(no CAP_SYS_MODULE, or kernel.modules_disabled=1)" },
		/* an answer with no meaning of its own for a module: errno's text */
		{ -EIO, false, -EIO, ACTION_ERROR_FAILED,
		  "Cannot remove module 'klpt_x': Input/output error" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct action_result res = { .error = ACTION_ERROR_NOT_SUPPORTED };
		int r = action_remove_result(cases[i].r, "klpt_x", cases[i].forced, 1, &res);

		assert_int_equal(r, cases[i].want);
		check_res(&res, cases[i].r, cases[i].error, cases[i].message);
	}
}

static void test_fail(void **state)
{
	struct action_result res = {};

	/* a positive errnum is no error code: the caller still sees a failure */
	assert_int_equal(action_fail(&res, ACTION_ERROR_INVALID_ARGS, 0, "x %d", 1), -EINVAL);
	assert_string_equal(res.message, "x 1");
	assert_int_equal(action_fail(&res, ACTION_ERROR_FAILED, -ENOMEM, "y"), -ENOMEM);
	assert_int_equal(res.error, ACTION_ERROR_FAILED);
}

/* Item 8 of the review: a long path of multibyte characters used to be cut
 * inside a character, and sd_bus_error_set() refused the message: the
 * caller got no reply at all. */
static bool valid_utf8(const char *s)
{
	return utf8_is_clean(s, strlen(s));
}

static void test_fail_long_multibyte(void **state)
{
	char lpath[2048] = "/var/lib/klpd/patches/";
	struct action_result res = {};

	/* 'é' is 2 bytes: try every parity of the cut */
	for (size_t shift = 0; shift < 4; shift++) {
		lpath[22 + shift] = '\0';
		for (size_t i = 0; i < 600; i++)
			strcat(lpath, "\xc3\xa9");
		strcat(lpath, ".ko");
		assert_int_equal(action_insert_result(-ENOENT, "x", lpath, &res), -ENOENT);
		assert_true(valid_utf8(res.message));
		assert_true(strlen(res.message) < sizeof(res.message));
		assert_true(strlen(res.message) > sizeof(res.message) - 8);
		assert_string_equal(res.message + strlen(res.message) - 3, "...");
		assert_memory_equal(res.message, "Loading '/var/lib/klpd/patches/", 31);
		lpath[22] = 'a', lpath[23] = 'a', lpath[24] = 'a';
	}
	/* 3- and 4-byte characters */
	strcpy(lpath, "/");
	for (size_t i = 0; i < 250; i++)
		strcat(lpath, "\xe2\x82\xac\xf0\x9f\x98\x80");
	action_insert_result(-ENOENT, "x", lpath, &res);
	assert_true(valid_utf8(res.message));
	/* bytes that are no UTF-8, and control characters, come out escaped */
	action_fail(&res, ACTION_ERROR_BAD_SOURCE, -EINVAL, "Bad '%s'", "\xff\x1b[2J");
	assert_string_equal(res.message, "Bad '\\xff\\x1b[2J'");
	/* a short message is not marked as shortened */
	action_fail(&res, ACTION_ERROR_BAD_SOURCE, -EINVAL, "caf\xc3\xa9");
	assert_string_equal(res.message, "caf\xc3\xa9");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_fail),
		cmocka_unit_test(test_fail_long_multibyte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
