/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "action-result.h"
#include "boot-guard.h"
#include "conf.h"
#include "health-records.h"
#include "load-queue.h"
#include "names.h"
#include "state.h"

/* What klpd does to the kernel on request, each step checked against the
 * current state first. A failure says which rule refused it: every action
 * returns 0, or the -errno that RES->errnum holds, RES saying the rest.
 *
 * Actions know nothing of the manager or the bus: they get what they read
 * and change in an action_context, and tell what happened through its
 * on_event callback, which the manager implements. */

/* Why a module is unloaded: the caller of Unload(), or the policy. */
enum unload_origin {
	UNLOAD_REQUESTED,
	UNLOAD_BY_POLICY,
};

/* What an action tells its caller besides its result. */
enum action_event_kind {
	ACTION_EVENT_SKIP_CLEARED,  /* NAME is no longer skipped at boot */
	ACTION_EVENT_LOAD_FAILED,   /* a queued load of NAME from SOURCE failed: MESSAGE */
	ACTION_EVENT_UNLOADING,     /* module NAME is being removed, for ORIGIN */
	ACTION_EVENT_UNLOAD_FAILED, /* ...and the kernel said no: MESSAGE */
	ACTION_EVENT_UNLOAD_OVER,   /* ...and that is over (the state has heard of it) */
	ACTION_EVENT_RESCAN_NEEDED, /* NAME could not be re-read: rescan the state soon */
};

struct action_event {
	enum action_event_kind kind;
	const char *name;
	const char *source;
	const char *message;
	enum unload_origin origin;
};

typedef void (*action_event_fn)(void *userdata, const struct action_event *ev);

struct action_context {
	struct state *state;
	const struct config *config;
	const char *root;           /* "" unless a fake tree */
	const char *kernel_release; /* uname -r */
	struct load_request **queue; /* the loads waiting, in order */
	struct boot_guard *guard;     /* the crash-loop guard */
	struct health_book *health;   /* the health window's findings */
	action_event_fn on_event;
	void *userdata; /* for ON_EVENT */
};

/* Load SOURCE (a module name or an absolute path in a patch directory).
 * REASON is NULL for a load by hand, "LoadAtBoot" for a boot-time load:
 * that one is logged with it, guarded by the crash-loop guard, and refused
 * with -ECANCELED for a module the guard skips or the health window marked
 * faulty, and with -EPERM under LoadAtBoot=accepted for one not accepted.
 * A load by hand that works ends the skipping and the faulty mark.
 * The patch's module name goes to RET_NAME. *RET_QUEUED is set when the
 * load waits for the running transition. */
int action_load(const struct action_context *ctx, const char *source, uint64_t flags,
		const char *reason, char ret_name[static KLP_MODULE_NAME_MAX], bool *ret_queued,
		struct action_result *res);
int action_disable(const struct action_context *ctx, const char *name, struct action_result *res);
int action_revert(const struct action_context *ctx, const char *name, struct action_result *res);
int action_force(const struct action_context *ctx, const char *name, struct action_result *res);
int action_unload(const struct action_context *ctx, const char *module, enum unload_origin origin,
		  struct action_result *res);
/* Forget the crash-loop guard's record of MODULE, or its faulty mark,
 * without loading it: it is loaded at the next boot again. */
int action_clear_skip(const struct action_context *ctx, const char *module,
		      struct action_result *res);

/* Run queued loads while no transition runs. */
void actions_run_queue(const struct action_context *ctx);
/* At start: queue again (or load) what was queued when klpd stopped. */
void actions_restore_queue(const struct action_context *ctx);
