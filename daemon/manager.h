/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "actions.h"
#include "boot-guard.h"
#include "boot-load.h"
#include "config-snapshot.h"
#include "conf.h"
#include "health-records.h"
#include "kernel-incident.h"
#include "metrics.h"
#include "names.h"
#include "policy.h"
#include "state.h"
#include "statedir.h"
#include "tasks.h"

/* klpd: one event loop wiring the kernel's events into the state, the state
 * into the bus, and the bus's requests into actions. */
struct manager {
	sd_event *event;
	sd_bus *bus;
	struct state *state;
	struct config config;
	char *config_file; /* KLPD_CONFIG_FILE unless $KLPD_CONFIG_FILE says otherwise */
	enum config_origin config_origin; /* where CONFIG came from */
	char **config_errors; /* the files' "file:line: ..." when last refused, else NULL */
	struct policy_memory policy;
	/* What the state directory says about leftovers, as last written. */
	struct leftover_record *leftovers;
	size_t n_leftovers;
	char *root; /* "" unless $KLPD_ROOT points at a fake tree */
	struct boot_guard boot_guard; /* the crash-loop guard */
	char kernel_release[65];

	int kmsg_fd;
	sd_event_source *kmsg_source;
	struct udev_monitor *monitor;
	sd_event_source *udev_source;
	sd_event_source *timer;
	sd_event_source *idle_work;
	sd_event_source *bus_retry; /* reconnecting to the system bus */
	uint64_t bus_retry_usec;

	struct load_request *queue;
	uint64_t last_blocker_scan;
	uint64_t last_full_blocker_scan;
	struct tasks_memo blocker_memo; /* of this transition's scans */
	/* The module an action is removing, and why (ACTION_EVENT_UNLOADING) */
	char unloading[KLP_MODULE_NAME_MAX];
	enum unload_origin unloading_origin;
	bool need_rescan;
	char last_status[256];
	/* The health window: what it found, the kernel log's incidents being
	 * read, since when one is open (CLOCK_MONOTONIC, 0: none), and the
	 * faulty patches to disable once no transition runs. */
	struct health_book health;
	struct kernel_incident_reader incidents;
	uint64_t incident_open_since;
	struct kernel_incident *held_incidents; /* of the history, until replayed */
	size_t n_held_incidents;
	char health_reverts[16][KLP_MODULE_NAME_MAX];
	size_t n_health_reverts;
	struct metrics metrics;           /* counted since start */
	struct metrics_file metrics_file; /* MetricsFile= as last written */
};

int manager_new(struct manager **ret);
struct manager *manager_free(struct manager *m);
static inline void manager_freep(struct manager **m)
{
	manager_free(*m);
}

/* Read the configuration at start (manager-config.c). A refused one is
 * logged with every error and replaced by the last valid configuration or
 * the defaults: klpd runs anyway. Returns 0, or -ENOMEM. */
int manager_load_config(struct manager *m);
/* Re-read it (reload). A refused one is logged and kept in CONFIG_ERRORS,
 * the running configuration stays: -EINVAL and *ERROR says why. */
int manager_reload_config(struct manager *m, char **error);
/* "the last valid one", "the built-in defaults" or "the files". */
const char *manager_config_running_on(const struct manager *m);

/* Open the kernel's event sources, scan, connect to the bus. */
int manager_start(struct manager *m);
int manager_run(struct manager *m);

/* Re-read the configuration and the whole state (SIGHUP, Reload()). A bad
 * configuration is refused (-EINVAL, *ERROR says why; ERROR may be NULL)
 * and the running one stays. */
int manager_reload(struct manager *m, char **error);

/* Something changed: rescan if asked, run queued loads, rearm the timer,
 * update STATUS=. Deferred to the end of the current loop iteration. */
void manager_changed(struct manager *m);

/* --- Between the manager's files: each is one of its jobs. */

/* manager-events.c: the state's changes to the journal, the metrics, the
 * bus; STATUS=; what the actions work on, and the manager as their event
 * sink. */
extern const struct state_listener manager_state_listener;
void manager_update_status(struct manager *m);
struct action_context manager_actions(struct manager *m);

/* blocker-scan.c: when the tasks blocking a transition are listed (then,
 * or USEC_INFINITY), and the scan; ALWAYS scans now whatever the schedule. */
uint64_t manager_blocker_scan_due(const struct manager *m);
void manager_scan_blockers(struct manager *m, uint64_t now, bool always);

/* policy-exec.c: run what the policy decides until it has nothing left to
 * do now; returns when to look again. */
uint64_t manager_run_policy(struct manager *m, uint64_t now);

/* leftovers.c: when each leftover module became one, kept in the state
 * directory so that UnloadDelay survives a restart. */
void manager_sync_leftovers(struct manager *m, uint64_t now);

/* load-at-boot.c: LoadAtBoot=yes, the modules of each patch directory
 * through Load's checks and queue. Only at start, never on reload. */
void manager_load_at_boot(struct manager *m);

/* health-watch.c: the health window. Read the state directory's findings
 * (at start); feed one kernel record (LIVE: read as it was logged, not the
 * history read at start); finish the report being read; and, from each
 * pass, open, close and act on the windows: returns when to look again. */
void manager_health_read(struct manager *m);
void manager_health_kernel_record(struct manager *m, const struct kmsg_record *rec, bool live);
void manager_health_flush(struct manager *m, bool live);
/* The history's incidents, held until the state was first read. */
void manager_health_replay(struct manager *m);
uint64_t manager_health_run(struct manager *m, uint64_t now);
size_t manager_health_count(const struct manager *m, enum patch_health h);

/* metrics-export.c: write MetricsFile= if what it shows changed, or its
 * MetricsRefresh= is due; returns when the next refresh is due
 * (CLOCK_MONOTONIC usec, USEC_INFINITY for none). When klpd stops, the file
 * is written once more with klpd_up 0. */
uint64_t metrics_export(struct manager *m, uint64_t now);
void metrics_export_stopped(struct manager *m);

