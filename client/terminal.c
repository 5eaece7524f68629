/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "duration.h"
#include "terminal.h"
#include "utf8.h"

bool use_color(bool is_tty, const char *term, const char *no_color)
{
	if (!is_tty)
		return false;
	if (no_color && *no_color)
		return false;
	return !term || !streq(term, "dumb");
}

enum color color_of_state(const char *state)
{
	static const struct {
		const char *state;
		enum color color;
	} table[] = {
		{ "applied", COLOR_GREEN },   { "completed", COLOR_GREEN },
		{ "patching", COLOR_YELLOW }, { "unpatching", COLOR_YELLOW },
		{ "transition", COLOR_YELLOW }, { "forced", COLOR_YELLOW },
		{ "reverted", COLOR_YELLOW }, { "stalled", COLOR_RED },
		{ "pinned", COLOR_RED },
	};

	for (size_t i = 0; state && i < ELEMENTSOF(table); i++)
		if (streq(state, table[i].state))
			return table[i].color;
	return COLOR_NONE;
}

static const char *const sgr[_COLOR_MAX] = {
	[COLOR_NONE] = "",
	[COLOR_RED] = "\033[31m",
	[COLOR_GREEN] = "\033[32m",
	[COLOR_YELLOW] = "\033[33m",
	[COLOR_BOLD] = "\033[1m",
};

static bool color_stdout, color_stderr;

void terminal_init(bool disable)
{
	const char *term = getenv("TERM"), *no_color = getenv("NO_COLOR");

	color_stdout = !disable && use_color(isatty(STDOUT_FILENO), term, no_color);
	color_stderr = !disable && use_color(isatty(STDERR_FILENO), term, no_color);
}

const char *color_out(enum color c)
{
	return color_stdout && c < _COLOR_MAX ? sgr[c] : "";
}

const char *color_out_end(void)
{
	return color_stdout ? "\033[0m" : "";
}

const char *color_err(enum color c)
{
	return color_stderr && c < _COLOR_MAX ? sgr[c] : "";
}

const char *color_err_end(void)
{
	return color_stderr ? "\033[0m" : "";
}

void klpctl_error(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	_cleanup_free_ char *text = NULL, *shown_text = NULL;
	int r;

	progress_line_clear();
	errno = saved;
	va_start(ap, fmt);
	r = vasprintf(&text, fmt, ap);
	va_end(ap);
	/* The arguments are names and messages from elsewhere (the bus, the
	 * command line, files): escaped, so that none of them can drive the
	 * terminal. */
	if (r >= 0)
		shown_text = utf8_escape_dup(text);
	fprintf(stderr, "%sklpctl:%s %s\n", color_err(COLOR_RED), color_err_end(),
		shown_text ? shown_text : "out of memory");
	errno = saved; /* callers look at it after saying so */
}

/* --- progress */

static void append(char *buf, size_t size, const char *fmt, ...) _printf_(3, 4);
static void append(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/* "3.2s" while tenths matter, then "1min 5s" */
static char *format_elapsed(char *buf, size_t size, uint64_t usec)
{
	if (usec < 60 * USEC_PER_SEC) {
		snprintf(buf, size, "%" PRIu64 ".%" PRIu64 "s", usec / USEC_PER_SEC,
			 usec % USEC_PER_SEC / (USEC_PER_SEC / 10));
		return buf;
	}
	return duration_format_short(buf, size, usec);
}

/* Whole seconds, rounded up: "in 0s" would read as "already". */
static char *format_remaining(char *buf, size_t size, uint64_t usec)
{
	uint64_t s = (usec + USEC_PER_SEC - 1) / USEC_PER_SEC;

	return duration_format_short(buf, size, s * USEC_PER_SEC);
}

static void append_policy(char *buf, size_t size, const struct progress_info *p)
{
	const char *action = p->stall_action;
	char d[DURATION_MAX];
	bool future = p->stall_deadline > p->now;

	if (!action || !*action)
		return;
	if (streq(action, "wait")) {
		if (!p->stalled && future)
			append(buf, size, "; policy: wait, stalled in %s",
			       format_remaining(d, sizeof(d), p->stall_deadline - p->now));
		else
			append(buf, size, "; policy: wait");
		return;
	}
	if (future)
		append(buf, size, "; policy: %s in %s", action,
		       format_remaining(d, sizeof(d), p->stall_deadline - p->now));
	else
		append(buf, size, "; policy: %s now", action);
}

char *progress_format(char *buf, size_t size, const struct progress_info *p, size_t width)
{
	char e[DURATION_MAX];

	if (size == 0)
		return buf;
	buf[0] = '\0';
	append(buf, size, "%s %s", format_elapsed(e, sizeof(e), p->elapsed), p->patch);
	if (!p->target || !*p->target) {
		if (p->running && *p->running)
			append(buf, size, ": queued behind '%s'", p->running);
		else
			append(buf, size, ": waiting for the transition to begin");
	} else {
		append(buf, size, " -> %s", p->target);
		if (p->stalled)
			append(buf, size, ", stalled");
		if (p->n_blockers)
			append(buf, size, ", %zu blocker%s", p->n_blockers,
			       p->n_blockers == 1 ? "" : "s");
		append_policy(buf, size, p);
	}
	if (width > 0 && strlen(buf) > width - 1)
		buf[width - 1] = '\0';
	return buf;
}

/* Blanked with spaces rather than "ESC [ K": that works on any terminal, and
 * output under NO_COLOR stays free of escape sequences. */
static size_t shown;

void progress_line_show(const char *line)
{
	size_t len = strlen(line);

	fprintf(stderr, "\r%s", line);
	for (size_t i = len; i < shown; i++)
		fputc(' ', stderr);
	if (shown > len)
		fprintf(stderr, "\r%s", line);
	shown = len;
	fflush(stderr);
}

void progress_line_clear(void)
{
	if (shown == 0)
		return;
	fputc('\r', stderr);
	for (size_t i = 0; i < shown; i++)
		fputc(' ', stderr);
	fputc('\r', stderr);
	shown = 0;
	fflush(stderr);
}

size_t terminal_width(int fd)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) < 0 || ws.ws_col == 0)
		return 80;
	return ws.ws_col;
}
