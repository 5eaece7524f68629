/* SPDX-License-Identifier: GPL-2.0-or-later */
/* org.klpd.livepatch1.Patch: one object per livepatch module, found through
 * a fallback vtable so that objects come and go with the state. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
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

int bus_append_blockers(sd_bus_message *reply, const struct patch *p)
{
	int r;

	r = sd_bus_message_open_container(reply, 'a', "(uss)");
	if (r < 0)
		return r;
	for (size_t i = 0; p && i < p->n_blockers; i++) {
		r = sd_bus_message_append(reply, "(uss)", p->blockers[i].pid, p->blockers[i].comm,
					  p->blockers[i].stack);
		if (r < 0)
			return r;
	}
	return sd_bus_message_close_container(reply);
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

static int property_get_refcount(sd_bus *bus, const char *path, const char *interface,
				 const char *property, sd_bus_message *reply, void *userdata,
				 sd_bus_error *error)
{
	const struct patch *p = userdata;
	int32_t v = (int32_t)p->module.refcnt;

	return sd_bus_message_append_basic(reply, 'i', &v);
}

static int property_get_forced(sd_bus *bus, const char *path, const char *interface,
			       const char *property, sd_bus_message *reply, void *userdata,
			       sd_bus_error *error)
{
	const struct patch *p = userdata;
	return append_bool(reply, p->forced);
}

static int property_get_loaded_at(sd_bus *bus, const char *path, const char *interface,
				  const char *property, sd_bus_message *reply, void *userdata,
				  sd_bus_error *error)
{
	const struct patch *p = userdata;
	return sd_bus_message_append_basic(reply, 't', &p->loaded_at);
}

static int property_get_source(sd_bus *bus, const char *path, const char *interface,
			       const char *property, sd_bus_message *reply, void *userdata,
			       sd_bus_error *error)
{
	const struct patch *p = userdata;
	return append_string(reply, strempty(p->source));
}

static int property_get_blockers(sd_bus *bus, const char *path, const char *interface,
				 const char *property, sd_bus_message *reply, void *userdata,
				 sd_bus_error *error)
{
	return bus_append_blockers(reply, userdata);
}

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
	SD_BUS_PROPERTY("Refcount", "i", property_get_refcount, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Forced", "b", property_get_forced, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("LoadedAt", "t", property_get_loaded_at, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Source", "s", property_get_source, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Blockers", "a(uss)", property_get_blockers, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_VTABLE_END,
};
