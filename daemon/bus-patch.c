/* SPDX-License-Identifier: GPL-2.0-or-later */
/* org.klpd.livepatch1.Patch: one object per livepatch module, found through
 * a fallback vtable so that objects come and go with the state. */
#include <errno.h>
#include <linux/capability.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "health-records.h"
#include "caller.h"
#include "dbus-names.h"
#include "macro.h"

int bus_patch_path(const char *name, char **ret)
{
	return sd_bus_path_encode(KLPD_PATCH_PATH_PREFIX, name, ret);
}

int bus_patch_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
		   void **found, sd_bus_error *error)
{
	struct manager *m = userdata;
	_cleanup_free_ char *name = NULL;
	struct patch *p;
	int r;

	r = sd_bus_path_decode(path, KLPD_PATCH_PATH_PREFIX, &name);
	if (r <= 0)
		return r;
	p = state_find(m->state, name);
	if (!p)
		return 0;
	*found = p;
	return 1;
}

int bus_patch_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes,
			sd_bus_error *error)
{
	struct manager *m = userdata;
	size_t n = m->state->n_patches;
	char **l;
	int r;

	l = calloc(n + 1, sizeof(char *));
	if (!l)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		r = bus_patch_path(m->state->patches[i]->name, &l[i]);
		if (r < 0) {
			strv_free(l);
			return r;
		}
	}
	*nodes = l;
	return 0;
}

/* GetManagedObjects calls every getter of every patch: sd_bus_message_append()
 * parses its signature on each call, appending the basic value directly
 * does not. */
static int append_string(sd_bus_message *reply, const char *s)
{
	return sd_bus_message_append_basic(reply, 's', s);
}

static int append_bool(sd_bus_message *reply, bool b)
{
	int v = b;

	return sd_bus_message_append_basic(reply, 'b', &v);
}

int bus_append_blockers(sd_bus_message *reply, const struct patch *p, bool stacks)
{
	int r;

	r = sd_bus_message_open_container(reply, 'a', "(uss)");
	if (r < 0)
		return r;
	for (size_t i = 0; p && i < p->n_blockers; i++) {
		r = sd_bus_message_append(reply, "(uss)", p->blockers[i].pid, p->blockers[i].comm,
					  stacks ? p->blockers[i].stack : "");
		if (r < 0)
			return r;
	}
	return sd_bus_message_close_container(reply);
}

/* The uid the bus daemon took from the caller's socket (SO_PEERCRED, in the
 * bus daemon's user namespace: a process in another namespace shows as its
 * uid outside), never one read from /proc, where a PID can be reused. */
static int bus_uid(sd_bus_creds *creds, uid_t *ret)
{
	uint64_t augmented = sd_bus_creds_get_augmented_mask(creds);

	if (!(augmented & SD_BUS_CREDS_EUID) && sd_bus_creds_get_euid(creds, ret) >= 0)
		return 0;
	if (!(augmented & SD_BUS_CREDS_UID) && sd_bus_creds_get_uid(creds, ret) >= 0)
		return 0;
	return -ENODATA;
}

/* klpd reads /proc/PID/stack with its own privileges; the kernel shows that
 * file only to openers with CAP_SYS_ADMIN in the initial user namespace. So
 * the frames go only to a caller the kernel would show them to: uid 0 as the
 * bus saw it, with CAP_SYS_ADMIN effective in the host's user namespace.
 * Nobody, when there is no method call being answered or its sender cannot
 * be told. */
static bool caller_sees_stacks(sd_bus *bus)
{
	_cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
	sd_bus_message *msg = sd_bus_get_current_message(bus);
	struct caller_facts facts;
	pid_t pid;
	uid_t uid;

	/* uid and pid as the bus took them at connect; capabilities and user
	 * namespace as the Manager's methods read them (caller.c): root in a
	 * user namespace of its own has CAP_SYS_ADMIN only in there. */
	if (!msg || sd_bus_query_sender_creds(msg,
					      SD_BUS_CREDS_UID | SD_BUS_CREDS_EUID |
						      SD_BUS_CREDS_PID,
					      &creds) < 0)
		return false;
	if (bus_uid(creds, &uid) < 0 || uid != 0 || sd_bus_creds_get_pid(creds, &pid) < 0)
		return false;
	return caller_facts_read(pid, uid, &facts) >= 0 && !caller_verdict(&facts, CAP_SYS_ADMIN);
}

static bool any_stack(const struct patch *p)
{
	for (size_t i = 0; i < p->n_blockers; i++)
		if (p->blockers[i].stack[0])
			return true;
	return false;
}

static int property_get_name(sd_bus *bus, const char *path, const char *interface,
			     const char *property, sd_bus_message *reply, void *userdata,
			     sd_bus_error *error)
{
	const struct patch *p = userdata;
	return append_string(reply, p->name);
}

static int property_get_state(sd_bus *bus, const char *path, const char *interface,
			      const char *property, sd_bus_message *reply, void *userdata,
			      sd_bus_error *error)
{
	const struct patch *p = userdata;
	return append_string(reply, patch_state_to_string(p->state));
}

static int property_get_enabled(sd_bus *bus, const char *path, const char *interface,
				const char *property, sd_bus_message *reply, void *userdata,
				sd_bus_error *error)
{
	const struct patch *p = userdata;
	return append_bool(reply, p->in_sysfs && p->sysfs.enabled);
}

