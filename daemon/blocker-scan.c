/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "time-util.h"
#include "tasks.h"

/* When the manager lists the tasks that block a transition. */

/* Blockers are listed once a transition is older than this, then re-read
 * after as long as the transition was old at the previous scan, within these
 * bounds: a scan reads every thread's patch_state (costly with thousands of
 * threads) and the blockers of a long stall rarely change. */
#define BLOCKER_THRESHOLD_USEC (3 * USEC_PER_SEC)
#define BLOCKER_INTERVAL_MIN_USEC (2 * USEC_PER_SEC)
#define BLOCKER_INTERVAL_MAX_USEC (60 * USEC_PER_SEC)
/* A PID reused by a new process could hide a blocker from a partial scan. */
#define BLOCKER_FULL_SCAN_USEC (10 * 60 * USEC_PER_SEC)
#define BLOCKERS_MAX 64

/* When the next blocker scan is due: BLOCKER_THRESHOLD into the transition,
 * then after as long as the transition was old at the last scan, between
 * BLOCKER_INTERVAL_MIN and _MAX. USEC_INFINITY without a transition. */
uint64_t manager_blocker_scan_due(const struct manager *m)
{
	const struct transition *t = &m->state->transition;
	uint64_t interval, due;

	if (!t->active)
		return USEC_INFINITY;
	interval = m->last_blocker_scan > t->start_usec ? m->last_blocker_scan - t->start_usec : 0;
	if (interval < BLOCKER_INTERVAL_MIN_USEC)
		interval = BLOCKER_INTERVAL_MIN_USEC;
	if (interval > BLOCKER_INTERVAL_MAX_USEC)
		interval = BLOCKER_INTERVAL_MAX_USEC;
	due = t->start_usec + BLOCKER_THRESHOLD_USEC;
	if (m->last_blocker_scan + interval > due)
		due = m->last_blocker_scan + interval;
	return due;
}

/* ALWAYS: now, whatever the threshold and the interval (a stall is being
 * declared, and its signal carries the blockers). A scan reads only the
 * processes that blocked last time or are new (see tasks_memo), and every
 * thread again every BLOCKER_FULL_SCAN_USEC. */
void manager_scan_blockers(struct manager *m, uint64_t now, bool always)
{
	const struct transition *t = &m->state->transition;
	struct blocker *list = NULL;
	size_t n = 0, total = 0;
	int r;

	if (!t->active || (!always && now < manager_blocker_scan_due(m)))
		return;
	if (now >= m->last_full_blocker_scan + BLOCKER_FULL_SCAN_USEC)
		tasks_memo_clear(&m->blocker_memo);
	if (m->blocker_memo.target < 0)
		m->last_full_blocker_scan = now;
	m->last_blocker_scan = now;
	r = tasks_scan_blockers(m->root, t->target_patched, &m->blocker_memo, BLOCKERS_MAX, &list,
				&n, &total);
	if (r < 0) {
		log_warning_errno(r, "Cannot scan the tasks blocking '%s'", t->patch);
		return;
	}
	state_set_blockers(m->state, list, n, total);
}
