/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "action-result.h"
#include "names.h"

/* Open the module file at PATH (absolute, normalized) and check it: a
 * regular file owned by root, not writable by group or others, reached
 * through directories only root can change and no symbolic link, with
 * livepatch=Y in its modinfo and KERNEL_RELEASE in its vermagic. The module
 * name, from the modinfo, goes to RET_NAME. Returns the open fd, or fails
 * through RES (action-result.h). */
int module_file_open(const char *path, const char *kernel_release,
		     char ret_name[static KLP_MODULE_NAME_MAX], struct action_result *res);

/* Insert the module opened above, PATH naming it: finit_module(2) for an
 * uncompressed file, libkmod for a compressed one. 0 or -errno. */
int module_file_insert(int fd, const char *path);

/* delete_module(2) without waiting for a module in use. 0 or -errno. */
int module_delete(const char *name);
