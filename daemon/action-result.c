/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "action-result.h"
#include "utf8.h"

/* The message goes into a D-Bus error, the journal and LoadFailed: it must be
 * valid UTF-8 even when it echoes a long or odd input, so it is escaped
 * (lib/utf8.h) and shortened between two characters, never inside one. Only
 * the first sizeof(res->message) bytes of the text can show, so a text cut
 * in TEXT's middle is cut after what shows. */
int action_fail(struct action_result *res, enum action_error e, int errnum, const char *fmt, ...)
{
	static const char more[] = "...";
	char text[2 * sizeof(res->message)];
	va_list ap;

	res->error = e;
	res->errnum = errnum;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (!utf8_escape(res->message, sizeof(res->message) - strlen(more), text, strlen(text)))
		strcat(res->message, more);
	return errnum < 0 ? errnum : -EINVAL;
}

int action_insert_result(int r, const char *name, const char *path, struct action_result *res)
{
	switch (r) {
	case 0:
	case -EBUSY:
		return r;
	case -EEXIST:
		return action_fail(res, ACTION_ERROR_REFUSED, r, "Module '%s' is already loaded",
				   name);
	case -ENOEXEC:
		return action_fail(res, ACTION_ERROR_BAD_SOURCE, r,
				   "The kernel refused '%s' as a module (Exec format error): see "
				   "the kernel log",
				   path);
	default:
		return action_fail(res, ACTION_ERROR_FAILED, r, "Loading '%s' failed: %s", path,
				   strerror(-r));
	}
}

/* What delete_module(2)'s answer R means for a livepatch module, for a
 * reader of the journal rather than of errno(3). */
static const char *remove_cause(int r)
{
	switch (r) {
	case -ENOSYS:
		return "this kernel cannot unload modules (built without CONFIG_MODULE_UNLOAD); "
		       "it stays until reboot";
	case -EPERM:
		return "the kernel does not let klpd remove modules (no CAP_SYS_MODULE, or "
		       "kernel.modules_disabled=1)";
	case -EINTR:
		return "interrupted: try again";
	default:
		return strerror(-r);
	}
}

int action_remove_result(int r, const char *name, bool forced, int refcnt,
			 struct action_result *res)
{
	switch (r) {
	case 0:
	case -ENOENT:
		return 0;
	case -EAGAIN: /* EWOULDBLOCK: a reference is held, and we do not wait */
		return action_fail(res, forced ? ACTION_ERROR_PINNED : ACTION_ERROR_REFUSED, r,
				   "Module '%s' is in use (refcount %d): %s", name, refcnt,
				   forced ? "a forced transition keeps it until reboot"
					  : "something still holds a reference to it");
	case -EBUSY:
		return action_fail(res, forced ? ACTION_ERROR_PINNED : ACTION_ERROR_REFUSED, r,
				   "Module '%s' is in use (refcount %d): it is still being loaded "
				   "or removed",
				   name, refcnt);
	default:
		return action_fail(res, ACTION_ERROR_FAILED, r, "Cannot remove module '%s': %s", name,
				   remove_cause(r));
	}
}
