/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-objects.h"
#include "dbus-names.h"
#include "macro.h"
#include "utf8.h"

void text_copy(char *dst, size_t size, const char *s)
{
	utf8_escape(dst, size, strempty(s), strlen(strempty(s)));
}

/* --- the walker */

static int set_by_signature(sd_bus_message *m, const struct bus_property *p, void *obj)
{
	void *field = (char *)obj + p->offset;
	const char *s;
	int r;

	if (streq(p->signature, "as")) {
		strv_free(*(char ***)field);
		*(char ***)field = NULL;
		return sd_bus_message_read_strv(m, field);
	}
	if (!streq(p->signature, "s"))
		return sd_bus_message_read_basic(m, p->signature[0], field);
	r = sd_bus_message_read(m, "s", &s);
	if (r < 0)
		return r;
	if (p->size) {
		utf8_escape(field, p->size, s, strlen(s));
		return 0;
	}
	free(*(char **)field);
	*(char **)field = utf8_escape_dup(s);
	return *(char **)field ? 0 : -ENOMEM;
}

static const struct bus_property *property_find(const struct bus_property *map, const char *name)
{
	for (; map->name; map++)
		if (streq(map->name, name))
			return map;
	return NULL;
}

int bus_map_properties(sd_bus_message *m, const struct bus_property *map, void *obj)
{
	int r;

	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		const struct bus_property *p;
		const char *key, *sig;

		r = sd_bus_message_read(m, "s", &key);
		if (r < 0)
			return r;
		r = sd_bus_message_peek_type(m, NULL, &sig);
		if (r < 0)
			return r;
		r = sd_bus_message_enter_container(m, 'v', sig);
		if (r < 0)
			return r;
		p = property_find(map, key);
		if (!p)
			r = sd_bus_message_skip(m, sig);
		else
			r = (p->set ? p->set : set_by_signature)(m, p, obj);
		if (r < 0)
			return r;
		r = sd_bus_message_exit_container(m); /* v */
		if (r < 0)
			return r;
		r = sd_bus_message_exit_container(m); /* e */
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

void bus_properties_free(const struct bus_property *map, void *obj)
{
	for (; map->name; map++) {
		void *field = (char *)obj + map->offset;

		if (map->set)
			continue;
		if (streq(map->signature, "as")) {
			strv_free(*(char ***)field);
			*(char ***)field = NULL;
		} else if (streq(map->signature, "s") && map->size == 0) {
			free(*(char **)field);
			*(char **)field = NULL;
		}
	}
}

int bus_get_all(sd_bus *bus, const char *path, const char *interface, sd_bus_error *error,
		sd_bus_message **ret)
{
	return sd_bus_call_method(bus, KLPD_BUS_NAME, path, "org.freedesktop.DBus.Properties",
				  "GetAll", error, ret, "s", interface);
}

int bus_get_properties(sd_bus *bus, const char *path, const char *interface,
		       const struct bus_property *map, void *obj, sd_bus_error *error)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r;

	r = bus_get_all(bus, path, interface, error, &reply);
	if (r < 0)
		return r;
	return bus_map_properties(reply, map, obj);
}

/* --- org.klpd.livepatch1.Patch */

