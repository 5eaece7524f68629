/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Metrics for node_exporter: the exact text of a snapshot, the counters
 * behind it, and the atomic write of the file. */
#include <dirent.h>
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

#include "macro.h"
#include "metrics.h"

/* The text for no patch and every counter at zero. Each later case is
 * this with some lines changed, so the whole text is checked each time. */
#define HEAD_PATCH_INFO                                                                   \
	"# HELP klpd_patch_info Livepatch modules klpd sees, one per module, with the state " \
	"of its patch.\n"                                                                 \
	"# TYPE klpd_patch_info gauge\n"
#define HEAD_TRANSITIONS                                                                  \
	"# HELP klpd_transitions_total Livepatch transitions that ended since klpd started, " \
	"by how they ended.\n"                                                            \
	"# TYPE klpd_transitions_total counter\n"
#define HEAD_DURATION                                                                     \
	"# HELP klpd_transition_duration_seconds How long livepatch transitions took, from "  \
	"start to end, since klpd started.\n"                                             \
	"# TYPE klpd_transition_duration_seconds histogram\n"
#define COUNTERS_ZERO                                                                     \
	"# HELP klpd_stalls_total Transitions that ran past StallTimeout= since klpd "        \
	"started.\n"                                                                      \
	"# TYPE klpd_stalls_total counter\n"                                              \
	"klpd_stalls_total 0\n"                                                           \
	"# HELP klpd_modules_unloaded_total Livepatch modules removed since klpd started, "   \
	"by reason.\n"                                                                    \
	"# TYPE klpd_modules_unloaded_total counter\n"                                    \
	"klpd_modules_unloaded_total{reason=\"requested\"} 0\n"                           \
	"klpd_modules_unloaded_total{reason=\"policy\"} 0\n"                              \
	"klpd_modules_unloaded_total{reason=\"external\"} 0\n" UNLOAD_FAILURES("0", "0")
#define UNLOAD_FAILURES(requested, policy)                                                \
	"# HELP klpd_unload_failures_total Removals of livepatch modules that the kernel "     \
	"refused since klpd started, by reason.\n"                                          \
	"# TYPE klpd_unload_failures_total counter\n"                                      \
	"klpd_unload_failures_total{reason=\"requested\"} " requested "\n"                 \
	"klpd_unload_failures_total{reason=\"policy\"} " policy "\n"
#define INCIDENTS(w_no, w_yes, z_no, z_yes, faulty)                                   \
	"# HELP klpd_kernel_incidents_total Incident reports (WARNING, BUG, Oops, lockups, " \
	"stalls, sanitizers) in the kernel log since klpd started, by kind; blamed=\"yes\" " \
	"those blamed on a patch in its health window.\n"                                  \
	"# TYPE klpd_kernel_incidents_total counter\n"                                      \
	"klpd_kernel_incidents_total{kind=\"warning\",blamed=\"no\"} " w_no "\n"\
	"klpd_kernel_incidents_total{kind=\"warning\",blamed=\"yes\"} " w_yes "\n"\
	"klpd_kernel_incidents_total{kind=\"bug\",blamed=\"no\"} " z_no "\n"\
	"klpd_kernel_incidents_total{kind=\"bug\",blamed=\"yes\"} " z_yes "\n"\
	"klpd_kernel_incidents_total{kind=\"oops\",blamed=\"no\"} " z_no "\n"\
	"klpd_kernel_incidents_total{kind=\"oops\",blamed=\"yes\"} " z_yes "\n"\
	"klpd_kernel_incidents_total{kind=\"gpf\",blamed=\"no\"} " z_no "\n"\
	"klpd_kernel_incidents_total{kind=\"gpf\",blamed=\"yes\"} " z_yes "\n"\
	"klpd_kernel_incidents_total{kind=\"soft-lockup\",blamed=\"no\"} " z_no "\n"\
	"klpd_kernel_incidents_total{kind=\"soft-lockup\",blamed=\"yes\"} " z_yes "\n"\
	"klpd_kernel_incidents_total{kind=\"hard-lockup\",blamed=\"no\"} " z_no "\n"\
	"klpd_kernel_incidents_total{kind=\"hard-lockup\",blamed=\"yes\"} " z_yes "\n"\
	"klpd_kernel_incidents_total{kind=\"hung-task\",blamed=\"no\"} " z_no "\n"\
	"klpd_kernel_incidents_total{kind=\"hung-task\",blamed=\"yes\"} " z_yes "\n"\
	"klpd_kernel_incidents_total{kind=\"rcu-stall\",blamed=\"no\"} " z_no "\n"\
	"klpd_kernel_incidents_total{kind=\"rcu-stall\",blamed=\"yes\"} " z_yes "\n"\
	"klpd_kernel_incidents_total{kind=\"kasan\",blamed=\"no\"} " z_no "\n"\
	"klpd_kernel_incidents_total{kind=\"kasan\",blamed=\"yes\"} " z_yes "\n"\
	"klpd_kernel_incidents_total{kind=\"ubsan\",blamed=\"no\"} " z_no "\n"\
	"klpd_kernel_incidents_total{kind=\"ubsan\",blamed=\"yes\"} " z_yes "\n"\
	"# HELP klpd_faulty_modules Livepatch modules marked faulty by the health window " \
	"(skipped at boot until cleared).\n"                                               \
	"# TYPE klpd_faulty_modules gauge\n"                                               \
	"klpd_faulty_modules " faulty "\n"
