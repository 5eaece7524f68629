/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kmsg-clock.h"

void kmsg_clock_init(struct kmsg_clock *c, int64_t standin_offset)
{
	*c = (struct kmsg_clock){ .offset = standin_offset };
}

void kmsg_clock_sample(struct kmsg_clock *c, uint64_t stamp, uint64_t now)
{
	int64_t s = (int64_t)(now - stamp);

	if (!c->live || s < c->offset || now - c->sampled_at > KMSG_CLOCK_RENEW_USEC) {
		c->offset = s;
		c->sampled_at = now;
		c->live = true;
	}
}

uint64_t kmsg_clock_to_monotonic(const struct kmsg_clock *c, uint64_t stamp, uint64_t now)
{
	int64_t t = (int64_t)stamp + c->offset;

	if (t < 0)
		return 0;
	return (uint64_t)t > now ? now : (uint64_t)t;
}
