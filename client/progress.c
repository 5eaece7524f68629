/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dbus-names.h"
#include "macro.h"
#include "names.h"
#include "progress.h"
#include "terminal.h"

/* At most ten redraws a second for the clock; a signal redraws at once.
 * Properties are read again only after a signal: every one that the line
 * shows sends PropertiesChanged, so there is nothing to poll. */
#define REDRAW_USEC (100 * USEC_PER_MSEC)

struct progress {
	sd_bus *bus;
	sd_bus_slot *slots[3];
	char patch[KLP_MODULE_NAME_MAX];
	char *path;
	uint64_t started, last_draw;
	bool dirty;

	/* what klpd last said */
	char manager_state[16];
	char running[KLP_MODULE_NAME_MAX]; /* TransitionPatch */
	char patch_state[16];
	char stall_action[16];
	uint64_t stall_deadline;
	size_t n_blockers;
};

static uint64_t now_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

static int on_change(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct progress *p = userdata;

	p->dirty = true;
	return 0;
}

static void copy_string(sd_bus_message *m, char *dst, size_t size)
{
	const char *s;

	if (sd_bus_message_read(m, "s", &s) >= 0)
		snprintf(dst, size, "%s", s);
}

static size_t count_blockers(sd_bus_message *m)
{
	const char *comm, *stack;
	uint32_t pid;
	size_t n = 0;

	if (sd_bus_message_enter_container(m, 'a', "(uss)") < 0)
		return 0;
	while (sd_bus_message_read(m, "(uss)", &pid, &comm, &stack) > 0)
		n++;
	(void)sd_bus_message_exit_container(m);
	return n;
}

/* Properties.GetAll of INTERFACE on PATH into P; members a client of an
 * older klpd does not get simply keep their last value. */
static int read_all(struct progress *p, const char *path, const char *interface)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r;

	r = sd_bus_call_method(p->bus, KLPD_BUS_NAME, path, "org.freedesktop.DBus.Properties",
			       "GetAll", NULL, &reply, "s", interface);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', "{sv}");
	while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
		bool manager = streq(interface, KLPD_MANAGER_INTERFACE);
		const char *key, *sig;

		r = sd_bus_message_read(reply, "s", &key);
		if (r >= 0)
			r = sd_bus_message_peek_type(reply, NULL, &sig);
		if (r >= 0)
			r = sd_bus_message_enter_container(reply, 'v', sig);
		if (r < 0)
			break;
		if (manager && streq(key, "State"))
			copy_string(reply, p->manager_state, sizeof(p->manager_state));
		else if (manager && streq(key, "TransitionPatch"))
			copy_string(reply, p->running, sizeof(p->running));
		else if (manager && streq(key, "StallAction"))
			copy_string(reply, p->stall_action, sizeof(p->stall_action));
		else if (manager && streq(key, "StallDeadline"))
			(void)sd_bus_message_read(reply, "t", &p->stall_deadline);
		else if (!manager && streq(key, "State"))
			copy_string(reply, p->patch_state, sizeof(p->patch_state));
		else if (!manager && streq(key, "Blockers"))
			p->n_blockers = count_blockers(reply);
		else
			(void)sd_bus_message_skip(reply, sig);
		r = sd_bus_message_exit_container(reply);
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
	}
	return r < 0 ? r : 0;
}

static void reread(struct progress *p)
{
	/* A queued load has no patch object yet: its state is unknown. */
	if (read_all(p, p->path, KLPD_PATCH_INTERFACE) < 0) {
		p->patch_state[0] = '\0';
		p->n_blockers = 0;
	}
	(void)read_all(p, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE);
}

static void draw(struct progress *p, uint64_t now)
{
	bool ours = streq(p->running, p->patch);
	const char *target = "";
	char line[512];
	struct progress_info info;

	if (ours && streq(p->patch_state, "patching"))
		target = KLPD_TARGET_PATCHED;
	else if (ours && streq(p->patch_state, "unpatching"))
		target = KLPD_TARGET_UNPATCHED;
	info = (struct progress_info){
		.elapsed = now - p->started,
		.patch = p->patch,
		.target = target,
		.running = ours ? "" : p->running,
		.stalled = ours && streq(p->manager_state, KLPD_STATE_STALLED),
		.n_blockers = ours ? p->n_blockers : 0,
		.stall_action = ours ? p->stall_action : "",
		.stall_deadline = p->stall_deadline,
		.now = now_clock(CLOCK_REALTIME),
	};
	progress_line_show(progress_format(line, sizeof(line), &info,
					   terminal_width(STDERR_FILENO)));
}

int progress_new(sd_bus *bus, const char *patch, struct progress **ret)
{
	struct progress *p;
	int r;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->bus = sd_bus_ref(bus);
	snprintf(p->patch, sizeof(p->patch), "%s", patch);
	p->started = now_clock(CLOCK_MONOTONIC);
	p->dirty = true;
	r = sd_bus_path_encode(KLPD_PATCH_PATH_PREFIX, patch, &p->path);
	/* every signal of the Manager, and property changes of both objects */
	if (r >= 0)
		r = sd_bus_match_signal(bus, &p->slots[0], KLPD_BUS_NAME, KLPD_MANAGER_PATH,
					KLPD_MANAGER_INTERFACE, NULL, on_change, p);
	if (r >= 0)
		r = sd_bus_match_signal(bus, &p->slots[1], KLPD_BUS_NAME, KLPD_MANAGER_PATH,
					"org.freedesktop.DBus.Properties", "PropertiesChanged",
					on_change, p);
	if (r >= 0)
		r = sd_bus_match_signal(bus, &p->slots[2], KLPD_BUS_NAME, p->path,
					"org.freedesktop.DBus.Properties", "PropertiesChanged",
					on_change, p);
	if (r < 0) {
		progress_free(p);
		return r;
	}
	*ret = p;
	return 0;
}

uint64_t progress_update(struct progress *p)
{
	uint64_t now = now_clock(CLOCK_MONOTONIC);

	if (p->dirty)
		reread(p);
	if (p->dirty || now >= p->last_draw + REDRAW_USEC) {
		draw(p, now);
		p->last_draw = now;
		p->dirty = false;
	}
	return p->last_draw + REDRAW_USEC - now;
}

struct progress *progress_free(struct progress *p)
{
	if (!p)
		return NULL;
	progress_line_clear();
	for (size_t i = 0; i < ELEMENTSOF(p->slots); i++)
		sd_bus_slot_unref(p->slots[i]);
	sd_bus_unref(p->bus);
	free(p->path);
	free(p);
	return NULL;
}
