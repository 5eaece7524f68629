/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "actions.h"
#include "bus.h"
#include "duration.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "time-util.h"

/* --- policy: its decisions executed, logged with their reason, signalled */

static void policy_applied(struct manager *m, const struct policy_action *a, int prio,
			   const char *fmt, ...) _printf_(4, 5);
static void policy_applied(struct manager *m, const struct policy_action *a, int prio,
			   const char *fmt, ...)
{
	const char *action = policy_action_to_string(a->kind);
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_patch(prio, a->patch, action, KLPD_MID_ACTION, "Policy: %s: %s", what, a->reason);
	bus_emit_policy_applied(m, a->patch, action, a->reason);
}

static void execute(struct manager *m, const struct policy_action *a, uint64_t now)
{
	const struct transition *t = &m->state->transition;
	struct action_context ctx = manager_actions(m);
	struct action_result res = {};
	char d[DURATION_MAX];
	int r;

	switch (a->kind) {
	case POLICY_ACTION_STALL:
		/* The signal carries the blockers as they are now, also when
		 * StallTimeout is shorter than the blocker threshold. */
		manager_scan_blockers(m, now, true);
		if (state_set_stalled(m->state)) {
			log_patch(LOG_WARNING, t->patch, "stall", KLPD_MID_TRANSITION_STALLED,
				  "Transition of '%s' stalled: %zu tasks still %s after %s; %s",
				  t->patch, t->n_blockers_total,
				  t->target_patched ? "unpatched" : "patched",
				  duration_format_short(d, sizeof(d), now - t->start_usec), a->reason);
			metrics_note_stall(&m->metrics);
			bus_emit_transition_stalled(m);
		}
		break;
	case POLICY_ACTION_WAIT:
		policy_applied(m, a, LOG_NOTICE, "leaving the stalled transition of '%s' alone",
			       a->patch);
		break;
	case POLICY_ACTION_REVERT:
		r = action_revert(&ctx, a->patch, &res);
		if (r < 0)
			log_patch(LOG_ERR, a->patch, "revert", KLPD_MID_ACTION,
				  "Policy: reverting '%s' failed, not retried: %s", a->patch,
				  res.message);
		else
			policy_applied(m, a, LOG_NOTICE, "reverted the transition of '%s'",
				       a->patch);
		break;
	case POLICY_ACTION_FORCE:
		r = action_force(&ctx, a->patch, &res);
		if (r < 0)
			log_patch(LOG_ERR, a->patch, "force", KLPD_MID_ACTION,
				  "Policy: forcing '%s' failed, not retried: %s", a->patch,
				  res.message);
		else
			policy_applied(m, a, LOG_WARNING, "forced the transition of '%s'", a->patch);
		break;
	case POLICY_ACTION_UNLOAD:
		r = action_unload(&ctx, a->patch, UNLOAD_BY_POLICY, &res);
		if (r >= 0)
			policy_applied(m, a, LOG_NOTICE, "unloaded module '%s'", a->patch);
		else if (res.error == ACTION_ERROR_NO_SUCH_PATCH)
			/* someone was quicker: that is what UnloadDelay is for */
			log_patch(LOG_INFO, a->patch, "unload", KLPD_MID_ACTION,
				  "Policy: module '%s' is already gone", a->patch);
		else
			log_patch(LOG_WARNING, a->patch, "unload", KLPD_MID_ACTION,
				  "Policy: not retrying the unload of '%s': %s", a->patch,
				  res.message);
		break;
	case _POLICY_ACTION_MAX:
		break;
	}
	if (policy_note(&m->policy, m->state, a, now) < 0)
		log_error_errno(-ENOMEM, "Cannot remember the policy's action");
}

/* Run the policy until it has nothing left to do now; returns when to look
 * again. An action changes the state (a revert, an unload), so the policy
 * looks again at once; each action is done at most once, so this ends. */
uint64_t manager_run_policy(struct manager *m, uint64_t now)
{
	uint64_t realtime_offset = now_realtime() - now;

	/* ForceWindow= is in local time: let the C library look at the time
	 * zone again */
	tzset();
	for (int round = 0; round < 8; round++) {
		struct policy_result res;
		uint64_t next;
		int r;

		r = policy_evaluate(m->state, &m->config, &m->policy, now, realtime_offset, &res);
		if (r < 0) {
			log_error_errno(r, "Evaluating the policy failed");
			return now + USEC_PER_SEC;
		}
		for (size_t i = 0; i < res.n_actions; i++)
			execute(m, &res.actions[i], now);
		next = res.next_usec;
		if (res.n_actions == 0) {
			policy_result_done(&res);
			return next;
		}
		policy_result_done(&res);
	}
	return now + USEC_PER_SEC;
}
