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

/* The options, set by main() before the command runs. */
extern bool arg_json;
extern bool arg_wait;
extern bool arg_names;
extern uint64_t arg_timeout; /* USEC_INFINITY: none */

/* "klpctl: WHAT: MESSAGE (ERROR)" on stderr, from the bus's error E or else
 * from -errno R; returns the exit status that the error means. */
int report(const char *what, const sd_bus_error *e, int r);

/* A command: ARGV holds its arguments, the exit status is returned. */
typedef int command_fn(sd_bus *bus, char **argv);

/* cmd-query.c: what klpd knows, read only */
command_fn cmd_status, cmd_list, cmd_show;
/* cmd-transition.c: the methods that change patches, and --wait */
command_fn cmd_load, cmd_disable, cmd_revert, cmd_force, cmd_unload, cmd_clear_skip, cmd_reload;
/* cmd-monitor.c */
command_fn cmd_monitor;
/* cmd-install.c: file operations of root in the patch directory */
command_fn cmd_install, cmd_uninstall;
