/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "conf.h"
#include "macro.h"

/* Parse TEXT as file "t.conf" on top of the defaults. */
static int parse(const char *text, struct config *c, char **error)
{
	assert_int_equal(config_init_defaults(c), 0);
	return config_parse_buffer(c, "t.conf", text, strlen(text), error);
}

static void test_defaults(void **state)
{
	_cleanup_(config_donep) struct config c = {};
	struct policy_settings ps;

	assert_int_equal(parse("", &c, NULL), 0);
	assert_string_equal(c.patch_dirs[0], KLPD_DEFAULT_PATCH_DIR);
	assert_null(c.patch_dirs[1]);
	assert_true(c.load_at_boot);
	assert_int_equal(c.metrics_refresh_usec, 5 * 60 * USEC_PER_SEC);
	assert_null(c.metrics_file);
	assert_int_equal(c.stall_timeout_usec, 60 * USEC_PER_SEC);
	assert_null(config_policy_for(&c, "anything", &ps));
	assert_int_equal(ps.stall_timeout_usec, 60 * USEC_PER_SEC);
	assert_int_equal(ps.on_stall, ON_STALL_REVERT);
	assert_int_equal(ps.force_after_usec, 0);
	assert_true(ps.auto_unload);
	assert_int_equal(ps.unload_delay_usec, 30 * USEC_PER_SEC);
	assert_true(ps.allow_pin);
}

static void test_good(void **state)
{
	_cleanup_(config_donep) struct config c = {};
	_cleanup_free_ char *error = NULL;
	struct policy_settings ps;
	const char *text = "\xef\xbb\xbf# a comment\n"
			   "; another\n"
			   "[Daemon]\n"
			   "PatchDirectories = /srv/patches/  /opt/lp\n"
			   "LoadAtBoot=no\n"
			   "MetricsFile=/var/lib/node_exporter/klpd.prom\n"
			   "MetricsRefresh=1min\n"
			   "\n"
			   "[Policy]\n"
			   "StallTimeout=1min 30s\n"
			   "OnStall=force ; inline comment\n"
			   "ForceAfter=5s\n"
			   "AutoUnload=off\n"
			   "UnloadDelay=infinity\r\n"
			   "AllowPin=false\n"
			   "[Patch:cve-2026-*]\n"
			   "OnStall=wait\n"
			   "[Patch:klpt_?1]\n"
			   "AllowPin=yes\n"
			   "[Patch:*]\n"
			   "UnloadDelay=2s\n";

	if (parse(text, &c, &error) < 0)
		fail_msg("%s", error);
	assert_string_equal(c.patch_dirs[0], "/srv/patches");
	assert_string_equal(c.patch_dirs[1], "/opt/lp");
	assert_null(c.patch_dirs[2]);
	assert_false(c.load_at_boot);
	assert_string_equal(c.metrics_file, "/var/lib/node_exporter/klpd.prom");
	assert_int_equal(c.metrics_refresh_usec, 60 * USEC_PER_SEC);
	assert_int_equal(c.stall_timeout_usec, 90 * USEC_PER_SEC);
	assert_int_equal(c.n_overrides, 3);

	/* first matching section wins; unset keys come from [Policy] */
	assert_string_equal(config_policy_for(&c, "cve_2026_1234", &ps), "cve_2026_*");
	assert_int_equal(ps.on_stall, ON_STALL_WAIT);
	assert_int_equal(ps.stall_timeout_usec, 90 * USEC_PER_SEC);
	assert_int_equal(ps.unload_delay_usec, USEC_INFINITY);
	assert_false(ps.allow_pin);

	assert_string_equal(config_policy_for(&c, "klpt_b1", &ps), "klpt_?1");
	assert_true(ps.allow_pin);
	assert_int_equal(ps.on_stall, ON_STALL_FORCE);
	assert_int_equal(ps.force_after_usec, 5 * USEC_PER_SEC);
	assert_false(ps.auto_unload);

	assert_string_equal(config_policy_for(&c, "klpt_d2", &ps), "*");
	assert_int_equal(ps.unload_delay_usec, 2 * USEC_PER_SEC);
	assert_false(ps.allow_pin);
}

