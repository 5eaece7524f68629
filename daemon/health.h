/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "kernel-incident.h"

/* The health window's decisions: which watched patch a kernel incident is
 * blamed on, and when a window is over. Pure: no I/O, the caller passes the
 * times (CLOCK_MONOTONIC usec). */

struct health_watch {
	const char *name;
	uint64_t start;  /* when the patch became applied */
	uint64_t window; /* HealthWindow= for it */
	enum health_attribution attribution;
};

/* When W's window closes (USEC_INFINITY for an infinite one). */
uint64_t health_watch_end(const struct health_watch *w);
/* Whether the window of W covers AT: START <= AT < END. */
bool health_watch_covers(const struct health_watch *w, uint64_t at);

/* Blame INC, reported at AT: a watch whose window covers AT is blamed when
 * the report names its module's code (stack evidence, any attribution), or
 * when it has HealthAttribution=window and is the most recently applied of
 * the watches covering AT (the canary's view: anything that goes wrong in
 * its window is its doing). BLAMED[i] tells for W[i]; returns how many. */
size_t health_blame(const struct health_watch *w, size_t n, const struct kernel_incident *inc,
		    uint64_t at, bool *blamed);

/* A CLOCK_REALTIME time SINCE as CLOCK_MONOTONIC, given both clocks now;
 * 0 when it is before this boot would have been. */
uint64_t health_realtime_to_monotonic(uint64_t since, uint64_t now_real, uint64_t now_mono);
