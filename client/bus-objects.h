/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

/* klpd's objects as klpctl reads them: the Manager and the patches. */

/* Text klpctl did not write itself (names, messages, anything from the bus)
 * is escaped (lib/utf8.h) before it is shown: valid UTF-8 for JSON, and no
 * control character reaches the terminal. Into a buffer of SIZE bytes, cut
 * between two characters when it is too long. */
void text_copy(char *dst, size_t size, const char *s);

struct patch_info {
	char *path;
	char *name, *state, *replace, *source;
	int enabled, transition, forced;
	uint32_t stack_order;
	int32_t refcount;
	uint64_t loaded_at;
	char objects[512];
	struct {
		uint32_t pid;
		char comm[64]; /* escaped, like everything read from the bus */
		char stack[128];
	} blockers[16];
	size_t n_blockers;
};

void patch_info_done(struct patch_info *p);
/* The a{sv} of org.klpd.livepatch1.Patch at M into P. */
int read_patch_properties(sd_bus_message *m, struct patch_info *p);
/* Every patch object, by GetManagedObjects. */
int get_patches(sd_bus *bus, struct patch_info **ret, size_t *ret_n, sd_bus_error *error);
void free_patches(struct patch_info *l, size_t n);

struct manager_info {
	char *version, *kernel, *state, *transition_patch, *stall_action;
	char *config_source; /* "files", "last-valid", "defaults"; "" from an older klpd */
	char **config_errors; /* while the configuration files are refused */
	int supported, reboot_required;
	uint64_t stall_deadline; /* usec, CLOCK_REALTIME; 0: none or already stalled */
	char pinned[512];
	char skipped[512]; /* SkippedAtBoot */
};

/* The Manager's properties in one round trip. */
int get_manager(sd_bus *bus, struct manager_info *mi, sd_bus_error *error);
void manager_info_done(struct manager_info *mi);
