/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>
#include <time.h>

/* Microseconds: the unit of every time klpd keeps, logs and exports. */
uint64_t timespec_to_usec(const struct timespec *ts);

/* CLOCK's current time in microseconds. */
uint64_t now_usec(clockid_t clock);

static inline uint64_t now_monotonic(void)
{
	return now_usec(CLOCK_MONOTONIC);
}

static inline uint64_t now_realtime(void)
{
	return now_usec(CLOCK_REALTIME);
}
