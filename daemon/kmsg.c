/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "kmsg.h"
#include "macro.h"

int kmsg_open(const char *root)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/dev/kmsg", root);
	/* A new reader starts at the oldest record the ring buffer holds. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	return fd;
}

int kmsg_drain(int fd, int (*on_record)(const struct livepatch_record *r, uint64_t usec, void *u),
	       void (*on_kernel_record)(const struct kmsg_record *rec, void *u), void *userdata)
{
	char buf[8192];
	int rescan = 0;
	bool lost = false;

	for (;;) {
		struct kmsg_record rec;
		struct livepatch_record lp;
		ssize_t n;
		int r;

		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EAGAIN)
				return lost ? KMSG_LOST : rescan;
			if (errno == EINTR)
				continue;
			if (errno == EPIPE) {
				lost = true;
				continue;
			}
			return -errno;
		}
		if (n == 0)
			return lost ? KMSG_LOST : rescan;
		/* Facility 0 is the kernel's own: writes to /dev/kmsg from
		 * userspace get LOG_USER, so they cannot pose as livepatch
		 * records. */
		if (kmsg_record_parse(buf, (size_t)n, &rec) < 0 || rec.facility != 0)
			continue;
		if (on_kernel_record)
			on_kernel_record(&rec, userdata);
		livepatch_record_classify(rec.text, rec.text_len, &lp);
		if (lp.event == LIVEPATCH_EVENT_NONE)
			continue;
		r = on_record(&lp, rec.usec, userdata);
		if (r < 0)
			return r;
		if (r > 0)
			rescan = 1;
	}
}
