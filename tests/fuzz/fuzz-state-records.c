/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state model (daemon/state.c) fed any sequence of kmsg records, the way
 * klpd's kmsg handler feeds it, over a fixed fake /sys with one applied
 * patch, one in transition and one leftover module. The input is records
 * separated by NUL bytes. Whatever the kernel logs, the model stays
 * consistent and frees everything.
 * fuzz-sources: daemon/state.c daemon/kmsg-clock.c daemon/sysfs-livepatch.c daemon/tasks.c lib/kmsg-record.c lib/names.c lib/fileio.c lib/utf8.c */
#include "fuzz-util.h"
#include "macro.h"
#include "state.h"

static char root[4096];

static void put(const char *rel, const char *value)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fuzz_put(path, value, strlen(value));
}

static void make_tree(void)
{
	snprintf(root, sizeof(root), "%s/root", fuzz_tmpdir());
	put("sys/kernel/livepatch/klpt_cmdline/enabled", "1\n");
	put("sys/kernel/livepatch/klpt_cmdline/transition", "0\n");
	put("sys/kernel/livepatch/klpt_cmdline/vmlinux/patched", "1\n");
	put("sys/module/klpt_cmdline/refcnt", "1\n");
	put("sys/module/klpt_cmdline/taint", "OEK\n");
	put("sys/module/klpt_cmdline/initstate", "live\n");
	put("sys/kernel/livepatch/klpt_busy/enabled", "1\n");
	put("sys/kernel/livepatch/klpt_busy/transition", "1\n");
	put("sys/kernel/livepatch/klpt_busy/vmlinux/patched", "1\n");
	put("sys/module/klpt_busy/refcnt", "1\n");
	put("sys/module/klpt_busy/taint", "OEK\n");
	put("sys/module/klpt_busy/initstate", "live\n");
	put("sys/module/klpt_old/refcnt", "0\n");
	put("sys/module/klpt_old/taint", "K\n");
	put("sys/module/klpt_old/initstate", "live\n");
	put("proc/1/task/1/patch_state", "0\n");
	put("proc/1/task/1/comm", "busy\n");
}

static unsigned n_events;

static void on_patch(void *u, const struct patch *p)
{
	fuzz_assert(module_name_valid(p->name));
	fuzz_assert(patch_state_to_string(p->state));
	n_events++;
}

static void on_patch_changed(void *u, const struct patch *p, unsigned props)
{
	on_patch(u, p);
}

static void on_manager(void *u, unsigned props)
{
	n_events++;
}

static void on_transition(void *u, const struct transition *t)
{
	fuzz_assert(module_name_valid(t->patch));
	fuzz_assert(transition_how_to_string(t->how));
	n_events++;
}

static void on_unloaded(void *u, const char *m)
{
	fuzz_assert(module_name_valid(m));
	n_events++;
}

static const struct state_listener listener = {
	.patch_added = on_patch,
	.patch_removed = on_patch,
	.patch_changed = on_patch_changed,
	.manager_changed = on_manager,
	.transition_started = on_transition,
	.transition_finished = on_transition,
	.module_unloaded = on_unloaded,
};

static void check_state(struct state *s, uint64_t now)
{
	const char *m = state_manager_state(s);
	size_t counted = 0;

	fuzz_assert(m && (streq(m, "idle") || streq(m, "transition") || streq(m, "stalled")));
	fuzz_assert(streq(m, "idle") == !s->transition.active);
	if (s->transition.active)
		fuzz_assert(module_name_valid(s->transition.patch));
	for (size_t i = 0; i < s->n_patches; i++) {
		fuzz_assert(module_name_valid(s->patches[i]->name));
		fuzz_assert((unsigned)s->patches[i]->state < _PATCH_STATE_MAX);
		if (i > 0) /* sorted by name, no duplicates */
			fuzz_assert(strcmp(s->patches[i - 1]->name, s->patches[i]->name) < 0);
		fuzz_assert(state_find(s, s->patches[i]->name) == s->patches[i]);
	}
	for (unsigned st = 0; st < _PATCH_STATE_MAX; st++)
		counted += state_count(s, (enum patch_state)st);
	fuzz_assert(counted == s->n_patches);
	(void)state_reboot_required(s);
	(void)state_next_wakeup(s, now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_field f[32];
	struct state *s = NULL;
	uint64_t now = 10 * USEC_PER_SEC;
	size_t n;
	int r;

	if (size > 16384)
		return 0;
	if (!root[0])
		make_tree();

	fuzz_assert(state_new(root, &listener, NULL, &s) == 0);
	r = state_rescan(s, now);
	fuzz_assert(r == 0);
	check_state(s, now);

	n = fuzz_split(data, size, '\0', f, 32);
	for (size_t i = 0; i < n; i++) {
		struct kmsg_record rec;
		struct livepatch_record lp;

		if (kmsg_record_parse(f[i].p, f[i].n, &rec) < 0 || rec.facility != 0)
			continue;
		livepatch_record_classify(rec.text, rec.text_len, &lp);
		if (lp.event == LIVEPATCH_EVENT_NONE)
			continue;
		now += USEC_PER_SEC;
		r = state_handle_record(s, &lp, rec.usec, 1700000000ULL * USEC_PER_SEC, now);
		fuzz_assert(r == 0 || r == 1);
		if (r > 0) {
			fuzz_assert(state_rescan(s, now) == 0);
		}
		check_state(s, now);
		if (i % 4 == 3) {
			fuzz_assert(state_refresh_pending(s, now) >= 0);
			check_state(s, now);
		}
	}
	state_free(s);
	return 0;
}
