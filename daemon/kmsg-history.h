/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kmsg-record.h"
#include "state.h"

/* What the kernel log still holds from before klpd started, read once at
 * start: when the running transition began (a hint to the state, which reads
 * everything else from sysfs) and when each patch was enabled (LoadedAt of
 * the patches found loaded). */
struct kmsg_history {
	struct state *state;
	void *owner; /* the caller's, for its own callbacks */
	uint64_t now; /* CLOCK_MONOTONIC usec, set before the read */
	struct kmsg_history_load {
		char patch[KLP_MODULE_NAME_MAX];
		uint64_t stamp; /* the kernel log's clock */
	} *loads; /* the last "enabling patch" record of each patch */
	size_t n_loads;
};

/* A kmsg_drain() callback, USERDATA a struct kmsg_history. Never fails: a
 * record it has no room for leaves only that patch's LoadedAt unknown. */
int kmsg_history_record(const struct livepatch_record *r, uint64_t stamp, void *userdata);

/* Set LoadedAt (CLOCK_REALTIME = CLOCK_MONOTONIC + REALTIME_OFFSET) of the
 * patches in the state that have none, from their "enabling" records; NOW is
 * CLOCK_MONOTONIC. */
void kmsg_history_apply_loads(const struct kmsg_history *h, uint64_t now,
			      uint64_t realtime_offset);

void kmsg_history_done(struct kmsg_history *h);
