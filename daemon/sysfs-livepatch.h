/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "names.h"

/* What /sys/kernel/livepatch/<patch>/ and /sys/module/<module>/ say, read
 * below ROOT ("" on a real system; a fake tree in the unit tests).
 * Knows the kernel's files and nothing of what klpd makes of them. */

#define LIVEPATCH_SYSFS "/sys/kernel/livepatch"
#define MODULE_SYSFS "/sys/module"

struct livepatch_object {
	char *name;  /* "vmlinux" or a target module */
	int patched; /* 0/1; -1 when the kernel has no "patched" attribute */
};

struct livepatch_sysfs {
	char name[KLP_MODULE_NAME_MAX];
	int enabled;     /* 0/1 */
	int transition;  /* 0/1; -1 before 4.12 */
	int replace;     /* 0/1; -1 before 6.11 */
	int stack_order; /* 1-based; 0 before 6.14 */
	struct livepatch_object *objects;
	size_t n_objects;
};

void livepatch_sysfs_done(struct livepatch_sysfs *p);

/* True when the kernel has livepatch support (the sysfs directory exists). */
bool livepatch_sysfs_supported(const char *root);

/* Names of the patches in /sys/kernel/livepatch. An absent directory is an
 * empty list. */
int livepatch_sysfs_list(const char *root, char ***ret_names);

/* -ENOENT when the patch has no directory (any more). */
int livepatch_sysfs_read(const char *root, const char *name, struct livepatch_sysfs *ret);

/* Writes as the kernel documents them: -EINVAL, -EBUSY are the kernel's. */
int livepatch_sysfs_write_enabled(const char *root, const char *name, bool enabled);
int livepatch_sysfs_write_force(const char *root, const char *name);

struct module_sysfs {
	char name[KLP_MODULE_NAME_MAX];
	int refcnt;     /* -1 when unknown (built in, or unreadable) */
	bool livepatch; /* taint flag 'K' */
	bool live;      /* initstate "live" (not coming or going) */
	bool coming;    /* initstate "coming": its init (for a patch: the enable) runs */
};

/* -ENOENT when the module is not loaded. */
int module_sysfs_read(const char *root, const char *name, struct module_sysfs *ret);

/* Names of the loaded modules that carry taint 'K'. */
int module_sysfs_list_livepatch(const char *root, char ***ret_names);
