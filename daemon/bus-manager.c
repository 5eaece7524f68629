/* SPDX-License-Identifier: GPL-2.0-or-later */
/* org.klpd.livepatch1.Manager on /org/klpd/livepatch1, the ObjectManager,
 * and the mirroring of state changes onto the bus. */
#include <errno.h>
#include <linux/capability.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "bus.h"
#include "caller.h"
#include "dbus-names.h"
#include "log.h"
#include "macro.h"
#include "policy-plan.h"
#include "time-util.h"

static const char *const action_error_names[] = {
	[ACTION_ERROR_FAILED] = SD_BUS_ERROR_FAILED,
	[ACTION_ERROR_INVALID_ARGS] = SD_BUS_ERROR_INVALID_ARGS,
	[ACTION_ERROR_NO_SUCH_PATCH] = KLPD_ERROR_NO_SUCH_PATCH,
	[ACTION_ERROR_NOT_LIVEPATCH] = KLPD_ERROR_NOT_LIVEPATCH,
	[ACTION_ERROR_TRANSITION_IN_PROGRESS] = KLPD_ERROR_TRANSITION_IN_PROGRESS,
	[ACTION_ERROR_NOT_IN_TRANSITION] = KLPD_ERROR_NOT_IN_TRANSITION,
	[ACTION_ERROR_PINNED] = KLPD_ERROR_PINNED,
	[ACTION_ERROR_BAD_SOURCE] = KLPD_ERROR_BAD_SOURCE,
	[ACTION_ERROR_NOT_SUPPORTED] = KLPD_ERROR_NOT_SUPPORTED,
	[ACTION_ERROR_REFUSED] = KLPD_ERROR_REFUSED,
};

static int reply_error(sd_bus_error *error, const struct action_result *res)
{
	return sd_bus_error_set(error, action_error_names[res->error], res->message);
}

/* Reads are open to everyone; every change needs CAP_SYS_MODULE in the
 * host's user namespace, checked here and not only in the bus policy file.
 * The bus's own capability field will not do: with dbus-daemon sd-bus reads
 * it from /proc/PID/status, relative to the caller's user namespace, and a
 * new user namespace holds every capability in itself. */
static int check_caller(sd_bus_message *msg, const char *what, sd_bus_error *error)
{
	_cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL, *again = NULL;
	struct caller_facts facts;
	const char *why;
	pid_t pid, pid_again;
	uid_t uid;
	int r;

	/* uid and pid as the kernel took them when the caller connected
	 * (SO_PEERCRED), not read from /proc */
	r = sd_bus_query_sender_creds(msg, SD_BUS_CREDS_PID | SD_BUS_CREDS_UID | SD_BUS_CREDS_EUID,
				      &creds);
	if (r >= 0)
		r = sd_bus_creds_get_pid(creds, &pid);
	/* sd-bus files dbus-daemon's UnixUserID under one or the other */
	if (r >= 0 && sd_bus_creds_get_euid(creds, &uid) < 0)
		r = sd_bus_creds_get_uid(creds, &uid);
	if (r < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "%s refused: cannot tell who the caller is (%s)", what,
					 strerror(-r));
	r = caller_facts_read(pid, uid, &facts);
	if (r == -ESRCH)
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "%s refused: the caller's process is gone", what);
	if (r < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "%s refused: cannot read the caller's credentials (%s)", what,
					 strerror(-r));
	why = caller_verdict(&facts, CAP_SYS_MODULE);
	if (why)
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "%s needs CAP_SYS_MODULE in the host's user namespace (%s)",
					 what, why);
	/* The pid was the caller's only while its connection lasts: a caller
	 * that has hung up may have left its pid to another process. */
	r = sd_bus_get_name_creds(sd_bus_message_get_bus(msg), sd_bus_message_get_sender(msg),
				  SD_BUS_CREDS_PID, &again);
	if (r >= 0)
		r = sd_bus_creds_get_pid(again, &pid_again);
	if (r < 0 || pid_again != pid)
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "%s refused: the caller hung up", what);
	return 0;
}

