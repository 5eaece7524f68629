/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy_plan_transition(): what the Manager's StallAction and StallDeadline
 * say about the running transition, as a table of cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "conf.h"
#include "macro.h"
#include "policy-plan.h"

#define S USEC_PER_SEC
#define NO_ACTION _POLICY_ACTION_MAX

struct plan_case {
	const char *what;
	const char *conf; /* appended to "[Policy]\n" */
	bool target_patched, reversed, stalled, forced;
	bool revert_tried, force_tried, wait_reported;
	uint64_t reverted_at;
	bool leftover; /* a disabled module waiting for its UnloadDelay */
	uint64_t now;
	enum policy_action_kind kind;
	uint64_t at;
	uint64_t realtime_offset; /* CLOCK_REALTIME - CLOCK_MONOTONIC; the tests run in UTC */
};

/* The realtime offset that makes 103 s Monday 2026-12-07, 04:00 UTC. */
#define MONDAY_0400_AT_103S (((uint64_t)1796616000 - 103) * S)

/* Every transition starts at 100 s. */
static const struct plan_case cases[] = {
	{ "before the stall: revert at StallTimeout", "StallTimeout=3s\n", true,
	  .now = 101 * S, .kind = POLICY_ACTION_REVERT, .at = 103 * S },
	{ "stalled, revert due now", "StallTimeout=3s\n", true, .stalled = true, .now = 105 * S,
	  .kind = POLICY_ACTION_REVERT, .at = 105 * S },
	{ "reverted once: nothing more", "StallTimeout=3s\n", false, .reversed = true,
	  .stalled = true, .revert_tried = true, .reverted_at = 103 * S, .now = 104 * S,
	  .kind = NO_ACTION },
	{ "a failed revert is not retried: nothing more", "StallTimeout=3s\n", true,
	  .stalled = true, .revert_tried = true, .now = 104 * S, .kind = NO_ACTION },
	{ "force after ForceAfter, seen before the stall",
	  "StallTimeout=3s\nOnStall=force\nForceAfter=10s\n", true, .now = 101 * S,
	  .kind = POLICY_ACTION_FORCE, .at = 113 * S },
	{ "force after ForceAfter, seen while stalled",
	  "StallTimeout=3s\nOnStall=force\nForceAfter=10s\n", true, .stalled = true,
	  .now = 105 * S, .kind = POLICY_ACTION_FORCE, .at = 113 * S },
	{ "forced already: nothing more", "StallTimeout=3s\nOnStall=force\n", true,
	  .stalled = true, .forced = true, .now = 105 * S, .kind = NO_ACTION },
	{ "wait: from the stall on", "StallTimeout=1min\nOnStall=wait\n", true, .now = 101 * S,
	  .kind = POLICY_ACTION_WAIT, .at = 160 * S },
	{ "wait, stalled and reported: still the plan, in effect", "StallTimeout=3s\nOnStall=wait\n",
	  true, .stalled = true, .wait_reported = true, .now = 500 * S,
	  .kind = POLICY_ACTION_WAIT, .at = 0 },
	{ "StallTimeout=infinity: nothing ever", "StallTimeout=infinity\n", true, .now = 101 * S,
	  .kind = NO_ACTION },
	{ "a per-patch section decides", "StallTimeout=3s\n[Patch:klpt_busy_*]\nOnStall=force\n",
	  true, .now = 101 * S, .kind = POLICY_ACTION_FORCE, .at = 103 * S },
	{ "an earlier unload deadline does not hide the stall",
	  "StallTimeout=10s\nUnloadDelay=2s\n", true, .leftover = true, .now = 101 * S,
	  .kind = POLICY_ACTION_REVERT, .at = 110 * S },
	{ "outside ForceWindow=: force at the next window's start",
	  "StallTimeout=3s\nOnStall=force\nForceWindow=Mon..Fri 02:00-04:00\n", true,
	  .now = 101 * S, .kind = POLICY_ACTION_FORCE, .at = (103 + 22 * 3600) * S,
	  .realtime_offset = MONDAY_0400_AT_103S },
	{ "outside ForceWindow=, stalled: still the window's start",
	  "StallTimeout=3s\nOnStall=force\nForceWindow=Mon..Fri 02:00-04:00\n", true,
	  .stalled = true, .now = 3600 * S, .kind = POLICY_ACTION_FORCE,
	  .at = (103 + 22 * 3600) * S, .realtime_offset = MONDAY_0400_AT_103S },
	{ "inside ForceWindow=: force at ForceAfter",
	  "StallTimeout=3s\nOnStall=force\nForceWindow=Mon 03:00-05:00\n", true,
	  .now = 101 * S, .kind = POLICY_ACTION_FORCE, .at = 103 * S,
	  .realtime_offset = MONDAY_0400_AT_103S },
	{ "the next window beyond ForceWindowMaxWait=: revert when forcing is due",
	  "StallTimeout=3s\nOnStall=force\nForceWindow=Mon..Fri 02:00-04:00\n"
	  "ForceWindowMaxWait=12h\n",
	  true, .now = 101 * S, .kind = POLICY_ACTION_REVERT, .at = 103 * S,
	  .realtime_offset = MONDAY_0400_AT_103S },
};

