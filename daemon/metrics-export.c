/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "manager.h"
#include "metrics.h"
#include "time-util.h"

_Static_assert((int)METRICS_TRANSITION_COMPLETED == (int)TRANSITION_COMPLETED &&
		       (int)METRICS_TRANSITION_REVERTED == (int)TRANSITION_REVERTED &&
		       (int)METRICS_TRANSITION_FORCED == (int)TRANSITION_FORCED,
	       "metrics_note_transition() takes an enum transition_how");

/* The file's text for the state as it is, stamped WRITTEN_AT. */
static int snapshot_text(struct manager *m, uint64_t written_at, bool up, char **ret)
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
		.faulty = manager_health_count(m, PATCH_HEALTH_FAULTY),
		.config_refused = m->config_errors != NULL,
		.config_source = config_origin_to_string(m->config_origin),
		.version = PACKAGE_VERSION,
		.up = up,
		.transition_running = s->transition.active,
		.transition_stalled = s->transition.active && s->transition.stalled,
		.refresh_usec = m->config.metrics_refresh_usec,
		.written_at_usec = written_at,
	};
	return metrics_format(&snap, ret);
}

/* Write the file, stamped now; false when that failed (logged). */
static bool write_now(struct manager *m, const char *path, bool up, uint64_t now)
{
	struct metrics_file *f = &m->metrics_file;
	_cleanup_free_ char *text = NULL;
	uint64_t at = now_realtime();
	int r;

	r = snapshot_text(m, at, up, &text);
	if (r < 0) {
		log_error_errno(r, "Cannot build the metrics");
		return false;
	}
	/* No fsync: after a crash klpd starts and rewrites it anyway. */
	r = metrics_write_file(path, text, false);
	if (r < 0) {
		/* Tried again at the next event, logged once per errno. */
		if (r != f->last_errno)
			log_warning_errno(r, "Cannot write the metrics file %s", path);
		f->last_errno = r;
		free(f->text);
		f->text = NULL;
		return false;
	}
	if (f->last_errno != 0)
		log_info("Metrics file %s written again", path);
	f->last_errno = 0;
	free(f->text);
	f->text = TAKE_PTR(text);
	f->written_at = at;
	f->written_at_mono = now;
	return true;
}

uint64_t metrics_export(struct manager *m, uint64_t now)
{
	struct metrics_file *f = &m->metrics_file;
	const char *path = m->config.metrics_file;
	uint64_t refresh = m->config.metrics_refresh_usec;
	_cleanup_free_ char *text = NULL;
	uint64_t due;

	if (!path || !path[0]) {
		/* Turned off: a later MetricsFile= writes at once. */
		metrics_file_done(f);
		return USEC_INFINITY;
	}
	if (!streq_ptr(f->path, path)) {
		/* A new name (reload): written at once, its failures logged anew;
		 * the old file stays as it is. */
		metrics_file_done(f);
		f->path = strdup(path);
	}
	due = refresh == USEC_INFINITY || !f->text ? USEC_INFINITY : f->written_at_mono + refresh;
	/* Called once per event loop iteration: a burst of changes is one
	 * write, and an iteration that changed nothing writes nothing until
	 * the refresh is due (the stamp tells readers klpd still runs). The
	 * text is compared as it would be with the last write's stamp. */
	if (f->text && now < due && snapshot_text(m, f->written_at, true, &text) >= 0 &&
	    streq(f->text, text))
		return due;
	if (!write_now(m, path, true, now) || refresh == USEC_INFINITY)
		return USEC_INFINITY;
	return now + refresh;
}

void metrics_export_stopped(struct manager *m)
{
	const char *path = m->config.metrics_file;

	if (path && path[0])
		(void)write_now(m, path, false, now_monotonic());
}