static int unload_requested(const struct action_context *ctx, const char *name,
			    struct action_result *res)
{
	return action_unload(ctx, name, UNLOAD_REQUESTED, res);
}

static int method_load(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct manager *m = userdata;
	struct action_context ctx;
	struct action_result res = {};
	char name[KLP_MODULE_NAME_MAX];
	_cleanup_free_ char *path = NULL;
	const char *source;
	uint64_t flags;
	bool queued;
	int r;

	r = sd_bus_message_read(msg, "st", &source, &flags);
	if (r < 0)
		return r;
	r = check_caller(msg, "Load", error);
	if (r < 0)
		return r;
	ctx = manager_actions(m);
	r = action_load(&ctx, source, flags, NULL, name, &queued, &res);
	if (r < 0)
		return reply_error(error, &res);
	manager_changed(m);
	r = bus_patch_path(name, &path);
	if (r < 0)
		return r;
	return sd_bus_reply_method_return(msg, "o", path);
}

typedef int (*name_action)(const struct action_context *ctx, const char *name,
			   struct action_result *res);

static int method_name_action(sd_bus_message *msg, struct manager *m, const char *what,
			      name_action action, sd_bus_error *error)
{
	struct action_context ctx;
	struct action_result res = {};
	const char *name;
	int r;

	r = sd_bus_message_read(msg, "s", &name);
	if (r < 0)
		return r;
	r = check_caller(msg, what, error);
	if (r < 0)
		return r;
	ctx = manager_actions(m);
	r = action(&ctx, name, &res);
	if (r < 0)
		return reply_error(error, &res);
	manager_changed(m);
	return sd_bus_reply_method_return(msg, NULL);
}

static int method_disable(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return method_name_action(msg, userdata, "Disable", action_disable, error);
}

static int method_revert(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return method_name_action(msg, userdata, "Revert", action_revert, error);
}

static int method_force(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return method_name_action(msg, userdata, "Force", action_force, error);
}

static int method_unload(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return method_name_action(msg, userdata, "Unload", unload_requested, error);
}

static int method_clear_skipped_at_boot(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return method_name_action(msg, userdata, "ClearSkippedAtBoot", action_clear_skip, error);
}

static int method_reload(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct manager *m = userdata;
	_cleanup_free_ char *msg_error = NULL;
	int r;

	r = check_caller(msg, "Reload", error);
	if (r < 0)
		return r;
	r = manager_reload(m, &msg_error);
	if (r < 0 && msg_error)
		return sd_bus_error_setf(error, KLPD_ERROR_CONFIG_REFUSED,
					 "Configuration refused, the running one stays:\n%s",
					 msg_error);
	if (r < 0)
		return sd_bus_error_set_errnof(error, r, "Reload failed: %s", strerror(-r));
	return sd_bus_reply_method_return(msg, NULL);
}

static int property_get_version(sd_bus *bus, const char *path, const char *interface,
				const char *property, sd_bus_message *reply, void *userdata,
				sd_bus_error *error)
{
	return sd_bus_message_append(reply, "s", PACKAGE_VERSION);
}

static int property_get_kernel_release(sd_bus *bus, const char *path, const char *interface,
				       const char *property, sd_bus_message *reply, void *userdata,
				       sd_bus_error *error)
{
	struct manager *m = userdata;
	return sd_bus_message_append(reply, "s", m->kernel_release);
}

static int property_get_supported(sd_bus *bus, const char *path, const char *interface,
				  const char *property, sd_bus_message *reply, void *userdata,
				  sd_bus_error *error)
{
	struct manager *m = userdata;
	return sd_bus_message_append(reply, "b", m->state->supported);
}

static int property_get_state(sd_bus *bus, const char *path, const char *interface,
			      const char *property, sd_bus_message *reply, void *userdata,
			      sd_bus_error *error)
{
	struct manager *m = userdata;
	return sd_bus_message_append(reply, "s", state_manager_state(m->state));
}