static void run_case(const struct plan_case *pc)
{
	struct patch busy = {}, left = {}, *ptrs[2] = { &busy, &left };
	struct state s = { .patches = ptrs, .n_patches = 1 };
	_cleanup_(config_donep) struct config c = {};
	struct policy_memory mem = {};
	struct policy_plan plan;
	_cleanup_free_ char *conf = NULL, *error = NULL;

	assert_true(asprintf(&conf, "[Policy]\n%s", pc->conf) > 0);
	assert_int_equal(config_init_defaults(&c), 0);
	if (config_parse_buffer(&c, "t.conf", conf, strlen(conf), &error) < 0)
		fail_msg("%s: config: %s", pc->what, error);

	snprintf(busy.name, sizeof(busy.name), "klpt_busy_patch");
	busy.state = pc->target_patched ? PATCH_STATE_PATCHING : PATCH_STATE_UNPATCHING;
	busy.in_sysfs = busy.loaded = true;
	busy.sysfs.enabled = pc->target_patched;
	busy.module.refcnt = 1;
	if (pc->leftover) {
		snprintf(left.name, sizeof(left.name), "klpt_cmdline");
		left.state = PATCH_STATE_DISABLED;
		left.loaded = true;
		left.leftover_since = 99 * S;
		s.n_patches = 2;
	}
	s.transition = (struct transition){
		.active = true,
		.target_patched = pc->target_patched,
		.initial_target_patched = pc->target_patched != pc->reversed,
		.start_usec = 100 * S,
		.stalled = pc->stalled,
		.forced = pc->forced,
	};
	snprintf(s.transition.patch, sizeof(s.transition.patch), "klpt_busy_patch");
	snprintf(mem.patch, sizeof(mem.patch), "klpt_busy_patch");
	mem.start_usec = 100 * S;
	mem.revert_tried = pc->revert_tried;
	mem.reverted_at = pc->reverted_at;
	mem.force_tried = pc->force_tried;
	mem.wait_reported = pc->wait_reported;

	assert_int_equal(policy_plan_transition(&s, &c, &mem, pc->now, pc->realtime_offset, &plan),
			 0);
	if (plan.kind != pc->kind)
		fail_msg("%s: action '%s', want '%s'", pc->what,
			 strempty(policy_action_to_string(plan.kind)),
			 strempty(policy_action_to_string(pc->kind)));
	if (pc->kind != NO_ACTION && plan.at != pc->at)
		fail_msg("%s: at %llu, want %llu", pc->what, (unsigned long long)plan.at,
			 (unsigned long long)pc->at);
	/* The plan only looks: the caller's memory is as it was. */
	assert_int_equal(mem.wait_reported, pc->wait_reported);
	policy_memory_done(&mem);
}

static void test_plan(void **state)
{
	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		run_case(&cases[i]);
}

static void test_idle(void **state)
{
	struct state s = {};
	_cleanup_(config_donep) struct config c = {};
	struct policy_plan plan;

	assert_int_equal(config_init_defaults(&c), 0);
	assert_int_equal(policy_plan_transition(&s, &c, NULL, 100 * S, 0, &plan), 0);
	assert_int_equal(plan.kind, NO_ACTION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_idle),
	};
	/* ForceWindow= is in local time */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