#define GAUGES(reboot, pinned)                                                            \
	INCIDENTS("0", "0", "0", "0", "0")                                                \
	"# HELP klpd_reboot_required 1 when a module is pinned by a forced transition until " \
	"reboot, else 0.\n"                                                               \
	"# TYPE klpd_reboot_required gauge\n"                                             \
	"klpd_reboot_required " reboot "\n"                                               \
	"# HELP klpd_pinned_modules Livepatch modules pinned by a forced transition until "   \
	"reboot.\n"                                                                       \
	"# TYPE klpd_pinned_modules gauge\n"                                              \
	"klpd_pinned_modules " pinned "\n" CONFIG_LINES("0", "files")
#define CONFIG_LINES(refused, source)                                                     \
	"# HELP klpd_config_refused 1 while klpd.conf is refused (klpd runs on the last "     \
	"valid configuration or the defaults), else 0.\n"                                 \
	"# TYPE klpd_config_refused gauge\n"                                              \
	"klpd_config_refused " refused "\n"                                               \
	"# HELP klpd_config_source_info Where the running configuration comes from: files, " \
	"last-valid or defaults.\n"                                                       \
	"# TYPE klpd_config_source_info gauge\n"                                          \
	"klpd_config_source_info{source=\"" source "\"} 1\n" DAEMON_LINES("", "0", "0", "0", "0.000", "0.000")

/* klpd itself: what the rules of prometheus/ need to tell it runs. */
#define DAEMON_LINES(version, up, running, stalled, refresh, stamp)                         \
	"# HELP klpd_build_info klpd's version, in its label; always 1.\n"                  \
	"# TYPE klpd_build_info gauge\n"                                                  \
	"klpd_build_info{version=\"" version "\"} 1\n"                                    \
	"# HELP klpd_up 1 while klpd runs; 0 in the file it leaves behind when it stops.\n" \
	"# TYPE klpd_up gauge\n"                                                          \
	"klpd_up " up "\n"                                                                \
	"# HELP klpd_transition_running 1 while a livepatch transition runs, else 0.\n"    \
	"# TYPE klpd_transition_running gauge\n"                                          \
	"klpd_transition_running " running "\n"                                           \
	"# HELP klpd_transition_stalled 1 while the running transition is past "            \
	"StallTimeout=, else 0.\n"                                                        \
	"# TYPE klpd_transition_stalled gauge\n"                                          \
	"klpd_transition_stalled " stalled "\n"                                           \
	"# HELP klpd_metrics_refresh_seconds How often klpd rewrites this file when "       \
	"nothing changed (MetricsRefresh=).\n"                                            \
	"# TYPE klpd_metrics_refresh_seconds gauge\n"                                     \
	"klpd_metrics_refresh_seconds " refresh "\n"                                      \
	"# HELP klpd_metrics_timestamp_seconds When klpd wrote this file, in seconds since " \
	"the epoch: it is stale when older than the refresh.\n"                          \
	"# TYPE klpd_metrics_timestamp_seconds gauge\n"                                   \
	"klpd_metrics_timestamp_seconds " stamp "\n"