static int property_get_transition(sd_bus *bus, const char *path, const char *interface,
				   const char *property, sd_bus_message *reply, void *userdata,
				   sd_bus_error *error)
{
	const struct patch *p = userdata;
	return append_bool(reply, p->state == PATCH_STATE_PATCHING ||
					  p->state == PATCH_STATE_UNPATCHING);
}

static int property_get_replace(sd_bus *bus, const char *path, const char *interface,
				const char *property, sd_bus_message *reply, void *userdata,
				sd_bus_error *error)
{
	const struct patch *p = userdata;
	return append_string(reply, p->sysfs.replace < 0 ? "unknown" : yes_no(p->sysfs.replace));
}

static int property_get_stack_order(sd_bus *bus, const char *path, const char *interface,
				    const char *property, sd_bus_message *reply, void *userdata,
				    sd_bus_error *error)
{
	const struct patch *p = userdata;
	uint32_t v = p->in_sysfs ? (uint32_t)p->sysfs.stack_order : 0;

	return sd_bus_message_append_basic(reply, 'u', &v);
}

static int property_get_objects(sd_bus *bus, const char *path, const char *interface,
				const char *property, sd_bus_message *reply, void *userdata,
				sd_bus_error *error)
{
	const struct patch *p = userdata;
	int r;

	r = sd_bus_message_open_container(reply, 'a', "(sb)");
	if (r < 0)
		return r;
	for (size_t i = 0; p->in_sysfs && i < p->sysfs.n_objects; i++) {
		r = sd_bus_message_open_container(reply, 'r', "sb");
		if (r >= 0)
			r = append_string(reply, p->sysfs.objects[i].name);
		if (r >= 0)
			r = append_bool(reply, p->sysfs.objects[i].patched > 0);
		if (r >= 0)
			r = sd_bus_message_close_container(reply);
		if (r < 0)
			return r;
	}
	return sd_bus_message_close_container(reply);
}

static int property_get_health(sd_bus *bus, const char *path, const char *interface,
			       const char *property, sd_bus_message *reply, void *userdata,
			       sd_bus_error *error)
{
	const struct patch *p = userdata;
	return append_string(reply, patch_health_to_string((enum patch_health)p->health));
}

static int property_get_forced(sd_bus *bus, const char *path, const char *interface,
			       const char *property, sd_bus_message *reply, void *userdata,
			       sd_bus_error *error)
{
	const struct patch *p = userdata;
	return append_bool(reply, p->forced);
}

static int property_get_blockers(sd_bus *bus, const char *path, const char *interface,
				 const char *property, sd_bus_message *reply, void *userdata,
				 sd_bus_error *error)
{
	const struct patch *p = userdata;

	/* Also reached through GetAll and GetManagedObjects: the current
	 * message is the caller's call in each case. The sender is looked up
	 * only when there is a frame to hide. */
	return bus_append_blockers(reply, p, any_stack(p) && caller_sees_stacks(bus));
}

/* Values kept as the bus sends them are read through offsets; the rest are
 * computed, or a C bool, which is not the 4-byte "b" sd-bus reads. */
_Static_assert(sizeof(int) == sizeof(int32_t), "Refcount is read as \"i\"");

const sd_bus_vtable patch_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Name", "s", property_get_name, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("State", "s", property_get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Enabled", "b", property_get_enabled, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Transition", "b", property_get_transition, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Replace", "s", property_get_replace, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("StackOrder", "u", property_get_stack_order, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Objects", "a(sb)", property_get_objects, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Refcount", "i", NULL, offsetof(struct patch, module.refcnt),
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Forced", "b", property_get_forced, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("LoadedAt", "t", NULL, offsetof(struct patch, loaded_at),
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	/* sd-bus sends "" for a NULL string. */
	SD_BUS_PROPERTY("Source", "s", NULL, offsetof(struct patch, source),
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	/* Its value depends on who asks (stack frames): PropertiesChanged only
	 * names it, and each client reads it again. */
	SD_BUS_PROPERTY("Health", "s", property_get_health, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("HealthSince", "t", NULL, offsetof(struct patch, health_since),
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Blockers", "a(uss)", property_get_blockers, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
	SD_BUS_VTABLE_END,
};

/* A patch's fields that changed (PATCH_PROP_*) and the properties that show
 * them. */
static const struct bus_field_property patch_properties[] = {
	{ PATCH_PROP_STATE, "State" },
	{ PATCH_PROP_ENABLED, "Enabled" },
	{ PATCH_PROP_TRANSITION, "Transition" },
	{ PATCH_PROP_REPLACE, "Replace" },
	{ PATCH_PROP_STACK_ORDER, "StackOrder" },
	{ PATCH_PROP_OBJECTS, "Objects" },
	{ PATCH_PROP_REFCOUNT, "Refcount" },
	{ PATCH_PROP_FORCED, "Forced" },
	{ PATCH_PROP_LOADED_AT, "LoadedAt" },
	{ PATCH_PROP_SOURCE, "Source" },
	{ PATCH_PROP_BLOCKERS, "Blockers" },
	{ PATCH_PROP_HEALTH, "Health" },
	{ PATCH_PROP_HEALTH, "HealthSince" },
};

void bus_patch_changed(struct manager *m, const struct patch *p, unsigned props)
{
	_cleanup_free_ char *path = NULL;
	char *changed[ELEMENTSOF(patch_properties) + 1];

	if (!m->bus || bus_patch_path(p->name, &path) < 0)
		return;
	if (bus_changed_properties(patch_properties, ELEMENTSOF(patch_properties), props,
				   changed) > 0)
		(void)sd_bus_emit_properties_changed_strv(m->bus, path, KLPD_PATCH_INTERFACE,
							  changed);
}
