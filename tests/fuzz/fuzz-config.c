/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The config parser (daemon/conf.c, through inih) on any klpd.conf text:
 * it either accepts the file with every value in range, or refuses it with
 * one "t.conf:LINE: ..." message per line of error, escaped to clean UTF-8
 * whatever bytes the file holds. The same text always gives the same answer,
 * and nothing leaks either way.
 * fuzz-sources: daemon/conf.c daemon/force-window.c lib/duration.c lib/names.c lib/fileio.c lib/utf8.c
 * fuzz-libs: inih */
#include "conf.h"
#include "fuzz-util.h"
#include "macro.h"
#include "utf8.h"

/* Every line of ERROR starts with "t.conf:" and a line number (0 for the
 * file as a whole) no larger than the text's line count, and holds nothing
 * utf8_escape() would change. */
static void check_errors(const char *error, const uint8_t *data, size_t size)
{
	unsigned lines = 1;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	for (const char *l = error; *l;) {
		const char *nl = strchr(l, '\n');
		char *end;
		unsigned long n;

		fuzz_assert(strncmp(l, "t.conf:", 7) == 0);
		n = strtoul(l + 7, &end, 10);
		fuzz_assert(end > l + 7 && *end == ':');
		fuzz_assert(n <= lines);
		fuzz_assert(utf8_is_clean(l, nl ? (size_t)(nl - l) : strlen(l)));
		if (!nl)
			break;
		l = nl + 1;
	}
}

/* Each window is in range and reads back from its text as itself. */
static void check_windows(const struct force_windows *w)
{
	fuzz_assert(w->n <= FORCE_WINDOWS_MAX);
	for (size_t i = 0; i < w->n; i++) {
		char text[FORCE_WINDOW_STRING_MAX], error[256];
		struct force_window again;

		fuzz_assert(w->w[i].days && w->w[i].days <= 0x7f);
		fuzz_assert(w->w[i].start < 1440 && w->w[i].end <= 1440);
		force_window_format(&w->w[i], text, sizeof(text));
		fuzz_assert(force_window_parse(text, &again, error, sizeof(error)) == 0);
		fuzz_assert(memcmp(&again, &w->w[i], sizeof(again)) == 0);
	}
}

static void check_config(const struct config *c)
{
	struct policy_settings s;

	fuzz_assert(c->patch_dirs); /* PatchDirectories= empties it */
	for (char **d = c->patch_dirs; *d; d++)
		fuzz_assert((*d)[0] == '/');
	fuzz_assert(c->stall_timeout_usec == c->policy.stall_timeout_usec);
	fuzz_assert(c->policy.on_stall < _ON_STALL_MAX);
	check_windows(&c->policy.force_windows);
	for (size_t i = 0; i < c->n_overrides; i++) {
		check_windows(&c->overrides[i].settings.force_windows);
		fuzz_assert(c->overrides[i].glob && c->overrides[i].glob[0]);
		fuzz_assert(!strchr(c->overrides[i].glob, '-'));
		fuzz_assert(c->overrides[i].settings.on_stall < _ON_STALL_MAX);
	}
	/* The first override that matches wins; the defaults otherwise. */
	if (!config_policy_for(c, "klpt_never_matched_by_anything_0", &s))
		fuzz_assert(memcmp(&s, &c->policy, sizeof(s)) == 0);
	if (c->n_overrides > 0)
		fuzz_assert(config_policy_for(c, c->overrides[0].glob, &s) ||
			    strpbrk(c->overrides[0].glob, "*?[\\"));
}

static int parse(const uint8_t *data, size_t size, struct config *c, char **error)
{
	int r = config_init_defaults(c);

	if (r < 0)
		return r;
	return config_parse_buffer(c, "t.conf", (const char *)data, size, error);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(config_donep) struct config a = {}, b = {};
	_cleanup_free_ char *ea = NULL, *eb = NULL;
	int ra, rb;

	ra = parse(data, size, &a, &ea);
	fuzz_assert(ra == 0 || ra == -EINVAL || ra == -ENOMEM);
	if (ra == -ENOMEM)
		return 0;
	if (ra == 0) {
		fuzz_assert(!ea || !*ea);
		check_config(&a);
	} else {
		fuzz_assert(ea && *ea);
		check_errors(ea, data, size);
	}
	rb = parse(data, size, &b, &eb);
	fuzz_assert(rb == ra);
	fuzz_assert((!ea && !eb) || (ea && eb && strcmp(ea, eb) == 0));
	return 0;
}
