/* SPDX-License-Identifier: GPL-2.0-or-later */

#include "macro.h"
#include "policy-plan.h"

/* The policy wakes at most at the stall, at ForceAfter, at the next
 * ForceWindow= and at unload deadlines of other modules: a few look-ahead
 * steps find the action. */
#define PLAN_STEPS 16

int policy_plan_transition(const struct state *s, const struct config *c,
			   const struct policy_memory *mem, uint64_t now, uint64_t realtime_offset,
			   struct policy_plan *ret)
{
	const struct transition *t = &s->transition;
	struct policy_memory ahead = {};
	uint64_t when = now;

	*ret = (struct policy_plan){ .kind = _POLICY_ACTION_MAX };
	if (!t->active)
		return 0;
	/* A wait is reported once; the plan still says it is the policy's. */
	if (mem)
		ahead = *mem;
	ahead.wait_reported = false;

	for (int step = 0; step < PLAN_STEPS; step++) {
		struct policy_result res;
		int r;

		r = policy_evaluate(s, c, &ahead, when, realtime_offset, &res);
		if (r < 0)
			return r;
		for (size_t i = 0; i < res.n_actions; i++) {
			const struct policy_action *a = &res.actions[i];

			if (!streq(a->patch, t->patch) ||
			    (a->kind != POLICY_ACTION_WAIT && a->kind != POLICY_ACTION_REVERT &&
			     a->kind != POLICY_ACTION_FORCE))
				continue;
			ret->kind = a->kind;
			ret->at = a->kind == POLICY_ACTION_WAIT && t->stalled ? 0 : when;
			policy_result_done(&res);
			return 0;
		}
		if (res.next_usec <= when || res.next_usec == USEC_INFINITY) {
			policy_result_done(&res);
			return 0;
		}
		when = res.next_usec;
		policy_result_done(&res);
	}
	return 0;
}