/* Every error class, with its exact message. */
static void test_bad(void **state)
{
	static const struct {
		const char *text;
		const char *error;
	} cases[] = {
		{ "[Policy]\nOnStall=maybe\n",
		  "t.conf:2: key 'OnStall' in section 'Policy': value 'maybe' must be one of wait, "
		  "revert, force" },
		{ "[Policy]\nOnStall=\n",
		  "t.conf:2: key 'OnStall' in section 'Policy': value '' must be one of wait, "
		  "revert, force" },
		{ "[Policy]\nOnStall=Force\n",
		  "t.conf:2: key 'OnStall' in section 'Policy': value 'Force' must be one of wait, "
		  "revert, force" },
		{ "[Policy]\nStallTimeout=0\n",
		  "t.conf:2: key 'StallTimeout' in section 'Policy': value '0' must be a duration "
		  "above 0 such as 90s, 5min, 1h or infinity" },
		{ "[Policy]\nStallTimeout=-5s\n",
		  "t.conf:2: key 'StallTimeout' in section 'Policy': value '-5s' must be a duration "
		  "above 0 such as 90s, 5min, 1h or infinity" },
		{ "[Policy]\nUnloadDelay=5 parsecs\n",
		  "t.conf:2: key 'UnloadDelay' in section 'Policy': value '5 parsecs' must be a "
		  "duration such as 0, 90s, 5min, 1h or infinity" },
		{ "[Policy]\nForceAfter=\n",
		  "t.conf:2: key 'ForceAfter' in section 'Policy': value '' must be a duration such "
		  "as 0, 90s, 5min, 1h or infinity" },
		{ "[Policy]\nAutoUnload=perhaps\n",
		  "t.conf:2: key 'AutoUnload' in section 'Policy': value 'perhaps' must be a boolean "
		  "(yes or no)" },
		{ "[Patch:x*]\nAllowPin=\n",
		  "t.conf:2: key 'AllowPin' in section 'Patch:x*': value '' must be a boolean (yes or "
		  "no)" },
		{ "[Daemon]\nPatchDirectories=\n",
		  "t.conf:2: key 'PatchDirectories' in section 'Daemon': value '' must be one or "
		  "more absolute directories separated by spaces" },
		{ "[Daemon]\nPatchDirectories=/a relative\n",
		  "t.conf:2: key 'PatchDirectories' in section 'Daemon': value '/a relative' must be "
		  "one or more absolute directories separated by spaces" },
		{ "[Daemon]\nPatchDirectories=/a/../etc\n",
		  "t.conf:2: key 'PatchDirectories' in section 'Daemon': value '/a/../etc' must be "
		  "one or more absolute directories separated by spaces" },
		{ "[Daemon]\nMetricsFile=klpd.prom\n",
		  "t.conf:2: key 'MetricsFile' in section 'Daemon': value 'klpd.prom' must be an "
		  "absolute file name, or empty" },
		{ "[Daemon]\nMetricsRefresh=500ms\n",
		  "t.conf:2: key 'MetricsRefresh' in section 'Daemon': value '500ms' must be a "
		  "duration of at least 1s such as 30s, 5min, 1h, or infinity" },
		{ "[Daemon]\nLoadAtBoot=yes # at start\n",
		  "t.conf:2: key 'LoadAtBoot' in section 'Daemon': value 'yes # at start' must be a "
		  "boolean (yes or no)" },
		/* the file's bytes are echoed escaped: never invalid UTF-8 or a
		 * control character in a D-Bus reply, the journal or a terminal */
		{ "[Policy]\nOnStall=\xff\x1b[2J\n",
		  "t.conf:2: key 'OnStall' in section 'Policy': value '\\xff\\x1b[2J' must be one "
		  "of wait, revert, force" },
		{ "[Policy]\nSt\xc3\xa4ll\xe2\x82=1\n",
		  "t.conf:2: unknown key 'St\xc3\xa4ll\\xe2\\x82' in section 'Policy'" },
		/* unknown keys and sections */
		{ "[Policy]\nStallTimout=5s\n", "t.conf:2: unknown key 'StallTimout' in section 'Policy'" },
		{ "[Policy]\nstalltimeout=5s\n",
		  "t.conf:2: unknown key 'stalltimeout' in section 'Policy' (did you mean "
		  "'StallTimeout'?)" },
		{ "[Daemon]\nOnStall=wait\n",
		  "t.conf:2: key 'OnStall' does not belong in section 'Daemon': it goes in [Policy] "
		  "or [Patch:GLOB]" },
		{ "[Patch:a*]\nLoadAtBoot=no\n",
		  "t.conf:2: key 'LoadAtBoot' does not belong in section 'Patch:a*': it goes in "
		  "[Daemon]" },
		{ "OnStall=wait\n",
		  "t.conf:1: key 'OnStall' outside of a section: put it under [Daemon], [Policy] or "
		  "[Patch:GLOB]" },
		{ "\n[Polcy]\n",
		  "t.conf:2: unknown section 'Polcy' (expected Daemon, Policy or Patch:GLOB)" },
		{ "[Polcy]\nOnStall=nonsense\n",
		  "t.conf:1: unknown section 'Polcy' (expected Daemon, Policy or Patch:GLOB)" },
		/* globs */
		{ "[Patch:]\n",
		  "t.conf:1: section 'Patch:': glob '' must be a pattern over module names made of "
		  "letters, digits, '_', '-', '*' and '?'" },
		{ "[Patch:cve_[12]\n",
		  "t.conf:1: section 'Patch:cve_[12': glob 'cve_[12' must be a pattern over module "
		  "names made of letters, digits, '_', '-', '*' and '?'" },
		{ "[Patch:a.b]\n",
		  "t.conf:1: section 'Patch:a.b': glob 'a.b' must be a pattern over module names "
		  "made of letters, digits, '_', '-', '*' and '?'" },
		{ "[Patch:a/b]\n",
		  "t.conf:1: section 'Patch:a/b': glob 'a/b' must be a pattern over module names "
		  "made of letters, digits, '_', '-', '*' and '?'" },
		{ "[Patch:a\\*]\n",
		  "t.conf:1: section 'Patch:a\\*': glob 'a\\*' must be a pattern over module names "
		  "made of letters, digits, '_', '-', '*' and '?'" },
		{ "[Patch:abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij]\n",
		  "t.conf:1: section name 'Patch:abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij' "
		  "is too long (at most 49 characters)" },
		/* duplicates in one file */
		{ "[Policy]\nOnStall=wait\nOnStall=force\n",
		  "t.conf:3: key 'OnStall' in section 'Policy' is set twice in this file" },
		{ "[Policy]\nOnStall=wait\n[Daemon]\n[Policy]\nOnStall=force\n",
		  "t.conf:5: key 'OnStall' in section 'Policy' is set twice in this file" },
		/* syntax, as inih sees it */
		{ "[Policy]\nOnStall\n",
		  "t.conf:2: syntax error: expected [Section], Key=Value or a comment (# or ;)" },
		{ "[Policy\n",
		  "t.conf:1: syntax error: expected [Section], Key=Value or a comment (# or ;)" },
		/* no continuation lines: an indented line is a line */
		{ "[Daemon]\nPatchDirectories=/a\n  /b\n",
		  "t.conf:3: syntax error: expected [Section], Key=Value or a comment (# or ;)" },
		/* several errors: all of them, in line order */
		{ "[Policy]\nOnStall=x\nbroken\nAllowPin=2\n",
		  "t.conf:2: key 'OnStall' in section 'Policy': value 'x' must be one of wait, "
		  "revert, force\n"
		  "t.conf:3: syntax error: expected [Section], Key=Value or a comment (# or ;)\n"
		  "t.conf:4: key 'AllowPin' in section 'Policy': value '2' must be a boolean (yes or "
		  "no)" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_(config_donep) struct config c = {};
		_cleanup_free_ char *error = NULL;
		int r = parse(cases[i].text, &c, &error);

		if (r != -EINVAL || !error || !streq(error, cases[i].error))
			fail_msg("case %zu: r=%d\n got: %s\nwant: %s", i, r, strempty(error),
				 cases[i].error);
	}
}

static void test_line_too_long(void **state)
{
	_cleanup_(config_donep) struct config c = {};
	_cleanup_free_ char *error = NULL, *text = NULL;
	char line[400];

	memset(line, 'a', sizeof(line));
	line[sizeof(line) - 1] = '\0';
	assert_true(asprintf(&text, "[Daemon]\nPatchDirectories=/%s\n[Polcy]\n", line) > 0);
	assert_int_equal(parse(text, &c, &error), -EINVAL);
	/* the long line is reported, and parsing goes on after it */
	assert_non_null(strstr(error, "t.conf:2: line too long (at most "));
	assert_non_null(strstr(error, "\nt.conf:3: unknown section 'Polcy'"));
}

static void test_binary(void **state)
{
	_cleanup_(config_donep) struct config c = {};
	_cleanup_free_ char *error = NULL, *big = NULL;
	static const char bin[] = "[Policy]\nOnStall=wait\n\0\x7f"
				  "ELF";

	assert_int_equal(config_init_defaults(&c), 0);
	assert_int_equal(config_parse_buffer(&c, "t.conf", bin, sizeof(bin) - 1, &error), -EINVAL);
	assert_string_equal(error, "t.conf:3: contains a NUL byte: not a text file");
	free(error);
	error = NULL;

	big = malloc(CONFIG_FILE_MAX + 1);
	assert_non_null(big);
	memset(big, '#', CONFIG_FILE_MAX + 1);
	assert_int_equal(config_parse_buffer(&c, "t.conf", big, CONFIG_FILE_MAX + 1, &error),
			 -EINVAL);
	assert_string_equal(error, "t.conf: file is larger than 1048576 bytes: not a configuration "
				   "file");
}

/* A last line of blanks without a newline, in a buffer with nothing after
 * it (found by fuzz-config: the parser read one byte past the end). */
static void test_last_line_blank(void **state)
{
	static const char *const texts[] = { "[Policy]\nOnStall=wait\n  ", "[Policy]\n\t",
					     " " };

	for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
		_cleanup_(config_donep) struct config c = {};
		_cleanup_free_ char *error = NULL, *buf = NULL;
		size_t n = strlen(texts[i]);

		buf = malloc(n); /* exactly the text: no NUL after it */
		assert_non_null(buf);
		memcpy(buf, texts[i], n);
		assert_int_equal(config_init_defaults(&c), 0);
		assert_int_equal(config_parse_buffer(&c, "t.conf", buf, n, &error), 0);
		assert_null(error);
	}
}

