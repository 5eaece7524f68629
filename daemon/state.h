/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmsg-clock.h"
#include "kmsg-record.h"
#include "names.h"
#include "sysfs-livepatch.h"
#include "tasks.h"

/* What is true now: every livepatch module (with or without a live patch),
 * the one transition the kernel may be running, and its blockers. Built only
 * from kernel reads (sysfs-livepatch.c) and kernel events (kmsg records);
 * it decides nothing and acts on nothing. Changes are reported through a
 * struct state_listener so that the D-Bus service can mirror them. */

enum patch_state {
	PATCH_STATE_PATCHING,
	PATCH_STATE_APPLIED,
	PATCH_STATE_UNPATCHING,
	PATCH_STATE_DISABLED, /* patch gone (or going) after a disable; module loaded */
	PATCH_STATE_REPLACED, /* patch gone after an atomic replace; module loaded */
	PATCH_STATE_PINNED,   /* patch gone, module held by a forced transition */
	_PATCH_STATE_MAX,
};

const char *patch_state_to_string(enum patch_state s);

/* Which fields of a patch changed (bus-patch.c names the properties that
 * show each). */
enum {
	PATCH_PROP_STATE = 1u << 0,
	PATCH_PROP_ENABLED = 1u << 1,
	PATCH_PROP_TRANSITION = 1u << 2,
	PATCH_PROP_REPLACE = 1u << 3,
	PATCH_PROP_STACK_ORDER = 1u << 4,
	PATCH_PROP_OBJECTS = 1u << 5,
	PATCH_PROP_REFCOUNT = 1u << 6,
	PATCH_PROP_FORCED = 1u << 7,
	PATCH_PROP_LOADED_AT = 1u << 8,
	PATCH_PROP_SOURCE = 1u << 9,
	PATCH_PROP_BLOCKERS = 1u << 10,
	PATCH_PROP_HEALTH = 1u << 11,
};

/* Which of the manager-wide facts changed (bus-manager.c names the
 * properties that show each). */
enum {
	MANAGER_PROP_STATE = 1u << 0,
	MANAGER_PROP_TRANSITION_PATCH = 1u << 1,
	MANAGER_PROP_REBOOT_REQUIRED = 1u << 2,
	MANAGER_PROP_PINNED_MODULES = 1u << 3,
	MANAGER_PROP_SUPPORTED = 1u << 4,
	MANAGER_PROP_SKIPPED_AT_BOOT = 1u << 5,
};

struct patch {
	char name[KLP_MODULE_NAME_MAX]; /* module name == patch name */

	bool in_sysfs; /* /sys/kernel/livepatch/<name> exists */
	struct livepatch_sysfs sysfs;
	bool loaded; /* /sys/module/<name> exists */
	struct module_sysfs module;

	enum patch_state state;
	bool forced;       /* a forced transition marked it (kernel rules) */
	bool was_disabled; /* seen with enabled=0: a leftover is "disabled", else "replaced" */
	uint64_t loaded_at;      /* CLOCK_REALTIME usec; 0 when unknown */
	uint64_t leftover_since; /* CLOCK_MONOTONIC usec its patch went away; 0 if live */
	char *source;            /* file it was loaded from by klpd; NULL if unknown */

	struct blocker *blockers; /* only the transition's patch has any */
	size_t n_blockers;

	/* Not the kernel's: the health window's verdict, an enum patch_health
	 * (health-records.h) and since when (CLOCK_REALTIME usec), mirrored
	 * here by the manager for the bus. */
	int health;
	uint64_t health_since;
};

enum transition_how {
	TRANSITION_COMPLETED,
	TRANSITION_REVERTED,
	TRANSITION_FORCED,
};

const char *transition_how_to_string(enum transition_how h);

struct transition {
	bool active;
	char patch[KLP_MODULE_NAME_MAX];
	bool target_patched;         /* where the tasks are going now */
	bool initial_target_patched; /* where they were going at the start */
	uint64_t start_usec;         /* CLOCK_MONOTONIC: when klpd could first know */
	uint64_t end_usec;           /* set when it ended */
	/* The kernel log's stamps of its start and end records (0: not seen),
	 * which measure its duration best. */
	uint64_t start_stamp, end_stamp;
	bool forced;
	bool stalled;
	size_t n_blockers_total;
	enum transition_how how; /* once ended */
};

struct state_listener {
	void (*patch_added)(void *userdata, const struct patch *p);
	/* Called while P is still in the state (D-Bus needs its interfaces). */
	void (*patch_removed)(void *userdata, const struct patch *p);
	void (*patch_changed)(void *userdata, const struct patch *p, unsigned props);
	void (*manager_changed)(void *userdata, unsigned props);
	void (*transition_started)(void *userdata, const struct transition *t);
	void (*transition_finished)(void *userdata, const struct transition *t);
	void (*module_unloaded)(void *userdata, const char *module);
};

