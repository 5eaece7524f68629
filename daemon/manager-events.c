/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "bus.h"
#include "duration.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "time-util.h"

/* What the manager does with what happens: the state's changes go to the
 * journal, the metrics, the bus and STATUS=; the actions' events to the
 * same places. */

/* --- state -> log + bus */

static void on_patch_added(void *u, const struct patch *p)
{
	struct manager *m = u;

	log_patch(LOG_INFO, p->name, NULL, NULL, "Livepatch module '%s' found (%s, refcount %d)",
		  p->name, patch_state_to_string(p->state), p->module.refcnt);
	bus_patch_added(m, p);
}

static void on_patch_removed(void *u, const struct patch *p)
{
	bus_patch_removed(u, p);
}

static void on_patch_changed(void *u, const struct patch *p, unsigned props)
{
	struct manager *m = u;

	if (props & PATCH_PROP_STATE) {
		if (p->state == PATCH_STATE_PINNED)
			log_patch(LOG_WARNING, p->name, NULL, KLPD_MID_MODULE_PINNED,
				  "Module '%s' is pinned by a forced transition: it cannot be "
				  "unloaded until reboot",
				  p->name);
		else
			log_patch(LOG_INFO, p->name, NULL, NULL, "Patch '%s' is now %s", p->name,
				  patch_state_to_string(p->state));
	}
	bus_patch_changed(m, p, props);
}

static void on_manager_changed(void *u, unsigned props)
{
	bus_manager_changed(u, props);
}

static void on_transition_started(void *u, const struct transition *t)
{
	struct manager *m = u;
	const char *target = t->target_patched ? "patched" : "unpatched";

	log_patch(LOG_NOTICE, t->patch, "transition", KLPD_MID_TRANSITION_STARTED,
		  "Transition of '%s' to %s started", t->patch, target);
	m->last_blocker_scan = 0;
	tasks_memo_clear(&m->blocker_memo);
	bus_emit_transition_started(m, t);
}

static void on_transition_finished(void *u, const struct transition *t)
{
	struct manager *m = u;
	char d[DURATION_MAX];

	/* The signal first: clients wait for it, and the journal entry
	 * wakes journald, which would compete with them for the CPUs. */
	bus_emit_transition_finished(m, t);
	log_patch(LOG_NOTICE, t->patch, transition_how_to_string(t->how),
		  KLPD_MID_TRANSITION_FINISHED, "Transition of '%s' to %s %s after %s", t->patch,
		  t->target_patched ? "patched" : "unpatched", transition_how_to_string(t->how),
		  duration_format_short(d, sizeof(d), transition_duration(t)));
	metrics_note_transition(&m->metrics, t->how, transition_duration(t));
}

static void on_module_unloaded(void *u, const char *module)
{
	struct manager *m = u;
	const char *reason = !streq(m->unloading, module)		    ? "external"
			     : m->unloading_origin == UNLOAD_BY_POLICY ? "policy"
								       : "requested";

	log_patch(LOG_NOTICE, module, "unload",
		  streq(reason, "policy") ? KLPD_MID_MODULE_AUTO_UNLOADED : KLPD_MID_MODULE_UNLOADED,
		  "Module '%s' unloaded (%s)", module, reason);
	(void)metrics_note_unload(&m->metrics, reason);
	bus_emit_module_unloaded(m, module, reason);
}

const struct state_listener manager_state_listener = {
	.patch_added = on_patch_added,
	.patch_removed = on_patch_removed,
	.patch_changed = on_patch_changed,
	.manager_changed = on_manager_changed,
	.transition_started = on_transition_started,
	.transition_finished = on_transition_finished,
	.module_unloaded = on_module_unloaded,
};

/* --- STATUS= */

void manager_update_status(struct manager *m)
{
	const struct transition *t = &m->state->transition;
	size_t applied = state_count(m->state, PATCH_STATE_APPLIED);
	size_t pinned = state_count(m->state, PATCH_STATE_PINNED);
	char status[256], since[16], extra[64] = "", refused[96] = "";
	size_t queued = 0;

	for (struct load_request *q = m->queue; q; q = q->next)
		queued++;
	if (pinned)
		snprintf(extra, sizeof(extra), ", %zu pinned (reboot required)", pinned);
	if (queued)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), ", %zu queued",
			 queued);

	/* First, so that it shows in `systemctl status` however long the rest. */
	if (m->config_errors)
		snprintf(refused, sizeof(refused),
			 "Configuration refused, running on %s (see journalctl -u klpd); ",
			 manager_config_running_on(m));

	if (!m->state->supported)
		snprintf(status, sizeof(status), "%sno livepatch support in this kernel", refused);
	else if (t->active) {
		/* The start as a time of day, not an age: STATUS= changes (and
		 * wakes PID 1) only when something happens. */
		uint64_t age = now_monotonic() > t->start_usec ? now_monotonic() - t->start_usec : 0;
		time_t start = (time_t)((now_realtime() - age) / USEC_PER_SEC);
		struct tm tm;

		if (!localtime_r(&start, &tm) || !strftime(since, sizeof(since), "%H:%M:%S", &tm))
			snprintf(since, sizeof(since), "?");
		snprintf(status, sizeof(status), "%s%zu applied, '%s' %s to %s since %s%s", refused,
			 applied, t->patch, t->stalled ? "stalled" : "in transition",
			 t->target_patched ? "patched" : "unpatched", since, extra);
	}
	else
		snprintf(status, sizeof(status), "%sidle, %zu applied%s", refused, applied, extra);

	if (streq(status, m->last_status))
		return;
	snprintf(m->last_status, sizeof(m->last_status), "%s", status);
	(void)sd_notifyf(false, "STATUS=%s", status);
}

/* --- the manager as the actions' event sink */

static void on_action_event(void *u, const struct action_event *ev)
{
	struct manager *m = u;

	switch (ev->kind) {
	case ACTION_EVENT_SKIP_CLEARED:
		bus_manager_changed(m, MANAGER_PROP_SKIPPED_AT_BOOT);
		break;
	case ACTION_EVENT_LOAD_FAILED:
		bus_emit_load_failed(m, ev->name, ev->source, ev->message);
		break;
	case ACTION_EVENT_UNLOADING:
		/* for on_module_unloaded(), which the state calls in between */
		snprintf(m->unloading, sizeof(m->unloading), "%s", ev->name);
		m->unloading_origin = ev->origin;
		break;
	case ACTION_EVENT_UNLOAD_FAILED:
		(void)metrics_note_unload_failure(&m->metrics, ev->origin == UNLOAD_BY_POLICY
								       ? "policy"
								       : "requested");
		break;
	case ACTION_EVENT_UNLOAD_OVER:
		m->unloading[0] = '\0';
		break;
	case ACTION_EVENT_RESCAN_NEEDED:
		m->need_rescan = true;
		break;
	}
}

struct action_context manager_actions(struct manager *m)
{
	return (struct action_context){
		.state = m->state,
		.config = &m->config,
		.root = m->root,
		.kernel_release = m->kernel_release,
		.queue = &m->queue,
		.guard = &m->boot_guard,
		.health = &m->health,
		.on_event = on_action_event,
		.userdata = m,
	};
}