/* --- files: the main file, then drop-ins in lexical order */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_load_files(void **state)
{
	char dir[] = "/tmp/test-config.XXXXXX", path[256], dropins[256];
	_cleanup_(config_donep) struct config c = {};
	_cleanup_free_ char *error = NULL;
	struct policy_settings ps;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/klpd.conf", dir);
	snprintf(dropins, sizeof(dropins), "%s/klpd.conf.d", dir);

	/* nothing at all: the defaults */
	assert_int_equal(config_load(path, &c, &error), 0);
	assert_int_equal(c.policy.on_stall, ON_STALL_REVERT);
	config_done(&c);

	/* a file without drop-in directory */
	write_file(path, "[Policy]\nOnStall=x\n");
	assert_int_equal(config_load(path, &c, &error), -EINVAL);
	assert_string_equal(error + strlen(dir), "/klpd.conf:2: key 'OnStall' in section 'Policy': "
						 "value 'x' must be one of wait, revert, force");
	free(error);
	error = NULL;
	write_file(path, "[Policy]\nOnStall=wait\n");
	assert_int_equal(config_load(path, &c, &error), 0);
	assert_int_equal(c.policy.on_stall, ON_STALL_WAIT);
	config_done(&c);

	write_file(path, "[Policy]\nOnStall=wait\nUnloadDelay=10s\n[Patch:a*]\nAllowPin=no\n");
	assert_int_equal(mkdir(dropins, 0755), 0);
	/* later wins, even for keys set in an earlier file; the same key in
	 * two files is no duplicate */
	{
		char p1[300], p2[300], p3[300];

		snprintf(p1, sizeof(p1), "%s/20-b.conf", dropins);
		snprintf(p2, sizeof(p2), "%s/10-a.conf", dropins);
		snprintf(p3, sizeof(p3), "%s/30-ignored.conf.bak", dropins);
		write_file(p1, "[Policy]\nOnStall=force\n[Patch:a*]\nUnloadDelay=1s\n");
		write_file(p2, "[Policy]\nOnStall=revert\nUnloadDelay=20s\n");
		write_file(p3, "this is not parsed\n");
	}
	assert_int_equal(config_load(path, &c, &error), 0);
	assert_null(error);
	assert_int_equal(c.policy.on_stall, ON_STALL_FORCE);
	assert_int_equal(c.policy.unload_delay_usec, 20 * USEC_PER_SEC);
	assert_int_equal(c.n_overrides, 1);
	assert_string_equal(config_policy_for(&c, "abc", &ps), "a*");
	assert_false(ps.allow_pin);
	assert_int_equal(ps.unload_delay_usec, 1 * USEC_PER_SEC);
	config_done(&c);

	/* an error in a drop-in names the drop-in; RET stays empty */
	{
		char p[300];

		snprintf(p, sizeof(p), "%s/40-bad.conf", dropins);
		write_file(p, "\n[Policy]\nUnloadDelay=soon\n");
		assert_int_equal(config_load(path, &c, &error), -EINVAL);
		assert_string_equal(error + strlen(dir),
				    "/klpd.conf.d/40-bad.conf:3: key 'UnloadDelay' in section "
				    "'Policy': value 'soon' must be a duration such as 0, 90s, 5min, "
				    "1h or infinity");
		assert_null(c.patch_dirs);
		unlink(p);
	}
	free(error);
	error = NULL;

	/* every file is read: the errors of all of them at once */
	write_file(path, "[Policy]\nOnStall=x\n");
	{
		char p[300];

		snprintf(p, sizeof(p), "%s/45-bad.conf", dropins);
		write_file(p, "[Daemon]\nLoadAtBoot=x\n");
		assert_int_equal(config_load(path, &c, &error), -EINVAL);
		assert_non_null(strstr(error, "/klpd.conf:2: key 'OnStall'"));
		assert_non_null(strstr(error, "\n"));
		assert_non_null(strstr(error, "/klpd.conf.d/45-bad.conf:2: key 'LoadAtBoot'"));
		unlink(p);
	}
	free(error);
	error = NULL;
	write_file(path, "");

	/* not a regular file */
	{
		char p[300];

		snprintf(p, sizeof(p), "%s/50-dir.conf", dropins);
		assert_int_equal(mkdir(p, 0755), 0);
		assert_int_equal(config_load(path, &c, &error), -EINVAL);
		assert_string_equal(error + strlen(dir), "/klpd.conf.d/50-dir.conf: not a regular file");
		rmdir(p);
	}

	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

/* conf/klpd.conf shows every key at its default: with the keys uncommented
 * (not the example override at its end) it parses to the defaults. */
static void test_shipped_file(void **state)
{
	_cleanup_(config_donep) struct config c = {}, d = {};
	_cleanup_free_ char *path = NULL, *text = NULL, *error = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	const char *srcdir = getenv("top_srcdir");
	char line[512];
	size_t len = 0, n_keys = 0;

	assert_true(asprintf(&path, "%s/conf/klpd.conf", srcdir ? srcdir : ".") > 0);
	f = fopen(path, "re");
	assert_non_null(f);
	text = calloc(1, 64 * 1024);
	assert_non_null(text);
	while (fgets(line, sizeof(line), f)) {
		const char *l = line;

		if (strncmp(line, "#[Patch:", 8) == 0)
			break;
		if (line[0] == '#' && line[1] >= 'A' && line[1] <= 'Z' && strchr(line, '=')) {
			l = line + 1;
			n_keys++;
		}
		assert_true(len + strlen(l) < 64 * 1024);
		len += (size_t)sprintf(text + len, "%s", l);
	}
	assert_int_equal(n_keys, 10); /* every key there is */
	assert_int_equal(config_init_defaults(&c), 0);
	if (config_parse_buffer(&c, path, text, len, &error) < 0)
		fail_msg("%s", error);
	assert_int_equal(config_init_defaults(&d), 0);
	assert_string_equal(c.patch_dirs[0], "/var/lib/klpd/patches");
	assert_null(c.patch_dirs[1]);
	assert_int_equal(c.load_at_boot, d.load_at_boot);
	assert_null(c.metrics_file);
	assert_int_equal(c.metrics_refresh_usec, d.metrics_refresh_usec);
	assert_int_equal(c.policy.stall_timeout_usec, d.policy.stall_timeout_usec);
	assert_int_equal(c.policy.on_stall, d.policy.on_stall);
	assert_int_equal(c.policy.force_after_usec, d.policy.force_after_usec);
	assert_int_equal(c.policy.auto_unload, d.policy.auto_unload);
	assert_int_equal(c.policy.unload_delay_usec, d.policy.unload_delay_usec);
	assert_int_equal(c.policy.allow_pin, d.policy.allow_pin);
	assert_int_equal(c.n_overrides, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),       cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),            cmocka_unit_test(test_line_too_long),
		cmocka_unit_test(test_binary),         cmocka_unit_test(test_last_line_blank),
		cmocka_unit_test(test_load_files),     cmocka_unit_test(test_shipped_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
