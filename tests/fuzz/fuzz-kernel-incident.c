/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kernel_incident_reader_feed() (lib/kernel-incident.c) on records made from
 * the input's lines: a line's first byte gives the record's level (low 3
 * bits), its facility (bit 3: not the kernel's), a gap of 100 in its sequence
 * number (bit 6) and a jump of 6 s in its timestamp (bit 7); the rest is the
 * text. So "4WARNING: ..." is a kernel record at level 4. Every incident handed
 * out must be well-formed, start at a record whose text is a first line of
 * its kind, and name only modules written as "[name" in the input.
 * fuzz-sources: lib/kernel-incident.c lib/kmsg-record.c lib/names.c */
#include "fuzz-util.h"
#include "kernel-incident.h"

#define RECORDS_MAX 512

struct fed {
	uint64_t seq;
	enum kernel_incident_kind kind;
};

static void check(const struct kernel_incident *inc, const uint8_t *data, size_t size,
		  const struct fed *fed, size_t n_fed)
{
	bool found = false;

	if (!inc)
		return;
	fuzz_assert(kernel_incident_kind_to_string(inc->kind));
	fuzz_assert(inc->n_modules <= KERNEL_INCIDENT_MODULES_MAX);
	fuzz_assert(inc->n_lines >= 1 && inc->n_lines <= KERNEL_INCIDENT_LINES);
	fuzz_assert(!inc->modules_truncated || inc->n_modules == KERNEL_INCIDENT_MODULES_MAX);

	for (size_t i = 0; i < inc->n_lines; i++) {
		size_t n = strnlen(inc->lines[i], KERNEL_INCIDENT_LINE_MAX);

		fuzz_assert(n < KERNEL_INCIDENT_LINE_MAX);
		for (size_t k = 0; k < n; k++)
			fuzz_assert(inc->lines[i][k] >= 0x20 && inc->lines[i][k] < 0x7f);
	}

	for (size_t i = 0; i < inc->n_modules; i++) {
		char needle[KLP_MODULE_NAME_MAX + 1];

		fuzz_assert(strnlen(inc->modules[i], KLP_MODULE_NAME_MAX) < KLP_MODULE_NAME_MAX);
		fuzz_assert(module_name_valid(inc->modules[i]));
		fuzz_assert(kernel_incident_names_module(inc, inc->modules[i]));
		for (size_t k = 0; k < i; k++)
			fuzz_assert(!module_name_equal(inc->modules[k], inc->modules[i]));
		snprintf(needle, sizeof(needle), "[%s", inc->modules[i]);
		fuzz_assert(memmem(data, size, needle, strlen(needle)));
	}

	/* A BUG: line followed by its die header stays a bug. */
	for (size_t i = 0; i < n_fed; i++)
		if (fed[i].seq == inc->seq) {
			fuzz_assert(fed[i].kind == inc->kind);
			found = true;
		}
	fuzz_assert(found);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fed fed[RECORDS_MAX];
	const char *p = (const char *)data, *end = p + size;
	struct kernel_incident_reader r;
	uint64_t seq = 1, usec = 1000000;
	size_t n_fed = 0;

	kernel_incident_reader_init(&r);
	while (p < end && n_fed < RECORDS_MAX) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;
		unsigned char ctl = (unsigned char)*p;
		struct kmsg_record rec = {
			.level = ctl & 7,
			.facility = (ctl >> 3) & 1,
			.text = p + 1,
			.text_len = line_end > p ? (size_t)(line_end - p - 1) : 0,
		};

		seq += ctl & 0x40 ? 100 : 1;
		usec += ctl & 0x80 ? 6000000 : 250;
		rec.seq = seq;
		rec.usec = usec;
		if (rec.facility == 0) {
			fed[n_fed].seq = seq;
			fed[n_fed].kind = kernel_incident_classify(rec.level, rec.text, rec.text_len);
			n_fed++;
		}
		check(kernel_incident_reader_feed(&r, &rec), data, size, fed, n_fed);
		p = nl ? nl + 1 : end;
	}
	check(kernel_incident_reader_flush(&r), data, size, fed, n_fed);
	fuzz_assert(!kernel_incident_reader_pending(&r));
	fuzz_assert(!kernel_incident_reader_flush(&r));
	return 0;
}
