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

/* The health window's keys, per patch too; LoadAtBoot= takes accepted. */
static void test_health_keys(void **state)
{
	_cleanup_(config_donep) struct config c = {};
	struct policy_settings ps;

	assert_int_equal(parse("[Daemon]\nLoadAtBoot=accepted\n"
			       "[Policy]\nHealthWindow=5min\nOnKernelWarning=revert\n"
			       "[Patch:canary_*]\nHealthAttribution=window\nHealthWindow=0\n"
			       "OnKernelWarning=ignore\n",
			       &c, NULL),
			 0);
	assert_int_equal(c.load_at_boot, LOAD_AT_BOOT_ACCEPTED);
	assert_null(config_policy_for(&c, "cve_1", &ps));
	assert_int_equal(ps.health_window_usec, 5 * 60 * USEC_PER_SEC);
	assert_int_equal(ps.health_attribution, HEALTH_ATTRIBUTION_STACK);
	assert_int_equal(ps.on_kernel_warning, ON_KERNEL_WARNING_REVERT);
	assert_non_null(config_policy_for(&c, "canary_1", &ps));
	assert_int_equal(ps.health_window_usec, 0);
	assert_int_equal(ps.health_attribution, HEALTH_ATTRIBUTION_WINDOW);
	assert_int_equal(ps.on_kernel_warning, ON_KERNEL_WARNING_IGNORE);
	config_done(&c);
	assert_int_equal(parse("[Daemon]\nLoadAtBoot=off\n", &c, NULL), 0);
	assert_int_equal(c.load_at_boot, LOAD_AT_BOOT_NO);
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
	assert_int_equal(ps.force_windows.n, 0);
	assert_int_equal(ps.force_window_max_wait_usec, USEC_INFINITY);
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
			   "[Policy] ; a comment after a header, even with [brackets]\n"
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
		/* ForceWindow= says what is wrong in the window */
		{ "[Policy]\nForceWindow=Mon..Fri 02:00-04:00\nForceWindow=Mox 02:00-04:00\n",
		  "t.conf:3: key 'ForceWindow' in section 'Policy': value 'Mox 02:00-04:00': 'Mox' "
		  "is not a weekday: expected Mon, Tue, Wed, Thu, Fri, Sat or Sun" },
		{ "[Patch:x*]\nForceWindow=Sat,Sun 25:00-06:00\n",
		  "t.conf:2: key 'ForceWindow' in section 'Patch:x*': value 'Sat,Sun 25:00-06:00': "
		  "start '25:00' must be a time of day from 00:00 to 23:59" },
		{ "[Policy]\nForceWindow=02:00-04:00 # nights\n",
		  "t.conf:2: key 'ForceWindow' in section 'Policy': value '02:00-04:00 # nights': "
		  "unexpected '# nights' after the time range ('#' starts a comment only at the "
		  "start of a line)" },
		{ "[Daemon]\nForceWindow=02:00-04:00\n",
		  "t.conf:2: key 'ForceWindow' does not belong in section 'Daemon': it goes in "
		  "[Policy] or [Patch:GLOB]" },
		{ "[Policy]\nForceWindowMaxWait=soon\n",
		  "t.conf:2: key 'ForceWindowMaxWait' in section 'Policy': value 'soon' must be a "
		  "duration such as 0, 90s, 5min, 1h or infinity" },
		/* the entry that is wrong is named */
		{ "[Daemon]\nPatchDirectories=/a relative\n",
		  "t.conf:2: key 'PatchDirectories' in section 'Daemon': entry 'relative' of value "
		  "'/a relative' must be an absolute directory without '.', '..' or empty "
		  "components" },
		{ "[Daemon]\nPatchDirectories=relative/dir /ok\n",
		  "t.conf:2: key 'PatchDirectories' in section 'Daemon': entry 'relative/dir' of "
		  "value 'relative/dir /ok' must be an absolute directory without '.', '..' or "
		  "empty components" },
		{ "[Daemon]\nPatchDirectories=/ok /a/../etc\n",
		  "t.conf:2: key 'PatchDirectories' in section 'Daemon': entry '/a/../etc' of value "
		  "'/ok /a/../etc' must be an absolute directory without '.', '..' or empty "
		  "components" },
		{ "[Daemon]\nPatchDirectories=/a # the main one\n",
		  "t.conf:2: key 'PatchDirectories' in section 'Daemon': entry '#' of value '/a # "
		  "the main one' must be an absolute directory without '.', '..' or empty "
		  "components ('#' starts a comment only at the start of a line)" },
		{ "[Daemon]\nMetricsFile=klpd.prom\n",
		  "t.conf:2: key 'MetricsFile' in section 'Daemon': value 'klpd.prom' must be an "
		  "absolute file name, or empty" },
		{ "[Daemon]\nMetricsRefresh=500ms\n",
		  "t.conf:2: key 'MetricsRefresh' in section 'Daemon': value '500ms' must be a "
		  "duration of at least 1s such as 30s, 5min, 1h, or infinity" },
		{ "[Daemon]\nLoadAtBoot=maybe\n",
		  "t.conf:2: key 'LoadAtBoot' in section 'Daemon': value 'maybe' must be a "
		  "boolean (yes or no) or accepted" },
		{ "[Policy]\nOnKernelWarning=panic\n",
		  "t.conf:2: key 'OnKernelWarning' in section 'Policy': value 'panic' must be one "
		  "of report, revert, ignore" },
		{ "[Patch:x]\nHealthAttribution=blame\n",
		  "t.conf:2: key 'HealthAttribution' in section 'Patch:x': value 'blame' must be one "
		  "of stack, window" },
		{ "[Policy]\nHealthWindow=soon\n",
		  "t.conf:2: key 'HealthWindow' in section 'Policy': value 'soon' must be a "
		  "duration such as 0, 90s, 5min, 1h or infinity" },
		/* '#' after a value is no comment: said so */
		{ "[Daemon]\nLoadAtBoot=yes # at start\n",
		  "t.conf:2: key 'LoadAtBoot' in section 'Daemon': value 'yes # at start' must be a "
		  "boolean (yes or no) or accepted ('#' starts a comment only at the start of a line)" },
		{ "[Policy]\nOnStall=revert\t# note\n",
		  "t.conf:2: key 'OnStall' in section 'Policy': value 'revert\\x09# note' must be one "
		  "of wait, revert, force ('#' starts a comment only at the start of a line)" },
		{ "[Policy]\nOnStall=revert#1\n",
		  "t.conf:2: key 'OnStall' in section 'Policy': value 'revert#1' must be one of wait, "
		  "revert, force" },
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
		/* the header ends at its last ']': the glob is shown whole */
		{ "[Patch:cve[12]*]\n",
		  "t.conf:1: section 'Patch:cve[12]*': glob 'cve[12]*' must be a pattern over "
		  "module names made of letters, digits, '_', '-', '*' and '?'" },
		{ "[Patch:x[1] # a comment [y]\n",
		  "t.conf:1: section 'Patch:x[1': glob 'x[1' must be a pattern over module names "
		  "made of letters, digits, '_', '-', '*' and '?'" },
		{ "[Patch:a\\*]\n",
		  "t.conf:1: section 'Patch:a\\*': glob 'a\\*' must be a pattern over module names "
		  "made of letters, digits, '_', '-', '*' and '?'" },
		{ "[Patch:abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij_*****]\n",
		  "t.conf:1: section 'Patch:abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij_*****': "
		  "glob 'abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij_*****' is longer than a "
		  "module name (at most 55 characters)" },
		/* syntax, as inih sees it */
		{ "[Policy]\nOnStall\n",
		  "t.conf:2: syntax error: expected [Section], Key=Value or a comment (# or ;)" },
		{ "[Policy\n",
		  "t.conf:1: syntax error: expected [Section], Key=Value or a comment (# or ;)" },
		/* the keys after a broken header are not taken for another section's */
		{ "[Daemon]\n[Policy\nOnStall=x\nLoadAtBoot=maybe\n",
		  "t.conf:2: syntax error: expected [Section], Key=Value or a comment (# or ;)" },
		/* no inih continuation: an indented line is a line of its own */
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

/* No limit on a line's or a section name's length: inih's buffer is not
 * klpd's. */
static void test_long_lines(void **state)
{
	_cleanup_(config_donep) struct config c = {};
	_cleanup_free_ char *error = NULL, *text = NULL;
	char dir[400];
	const char *glob = "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij_*";

	memset(dir, 'a', sizeof(dir));
	dir[sizeof(dir) - 1] = '\0';
	assert_true(asprintf(&text,
			     "[Daemon]\n"
			     "PatchDirectories=/%s /srv/livepatches/vendor-one "
			     "/srv/livepatches/vendor-two /srv/livepatches/vendor-three "
			     "/var/lib/klpd/patches/local /opt/livepatches\n"
			     "[Patch:%s]\n"
			     "OnStall=force\n"
			     "[Polcy]\n",
			     dir, glob) > 0);
	assert_true(strlen(strchr(text, '\n') + 1) > 600);
	assert_int_equal(parse(text, &c, &error), -EINVAL);
	/* only the last line is wrong, and parsing went on to it */
	assert_string_equal(error, "t.conf:5: unknown section 'Polcy' (expected Daemon, Policy or "
				   "Patch:GLOB)");
	assert_int_equal(strlen(c.patch_dirs[0]), sizeof(dir));
	assert_string_equal(c.patch_dirs[5], "/opt/livepatches");
	assert_null(c.patch_dirs[6]);
	assert_int_equal(c.n_overrides, 1);
	assert_string_equal(c.overrides[0].glob, glob);
}

/* A line ending in a backslash goes on in the next one, as in systemd. */
static void test_continuation(void **state)
{
	_cleanup_(config_donep) struct config c = {};
	_cleanup_free_ char *error = NULL;
	struct policy_settings ps;
	const char *text = "[Daemon]\n"
			   "PatchDirectories=/a \\\n"
			   "  /b\\\n"
			   "# a comment line inside is skipped \\\n"
			   "; so is this one\n"
			   "  /c\n"
			   "MetricsFile=/m\\\\\n" /* an escaped backslash ends the line */
			   "[Policy]\n"
			   "StallTimeout=1h\\\r\n"
			   "30min\r\n"
			   "# a backslash ends no comment \\\n"
			   "OnStall=force\n"
			   "[Patch:x*]\\\n"
			   "\n"
			   "OnStall=wait\n";

	if (parse(text, &c, &error) < 0)
		fail_msg("%s", error);
	assert_string_equal(c.patch_dirs[0], "/a");
	assert_string_equal(c.patch_dirs[1], "/b");
	assert_string_equal(c.patch_dirs[2], "/c");
	assert_null(c.patch_dirs[3]);
	assert_int_equal(c.patch_dirs_where[2].line, 2);
	assert_string_equal(c.metrics_file, "/m\\\\");
	assert_int_equal(c.policy.stall_timeout_usec, 90 * 60 * USEC_PER_SEC);
	assert_int_equal(c.policy_where[POLICY_STALL_TIMEOUT].line, 9);
	assert_int_equal(c.policy.on_stall, ON_STALL_FORCE);
	assert_int_equal(c.policy_where[POLICY_ON_STALL].line, 12);
	assert_string_equal(config_policy_for(&c, "xy", &ps), "x*");
	assert_int_equal(ps.on_stall, ON_STALL_WAIT);

	/* an error is reported at the first line of the logical one */
	config_done(&c);
	assert_int_equal(parse("[Policy]\n\nOnStall=\\\nrevert \\\n  # note\nsoon\n", &c, &error),
			 -EINVAL);
	assert_string_equal(error, "t.conf:3: key 'OnStall' in section 'Policy': value 'revert  "
				   "soon' must be one of wait, revert, force");
	free(error);
	error = NULL;
	config_done(&c);
	assert_int_equal(parse("[Policy]\nOnStall=wait\\\n[Daemon]\nLoadAtBoot=no\n", &c, &error),
			 -EINVAL);
	assert_string_equal(error, "t.conf:2: key 'OnStall' in section 'Policy': value 'wait "
				   "[Daemon]' must be one of wait, revert, force\n"
				   "t.conf:4: key 'LoadAtBoot' does not belong in section 'Policy': "
				   "it goes in [Daemon]");
}

/* A key set again: the last value wins; PatchDirectories= appends, an empty
 * assignment empties it, the first one replaces the built-in default. */
static void test_repeated_keys(void **state)
{
	static const struct {
		const char *text;
		const char *dirs; /* patch_dirs, joined by blanks */
	} cases[] = {
		{ "", KLPD_DEFAULT_PATCH_DIR },
		{ "[Daemon]\nPatchDirectories=/a\n", "/a" },
		{ "[Daemon]\nPatchDirectories=/a\nPatchDirectories=/b /c\n", "/a /b /c" },
		{ "[Daemon]\nPatchDirectories=/a /b\nPatchDirectories=/b/ /a /d\n", "/a /b /d" },
		{ "[Daemon]\nPatchDirectories=/a\nPatchDirectories=\nPatchDirectories=/b\n", "/b" },
		{ "[Daemon]\nPatchDirectories=/a\nPatchDirectories=\n", "" },
		{ "[Daemon]\nPatchDirectories=\n", "" },
		{ "[Daemon]\nPatchDirectories=/a\n[Policy]\n[Daemon]\nPatchDirectories=/b\n", "/a /b" },
		/* a bad entry changes nothing of the list */
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_(config_donep) struct config c = {};
		_cleanup_free_ char *error = NULL;
		char got[256] = "";

		if (parse(cases[i].text, &c, &error) < 0)
			fail_msg("case %zu: %s", i, error);
		for (char **d = c.patch_dirs; *d; d++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
				 d == c.patch_dirs ? "" : " ", *d);
		if (!streq(got, cases[i].dirs))
			fail_msg("case %zu: got '%s', want '%s'", i, got, cases[i].dirs);
	}

	{
		_cleanup_(config_donep) struct config c = {};
		_cleanup_free_ char *error = NULL;
		struct policy_settings ps;

		if (parse("[Policy]\nOnStall=wait\nStallTimeout=5s\nOnStall=force\n"
			  "[Patch:a*]\nAllowPin=no\n[Daemon]\nLoadAtBoot=no\nLoadAtBoot=yes\n"
			  "[Policy]\nOnStall=revert\n[Patch:a*]\nAllowPin=yes\n",
			  &c, &error) < 0)
			fail_msg("%s", error);
		assert_int_equal(c.policy.on_stall, ON_STALL_REVERT);
		assert_int_equal(c.policy_where[POLICY_ON_STALL].line, 11);
		assert_int_equal(c.policy.stall_timeout_usec, 5 * USEC_PER_SEC);
		assert_true(c.load_at_boot);
		assert_int_equal(c.daemon_where[DAEMON_LOAD_AT_BOOT].line, 9);
		assert_int_equal(c.n_overrides, 1);
		assert_string_equal(config_policy_for(&c, "ab", &ps), "a*");
		assert_true(ps.allow_pin);
		assert_int_equal(c.overrides[0].where[POLICY_ALLOW_PIN].line, 13);
		assert_int_equal(c.overrides[0].header.line, 5);
	}
}

/* ForceWindow= appends, as PatchDirectories= does; an override's list
 * replaces [Policy]'s. */
static void test_force_windows(void **state)
{
	_cleanup_(config_donep) struct config c = {};
	_cleanup_free_ char *error = NULL, *many = NULL;
	struct policy_settings ps;
	size_t n = 0;

	if (parse("[Policy]\nForceWindow=Mon..Fri 02:00-04:00\nForceWindow=Sat,Sun 00:00-06:00\n"
		  "ForceWindow=mon..fri 2:00-4:00\nForceWindowMaxWait=1d\n"
		  "[Patch:a*]\nForceWindow=22:00-02:00\n[Patch:b*]\nForceWindow=\n"
		  "[Patch:c*]\nForceWindowMaxWait=0\n"
		  "[Patch:d*]\nForceWindow=01:00-02:00\nForceWindow=\nForceWindow=03:00-04:00\n",
		  &c, &error) < 0)
		fail_msg("%s", error);
	assert_int_equal(c.policy.force_windows.n, 2);
	assert_int_equal(c.policy.force_windows.w[0].start, 120);
	assert_int_equal(c.policy.force_windows.w[0].end, 240);
	assert_int_equal(c.policy.force_windows.w[0].days, 0x3e);
	assert_int_equal(c.policy.force_windows.w[1].days, 0x41);
	assert_int_equal(c.force_window_where[1].line, 3);
	assert_int_equal(c.policy_where[POLICY_FORCE_WINDOW].line, 4);
	assert_int_equal(c.policy.force_window_max_wait_usec, 24 * 3600 * USEC_PER_SEC);

	assert_string_equal(config_policy_for(&c, "a1", &ps), "a*");
	assert_int_equal(ps.force_windows.n, 1);
	assert_int_equal(ps.force_windows.w[0].start, 22 * 60);
	assert_int_equal(ps.force_window_max_wait_usec, 24 * 3600 * USEC_PER_SEC);
	assert_string_equal(config_policy_for(&c, "b1", &ps), "b*");
	assert_int_equal(ps.force_windows.n, 0);
	assert_string_equal(config_policy_for(&c, "c1", &ps), "c*");
	assert_int_equal(ps.force_windows.n, 2);
	assert_int_equal(ps.force_window_max_wait_usec, 0);
	assert_string_equal(config_policy_for(&c, "d1", &ps), "d*");
	assert_int_equal(ps.force_windows.n, 1);
	assert_int_equal(ps.force_windows.w[0].start, 3 * 60);
	assert_int_equal(c.overrides[3].force_window_where[0].line, 15);

	/* a list has room for FORCE_WINDOWS_MAX */
	config_done(&c);
	many = calloc(FORCE_WINDOWS_MAX + 2, 32);
	assert_non_null(many);
	n = (size_t)sprintf(many, "[Policy]\n");
	for (int i = 0; i <= FORCE_WINDOWS_MAX; i++)
		n += (size_t)sprintf(many + n, "ForceWindow=%02d:00-%02d:30\n", i % 24, i % 24 + i / 24);
	free(error);
	error = NULL;
	assert_int_equal(parse(many, &c, &error), -EINVAL);
	assert_non_null(strstr(error, "t.conf:34: key 'ForceWindow' in section 'Policy': value "
				      "'08:00-09:30': more than 32 windows"));
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

	/* nothing at all: the defaults, and no file read (klpd --check-config
	 * says so) */
	assert_int_equal(config_load(path, &c, &error), 0);
	assert_int_equal(c.policy.on_stall, ON_STALL_REVERT);
	assert_int_equal(c.n_sources, 0);
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
	assert_int_equal(c.n_sources, 1);
	assert_string_equal(c.sources[0], path);
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

/* Drop-ins from three directories, by systemd's convention: /etc's masks
 * /run's and /usr/lib's of the same name, /run's masks /usr/lib's, a link
 * to /dev/null masks without setting anything; all read in the order of
 * their names, after the main file. */
static void test_dropin_dirs(void **state)
{
	char top[] = "/tmp/test-config.XXXXXX", path[256], etc[256], run[256], lib[256];
	const char *dirs[] = { etc, run, lib, NULL };
	_cleanup_(config_donep) struct config c = {};
	_cleanup_(config_texts_donep) struct config_texts t = {};
	_cleanup_free_ char *error = NULL;
	struct {
		const char *dir, *name, *text;
	} files[] = {
		{ lib, "10-vendor.conf", "[Daemon]\nPatchDirectories=/vendor\n" },
		{ lib, "20-masked.conf", "[Policy]\nOnStall=nonsense\n" },
		{ run, "20-masked.conf", "[Policy]\nOnStall=nonsense too\n" },
		{ etc, "20-masked.conf", "[Policy]\nUnloadDelay=1min\n" },
		{ lib, "30-run.conf", "[Policy]\nOnStall=nonsense\n" },
		{ run, "30-run.conf", "[Policy]\nOnStall=force\nUnloadDelay=2min\n" },
		{ lib, "40-nulled.conf", "[Policy]\nOnStall=nonsense\n" },
		{ etc, "50-etc.conf", "[Daemon]\nPatchDirectories=/etc-dir\n" },
		{ lib, "60-last.conf", "[Policy]\nAllowPin=no\n" },
	};
	char cmd[600];

	assert_non_null(mkdtemp(top));
	snprintf(path, sizeof(path), "%s/klpd.conf", top);
	snprintf(etc, sizeof(etc), "%s/klpd.conf.d", top);
	snprintf(run, sizeof(run), "%s/run", top);
	snprintf(lib, sizeof(lib), "%s/lib", top);
	assert_int_equal(mkdir(etc, 0755), 0);
	assert_int_equal(mkdir(run, 0755), 0);
	assert_int_equal(mkdir(lib, 0755), 0);
	write_file(path, "[Policy]\nOnStall=wait\nAllowPin=yes\n");
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		char p[400];

		snprintf(p, sizeof(p), "%s/%s", files[i].dir, files[i].name);
		write_file(p, files[i].text);
	}
	snprintf(cmd, sizeof(cmd), "%s/40-nulled.conf", etc);
	assert_int_equal(symlink("/dev/null", cmd), 0);

	if (config_load_dirs(path, dirs, &c, &t, &error) < 0)
		fail_msg("%s", error);
	assert_int_equal(t.n, 7);
	assert_string_equal(t.files[0].name, path);
	assert_string_equal(t.files[1].name + strlen(top), "/lib/10-vendor.conf");
	assert_string_equal(t.files[2].name + strlen(top), "/klpd.conf.d/20-masked.conf");
	assert_string_equal(t.files[3].name + strlen(top), "/run/30-run.conf");
	assert_string_equal(t.files[4].name + strlen(top), "/klpd.conf.d/40-nulled.conf");
	assert_string_equal(t.files[5].name + strlen(top), "/klpd.conf.d/50-etc.conf");
	assert_string_equal(t.files[6].name + strlen(top), "/lib/60-last.conf");
	assert_int_equal(t.files[4].len, 0);
	assert_int_equal(c.n_sources, 7);
	assert_int_equal(c.policy.on_stall, ON_STALL_FORCE);
	assert_int_equal(c.policy.unload_delay_usec, 2 * 60 * USEC_PER_SEC);
	assert_false(c.policy.allow_pin);
	/* the list grows from file to file */
	assert_string_equal(c.patch_dirs[0], "/vendor");
	assert_string_equal(c.patch_dirs[1], "/etc-dir");
	assert_null(c.patch_dirs[2]);
	assert_string_equal(c.patch_dirs_where[1].file + strlen(top), "/klpd.conf.d/50-etc.conf");
	assert_int_equal(c.patch_dirs_where[1].line, 2);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	assert_int_equal(system(cmd), 0);
}

/* klpd --dump-config: every value with where it was set; it reads back as
 * the same configuration. */
static void test_dump(void **state)
{
	_cleanup_(config_donep) struct config c = {}, d = {};
	_cleanup_free_ char *error = NULL, *out = NULL;
	size_t n = 0;
	FILE *f;
	const char *text = "[Daemon]\n"
			   "PatchDirectories=/srv/a\n"
			   "PatchDirectories=/srv/b\n"
			   "MetricsRefresh=90s\n"
			   "[Policy]\n"
			   "StallTimeout=2min\n"
			   "ForceWindow=Mon..Fri 2:00-04:00\n"
			   "ForceWindow=Sat,Sun 00:00-06:00\n"
			   "[Patch:cve-*]\n"
			   "OnStall=force\n"
			   "ForceAfter=1h 30min\n"
			   "ForceWindow=\n"
			   "ForceWindowMaxWait=48h\n"
			   "[Patch:*]\n"
			   "AutoUnload=no\n";
	static const char want[] =
		"[Daemon]\n"
		"PatchDirectories=/srv/a          ; t.conf:2\n"
		"PatchDirectories=/srv/b          ; t.conf:3\n"
		"LoadAtBoot=yes                   ; default\n"
		"MetricsFile=                     ; default\n"
		"MetricsRefresh=1min 30s          ; t.conf:4\n"
		"\n"
		"[Policy]\n"
		"StallTimeout=2min                ; t.conf:6\n"
		"OnStall=revert                   ; default\n"
		"ForceAfter=0                     ; default\n"
		"ForceWindow=Mon..Fri 02:00-04:00 ; t.conf:7\n"
		"ForceWindow=Sat,Sun 00:00-06:00  ; t.conf:8\n"
		"ForceWindowMaxWait=infinity      ; default\n"
		"AllowPin=yes                     ; default\n"
		"AutoUnload=yes                   ; default\n"
		"UnloadDelay=30s                  ; default\n"
		"HealthWindow=10min               ; default\n"
		"HealthAttribution=stack          ; default\n"
		"OnKernelWarning=report           ; default\n"
		"\n"
		"[Patch:cve_*]\n"
		"OnStall=force                    ; t.conf:10\n"
		"ForceAfter=1h 30min              ; t.conf:11\n"
		"ForceWindow=                     ; t.conf:12\n"
		"ForceWindowMaxWait=2d            ; t.conf:13\n"
		"\n"
		"[Patch:*]\n"
		"AutoUnload=no                    ; t.conf:15\n";
	static const char want_patch[] =
		"# cve_2026_1: [Policy] with [Patch:cve_*] of t.conf:9\n"
		"[Patch:cve_2026_1]\n"
		"StallTimeout=2min                ; t.conf:6\n"
		"OnStall=force                    ; t.conf:10\n"
		"ForceAfter=1h 30min              ; t.conf:11\n"
		"ForceWindow=                     ; t.conf:12\n"
		"ForceWindowMaxWait=2d            ; t.conf:13\n"
		"AllowPin=yes                     ; default\n"
		"AutoUnload=yes                   ; default\n"
		"UnloadDelay=30s                  ; default\n"
		"HealthWindow=10min               ; default\n"
		"HealthAttribution=stack          ; default\n"
		"OnKernelWarning=report           ; default\n";

	if (parse(text, &c, &error) < 0)
		fail_msg("%s", error);
	f = open_memstream(&out, &n);
	assert_non_null(f);
	assert_int_equal(config_dump(&c, NULL, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(out, want);

	/* read back: the same values, all of them set where the dump says */
	if (parse(out, &d, &error) < 0)
		fail_msg("%s", error);
	assert_string_equal(d.patch_dirs[0], "/srv/a");
	assert_string_equal(d.patch_dirs[1], "/srv/b");
	assert_null(d.patch_dirs[2]);
	assert_int_equal(d.metrics_refresh_usec, 90 * USEC_PER_SEC);
	assert_int_equal(memcmp(&d.policy, &c.policy, sizeof(c.policy)), 0);
	assert_int_equal(d.n_overrides, 2);
	assert_int_equal(d.overrides[0].set, c.overrides[0].set);
	assert_int_equal(d.overrides[0].settings.force_after_usec, 90 * 60 * USEC_PER_SEC);
	assert_int_equal(d.overrides[1].set, POLICY_KEY_AUTO_UNLOAD);
	assert_int_equal(d.policy_where[POLICY_UNLOAD_DELAY].line, 17);
	assert_int_equal(d.force_window_where[1].line, 13);
	assert_int_equal(d.overrides[0].settings.force_windows.n, 0);

	/* a patch the windows of [Policy] apply to */
	free(out);
	out = NULL;
	f = open_memstream(&out, &n);
	assert_non_null(f);
	assert_int_equal(config_dump(&c, "klpt_x", f), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(out, "ForceWindow=Mon..Fri 02:00-04:00 ; t.conf:7\n"
				    "ForceWindow=Sat,Sun 00:00-06:00  ; t.conf:8\n"
				    "ForceWindowMaxWait=infinity      ; default\n"));

	free(out);
	out = NULL;
	f = open_memstream(&out, &n);
	assert_non_null(f);
	assert_int_equal(config_dump(&c, "cve-2026-1", f), 0);
	assert_int_equal(config_dump(&c, "not/a/module", f), -EINVAL);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(out, want_patch);

	free(out);
	out = NULL;
	config_done(&c);
	assert_int_equal(parse("[Daemon]\nPatchDirectories=\n", &c, &error), 0);
	f = open_memstream(&out, &n);
	assert_non_null(f);
	assert_int_equal(config_dump(&c, "klpt_x", f), 0);
	assert_int_equal(config_dump(&c, NULL, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(out, "# klpt_x: [Policy]; no [Patch:GLOB] section matches\n"
				    "[Patch:klpt_x]\n"
				    "StallTimeout=1min                ; default\n"));
	assert_non_null(strstr(out, "\n[Daemon]\nPatchDirectories=                ; t.conf:2\n"));
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
	assert_int_equal(n_keys, 15); /* every key there is */
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
	assert_int_equal(c.policy.force_windows.n, 0);
	assert_int_equal(c.policy.force_window_max_wait_usec, d.policy.force_window_max_wait_usec);
	assert_int_equal(c.n_overrides, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_health_keys),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),            cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_continuation),     cmocka_unit_test(test_repeated_keys),
		cmocka_unit_test(test_force_windows),
		cmocka_unit_test(test_binary),         cmocka_unit_test(test_last_line_blank),
		cmocka_unit_test(test_load_files),
		cmocka_unit_test(test_dropin_dirs),      cmocka_unit_test(test_dump),     cmocka_unit_test(test_shipped_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
