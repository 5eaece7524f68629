/* SPDX-License-Identifier: GPL-2.0-or-later */
/* livepatch_record_classify() on any record text, and on the kernel's own
 * livepatch lines built around any name.
 * fuzz-sources: lib/kmsg-record.c lib/names.c */
#include "fuzz-util.h"
#include "kmsg-record.h"

/* The kernel's messages (kernel/livepatch/core.c, transition.c), written out
 * here again rather than taken from the parser: "%s" is the patch, a second
 * "%s" the target module. */
static const struct {
	enum livepatch_event event;
	const char *format;
	int names;
} kernel_lines[] = {
	{ LIVEPATCH_EVENT_ENABLING, "livepatch: enabling patch '%s'", 1 },
	{ LIVEPATCH_EVENT_PATCHING_STARTED, "livepatch: '%s': starting patching transition", 1 },
	{ LIVEPATCH_EVENT_UNPATCHING_STARTED, "livepatch: '%s': starting unpatching transition", 1 },
	{ LIVEPATCH_EVENT_PATCHING_COMPLETE, "livepatch: '%s': patching complete", 1 },
	{ LIVEPATCH_EVENT_UNPATCHING_COMPLETE, "livepatch: '%s': unpatching complete", 1 },
	{ LIVEPATCH_EVENT_FORCING, "livepatch: forcing remaining tasks to the patched state", 0 },
	{ LIVEPATCH_EVENT_SIGNALING, "livepatch: signaling remaining tasks", 0 },
	{ LIVEPATCH_EVENT_MODULE_APPLYING,
	  "livepatch: applying patch '%s' to loading module '%s'", 2 },
	{ LIVEPATCH_EVENT_MODULE_REVERTING,
	  "livepatch: reverting patch '%s' on unloading module '%s'", 2 },
	{ LIVEPATCH_EVENT_TAINTING, "livepatch: tainting kernel with TAINT_LIVEPATCH", 0 },
};

static const char *kernel_line_format(enum livepatch_event e, int *names)
{
	for (size_t i = 0; i < sizeof(kernel_lines) / sizeof(kernel_lines[0]); i++)
		if (kernel_lines[i].event == e) {
			*names = kernel_lines[i].names;
			return kernel_lines[i].format;
		}
	return NULL;
}

static bool name_field_ok(const char *f)
{
	return memchr(f, '\0', KLP_MODULE_NAME_MAX) && (!f[0] || module_name_valid(f));
}

static void check_record(const char *text, size_t len, const struct livepatch_record *lp)
{
	static const char prefix[] = "livepatch: ";
	bool prefixed = len >= strlen(prefix) && memcmp(text, prefix, strlen(prefix)) == 0;
	const char *format;
	char *line;
	int names = 0, n;

	fuzz_assert((unsigned)lp->event < _LIVEPATCH_EVENT_MAX);
	fuzz_assert(livepatch_event_to_string(lp->event));
	fuzz_assert((lp->event == LIVEPATCH_EVENT_NONE) == !prefixed);
	fuzz_assert(name_field_ok(lp->patch));
	fuzz_assert(name_field_ok(lp->module));

	format = kernel_line_format(lp->event, &names);
	if (!format) {
		/* NONE and UNKNOWN name nothing. */
		fuzz_assert(!lp->patch[0] && !lp->module[0]);
		return;
	}
	fuzz_assert(!!lp->patch[0] == (names >= 1));
	fuzz_assert(!!lp->module[0] == (names >= 2));

	/* A known event is exactly the kernel's line, nothing before or after. */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wformat-nonliteral"
	n = snprintf(NULL, 0, format, lp->patch, lp->module);
	fuzz_assert(n >= 0);
	line = fuzz_malloc((size_t)n + 1);
	snprintf(line, (size_t)n + 1, format, lp->patch, lp->module);
#pragma clang diagnostic pop
	fuzz_assert((size_t)n == len && memcmp(line, text, len) == 0);
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct livepatch_record lp;
	char *name;

	/* The input as the text of a record (not NUL-terminated: ASan sees any
	 * read past it). */
	livepatch_record_classify((const char *)data, size, &lp);
	check_record((const char *)data, size, &lp);

	/* The input as a name in each of the kernel's lines: a valid name is
	 * captured as is, anything else makes the line "unknown". */
	if (size > 256)
		return 0;
	name = fuzz_strndup(data, size);
	for (size_t i = 0; i < sizeof(kernel_lines) / sizeof(kernel_lines[0]); i++) {
		char *line;
		int n;

#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wformat-nonliteral"
		n = snprintf(NULL, 0, kernel_lines[i].format, name, name);
		fuzz_assert(n >= 0);
		line = fuzz_malloc((size_t)n);
		/* No terminating NUL: the classifier takes a length. */
		if (n > 0) {
			char *tmp = fuzz_malloc((size_t)n + 1);

			snprintf(tmp, (size_t)n + 1, kernel_lines[i].format, name, name);
			memcpy(line, tmp, (size_t)n);
			free(tmp);
		}
#pragma clang diagnostic pop
		livepatch_record_classify(line, (size_t)n, &lp);
		check_record(line, (size_t)n, &lp);
		if (kernel_lines[i].names == 0 || module_name_valid(name)) {
			fuzz_assert(lp.event == kernel_lines[i].event);
			if (kernel_lines[i].names >= 1)
				fuzz_assert(strcmp(lp.patch, name) == 0);
			if (kernel_lines[i].names >= 2)
				fuzz_assert(strcmp(lp.module, name) == 0);
		} else {
			fuzz_assert(lp.event == LIVEPATCH_EVENT_UNKNOWN);
		}
		free(line);
	}
	free(name);
	return 0;
}
