/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel-incident.h"

/* Metrics for Prometheus, in the text exposition format 0.0.4 that
 * node_exporter's textfile collector reads. The counters and their text are
 * pure; metrics_write_file() is the only file I/O. */

/* Bounds of the transition duration histogram's buckets (+Inf comes last). */
#define METRICS_DURATION_BUCKETS 10

enum metrics_transition {
	METRICS_TRANSITION_COMPLETED, /* in the order of enum transition_how */
	METRICS_TRANSITION_REVERTED,
	METRICS_TRANSITION_FORCED,
	_METRICS_TRANSITION_MAX,
};

enum metrics_unload {
	METRICS_UNLOAD_REQUESTED, /* Unload() */
	METRICS_UNLOAD_POLICY,    /* AutoUnload= */
	METRICS_UNLOAD_EXTERNAL,  /* rmmod by someone else; last: klpd tries none */
	_METRICS_UNLOAD_MAX,
};

/* What klpd counted since it started (Prometheus copes with the reset when
 * it restarts). */
struct metrics {
	uint64_t transitions[_METRICS_TRANSITION_MAX];
	/* Transitions by the first bucket they fit in, not cumulative; the
	 * last one is those longer than every bound. */
	uint64_t duration_buckets[METRICS_DURATION_BUCKETS + 1];
	uint64_t duration_sum_usec;
	uint64_t stalls;
	uint64_t unloaded[_METRICS_UNLOAD_MAX];
	/* by the same reasons; "external" never counts: klpd did not try */
	uint64_t unload_failures[_METRICS_UNLOAD_MAX];
	/* Incident reports the kernel logged while klpd followed its log, by
	 * kind, and those of them blamed on a watched patch. */
	uint64_t incidents[_KERNEL_INCIDENT_KIND_MAX];
	uint64_t incidents_blamed[_KERNEL_INCIDENT_KIND_MAX];
};

/* A transition ended, HOW (an enum transition_how), after USEC. */
void metrics_note_transition(struct metrics *m, unsigned how, uint64_t usec);
void metrics_note_stall(struct metrics *m);
/* A module went away; REASON as in the ModuleUnloaded signal. Returns
 * -EINVAL for an unknown reason (nothing counted). */
int metrics_note_unload(struct metrics *m, const char *reason);
/* The kernel refused to remove a module klpd tried to, for REASON
 * ("requested" or "policy"). Returns -EINVAL for another (nothing counted). */
int metrics_note_unload_failure(struct metrics *m, const char *reason);

/* The kernel reported an incident of KIND; BLAMED on a watched patch. */
void metrics_note_incident(struct metrics *m, enum kernel_incident_kind kind, bool blamed);

struct metrics_patch {
	const char *name;
	const char *state; /* the Patch.State value */
};

/* Everything one file shows. */
struct metrics_snapshot {
	const struct metrics *counters;
	const struct metrics_patch *patches;
	size_t n_patches;
	bool reboot_required;
	size_t pinned;
	size_t faulty;             /* modules marked faulty by the health window */
	bool config_refused;       /* klpd.conf was refused when last read */
	const char *config_source; /* the Manager's ConfigurationSource; NULL: "files" */
	const char *version;       /* klpd's; NULL: "" */
	bool up;                   /* false in the file klpd leaves when it stops */
	bool transition_running;
	bool transition_stalled;   /* running past StallTimeout= */
	uint64_t refresh_usec;     /* MetricsRefresh=; USEC_INFINITY: never */
	uint64_t written_at_usec;  /* CLOCK_REALTIME of this text */
};

/* The text of S into *RET (newly allocated, NUL-terminated). Returns 0 or
 * -ENOMEM. */
int metrics_format(const struct metrics_snapshot *s, char **ret);

/* Replace PATH with TEXT atomically: PATH.tmp.XXXXXX in the same directory,
 * mode 0644 whatever the umask, renamed over PATH. With SYNC the data is
 * on disk before the rename. Returns 0 or -errno. */
int metrics_write_file(const char *path, const char *text, bool sync);

/* What the daemon remembers between writes: a file is rewritten only when
 * its text or its name changed, or the last write failed. */
struct metrics_file {
	char *path;     /* MetricsFile= as last written or tried */
	char *text;     /* what the last successful write there wrote */
	int last_errno; /* of the last failure, logged once; 0 after a success */
	uint64_t written_at;      /* CLOCK_REALTIME usec in TEXT */
	uint64_t written_at_mono; /* CLOCK_MONOTONIC usec of that write */
};

void metrics_file_done(struct metrics_file *f);
