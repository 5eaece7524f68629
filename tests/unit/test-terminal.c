/* SPDX-License-Identifier: GPL-2.0-or-later */
/* klpctl at a terminal: when to colour, and the progress line's text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "macro.h"
#include "terminal.h"

#define S USEC_PER_SEC
#define NOW (1800000000 * S) /* CLOCK_REALTIME */

static void test_use_color(void **state)
{
	static const struct {
		bool tty;
		const char *term, *no_color;
		bool want;
	} cases[] = {
		{ true, "xterm-256color", NULL, true },
		{ true, "linux", NULL, true },
		{ true, NULL, NULL, true },          /* no TERM: still a terminal */
		{ true, "dumb", NULL, false },       /* no escape sequences at all */
		{ true, "xterm", "1", false },       /* NO_COLOR set ... */
		{ true, "xterm", "0", false },       /* ... to anything ... */
		{ true, "xterm", "", true },         /* ... but the empty string */
		{ false, "xterm", NULL, false },     /* a pipe or a file */
		{ false, "xterm", "", false },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		if (use_color(cases[i].tty, cases[i].term, cases[i].no_color) != cases[i].want)
			fail_msg("use_color(%d, %s, %s) != %d", cases[i].tty,
				 strempty(cases[i].term), strempty(cases[i].no_color),
				 cases[i].want);
}

static void test_color_of_state(void **state)
{
	assert_int_equal(color_of_state("applied"), COLOR_GREEN);
	assert_int_equal(color_of_state("completed"), COLOR_GREEN);
	assert_int_equal(color_of_state("patching"), COLOR_YELLOW);
	assert_int_equal(color_of_state("stalled"), COLOR_RED);
	assert_int_equal(color_of_state("pinned"), COLOR_RED);
	assert_int_equal(color_of_state("disabled"), COLOR_NONE);
	assert_int_equal(color_of_state("idle"), COLOR_NONE);
	assert_int_equal(color_of_state("something-new"), COLOR_NONE);
	assert_int_equal(color_of_state(NULL), COLOR_NONE);
}

static void test_no_color_without_init(void **state)
{
	/* Before terminal_init() and with --no-color, nothing is coloured. */
	assert_string_equal(color_out(COLOR_RED), "");
	assert_string_equal(color_err_end(), "");
	terminal_init(true);
	assert_string_equal(color_out(COLOR_GREEN), "");
	assert_string_equal(color_err(COLOR_RED), "");
}

struct progress_case {
	const char *what;
	struct progress_info p;
	size_t width;
	const char *want;
};

static const struct progress_case progress_cases[] = {
	{ "queued behind another patch",
	  { .elapsed = 2500 * USEC_PER_MSEC, .patch = "klpt_b", .target = "",
	    .running = "klpt_a", .now = NOW },
	  80, "2.5s klpt_b: queued behind 'klpt_a'" },
	{ "not begun, nothing running",
	  { .elapsed = 0, .patch = "klpt_b", .target = "", .running = "", .now = NOW }, 80,
	  "0.0s klpt_b: waiting for the transition to begin" },
	{ "young transition, revert planned",
	  { .elapsed = 1200 * USEC_PER_MSEC, .patch = "klpt_busy_patch", .target = "patched",
	    .stall_action = "revert", .stall_deadline = NOW + 11 * S + 1, .now = NOW },
	  80, "1.2s klpt_busy_patch -> patched; policy: revert in 12s" },
	{ "stalled, blockers, force later",
	  { .elapsed = 75 * S, .patch = "klpt_busy_patch", .target = "patched", .stalled = true,
	    .n_blockers = 1, .stall_action = "force", .stall_deadline = NOW + 48 * S,
	    .now = NOW },
	  80, "1min 15s klpt_busy_patch -> patched, stalled, 1 blocker; policy: force in 48s" },
	{ "two blockers, action due now",
	  { .elapsed = 3 * S, .patch = "p", .target = "unpatched", .stalled = true,
	    .n_blockers = 2, .stall_action = "revert", .stall_deadline = NOW - 1, .now = NOW },
	  80, "3.0s p -> unpatched, stalled, 2 blockers; policy: revert now" },
	{ "wait, before the stall",
	  { .elapsed = 3 * S, .patch = "p", .target = "patched", .stall_action = "wait",
	    .stall_deadline = NOW + 57 * S, .now = NOW },
	  80, "3.0s p -> patched; policy: wait, stalled in 57s" },
	{ "wait, in effect",
	  { .elapsed = 90 * S, .patch = "p", .target = "patched", .stalled = true,
	    .n_blockers = 3, .stall_action = "wait", .stall_deadline = 0, .now = NOW },
	  80, "1min 30s p -> patched, stalled, 3 blockers; policy: wait" },
	{ "the policy will do nothing more (an older klpd says nothing either)",
	  { .elapsed = 5 * S, .patch = "p", .target = "unpatched", .stalled = true,
	    .stall_action = "", .now = NOW },
	  80, "5.0s p -> unpatched, stalled" },
	{ "cut to the terminal's width, one column spare",
	  { .elapsed = 1 * S, .patch = "klpt_busy_patch", .target = "patched",
	    .stall_action = "revert", .stall_deadline = NOW + 5 * S, .now = NOW },
	  20, "1.0s klpt_busy_patc" },
};

static void test_progress_format(void **state)
{
	for (size_t i = 0; i < ELEMENTSOF(progress_cases); i++) {
		const struct progress_case *c = &progress_cases[i];
		char buf[256];

		progress_format(buf, sizeof(buf), &c->p, c->width);
		if (!streq(buf, c->want))
			fail_msg("%s:\n got '%s'\nwant '%s'", c->what, buf, c->want);
	}
}

static void test_progress_small_buffer(void **state)
{
	struct progress_info p = { .elapsed = S, .patch = "klpt_busy_patch", .target = "patched",
				   .n_blockers = 4, .now = NOW };
	char buf[12];

	progress_format(buf, sizeof(buf), &p, 200);
	assert_string_equal(buf, "1.0s klpt_b");
}

/* What klpctl_error() writes to stderr for MSG (through "%s"). */
static char *error_line(const char *msg, char *buf, size_t size)
{
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	assert_non_null(f);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);
	klpctl_error("bad: %s", msg);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	rewind(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* A name from elsewhere cannot drive the terminal through an error line. */
static void test_error_escaped(void **state)
{
	char buf[256];

	assert_string_equal(error_line("\x1b[2J\x1b]0;x\a", buf, sizeof(buf)),
			    "klpctl: bad: \\x1b[2J\\x1b]0;x\\x07\n");
	assert_string_equal(error_line("\xff \xc2\x9b caf\xc3\xa9", buf, sizeof(buf)),
			    "klpctl: bad: \\xff \\xc2\\x9b caf\xc3\xa9\n");
	assert_string_equal(error_line("two\nlines", buf, sizeof(buf)),
			    "klpctl: bad: two\\x0alines\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_use_color),
		cmocka_unit_test(test_color_of_state),
		cmocka_unit_test(test_no_color_without_init),
		cmocka_unit_test(test_progress_format),
		cmocka_unit_test(test_progress_small_buffer),
		cmocka_unit_test(test_error_escaped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
