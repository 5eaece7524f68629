/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>

#include "action-result.h"
#include "manager.h"

/* What klpd does to the kernel on request, each step checked against the
 * current state first. A failure says which rule refused it. */

/* Load SOURCE (a module name or an absolute path in a patch directory).
 * REASON is NULL for a load by hand, "LoadAtBoot" for a boot-time load:
 * that one is logged with it, guarded by the crash-loop guard, and refused
 * with -ECANCELED for a module the guard skips.
 * The patch's module name goes to RET_NAME. *RET_QUEUED is set when the
 * load waits for the running transition. */
int action_load(struct manager *m, const char *source, uint64_t flags, const char *reason,
		char ret_name[static KLP_MODULE_NAME_MAX], bool *ret_queued, struct action_result *res);
int action_disable(struct manager *m, const char *name, struct action_result *res);
int action_revert(struct manager *m, const char *name, struct action_result *res);
int action_force(struct manager *m, const char *name, struct action_result *res);
int action_unload(struct manager *m, const char *module, struct action_result *res);
/* Forget the crash-loop guard's record of MODULE without loading it: it is
 * loaded at the next boot again. */
int action_clear_skip(struct manager *m, const char *module, struct action_result *res);

/* Run queued loads while no transition runs. */
void actions_run_queue(struct manager *m);
/* At start: queue again (or load) what was queued when klpd stopped. */
void actions_restore_queue(struct manager *m);
void load_queue_free(struct load_request *q);