#define TRANSITIONS_ZERO                                                                  \
	"klpd_transitions_total{result=\"completed\"} 0\n"                                \
	"klpd_transitions_total{result=\"reverted\"} 0\n"                                 \
	"klpd_transitions_total{result=\"forced\"} 0\n"

#define DURATION_ZERO                                                                     \
	"klpd_transition_duration_seconds_bucket{le=\"0.1\"} 0\n"                         \
	"klpd_transition_duration_seconds_bucket{le=\"0.5\"} 0\n"                         \
	"klpd_transition_duration_seconds_bucket{le=\"1\"} 0\n"                           \
	"klpd_transition_duration_seconds_bucket{le=\"2\"} 0\n"                           \
	"klpd_transition_duration_seconds_bucket{le=\"5\"} 0\n"                           \
	"klpd_transition_duration_seconds_bucket{le=\"10\"} 0\n"                          \
	"klpd_transition_duration_seconds_bucket{le=\"30\"} 0\n"                          \
	"klpd_transition_duration_seconds_bucket{le=\"60\"} 0\n"                          \
	"klpd_transition_duration_seconds_bucket{le=\"120\"} 0\n"                         \
	"klpd_transition_duration_seconds_bucket{le=\"300\"} 0\n"                         \
	"klpd_transition_duration_seconds_bucket{le=\"+Inf\"} 0\n"                        \
	"klpd_transition_duration_seconds_sum 0.000000\n"                                 \
	"klpd_transition_duration_seconds_count 0\n"

static char *format(const struct metrics_snapshot *s)
{
	char *text = NULL;

	assert_int_equal(metrics_format(s, &text), 0);
	assert_non_null(text);
	return text;
}

static void test_all_zero(void **state)
{
	struct metrics c = {};
	struct metrics_snapshot s = { .counters = &c };
	_cleanup_free_ char *text = format(&s);

	/* Every counter and label value is there before anything happened. */
	assert_string_equal(text, HEAD_PATCH_INFO HEAD_TRANSITIONS TRANSITIONS_ZERO HEAD_DURATION
					  DURATION_ZERO COUNTERS_ZERO GAUGES("0", "0"));
}

static void test_patches_escaped(void **state)
{
	struct metrics c = {};
	const struct metrics_patch patches[] = {
		{ "klpt_cmdline", "applied" },
		{ "klpt_old", "pinned" },
		/* Module names cannot hold these, but a label value must not
		 * break the file whatever it holds. */
		{ "a\\b\"c\nd", "disabled" },
	};
	struct metrics_snapshot s = {
		.counters = &c,
		.patches = patches,
		.n_patches = ELEMENTSOF(patches),
		.reboot_required = true,
		.pinned = 1,
	};
	_cleanup_free_ char *text = format(&s);

	assert_string_equal(text,
			    HEAD_PATCH_INFO
			    "klpd_patch_info{patch=\"klpt_cmdline\",state=\"applied\"} 1\n"
			    "klpd_patch_info{patch=\"klpt_old\",state=\"pinned\"} 1\n"
			    "klpd_patch_info{patch=\"a\\\\b\\\"c\\nd\",state=\"disabled\"} 1\n"
			    HEAD_TRANSITIONS TRANSITIONS_ZERO HEAD_DURATION DURATION_ZERO
			    COUNTERS_ZERO GAUGES("1", "1"));
}

