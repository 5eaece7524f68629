/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dbus-names.h"
#include "klpctl.h"
#include "macro.h"
#include "names.h"
#include "progress.h"
#include "properties.h"
#include "terminal.h"
#include "utf8.h"

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

static int on_change(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct progress *p = userdata;

	p->dirty = true;
	return 0;
}

static void copy_string(sd_bus_message *m, char *dst, size_t size)
{
	const char *s;

	/* escaped: the line goes to a terminal (lib/utf8.h) */
	if (sd_bus_message_read(m, "s", &s) >= 0)
		utf8_escape(dst, size, s, strlen(s));
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

static int read_manager(sd_bus_message *m, const char *key, const char *sig, void *userdata)
{
	struct progress *p = userdata;

	if (streq(key, "State"))
		copy_string(m, p->manager_state, sizeof(p->manager_state));
	else if (streq(key, "TransitionPatch"))
		copy_string(m, p->running, sizeof(p->running));
	else if (streq(key, "StallAction"))
		copy_string(m, p->stall_action, sizeof(p->stall_action));
	else if (streq(key, "StallDeadline"))
		(void)sd_bus_message_read(m, "t", &p->stall_deadline);
	else
		(void)sd_bus_message_skip(m, sig);
	return 0;
}

static int read_patch(sd_bus_message *m, const char *key, const char *sig, void *userdata)
{
	struct progress *p = userdata;

	if (streq(key, "State"))
		copy_string(m, p->patch_state, sizeof(p->patch_state));
	else if (streq(key, "Blockers"))
		p->n_blockers = count_blockers(m);
	else
		(void)sd_bus_message_skip(m, sig);
	return 0;
}

static void reread(struct progress *p)
{
	/* A queued load has no patch object yet: its state is unknown. */
	/* Members an older klpd does not have keep their last value. */
	if (properties_get_all(p->bus, p->path, KLPD_PATCH_INTERFACE, NULL, read_patch, p) < 0) {
		p->patch_state[0] = '\0';
		p->n_blockers = 0;
	}
	(void)properties_get_all(p->bus, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE, NULL,
				 read_manager, p);
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
		.now = now_usec(CLOCK_REALTIME),
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
	p->started = now_usec(CLOCK_MONOTONIC);
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
	uint64_t now = now_usec(CLOCK_MONOTONIC);

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
