/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h> /* offsetof */
#include <stdint.h>
#include <systemd/sd-bus.h>

/* klpd's objects as klpctl reads them: the Manager and the patches, each
 * decoded from its a{sv} of properties by one walker and a table. */

/* Text klpctl did not write itself (names, messages, anything from the bus)
 * is escaped (lib/utf8.h) before it is shown: valid UTF-8 for JSON, and no
 * control character reaches the terminal. Into a buffer of SIZE bytes, cut
 * between two characters when it is too long. */
void text_copy(char *dst, size_t size, const char *s);

/* --- the walker */

/* Where the property NAME, of D-Bus type SIGNATURE, goes in the struct that
 * a map fills. Without SET, by the signature: "s" escaped into a char[SIZE]
 * at OFFSET, or (SIZE 0) into a char * of its own there; "b" into an int;
 * "u", "i", "t" into a uint32_t, int32_t, uint64_t; "as" into a char **, as
 * it came. SET reads the value itself, with OBJ the whole struct. */
struct bus_property {
	const char *name;
	const char *signature;
	size_t offset, size;
	int (*set)(sd_bus_message *m, const struct bus_property *p, void *obj);
};

/* Entries of a map of struct TYPE: a FIELD of the kinds above; one of a
 * fixed size (a char array), read by SET or (NULL) as "s". */
#define BUS_FIELD(type, name, sig, field) { name, sig, offsetof(type, field), 0, NULL }
#define BUS_BUFFER(type, name, sig, field, set) \
	{ name, sig, offsetof(type, field), sizeof(((type *)0)->field), set }

/* The a{sv} at M into OBJ, through MAP (ended by an entry without a name);
 * properties MAP does not name are skipped. */
int bus_map_properties(sd_bus_message *m, const struct bus_property *map, void *obj);
/* Free the strings and string arrays MAP put into OBJ (the default ones). */
void bus_properties_free(const struct bus_property *map, void *obj);
/* org.freedesktop.DBus.Properties.GetAll of INTERFACE on PATH of klpd. */
int bus_get_all(sd_bus *bus, const char *path, const char *interface, sd_bus_error *error,
		sd_bus_message **ret);
/* Both in one: GetAll, through MAP into OBJ. */
int bus_get_properties(sd_bus *bus, const char *path, const char *interface,
		       const struct bus_property *map, void *obj, sd_bus_error *error);

/* --- org.klpd.livepatch1.Patch */

/* A task that holds a transition back, as Blockers a(uss) and the signal
 * TransitionStalled carry it; the texts escaped. */
struct blocker {
	uint32_t pid;
	char *comm;
	char *stack; /* "" for readers klpd shows no stack to */
};

/* Blockers at M, an a(uss), appended to *L (of *N). */
int blockers_read(sd_bus_message *m, struct blocker **l, size_t *n);
void blockers_free(struct blocker *l, size_t n);

/* One of the objects (vmlinux, a module) a patch changes. */
struct patch_object {
	char *name;
	int patched;
};

struct patch_info {
	char *path;
	char *name, *state, *replace, *source;
	char *health;          /* watching, accepted, faulty, none; "" from an older klpd */
	uint64_t health_since; /* usec, CLOCK_REALTIME; 0: none */
	int enabled, transition, forced;
	uint32_t stack_order;
	int32_t refcount;
	uint64_t loaded_at; /* usec, CLOCK_REALTIME; 0: unknown */
	struct patch_object *objects;
	size_t n_objects;
	struct blocker *blockers;
	size_t n_blockers;
};

void patch_info_done(struct patch_info *p);
/* A patch's a{sv} at M into P. */
int patch_info_read(sd_bus_message *m, struct patch_info *p);
/* Every patch object, by GetManagedObjects. */
int get_patches(sd_bus *bus, struct patch_info **ret, size_t *ret_n, sd_bus_error *error);
void free_patches(struct patch_info *l, size_t n);

/* --- org.klpd.livepatch1.Manager */

struct manager_info {
	char *version, *kernel, *state, *transition_patch, *stall_action;
	char *config_source; /* "files", "last-valid", "defaults"; "" from an older klpd */
	char **config_errors; /* while the configuration files are refused */
	int supported, reboot_required;
	uint64_t stall_deadline; /* usec, CLOCK_REALTIME; 0: none or already stalled */
	char **pinned;	/* PinnedModules, escaped */
	char **skipped; /* SkippedAtBoot, escaped */
};

/* The Manager's properties in one round trip; a string property this klpd
 * does not have reads as "". */
int get_manager(sd_bus *bus, struct manager_info *mi, sd_bus_error *error);
void manager_info_done(struct manager_info *mi);
