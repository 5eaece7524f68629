/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "conf.h"
#include "macro.h"
#include "policy.h"
#include "statedir.h"

#define S USEC_PER_SEC
#define NONE ((uint64_t)-1)

/* A patch as the state model would hold it. */
struct fake_patch {
	const char *name;
	enum patch_state state;
	int replace; /* sysfs 'replace': 0/1, -1 unknown (before 6.11) */
	int refcnt;
	uint64_t leftover_since;
};

struct fake_transition {
	const char *patch; /* NULL: none */
	bool target_patched;
	bool reversed;
	uint64_t start;
	bool stalled;
	bool forced;
};

struct fake_memory {
	bool revert_tried;
	uint64_t reverted_at;
	bool force_tried;
	bool wait_reported;
	const char *unload_tried; /* a module */
	const char *module;       /* a module with a leftover_since from the state directory */
	uint64_t module_since;
};

struct policy_case {
	const char *what;
	const char *conf; /* appended to "[Policy]\n" */
	struct fake_patch patches[4];
	struct fake_transition t;
	struct fake_memory mem;
	uint64_t now;
	const char *actions;   /* "kind:patch ..." */
	const char *reason;    /* a part of some action's reason, or NULL */
	uint64_t next;         /* NONE: USEC_INFINITY */
	uint64_t realtime_offset; /* CLOCK_REALTIME - CLOCK_MONOTONIC; the tests run in UTC */
};

static bool is_live(enum patch_state s)
{
	return s == PATCH_STATE_PATCHING || s == PATCH_STATE_APPLIED ||
	       s == PATCH_STATE_UNPATCHING;
}

static void run_case(const struct policy_case *pc)
{
	struct patch patches[4] = {}, *ptrs[4];
	struct state s = { .patches = ptrs };
	_cleanup_(config_donep) struct config c = {};
	struct policy_memory mem = {};
	struct policy_result r = {};
	_cleanup_free_ char *conf = NULL, *error = NULL;
	char got[512] = "";

	assert_true(asprintf(&conf, "[Policy]\n%s", pc->conf ? pc->conf : "") > 0);
	assert_int_equal(config_init_defaults(&c), 0);
	if (config_parse_buffer(&c, "t.conf", conf, strlen(conf), &error) < 0)
		fail_msg("%s: config: %s", pc->what, error);

	for (size_t i = 0; i < ELEMENTSOF(pc->patches) && pc->patches[i].name; i++) {
		const struct fake_patch *fp = &pc->patches[i];
		struct patch *p = &patches[i];

		snprintf(p->name, sizeof(p->name), "%s", fp->name);
		p->state = fp->state;
		p->in_sysfs = is_live(fp->state);
		p->sysfs.enabled = fp->state != PATCH_STATE_UNPATCHING;
		p->sysfs.replace = fp->replace;
		p->loaded = true;
		p->module.refcnt = fp->refcnt;
		p->leftover_since = fp->leftover_since;
		ptrs[s.n_patches++] = p;
	}
	if (pc->t.patch) {
		s.transition = (struct transition){
			.active = true,
			.target_patched = pc->t.target_patched,
			.initial_target_patched = pc->t.target_patched != pc->t.reversed,
			.start_usec = pc->t.start,
			.stalled = pc->t.stalled,
			.forced = pc->t.forced,
		};
		snprintf(s.transition.patch, sizeof(s.transition.patch), "%s", pc->t.patch);
		snprintf(mem.patch, sizeof(mem.patch), "%s", pc->t.patch);
		mem.start_usec = pc->t.start;
	}
	mem.revert_tried = pc->mem.revert_tried;
	mem.reverted_at = pc->mem.reverted_at;
	mem.force_tried = pc->mem.force_tried;
	mem.wait_reported = pc->mem.wait_reported;
	if (pc->mem.unload_tried)
		policy_memory_module(&mem, pc->mem.unload_tried)->unload_tried = true;
	if (pc->mem.module)
		policy_memory_module(&mem, pc->mem.module)->leftover_since = pc->mem.module_since;

	assert_int_equal(policy_evaluate(&s, &c, &mem, pc->now, pc->realtime_offset, &r), 0);
	for (size_t i = 0; i < r.n_actions; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s:%s", i ? " " : "",
			 policy_action_to_string(r.actions[i].kind), r.actions[i].patch);
	if (!streq(got, pc->actions))
		fail_msg("%s: actions\n got: '%s'\nwant: '%s'", pc->what, got, pc->actions);
	if (pc->reason) {
		size_t i = 0;

		while (i < r.n_actions && !strstr(r.actions[i].reason, pc->reason))
			i++;
		if (i == r.n_actions)
			fail_msg("%s: no reason says '%s'; the last: '%s'", pc->what, pc->reason,
				 r.n_actions ? r.actions[r.n_actions - 1].reason : "");
	}
	if (r.next_usec != (pc->next == NONE ? USEC_INFINITY : pc->next))
		fail_msg("%s: next %llu, want %llu", pc->what, (unsigned long long)r.next_usec,
			 (unsigned long long)pc->next);
	policy_result_done(&r);
	policy_memory_done(&mem);
}

