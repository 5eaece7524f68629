/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "manager.h"
#include "time-util.h"

/* --- unload deadlines in the state directory */

static bool is_leftover(const struct patch *p)
{
	return p->loaded && !p->in_sysfs &&
	       (p->state == PATCH_STATE_DISABLED || p->state == PATCH_STATE_REPLACED);
}

static bool keep_module(const char *module, void *userdata)
{
	struct manager *m = userdata;
	const struct patch *p = state_find(m->state, module);

	return p && is_leftover(p);
}

static const struct leftover_record *find_leftover(const struct leftover_record *l, size_t n,
						   const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (streq(l[i].name, name))
			return &l[i];
	return NULL;
}

/* Record when each leftover became one, keep the policy's view of it in
 * step, and rewrite the file when the set changed. */
void manager_sync_leftovers(struct manager *m, uint64_t now)
{
	uint64_t real = now_realtime();
	_cleanup_free_ struct leftover_record *l = NULL;
	size_t n = 0;
	bool changed;
	int r;

	l = calloc(m->state->n_patches + 1, sizeof(*l));
	if (!l)
		return;
	for (size_t i = 0; i < m->state->n_patches; i++) {
		const struct patch *p = m->state->patches[i];
		const struct leftover_record *old;
		struct policy_module_memory *mm;
		uint64_t ago;

		if (!is_leftover(p))
			continue;
		l[n] = (struct leftover_record){};
		snprintf(l[n].name, sizeof(l[n].name), "%s", p->name);
		old = find_leftover(m->leftovers, m->n_leftovers, p->name);
		ago = now > p->leftover_since ? now - p->leftover_since : 0;
		/* The persisted time wins: it survived a restart of klpd. A
		 * time from before this boot is about an earlier load. */
		l[n].since = real - ago;
		if (old && old->since <= real && real - old->since < now)
			l[n].since = old->since;
		ago = real > l[n].since ? real - l[n].since : 0;
		mm = policy_memory_module(&m->policy, p->name);
		if (mm)
			mm->leftover_since = now - ago;
		n++;
	}
	policy_memory_prune(&m->policy, keep_module, m);

	changed = n != m->n_leftovers;
	for (size_t i = 0; !changed && i < n; i++) {
		const struct leftover_record *old = find_leftover(m->leftovers, m->n_leftovers,
								  l[i].name);
		changed = !old || old->since != l[i].since;
	}
	if (!changed)
		return;
	r = leftovers_save(statedir_path(), l, n);
	if (r < 0)
		log_warning_errno(r, "Cannot write %s/%s; unload delays restart with klpd",
				  statedir_path(), LEFTOVERS_FILE);
	free(m->leftovers);
	m->leftovers = TAKE_PTR(l);
	m->n_leftovers = n;
}