static int property_get_transition_patch(sd_bus *bus, const char *path, const char *interface,
					 const char *property, sd_bus_message *reply,
					 void *userdata, sd_bus_error *error)
{
	struct manager *m = userdata;
	return sd_bus_message_append(reply, "s",
				     m->state->transition.active ? m->state->transition.patch : "");
}

/* CLOCK_REALTIME, as clients read it: the monotonic start seen from now. */
static int property_get_transition_since(sd_bus *bus, const char *path, const char *interface,
					 const char *property, sd_bus_message *reply,
					 void *userdata, sd_bus_error *error)
{
	struct manager *m = userdata;
	const struct transition *t = &m->state->transition;
	uint64_t now = now_monotonic(), at = 0;

	if (t->active)
		at = now_realtime() - (now > t->start_usec ? now - t->start_usec : 0);
	return sd_bus_message_append(reply, "t", at);
}

static int property_get_reboot_required(sd_bus *bus, const char *path, const char *interface,
					const char *property, sd_bus_message *reply,
					void *userdata, sd_bus_error *error)
{
	struct manager *m = userdata;
	return sd_bus_message_append(reply, "b", state_reboot_required(m->state));
}

static int property_get_pinned_modules(sd_bus *bus, const char *path, const char *interface,
				       const char *property, sd_bus_message *reply, void *userdata,
				       sd_bus_error *error)
{
	struct manager *m = userdata;
	int r;

	r = sd_bus_message_open_container(reply, 'a', "s");
	if (r < 0)
		return r;
	for (size_t i = 0; i < m->state->n_patches; i++) {
		const struct patch *p = m->state->patches[i];

		if (p->state != PATCH_STATE_PINNED)
			continue;
		r = sd_bus_message_append(reply, "s", p->name);
		if (r < 0)
			return r;
	}
	return sd_bus_message_close_container(reply);
}

static int property_get_skipped_at_boot(sd_bus *bus, const char *path, const char *interface,
					const char *property, sd_bus_message *reply, void *userdata,
					sd_bus_error *error)
{
	struct manager *m = userdata;
	int r;

	r = sd_bus_message_open_container(reply, 'a', "s");
	if (r < 0)
		return r;
	for (size_t i = 0; i < m->boot_guard.n_records; i++) {
		if (!boot_guard_record_skipped(&m->boot_guard, &m->boot_guard.records[i]))
			continue;
		r = sd_bus_message_append(reply, "s", m->boot_guard.records[i].name);
		if (r < 0)
			return r;
	}
	/* and those the health window marked faulty */
	for (size_t i = 0; i < m->health.n; i++) {
		const struct health_record *rec = &m->health.records[i];

		if (rec->health != PATCH_HEALTH_FAULTY || boot_guard_skipped(&m->boot_guard, rec->name))
			continue;
		r = sd_bus_message_append(reply, "s", rec->name);
		if (r < 0)
			return r;
	}
	return sd_bus_message_close_container(reply);
}

static int property_get_configuration_source(sd_bus *bus, const char *path,
					     const char *interface, const char *property,
					     sd_bus_message *reply, void *userdata,
					     sd_bus_error *error)
{
	struct manager *m = userdata;
	return sd_bus_message_append(reply, "s", config_origin_to_string(m->config_origin));
}

/* What the policy will do about the running transition, and when. */
static int stall_plan(struct manager *m, struct policy_plan *plan)
{
	uint64_t now = now_monotonic();

	return policy_plan_transition(m->state, &m->config, &m->policy, now, now_realtime() - now,
				      plan);
}

static int property_get_stall_action(sd_bus *bus, const char *path, const char *interface,
				     const char *property, sd_bus_message *reply, void *userdata,
				     sd_bus_error *error)
{
	struct policy_plan plan;
	int r;

	r = stall_plan(userdata, &plan);
	if (r < 0)
		return r;
	return sd_bus_message_append(reply, "s",
				     plan.kind == _POLICY_ACTION_MAX
					     ? ""
					     : policy_action_to_string(plan.kind));
}

