/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-objects.h"
#include "dbus-names.h"
#include "macro.h"
#include "properties.h"
#include "utf8.h"

void text_copy(char *dst, size_t size, const char *s)
{
	utf8_escape(dst, size, strempty(s), strlen(strempty(s)));
}


void patch_info_done(struct patch_info *p)
{
	free(p->path);
	free(p->name);
	free(p->state);
	free(p->replace);
	free(p->source);
}

static int read_string_dup(sd_bus_message *m, char **ret)
{
	const char *s;
	int r = sd_bus_message_read(m, "s", &s);

	if (r < 0)
		return r;
	free(*ret);
	*ret = utf8_escape_dup(s);
	return *ret ? 0 : -ENOMEM;
}

/* a{sv} of org.klpd.livepatch1.Patch */
int read_patch_properties(sd_bus_message *m, struct patch_info *p)
{
	int r;

	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		const char *key, *sig;
		int b;

		r = sd_bus_message_read(m, "s", &key);
		if (r < 0)
			return r;
		r = sd_bus_message_peek_type(m, NULL, &sig);
		if (r < 0)
			return r;
		r = sd_bus_message_enter_container(m, 'v', sig);
		if (r < 0)
			return r;
		if (streq(key, "Name"))
			r = read_string_dup(m, &p->name);
		else if (streq(key, "State"))
			r = read_string_dup(m, &p->state);
		else if (streq(key, "Replace"))
			r = read_string_dup(m, &p->replace);
		else if (streq(key, "Source"))
			r = read_string_dup(m, &p->source);
		else if (streq(key, "Enabled") && (r = sd_bus_message_read(m, "b", &b)) >= 0)
			p->enabled = b;
		else if (streq(key, "Transition") && (r = sd_bus_message_read(m, "b", &b)) >= 0)
			p->transition = b;
		else if (streq(key, "Forced") && (r = sd_bus_message_read(m, "b", &b)) >= 0)
			p->forced = b;
		else if (streq(key, "StackOrder"))
			r = sd_bus_message_read(m, "u", &p->stack_order);
		else if (streq(key, "Refcount"))
			r = sd_bus_message_read(m, "i", &p->refcount);
		else if (streq(key, "LoadedAt"))
			r = sd_bus_message_read(m, "t", &p->loaded_at);
		else if (streq(key, "Objects")) {
			const char *o;
			size_t off = 0;

			char name[128];

			r = sd_bus_message_enter_container(m, 'a', "(sb)");
			while (r >= 0 && (r = sd_bus_message_read(m, "(sb)", &o, &b)) > 0) {
				text_copy(name, sizeof(name), o);
				off += (size_t)snprintf(p->objects + off,
							off < sizeof(p->objects) ? sizeof(p->objects) - off : 0,
							"%s%s%s", off ? " " : "", name, b ? "" : "(unpatched)");
			}
			if (r >= 0)
				r = sd_bus_message_exit_container(m);
		} else if (streq(key, "Blockers")) {
			uint32_t pid;
			const char *comm, *stack;

			r = sd_bus_message_enter_container(m, 'a', "(uss)");
			while (r >= 0 && (r = sd_bus_message_read(m, "(uss)", &pid, &comm, &stack)) > 0) {
				if (p->n_blockers >= ELEMENTSOF(p->blockers))
					continue;
				p->blockers[p->n_blockers].pid = pid;
				text_copy(p->blockers[p->n_blockers].comm,
					  sizeof(p->blockers[0].comm), comm);
				text_copy(p->blockers[p->n_blockers].stack,
					  sizeof(p->blockers[0].stack), stack);
				p->n_blockers++;
			}
			if (r >= 0)
				r = sd_bus_message_exit_container(m);
		} else
			r = sd_bus_message_skip(m, sig);
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
					    ? read_patch_properties(reply, &list[n - 1])
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
		for (size_t i = 0; i < n; i++)
			patch_info_done(&list[i]);
		free(list);
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


static void join_words(char *buf, size_t size, char **words)
{
	for (char **p = words; p && *p; p++) {
		size_t len = strlen(buf);

		if (p != words && len + 1 < size)
			buf[len++] = ' ';
		text_copy(buf + len, size - len, *p);
	}
}

/* One property of GetAll's reply, the message at its value (variant entered). */
static int read_manager_property(sd_bus_message *m, const char *key, const char *sig,
				 void *userdata)
{
	struct manager_info *mi = userdata;
	static const char *const strings[] = { "Version",	  "KernelRelease",
					       "State",		  "TransitionPatch",
					       "StallAction",	  "ConfigurationSource" };
	char **dst[] = { &mi->version,		    &mi->kernel,       &mi->state,
			 &mi->transition_patch, &mi->stall_action, &mi->config_source };
	_cleanup_strv_free_ char **words = NULL;
	const char *v;
	int r;

	for (size_t i = 0; i < ELEMENTSOF(strings); i++)
		if (streq(key, strings[i])) {
			r = sd_bus_message_read(m, "s", &v);
			if (r < 0)
				return r;
			free(*dst[i]);
			*dst[i] = utf8_escape_dup(v);
			return *dst[i] ? 0 : -ENOMEM;
		}
	if (streq(key, "Supported"))
		return sd_bus_message_read(m, "b", &mi->supported);
	if (streq(key, "RebootRequired"))
		return sd_bus_message_read(m, "b", &mi->reboot_required);
	if (streq(key, "StallDeadline"))
		return sd_bus_message_read(m, "t", &mi->stall_deadline);
	if (streq(key, "ConfigurationErrors")) {
		strv_free(mi->config_errors);
		mi->config_errors = NULL;
		return sd_bus_message_read_strv(m, &mi->config_errors);
	}
	if (streq(key, "PinnedModules") || streq(key, "SkippedAtBoot")) {
		r = sd_bus_message_read_strv(m, &words);
		if (r < 0)
			return r;
		if (streq(key, "PinnedModules"))
			join_words(mi->pinned, sizeof(mi->pinned), words);
		else
			join_words(mi->skipped, sizeof(mi->skipped), words);
		return 0;
	}
	return sd_bus_message_skip(m, sig);
}

/* The manager's properties in one round trip. */
int get_manager(sd_bus *bus, struct manager_info *mi, sd_bus_error *error)
{
	char **strings[] = { &mi->version,	    &mi->kernel,	&mi->state,
			     &mi->transition_patch, &mi->stall_action, &mi->config_source };
	int r;

	r = properties_get_all(bus, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE, error,
			       read_manager_property, mi);
	if (r < 0)
		return r;
	/* A property this klpd does not have reads as the empty string. */
	for (size_t i = 0; i < ELEMENTSOF(strings); i++)
		if (!*strings[i] && !(*strings[i] = strdup("")))
			return -ENOMEM;
	return 0;
}

void manager_info_done(struct manager_info *mi)
{
	free(mi->version);
	free(mi->kernel);
	free(mi->state);
	free(mi->transition_patch);
	free(mi->stall_action);
	free(mi->config_source);
	strv_free(mi->config_errors);
}
