/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "health.h"
#include "time-util.h"

uint64_t health_watch_end(const struct health_watch *w)
{
	if (w->window == USEC_INFINITY || w->start > USEC_INFINITY - w->window)
		return USEC_INFINITY;
	return w->start + w->window;
}

bool health_watch_covers(const struct health_watch *w, uint64_t at)
{
	return at >= w->start && at < health_watch_end(w);
}

size_t health_blame(const struct health_watch *w, size_t n, const struct kernel_incident *inc,
		    uint64_t at, bool *blamed)
{
	size_t count = 0, newest = n;

	for (size_t i = 0; i < n; i++) {
		blamed[i] = false;
		if (!health_watch_covers(&w[i], at))
			continue;
		if (newest == n || w[i].start >= w[newest].start)
			newest = i;
		if (kernel_incident_names_module(inc, w[i].name)) {
			blamed[i] = true;
			count++;
		}
	}
	if (newest < n && !blamed[newest] && w[newest].attribution == HEALTH_ATTRIBUTION_WINDOW) {
		blamed[newest] = true;
		count++;
	}
	return count;
}

uint64_t health_realtime_to_monotonic(uint64_t since, uint64_t now_real, uint64_t now_mono)
{
	uint64_t ago;

	if (since >= now_real)
		return now_mono; /* the clock was set back: as if now */
	ago = now_real - since;
	return ago < now_mono ? now_mono - ago : 0;
}
