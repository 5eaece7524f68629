/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* The kernel log's time stamps are local_clock() (the scheduler's clock),
 * not CLOCK_MONOTONIC: NTP slews the latter and not the former, so on a
 * host that has been up for months the two can be a minute apart. klpd
 * measures every deadline on CLOCK_MONOTONIC and turns a record's stamp
 * into it with an offset measured here:
 *   - from records read as they are logged ("live"): the reading time
 *     minus the stamp is the offset plus the reader's latency, so the
 *     smallest recent sample is the best estimate;
 *   - before any live record (the history read at start), from a stand-in
 *     the caller measures (CLOCK_MONOTONIC - CLOCK_MONOTONIC_RAW: like
 *     local_clock(), CLOCK_MONOTONIC_RAW is not slewed).
 * Pure: the caller passes the time. */

struct kmsg_clock {
	int64_t offset;      /* CLOCK_MONOTONIC - kmsg stamp, usec */
	uint64_t sampled_at; /* when OFFSET was last lowered or renewed */
	bool live;           /* OFFSET comes from a live record */
};

/* A live sample older than this gives way to a new one, larger or not:
 * the two clocks drift apart (tens of ppm, some ms in this time). */
#define KMSG_CLOCK_RENEW_USEC (10 * 60 * UINT64_C(1000000))

void kmsg_clock_init(struct kmsg_clock *c, int64_t standin_offset);
/* A record stamped STAMP was read at NOW (CLOCK_MONOTONIC). */
void kmsg_clock_sample(struct kmsg_clock *c, uint64_t stamp, uint64_t now);
/* STAMP on CLOCK_MONOTONIC: never in the future, never before boot. */
uint64_t kmsg_clock_to_monotonic(const struct kmsg_clock *c, uint64_t stamp, uint64_t now);
