/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bus-objects.h"
#include "dbus-names.h"
#include "klpctl.h"
#include "macro.h"
#include "names.h"
#include "progress.h"
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

/* Blockers a(uss): how many */
static int count_blockers(sd_bus_message *m, const struct bus_property *bp, void *obj)
{
	struct progress *p = obj;
	const char *comm, *stack;
	uint32_t pid;
	int r;

	p->n_blockers = 0;
	r = sd_bus_message_enter_container(m, 'a', "(uss)");
	while (r >= 0 && (r = sd_bus_message_read(m, "(uss)", &pid, &comm, &stack)) > 0)
		p->n_blockers++;
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	return r;
}

/* the strings escaped: the line goes to a terminal (lib/utf8.h) */
#define S(name, field) BUS_BUFFER(struct progress, name, "s", field, NULL)
static const struct bus_property manager_properties[] = {
	S("State", manager_state),
	S("TransitionPatch", running),
	S("StallAction", stall_action),
	BUS_FIELD(struct progress, "StallDeadline", "t", stall_deadline),
	{},
};
static const struct bus_property patch_properties[] = {
	S("State", patch_state),
	{ "Blockers", "a(uss)", 0, 0, count_blockers },
	{},
};
#undef S

static void reread(struct progress *p)
{
	/* A queued load has no patch object yet: its state is unknown. */
	/* Members an older klpd does not have keep their last value. */
	if (bus_get_properties(p->bus, p->path, KLPD_PATCH_INTERFACE, patch_properties, p, NULL) < 0) {
		p->patch_state[0] = '\0';
		p->n_blockers = 0;
	}
	(void)bus_get_properties(p->bus, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE,
				 manager_properties, p, NULL);
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
