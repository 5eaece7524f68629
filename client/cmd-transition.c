/* SPDX-License-Identifier: GPL-2.0-or-later */
/* load, disable, revert, force, unload, clear-skip, reload: the methods
 * that change patches; --wait follows the transition to its end. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "bus-objects.h"
#include "dbus-names.h"
#include "duration.h"
#include "klpctl.h"
#include "macro.h"
#include "names.h"
#include "output.h"
#include "progress.h"
#include "terminal.h"

/* --- waiting for a transition's end, by its signal */

struct waiter {
	char name[KLP_MODULE_NAME_MAX];
	bool done;
	char failed[512]; /* LoadFailed's message: the queued load never started */
	char how[32];
	char target[32];
	uint64_t usec;
};

static int on_finished(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct waiter *w = userdata;
	const char *member = sd_bus_message_get_member(m);
	const char *patch, *target, *how, *source, *message;
	uint64_t usec;

	if (member && streq(member, "LoadFailed")) {
		if (sd_bus_message_read(m, "sss", &patch, &source, &message) < 0 ||
		    !streq(patch, w->name))
			return 0;
		w->done = true;
		text_copy(w->failed, sizeof(w->failed), message);
		return 0;
	}
	if (!member || !streq(member, "TransitionFinished"))
		return 0;
	if (sd_bus_message_read(m, "ssst", &patch, &target, &how, &usec) < 0)
		return 0;
	if (!streq(patch, w->name))
		return 0;
	w->done = true;
	text_copy(w->how, sizeof(w->how), how);
	text_copy(w->target, sizeof(w->target), target);
	w->usec = usec;
	return 0;
}

static int wait_setup(sd_bus *bus, struct waiter *w, sd_bus_slot **slot)
{
	/* TransitionFinished, or LoadFailed for a queued load */
	return sd_bus_match_signal(bus, slot, KLPD_BUS_NAME, KLPD_MANAGER_PATH,
				   KLPD_MANAGER_INTERFACE, NULL, on_finished, w);
}

/* The live progress line: for a person at a terminal, never for a program. */
static struct progress *progress_start(sd_bus *bus, const char *patch)
{
	struct progress *p = NULL;

	if (arg_json || !isatty(STDERR_FILENO))
		return NULL;
	if (progress_new(bus, patch, &p) < 0)
		return NULL; /* the wait works without it */
	return p;
}

/* Follow the signal; no polling: sd_bus_wait sleeps until a message comes
 * (or until the progress line's clock wants a redraw). */
static int wait_finished(sd_bus *bus, struct waiter *w)
{
	uint64_t deadline = arg_timeout == USEC_INFINITY ? USEC_INFINITY : now_usec(CLOCK_MONOTONIC) + arg_timeout;
	_cleanup_(progress_freep) struct progress *progress = progress_start(bus, w->name);
	char d[DURATION_MAX];

	while (!w->done) {
		uint64_t now = now_usec(CLOCK_MONOTONIC), sleep;
		int r;

		r = sd_bus_process(bus, NULL);
		if (r < 0) {
			klpctl_error("lost the bus: %s", strerror(-r));
			return EXIT_OTHER;
		}
		if (r > 0)
			continue;
		if (now >= deadline) {
			klpctl_error("timed out waiting for the transition of '%s'",
				     w->name);
			return EXIT_TIMEOUT;
		}
		sleep = deadline == USEC_INFINITY ? UINT64_MAX : deadline - now;
		if (progress) {
			uint64_t redraw = progress_update(progress);

			if (redraw < sleep)
				sleep = redraw;
		}
		r = sd_bus_wait(bus, sleep);
		if (r < 0 && r != -EINTR) {
			klpctl_error("waiting failed: %s", strerror(-r));
			return EXIT_OTHER;
		}
	}
	progress = progress_free(progress);
	if (*w->failed) {
		if (arg_json) {
			struct json j = JSON_INIT(stdout);

			json_open_object(&j, NULL);
			json_string(&j, "patch", w->name);
			json_string(&j, "how", "failed");
			json_string(&j, "message", w->failed);
			json_close_object(&j);
			json_end(&j);
		} else
			klpctl_error("the queued load of '%s' failed: %s", w->name, w->failed);
		return EXIT_REFUSED;
	}
	if (arg_json) {
		struct json j = JSON_INIT(stdout);

		json_open_object(&j, NULL);
		json_string(&j, "patch", w->name);
		json_string(&j, "target", w->target);
		json_string(&j, "how", w->how);
		json_uint(&j, "duration_usec", w->usec);
		json_close_object(&j);
		json_end(&j);
	} else
		printf("Transition of '%s' to %s %s%s%s after %s.\n", w->name, w->target,
		       color_out(color_of_state(w->how)), w->how, color_out_end(),
		       duration_format_short(d, sizeof(d), w->usec));
	return streq(w->how, KLPD_HOW_REVERTED) ? EXIT_REFUSED : EXIT_OK;
}

