/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proc_status_parse() (daemon/caller.c): the lines of /proc/PID/status that
 * decide whether a D-Bus caller may change livepatches. The caller names its
 * own task, so the text around those lines is hostile. Invariants: a parse
 * that succeeds reads the same values back from their canonical form, and
 * the verdict grants nothing to a caller the bus did not see as root.
 * fuzz-sources: daemon/caller.c */
#include <linux/capability.h>

#include "caller.h"
#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_status s, again;
	struct caller_facts f;
	char canon[256];
	char *text = fuzz_strndup(data, size);

	if (proc_status_parse(text, &s) == 0) {
		fuzz_assert(s.has_uid && s.has_cap_eff);
		snprintf(canon, sizeof(canon), "Uid:\t%u\t%u\t%u\t%u\nCapEff:\t%016llx\n",
			 (unsigned)s.uid[0], (unsigned)s.uid[1], (unsigned)s.uid[2],
			 (unsigned)s.uid[3], (unsigned long long)s.cap_eff);
		fuzz_assert(proc_status_parse(canon, &again) == 0);
		fuzz_assert(memcmp(s.uid, again.uid, sizeof(s.uid)) == 0);
		fuzz_assert(s.cap_eff == again.cap_eff);

		f = (struct caller_facts){ .bus_uid = 1000, .status = s, .host_userns = true };
		fuzz_assert(caller_verdict(&f, CAP_SYS_MODULE) != NULL);
		f = (struct caller_facts){ .bus_uid = 0, .status = s, .host_userns = false };
		fuzz_assert(caller_verdict(&f, CAP_SYS_MODULE) != NULL);
		f.host_userns = true;
		if (caller_verdict(&f, CAP_SYS_MODULE) == NULL)
			fuzz_assert(s.uid[1] == 0 && (s.cap_eff & (UINT64_C(1) << CAP_SYS_MODULE)));
	}
	free(text);
	return 0;
}
