/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "bus.h"
#include "duration.h"
#include "health.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "time-util.h"

/* The health window (HealthWindow=, HealthAttribution=, OnKernelWarning=):
 * each patch is watched for a while once applied; an incident the kernel
 * reports in that time and that is blamed on it (health.c) marks it faulty,
 * and may disable it; a window that passes quietly accepts it. What was
 * found is kept in the state directory (health-records.h). */

static void save(struct manager *m)
{
	int r = health_book_save(&m->health, statedir_path());

	if (r < 0)
		log_warning_errno(r, "Cannot write %s/%s; the health window's findings may be lost "
				     "at a restart",
				  statedir_path(), HEALTH_FILE);
}

void manager_health_read(struct manager *m)
{
	int r = health_book_load(&m->health, statedir_path());

	if (r < 0)
		log_warning_errno(r, "Ignoring %s/%s: no module is known faulty or accepted",
				  statedir_path(), HEALTH_FILE);
	kernel_incident_reader_init(&m->incidents);
}

/* The watches whose window is open now, from the book: this boot's, of
 * patches applied now, not ignoring incidents. */
static size_t open_watches(struct manager *m, uint64_t now_real, uint64_t now_mono,
			   struct health_watch *w, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < m->health.n && n < max; i++) {
		const struct health_record *rec = &m->health.records[i];
		struct policy_settings ps;
		struct patch *p;

		if (rec->health != PATCH_HEALTH_WATCHING || !streq(rec->boot_id, m->boot_guard.boot_id))
			continue;
		p = state_find(m->state, rec->name);
		if (!p || p->state != PATCH_STATE_APPLIED)
			continue;
		(void)config_policy_for(&m->config, rec->name, &ps);
		if (ps.on_kernel_warning == ON_KERNEL_WARNING_IGNORE)
			continue;
		w[n++] = (struct health_watch){
			.name = rec->name,
			.start = health_realtime_to_monotonic(rec->since, now_real, now_mono),
			.window = ps.health_window_usec,
			.attribution = ps.health_attribution,
		};
	}
	return n;
}

static void join_lines(const struct kernel_incident *inc, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < inc->n_lines && len + 1 < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s  %s", i ? "\n" : "",
					inc->lines[i]);
}

static void queue_revert(struct manager *m, const char *name)
{
	for (size_t i = 0; i < m->n_health_reverts; i++)
		if (streq(m->health_reverts[i], name))
			return;
	if (m->n_health_reverts == ELEMENTSOF(m->health_reverts)) {
		log_patch(LOG_ERR, name, "revert", KLPD_MID_ACTION,
			  "Cannot disable faulty livepatch '%s': too many waiting", name);
		return;
	}
	snprintf(m->health_reverts[m->n_health_reverts++], KLP_MODULE_NAME_MAX, "%s", name);
}

static void blame(struct manager *m, const struct kernel_incident *inc, const char *name,
		  bool evidence)
{
	const char *kind = kernel_incident_kind_to_string(inc->kind);
	struct health_record rec = { .health = PATCH_HEALTH_FAULTY, .kind = inc->kind };
	struct policy_settings ps;
	char lines[KERNEL_INCIDENT_LINES * (KERNEL_INCIDENT_LINE_MAX + 4)];
	bool revert;

	(void)config_policy_for(&m->config, name, &ps);
	revert = ps.on_kernel_warning == ON_KERNEL_WARNING_REVERT;
	snprintf(rec.name, sizeof(rec.name), "%s", name);
	rec.since = now_realtime();
	if (health_book_set(&m->health, &rec) < 0) {
		log_error_errno(-ENOMEM, "Cannot mark '%s' faulty", name);
		return;
	}
	save(m);
	join_lines(inc, lines, sizeof(lines));
	log_patch(LOG_WARNING, name, revert ? "revert" : "report", KLPD_MID_PATCH_FAULTY,
		  "Kernel incident (%s) blamed on livepatch '%s' in its health window (%s); "
		  "marked faulty, skipped at boot until 'klpctl clear-skip %s'%s. The report "
		  "began:\n%s",
		  kind, name,
		  evidence ? "the report names its code" : "the newest patch, HealthAttribution=window",
		  name, revert ? "; disabling it (OnKernelWarning=revert)" : "", lines);
	bus_emit_kernel_incident(m, name, kind, inc->n_lines ? inc->lines[0] : "");
	bus_manager_changed(m, MANAGER_PROP_SKIPPED_AT_BOOT);
	if (revert)
		queue_revert(m, name);
}

