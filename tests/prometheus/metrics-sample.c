/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/prometheus/metrics-sample: print the metrics text of a snapshot in
 * which every counter and gauge has a value, for `promtool check metrics`
 * (tests/prometheus/check-rules.sh): it lints names, types, HELP lines and
 * the format as Prometheus reads them. */
#include <stdio.h>
#include <stdlib.h>

#include "macro.h"
#include "metrics.h"

int main(void)
{
	static const struct metrics_patch patches[] = {
		{ "cve_2026_1234", "applied" },
		{ "odd\"name\\", "disabled" }, /* label escapes */
	};
	struct metrics c = {};
	struct metrics_snapshot s = {
		.counters = &c,
		.patches = patches,
		.n_patches = ELEMENTSOF(patches),
		.reboot_required = true,
		.pinned = 1,
		.config_refused = true,
		.config_source = "last-valid",
		.version = "0.1.0",
		.up = true,
		.transition_running = true,
		.transition_stalled = true,
		.refresh_usec = 60 * USEC_PER_SEC,
		.written_at_usec = 1764000000 * USEC_PER_SEC,
	};
	_cleanup_free_ char *text = NULL;

	metrics_note_transition(&c, METRICS_TRANSITION_COMPLETED, 2 * USEC_PER_SEC);
	metrics_note_transition(&c, METRICS_TRANSITION_FORCED, 400 * USEC_PER_SEC);
	metrics_note_stall(&c);
	if (metrics_note_unload(&c, "policy") < 0 || metrics_note_unload_failure(&c, "policy") < 0 ||
	    metrics_format(&s, &text) < 0)
		return EXIT_FAILURE;
	fputs(text, stdout);
	return EXIT_SUCCESS;
}
