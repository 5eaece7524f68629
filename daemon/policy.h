/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "names.h"
#include "state.h"

/* The policy: given the state, the config, what the policy already did and
 * the time (CLOCK_MONOTONIC usec), which actions are due now and when to
 * look again. Pure: no I/O, no clock, no logging; ForceWindow= reads the
 * process's time zone (localtime_r). The caller executes the actions, logs
 * them with their reason and tells policy_note() what it did. */

enum policy_action_kind {
	POLICY_ACTION_STALL,  /* mark the transition stalled, signal it */
	POLICY_ACTION_WAIT,   /* the policy leaves the stall alone: say so */
	POLICY_ACTION_REVERT, /* reverse the transition */
	POLICY_ACTION_FORCE,  /* force the transition */
	POLICY_ACTION_UNLOAD, /* remove a leftover module */
	_POLICY_ACTION_MAX,
};

/* "stall", "wait", "revert", "force", "unload": KLPD_ACTION= and the
 * action of PolicyApplied. */
const char *policy_action_to_string(enum policy_action_kind k);

struct policy_action {
	enum policy_action_kind kind;
	char patch[KLP_MODULE_NAME_MAX]; /* patch or module */
	char reason[256];
};

/* What the policy did before, which the state cannot tell: an action that
 * failed must not be retried in a loop. Kept by the caller, updated by
 * policy_note(). */
struct policy_module_memory {
	char name[KLP_MODULE_NAME_MAX];
	uint64_t leftover_since; /* CLOCK_MONOTONIC; from the state directory; 0: unknown */
	bool unload_tried;
};

struct policy_memory {
	/* about the transition of PATCH that started at START_USEC */
	char patch[KLP_MODULE_NAME_MAX];
	uint64_t start_usec;
	bool revert_tried;
	uint64_t reverted_at; /* the reversed transition gets its own StallTimeout */
	bool force_tried;
	bool wait_reported;

	struct policy_module_memory *modules;
	size_t n_modules;
};

void policy_memory_done(struct policy_memory *m);

/* The entry for MODULE, added when missing (NULL on ENOMEM). */
struct policy_module_memory *policy_memory_module(struct policy_memory *m, const char *module);
/* Forget every module for which KEEP returns false. */
void policy_memory_prune(struct policy_memory *m, bool (*keep)(const char *module, void *userdata),
			 void *userdata);

struct policy_result {
	struct policy_action *actions;
	size_t n_actions;
	uint64_t next_usec; /* when to evaluate again; USEC_INFINITY: only on change */
};

void policy_result_done(struct policy_result *r);

/* REALTIME_OFFSET: what to add to NOW (or to any CLOCK_MONOTONIC time) for
 * CLOCK_REALTIME, for ForceWindow=. */
int policy_evaluate(const struct state *s, const struct config *c, const struct policy_memory *mem,
		    uint64_t now, uint64_t realtime_offset, struct policy_result *ret);

/* The caller executed A at NOW (successfully or not). */
int policy_note(struct policy_memory *mem, const struct state *s, const struct policy_action *a,
		uint64_t now);
