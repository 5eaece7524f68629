/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kmsg_record_parse() on anything a read(2) of /dev/kmsg could return.
 * fuzz-sources: lib/kmsg-record.c lib/names.c */
#include <inttypes.h>

#include "fuzz-util.h"
#include "kmsg-record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *end = buf + size, *semi;
	struct kmsg_record rec, again;
	char *canon;
	int r, n;

	r = kmsg_record_parse(buf, size, &rec);
	if (r < 0) {
		fuzz_assert(r == -EINVAL);
		return 0;
	}
	fuzz_assert(r == 0);

	/* A record starts with its priority, a decimal number. */
	fuzz_assert(size > 0 && buf[0] >= '0' && buf[0] <= '9');
	fuzz_assert(rec.level <= 7);

	/* The text lies inside the input, starts after the first ';' and ends
	 * at the first newline after it, or at the end. */
	semi = memchr(buf, ';', size);
	fuzz_assert(semi);
	fuzz_assert(rec.text == semi + 1);
	fuzz_assert(rec.text >= buf && rec.text <= end);
	fuzz_assert(rec.text_len <= (size_t)(end - rec.text));
	fuzz_assert(!memchr(rec.text, '\n', rec.text_len));
	fuzz_assert(rec.text + rec.text_len == end || rec.text[rec.text_len] == '\n');

	/* The canonical form of the same record parses to the same fields. */
	n = snprintf(NULL, 0, "%u,%" PRIu64 ",%" PRIu64 ",%c;", rec.facility << 3 | rec.level,
		     rec.seq, rec.usec, rec.continuation ? 'c' : '-');
	fuzz_assert(n > 0);
	canon = fuzz_malloc((size_t)n + 1 + rec.text_len + 1);
	snprintf(canon, (size_t)n + 1, "%u,%" PRIu64 ",%" PRIu64 ",%c;",
		 rec.facility << 3 | rec.level, rec.seq, rec.usec, rec.continuation ? 'c' : '-');
	memcpy(canon + n, rec.text, rec.text_len);
	canon[(size_t)n + rec.text_len] = '\n';

	r = kmsg_record_parse(canon, (size_t)n + rec.text_len + 1, &again);
	fuzz_assert(r == 0);
	fuzz_assert(again.level == rec.level);
	fuzz_assert(again.facility == rec.facility);
	fuzz_assert(again.seq == rec.seq);
	fuzz_assert(again.usec == rec.usec);
	fuzz_assert(again.continuation == rec.continuation);
	fuzz_assert(again.text == canon + n);
	fuzz_assert(again.text_len == rec.text_len);
	fuzz_assert(memcmp(again.text, rec.text, rec.text_len) == 0);
	free(canon);
	return 0;
}
