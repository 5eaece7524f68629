/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kmsg_drain() (daemon/kmsg.c) reading records the way /dev/kmsg hands them
 * out, one per read(2): a SOCK_SEQPACKET socket keeps the boundaries. The
 * input is the records separated by NUL bytes. Every livepatch record must
 * reach the callback, in order, and nothing else.
 * fuzz-sources: daemon/kmsg.c lib/kmsg-record.c lib/names.c */
#include <sys/socket.h>

#include "fuzz-util.h"
#include "kmsg.h"

/* What /dev/kmsg's read(2) returns at most (CONSOLE_EXT_LOG_MAX). */
#define RECORD_MAX 8192
/* Records sent before each drain: well below the socket's queue limit. */
#define BATCH 8

struct expected {
	struct livepatch_record rec;
	uint64_t usec;
};

struct drain {
	struct expected e[BATCH];
	size_t n, seen;
};

static int on_record(const struct livepatch_record *r, uint64_t usec, void *userdata)
{
	struct drain *d = userdata;

	fuzz_assert(d->seen < d->n);
	fuzz_assert(r->event != LIVEPATCH_EVENT_NONE);
	fuzz_assert(r->event == d->e[d->seen].rec.event);
	fuzz_assert(strcmp(r->patch, d->e[d->seen].rec.patch) == 0);
	fuzz_assert(strcmp(r->module, d->e[d->seen].rec.module) == 0);
	fuzz_assert(usec == d->e[d->seen].usec);
	d->seen++;
	/* What state.c does with a record it cannot place: ask for a rescan. */
	return r->event == LIVEPATCH_EVENT_UNKNOWN ? 1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_field f[64];
	size_t n;
	int sv[2];

	n = fuzz_split(data, size, '\0', f, 64);
	fuzz_assert(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);

	for (size_t i = 0; i < n;) {
		struct drain d = {};
		bool rescan = false;
		int r;

		for (size_t k = 0; k < BATCH && i < n; i++) {
			size_t len = f[i].n < RECORD_MAX ? f[i].n : RECORD_MAX;
			struct kmsg_record rec;

			/* The kernel never returns an empty record; a socket would
			 * return it as end of file. */
			if (len == 0)
				continue;
			fuzz_assert(send(sv[1], f[i].p, len, MSG_DONTWAIT | MSG_NOSIGNAL) ==
				    (ssize_t)len);
			k++;
			if (kmsg_record_parse(f[i].p, len, &rec) < 0 || rec.facility != 0)
				continue;
			livepatch_record_classify(rec.text, rec.text_len, &d.e[d.n].rec);
			if (d.e[d.n].rec.event == LIVEPATCH_EVENT_NONE)
				continue;
			rescan = rescan || d.e[d.n].rec.event == LIVEPATCH_EVENT_UNKNOWN;
			d.e[d.n++].usec = rec.usec;
		}

		r = kmsg_drain(sv[0], on_record, NULL, &d);
		fuzz_assert(r == (rescan ? 1 : 0));
		fuzz_assert(d.seen == d.n);
	}

	/* Nothing pending: returns at once. */
	{
		struct drain d = {};

		fuzz_assert(kmsg_drain(sv[0], on_record, NULL, &d) == 0);
	}
	close(sv[0]);
	close(sv[1]);
	return 0;
}