static void on_incident(struct manager *m, const struct kernel_incident *inc, bool live)
{
	struct health_watch w[64];
	bool blamed[ELEMENTSOF(w)];
	uint64_t now = now_monotonic();
	uint64_t at = kmsg_clock_to_monotonic(&m->state->kmsg_clock, inc->usec, now);
	size_t n = open_watches(m, now_realtime(), now, w, ELEMENTSOF(w));
	size_t count = health_blame(w, n, inc, at, blamed);

	log_debug("Kernel incident (%s) at %llu, %zu module(s) named, blamed on %zu patch(es)",
		  kernel_incident_kind_to_string(inc->kind), (unsigned long long)inc->usec,
		  inc->n_modules, count);
	/* The history read at start holds incidents of before: counted only
	 * when blamed, they would count again at every restart otherwise. */
	if (live || count)
		metrics_note_incident(&m->metrics, inc->kind, count > 0);
	if (count == 0 && live)
		bus_emit_kernel_incident(m, "", kernel_incident_kind_to_string(inc->kind),
					 inc->n_lines ? inc->lines[0] : "");
	for (size_t i = 0; i < n; i++)
		if (blamed[i]) {
			char name[KLP_MODULE_NAME_MAX];

			/* blame() changes the book W's names point into */
			snprintf(name, sizeof(name), "%s", w[i].name);
			blame(m, inc, name, kernel_incident_names_module(inc, name));
		}
	manager_changed(m);
}

/* An incident of the history: held until the patches are known. Only the
 * last few: a window is minutes, a log holds days. */
#define HELD_INCIDENTS_MAX 32

static void hold(struct manager *m, const struct kernel_incident *inc)
{
	if (!m->held_incidents) {
		m->held_incidents = calloc(HELD_INCIDENTS_MAX, sizeof(*m->held_incidents));
		if (!m->held_incidents)
			return;
	}
	if (m->n_held_incidents == HELD_INCIDENTS_MAX)
		memmove(m->held_incidents, m->held_incidents + 1,
			--m->n_held_incidents * sizeof(*m->held_incidents));
	m->held_incidents[m->n_held_incidents++] = *inc;
}

static void take(struct manager *m, const struct kernel_incident *inc, bool live)
{
	struct kernel_incident copy = *inc;

	if (live)
		on_incident(m, &copy, true);
	else
		hold(m, &copy);
}

void manager_health_replay(struct manager *m)
{
	for (size_t i = 0; i < m->n_held_incidents; i++)
		on_incident(m, &m->held_incidents[i], false);
	free(m->held_incidents);
	m->held_incidents = NULL;
	m->n_held_incidents = 0;
}

void manager_health_kernel_record(struct manager *m, const struct kmsg_record *rec, bool live)
{
	const struct kernel_incident *inc = kernel_incident_reader_feed(&m->incidents, rec);

	if (inc)
		take(m, inc, live);
	if (kernel_incident_reader_pending(&m->incidents))
		m->incident_open_since = now_monotonic();
	else
		m->incident_open_since = 0;
}

void manager_health_flush(struct manager *m, bool live)
{
	const struct kernel_incident *inc = kernel_incident_reader_flush(&m->incidents);

	m->incident_open_since = 0;
	if (inc)
		take(m, inc, live);
}

/* Disable the patches blamed with OnKernelWarning=revert, each once, when no
 * transition runs. */
static void run_reverts(struct manager *m)
{
	struct action_context ctx = manager_actions(m);

	while (m->n_health_reverts > 0 && !m->state->transition.active) {
		char name[KLP_MODULE_NAME_MAX];
		struct action_result res = {};
		struct patch *p;
		int r;

		snprintf(name, sizeof(name), "%s", m->health_reverts[0]);
		memmove(m->health_reverts[0], m->health_reverts[1],
			--m->n_health_reverts * sizeof(m->health_reverts[0]));
		p = state_find(m->state, name);
		if (!p || !p->in_sysfs || !p->sysfs.enabled)
			continue;
		r = action_disable(&ctx, name, &res);
		if (r < 0)
			log_patch(LOG_ERR, name, "revert", KLPD_MID_ACTION,
				  "Cannot disable faulty livepatch '%s': %s; not retried", name,
				  res.message);
		else {
			log_patch(LOG_NOTICE, name, "revert", KLPD_MID_ACTION,
				  "Disabling faulty livepatch '%s' (OnKernelWarning=revert)", name);
			bus_emit_policy_applied(m, name, "revert", "kernel incident in its health window");
			(void)state_rescan(m->state, now_monotonic());
		}
	}
}

