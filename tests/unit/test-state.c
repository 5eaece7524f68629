/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state model against fake /sys trees in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "conf.h"
#include "kmsg-history.h"
#include "macro.h"
#include "policy.h"
#include "state.h"

#define SEC USEC_PER_SEC

struct fixture {
	char root[64];
	struct state *state;
	/* what the listener heard */
	char log[4096];
};

static void logf_(struct fixture *f, const char *fmt, ...) _printf_(2, 3);
static void logf_(struct fixture *f, const char *fmt, ...)
{
	size_t n = strlen(f->log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->log + n, sizeof(f->log) - n, fmt, ap);
	va_end(ap);
}

static void on_added(void *u, const struct patch *p)
{
	logf_(u, "added %s %s;", p->name, patch_state_to_string(p->state));
}

static void on_removed(void *u, const struct patch *p)
{
	logf_(u, "removed %s;", p->name);
}

static void on_started(void *u, const struct transition *t)
{
	logf_(u, "started %s %s;", t->patch, t->target_patched ? "patched" : "unpatched");
}

static void on_finished(void *u, const struct transition *t)
{
	logf_(u, "finished %s %s %s %llus;", t->patch, t->target_patched ? "patched" : "unpatched",
	      transition_how_to_string(t->how),
	      (unsigned long long)(transition_duration(t) / SEC));
}

static void on_unloaded(void *u, const char *m)
{
	logf_(u, "unloaded %s;", m);
}

static const struct state_listener listener = {
	.patch_added = on_added,
	.patch_removed = on_removed,
	.transition_started = on_started,
	.transition_finished = on_finished,
	.module_unloaded = on_unloaded,
};

static void put(struct fixture *f, const char *path, const char *value)
{
	char full[512], *slash;
	FILE *fp;

	snprintf(full, sizeof(full), "%s/%s", f->root, path);
	/* mkdir -p of the parent */
	for (slash = strchr(full + strlen(f->root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(full, 0755);
		*slash = '/';
	}
	fp = fopen(full, "we");
	assert_non_null(fp);
	fprintf(fp, "%s\n", value);
	fclose(fp);
}

static void mkdirs(struct fixture *f, const char *path)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/.keep", path);
	put(f, p, "");
}

static void rm_rf(struct fixture *f, const char *path)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/%s'", f->root, path);
	assert_int_equal(system(cmd), 0);
}

