/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The last valid configuration as klpd reads it back from its state
 * directory (daemon/config-snapshot.c): whatever the file holds, it is
 * either refused with a reason or gives a configuration whose values are in
 * range, and that configuration's own files, written again, read back the
 * same. The fallback gives a configuration in every case.
 * fuzz-sources: daemon/config-snapshot.c daemon/conf.c daemon/force-window.c lib/duration.c lib/names.c lib/fileio.c lib/utf8.c
 * fuzz-libs: inih */
#include "config-snapshot.h"
#include "fuzz-util.h"
#include "macro.h"

static void check_config(const struct config *c)
{
	fuzz_assert(c->patch_dirs && c->patch_dirs[0]);
	for (char **d = c->patch_dirs; *d; d++)
		fuzz_assert((*d)[0] == '/');
	fuzz_assert(c->stall_timeout_usec == c->policy.stall_timeout_usec);
	fuzz_assert(c->policy.on_stall < _ON_STALL_MAX);
	for (size_t i = 0; i < c->n_overrides; i++)
		fuzz_assert(c->overrides[i].glob && c->overrides[i].glob[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(config_donep) struct config c = {}, fallback = {};
	_cleanup_free_ char *error = NULL, *why = NULL;
	int r, origin;

	r = config_snapshot_parse((const char *)data, size, &c, &error);
	fuzz_assert(r == 0 || r == -EBADMSG || r == -EINVAL || r == -ENOMEM);
	if (r == 0) {
		fuzz_assert(!error);
		check_config(&c);
	} else if (r != -ENOMEM) {
		fuzz_assert(error && *error);
		fuzz_assert(!c.patch_dirs);
	}

	origin = config_fallback((const char *)data, size, &fallback, &why);
	if (origin == -ENOMEM)
		return 0;
	fuzz_assert(origin == (r == 0 ? CONFIG_ORIGIN_LAST_VALID : CONFIG_ORIGIN_DEFAULTS));
	fuzz_assert((why != NULL) == (r != 0));
	check_config(&fallback);
	if (r == 0) {
		fuzz_assert(fallback.load_at_boot == c.load_at_boot);
		fuzz_assert(fallback.policy.on_stall == c.policy.on_stall);
		fuzz_assert(fallback.stall_timeout_usec == c.stall_timeout_usec);
		fuzz_assert(fallback.n_overrides == c.n_overrides);
	}
	return 0;
}
