/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "force-window.h"
#include "policy.h"

static const char *const action_table[_POLICY_ACTION_MAX] = {
	[POLICY_ACTION_STALL] = "stall",   [POLICY_ACTION_WAIT] = "wait",
	[POLICY_ACTION_REVERT] = "revert", [POLICY_ACTION_FORCE] = "force",
	[POLICY_ACTION_UNLOAD] = "unload",
};

const char *policy_action_to_string(enum policy_action_kind k)
{
	return k < _POLICY_ACTION_MAX ? action_table[k] : NULL;
}

void policy_memory_done(struct policy_memory *m)
{
	free(m->modules);
	*m = (struct policy_memory){};
}

static struct policy_module_memory *find_module(const struct policy_memory *m, const char *module)
{
	for (size_t i = 0; m && i < m->n_modules; i++)
		if (streq(m->modules[i].name, module))
			return &m->modules[i];
	return NULL;
}

struct policy_module_memory *policy_memory_module(struct policy_memory *m, const char *module)
{
	struct policy_module_memory *e = find_module(m, module), *l;

	if (e)
		return e;
	l = realloc(m->modules, (m->n_modules + 1) * sizeof(*l));
	if (!l)
		return NULL;
	m->modules = l;
	e = &l[m->n_modules++];
	*e = (struct policy_module_memory){};
	snprintf(e->name, sizeof(e->name), "%s", module);
	return e;
}

void policy_memory_prune(struct policy_memory *m, bool (*keep)(const char *module, void *userdata),
			 void *userdata)
{
	size_t j = 0;

	for (size_t i = 0; i < m->n_modules; i++)
		if (keep(m->modules[i].name, userdata))
			m->modules[j++] = m->modules[i];
	m->n_modules = j;
}

void policy_result_done(struct policy_result *r)
{
	free(r->actions);
	*r = (struct policy_result){ .next_usec = USEC_INFINITY };
}

/* --- evaluation */

struct eval {
	const struct state *s;
	const struct config *c;
	const struct policy_memory *mem;
	uint64_t now;
	uint64_t realtime_offset; /* NOW + this: CLOCK_REALTIME */
	struct policy_result *r;
	int error;
};

static uint64_t add_usec(uint64_t a, uint64_t b)
{
	return a > USEC_INFINITY - b ? USEC_INFINITY : a + b;
}

static void wake_at(struct eval *e, uint64_t usec)
{
	if (usec < e->r->next_usec)
		e->r->next_usec = usec;
}

static void add_action(struct eval *e, enum policy_action_kind k, const char *patch,
		       const char *fmt, ...) _printf_(4, 5);
static void add_action(struct eval *e, enum policy_action_kind k, const char *patch,
		       const char *fmt, ...)
{
	struct policy_action *l, *a;
	va_list ap;

	l = realloc(e->r->actions, (e->r->n_actions + 1) * sizeof(*l));
	if (!l) {
		e->error = -ENOMEM;
		return;
	}
	e->r->actions = l;
	a = &l[e->r->n_actions++];
	*a = (struct policy_action){ .kind = k };
	snprintf(a->patch, sizeof(a->patch), "%s", patch);
	va_start(ap, fmt);
	vsnprintf(a->reason, sizeof(a->reason), fmt, ap);
	va_end(ap);
}

static const struct patch *find_patch(const struct state *s, const char *name)
{
	for (size_t i = 0; i < s->n_patches; i++)
		if (streq(s->patches[i]->name, name))
			return s->patches[i];
	return NULL;
}

/* Where a patch's settings come from, for reasons: "[Patch:cve_*]" or "[Policy]". */
static const char *settings_for(const struct config *c, const char *name,
				struct policy_settings *ps, char *where, size_t size)
{
	const char *glob = config_policy_for(c, name, ps);

	if (glob)
		snprintf(where, size, "[Patch:%s]", glob);
	else
		snprintf(where, size, "[Policy]");
	return where;
}

/* The first module that forcing the running transition would pin against
 * its AllowPin=no, per the kernel's klp_force_transition():
 *  - to UNPATCHED: the patch being disabled;
 *  - to PATCHED of an atomic-replace patch: every other live patch;
 *  - to PATCHED of a non-replace patch: nothing.
 * Before 6.11 sysfs has no 'replace' attribute: a patch whose replace flag
 * is unknown may be a replace patch, so it counts as one. *UNKNOWN tells. */