/* A loaded livepatch module and, when ENABLED >= 0, its patch. */
static void fake_patch(struct fixture *f, const char *name, int enabled, int transition,
		       int refcnt)
{
	char p[256], v[16];

	snprintf(p, sizeof(p), "sys/module/%s/taint", name);
	put(f, p, "OEK");
	snprintf(p, sizeof(p), "sys/module/%s/initstate", name);
	put(f, p, "live");
	snprintf(p, sizeof(p), "sys/module/%s/refcnt", name);
	snprintf(v, sizeof(v), "%d", refcnt);
	put(f, p, v);
	if (enabled < 0)
		return;
	snprintf(p, sizeof(p), "sys/kernel/livepatch/%s/enabled", name);
	put(f, p, enabled ? "1" : "0");
	snprintf(p, sizeof(p), "sys/kernel/livepatch/%s/transition", name);
	put(f, p, transition ? "1" : "0");
	snprintf(p, sizeof(p), "sys/kernel/livepatch/%s/vmlinux/patched", name);
	put(f, p, "1");
	snprintf(p, sizeof(p), "sys/kernel/livepatch/%s/vmlinux/cmdline_proc_show,1", name);
	mkdirs(f, p);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->root, sizeof(f->root), "/tmp/klpd-test-state-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	mkdirs(f, "sys/kernel/livepatch");
	mkdirs(f, "sys/module");
	/* a built-in module (no taint, no refcnt) and an ordinary one */
	mkdirs(f, "sys/module/printk/parameters");
	put(f, "sys/module/ext4/taint", "");
	put(f, "sys/module/ext4/refcnt", "2");
	assert_int_equal(state_new(f->root, &listener, f, &f->state), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	state_free(f->state);
	rm_rf(f, "");
	free(f);
	return 0;
}

static void test_applied_and_leftover(void **state)
{
	struct fixture *f = *state;
	struct patch *p;

	fake_patch(f, "klpt_cmdline", 1, 0, 1);
	fake_patch(f, "klpt_old", -1, 0, 0);
	assert_int_equal(state_rescan(f->state, 100 * SEC), 0);

	assert_true(f->state->supported);
	assert_int_equal(f->state->n_patches, 2);
	assert_null(state_find(f->state, "ext4"));

	p = state_find(f->state, "klpt_cmdline");
	assert_non_null(p);
	assert_int_equal(p->state, PATCH_STATE_APPLIED);
	assert_true(p->in_sysfs);
	assert_int_equal(p->module.refcnt, 1);
	assert_int_equal(p->sysfs.replace, -1);    /* absent before 6.11 */
	assert_int_equal(p->sysfs.stack_order, 0); /* absent before 6.14 */
	assert_int_equal(p->sysfs.n_objects, 1);
	assert_string_equal(p->sysfs.objects[0].name, "vmlinux");
	assert_int_equal(p->sysfs.objects[0].patched, 1);

	/* no live replace patch: the leftover was disabled, and is unloadable */
	p = state_find(f->state, "klpt-old");
	assert_non_null(p);
	assert_false(p->in_sysfs);
	assert_int_equal(p->state, PATCH_STATE_DISABLED);
	assert_int_equal(p->module.refcnt, 0);
	assert_false(state_reboot_required(f->state));
	assert_string_equal(state_manager_state(f->state), "idle");
	assert_int_equal(state_next_wakeup(f->state, 100 * SEC), USEC_INFINITY);
}

static void test_pinned_after_settle(void **state)
{
	struct fixture *f = *state;
	struct patch *p;

	fake_patch(f, "klpt_busy_patch", -1, 0, 1);
	assert_int_equal(state_rescan(f->state, 100 * SEC), 0);
	p = state_find(f->state, "klpt_busy_patch");
	assert_non_null(p);
	/* The kernel drops the reference shortly after freeing the patch. */
	assert_int_equal(p->state, PATCH_STATE_DISABLED);
	assert_true(state_next_wakeup(f->state, 100 * SEC) < 101 * SEC);

	assert_int_equal(state_refresh_pending(f->state, 103 * SEC), 0);
	assert_int_equal(p->state, PATCH_STATE_PINNED);
	assert_true(p->forced);
	assert_true(state_reboot_required(f->state));
	assert_int_equal(state_next_wakeup(f->state, 103 * SEC), USEC_INFINITY);

	/* a leftover whose reference drops in time is not pinned */
	fake_patch(f, "klpt_version", -1, 0, 1);
	assert_int_equal(state_refresh(f->state, "klpt_version", 104 * SEC), 0);
	put(f, "sys/module/klpt_version/refcnt", "0");
	assert_int_equal(state_refresh_pending(f->state, 104 * SEC + 500000), 0);
	p = state_find(f->state, "klpt_version");
	assert_int_equal(p->state, PATCH_STATE_DISABLED);
	assert_false(p->forced);
}

static void test_transition_from_sysfs(void **state)
{
	struct fixture *f = *state;
	struct patch *p;

	fake_patch(f, "klpt_cmdline", 1, 1, 1);
	assert_int_equal(state_rescan(f->state, 10 * SEC), 0);
	assert_true(f->state->transition.active);
	assert_string_equal(state_manager_state(f->state), "transition");
	p = state_find(f->state, "klpt_cmdline");
	assert_int_equal(p->state, PATCH_STATE_PATCHING);
	assert_int_equal(state_next_wakeup(f->state, 10 * SEC), 11 * SEC);
	/* Following kmsg, which logs the end, the re-read is a safety net. */
	f->state->follows_kmsg = true;
	assert_int_equal(state_next_wakeup(f->state, 10 * SEC), 10 * SEC + TRANSITION_RECHECK_USEC);
	f->state->follows_kmsg = false;

	put(f, "sys/kernel/livepatch/klpt_cmdline/transition", "0");
	assert_int_equal(state_refresh_pending(f->state, 13 * SEC), 0);
	assert_false(f->state->transition.active);
	assert_int_equal(p->state, PATCH_STATE_APPLIED);
	assert_string_equal(f->log, "added klpt_cmdline patching;started klpt_cmdline patched;"
				    "finished klpt_cmdline patched completed 3s;");
}

static void record(struct fixture *f, enum livepatch_event e, const char *patch, uint64_t usec,
		   uint64_t now);

static void test_transition_while_enabling(void **state)
{
	struct fixture *f = *state;

	/* During the module's init the kernel shows transition=1 before
	 * enabled=1: that is a patching transition, not an unpatching one. */
	fake_patch(f, "klpt_busy_patch", 0, 1, 2);
	put(f, "sys/module/klpt_busy_patch/initstate", "coming");
	record(f, LIVEPATCH_EVENT_ENABLING, "klpt_busy_patch", 5 * SEC, 5 * SEC);
	assert_true(f->state->transition.active);
	assert_true(f->state->transition.target_patched);
	assert_int_equal(state_find(f->state, "klpt_busy_patch")->state, PATCH_STATE_PATCHING);

	put(f, "sys/module/klpt_busy_patch/initstate", "live");
	put(f, "sys/kernel/livepatch/klpt_busy_patch/enabled", "1");
	record(f, LIVEPATCH_EVENT_PATCHING_STARTED, "klpt_busy_patch", 5 * SEC, 6 * SEC);
	record(f, LIVEPATCH_EVENT_PATCHING_COMPLETE, "klpt_busy_patch", 70 * SEC, 70 * SEC);
	assert_int_equal(f->state->last.how, TRANSITION_COMPLETED);
	assert_string_equal(f->log, "added klpt_busy_patch patching;started klpt_busy_patch patched;"
				    "finished klpt_busy_patch patched completed 65s;");
}

static void test_transition_reversed(void **state)
{
	struct fixture *f = *state;

	fake_patch(f, "klpt_busy_patch", 1, 1, 1);
	assert_int_equal(state_rescan(f->state, 10 * SEC), 0);
	assert_true(state_set_stalled(f->state));
	assert_false(state_set_stalled(f->state));
	assert_string_equal(state_manager_state(f->state), "stalled");

	/* writing the opposite value reverses: enabled flips, transition stays */
	put(f, "sys/kernel/livepatch/klpt_busy_patch/enabled", "0");
	assert_int_equal(state_refresh(f->state, "klpt_busy_patch", 11 * SEC), 0);
	assert_true(f->state->transition.active);
	assert_false(f->state->transition.target_patched);
	assert_int_equal(state_find(f->state, "klpt_busy_patch")->state, PATCH_STATE_UNPATCHING);

	/* the patch goes away, the module stays with its reference dropped */
	rm_rf(f, "sys/kernel/livepatch/klpt_busy_patch");
	put(f, "sys/module/klpt_busy_patch/refcnt", "0");
	assert_int_equal(state_refresh(f->state, "klpt_busy_patch", 12 * SEC), 0);
	assert_false(f->state->transition.active);
	assert_int_equal(f->state->last.how, TRANSITION_REVERTED);
	assert_int_equal(state_find(f->state, "klpt_busy_patch")->state, PATCH_STATE_DISABLED);

	/* rmmod */
	rm_rf(f, "sys/module/klpt_busy_patch");
	assert_int_equal(state_refresh(f->state, "klpt_busy_patch", 13 * SEC), 0);
	assert_null(state_find(f->state, "klpt_busy_patch"));
	assert_string_equal(f->log, "added klpt_busy_patch patching;started klpt_busy_patch patched;"
				    "finished klpt_busy_patch unpatched reverted 2s;"
				    "removed klpt_busy_patch;unloaded klpt_busy_patch;");
}

static void record(struct fixture *f, enum livepatch_event e, const char *patch, uint64_t usec,
		   uint64_t now)
{
	struct livepatch_record r = { .event = e };

	snprintf(r.patch, sizeof(r.patch), "%s", patch);
	assert_int_equal(state_handle_record(f->state, &r, usec, 1000 * SEC, now), 0);
}

/* klpd reverses a transition and the reversal ends within milliseconds:
 * sysfs shows it over before klpd read the kernel's records of it. It ended
 * reverted, and those late records start no second transition. */
static void test_transition_reversed_fast(void **state)
{
	struct fixture *f = *state;

	fake_patch(f, "klpt_busy_replace", 1, 1, 1);
	assert_int_equal(state_rescan(f->state, 10 * SEC), 0);
	state_transition_reversed(f->state);
	assert_false(f->state->transition.target_patched);
	rm_rf(f, "sys/kernel/livepatch/klpt_busy_replace");
	put(f, "sys/module/klpt_busy_replace/refcnt", "0");
	assert_int_equal(state_refresh(f->state, "klpt_busy_replace", 13 * SEC), 0);
	assert_false(f->state->transition.active);
	assert_int_equal(f->state->last.how, TRANSITION_REVERTED);

	record(f, LIVEPATCH_EVENT_UNPATCHING_STARTED, "klpt_busy_replace", 13 * SEC - 20000,
	       13 * SEC + 1000);
	record(f, LIVEPATCH_EVENT_UNPATCHING_COMPLETE, "klpt_busy_replace", 13 * SEC - 15000,
	       13 * SEC + 2000);
	assert_false(f->state->transition.active);
	assert_string_equal(f->log, "added klpt_busy_replace patching;"
				    "started klpt_busy_replace patched;"
				    "finished klpt_busy_replace unpatched reverted 3s;");
}

static void test_transition_from_kmsg_forced(void **state)
{
	struct fixture *f = *state;
	struct patch *p;

	/* an atomic-replace patch forced to PATCHED marks the patches it
	 * replaces, not itself */
	fake_patch(f, "klpt_version", 1, 0, 1);
	put(f, "sys/kernel/livepatch/klpt_version/replace", "0");
	assert_int_equal(state_rescan(f->state, 5 * SEC), 0);

	fake_patch(f, "klpt_busy_replace", 1, 1, 1);
	put(f, "sys/kernel/livepatch/klpt_busy_replace/replace", "1");
	record(f, LIVEPATCH_EVENT_ENABLING, "klpt_busy_replace", 6 * SEC, 7 * SEC);
	record(f, LIVEPATCH_EVENT_PATCHING_STARTED, "klpt_busy_replace", 6 * SEC, 7 * SEC);
	p = state_find(f->state, "klpt_busy_replace");
	assert_non_null(p);
	/* read a second after they were logged: klpd knew at 7 s (the
	 * records' own clock is not CLOCK_MONOTONIC) */
	assert_int_equal(p->loaded_at, 1007 * SEC);
	assert_int_equal(f->state->transition.start_usec, 7 * SEC);

	record(f, LIVEPATCH_EVENT_FORCING, "", 20 * SEC, 20 * SEC);
	assert_false(p->forced);
	assert_true(state_find(f->state, "klpt_version")->forced);

	/* the record comes before the kernel clears the flag */
	record(f, LIVEPATCH_EVENT_PATCHING_COMPLETE, "klpt_busy_replace", 21 * SEC, 21 * SEC);
	assert_false(f->state->transition.active);
	assert_int_equal(f->state->last.how, TRANSITION_FORCED);
	assert_int_equal(transition_duration(&f->state->last), 15 * SEC);
	assert_true(state_next_wakeup(f->state, 21 * SEC) < 22 * SEC);

	put(f, "sys/kernel/livepatch/klpt_busy_replace/transition", "0");
	rm_rf(f, "sys/kernel/livepatch/klpt_version");
	assert_int_equal(state_refresh_pending(f->state, 21 * SEC + 300000), 0);
	assert_false(f->state->transition.active);
	assert_int_equal(p->state, PATCH_STATE_APPLIED);
	/* refcnt stays 1: forced replaced patches are pinned at once */
	assert_int_equal(state_find(f->state, "klpt_version")->state, PATCH_STATE_PINNED);
	assert_string_equal(f->log, "added klpt_version applied;"
				    "added klpt_busy_replace patching;"
				    "started klpt_busy_replace patched;"
				    "finished klpt_busy_replace patched forced 15s;");
}

static void test_transition_reversed_from_kmsg(void **state)
{
	struct fixture *f = *state;

	/* A reversal logs "starting unpatching transition" for the patch
	 * already in its patching transition. */
	fake_patch(f, "klpt_busy_patch", 1, 1, 1);
	record(f, LIVEPATCH_EVENT_PATCHING_STARTED, "klpt_busy_patch", 10 * SEC, 10 * SEC);
	/* klp_reverse_transition() flips enabled before it logs */
	put(f, "sys/kernel/livepatch/klpt_busy_patch/enabled", "0");
	record(f, LIVEPATCH_EVENT_UNPATCHING_STARTED, "klpt_busy_patch", 17 * SEC, 17 * SEC);
	assert_true(f->state->transition.active);
	assert_false(f->state->transition.target_patched);
	assert_int_equal(state_find(f->state, "klpt_busy_patch")->state, PATCH_STATE_UNPATCHING);
	put(f, "sys/kernel/livepatch/klpt_busy_patch/transition", "0");
	record(f, LIVEPATCH_EVENT_UNPATCHING_COMPLETE, "klpt_busy_patch", 18 * SEC, 18 * SEC);
	assert_false(f->state->transition.active);
	assert_int_equal(f->state->last.how, TRANSITION_REVERTED);
	assert_string_equal(f->log, "added klpt_busy_patch patching;started klpt_busy_patch patched;"
				    "finished klpt_busy_patch unpatched reverted 8s;");
}

static void test_unknown_record_asks_rescan(void **state)
{
	struct fixture *f = *state;
	struct livepatch_record r = { .event = LIVEPATCH_EVENT_UNKNOWN };

	assert_int_equal(state_handle_record(f->state, &r, 0, 0, 0), 1);
	r.event = LIVEPATCH_EVENT_SIGNALING;
	assert_int_equal(state_handle_record(f->state, &r, 0, 0, 0), 0);
}

static void fake_task(struct fixture *f, int pid, int tid, const char *comm, int patch_state,
		      const char *stack)
{
	char p[256], v[16];

	snprintf(p, sizeof(p), "proc/%d/task/%d/patch_state", pid, tid);
	snprintf(v, sizeof(v), "%d", patch_state);
	put(f, p, v);
	snprintf(p, sizeof(p), "proc/%d/task/%d/comm", pid, tid);
	put(f, p, comm);
	if (stack) {
		snprintf(p, sizeof(p), "proc/%d/task/%d/stack", pid, tid);
		put(f, p, stack);
	}
}

static void test_blockers(void **state)
{
	struct fixture *f = *state;
	struct blocker *b = NULL;
	size_t n = 0, total = 0;

	fake_task(f, 1, 1, "systemd", 1, "[<0>] ep_poll+0x1/0x2\n[<0>] do_epoll_wait+0x3/0x4");
	fake_task(f, 200, 200, "klpt_busy", 0, "[<0>] klpt_busy_wait+0x32/0x60 [klpt_busy_target]");
	fake_task(f, 300, 300, "worker", 1, NULL);
	fake_task(f, 300, 301, "worker-thread", 0, NULL); /* a thread, no readable stack */
	fake_task(f, 400, 400, "idle", -1, NULL);        /* no transition for it */
	mkdirs(f, "proc/self");                           /* not a pid */

	assert_int_equal(tasks_scan_blockers(f->root, 1, NULL, 16, &b, &n, &total), 0);
	assert_int_equal(n, 2);
	assert_int_equal(total, 2);
	/* readdir order is the file system's: sort by pid for the check */
	if (n == 2 && b[0].pid > b[1].pid) {
		struct blocker t = b[0];
		b[0] = b[1];
		b[1] = t;
	}
	assert_int_equal(b[0].pid, 200);
	assert_string_equal(b[0].comm, "klpt_busy");
	assert_string_equal(b[0].stack, "klpt_busy_wait+0x32/0x60 [klpt_busy_target]");
	assert_int_equal(b[1].pid, 301);
	assert_string_equal(b[1].comm, "worker-thread");
	assert_string_equal(b[1].stack, "");
	blockers_free(b, n);

	/* the cap on the list still counts them all */
	assert_int_equal(tasks_scan_blockers(f->root, 1, NULL, 1, &b, &n, &total), 0);
	assert_int_equal(n, 1);
	assert_int_equal(total, 2);
	blockers_free(b, n);

	/* towards UNPATCHED the other tasks block */
	assert_int_equal(tasks_scan_blockers(f->root, 0, NULL, 16, &b, &n, &total), 0);
	assert_int_equal(n, 2);
	blockers_free(b, n);
}

/* The memo of settled processes: skipped by the next scan of the same target,
 * never for another target, and a blocker that appears in a process that had
 * one is still found. */
static void test_blockers_memo(void **state)
{
	struct fixture *f = *state;
	struct tasks_memo memo = TASKS_MEMO_INIT;
	struct blocker *b = NULL;
	size_t n = 0, total = 0;

	fake_task(f, 1, 1, "systemd", 1, NULL);
	fake_task(f, 200, 200, "klpt_busy", 0, NULL);
	fake_task(f, 300, 300, "worker", 1, NULL);
	assert_int_equal(tasks_scan_blockers(f->root, 1, &memo, 16, &b, &n, &total), 0);
	assert_int_equal(total, 1);
	blockers_free(b, n);
	assert_int_equal(memo.target, 1);
	assert_int_equal(memo.n_settled, 2);
	assert_int_equal(memo.settled[0], 1);
	assert_int_equal(memo.settled[1], 300);

	/* A settled process is not read again: a state written into it now
	 * (which the kernel never does within a transition) goes unseen... */
	fake_task(f, 300, 301, "worker-thread", 0, NULL);
	/* ...while a new process, and a new thread of a blocking one, are read. */
	fake_task(f, 500, 500, "child", 0, NULL);
	fake_task(f, 200, 201, "busy-thread", 0, NULL);
	assert_int_equal(tasks_scan_blockers(f->root, 1, &memo, 16, &b, &n, &total), 0);
	assert_int_equal(total, 3);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(b[i].pid, 301);
	blockers_free(b, n);
	assert_int_equal(memo.n_settled, 2);

	/* The other target (a reversal) reads everything again. */
	assert_int_equal(tasks_scan_blockers(f->root, 0, &memo, 16, &b, &n, &total), 0);
	assert_int_equal(total, 2); /* 1 and 300 */
	blockers_free(b, n);
	assert_int_equal(memo.target, 0);

	/* Cleared, the memo makes the next scan a full one. */
	tasks_memo_clear(&memo);
	assert_int_equal(tasks_scan_blockers(f->root, 1, &memo, 16, &b, &n, &total), 0);
	assert_int_equal(total, 4);
	blockers_free(b, n);
	tasks_memo_clear(&memo);
}

/* Before 6.1 objects have no "patched": vmlinux is patched, and a target
 * module is when it is loaded. */
static void test_objects_without_patched(void **state)
{
	struct fixture *f = *state;
	struct patch *p;

	fake_patch(f, "klpt_busy_patch", 1, 0, 1);
	rm_rf(f, "sys/kernel/livepatch/klpt_busy_patch/vmlinux/patched");
	mkdirs(f, "sys/kernel/livepatch/klpt_busy_patch/klpt_busy_target/klpt_busy_wait,1");
	mkdirs(f, "sys/kernel/livepatch/klpt_busy_patch/xfs/xfs_fs_fill_super,1");
	put(f, "sys/module/klpt_busy_target/refcnt", "0");
	assert_int_equal(state_rescan(f->state, SEC), 0);
	p = state_find(f->state, "klpt_busy_patch");
	assert_non_null(p);
	assert_int_equal(p->sysfs.n_objects, 3);
	for (size_t i = 0; i < p->sysfs.n_objects; i++) {
		const struct livepatch_object *o = &p->sysfs.objects[i];

		if (strcmp(o->name, "xfs") == 0)
			assert_int_equal(o->patched, 0); /* not loaded */
		else
			assert_int_equal(o->patched, 1);
	}
}

/* Every process blocks: the memo has nothing settled (and no list at all). */
static void test_blockers_memo_all_blocking(void **state)
{
	struct fixture *f = *state;
	struct tasks_memo memo = TASKS_MEMO_INIT;
	struct blocker *b = NULL;
	size_t n = 0, total = 0;

	fake_task(f, 1, 1, "systemd", 0, NULL);
	fake_task(f, 200, 200, "klpt_busy", 0, NULL);
	assert_int_equal(tasks_scan_blockers(f->root, 1, &memo, 16, &b, &n, &total), 0);
	assert_int_equal(total, 2);
	assert_int_equal(memo.n_settled, 0);
	blockers_free(b, n);
	/* and the next scan reads both again */
	assert_int_equal(tasks_scan_blockers(f->root, 1, &memo, 16, &b, &n, &total), 0);
	assert_int_equal(total, 2);
	blockers_free(b, n);
	tasks_memo_clear(&memo);
}

static void test_blockers_on_transition_patch(void **state)
{
	struct fixture *f = *state;
	struct blocker *b = calloc(1, sizeof(*b));
	struct patch *p;

	assert_non_null(b);
	b->pid = 42;
	snprintf(b->comm, sizeof(b->comm), "klpt_busy");
	b->stack = strdup("klpt_busy_wait+0x1/0x2");

	/* no transition: the list is dropped */
	state_set_blockers(f->state, b, 1, 1);

	fake_patch(f, "klpt_busy_patch", 1, 1, 1);
	assert_int_equal(state_rescan(f->state, SEC), 0);
	b = calloc(1, sizeof(*b));
	assert_non_null(b);
	b->pid = 42;
	b->stack = strdup("");
	state_set_blockers(f->state, b, 1, 3);
	p = state_find(f->state, "klpt_busy_patch");
	assert_int_equal(p->n_blockers, 1);
	assert_int_equal(f->state->transition.n_blockers_total, 3);

	/* the transition ends: blockers are gone */
	put(f, "sys/kernel/livepatch/klpt_busy_patch/transition", "0");
	assert_int_equal(state_refresh(f->state, "klpt_busy_patch", 2 * SEC), 0);
	assert_int_equal(p->n_blockers, 0);
}

static void test_unsupported_kernel(void **state)
{
	struct fixture *f = *state;

	rm_rf(f, "sys/kernel/livepatch");
	assert_int_equal(state_rescan(f->state, SEC), 0);
	assert_false(f->state->supported);
	assert_int_equal(f->state->n_patches, 0);
}

/* klpd restarted during a transition: the kernel log's history says when it
 * really started, and the stall deadline counts from there. */
static void test_transition_start_from_history(void **state)
{
	struct fixture *f = *state;

	state_hint_transition_start(f->state, "klpt_other", 2 * SEC, 0);
	state_hint_transition_start(f->state, "klpt_busy_patch", 4 * SEC, 0);
	fake_patch(f, "klpt_busy_patch", 1, 1, 1);
	assert_int_equal(state_rescan(f->state, 30 * SEC), 0);
	assert_true(f->state->transition.active);
	assert_int_equal(f->state->transition.start_usec, 4 * SEC);
}

/* The history dated a transition that had ended by the start-up scan: the
 * next transition of that patch, minutes later, starts when it is seen (it
 * used to be dated back to the old record, so that a short StallTimeout
 * reverted it at once). */
static void test_history_of_ended_transition(void **state)
{
	struct fixture *f = *state;

	state_hint_transition_start(f->state, "klpt_busy_patch", 4 * SEC, 0);
	fake_patch(f, "klpt_busy_patch", 1, 0, 1);
	assert_int_equal(state_rescan(f->state, 30 * SEC), 0);
	assert_false(f->state->transition.active);
	state_hints_clear(f->state);
	put(f, "sys/kernel/livepatch/klpt_busy_patch/enabled", "0");
	put(f, "sys/kernel/livepatch/klpt_busy_patch/transition", "1");
	assert_int_equal(state_rescan(f->state, 300 * SEC), 0);
	assert_true(f->state->transition.active);
	assert_int_equal(f->state->transition.start_usec, 300 * SEC);
}

/* A hint dates the one transition it saw start, not the patch's next one. */
static void test_hint_dates_one_transition(void **state)
{
	struct fixture *f = *state;

	state_hint_transition_start(f->state, "klpt_busy_patch", 4 * SEC, 0);
	fake_patch(f, "klpt_busy_patch", 1, 1, 1);
	assert_int_equal(state_rescan(f->state, 30 * SEC), 0);
	assert_int_equal(f->state->transition.start_usec, 4 * SEC);
	put(f, "sys/kernel/livepatch/klpt_busy_patch/transition", "0");
	assert_int_equal(state_rescan(f->state, 40 * SEC), 0);
	assert_false(f->state->transition.active);
	put(f, "sys/kernel/livepatch/klpt_busy_patch/enabled", "0");
	put(f, "sys/kernel/livepatch/klpt_busy_patch/transition", "1");
	assert_int_equal(state_rescan(f->state, 300 * SEC), 0);
	assert_true(f->state->transition.active);
	assert_int_equal(f->state->transition.start_usec, 300 * SEC);
}

static void history_record(struct kmsg_history *h, enum livepatch_event e, const char *patch,
			   uint64_t stamp)
{
	struct livepatch_record r = { .event = e };

	snprintf(r.patch, sizeof(r.patch), "%s", patch);
	assert_int_equal(kmsg_history_record(&r, stamp, h), 0);
}

/* What the kernel log held at start: the transition's start record dates the
 * running transition, the last "enabling" record of each loaded patch its
 * LoadedAt; records of other patches and other events change nothing. */
static void test_kmsg_history(void **state)
{
	struct fixture *f = *state;
	struct kmsg_history h = { .state = f->state, .now = 30 * SEC };
	const struct patch *p;

	history_record(&h, LIVEPATCH_EVENT_ENABLING, "klpt_busy_patch", 2 * SEC);
	history_record(&h, LIVEPATCH_EVENT_ENABLING, "klpt_cmdline", 3 * SEC);
	history_record(&h, LIVEPATCH_EVENT_ENABLING, "klpt_busy_patch", 5 * SEC);
	history_record(&h, LIVEPATCH_EVENT_PATCHING_STARTED, "klpt_busy_patch", 6 * SEC);
	history_record(&h, LIVEPATCH_EVENT_PATCHING_COMPLETE, "klpt_cmdline", 7 * SEC);
	history_record(&h, LIVEPATCH_EVENT_ENABLING, "klpt_gone", 8 * SEC);
	assert_int_equal(h.n_loads, 3);
	fake_patch(f, "klpt_busy_patch", 1, 1, 1);
	fake_patch(f, "klpt_cmdline", 1, 0, 1);
	assert_int_equal(state_rescan(f->state, 30 * SEC), 0);
	assert_true(f->state->transition.active);
	assert_int_equal(f->state->transition.start_usec, 6 * SEC);

	kmsg_history_apply_loads(&h, 31 * SEC, 1000 * SEC);
	p = state_find(f->state, "klpt_busy_patch");
	assert_non_null(p);
	assert_int_equal(p->loaded_at, 1005 * SEC);
	p = state_find(f->state, "klpt_cmdline");
	assert_non_null(p);
	assert_int_equal(p->loaded_at, 1003 * SEC);
	assert_null(state_find(f->state, "klpt_gone"));
	kmsg_history_done(&h);
	assert_int_equal(h.n_loads, 0);
}

static void test_no_history_starts_now(void **state)
{
	struct fixture *f = *state;

	/* a hint about another patch says nothing about this one */
	state_hint_transition_start(f->state, "klpt_other", 2 * SEC, 0);
	fake_patch(f, "klpt_busy_patch", 1, 1, 1);
	assert_int_equal(state_rescan(f->state, 30 * SEC), 0);
	assert_int_equal(f->state->transition.start_usec, 30 * SEC);
}

/* The kernel log's clock drifts from CLOCK_MONOTONIC (NTP slews only the
 * latter): minutes apart on a host up for months, either way. Live records
 * start transitions when klpd reads them, durations come from the stamps,
 * and a stall deadline is never counted from the wrong clock. */
static void test_kmsg_clock_behind(void **state)
{
	struct fixture *f = *state;

	/* stamps 5 min behind CLOCK_MONOTONIC */
	fake_patch(f, "klpt_busy_patch", 1, 1, 1);
	record(f, LIVEPATCH_EVENT_PATCHING_STARTED, "klpt_busy_patch", 10 * SEC, 310 * SEC);
	assert_true(f->state->transition.active);
	assert_int_equal(f->state->transition.start_usec, 310 * SEC);
	put(f, "sys/kernel/livepatch/klpt_busy_patch/transition", "0");
	record(f, LIVEPATCH_EVENT_PATCHING_COMPLETE, "klpt_busy_patch", 25 * SEC, 325 * SEC);
	assert_false(f->state->transition.active);
	assert_int_equal(transition_duration(&f->state->last), 15 * SEC);
}

static void test_kmsg_clock_ahead(void **state)
{
	struct fixture *f = *state;
	_cleanup_(config_donep) struct config c = {};
	struct policy_memory mem = {};
	struct policy_result r = {};

	/* stamps 5 min ahead: taken at face value, the transition would have
	 * started in the future (and the other way, 5 min ago: stalled and
	 * reverted the moment its record is read) */
	fake_patch(f, "klpt_busy_patch", 1, 1, 1);
	record(f, LIVEPATCH_EVENT_PATCHING_STARTED, "klpt_busy_patch", 400 * SEC, 100 * SEC);
	assert_int_equal(f->state->transition.start_usec, 100 * SEC);

	/* the defaults: stalled after 60 s, then reverted */
	assert_int_equal(config_init_defaults(&c), 0);
	assert_int_equal(policy_evaluate(f->state, &c, &mem, 130 * SEC, 0, &r), 0);
	assert_int_equal(r.n_actions, 0);
	assert_int_equal(r.next_usec, 160 * SEC);
	policy_result_done(&r);
	assert_int_equal(policy_evaluate(f->state, &c, &mem, 161 * SEC, 0, &r), 0);
	assert_int_equal(r.n_actions, 2);
	assert_int_equal(r.actions[0].kind, POLICY_ACTION_STALL);
	assert_int_equal(r.actions[1].kind, POLICY_ACTION_REVERT);
	policy_result_done(&r);
	policy_memory_done(&mem);
}

/* At start the history's stamps are converted with the stand-in offset,
 * and never to a time in the future or before boot. */
static void test_kmsg_clock_history(void **state)
{
	struct kmsg_clock c;

	kmsg_clock_init(&c, 300 * (int64_t)SEC); /* CLOCK_MONOTONIC 5 min ahead */
	assert_int_equal(kmsg_clock_to_monotonic(&c, 5 * SEC, 400 * SEC), 305 * SEC);
	assert_int_equal(kmsg_clock_to_monotonic(&c, 200 * SEC, 400 * SEC), 400 * SEC);
	kmsg_clock_init(&c, -300 * (int64_t)SEC); /* 5 min behind */
	assert_int_equal(kmsg_clock_to_monotonic(&c, 350 * SEC, 400 * SEC), 50 * SEC);
	assert_int_equal(kmsg_clock_to_monotonic(&c, 5 * SEC, 400 * SEC), 0);

	/* a live sample replaces the stand-in; lower samples (less latency)
	 * win; an old one gives way, as the clocks drift */
	kmsg_clock_sample(&c, 100 * SEC, 100 * SEC + 3000);
	assert_int_equal(c.offset, 3000);
	kmsg_clock_sample(&c, 101 * SEC, 101 * SEC + 9000);
	assert_int_equal(c.offset, 3000);
	kmsg_clock_sample(&c, 102 * SEC, 102 * SEC + 1000);
	assert_int_equal(c.offset, 1000);
	kmsg_clock_sample(&c, 800 * SEC, 800 * SEC + 2000);
	assert_int_equal(c.offset, 2000);
	assert_int_equal(kmsg_clock_to_monotonic(&c, 900 * SEC, 950 * SEC), 900 * SEC + 2000);
}

/* What the policy does about leftovers now, with AutoUnload and no delay. */
static void unload_actions(struct fixture *f, uint64_t now, char *buf, size_t size,
			   uint64_t *next)
{
	static const char conf[] = "[Policy]\nAutoUnload=yes\nUnloadDelay=0\n";
	_cleanup_(config_donep) struct config c = {};
	_cleanup_free_ char *error = NULL;
	struct policy_memory mem = {};
	struct policy_result r = {};

	assert_int_equal(config_init_defaults(&c), 0);
	assert_int_equal(config_parse_buffer(&c, "t.conf", conf, strlen(conf), &error), 0);
	assert_int_equal(policy_evaluate(f->state, &c, &mem, now, 0, &r), 0);
	buf[0] = '\0';
	for (size_t i = 0; i < r.n_actions; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s:%s;",
			 policy_action_to_string(r.actions[i].kind), r.actions[i].patch);
	*next = r.next_usec;
	policy_result_done(&r);
	policy_memory_done(&mem);
}

/* Two patches disabled through clean transitions after another patch's
 * transition was forced. REFCNT_AFTER_FREE is what their modules' refcount
 * reads once the kernel freed the patches: 0 with "livepatch: Don't block
 * removal of patches that are safe to unload" (5.18), 1 without it, where
 * one force marked every patch forced. */
static void clean_disables_after_a_force(struct fixture *f, int refcnt_after_free)
{
	char v[16];

	fake_patch(f, "klpt_a", 1, 0, 1);
	fake_patch(f, "klpt_b", 1, 0, 1);
	fake_patch(f, "klpt_busy_patch", 1, 1, 1);
	put(f, "sys/kernel/livepatch/klpt_busy_patch/replace", "0");
	assert_int_equal(state_rescan(f->state, 10 * SEC), 0);
	/* forced to PATCHED, not an atomic replace: on 5.18 that pins nothing */
	record(f, LIVEPATCH_EVENT_FORCING, "", 20 * SEC, 20 * SEC);
	record(f, LIVEPATCH_EVENT_PATCHING_COMPLETE, "klpt_busy_patch", 21 * SEC, 21 * SEC);
	put(f, "sys/kernel/livepatch/klpt_busy_patch/transition", "0");
	assert_int_equal(state_refresh_pending(f->state, 22 * SEC), 0);

	snprintf(v, sizeof(v), "%d", refcnt_after_free);
	for (int i = 0; i < 2; i++) {
		const char *name = i ? "klpt_b" : "klpt_a";
		char path[128];
		uint64_t t = (uint64_t)(30 + 10 * i) * SEC;

		snprintf(path, sizeof(path), "sys/kernel/livepatch/%s/enabled", name);
		put(f, path, "0");
		snprintf(path, sizeof(path), "sys/kernel/livepatch/%s/transition", name);
		put(f, path, "1");
		record(f, LIVEPATCH_EVENT_UNPATCHING_STARTED, name, t, t);
		record(f, LIVEPATCH_EVENT_UNPATCHING_COMPLETE, name, t + SEC, t + SEC);
		snprintf(path, sizeof(path), "sys/kernel/livepatch/%s", name);
		rm_rf(f, path);
		snprintf(path, sizeof(path), "sys/module/%s/refcnt", name);
		put(f, path, v);
		assert_int_equal(state_refresh_pending(f->state, t + SEC + 300000), 0);
	}
	/* long after the asynchronous free settled */
	assert_int_equal(state_refresh_pending(f->state, 60 * SEC), 0);
	assert_int_equal(state_refresh_pending(f->state, 70 * SEC), 0);
}

static void test_old_kernel_force_pins_all(void **state)
{
	struct fixture *f = *state;
	char actions[256];
	uint64_t next;

	clean_disables_after_a_force(f, 1);
	assert_int_equal(state_find(f->state, "klpt_a")->state, PATCH_STATE_PINNED);
	assert_int_equal(state_find(f->state, "klpt_b")->state, PATCH_STATE_PINNED);
	assert_true(state_reboot_required(f->state));
	assert_int_equal(state_find(f->state, "klpt_busy_patch")->state, PATCH_STATE_APPLIED);
	/* nothing to unload, and no reason to look again: no rmmod loop */
	unload_actions(f, 70 * SEC, actions, sizeof(actions), &next);
	assert_string_equal(actions, "");
	assert_int_equal(next, USEC_INFINITY);
	assert_int_equal(state_next_wakeup(f->state, 70 * SEC), USEC_INFINITY);
}

static void test_patched_kernel_force_pins_none(void **state)
{
	struct fixture *f = *state;
	char actions[256];
	uint64_t next;

	clean_disables_after_a_force(f, 0);
	assert_int_equal(state_find(f->state, "klpt_a")->state, PATCH_STATE_DISABLED);
	assert_int_equal(state_find(f->state, "klpt_b")->state, PATCH_STATE_DISABLED);
	assert_false(state_reboot_required(f->state));
	unload_actions(f, 70 * SEC, actions, sizeof(actions), &next);
	assert_string_equal(actions, "unload:klpt_a;unload:klpt_b;");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_applied_and_leftover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pinned_after_settle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transition_from_sysfs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transition_while_enabling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transition_reversed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transition_from_kmsg_forced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transition_reversed_fast, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transition_reversed_from_kmsg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_record_asks_rescan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blockers_memo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blockers_memo_all_blocking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_objects_without_patched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kmsg_clock_behind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kmsg_clock_ahead, setup, teardown),
		cmocka_unit_test(test_kmsg_clock_history),
		cmocka_unit_test_setup_teardown(test_blockers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blockers_on_transition_patch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsupported_kernel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transition_start_from_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_of_ended_transition, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hint_dates_one_transition, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kmsg_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_history_starts_now, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_kernel_force_pins_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_patched_kernel_force_pins_none, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
