/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Durations (lib/duration.h): whatever klpd.conf or klpctl is given, the
 * formatters' output parsed back, and well-formed durations built from the
 * input checked against exact arithmetic.
 * fuzz-sources: lib/duration.c */
#include "duration.h"
#include "fuzz-util.h"
#include "macro.h"

/* A duration that parsed must survive format -> parse exactly, and the short
 * form must round it down by less than half. */
static void check_format(uint64_t usec)
{
	char buf[DURATION_MAX], more[DURATION_MAX + 16];
	uint64_t again;
	int r;

	memset(more, 'X', sizeof(more));
	duration_format(more, sizeof(more), usec);
	fuzz_assert(memchr(more, '\0', DURATION_MAX));
	duration_format(buf, sizeof(buf), usec);
	fuzz_assert(strcmp(buf, more) == 0);
	r = duration_parse(buf, &again);
	if (r != 0 || again != usec)
		fprintf(stderr, "%llu -> \"%s\" -> %d %llu\n", (unsigned long long)usec, buf, r,
			(unsigned long long)again);
	fuzz_assert(r == 0 && again == usec);

	duration_format_short(buf, sizeof(buf), usec);
	fuzz_assert(memchr(buf, '\0', sizeof(buf)));
	r = duration_parse(buf, &again);
	fuzz_assert(r == 0);
	if (usec == USEC_INFINITY || usec == 0)
		fuzz_assert(again == usec);
	else
		fuzz_assert(again <= usec && again > usec - again);

	/* Too small a buffer is cut, never overrun (ASan watches). */
	for (size_t size = 0; size < 4; size++) {
		char *tiny = fuzz_malloc(size);

		duration_format(tiny, size, usec);
		duration_format_short(tiny, size, usec);
		if (size > 0)
			fuzz_assert(memchr(tiny, '\0', size));
		free(tiny);
	}
}

/* The units the contract promises, with their value, written out again. */
static const struct {
	const char *name;
	uint64_t usec;
} ref_units[] = {
	{ "us", 1 },
	{ "usec", 1 },
	{ "ms", 1000 },
	{ "msec", 1000 },
	{ "s", 1000000 },
	{ "sec", 1000000 },
	{ "second", 1000000 },
	{ "seconds", 1000000 },
	{ "m", 60000000 },
	{ "min", 60000000 },
	{ "minute", 60000000 },
	{ "minutes", 60000000 },
	{ "h", 3600000000ULL },
	{ "hr", 3600000000ULL },
	{ "hour", 3600000000ULL },
	{ "hours", 3600000000ULL },
	{ "d", 86400000000ULL },
	{ "day", 86400000000ULL },
	{ "days", 86400000000ULL },
	{ "w", 604800000000ULL },
	{ "week", 604800000000ULL },
	{ "weeks", 604800000000ULL },
};
#define N_REF_UNITS (sizeof(ref_units) / sizeof(ref_units[0]))

/* Build "W[.F][ ]unit[ ...]" from the input bytes and compare the parse with
 * the exact value: each part may be off by one microsecond (fraction digits
 * past microsecond precision may be cut), no more. */