static void test_config_refused(void **state)
{
	struct metrics c = {};
	struct metrics_snapshot s = {
		.counters = &c,
		.config_refused = true,
		.config_source = "last-valid",
	};
	_cleanup_free_ char *text = format(&s);
	const char *tail = CONFIG_LINES("1", "last-valid");

	/* The configuration's lines come last but klpd's own. */
	assert_true(strlen(text) > strlen(tail));
	assert_string_equal(text + strlen(text) - strlen(tail), tail);
}

/* klpd's own lines: its version escaped, the transition's gauges, the
 * refresh (+Inf when there is none) and the stamp to the millisecond. */
static void test_daemon_lines(void **state)
{
	struct metrics c = {};
	struct metrics_snapshot s = {
		.counters = &c,
		.version = "1.2\"x",
		.up = true,
		.transition_running = true,
		.transition_stalled = true,
		.refresh_usec = 300 * USEC_PER_SEC + 250 * USEC_PER_MSEC,
		.written_at_usec = 1764770000123456,
	};
	const char *tail = DAEMON_LINES("1.2\\\"x", "1", "1", "1", "300.250", "1764770000.123");
	_cleanup_free_ char *text = format(&s);
	_cleanup_free_ char *never = NULL;

	assert_true(strlen(text) > strlen(tail));
	assert_string_equal(text + strlen(text) - strlen(tail), tail);
	s.refresh_usec = USEC_INFINITY;
	never = format(&s);
	assert_non_null(strstr(never, "\nklpd_metrics_refresh_seconds +Inf\n"));
}

static void test_counters(void **state)
{
	struct metrics c = {};
	struct metrics_snapshot s = { .counters = &c };
	_cleanup_free_ char *text = NULL;

	/* Bounds are inclusive (le): 100 ms falls in 0.1, 100.001 ms in 0.5. */
	metrics_note_transition(&c, METRICS_TRANSITION_COMPLETED, 100 * USEC_PER_MSEC);
	metrics_note_transition(&c, METRICS_TRANSITION_COMPLETED, 100 * USEC_PER_MSEC + 1);
	metrics_note_transition(&c, METRICS_TRANSITION_COMPLETED, 0);
	metrics_note_transition(&c, METRICS_TRANSITION_REVERTED, 4 * USEC_PER_SEC + 250000);
	metrics_note_transition(&c, METRICS_TRANSITION_FORCED, 300 * USEC_PER_SEC);
	metrics_note_transition(&c, METRICS_TRANSITION_FORCED, 3600 * USEC_PER_SEC);
	metrics_note_stall(&c);
	metrics_note_stall(&c);
	assert_int_equal(metrics_note_unload(&c, "policy"), 0);
	assert_int_equal(metrics_note_unload(&c, "policy"), 0);
	assert_int_equal(metrics_note_unload(&c, "external"), 0);
	assert_int_equal(metrics_note_unload(&c, "requested"), 0);
	assert_int_equal(metrics_note_unload(&c, "bogus"), -EINVAL);
	assert_int_equal(metrics_note_unload_failure(&c, "policy"), 0);
	assert_int_equal(metrics_note_unload_failure(&c, "policy"), 0);
	/* klpd never tries an external unload, nor an unknown one */
	assert_int_equal(metrics_note_unload_failure(&c, "external"), -EINVAL);
	assert_int_equal(metrics_note_unload_failure(&c, "bogus"), -EINVAL);

	text = format(&s);
	assert_string_equal(
		text,
		HEAD_PATCH_INFO HEAD_TRANSITIONS
		"klpd_transitions_total{result=\"completed\"} 3\n"
		"klpd_transitions_total{result=\"reverted\"} 1\n"
		"klpd_transitions_total{result=\"forced\"} 2\n" HEAD_DURATION
		"klpd_transition_duration_seconds_bucket{le=\"0.1\"} 2\n"
		"klpd_transition_duration_seconds_bucket{le=\"0.5\"} 3\n"
		"klpd_transition_duration_seconds_bucket{le=\"1\"} 3\n"
		"klpd_transition_duration_seconds_bucket{le=\"2\"} 3\n"
		"klpd_transition_duration_seconds_bucket{le=\"5\"} 4\n"
		"klpd_transition_duration_seconds_bucket{le=\"10\"} 4\n"
		"klpd_transition_duration_seconds_bucket{le=\"30\"} 4\n"
		"klpd_transition_duration_seconds_bucket{le=\"60\"} 4\n"
		"klpd_transition_duration_seconds_bucket{le=\"120\"} 4\n"
		"klpd_transition_duration_seconds_bucket{le=\"300\"} 5\n"
		"klpd_transition_duration_seconds_bucket{le=\"+Inf\"} 6\n"
		"klpd_transition_duration_seconds_sum 3904.450001\n"
		"klpd_transition_duration_seconds_count 6\n"
		"# HELP klpd_stalls_total Transitions that ran past StallTimeout= since klpd "
		"started.\n"
		"# TYPE klpd_stalls_total counter\n"
		"klpd_stalls_total 2\n"
		"# HELP klpd_modules_unloaded_total Livepatch modules removed since klpd started, "
		"by reason.\n"
		"# TYPE klpd_modules_unloaded_total counter\n"
		"klpd_modules_unloaded_total{reason=\"requested\"} 1\n"
		"klpd_modules_unloaded_total{reason=\"policy\"} 2\n"
		"klpd_modules_unloaded_total{reason=\"external\"} 1\n"
		UNLOAD_FAILURES("0", "2") GAUGES("0", "0"));
}

