/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>

#include "conf.h"
#include "policy.h"
#include "state.h"

/* What the policy will do about the running transition, and when: the
 * Manager's StallAction and StallDeadline, for clients that show it. */
struct policy_plan {
	/* POLICY_ACTION_WAIT, _REVERT or _FORCE; _POLICY_ACTION_MAX when the
	 * policy will do nothing more (no transition, or it already acted). */
	enum policy_action_kind kind;
	/* CLOCK_MONOTONIC usec when it acts; 0 for a wait already in effect. */
	uint64_t at;
};

/* Asks policy_evaluate() itself at the times it would wake up, so the plan
 * cannot drift from what the policy then does. Pure, like the policy;
 * REALTIME_OFFSET as there. */
int policy_plan_transition(const struct state *s, const struct config *c,
			   const struct policy_memory *mem, uint64_t now, uint64_t realtime_offset,
			   struct policy_plan *ret);
