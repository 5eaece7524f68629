/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>

#include "kmsg-record.h"

/* /dev/kmsg: one record per read(2). */

/* Opened non-blocking at the oldest record still in the ring buffer: the
 * caller drains that history first (it tells when the transition running
 * now started, also across a restart of klpd), then follows new records. */
int kmsg_open(const char *root);

#define KMSG_LOST 2

/* Read every pending record, calling ON_KERNEL_RECORD (may be NULL) for
 * each of the kernel's own facility, then ON_RECORD for the livepatch ones.
 * Returns KMSG_LOST when records were lost (EPIPE: the ring buffer wrapped
 * before they were read), else 1 when ON_RECORD asked for a rescan by
 * returning > 0; 0 otherwise; -errno. */
int kmsg_drain(int fd, int (*on_record)(const struct livepatch_record *r, uint64_t usec, void *u),
	       void (*on_kernel_record)(const struct kmsg_record *rec, void *u), void *userdata);
