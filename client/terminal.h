/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "macro.h"

/* klpctl at a terminal: colour, error lines, the live progress line. The
 * decisions and the formatting are pure, for the unit tests; the rest
 * writes to stdout and stderr. */

/* Colour only for a terminal that is not "dumb", and not when NO_COLOR is
 * set to anything but the empty string (https://no-color.org). */
bool use_color(bool is_tty, const char *term, const char *no_color);

enum color {
	COLOR_NONE,
	COLOR_RED,
	COLOR_GREEN,
	COLOR_YELLOW,
	COLOR_BOLD,
	_COLOR_MAX,
};

/* How a state word of klpd's shows: a patch's (applied, pinned, ...), the
 * manager's (idle, stalled, ...), or how a transition ended. */
enum color color_of_state(const char *state);

/* Decide for stdout and stderr once, from their file descriptors and the
 * environment; DISABLE is --no-color. */
void terminal_init(bool disable);
/* The escape sequence that starts C on stdout (resp. stderr), and the one
 * that ends it: both "" when that stream gets no colour. */
const char *color_out(enum color c);
const char *color_out_end(void);
const char *color_err(enum color c);
const char *color_err_end(void);

/* "klpctl: MESSAGE\n" on stderr, the prefix in red on a colour terminal.
 * errno is kept for %m. */
void klpctl_error(const char *fmt, ...) _printf_(1, 2);

/* --- the progress line of a --wait */

struct progress_info {
	uint64_t elapsed; /* usec since the wait began */
	const char *patch;
	const char *target;  /* "patched", "unpatched"; "" before the transition began */
	const char *running; /* another patch in transition ahead of ours, or "" */
	bool stalled;
	size_t n_blockers;
	const char *stall_action; /* the Manager's StallAction: "", wait, revert, force */
	uint64_t stall_deadline;  /* its StallDeadline: CLOCK_REALTIME usec, 0: none */
	uint64_t now;             /* CLOCK_REALTIME usec */
};

/* One line, no newline, at most WIDTH - 1 columns so that it never wraps:
 * "12s klpt_busy_patch -> patched, stalled, 1 blocker; policy: force in 48s" */
char *progress_format(char *buf, size_t size, const struct progress_info *p, size_t width);

/* Rewrite the line on stderr in place, or blank it out. */
void progress_line_show(const char *line);
void progress_line_clear(void);

/* The width of the terminal on FD, 80 when it does not say. */
size_t terminal_width(int fd);