static void start_watches(struct manager *m, uint64_t now_real, bool *changed)
{
	for (size_t i = 0; i < m->state->n_patches; i++) {
		const struct patch *p = m->state->patches[i];
		struct health_record rec = {};
		struct policy_settings ps;

		if (p->state != PATCH_STATE_APPLIED ||
		    health_book_get(&m->health, p->name) != PATCH_HEALTH_NONE)
			continue;
		(void)config_policy_for(&m->config, p->name, &ps);
		snprintf(rec.name, sizeof(rec.name), "%s", p->name);
		rec.since = now_real;
		rec.kind = _KERNEL_INCIDENT_KIND_INVALID;
		/* Without a boot id a window could not tell this boot from the
		 * next: accept at once then, as HealthWindow=0 does. */
		if (ps.health_window_usec == 0 || !m->boot_guard.boot_id[0])
			rec.health = PATCH_HEALTH_ACCEPTED;
		else {
			rec.health = PATCH_HEALTH_WATCHING;
			snprintf(rec.boot_id, sizeof(rec.boot_id), "%s", m->boot_guard.boot_id);
		}
		if (health_book_set(&m->health, &rec) < 0)
			continue;
		*changed = true;
		if (rec.health == PATCH_HEALTH_ACCEPTED)
			log_patch(LOG_INFO, p->name, "accept", KLPD_MID_ACTION,
				  "Livepatch '%s' accepted: no health window", p->name);
		else {
			char d[DURATION_MAX];

			log_patch(LOG_INFO, p->name, "watch", KLPD_MID_ACTION,
				  "Watching livepatch '%s' for kernel incidents for %s", p->name,
				  duration_format_short(d, sizeof(d), ps.health_window_usec));
		}
	}
}

/* Close the windows that passed (accepted) or whose patch is gone. */
static uint64_t close_windows(struct manager *m, uint64_t now_real, uint64_t now, bool *changed)
{
	uint64_t next = USEC_INFINITY;

	for (size_t i = 0; i < m->health.n;) {
		struct health_record *rec = &m->health.records[i];
		struct policy_settings ps;
		struct health_watch w;
		struct patch *p;

		if (rec->health != PATCH_HEALTH_WATCHING) {
			i++;
			continue;
		}
		p = state_find(m->state, rec->name);
		if (!streq(rec->boot_id, m->boot_guard.boot_id) || !p ||
		    p->state != PATCH_STATE_APPLIED) {
			log_debug("Health window of '%s' closed: no longer applied", rec->name);
			health_book_drop(&m->health, rec->name);
			*changed = true;
			continue;
		}
		(void)config_policy_for(&m->config, rec->name, &ps);
		w = (struct health_watch){
			.name = rec->name,
			.start = health_realtime_to_monotonic(rec->since, now_real, now),
			.window = ps.health_window_usec,
		};
		if (now < health_watch_end(&w)) {
			if (health_watch_end(&w) < next)
				next = health_watch_end(&w);
			i++;
			continue;
		}
		rec->health = PATCH_HEALTH_ACCEPTED;
		rec->since = now_real;
		rec->boot_id[0] = '\0';
		*changed = true;
		log_patch(LOG_NOTICE, rec->name, "accept", KLPD_MID_PATCH_ACCEPTED,
			  "Livepatch '%s' accepted: no kernel incident blamed on it in its health "
			  "window",
			  rec->name);
		i++;
	}
	return next;
}

/* The book's verdicts onto the patches, for the bus. */
static void mirror(struct manager *m)
{
	for (size_t i = 0; i < m->state->n_patches; i++) {
		struct patch *p = m->state->patches[i];
		const struct health_record *rec = health_book_find(&m->health, p->name);
		int h = rec ? (int)rec->health : PATCH_HEALTH_NONE;
		uint64_t since = rec ? rec->since : 0;

		if (p->health == h && p->health_since == since)
			continue;
		p->health = h;
		p->health_since = since;
		bus_patch_changed(m, p, PATCH_PROP_HEALTH);
	}
}

uint64_t manager_health_run(struct manager *m, uint64_t now)
{
	uint64_t now_real = now_realtime(), next;
	bool changed = false;

	/* A report's last records came long enough ago: it is over. */
	if (m->incident_open_since &&
	    now >= m->incident_open_since + KERNEL_INCIDENT_QUIET_USEC)
		manager_health_flush(m, true);
	run_reverts(m);
	start_watches(m, now_real, &changed);
	next = close_windows(m, now_real, now, &changed);
	if (changed)
		save(m);
	mirror(m);
	if (m->incident_open_since &&
	    m->incident_open_since + KERNEL_INCIDENT_QUIET_USEC < next)
		next = m->incident_open_since + KERNEL_INCIDENT_QUIET_USEC;
	return next;
}

size_t manager_health_count(const struct manager *m, enum patch_health h)
{
	size_t n = 0;

	for (size_t i = 0; i < m->health.n; i++)
		n += m->health.records[i].health == h;
	return n;
}
