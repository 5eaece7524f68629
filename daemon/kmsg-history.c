/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <stdlib.h>

#include "kmsg-history.h"
#include "macro.h"

int kmsg_history_record(const struct livepatch_record *r, uint64_t stamp, void *userdata)
{
	struct kmsg_history *h = userdata;
	struct kmsg_history_load *l;
	size_t i;

	if (r->event == LIVEPATCH_EVENT_PATCHING_STARTED ||
	    r->event == LIVEPATCH_EVENT_UNPATCHING_STARTED)
		state_hint_transition_start(
			h->state, r->patch,
			kmsg_clock_to_monotonic(&h->state->kmsg_clock, stamp, h->now), stamp);
	if (r->event != LIVEPATCH_EVENT_ENABLING)
		return 0;
	for (i = 0; i < h->n_loads && !streq(h->loads[i].patch, r->patch); i++)
		;
	if (i == h->n_loads) {
		l = realloc(h->loads, (h->n_loads + 1) * sizeof(*l));
		if (!l)
			return 0;
		h->loads = l;
		h->n_loads++;
		snprintf(l[i].patch, sizeof(l[i].patch), "%s", r->patch);
	}
	h->loads[i].stamp = stamp;
	return 0;
}

void kmsg_history_apply_loads(const struct kmsg_history *h, uint64_t now,
			      uint64_t realtime_offset)
{
	for (size_t i = 0; i < h->n_loads; i++) {
		struct patch *p = state_find(h->state, h->loads[i].patch);

		if (p && p->loaded_at == 0)
			p->loaded_at = kmsg_clock_to_monotonic(&h->state->kmsg_clock,
							       h->loads[i].stamp, now) +
				       realtime_offset;
	}
}

void kmsg_history_done(struct kmsg_history *h)
{
	free(h->loads);
	h->loads = NULL;
	h->n_loads = 0;
}