static int property_get_stall_deadline(sd_bus *bus, const char *path, const char *interface,
				       const char *property, sd_bus_message *reply,
				       void *userdata, sd_bus_error *error)
{
	struct policy_plan plan;
	uint64_t now, at = 0;
	int r;

	r = stall_plan(userdata, &plan);
	if (r < 0)
		return r;
	/* Clients compare it with their own clock: CLOCK_REALTIME. */
	if (plan.kind != _POLICY_ACTION_MAX && plan.at) {
		now = now_monotonic();
		at = now_realtime();
		if (plan.at > now)
			at += plan.at - now;
	}
	return sd_bus_message_append(reply, "t", at);
}

static const sd_bus_vtable manager_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Version", "s", property_get_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("KernelRelease", "s", property_get_kernel_release, 0,
			SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Supported", "b", property_get_supported, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("State", "s", property_get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("TransitionPatch", "s", property_get_transition_patch, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("TransitionSince", "t", property_get_transition_since, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("RebootRequired", "b", property_get_reboot_required, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("PinnedModules", "as", property_get_pinned_modules, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("PatchDirectories", "as", NULL, offsetof(struct manager, config.patch_dirs),
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("SkippedAtBoot", "as", property_get_skipped_at_boot, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("StallAction", "s", property_get_stall_action, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("StallDeadline", "t", property_get_stall_deadline, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("ConfigurationSource", "s", property_get_configuration_source, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	/* One "file:line: ..." message per element; empty while the files are
	 * valid. */
	SD_BUS_PROPERTY("ConfigurationErrors", "as", NULL, offsetof(struct manager, config_errors),
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),

	SD_BUS_METHOD_WITH_ARGS("Load", SD_BUS_ARGS("s", source, "t", flags),
				SD_BUS_RESULT("o", patch), method_load,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Disable", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT,
				method_disable, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Revert", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT,
				method_revert, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Force", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT, method_force,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Unload", SD_BUS_ARGS("s", module), SD_BUS_NO_RESULT,
				method_unload, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ClearSkippedAtBoot", SD_BUS_ARGS("s", module), SD_BUS_NO_RESULT,
				method_clear_skipped_at_boot, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Reload", NULL, NULL, method_reload, SD_BUS_VTABLE_UNPRIVILEGED),

	SD_BUS_SIGNAL_WITH_ARGS("TransitionStarted", SD_BUS_ARGS("s", patch, "s", target), 0),
	SD_BUS_SIGNAL_WITH_ARGS("TransitionFinished",
				SD_BUS_ARGS("s", patch, "s", target, "s", how, "t", usec), 0),
	SD_BUS_SIGNAL_WITH_ARGS("TransitionStalled", SD_BUS_ARGS("s", patch, "a(uss)", blockers),
				0),
	SD_BUS_SIGNAL_WITH_ARGS("ModuleUnloaded", SD_BUS_ARGS("s", module, "s", reason), 0),
	SD_BUS_SIGNAL_WITH_ARGS("PolicyApplied", SD_BUS_ARGS("s", patch, "s", action, "s", reason),
				0),
	SD_BUS_SIGNAL_WITH_ARGS("LoadFailed", SD_BUS_ARGS("s", patch, "s", source, "s", message),
				0),
	SD_BUS_SIGNAL_WITH_ARGS("KernelIncident",
				SD_BUS_ARGS("s", patch, "s", kind, "s", first_line), 0),
	SD_BUS_VTABLE_END,
};

#define BUS_RETRY_FIRST_USEC (500 * USEC_PER_MSEC)
#define BUS_RETRY_MAX_USEC (30 * USEC_PER_SEC)

static int connect_bus(struct manager *m);

static int on_bus_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;

	m->bus_retry = sd_event_source_unref(m->bus_retry);
	if (connect_bus(m) >= 0) {
		log_notice("Connected to the system bus again");
		m->bus_retry_usec = 0;
		return 0;
	}
	m->bus_retry_usec = m->bus_retry_usec ? m->bus_retry_usec * 2 : BUS_RETRY_FIRST_USEC;
	if (m->bus_retry_usec > BUS_RETRY_MAX_USEC)
		m->bus_retry_usec = BUS_RETRY_MAX_USEC;
	if (sd_event_add_time_relative(m->event, &m->bus_retry, CLOCK_MONOTONIC, m->bus_retry_usec,
				       0, on_bus_retry, m) < 0) {
		log_error("Cannot retry connecting to the system bus: exiting for a restart");
		return sd_event_exit(m->event, EXIT_FAILURE);
	}
	return 0;
}

/* The bus went away (dbus-daemon restarted or killed). The policy keeps
 * running without it; the bus comes back by a new connection, which also
 * starts a socket-activated dbus-daemon again. */
static int on_bus_disconnected(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct manager *m = userdata;

	log_warning("Lost the connection to the system bus; klpd's policy keeps running, "
		    "reconnecting");
	(void)sd_bus_detach_event(m->bus);
	m->bus = sd_bus_close_unref(m->bus);
	if (!m->bus_retry)
		return on_bus_retry(NULL, 0, m);
	return 0;
}

static int connect_bus(struct manager *m)
{
	_cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
	int r;

	r = sd_bus_open_system(&bus);
	if (r < 0)
		return log_error_errno(r, "Cannot connect to the system bus");
	r = sd_bus_add_object_vtable(bus, NULL, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE,
				     manager_vtable, m);
	if (r < 0)
		return log_error_errno(r, "Cannot add the manager object");
	r = sd_bus_add_fallback_vtable(bus, NULL, KLPD_PATCH_PATH_PREFIX, KLPD_PATCH_INTERFACE,
				       patch_vtable, bus_patch_find, m);
	if (r < 0)
		return log_error_errno(r, "Cannot add the patch objects");
	r = sd_bus_add_node_enumerator(bus, NULL, KLPD_PATCH_PATH_PREFIX, bus_patch_enumerate, m);
	if (r < 0)
		return log_error_errno(r, "Cannot add the patch enumerator");
	r = sd_bus_add_object_manager(bus, NULL, KLPD_MANAGER_PATH);
	if (r < 0)
		return log_error_errno(r, "Cannot add the object manager");
	r = sd_bus_match_signal(bus, NULL, "org.freedesktop.DBus.Local",
				"/org/freedesktop/DBus/Local", "org.freedesktop.DBus.Local",
				"Disconnected", on_bus_disconnected, m);
	if (r < 0)
		return log_error_errno(r, "Cannot watch the bus connection");
	r = sd_bus_attach_event(bus, m->event, SD_EVENT_PRIORITY_NORMAL);
	if (r < 0)
		return log_error_errno(r, "Cannot attach the bus to the event loop");
	/* Take the name last: callers may come as soon as we have it. */
	r = sd_bus_request_name(bus, KLPD_BUS_NAME, 0);
	if (r < 0) {
		(void)sd_bus_detach_event(bus);
		return log_error_errno(r, "Cannot own the bus name %s", KLPD_BUS_NAME);
	}
	m->bus = TAKE_PTR(bus);
	return 0;
}

int bus_setup(struct manager *m)
{
	return connect_bus(m);
}

void bus_patch_added(struct manager *m, const struct patch *p)
{
	_cleanup_free_ char *path = NULL;

	if (!m->bus || bus_patch_path(p->name, &path) < 0)
		return;
	(void)sd_bus_emit_object_added(m->bus, path);
}

void bus_patch_removed(struct manager *m, const struct patch *p)
{
	_cleanup_free_ char *path = NULL;

	if (!m->bus || bus_patch_path(p->name, &path) < 0)
		return;
	(void)sd_bus_emit_object_removed(m->bus, path);
}

/* The manager's fields that changed (MANAGER_PROP_*) and the properties
 * that show them. */
static const struct bus_field_property manager_properties[] = {
	{ MANAGER_PROP_STATE, "State" },
	{ MANAGER_PROP_TRANSITION_PATCH, "TransitionPatch" },
	{ MANAGER_PROP_TRANSITION_PATCH, "TransitionSince" },
	{ MANAGER_PROP_REBOOT_REQUIRED, "RebootRequired" },
	{ MANAGER_PROP_PINNED_MODULES, "PinnedModules" },
	{ MANAGER_PROP_SUPPORTED, "Supported" },
	{ MANAGER_PROP_SKIPPED_AT_BOOT, "SkippedAtBoot" },
	/* The policy's plan follows the transition: it changes with State. */
	{ MANAGER_PROP_STATE, "StallAction" },
	{ MANAGER_PROP_STATE, "StallDeadline" },
};

size_t bus_changed_properties(const struct bus_field_property *map, size_t n, unsigned props,
			      char **out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (props & map[i].field)
			out[k++] = (char *)map[i].property;
	out[k] = NULL;
	return k;
}

void bus_manager_changed(struct manager *m, unsigned props)
{
	char *changed[ELEMENTSOF(manager_properties) + 1];

	if (!m->bus)
		return;
	if (bus_changed_properties(manager_properties, ELEMENTSOF(manager_properties), props,
				   changed) > 0)
		(void)sd_bus_emit_properties_changed_strv(m->bus, KLPD_MANAGER_PATH,
							  KLPD_MANAGER_INTERFACE, changed);
}

void bus_config_changed(struct manager *m)
{
	if (!m->bus)
		return;
	/* After a reload: PatchDirectories may have changed with the plan, and
	 * the configuration been refused or accepted. */
	(void)sd_bus_emit_properties_changed(m->bus, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE,
					     "StallAction", "StallDeadline", "PatchDirectories",
					     "ConfigurationSource", "ConfigurationErrors", NULL);
}

void bus_emit_transition_started(struct manager *m, const struct transition *t)
{
	if (!m->bus)
		return;
	(void)sd_bus_emit_signal(m->bus, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE,
				 "TransitionStarted", "ss", t->patch,
				 t->target_patched ? KLPD_TARGET_PATCHED : KLPD_TARGET_UNPATCHED);
}

void bus_emit_transition_finished(struct manager *m, const struct transition *t)
{
	if (!m->bus)
		return;
	(void)sd_bus_emit_signal(m->bus, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE,
				 "TransitionFinished", "ssst", t->patch,
				 t->target_patched ? KLPD_TARGET_PATCHED : KLPD_TARGET_UNPATCHED,
				 transition_how_to_string(t->how), transition_duration(t));
}

void bus_emit_transition_stalled(struct manager *m)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *msg = NULL;
	const struct transition *t = &m->state->transition;

	if (!m->bus || !t->active)
		return;
	if (sd_bus_message_new_signal(m->bus, &msg, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE,
				      "TransitionStalled") < 0)
		return;
	/* A broadcast reaches every user: no stack frames in it. */
	if (sd_bus_message_append(msg, "s", t->patch) < 0 ||
	    bus_append_blockers(msg, state_find(m->state, t->patch), false) < 0)
		return;
	(void)sd_bus_send(m->bus, msg, NULL);
}

void bus_emit_module_unloaded(struct manager *m, const char *module, const char *reason)
{
	if (!m->bus)
		return;
	(void)sd_bus_emit_signal(m->bus, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE,
				 "ModuleUnloaded", "ss", module, reason);
}

void bus_emit_load_failed(struct manager *m, const char *patch, const char *source,
			  const char *message)
{
	if (!m->bus)
		return;
	(void)sd_bus_emit_signal(m->bus, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE, "LoadFailed",
				 "sss", patch, source, message);
}

void bus_emit_kernel_incident(struct manager *m, const char *patch, const char *kind,
			      const char *first_line)
{
	if (!m->bus)
		return;
	(void)sd_bus_emit_signal(m->bus, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE,
				 "KernelIncident", "sss", patch, kind, first_line);
}

void bus_emit_policy_applied(struct manager *m, const char *patch, const char *action,
			     const char *reason)
{
	if (!m->bus)
		return;
	(void)sd_bus_emit_signal(m->bus, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE,
				 "PolicyApplied", "sss", patch, action, reason);
}
