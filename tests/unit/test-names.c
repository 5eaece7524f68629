/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "macro.h"
#include "names.h"

static void test_module_name_valid(void **state)
{
	static const struct {
		const char *name;
		bool valid;
	} cases[] = {
		{ "klpt_cmdline", true },
		{ "klpt-cmdline", true },
		{ "A0_-z", true },
		{ "x", true },
		/* 55 characters: the longest the kernel takes */
		{ "a234567890123456789012345678901234567890123456789012345", true },
		{ "a2345678901234567890123456789012345678901234567890123456", false },
		{ "", false },
		{ "klpt.cmdline", false },
		{ "klpt/cmdline", false },
		{ "klpt cmdline", false },
		{ "../etc", false },
		{ "päch", false },
		{ "name\n", false },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		if (module_name_valid(cases[i].name) != cases[i].valid)
			fail_msg("module_name_valid(\"%s\") should be %s", cases[i].name,
				 yes_no(cases[i].valid));
	}
	assert_false(module_name_valid(NULL));
}

static void test_module_name_normalize(void **state)
{
	char buf[KLP_MODULE_NAME_MAX];

	assert_int_equal(module_name_normalize("cve-2026-1234", buf), 0);
	assert_string_equal(buf, "cve_2026_1234");
	assert_int_equal(module_name_normalize("plain", buf), 0);
	assert_string_equal(buf, "plain");
	assert_int_equal(module_name_normalize("bad.name", buf), -EINVAL);
	assert_int_equal(module_name_normalize("", buf), -EINVAL);
}

static void test_module_name_equal(void **state)
{
	assert_true(module_name_equal("a-b_c", "a_b-c"));
	assert_true(module_name_equal("abc", "abc"));
	assert_false(module_name_equal("abc", "abd"));
	assert_false(module_name_equal("abc", "abcd"));
	assert_false(module_name_equal("abcd", "abc"));
	assert_false(module_name_equal("a.b", "a_b"));
}

static void test_module_name_from_path(void **state)
{
	static const struct {
		const char *path;
		const char *name; /* NULL: -EINVAL */
	} cases[] = {
		{ "/var/lib/klpd/patches/cve-2026-1.ko", "cve_2026_1" },
		{ "klpt_cmdline.ko", "klpt_cmdline" },
		{ "/x/klpt_cmdline.ko.xz", "klpt_cmdline" },
		{ "/x/klpt_cmdline.ko.zst", "klpt_cmdline" },
		{ "/x/klpt_cmdline.ko.gz", "klpt_cmdline" },
		{ "/x/klpt_cmdline", NULL },
		{ "/x/klpt_cmdline.o", NULL },
		{ "/x/.ko", NULL },
		{ "/x/bad.name.ko", NULL },
		{ "/x/", NULL },
	};
	char buf[KLP_MODULE_NAME_MAX];

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		int r = module_name_from_path(cases[i].path, buf);

		if (!cases[i].name) {
			if (r != -EINVAL)
				fail_msg("module_name_from_path(\"%s\") = %d, want -EINVAL",
					 cases[i].path, r);
			continue;
		}
		if (r != 0)
			fail_msg("module_name_from_path(\"%s\") = %d", cases[i].path, r);
		assert_string_equal(buf, cases[i].name);
	}
}

static void test_module_path_compressed(void **state)
{
	assert_false(module_path_compressed("/x/klpt_cmdline.ko"));
	assert_true(module_path_compressed("/x/klpt_cmdline.ko.xz"));
	assert_true(module_path_compressed("/x/klpt_cmdline.ko.zst"));
	assert_true(module_path_compressed("/x/klpt_cmdline.ko.gz"));
	/* names that are no module file at all are not compressed ones */
	assert_false(module_path_compressed("/x/klpt_cmdline.ko.bz2"));
	assert_false(module_path_compressed(".xz"));
	assert_false(module_path_compressed(""));
}

