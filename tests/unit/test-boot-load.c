/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Boot-time loading: the kernel command line's kill switch, boot ids, and
 * the crash-loop guard's records in the state directory. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "boot-load.h"
#include "macro.h"

#define ID1 "6f1c0c5e-3a4b-4d2e-9f10-0123456789ab"
#define ID2 "0b9e8d7c-6a5f-4e3d-8c2b-a1b2c3d4e5f6"

static void test_cmdline(void **state)
{
	static const struct {
		const char *cmdline;
		bool disabled;
	} cases[] = {
		{ "", false },
		{ "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet\n", false },
		{ "root=/dev/sda1 klpd.load=0\n", true },
		{ "klpd.load=0 root=/dev/sda1", true },
		{ "klpd.load=no", true },
		{ "klpd.load=n", true },
		{ "klpd.load=false", true },
		{ "klpd.load=off", true },
		{ "klpd.load=1", false },
		{ "klpd.load=yes", false },
		{ "klpd.load=", false },
		{ "klpd.load", false },
		/* the last one wins, as for every kernel parameter */
		{ "klpd.load=0 klpd.load=1", false },
		{ "klpd.load=1 klpd.load=0", true },
		/* whole words only */
		{ "xklpd.load=0", false },
		{ "klpd.load=00", false },
		{ "klpd.loader=0", false },
		{ "foo=\"klpd.load=0\"", false },
		{ "klpd.load=0x", false },
		/* quotes go, blanks of every kind separate */
		{ "\"klpd.load=0\"", true },
		{ "klpd.load=\"0\"", true },
		{ "a=\"x y\" klpd.load=0", true },
		{ "a=\"x klpd.load=0\"", false },
		{ "ro\tklpd.load=0", true },
		/* after a lone "--" the words are init's */
		{ "ro -- klpd.load=0", false },
		{ "ro klpd.load=0 -- single", true },
		{ "ro --klpd.load=0", false },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		if (boot_load_disabled_by_cmdline(cases[i].cmdline) != cases[i].disabled)
			fail_msg("case %zu '%s': expected %s", i, cases[i].cmdline,
				 cases[i].disabled ? "disabled" : "enabled");
	assert_false(boot_load_disabled_by_cmdline(NULL));
}

static void test_boot_id(void **state)
{
	assert_true(boot_id_valid(ID1));
	assert_true(boot_id_valid(ID2));
	assert_false(boot_id_valid(NULL));
	assert_false(boot_id_valid(""));
	assert_false(boot_id_valid("6F1C0C5E-3A4B-4D2E-9F10-0123456789AB"));
	assert_false(boot_id_valid("6f1c0c5e3a4b4d2e9f100123456789ab"));
	assert_false(boot_id_valid(ID1 "\n"));
	assert_false(boot_id_valid("6f1c0c5e-3a4b-4d2e-9f10-0123456789a"));
	assert_false(boot_id_valid("6f1c0c5e-3a4b-4d2e-9f10x0123456789ab"));
	assert_false(boot_id_valid("6f1c0c5e-3a4b-4d2e-9f10-0123456789ag"));
}

static void test_records_parse(void **state)
{
	static const struct {
		const char *text;
		int r;
		size_t n;
	} cases[] = {
		{ "", 0, 0 },
		{ "# comment\n\nklpt_cmdline " ID1 "\nklpt_version " ID2 "\n", 0, 2 },
		{ "klpt_cmdline " ID1, 0, 1 },
		{ "klpt_cmdline\n", -EBADMSG, 0 },
		{ "klpt_cmdline " ID1 " \n", -EBADMSG, 0 },
		{ "klpt_cmdline  " ID1 "\n", -EBADMSG, 0 },
		{ "klpt_cmdline 6F1C0C5E-3A4B-4D2E-9F10-0123456789AB\n", -EBADMSG, 0 },
		{ "klpt_cmdline 6f1c0c5e-3a4b-4d2e-9f10-0123456789a\n", -EBADMSG, 0 },
		{ "klpt-cmdline " ID1 "\n", -EBADMSG, 0 },
		{ "../etc " ID1 "\n", -EBADMSG, 0 },
		{ " " ID1 "\n", -EBADMSG, 0 },
		{ "a " ID1 "\na " ID2 "\n", -EBADMSG, 0 },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ struct boot_record *l = NULL;
		size_t n = 0;
		int r = boot_records_parse(cases[i].text, strlen(cases[i].text), &l, &n);

		if (r != cases[i].r || (r == 0 && n != cases[i].n))
			fail_msg("case %zu: r=%d n=%zu", i, r, n);
	}
	assert_int_equal(boot_records_parse("a " ID1 "\n\0", strlen("a " ID1 "\n") + 1,
					    &(struct boot_record *){ NULL }, &(size_t){ 0 }),
			 -EBADMSG);
}

static void test_records_format(void **state)
{
	struct boot_record in[] = { { "klpt_cmdline", ID1 }, { "klpt_version", ID2 } };
	_cleanup_free_ struct boot_record *out = NULL;
	_cleanup_free_ char *text = NULL;
	size_t n = 0;

	assert_int_equal(boot_records_format(in, 2, &text), 0);
	assert_non_null(strstr(text, "\nklpt_cmdline " ID1 "\nklpt_version " ID2 "\n"));
	assert_int_equal(boot_records_parse(text, strlen(text), &out, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(out[0].name, "klpt_cmdline");
	assert_string_equal(out[0].boot_id, ID1);
	assert_string_equal(out[1].name, "klpt_version");
	assert_string_equal(out[1].boot_id, ID2);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_records_files(void **state)
{
	char dir[] = "/tmp/test-boot-load.XXXXXX", path[128];
	struct boot_record in[] = { { "klpt_cmdline", ID1 } };
	_cleanup_free_ struct boot_record *out = NULL;
	struct stat st;
	size_t n = 1;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, BOOT_LOADS_FILE);
	assert_int_equal(boot_records_load(dir, &out, &n), 0);
	assert_int_equal(n, 0);

	assert_int_equal(boot_records_save(dir, in, 1), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(boot_records_load(dir, &out, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].boot_id, ID1);
	free(out);
	out = NULL;

	/* no record left: no file */
	assert_int_equal(boot_records_save(dir, NULL, 0), 0);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(boot_records_save(dir, NULL, 0), 0);

	/* garbage: refused, never a crash */
	write_file(path, "klpt_cmdline yesterday\n");
	assert_int_equal(boot_records_load(dir, &out, &n), -EBADMSG);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

static void test_read_root(void **state)
{
	char root[] = "/tmp/test-boot-root.XXXXXX", path[256];
	char id[BOOT_ID_LEN + 1];
	_cleanup_free_ char *cmdline = NULL;

	assert_non_null(mkdtemp(root));
	assert_int_equal(boot_read_id(root, id), -ENOENT);
	assert_int_equal(boot_read_cmdline(root, &cmdline), -ENOENT);

	snprintf(path, sizeof(path), "mkdir -p %s/proc/sys/kernel/random", root);
	assert_int_equal(system(path), 0);
	snprintf(path, sizeof(path), "%s/proc/cmdline", root);
	write_file(path, "ro quiet klpd.load=0\n");
	snprintf(path, sizeof(path), "%s/proc/sys/kernel/random/boot_id", root);
	write_file(path, ID2 "\n");

	assert_int_equal(boot_read_cmdline(root, &cmdline), 0);
	assert_true(boot_load_disabled_by_cmdline(cmdline));
	assert_int_equal(boot_read_id(root, id), 0);
	assert_string_equal(id, ID2);

	write_file(path, "not-a-boot-id\n");
	assert_int_equal(boot_read_id(root, id), -EBADMSG);

	snprintf(path, sizeof(path), "rm -rf %s", root);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_boot_id),
		cmocka_unit_test(test_records_parse),
		cmocka_unit_test(test_records_format),
		cmocka_unit_test(test_records_files),
		cmocka_unit_test(test_read_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