/* The kernel frees a patch asynchronously: after its sysfs directory is
 * gone, its module reference is dropped shortly after. A leftover whose
 * refcount is still >0 this long after is pinned. */
#define STATE_SETTLE_USEC (2 * USEC_PER_SEC)

/* How often the transition's patch is re-read while kmsg is followed. */
#define TRANSITION_RECHECK_USEC (30 * USEC_PER_SEC)

struct state {
	char *root;
	bool supported;

	struct patch **patches; /* sorted by name */
	size_t n_patches;

	struct kmsg_clock kmsg_clock; /* the kernel log's stamps -> CLOCK_MONOTONIC */
	struct transition transition; /* the running one, if active */
	struct transition last;       /* the last that ended */

	/* A transition that kmsg said has ended may still read transition=1
	 * for a moment (the log line precedes the kernel's bookkeeping). */
	char ended_patch[KLP_MODULE_NAME_MAX];
	uint64_t ended_at;

	/* A start or load time from kmsg for the patch about to be seen. */
	char hint_patch[KLP_MODULE_NAME_MAX];
	uint64_t hint_start_usec;
	uint64_t hint_start_stamp;
	uint64_t hint_loaded_at;

	/* Sources of loads klpd started, until their patch shows up. */
	struct expected_source {
		char name[KLP_MODULE_NAME_MAX];
		char *source;
	} *expected;
	size_t n_expected;

	/* Transition ends come as kmsg records: the transition's patch is
	 * re-read only now and then, in case one was missed. Without kmsg it
	 * is re-read every second. */
	bool follows_kmsg;
	bool unsettled;        /* something will change without an event: re-read soon */
	uint64_t settle_until; /* after a transition: re-read every patch until then */

	const struct state_listener *listener;
	void *userdata;
};

int state_new(const char *root, const struct state_listener *listener, void *userdata,
	      struct state **ret);
struct state *state_free(struct state *s);
static inline void state_freep(struct state **s)
{
	state_free(*s);
}

/* Re-read everything (start, reload, missed events). NOW is CLOCK_MONOTONIC. */
int state_rescan(struct state *s, uint64_t now);

/* Re-read one patch/module (a udev event, a kmsg record naming it). */
int state_refresh(struct state *s, const char *name, uint64_t now);

/* Re-read what may change without an event: the transition's patch and
 * unsettled leftovers. */
int state_refresh_pending(struct state *s, uint64_t now);

/* Apply one kmsg record read as it was logged. RECORD_USEC is its stamp
 * (the kernel log's clock: it also feeds s->kmsg_clock), REALTIME_OFFSET
 * what to add to CLOCK_MONOTONIC for CLOCK_REALTIME. Returns 1 when the
 * record was not understood and the caller must rescan, 0 otherwise,
 * -errno on failure. */
int state_handle_record(struct state *s, const struct livepatch_record *rec, uint64_t record_usec,
			uint64_t realtime_offset, uint64_t now);

/* klpd itself forced the running transition (kmsg will say so too). */
void state_note_forced(struct state *s);

/* A Load by klpd: remember where NAME came from until it shows up. */
int state_expect_source(struct state *s, const char *name, const char *source);

/* Blockers of the running transition: takes ownership of LIST. */
void state_set_blockers(struct state *s, struct blocker *list, size_t n, size_t total);

/* Mark the running transition stalled (the caller decides when). Returns
 * true when it was not stalled before. */
bool state_set_stalled(struct state *s);

/* klpd itself reversed the running transition: its target is now the
 * opposite one, also if it ends before the kernel's record is read. */
void state_transition_reversed(struct state *s);

/* A kernel log record from before klpd started says that PATCH's
 * transition started at USEC (CLOCK_MONOTONIC; STAMP, its record's stamp,
 * or 0): if PATCH is the one in transition at the next rescan, that is its
 * start, not the time of the scan. The last hint wins; a hint dates one
 * transition only. */
void state_hint_transition_start(struct state *s, const char *patch, uint64_t usec,
				 uint64_t stamp);

/* Forget the hints of the history, once the start-up scan has used what it
 * could: a transition the history saw start has ended when that scan does
 * not find it, and a later one of the same patch starts when it is seen. */
void state_hints_clear(struct state *s);

/* How long T took: between its records' stamps when both were seen, else
 * between what klpd saw. */
uint64_t transition_duration(const struct transition *t);

struct patch *state_find(struct state *s, const char *name);

/* "idle", "transition" or "stalled" */
const char *state_manager_state(const struct state *s);
bool state_reboot_required(const struct state *s);
size_t state_count(const struct state *s, enum patch_state st);

/* When something must be re-read without an event (CLOCK_MONOTONIC usec),
 * USEC_INFINITY when nothing is pending. */
uint64_t state_next_wakeup(const struct state *s, uint64_t now);