/* --- the commands */

int cmd_load(sd_bus *bus, char **argv)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	_cleanup_free_ char *abs = NULL, *name = NULL;
	struct waiter w = {};
	const char *source = argv[0], *path;
	int r;

	/* A file given relative to here: klpd needs it absolute. */
	if (source[0] != '/' && (strchr(source, '/') || strstr(source, ".ko"))) {
		abs = realpath(source, NULL);
		if (!abs) {
			klpctl_error("cannot find '%s': %m", source);
			return EXIT_NOT_FOUND;
		}
		source = abs;
	}
	if (arg_wait && (r = wait_setup(bus, &w, &slot)) < 0)
		return report("cannot subscribe to klpd's signals", NULL, r);

	r = sd_bus_call_method(bus, KLPD_BUS_NAME, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE, "Load",
			       &error, &reply, "st", source, UINT64_C(0));
	if (r < 0)
		return report("load failed", &error, r);
	r = sd_bus_message_read(reply, "o", &path);
	if (r < 0)
		return report("bad reply from klpd", NULL, r);
	r = sd_bus_path_decode(path, KLPD_PATCH_PATH_PREFIX, &name);
	if (r <= 0)
		return report("bad reply from klpd", NULL, r < 0 ? r : -EBADMSG);
	if (!arg_wait) {
		if (arg_json) {
			struct json j = JSON_INIT(stdout);

			json_open_object(&j, NULL);
			json_string(&j, "patch", name);
			json_string(&j, "object_path", path);
			json_close_object(&j);
			json_end(&j);
		} else
			printf("Loading '%s' (%s).\n", name, path);
		return EXIT_OK;
	}
	snprintf(w.name, sizeof(w.name), "%s", name);
	return wait_finished(bus, &w);
}

static int call_name(sd_bus *bus, const char *method, const char *name, const char *what)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	int r;

	r = sd_bus_call_method(bus, KLPD_BUS_NAME, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE, method,
			       &error, NULL, "s", name);
	if (r < 0)
		return report(what, &error, r);
	return EXIT_OK;
}

int cmd_disable(sd_bus *bus, char **argv)
{
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	char norm[KLP_MODULE_NAME_MAX];
	struct waiter w = {};
	int r;

	if (module_name_normalize(argv[0], norm) < 0) {
		klpctl_error("'%s' is not a valid module name", argv[0]);
		return EXIT_USAGE;
	}
	snprintf(w.name, sizeof(w.name), "%s", norm);
	if (arg_wait && (r = wait_setup(bus, &w, &slot)) < 0)
		return report("cannot subscribe to klpd's signals", NULL, r);
	r = call_name(bus, "Disable", norm, "disable failed");
	if (r != EXIT_OK || !arg_wait)
		return r;
	return wait_finished(bus, &w);
}

int cmd_revert(sd_bus *bus, char **argv)
{
	return call_name(bus, "Revert", argv[0], "revert failed");
}

int cmd_force(sd_bus *bus, char **argv)
{
	return call_name(bus, "Force", argv[0], "force failed");
}

int cmd_unload(sd_bus *bus, char **argv)
{
	return call_name(bus, "Unload", argv[0], "unload failed");
}

int cmd_clear_skip(sd_bus *bus, char **argv)
{
	char norm[KLP_MODULE_NAME_MAX];
	int r;

	if (module_name_normalize(argv[0], norm) < 0) {
		klpctl_error("'%s' is not a valid module name", argv[0]);
		return EXIT_USAGE;
	}
	r = call_name(bus, "ClearSkippedAtBoot", norm, "clear-skip failed");
	if (r == EXIT_OK && !arg_json)
		printf("'%s' is no longer skipped: the next boot loads it.\n", norm);
	return r;
}

int cmd_reload(sd_bus *bus, char **argv)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	int r;

	r = sd_bus_call_method(bus, KLPD_BUS_NAME, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE,
			       "Reload", &error, NULL, NULL);
	if (r < 0)
		return report("reload failed", &error, r);
	return EXIT_OK;
}