#define BUSY_PATCHING(st)                                                                    \
	{                                                                                    \
		.patch = "klpt_busy_patch", .target_patched = true, .start = 100 * S,         \
		.stalled = (st)                                                               \
	}
#define BUSY_UNPATCHING(st)                                                                  \
	{                                                                                    \
		.patch = "klpt_busy_patch", .target_patched = false, .start = 100 * S,        \
		.stalled = (st)                                                               \
	}

static const struct policy_case stall_cases[] = {
	{ "idle: nothing to do", NULL, {}, {}, {}, 1000 * S, "", NULL, NONE },
	{ "young transition: look again at the stall deadline",
	  "StallTimeout=3s\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(false), {}, 101 * S, "", NULL, 103 * S },
	{ "StallTimeout=infinity: never stalled",
	  "StallTimeout=infinity\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(false), {}, 100000 * S, "", NULL, NONE },
	{ "stalled, OnStall=revert: mark and revert at once",
	  "StallTimeout=3s\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(false), {}, 103 * S, "stall:klpt_busy_patch revert:klpt_busy_patch",
	  "transition to patched still running after 3s (StallTimeout=3s in [Policy])", NONE },
	{ "OnStall=revert: reverted once, never again",
	  "StallTimeout=3s\n",
	  { { "klpt_busy_patch", PATCH_STATE_UNPATCHING, 0, 1 } },
	  { .patch = "klpt_busy_patch", .target_patched = false, .reversed = true,
	    .start = 100 * S, .stalled = true },
	  { .revert_tried = true, .reverted_at = 103 * S }, 200 * S, "", NULL, NONE },
	{ "OnStall=revert: a failed revert is not retried",
	  "StallTimeout=3s\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(true), { .revert_tried = true }, 200 * S, "", NULL, NONE },
	{ "OnStall=wait: report once",
	  "StallTimeout=3s\nOnStall=wait\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(false), {}, 104 * S, "stall:klpt_busy_patch wait:klpt_busy_patch", NULL,
	  NONE },
	{ "OnStall=wait: already reported",
	  "StallTimeout=3s\nOnStall=wait\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(true), { .wait_reported = true }, 500 * S, "", NULL, NONE },
	{ "OnStall=force with ForceAfter: stalled now, forced later",
	  "StallTimeout=3s\nOnStall=force\nForceAfter=5s\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(false), {}, 103 * S, "stall:klpt_busy_patch", NULL, 108 * S },
	{ "OnStall=force: a non-replace patch to PATCHED pins nothing",
	  "StallTimeout=3s\nOnStall=force\nForceAfter=5s\nAllowPin=no\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 },
	    { "klpt_cmdline", PATCH_STATE_APPLIED, 0, 1 } },
	  BUSY_PATCHING(true), {}, 108 * S, "force:klpt_busy_patch",
	  "forcing a non-replace patch pins nothing", NONE },
	{ "OnStall=force: forced once",
	  "StallTimeout=3s\nOnStall=force\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  { .patch = "klpt_busy_patch", .target_patched = true, .start = 100 * S,
	    .stalled = true, .forced = true },
	  {}, 200 * S, "", NULL, NONE },
	{ "OnStall=force: a failed force is not retried",
	  "StallTimeout=3s\nOnStall=force\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(true), { .force_tried = true }, 200 * S, "", NULL, NONE },
	{ "OnStall=force, disable: pins the patch, allowed by default",
	  "StallTimeout=3s\nOnStall=force\n",
	  { { "klpt_busy_patch", PATCH_STATE_UNPATCHING, 0, 1 } },
	  BUSY_UNPATCHING(false), {}, 103 * S, "stall:klpt_busy_patch force:klpt_busy_patch",
	  NULL, NONE },
	{ "OnStall=force, disable, AllowPin=no for it: revert instead",
	  "StallTimeout=3s\nOnStall=force\n[Patch:klpt_busy_*]\nAllowPin=no\n",
	  { { "klpt_busy_patch", PATCH_STATE_UNPATCHING, 0, 1 } },
	  BUSY_UNPATCHING(true), {}, 103 * S, "revert:klpt_busy_patch",
	  "forcing would pin module 'klpt_busy_patch', and AllowPin=no in [Patch:klpt_busy_*]: "
	  "reverting instead",
	  NONE },
	{ "after the revert for AllowPin, the re-enable may be forced (pins nothing) after its "
	  "own StallTimeout",
	  "StallTimeout=3s\nOnStall=force\n[Patch:klpt_busy_*]\nAllowPin=no\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  { .patch = "klpt_busy_patch", .target_patched = true, .reversed = true,
	    .start = 100 * S, .stalled = true },
	  { .revert_tried = true, .reverted_at = 103 * S }, 104 * S, "", NULL, 106 * S },
	{ "... and then forced",
	  "StallTimeout=3s\nOnStall=force\n[Patch:klpt_busy_*]\nAllowPin=no\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  { .patch = "klpt_busy_patch", .target_patched = true, .reversed = true,
	    .start = 100 * S, .stalled = true },
	  { .revert_tried = true, .reverted_at = 103 * S }, 106 * S, "force:klpt_busy_patch",
	  NULL, NONE },
	{ "AllowPin=no and the transition already reversed: wait, once",
	  "StallTimeout=3s\nOnStall=force\n[Patch:klpt_busy_*]\nAllowPin=no\n",
	  { { "klpt_busy_patch", PATCH_STATE_UNPATCHING, 0, 1 } },
	  { .patch = "klpt_busy_patch", .target_patched = false, .reversed = true,
	    .start = 100 * S, .stalled = true },
	  {}, 200 * S, "wait:klpt_busy_patch", "already reversed: waiting", NONE },
	{ "atomic replace forced: pins the replaced patch, which says AllowPin=no",
	  "StallTimeout=3s\nOnStall=force\n[Patch:klpt_cmdline]\nAllowPin=no\n",
	  { { "klpt_busy_replace", PATCH_STATE_PATCHING, 1, 1 },
	    { "klpt_cmdline", PATCH_STATE_APPLIED, 0, 1 } },
	  { .patch = "klpt_busy_replace", .target_patched = true, .start = 100 * S,
	    .stalled = true },
	  {}, 103 * S, "revert:klpt_busy_replace",
	  "forcing would pin module 'klpt_cmdline', and AllowPin=no in [Patch:klpt_cmdline]",
	  NONE },
	{ "atomic replace forced: leftovers are not pinned again, so AllowPin=no on them is moot",
	  "StallTimeout=3s\nOnStall=force\n[Patch:klpt_cmdline]\nAllowPin=no\n",
	  { { "klpt_busy_replace", PATCH_STATE_PATCHING, 1, 1 },
	    { "klpt_cmdline", PATCH_STATE_DISABLED, 0, 1, 50 * S } },
	  { .patch = "klpt_busy_replace", .target_patched = true, .start = 100 * S,
	    .stalled = true },
	  {}, 103 * S, "force:klpt_busy_replace",
	  "forcing an atomic replace pins the replaced modules until reboot", NONE },
	{ "replace unknown (6.1): assumed to replace",
	  "StallTimeout=3s\nOnStall=force\n[Patch:klpt_cmdline]\nAllowPin=no\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, -1, 1 },
	    { "klpt_cmdline", PATCH_STATE_APPLIED, -1, 1 } },
	  BUSY_PATCHING(true), {}, 103 * S, "revert:klpt_busy_patch",
	  "forcing would pin module 'klpt_cmdline' (the patch may be a replace patch), and "
	  "AllowPin=no in [Patch:klpt_cmdline]",
	  NONE },
	{ "replace unknown, every other patch may be pinned: allowed, and said so",
	  "StallTimeout=3s\nOnStall=force\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, -1, 1 },
	    { "klpt_cmdline", PATCH_STATE_APPLIED, -1, 1 } },
	  BUSY_PATCHING(true), {}, 103 * S, "force:klpt_busy_patch",
	  "this kernel does not say whether the patch replaces others", NONE },
	{ "per-patch override: first matching section wins",
	  "StallTimeout=3s\n[Patch:klpt_busy_*]\nOnStall=force\n[Patch:klpt_*]\nOnStall=wait\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(false), {}, 103 * S, "stall:klpt_busy_patch force:klpt_busy_patch",
	  "OnStall=force, ForceAfter=0 in [Patch:klpt_busy_*]", NONE },
	{ "per-patch StallTimeout",
	  "StallTimeout=3s\n[Patch:klpt_busy_patch]\nStallTimeout=1min\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(false), {}, 103 * S, "", NULL, 160 * S },
};

/* The realtime offset that makes 103 s (when a transition that started at
 * 100 s with StallTimeout=3s is forced) Monday 2026-12-07, H:00 UTC. */
#define AT_103S_MONDAY(h) (((uint64_t)1796601600 + (h) * 3600 - 103) * S)
#define WEEKDAY_NIGHTS "StallTimeout=3s\nOnStall=force\nForceWindow=Mon..Fri 02:00-04:00\n"

static const struct policy_case window_cases[] = {
	{ "ForceWindow=: inside a window, forced as without one",
	  WEEKDAY_NIGHTS,
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(true), {}, 103 * S, "force:klpt_busy_patch",
	  "OnStall=force, ForceAfter=0 in [Policy]; forcing a non-replace patch pins nothing", NONE,
	  AT_103S_MONDAY(3) },
	{ "ForceWindow=: outside, stalled now and forced at the next window (Tuesday 02:00)",
	  WEEKDAY_NIGHTS,
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(false), {}, 103 * S, "stall:klpt_busy_patch", NULL, (103 + 22 * 3600) * S,
	  AT_103S_MONDAY(4) },
	{ "ForceWindow=: outside, after ForceAfter: the same window",
	  WEEKDAY_NIGHTS "ForceAfter=1h\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(true), {}, (103 + 3600) * S, "", NULL, (103 + 22 * 3600) * S,
	  AT_103S_MONDAY(4) },
	{ "ForceWindow=: the window opened: forced",
	  WEEKDAY_NIGHTS,
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(true), {}, (103 + 22 * 3600) * S, "force:klpt_busy_patch", NULL, NONE,
	  AT_103S_MONDAY(4) },
	{ "ForceWindow=: within ForceWindowMaxWait=: waits",
	  WEEKDAY_NIGHTS "ForceWindowMaxWait=1d\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(true), {}, 103 * S, "", NULL, (103 + 22 * 3600) * S, AT_103S_MONDAY(4) },
	{ "ForceWindow=: beyond ForceWindowMaxWait=: reverted now",
	  WEEKDAY_NIGHTS "ForceWindowMaxWait=12h\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(true), {}, 103 * S, "revert:klpt_busy_patch",
	  "stalled for 3s; OnStall=force in [Policy], but the next ForceWindow= opens in 22h, "
	  "beyond ForceWindowMaxWait=12h: reverting instead",
	  NONE, AT_103S_MONDAY(4) },
	{ "ForceWindowMaxWait= per patch",
	  WEEKDAY_NIGHTS "ForceWindowMaxWait=1d\n[Patch:klpt_busy_*]\nForceWindowMaxWait=0\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(true), {}, 103 * S, "revert:klpt_busy_patch",
	  "OnStall=force in [Patch:klpt_busy_*], but the next ForceWindow= opens in 22h, beyond "
	  "ForceWindowMaxWait=0: reverting instead",
	  NONE, AT_103S_MONDAY(4) },
	{ "ForceWindow=: beyond ForceWindowMaxWait=, already reversed: waits for the window",
	  WEEKDAY_NIGHTS "ForceWindowMaxWait=12h\n",
	  { { "klpt_busy_patch", PATCH_STATE_UNPATCHING, 0, 1 } },
	  { .patch = "klpt_busy_patch", .target_patched = false, .reversed = true,
	    .start = 100 * S, .stalled = true },
	  { .revert_tried = true, .reverted_at = 103 * S }, 106 * S, "", NULL,
	  (103 + 22 * 3600) * S, AT_103S_MONDAY(4) },
	{ "ForceWindow=: AllowPin=no still reverts first",
	  WEEKDAY_NIGHTS "[Patch:klpt_busy_*]\nAllowPin=no\n",
	  { { "klpt_busy_patch", PATCH_STATE_UNPATCHING, 0, 1 } },
	  BUSY_UNPATCHING(true), {}, 103 * S, "revert:klpt_busy_patch",
	  "and AllowPin=no in [Patch:klpt_busy_*]: reverting instead", NONE, AT_103S_MONDAY(4) },
	{ "ForceWindow= emptied: any time, as before",
	  WEEKDAY_NIGHTS "ForceWindow=\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(true), {}, 103 * S, "force:klpt_busy_patch", NULL, NONE,
	  AT_103S_MONDAY(4) },
	{ "ForceWindow= per patch: replaces [Policy]'s",
	  WEEKDAY_NIGHTS "[Patch:klpt_busy_*]\nForceWindow=Mon 04:00-05:00\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(true), {}, 103 * S, "force:klpt_busy_patch", NULL, NONE,
	  AT_103S_MONDAY(4) },
	{ "ForceWindow= per patch: emptied for it",
	  WEEKDAY_NIGHTS "[Patch:klpt_busy_*]\nForceWindow=\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(true), {}, 103 * S, "force:klpt_busy_patch", NULL, NONE,
	  AT_103S_MONDAY(4) },
	{ "ForceWindow=: only OnStall=force waits for it",
	  "StallTimeout=3s\nForceWindow=Mon..Fri 02:00-04:00\n",
	  { { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(true), {}, 103 * S, "revert:klpt_busy_patch", "OnStall=revert", NONE,
	  AT_103S_MONDAY(4) },
};

static const struct policy_case unload_cases[] = {
	{ "disabled leftover: unloaded after UnloadDelay",
	  "UnloadDelay=2s\n",
	  { { "klpt_cmdline", PATCH_STATE_DISABLED, 0, 0, 50 * S } },
	  {}, {}, 51 * S, "", NULL, 52 * S },
	{ "disabled leftover, delay over",
	  "UnloadDelay=2s\n",
	  { { "klpt_cmdline", PATCH_STATE_DISABLED, 0, 0, 50 * S } },
	  {}, {}, 52 * S, "unload:klpt_cmdline",
	  "patch disabled 2s ago, module unused; AutoUnload=yes, UnloadDelay=2s in [Policy]",
	  NONE },
	{ "replaced leftover, while another transition runs",
	  "UnloadDelay=0\nStallTimeout=1h\n",
	  { { "klpt_cmdline", PATCH_STATE_REPLACED, 0, 0, 50 * S },
	    { "klpt_busy_patch", PATCH_STATE_PATCHING, 0, 1 } },
	  BUSY_PATCHING(false), {}, 101 * S, "unload:klpt_cmdline", "patch replaced", 3700 * S },
	{ "the deadline from the state directory wins over the state's (restart)",
	  "UnloadDelay=30s\n",
	  { { "klpt_cmdline", PATCH_STATE_DISABLED, 0, 0, 500 * S } },
	  {}, { .module = "klpt_cmdline", .module_since = 480 * S }, 501 * S, "", NULL, 510 * S },
	{ "AutoUnload=no for it",
	  "UnloadDelay=0\n[Patch:klpt_cmd*]\nAutoUnload=no\n",
	  { { "klpt_cmdline", PATCH_STATE_DISABLED, 0, 0, 50 * S },
	    { "klpt_plain", PATCH_STATE_DISABLED, 0, 0, 50 * S } },
	  {}, {}, 60 * S, "unload:klpt_plain", NULL, NONE },
	{ "pinned: never unloaded",
	  "UnloadDelay=0\n",
	  { { "klpt_busy_patch", PATCH_STATE_PINNED, 0, 1, 50 * S } },
	  {}, {}, 60 * S, "", NULL, NONE },
	{ "refcount not yet dropped: wait for the state to settle",
	  "UnloadDelay=0\n",
	  { { "klpt_cmdline", PATCH_STATE_DISABLED, 0, 1, 50 * S } },
	  {}, {}, 50 * S, "", NULL, NONE },
	{ "a failed unload is not retried",
	  "UnloadDelay=0\n",
	  { { "klpt_cmdline", PATCH_STATE_DISABLED, 0, 0, 50 * S } },
	  {}, { .unload_tried = "klpt_cmdline" }, 60 * S, "", NULL, NONE },
	{ "live patches are left alone",
	  "UnloadDelay=0\n",
	  { { "klpt_cmdline", PATCH_STATE_APPLIED, 0, 1 } },
	  {}, {}, 60 * S, "", NULL, NONE },
	{ "UnloadDelay=infinity: never",
	  "UnloadDelay=infinity\n",
	  { { "klpt_cmdline", PATCH_STATE_DISABLED, 0, 0, 50 * S } },
	  {}, {}, 60 * S, "", NULL, NONE },
};

static void test_stall(void **state)
{
	for (size_t i = 0; i < ELEMENTSOF(stall_cases); i++)
		run_case(&stall_cases[i]);
}

static void test_windows(void **state)
{
	for (size_t i = 0; i < ELEMENTSOF(window_cases); i++)
		run_case(&window_cases[i]);
}

static void test_unload(void **state)
{
	for (size_t i = 0; i < ELEMENTSOF(unload_cases); i++)
		run_case(&unload_cases[i]);
}

/* policy_note() makes "once" hold across evaluations. */
static void test_note(void **state)
{
	struct patch p = { .name = "klpt_busy_patch", .in_sysfs = true, .loaded = true,
			   .state = PATCH_STATE_PATCHING };
	struct patch *ptrs[] = { &p };
	struct state s = { .patches = ptrs, .n_patches = 1 };
	_cleanup_(config_donep) struct config c = {};
	struct policy_memory mem = {};
	struct policy_result r;
	static const char conf[] = "[Policy]\nStallTimeout=3s\nOnStall=wait\n";

	assert_int_equal(config_init_defaults(&c), 0);
	assert_int_equal(config_parse_buffer(&c, "t", conf, strlen(conf), NULL), 0);
	s.transition = (struct transition){ .active = true, .target_patched = true,
					    .initial_target_patched = true, .start_usec = 10 * S };
	snprintf(s.transition.patch, sizeof(s.transition.patch), "klpt_busy_patch");

	assert_int_equal(policy_evaluate(&s, &c, &mem, 13 * S, 0, &r), 0);
	assert_int_equal(r.n_actions, 2);
	for (size_t i = 0; i < r.n_actions; i++)
		assert_int_equal(policy_note(&mem, &s, &r.actions[i], 13 * S), 0);
	policy_result_done(&r);
	s.transition.stalled = true;
	assert_int_equal(policy_evaluate(&s, &c, &mem, 14 * S, 0, &r), 0);
	assert_int_equal(r.n_actions, 0);
	policy_result_done(&r);

	/* a new transition of the same patch starts afresh */
	s.transition.start_usec = 20 * S;
	s.transition.stalled = true;
	assert_int_equal(policy_evaluate(&s, &c, &mem, 24 * S, 0, &r), 0);
	assert_int_equal(r.n_actions, 1);
	assert_int_equal(r.actions[0].kind, POLICY_ACTION_WAIT);
	policy_result_done(&r);

	assert_int_equal(policy_note(&mem, &s,
				     &(struct policy_action){ .kind = POLICY_ACTION_UNLOAD,
							      .patch = "klpt_x" },
				     24 * S),
			 0);
	assert_true(policy_memory_module(&mem, "klpt_x")->unload_tried);
	assert_int_equal(mem.n_modules, 1);
	policy_memory_done(&mem);
}

/* --- the state directory's file */

static void test_leftovers_parse(void **state)
{
	static const struct {
		const char *text;
		int r;
		size_t n;
	} cases[] = {
		{ "", 0, 0 },
		{ "# comment\n\nklpt_cmdline 1764081234000000\nklpt_plain 1\n", 0, 2 },
		{ "klpt_cmdline 1764081234000000", 0, 1 },
		{ "klpt_cmdline 12x\n", -EBADMSG, 0 },
		{ "klpt_cmdline  12\n", -EBADMSG, 0 },
		{ "klpt_cmdline 0\n", -EBADMSG, 0 },
		{ "klpt_cmdline\n", -EBADMSG, 0 },
		{ "klpt-cmdline 12\n", -EBADMSG, 0 },
		{ "../etc 12\n", -EBADMSG, 0 },
		{ "klpt_cmdline 99999999999999999999999\n", -EBADMSG, 0 },
		{ "a 1\na 2\n", -EBADMSG, 0 },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ struct leftover_record *l = NULL;
		size_t n = 0;
		int r = leftovers_parse(cases[i].text, strlen(cases[i].text), &l, &n);

		if (r != cases[i].r || (r == 0 && n != cases[i].n))
			fail_msg("case %zu: r=%d n=%zu", i, r, n);
	}
	assert_int_equal(leftovers_parse("a 1\n\0", 5, &(struct leftover_record *){ NULL },
					 &(size_t){ 0 }),
			 -EBADMSG);
}

static void test_leftovers_roundtrip(void **state)
{
	char dir[] = "/tmp/test-statedir.XXXXXX", path[128];
	struct leftover_record in[] = { { "klpt_cmdline", 1764081234000000ULL }, { "b", 7 } };
	_cleanup_free_ struct leftover_record *out = NULL;
	size_t n;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(leftovers_load(dir, &out, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(leftovers_save(dir, in, 2), 0);
	assert_int_equal(leftovers_load(dir, &out, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(out[0].name, "klpt_cmdline");
	assert_int_equal(out[0].since, 1764081234000000ULL);
	assert_int_equal(out[1].since, 7);
	free(out);
	out = NULL;

	/* garbage: refused, never a crash */
	snprintf(path, sizeof(path), "%s/%s", dir, LEFTOVERS_FILE);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs("klpt_cmdline soon\n", f);
	fclose(f);
	assert_int_equal(leftovers_load(dir, &out, &n), -EBADMSG);

	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stall),
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_unload),
		cmocka_unit_test(test_note),
		cmocka_unit_test(test_leftovers_parse),
		cmocka_unit_test(test_leftovers_roundtrip),
	};

	/* ForceWindow= is in local time */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
