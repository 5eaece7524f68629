/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "macro.h"

/* How an action failed: the named error its caller gets, the -errno behind
 * it, and a message. The kernel's answers to inserting and removing a
 * module are turned into these here, apart from the syscalls, so that the
 * unit tests can check every answer. */

enum action_error {
	ACTION_ERROR_FAILED, /* the kernel or the file system said no: see errnum */
	ACTION_ERROR_INVALID_ARGS,
	ACTION_ERROR_NO_SUCH_PATCH,
	ACTION_ERROR_NOT_LIVEPATCH,
	ACTION_ERROR_TRANSITION_IN_PROGRESS,
	ACTION_ERROR_NOT_IN_TRANSITION,
	ACTION_ERROR_PINNED,
	ACTION_ERROR_BAD_SOURCE,
	ACTION_ERROR_NOT_SUPPORTED,
	ACTION_ERROR_REFUSED,
};

struct action_result {
	enum action_error error;
	int errnum;
	char message[512];
};

/* Fill RES; returns ERRNUM when it is negative, else -EINVAL. */
int action_fail(struct action_result *res, enum action_error e, int errnum, const char *fmt, ...)
    _printf_(4, 5);

/* R, the answer to inserting module NAME from PATH (0 or -errno): 0 when it
 * is in, -EBUSY when another transition runs (the caller queues the load;
 * RES untouched), else the -errno with RES saying what it means. */
int action_insert_result(int r, const char *name, const char *path, struct action_result *res);

/* R, the answer to removing module NAME without waiting: 0 when it is gone
 * (-ENOENT: it already was), else the -errno with RES saying what it means.
 * FORCED and REFCNT are what klpd knows of it, for "in use". */
int action_remove_result(int r, const char *name, bool forced, int refcnt,
			 struct action_result *res);
