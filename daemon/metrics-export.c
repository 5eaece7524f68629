/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "manager.h"
#include "metrics.h"

_Static_assert((int)METRICS_TRANSITION_COMPLETED == (int)TRANSITION_COMPLETED &&
		       (int)METRICS_TRANSITION_REVERTED == (int)TRANSITION_REVERTED &&
		       (int)METRICS_TRANSITION_FORCED == (int)TRANSITION_FORCED,
	       "metrics_note_transition() takes an enum transition_how");

static int snapshot_text(struct manager *m, char **ret)
{
	_cleanup_free_ struct metrics_patch *patches = NULL;
	struct state *s = m->state;
	struct metrics_snapshot snap;

	patches = calloc(s->n_patches + 1, sizeof(*patches));
	if (!patches)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_patches; i++)
		patches[i] = (struct metrics_patch){
			.name = s->patches[i]->name,
			.state = patch_state_to_string(s->patches[i]->state),
		};
	snap = (struct metrics_snapshot){
		.counters = &m->metrics,
		.patches = patches,
		.n_patches = s->n_patches,
		.reboot_required = state_reboot_required(s),
		.pinned = state_count(s, PATCH_STATE_PINNED),
		.config_refused = m->config_errors != NULL,
		.config_source = config_origin_to_string(m->config_origin),
	};
	return metrics_format(&snap, ret);
}

void metrics_export(struct manager *m)
{
	struct metrics_file *f = &m->metrics_file;
	const char *path = m->config.metrics_file;
	_cleanup_free_ char *text = NULL;
	int r;

	if (!path || !path[0]) {
		/* Turned off: a later MetricsFile= writes at once. */
		metrics_file_done(f);
		return;
	}
	r = snapshot_text(m, &text);
	if (r < 0) {
		log_error_errno(r, "Cannot build the metrics");
		return;
	}
	if (!streq_ptr(f->path, path)) {
		/* A new name (reload): written at once, its failures logged anew;
		 * the old file stays as it is. */
		metrics_file_done(f);
		f->path = strdup(path);
	}
	/* Called once per event loop iteration: a burst of changes is one
	 * write, and an iteration that changed nothing writes nothing. */
	if (f->text && streq(f->text, text))
		return;

	/* No fsync: after a crash klpd starts and rewrites it anyway. */
	r = metrics_write_file(path, text, false);
	if (r < 0) {
		/* Tried again at the next event, logged once per errno. */
		if (r != f->last_errno)
			log_warning_errno(r, "Cannot write the metrics file %s", path);
		f->last_errno = r;
		free(f->text);
		f->text = NULL;
		return;
	}
	if (f->last_errno != 0)
		log_info("Metrics file %s written again", path);
	f->last_errno = 0;
	free(f->text);
	f->text = TAKE_PTR(text);
}