static const struct patch *forbidden_pin(const struct eval *e, const struct patch *tp,
					 char *where, size_t size, bool *unknown)
{
	const struct transition *t = &e->s->transition;
	struct policy_settings ps;

	*unknown = false;
	if (!t->target_patched) {
		settings_for(e->c, t->patch, &ps, where, size);
		return ps.allow_pin ? NULL : tp;
	}
	if (tp && tp->sysfs.replace == 0)
		return NULL;
	*unknown = !tp || tp->sysfs.replace < 0;
	for (size_t i = 0; i < e->s->n_patches; i++) {
		const struct patch *p = e->s->patches[i];

		if (p == tp || !p->in_sysfs || streq(p->name, t->patch))
			continue;
		settings_for(e->c, p->name, &ps, where, size);
		if (!ps.allow_pin)
			return p;
	}
	return NULL;
}

/* ForceWindow=: whether the policy may force now. If not, it looks again
 * when the next window opens, or, when that is further away than
 * ForceWindowMaxWait= and MAY_REVERT, reverts now. */
static bool in_force_window(struct eval *e, const struct policy_settings *ps, const char *where,
			    bool may_revert)
{
	const struct transition *t = &e->s->transition;
	uint64_t rt = add_usec(e->now, e->realtime_offset), next, wait;
	char d1[DURATION_MAX], d2[DURATION_MAX], d3[DURATION_MAX];

	if (force_windows_check(&ps->force_windows, rt, &next))
		return true;
	/* none within the search: look again at its end */
	wait = next == USEC_INFINITY ? FORCE_WINDOW_SEARCH_USEC : next - rt;
	if (wait > ps->force_window_max_wait_usec && may_revert) {
		add_action(e, POLICY_ACTION_REVERT, t->patch,
			   "stalled for %s; OnStall=force in %s, but the next ForceWindow= opens "
			   "in %s%s, beyond ForceWindowMaxWait=%s: reverting instead",
			   duration_format_short(d1, sizeof(d1), e->now - t->start_usec), where,
			   next == USEC_INFINITY ? "more than " : "",
			   duration_format_short(d2, sizeof(d2), wait),
			   duration_format(d3, sizeof(d3), ps->force_window_max_wait_usec));
		return false;
	}
	wake_at(e, add_usec(e->now, wait));
	return false;
}

static void evaluate_transition(struct eval *e)
{
	const struct transition *t = &e->s->transition;
	const struct policy_memory *mem = e->mem;
	const struct patch *tp, *pin;
	struct policy_settings ps;
	char where[80], pin_where[80], d1[DURATION_MAX], d2[DURATION_MAX];
	uint64_t stall_at, leg_start, force_at;
	bool mine, reversed, unknown;

	if (!t->active)
		return;
	tp = find_patch(e->s, t->patch);
	settings_for(e->c, t->patch, &ps, where, sizeof(where));
	mine = mem && streq(mem->patch, t->patch) && mem->start_usec == t->start_usec;
	reversed = t->target_patched != t->initial_target_patched;

	stall_at = add_usec(t->start_usec, ps.stall_timeout_usec);
	if (!t->stalled) {
		if (e->now < stall_at) {
			wake_at(e, stall_at);
			return;
		}
		add_action(e, POLICY_ACTION_STALL, t->patch,
			   "transition to %s still running after %s (StallTimeout=%s in %s)",
			   t->target_patched ? "patched" : "unpatched",
			   duration_format_short(d1, sizeof(d1), e->now - t->start_usec),
			   duration_format(d2, sizeof(d2), ps.stall_timeout_usec), where);
	}

	switch (ps.on_stall) {
	case ON_STALL_WAIT:
		if (!(mine && mem->wait_reported))
			add_action(e, POLICY_ACTION_WAIT, t->patch,
				   "stalled; OnStall=wait in %s: only reporting", where);
		return;

	case ON_STALL_REVERT:
		if (reversed || (mine && mem->revert_tried))
			return; /* once; a reversal that stalls too is only reported */
		add_action(e, POLICY_ACTION_REVERT, t->patch,
			   "stalled for %s; OnStall=revert in %s",
			   duration_format_short(d1, sizeof(d1), e->now - t->start_usec), where);
		return;

	case ON_STALL_FORCE:
		if (t->forced || (mine && mem->force_tried))
			return;
		/* after a reversal by the policy, the reversed transition gets
		 * its own StallTimeout before it is forced */
		leg_start = mine && mem->reverted_at ? mem->reverted_at : t->start_usec;
		force_at = add_usec(add_usec(leg_start, ps.stall_timeout_usec), ps.force_after_usec);
		if (e->now < force_at) {
			wake_at(e, force_at);
			return;
		}
		pin = forbidden_pin(e, tp, pin_where, sizeof(pin_where), &unknown);
		if (!pin) {
			const char *what;

			/* once reversed, the transition waits for the window */
			if (!in_force_window(e, &ps, where, !reversed && !(mine && mem->revert_tried)))
				return;

			if (!t->target_patched)
				what = "forcing the disable pins this module until reboot";
			else if (unknown)
				what = "this kernel does not say whether the patch replaces others: "
				       "those it may replace may be pinned until reboot";
			else if (tp && tp->sysfs.replace == 1)
				what = "forcing an atomic replace pins the replaced modules until reboot";
			else
				what = "forcing a non-replace patch pins nothing";
			add_action(e, POLICY_ACTION_FORCE, t->patch,
				   "stalled for %s; OnStall=force, ForceAfter=%s in %s; %s",
				   duration_format_short(d1, sizeof(d1), e->now - t->start_usec),
				   duration_format(d2, sizeof(d2), ps.force_after_usec), where, what);
			return;
		}
		if (!reversed && !(mine && mem->revert_tried)) {
			add_action(e, POLICY_ACTION_REVERT, t->patch,
				   "forcing would pin module '%s'%s, and AllowPin=no in %s: reverting "
				   "instead",
				   pin->name, unknown ? " (the patch may be a replace patch)" : "",
				   pin_where);
			return;
		}
		if (!(mine && mem->wait_reported))
			add_action(e, POLICY_ACTION_WAIT, t->patch,
				   "forcing would pin module '%s' (AllowPin=no in %s) and the "
				   "transition was already reversed: waiting",
				   pin->name, pin_where);
		return;

	case _ON_STALL_MAX:
		break;
	}
}