/* --- the file */

static char tmpdir[] = "/tmp/test-metrics.XXXXXX";

static int setup_dir(void **state)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			char p[512];

			snprintf(p, sizeof(p), "%s/%s", tmpdir, e->d_name);
			unlink(p);
		}
	closedir(d);
	return rmdir(tmpdir);
}

static char *read_all(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char buf[4096];
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	return strdup(buf);
}

/* Temporary files (NAME.tmp.XXXXXX) left in the directory. */
static size_t count_tmp_files(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".tmp."))
			n++;
	closedir(d);
	return n;
}

static void test_write_file(void **state)
{
	_cleanup_free_ char *path = NULL, *got = NULL;
	struct stat st;
	mode_t old = umask(0077);

	assert_true(asprintf(&path, "%s/klpd.prom", tmpdir) > 0);

	/* Readable by node_exporter's user even under klpd's UMask=0077. */
	assert_int_equal(metrics_write_file(path, "a 1\n", false), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	got = read_all(path);
	assert_string_equal(got, "a 1\n");
	free(got);

	/* Replaced whole, with no temporary file left behind. */
	assert_int_equal(metrics_write_file(path, "b 2\n", true), 0);
	got = read_all(path);
	assert_string_equal(got, "b 2\n");
	assert_int_equal(count_tmp_files(), 0);
	umask(old);
}

static void test_write_file_fails(void **state)
{
	_cleanup_free_ char *path = NULL;

	assert_true(asprintf(&path, "%s/missing/klpd.prom", tmpdir) > 0);
	assert_int_equal(metrics_write_file(path, "a 1\n", false), -ENOENT);

	/* A directory in the way of the rename: the temporary file goes. */
	free(path);
	assert_true(asprintf(&path, "%s/dir.prom", tmpdir) > 0);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(metrics_write_file(path, "a 1\n", false), -EISDIR);
	assert_int_equal(count_tmp_files(), 0);
	assert_int_equal(rmdir(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_zero),
		cmocka_unit_test(test_patches_escaped),
		cmocka_unit_test(test_config_refused),
		cmocka_unit_test(test_daemon_lines),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_write_file),
		cmocka_unit_test(test_write_file_fails),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
