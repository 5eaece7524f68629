/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sysfs/procfs value readers (lib/fileio.h): parse_int() on any string,
 * read_line_at() and read_int_at() on a file holding the input.
 * fuzz-sources: lib/fileio.c */
#include <ctype.h>
#include <limits.h>

#include "fileio.h"
#include "fuzz-util.h"

/* [+-]?[0-9]+ then nothing but whitespace, within int. */
static int ref_parse_int(const char *s, int *ret)
{
	const char *p = s;
	long long v = 0;
	bool neg = false, big = false;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (*p - '0');
		if (v > (long long)INT_MAX + 1) {
			big = true;
			v = (long long)INT_MAX + 1;
		}
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p)
		return -EINVAL;
	if (neg)
		v = -v;
	if (big || v > INT_MAX || v < INT_MIN)
		return -ERANGE;
	*ret = (int)v;
	return 0;
}

static void check_parse_int(const char *s)
{
	int v = 12345, ref = 54321, r, rr;

	r = parse_int(s, &v);
	rr = ref_parse_int(s, &ref);
	fuzz_assert(r == 0 || r == -EINVAL || r == -ERANGE);
	/* Which error is not promised when a string is both too big and
	 * followed by junk; success and the value are. */
	fuzz_assert((r == 0) == (rr == 0));
	if (r == 0)
		fuzz_assert(v == ref);
	else
		fuzz_assert(v == 12345); /* untouched on failure */
}

static int dir_fd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[4096], *s, expect[256], *buf;
	size_t bufsize;
	int r, v, pv;

	if (size > 4096)
		return 0;

	s = fuzz_strndup(data, size);
	check_parse_int(s);
	free(s);

	if (dir_fd < 0) {
		dir_fd = open(fuzz_tmpdir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		fuzz_assert(dir_fd >= 0);
		snprintf(path, sizeof(path), "%s/value", fuzz_tmpdir());
		fuzz_put(path, "", 0);
		/* The error optional attributes are probed with. */
		fuzz_assert(read_line_at(dir_fd, "absent", expect, sizeof(expect)) == -ENOENT);
		fuzz_assert(read_int_at(dir_fd, "absent", &v) == -ENOENT);
		fuzz_assert(read_line_at(dir_fd, "value", expect, 0) == -EINVAL);
	}
	snprintf(path, sizeof(path), "%s/value", fuzz_tmpdir());
	fuzz_put(path, data, size);

	/* Any buffer size from 1 up: the first byte picks one. */
	bufsize = 1 + (size ? data[0] % 200 : 0);
	buf = fuzz_malloc(bufsize);
	r = read_line_at(dir_fd, "value", buf, bufsize);
	fuzz_assert(r == 0);
	fuzz_assert(memchr(buf, '\0', bufsize));
	fuzz_assert(memcmp(buf, data, strlen(buf)) == 0);
	if (fuzz_expected_line((const char *)data, size, expect, bufsize))
		fuzz_assert(strcmp(buf, expect) == 0);
	free(buf);

	/* read_int_at() is read_line_at() with parse_int() on top. */
	r = read_int_at(dir_fd, "value", &v);
	if (fuzz_expected_line((const char *)data, size, expect, 64)) {
		int pr = parse_int(expect, &pv);

		fuzz_assert((r == 0) == (pr == 0));
		if (r == 0)
			fuzz_assert(v == pv);
	}
	return 0;
}