/* Objects a(sb), each name escaped */
static int set_objects(sd_bus_message *m, const struct bus_property *p, void *obj)
{
	struct patch_info *pi = obj;
	const char *o;
	int b, r;

	r = sd_bus_message_enter_container(m, 'a', "(sb)");
	while (r >= 0 && (r = sd_bus_message_read(m, "(sb)", &o, &b)) > 0) {
		struct patch_object *l = reallocarray(pi->objects, pi->n_objects + 1, sizeof(*l));

		if (!l)
			return -ENOMEM;
		pi->objects = l;
		l[pi->n_objects] = (struct patch_object){ .name = utf8_escape_dup(o), .patched = b };
		if (!l[pi->n_objects++].name)
			return -ENOMEM;
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	return r;
}

int blockers_read(sd_bus_message *m, struct blocker **l, size_t *n)
{
	const char *comm, *stack;
	uint32_t pid;
	int r;

	r = sd_bus_message_enter_container(m, 'a', "(uss)");
	while (r >= 0 && (r = sd_bus_message_read(m, "(uss)", &pid, &comm, &stack)) > 0) {
		struct blocker *b = reallocarray(*l, *n + 1, sizeof(*b));

		if (!b)
			return -ENOMEM;
		*l = b;
		b[*n] = (struct blocker){
			.pid = pid,
			.comm = utf8_escape_dup(comm),
			.stack = utf8_escape_dup(stack),
		};
		(*n)++;
		if (!b[*n - 1].comm || !b[*n - 1].stack)
			return -ENOMEM;
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	return r;
}

void blockers_free(struct blocker *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(l[i].comm);
		free(l[i].stack);
	}
	free(l);
}

static int set_blockers(sd_bus_message *m, const struct bus_property *p, void *obj)
{
	struct patch_info *pi = obj;

	return blockers_read(m, &pi->blockers, &pi->n_blockers);
}

#define P(name, sig, field) BUS_FIELD(struct patch_info, name, sig, field)
static const struct bus_property patch_properties[] = {
	P("Name", "s", name),
	P("State", "s", state),
	P("Replace", "s", replace),
	P("Source", "s", source),
	P("Enabled", "b", enabled),
	P("Transition", "b", transition),
	P("Forced", "b", forced),
	P("StackOrder", "u", stack_order),
	P("Refcount", "i", refcount),
	P("LoadedAt", "t", loaded_at),
	P("Health", "s", health),
	P("HealthSince", "t", health_since),
	{ "Objects", "a(sb)", 0, 0, set_objects },
	{ "Blockers", "a(uss)", 0, 0, set_blockers },
	{},
};
#undef P

void patch_info_done(struct patch_info *p)
{
	free(p->path);
	for (size_t i = 0; i < p->n_objects; i++)
		free(p->objects[i].name);
	free(p->objects);
	blockers_free(p->blockers, p->n_blockers);
	bus_properties_free(patch_properties, p);
}

int patch_info_read(sd_bus_message *m, struct patch_info *p)
{
	return bus_map_properties(m, patch_properties, p);
}

int get_patches(sd_bus *bus, struct patch_info **ret, size_t *ret_n, sd_bus_error *error)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	struct patch_info *list = NULL;
	size_t n = 0;
	int r;

	r = sd_bus_call_method(bus, KLPD_BUS_NAME, KLPD_MANAGER_PATH,
			       "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", error,
			       &reply, NULL);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
	while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
		const char *path, *iface;
		struct patch_info *l;

		r = sd_bus_message_read(reply, "o", &path);
		if (r < 0)
			break;
		l = realloc(list, (n + 1) * sizeof(*l));
		if (!l) {
			r = -ENOMEM;
			break;
		}
		list = l;
		list[n] = (struct patch_info){ .path = strdup(path) };
		n++;
		r = sd_bus_message_enter_container(reply, 'a', "{sa{sv}}");
		while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sa{sv}")) > 0) {
			r = sd_bus_message_read(reply, "s", &iface);
			if (r >= 0)
				r = streq(iface, KLPD_PATCH_INTERFACE)
					    ? patch_info_read(reply, &list[n - 1])
					    : sd_bus_message_skip(reply, "a{sv}");
			if (r >= 0)
				r = sd_bus_message_exit_container(reply);
		}
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
		if (r >= 0 && !list[n - 1].name) /* not a patch object */
			patch_info_done(&list[--n]);
	}
	if (r < 0) {
		free_patches(list, n);
		return r;
	}
	*ret = list;
	*ret_n = n;
	return 0;
}

void free_patches(struct patch_info *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		patch_info_done(&l[i]);
	free(l);
}

/* --- org.klpd.livepatch1.Manager */

/* PinnedModules, SkippedAtBoot as: each name escaped */
static int set_escaped_strv(sd_bus_message *m, const struct bus_property *p, void *obj)
{
	char ***field = (char ***)((char *)obj + p->offset);
	int r;

	strv_free(*field);
	*field = NULL;
	r = sd_bus_message_read_strv(m, field);
	for (char **w = *field; r >= 0 && w && *w; w++) {
		char *e = utf8_escape_dup(*w);

		if (!e)
			return -ENOMEM;
		free(*w);
		*w = e;
	}
	return r;
}

#define M(name, sig, field) BUS_FIELD(struct manager_info, name, sig, field)
#define M_STRV(name, field) \
	{ name, "as", offsetof(struct manager_info, field), 0, set_escaped_strv }
static const struct bus_property manager_properties[] = {
	M("Version", "s", version),
	M("KernelRelease", "s", kernel),
	M("State", "s", state),
	M("TransitionPatch", "s", transition_patch),
	M("StallAction", "s", stall_action),
	M("ConfigurationSource", "s", config_source),
	M("Supported", "b", supported),
	M("RebootRequired", "b", reboot_required),
	M("StallDeadline", "t", stall_deadline),
	M("ConfigurationErrors", "as", config_errors),
	M_STRV("PinnedModules", pinned),
	M_STRV("SkippedAtBoot", skipped),
	{},
};
#undef M
#undef M_STRV

int get_manager(sd_bus *bus, struct manager_info *mi, sd_bus_error *error)
{
	int r;

	r = bus_get_properties(bus, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE, manager_properties,
			       mi, error);
	if (r < 0)
		return r;
	for (const struct bus_property *p = manager_properties; p->name; p++) {
		char **s = (char **)((char *)mi + p->offset);

		if (streq(p->signature, "s") && !*s && !(*s = strdup("")))
			return -ENOMEM;
	}
	return 0;
}

void manager_info_done(struct manager_info *mi)
{
	bus_properties_free(manager_properties, mi);
	strv_free(mi->pinned);
	strv_free(mi->skipped);
}