static void evaluate_leftovers(struct eval *e)
{
	const struct transition *t = &e->s->transition;

	for (size_t i = 0; i < e->s->n_patches; i++) {
		const struct patch *p = e->s->patches[i];
		const struct policy_module_memory *mm;
		struct policy_settings ps;
		char where[80], d1[DURATION_MAX], d2[DURATION_MAX];
		uint64_t since, due;

		if (!p->loaded || p->in_sysfs || p->module.refcnt != 0)
			continue;
		if (p->state != PATCH_STATE_DISABLED && p->state != PATCH_STATE_REPLACED)
			continue;
		if (t->active && streq(t->patch, p->name))
			continue;
		settings_for(e->c, p->name, &ps, where, sizeof(where));
		if (!ps.auto_unload)
			continue;
		mm = find_module(e->mem, p->name);
		if (mm && mm->unload_tried)
			continue; /* failed once: an operator's turn, not a loop */
		since = mm && mm->leftover_since ? mm->leftover_since : p->leftover_since;
		due = add_usec(since, ps.unload_delay_usec);
		if (e->now < due) {
			wake_at(e, due);
			continue;
		}
		add_action(e, POLICY_ACTION_UNLOAD, p->name,
			   "patch %s %s ago, module unused; AutoUnload=yes, UnloadDelay=%s in %s",
			   p->state == PATCH_STATE_DISABLED ? "disabled" : "replaced",
			   duration_format_short(d1, sizeof(d1), e->now > since ? e->now - since : 0),
			   duration_format(d2, sizeof(d2), ps.unload_delay_usec), where);
	}
}

int policy_evaluate(const struct state *s, const struct config *c, const struct policy_memory *mem,
		    uint64_t now, uint64_t realtime_offset, struct policy_result *ret)
{
	struct eval e = {
		.s = s,
		.c = c,
		.mem = mem,
		.now = now,
		.realtime_offset = realtime_offset,
		.r = ret,
	};

	*ret = (struct policy_result){ .next_usec = USEC_INFINITY };
	evaluate_transition(&e);
	evaluate_leftovers(&e);
	if (e.error < 0) {
		policy_result_done(ret);
		return e.error;
	}
	return 0;
}

int policy_note(struct policy_memory *mem, const struct state *s, const struct policy_action *a,
		uint64_t now)
{
	const struct transition *t = &s->transition;
	struct policy_module_memory *mm;

	if (a->kind == POLICY_ACTION_UNLOAD) {
		mm = policy_memory_module(mem, a->patch);
		if (!mm)
			return -ENOMEM;
		mm->unload_tried = true;
		return 0;
	}
	if (!t->active || !streq(t->patch, a->patch))
		return 0;
	if (!streq(mem->patch, t->patch) || mem->start_usec != t->start_usec) {
		snprintf(mem->patch, sizeof(mem->patch), "%s", t->patch);
		mem->start_usec = t->start_usec;
		mem->revert_tried = mem->force_tried = mem->wait_reported = false;
		mem->reverted_at = 0;
	}
	switch (a->kind) {
	case POLICY_ACTION_WAIT:
		mem->wait_reported = true;
		break;
	case POLICY_ACTION_REVERT:
		mem->revert_tried = true;
		mem->reverted_at = now;
		break;
	case POLICY_ACTION_FORCE:
		mem->force_tried = true;
		break;
	default:
		break;
	}
	return 0;
}
