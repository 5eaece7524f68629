/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "manager.h"
#include "state.h"

/* The D-Bus service: translates between the bus and the state/actions. */

int bus_setup(struct manager *m);

/* Mirror state changes onto the bus. */
void bus_patch_added(struct manager *m, const struct patch *p);
void bus_patch_removed(struct manager *m, const struct patch *p);
void bus_patch_changed(struct manager *m, const struct patch *p, unsigned props);
void bus_manager_changed(struct manager *m, unsigned props);
/* After a reload: StallAction, StallDeadline, PatchDirectories and the
 * ConfigurationSource/ConfigurationErrors may differ. */
void bus_config_changed(struct manager *m);
void bus_emit_transition_started(struct manager *m, const struct transition *t);
void bus_emit_transition_finished(struct manager *m, const struct transition *t);
void bus_emit_transition_stalled(struct manager *m);
void bus_emit_module_unloaded(struct manager *m, const char *module, const char *reason);
/* A load that Load() queued failed when its turn came: its caller got no
 * error then, so this is how it learns. */
void bus_emit_load_failed(struct manager *m, const char *patch, const char *source,
			  const char *message);
/* The kernel reported an incident of KIND, blamed on PATCH ("" for none),
 * its report starting with FIRST_LINE (printable ASCII). */
void bus_emit_kernel_incident(struct manager *m, const char *patch, const char *kind,
			      const char *first_line);
void bus_emit_policy_applied(struct manager *m, const char *patch, const char *action,
			     const char *reason);

/* bus-patch.c */
extern const sd_bus_vtable patch_vtable[];
int bus_patch_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
		   void **found, sd_bus_error *error);
int bus_patch_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes,
			sd_bus_error *error);
int bus_patch_path(const char *name, char **ret);
/* P's blockers as a(uss); the stack field is "" unless STACKS: the frames go
 * only to callers the kernel would show /proc/PID/stack (bus-patch.c). */
/* A field of the model (PATCH_PROP_*, MANAGER_PROP_*) and a property that
 * shows it; bus_changed_properties() fills OUT (room for N + 1) with the
 * properties of the fields in PROPS, NULL-terminated, and returns how many. */
struct bus_field_property {
	unsigned field;
	const char *property;
};
size_t bus_changed_properties(const struct bus_field_property *map, size_t n, unsigned props,
			      char **out);

int bus_append_blockers(sd_bus_message *reply, const struct patch *p, bool stacks);