static void check_structured(const uint8_t *data, size_t size)
{
	unsigned __int128 exact = 0;
	char s[512];
	size_t off = 0, nparts;
	uint64_t got;
	int r;

	if (size < 1)
		return;
	nparts = 1 + data[0] % 3;
	data++;
	size--;

	for (size_t part = 0; part < nparts; part++) {
		uint64_t whole = 0, mult;
		unsigned __int128 frac = 0, div = 1;
		unsigned frac_digits, unit, shift;
		bool bare;

		if (size < 12)
			return;
		memcpy(&whole, data, 8);
		shift = data[8] % 64; /* mostly small numbers, sometimes huge ones */
		whole >>= shift;
		frac_digits = data[9] % 19; /* 0, 1: no '.' ("W." is no number), 2..: digits */
		unit = data[10] % (N_REF_UNITS + 1);
		bare = unit == N_REF_UNITS; /* seconds; kept to a lone part here */
		if (bare && nparts > 1)
			unit = 0, bare = false;
		mult = bare ? 1000000 : ref_units[unit].usec;
		off += (size_t)snprintf(s + off, sizeof(s) - off, "%s%llu", part ? " " : "",
					(unsigned long long)whole);
		if (frac_digits > 1)
			s[off++] = '.';
		for (unsigned i = 1; i < frac_digits; i++) {
			unsigned d = (data[11] + i * 7 + (unsigned)whole) % 10;

			s[off++] = (char)('0' + d);
			frac = frac * 10 + d;
			div *= 10;
		}
		if (!bare)
			off += (size_t)snprintf(s + off, sizeof(s) - off, "%s%s",
						data[10] & 0x80 ? " " : "", ref_units[unit].name);
		s[off] = '\0';
		exact += (unsigned __int128)whole * mult + frac * mult / div;
		data += 12;
		size -= 12;
	}

	r = duration_parse(s, &got);
	if (exact >= ((unsigned __int128)1 << 63)) {
		/* Near the top the contract allows -ERANGE; a value must still
		 * be right. */
		fuzz_assert(r == 0 || r == -ERANGE);
	} else {
		if (r != 0)
			fprintf(stderr, "\"%s\": %d, expected %llu\n", s, r,
				(unsigned long long)exact);
		fuzz_assert(r == 0);
	}
	if (r == 0) {
		unsigned __int128 diff = got > exact ? got - exact : exact - got;

		if (diff > nparts)
			fprintf(stderr, "\"%s\" parsed as %llu, exact value %llu\n", s,
				(unsigned long long)got, (unsigned long long)exact);
		fuzz_assert(diff <= nparts);
	}
}

/* A lone "W.Funit" (no blanks) checked against exact arithmetic, so that a
 * plain text input reproduces what check_structured() finds. */
static void check_simple(const char *s, int r, uint64_t got)
{
	unsigned __int128 whole = 0, frac = 0, div = 1, exact;
	size_t nw = 0, nf = 0, i;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++, nw++)
		whole = whole * 10 + (unsigned)(*p - '0');
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, nf++) {
			frac = frac * 10 + (unsigned)(*p - '0');
			div *= 10;
		}
		if (nf == 0)
			return; /* "W." is no number, as in systemd */
	}
	if (nw + nf == 0 || nw > 20 || nf > 18)
		return;
	for (i = 0; i < N_REF_UNITS; i++)
		if (strcmp(p, ref_units[i].name) == 0)
			break;
	if (i == N_REF_UNITS)
		return;
	exact = whole * ref_units[i].usec + frac * ref_units[i].usec / div;
	if (exact >= ((unsigned __int128)1 << 63)) {
		fuzz_assert(r == 0 || r == -ERANGE);
		if (r != 0)
			return;
	}
	if (r != 0 || (got > exact ? got - exact : exact - got) > 1)
		fprintf(stderr, "\"%s\": %d %llu, exact value %llu\n", s, r,
			(unsigned long long)got, (unsigned long long)exact);
	fuzz_assert(r == 0);
	fuzz_assert((got > exact ? got - exact : exact - got) <= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t usec = 0;
	char *s;
	int r;

	if (size > 4096)
		return 0;

	/* The input as a string, as klpd.conf or klpctl would pass it. */
	s = fuzz_strndup(data, size);
	r = duration_parse(s, &usec);
	fuzz_assert(r == 0 || r == -EINVAL || r == -ERANGE);
	if (r == 0)
		check_format(usec);
	check_simple(s, r, usec);
	free(s);

	/* The first 8 bytes as a value to format. */
	if (size >= 8) {
		memcpy(&usec, data, 8);
		check_format(usec);
		check_format(usec >> (data[0] % 64));
	}

	check_structured(data, size);
	return 0;
}
