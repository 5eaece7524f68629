/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "macro.h"
#include "time-util.h"

/* What klpctl's commands share: the exit status, the options, how a failure
 * is said, and the commands themselves, one family a file (cmd-*.c). */

/* The exit status; klpctl --help says what each means to a user. */
enum {
	EXIT_OK = 0,
	EXIT_OTHER = 1,
	EXIT_USAGE = 2,
	EXIT_NOT_FOUND = 3,
	EXIT_REFUSED = 4,
	EXIT_TIMEOUT = 5,
};

/* klpctl check: what it found; when several hold, the first of this list
 * is the exit status. klpctl(1) documents each. */
enum {
	CHECK_UNSUPPORTED = 10, /* the kernel has no livepatch support */
	CHECK_STALLED = 11,
	CHECK_PINNED = 12, /* modules pinned by forced transitions: reboot required */
	CHECK_CONFIG_REFUSED = 13,
	CHECK_SKIPPED = 14, /* the crash-loop guard skipped modules at boot */
	CHECK_TRANSITION = 15, /* running, not stalled */
};

enum json_mode {
	JSON_OFF, /* text for a person */
	JSON_SHORT, /* a document a line */
	JSON_PRETTY, /* indented */
};

/* The options, set by main() before the command runs. */
extern enum json_mode arg_json;
extern bool arg_legend; /* not --no-legend: headers and the line for an empty table */
extern const char *arg_kernel; /* install --kernel, uninstall --kernel */
extern bool arg_wait;
extern bool arg_names;
extern uint64_t arg_timeout; /* USEC_INFINITY: none */

/* "klpctl: WHAT: MESSAGE (ERROR)" on stderr, from the bus's error E or else
 * from -errno R; returns the exit status that the error means. */
int report(const char *what, const sd_bus_error *e, int r);

/* A command: ARGV holds its arguments, the exit status is returned. */
typedef int command_fn(sd_bus *bus, char **argv);

/* cmd-query.c: what klpd knows, read only */
command_fn cmd_status, cmd_list, cmd_show, cmd_check;
/* cmd-inventory.c: the patch directories' modules against the loaded ones */
command_fn cmd_inventory;
/* cmd-transition.c: the methods that change patches, and --wait */
command_fn cmd_load, cmd_disable, cmd_revert, cmd_force, cmd_unload, cmd_clear_skip, cmd_reload;
/* cmd-monitor.c */
command_fn cmd_monitor;
/* cmd-install.c: file operations of root in the patch directory */
command_fn cmd_install, cmd_uninstall;