static void test_patch_source_classify(void **state)
{
	static const struct {
		const char *source;
		enum patch_source_kind kind;
	} cases[] = {
		{ "klpt_cmdline", PATCH_SOURCE_NAME },
		{ "cve-2026-1234", PATCH_SOURCE_NAME },
		{ "/var/lib/klpd/patches/klpt_cmdline.ko", PATCH_SOURCE_PATH },
		{ "/var/lib/klpd/patches/6.1.0-56-amd64/klpt_cmdline.ko.xz", PATCH_SOURCE_PATH },
		{ "", PATCH_SOURCE_INVALID },
		{ "klpt_cmdline.ko", PATCH_SOURCE_INVALID }, /* relative path */
		{ "./klpt_cmdline.ko", PATCH_SOURCE_INVALID },
		{ "/var/lib/klpd/patches/../x.ko", PATCH_SOURCE_INVALID },
		{ "/var/lib/klpd/patches/./x.ko", PATCH_SOURCE_INVALID },
		{ "/var/lib/klpd//patches/x.ko", PATCH_SOURCE_INVALID },
		{ "/var/lib/klpd/patches/x.so", PATCH_SOURCE_INVALID },
		{ "/var/lib/klpd/patches/", PATCH_SOURCE_INVALID },
		{ "name with space", PATCH_SOURCE_INVALID },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		enum patch_source_kind k = patch_source_classify(cases[i].source);
		if (k != cases[i].kind)
			fail_msg("patch_source_classify(\"%s\") = %d, want %d", cases[i].source, k,
				 cases[i].kind);
	}
	assert_int_equal(patch_source_classify(NULL), PATCH_SOURCE_INVALID);
}

static void test_path_is_below(void **state)
{
	static const struct {
		const char *path, *dir;
		bool below;
	} cases[] = {
		{ "/var/lib/klpd/patches/a.ko", "/var/lib/klpd/patches", true },
		{ "/var/lib/klpd/patches/a.ko", "/var/lib/klpd/patches/", true },
		{ "/var/lib/klpd/patches/6.1/a.ko", "/var/lib/klpd/patches", true },
		{ "/var/lib/klpd/patchesX/a.ko", "/var/lib/klpd/patches", false },
		{ "/var/lib/klpd/patches", "/var/lib/klpd/patches", false },
		{ "/var/lib/klpd/patches/", "/var/lib/klpd/patches", false },
		{ "/a.ko", "/", true },
		{ "/tmp/a.ko", "/var/lib/klpd/patches", false },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		if (path_is_below(cases[i].path, cases[i].dir) != cases[i].below)
			fail_msg("path_is_below(\"%s\", \"%s\") should be %s", cases[i].path,
				 cases[i].dir, yes_no(cases[i].below));
}

static void test_kernel_release_valid(void **state)
{
	(void)state;
	assert_true(kernel_release_valid("6.1.0-28-amd64"));
	assert_true(kernel_release_valid("6.12.95+deb12-amd64"));
	assert_true(kernel_release_valid("5.10.0-klp~1"));
	assert_false(kernel_release_valid(""));
	assert_false(kernel_release_valid(NULL));
	assert_false(kernel_release_valid(".."));
	assert_false(kernel_release_valid(".hidden"));
	assert_false(kernel_release_valid("-rf"));
	assert_false(kernel_release_valid("6.1/../../etc"));
	assert_false(kernel_release_valid("6.1 0"));
	assert_false(kernel_release_valid("6.1\n"));
	assert_true(kernel_release_valid("0123456789012345678901234567890123456789012345678901234567890123"));
	assert_false(kernel_release_valid("01234567890123456789012345678901234567890123456789012345678901234"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_module_name_valid),
		cmocka_unit_test(test_module_name_normalize),
		cmocka_unit_test(test_module_name_equal),
		cmocka_unit_test(test_module_name_from_path),
		cmocka_unit_test(test_module_path_compressed),
		cmocka_unit_test(test_patch_source_classify),
		cmocka_unit_test(test_path_is_below),
		cmocka_unit_test(test_kernel_release_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
