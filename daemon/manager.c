/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <libudev.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "actions.h"
#include "bus.h"
#include "duration.h"
#include "fileio.h"
#include "kmsg.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "tasks.h"
#include "time-util.h"
#include "udev-monitor.h"

/* Blockers are listed once a transition is older than this, then re-read
 * after as long as the transition was old at the previous scan, within these
 * bounds: a scan reads every thread's patch_state (costly with thousands of
 * threads) and the blockers of a long stall rarely change. */
#define BLOCKER_THRESHOLD_USEC (3 * USEC_PER_SEC)
#define BLOCKER_INTERVAL_MIN_USEC (2 * USEC_PER_SEC)
#define BLOCKER_INTERVAL_MAX_USEC (60 * USEC_PER_SEC)
/* A PID reused by a new process could hide a blocker from a partial scan. */
#define BLOCKER_FULL_SCAN_USEC (10 * 60 * USEC_PER_SEC)
#define BLOCKERS_MAX 64

/* --- state -> log + bus */

static void on_patch_added(void *u, const struct patch *p)
{
	struct manager *m = u;

	log_patch(LOG_INFO, p->name, NULL, NULL, "Livepatch module '%s' found (%s, refcount %d)",
		  p->name, patch_state_to_string(p->state), p->module.refcnt);
	bus_patch_added(m, p);
}

static void on_patch_removed(void *u, const struct patch *p)
{
	bus_patch_removed(u, p);
}

static void on_patch_changed(void *u, const struct patch *p, unsigned props)
{
	struct manager *m = u;

	if (props & PATCH_PROP_STATE) {
		if (p->state == PATCH_STATE_PINNED)
			log_patch(LOG_WARNING, p->name, NULL, KLPD_MID_MODULE_PINNED,
				  "Module '%s' is pinned by a forced transition: it cannot be "
				  "unloaded until reboot",
				  p->name);
		else
			log_patch(LOG_INFO, p->name, NULL, NULL, "Patch '%s' is now %s", p->name,
				  patch_state_to_string(p->state));
	}
	bus_patch_changed(m, p, props);
}

static void on_manager_changed(void *u, unsigned props)
{
	bus_manager_changed(u, props);
}

static void on_transition_started(void *u, const struct transition *t)
{
	struct manager *m = u;
	const char *target = t->target_patched ? "patched" : "unpatched";

	log_patch(LOG_NOTICE, t->patch, "transition", KLPD_MID_TRANSITION_STARTED,
		  "Transition of '%s' to %s started", t->patch, target);
	m->last_blocker_scan = 0;
	tasks_memo_clear(&m->blocker_memo);
	bus_emit_transition_started(m, t);
}

static void on_transition_finished(void *u, const struct transition *t)
{
	struct manager *m = u;
	char d[DURATION_MAX];

	/* The signal first: clients wait for it, and the journal entry
	 * wakes journald, which would compete with them for the CPUs. */
	bus_emit_transition_finished(m, t);
	log_patch(LOG_NOTICE, t->patch, transition_how_to_string(t->how),
		  KLPD_MID_TRANSITION_FINISHED, "Transition of '%s' to %s %s after %s", t->patch,
		  t->target_patched ? "patched" : "unpatched", transition_how_to_string(t->how),
		  duration_format_short(d, sizeof(d), transition_duration(t)));
	metrics_note_transition(&m->metrics, t->how, transition_duration(t));
}

static void on_module_unloaded(void *u, const char *module)
{
	struct manager *m = u;
	const char *reason = !streq(m->unloading, module)		    ? "external"
			     : m->unloading_origin == UNLOAD_BY_POLICY ? "policy"
								       : "requested";

	log_patch(LOG_NOTICE, module, "unload",
		  streq(reason, "policy") ? KLPD_MID_MODULE_AUTO_UNLOADED : KLPD_MID_MODULE_UNLOADED,
		  "Module '%s' unloaded (%s)", module, reason);
	(void)metrics_note_unload(&m->metrics, reason);
	bus_emit_module_unloaded(m, module, reason);
}

static const struct state_listener listener = {
	.patch_added = on_patch_added,
	.patch_removed = on_patch_removed,
	.patch_changed = on_patch_changed,
	.manager_changed = on_manager_changed,
	.transition_started = on_transition_started,
	.transition_finished = on_transition_finished,
	.module_unloaded = on_module_unloaded,
};

/* --- STATUS= */

static void update_status(struct manager *m)
{
	const struct transition *t = &m->state->transition;
	size_t applied = state_count(m->state, PATCH_STATE_APPLIED);
	size_t pinned = state_count(m->state, PATCH_STATE_PINNED);
	char status[256], since[16], extra[64] = "", refused[96] = "";
	size_t queued = 0;

	for (struct load_request *q = m->queue; q; q = q->next)
		queued++;
	if (pinned)
		snprintf(extra, sizeof(extra), ", %zu pinned (reboot required)", pinned);
	if (queued)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), ", %zu queued",
			 queued);

	/* First, so that it shows in `systemctl status` however long the rest. */
	if (m->config_errors)
		snprintf(refused, sizeof(refused),
			 "Configuration refused, running on %s (see journalctl -u klpd); ",
			 manager_config_running_on(m));

	if (!m->state->supported)
		snprintf(status, sizeof(status), "%sno livepatch support in this kernel", refused);
	else if (t->active) {
		/* The start as a time of day, not an age: STATUS= changes (and
		 * wakes PID 1) only when something happens. */
		uint64_t age = now_monotonic() > t->start_usec ? now_monotonic() - t->start_usec : 0;
		time_t start = (time_t)((now_realtime() - age) / USEC_PER_SEC);
		struct tm tm;

		if (!localtime_r(&start, &tm) || !strftime(since, sizeof(since), "%H:%M:%S", &tm))
			snprintf(since, sizeof(since), "?");
		snprintf(status, sizeof(status), "%s%zu applied, '%s' %s to %s since %s%s", refused,
			 applied, t->patch, t->stalled ? "stalled" : "in transition",
			 t->target_patched ? "patched" : "unpatched", since, extra);
	}
	else
		snprintf(status, sizeof(status), "%sidle, %zu applied%s", refused, applied, extra);

	if (streq(status, m->last_status))
		return;
	snprintf(m->last_status, sizeof(m->last_status), "%s", status);
	(void)sd_notifyf(false, "STATUS=%s", status);
}

/* --- timers: only while something is pending */

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata);

static void rearm(struct manager *m, uint64_t policy_next)
{
	uint64_t now = now_monotonic();
	uint64_t next = state_next_wakeup(m->state, now);
	int r;

	if (policy_next < next)
		next = policy_next > now ? policy_next : now;

	if (next == USEC_INFINITY) {
		if (m->timer)
			(void)sd_event_source_set_enabled(m->timer, SD_EVENT_OFF);
		return;
	}
	if (!m->timer) {
		r = sd_event_add_time(m->event, &m->timer, CLOCK_MONOTONIC, next, 10 * USEC_PER_MSEC,
				      on_timer, m);
		if (r < 0)
			log_error_errno(r, "Cannot add a timer");
		return;
	}
	(void)sd_event_source_set_time(m->timer, next);
	(void)sd_event_source_set_enabled(m->timer, SD_EVENT_ONESHOT);
}

/* When the next blocker scan is due: BLOCKER_THRESHOLD into the transition,
 * then after as long as the transition was old at the last scan, between
 * BLOCKER_INTERVAL_MIN and _MAX. USEC_INFINITY without a transition. */
static uint64_t blocker_scan_due(const struct manager *m)
{
	const struct transition *t = &m->state->transition;
	uint64_t interval, due;

	if (!t->active)
		return USEC_INFINITY;
	interval = m->last_blocker_scan > t->start_usec ? m->last_blocker_scan - t->start_usec : 0;
	if (interval < BLOCKER_INTERVAL_MIN_USEC)
		interval = BLOCKER_INTERVAL_MIN_USEC;
	if (interval > BLOCKER_INTERVAL_MAX_USEC)
		interval = BLOCKER_INTERVAL_MAX_USEC;
	due = t->start_usec + BLOCKER_THRESHOLD_USEC;
	if (m->last_blocker_scan + interval > due)
		due = m->last_blocker_scan + interval;
	return due;
}

/* ALWAYS: now, whatever the threshold and the interval (a stall is being
 * declared, and its signal carries the blockers). A scan reads only the
 * processes that blocked last time or are new (see tasks_memo), and every
 * thread again every BLOCKER_FULL_SCAN_USEC. */
static void scan_blockers(struct manager *m, uint64_t now, bool always)
{
	const struct transition *t = &m->state->transition;
	struct blocker *list = NULL;
	size_t n = 0, total = 0;
	int r;

	if (!t->active || (!always && now < blocker_scan_due(m)))
		return;
	if (now >= m->last_full_blocker_scan + BLOCKER_FULL_SCAN_USEC)
		tasks_memo_clear(&m->blocker_memo);
	if (m->blocker_memo.target < 0)
		m->last_full_blocker_scan = now;
	m->last_blocker_scan = now;
	r = tasks_scan_blockers(m->root, t->target_patched, &m->blocker_memo, BLOCKERS_MAX, &list,
				&n, &total);
	if (r < 0) {
		log_warning_errno(r, "Cannot scan the tasks blocking '%s'", t->patch);
		return;
	}
	state_set_blockers(m->state, list, n, total);
}

/* --- policy: its decisions executed, logged with their reason, signalled */

static void policy_applied(struct manager *m, const struct policy_action *a, int prio,
			   const char *fmt, ...) _printf_(4, 5);
static void policy_applied(struct manager *m, const struct policy_action *a, int prio,
			   const char *fmt, ...)
{
	const char *action = policy_action_to_string(a->kind);
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_patch(prio, a->patch, action, KLPD_MID_ACTION, "Policy: %s: %s", what, a->reason);
	bus_emit_policy_applied(m, a->patch, action, a->reason);
}

static void execute(struct manager *m, const struct policy_action *a, uint64_t now)
{
	const struct transition *t = &m->state->transition;
	struct action_context ctx = manager_actions(m);
	struct action_result res = {};
	char d[DURATION_MAX];
	int r;

	switch (a->kind) {
	case POLICY_ACTION_STALL:
		/* The signal carries the blockers as they are now, also when
		 * StallTimeout is shorter than the blocker threshold. */
		scan_blockers(m, now, true);
		if (state_set_stalled(m->state)) {
			log_patch(LOG_WARNING, t->patch, "stall", KLPD_MID_TRANSITION_STALLED,
				  "Transition of '%s' stalled: %zu tasks still %s after %s; %s",
				  t->patch, t->n_blockers_total,
				  t->target_patched ? "unpatched" : "patched",
				  duration_format_short(d, sizeof(d), now - t->start_usec), a->reason);
			metrics_note_stall(&m->metrics);
			bus_emit_transition_stalled(m);
		}
		break;
	case POLICY_ACTION_WAIT:
		policy_applied(m, a, LOG_NOTICE, "leaving the stalled transition of '%s' alone",
			       a->patch);
		break;
	case POLICY_ACTION_REVERT:
		r = action_revert(&ctx, a->patch, &res);
		if (r < 0)
			log_patch(LOG_ERR, a->patch, "revert", KLPD_MID_ACTION,
				  "Policy: reverting '%s' failed, not retried: %s", a->patch,
				  res.message);
		else
			policy_applied(m, a, LOG_NOTICE, "reverted the transition of '%s'",
				       a->patch);
		break;
	case POLICY_ACTION_FORCE:
		r = action_force(&ctx, a->patch, &res);
		if (r < 0)
			log_patch(LOG_ERR, a->patch, "force", KLPD_MID_ACTION,
				  "Policy: forcing '%s' failed, not retried: %s", a->patch,
				  res.message);
		else
			policy_applied(m, a, LOG_WARNING, "forced the transition of '%s'", a->patch);
		break;
	case POLICY_ACTION_UNLOAD:
		r = action_unload(&ctx, a->patch, UNLOAD_BY_POLICY, &res);
		if (r >= 0)
			policy_applied(m, a, LOG_NOTICE, "unloaded module '%s'", a->patch);
		else if (res.error == ACTION_ERROR_NO_SUCH_PATCH)
			/* someone was quicker: that is what UnloadDelay is for */
			log_patch(LOG_INFO, a->patch, "unload", KLPD_MID_ACTION,
				  "Policy: module '%s' is already gone", a->patch);
		else
			log_patch(LOG_WARNING, a->patch, "unload", KLPD_MID_ACTION,
				  "Policy: unloading '%s' failed, not retried: %s", a->patch,
				  res.message);
		break;
	case _POLICY_ACTION_MAX:
		break;
	}
	if (policy_note(&m->policy, m->state, a, now) < 0)
		log_error_errno(-ENOMEM, "Cannot remember the policy's action");
}

/* Run the policy until it has nothing left to do now; returns when to look
 * again. An action changes the state (a revert, an unload), so the policy
 * looks again at once; each action is done at most once, so this ends. */
static uint64_t run_policy(struct manager *m, uint64_t now)
{
	for (int round = 0; round < 8; round++) {
		struct policy_result res;
		uint64_t next;
		int r;

		r = policy_evaluate(m->state, &m->config, &m->policy, now, &res);
		if (r < 0) {
			log_error_errno(r, "Evaluating the policy failed");
			return now + USEC_PER_SEC;
		}
		for (size_t i = 0; i < res.n_actions; i++)
			execute(m, &res.actions[i], now);
		next = res.next_usec;
		if (res.n_actions == 0) {
			policy_result_done(&res);
			return next;
		}
		policy_result_done(&res);
	}
	return now + USEC_PER_SEC;
}

/* --- unload deadlines in the state directory */

static bool is_leftover(const struct patch *p)
{
	return p->loaded && !p->in_sysfs &&
	       (p->state == PATCH_STATE_DISABLED || p->state == PATCH_STATE_REPLACED);
}

static bool keep_module(const char *module, void *userdata)
{
	struct manager *m = userdata;
	const struct patch *p = state_find(m->state, module);

	return p && is_leftover(p);
}

static const struct leftover_record *find_leftover(const struct leftover_record *l, size_t n,
						   const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (streq(l[i].name, name))
			return &l[i];
	return NULL;
}

/* Record when each leftover became one, keep the policy's view of it in
 * step, and rewrite the file when the set changed. */
static void sync_leftovers(struct manager *m, uint64_t now)
{
	uint64_t real = now_realtime();
	_cleanup_free_ struct leftover_record *l = NULL;
	size_t n = 0;
	bool changed;
	int r;

	l = calloc(m->state->n_patches + 1, sizeof(*l));
	if (!l)
		return;
	for (size_t i = 0; i < m->state->n_patches; i++) {
		const struct patch *p = m->state->patches[i];
		const struct leftover_record *old;
		struct policy_module_memory *mm;
		uint64_t ago;

		if (!is_leftover(p))
			continue;
		l[n] = (struct leftover_record){};
		snprintf(l[n].name, sizeof(l[n].name), "%s", p->name);
		old = find_leftover(m->leftovers, m->n_leftovers, p->name);
		ago = now > p->leftover_since ? now - p->leftover_since : 0;
		/* The persisted time wins: it survived a restart of klpd. A
		 * time from before this boot is about an earlier load. */
		l[n].since = real - ago;
		if (old && old->since <= real && real - old->since < now)
			l[n].since = old->since;
		ago = real > l[n].since ? real - l[n].since : 0;
		mm = policy_memory_module(&m->policy, p->name);
		if (mm)
			mm->leftover_since = now - ago;
		n++;
	}
	policy_memory_prune(&m->policy, keep_module, m);

	changed = n != m->n_leftovers;
	for (size_t i = 0; !changed && i < n; i++) {
		const struct leftover_record *old = find_leftover(m->leftovers, m->n_leftovers,
								  l[i].name);
		changed = !old || old->since != l[i].since;
	}
	if (!changed)
		return;
	r = leftovers_save(statedir_path(), l, n);
	if (r < 0)
		log_warning_errno(r, "Cannot write %s/%s; unload delays restart with klpd",
				  statedir_path(), LEFTOVERS_FILE);
	free(m->leftovers);
	m->leftovers = TAKE_PTR(l);
	m->n_leftovers = n;
}

/* --- the manager as the actions' event sink */

static void on_action_event(void *u, const struct action_event *ev)
{
	struct manager *m = u;

	switch (ev->kind) {
	case ACTION_EVENT_SKIP_CLEARED:
		bus_manager_changed(m, MANAGER_PROP_SKIPPED_AT_BOOT);
		break;
	case ACTION_EVENT_LOAD_FAILED:
		bus_emit_load_failed(m, ev->name, ev->source, ev->message);
		break;
	case ACTION_EVENT_FORCED:
		metrics_note_forced(&m->metrics);
		break;
	case ACTION_EVENT_UNLOADING:
		/* for on_module_unloaded(), which the state calls in between */
		snprintf(m->unloading, sizeof(m->unloading), "%s", ev->name);
		m->unloading_origin = ev->origin;
		break;
	case ACTION_EVENT_UNLOAD_OVER:
		m->unloading[0] = '\0';
		break;
	case ACTION_EVENT_RESCAN_NEEDED:
		m->need_rescan = true;
		break;
	}
}

struct action_context manager_actions(struct manager *m)
{
	return (struct action_context){
		.state = m->state,
		.config = &m->config,
		.root = m->root,
		.kernel_release = m->kernel_release,
		.queue = &m->queue,
		.guard = &m->boot_guard,
		.on_event = on_action_event,
		.userdata = m,
	};
}

static int ko_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 3 && streq(d->d_name + n - 3, ".ko");
}

static int lexical(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void load_at_boot_file(struct manager *m, const char *path, bool top_level)
{
	struct action_context ctx = manager_actions(m);
	struct action_result res = {};
	char name[KLP_MODULE_NAME_MAX] = "";
	const struct boot_record *rec;
	bool queued;
	int r;

	r = action_load(&ctx, path, 0, BOOT_LOAD_REASON, name, &queued, &res);
	if (r >= 0) {
		/* The insert started a transition: the next load waits for it. */
		if (!queued)
			(void)state_rescan(m->state, now_monotonic());
		return;
	}
	if (r == -EEXIST)
		log_patch(LOG_INFO, name, "load", KLPD_MID_ACTION,
			  "Not loading %s at boot (reason: %s): %s", path, BOOT_LOAD_REASON,
			  res.message);
	else if (r == -ENOEXEC && top_level)
		/* The top of a patch directory may hold patches for other
		 * kernels too: only this kernel's are for this boot. */
		log_info("Not loading %s at boot: %s", path, res.message);
	else if (r == -ECANCELED) {
		rec = boot_guard_find(&m->boot_guard, name);
		log_patch(LOG_WARNING, name, "skip", KLPD_MID_BOOT_LOAD_SKIPPED,
			  "Skipping %s at boot (reason: crash-loop guard): the machine went down "
			  "while loading '%s' at boot %s; 'klpctl load %s' loads it, "
			  "'klpctl clear-skip %s' lets the next boot load it",
			  path, name, rec ? rec->boot_id : "?", name, name);
	} else
		log_full(LOG_ERR, 0, NULL, "load", KLPD_MID_ACTION,
			 "Boot-time load of %s failed (reason: %s): %s", path, BOOT_LOAD_REASON,
			 res.message);
}

static int scan_ko(const char *dir, struct dirent ***ret)
{
	int n = scandir(dir, ret, ko_filter, lexical);

	if (n < 0) {
		*ret = NULL;
		if (errno != ENOENT)
			log_warning_errno(-errno, "Cannot read %s for boot-time loading", dir);
		return 0;
	}
	return n;
}

/* The files of one patch directory, <dir>/<release>/ and <dir>/ merged in
 * lexical order of their file names; a name in both is loaded from the
 * release's directory, as Load resolves a name. */
static void load_at_boot_dir(struct manager *m, const char *top)
{
	_cleanup_free_ char *sub = NULL;
	struct dirent **a = NULL, **b = NULL;
	int na, nb, i = 0, j = 0;

	if (asprintf(&sub, "%s/%s", top, m->kernel_release) < 0) {
		log_error_errno(-ENOMEM, "Cannot load at boot");
		return;
	}
	na = scan_ko(sub, &a);
	nb = scan_ko(top, &b);
	while (i < na || j < nb) {
		_cleanup_free_ char *path = NULL;
		int c = i >= na ? 1 : j >= nb ? -1 : strcmp(a[i]->d_name, b[j]->d_name);
		bool top_level = c > 0;

		if (asprintf(&path, "%s/%s", top_level ? top : sub,
			     top_level ? b[j]->d_name : a[i]->d_name) < 0) {
			log_error_errno(-ENOMEM, "Cannot load at boot");
			break;
		}
		load_at_boot_file(m, path, top_level);
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	free_dirents(a, na);
	free_dirents(b, nb);
}

/* LoadAtBoot=yes: the modules of each patch directory (see above), through
 * Load's checks and queue. Only at start, never on reload. */
static void load_at_boot(struct manager *m)
{
	_cleanup_free_ char *cmdline = NULL;
	int r;

	if (!m->config.load_at_boot)
		return;
	if (!m->state->supported) {
		log_info("No boot-time loading: this kernel has no livepatch support");
		return;
	}
	r = boot_read_cmdline(m->root, &cmdline);
	if (r < 0)
		log_warning_errno(r, "Cannot read %s/proc/cmdline; loading at boot anyway", m->root);
	else if (boot_load_disabled_by_cmdline(cmdline)) {
		log_full(LOG_NOTICE, 0, NULL, "skip", KLPD_MID_ACTION,
			 "Boot-time loading disabled by klpd.load=0 on the kernel command line");
		return;
	}
	for (char **d = m->config.patch_dirs; d && *d; d++)
		load_at_boot_dir(m, *d);
}

static int process(struct manager *m)
{
	struct action_context ctx;
	uint64_t now = now_monotonic();
	uint64_t next, scan_due;
	int r;

	if (m->need_rescan) {
		m->need_rescan = false;
		r = state_rescan(m->state, now);
		if (r < 0)
			log_warning_errno(r, "Rescanning the kernel's livepatch state failed");
	}
	boot_guard_settle(&m->boot_guard, m->state);
	ctx = manager_actions(m);
	actions_run_queue(&ctx);
	scan_blockers(m, now, false);
	sync_leftovers(m, now);
	next = run_policy(m, now);
	scan_due = blocker_scan_due(m);
	rearm(m, scan_due < next ? scan_due : next);
	update_status(m);
	metrics_export(m);
	return 0;
}

static int on_idle_work(sd_event_source *s, void *userdata)
{
	return process(userdata);
}

void manager_changed(struct manager *m)
{
	/* Once per loop iteration, after every event of it was handled. */
	if (m->idle_work) {
		(void)sd_event_source_set_enabled(m->idle_work, SD_EVENT_ONESHOT);
		return;
	}
	if (sd_event_add_defer(m->event, &m->idle_work, on_idle_work, m) < 0)
		(void)process(m);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;
	int r;

	r = state_refresh_pending(m->state, now_monotonic());
	if (r < 0)
		log_warning_errno(r, "Re-reading the livepatch state failed");
	manager_changed(m);
	return 0;
}

/* --- kernel events */

static int on_record(const struct livepatch_record *rec, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;
	uint64_t offset = now_realtime() - now_monotonic();
	int r;

	log_debug("kmsg: %s %s", livepatch_event_to_string(rec->event), rec->patch);
	r = state_handle_record(m->state, rec, usec, offset, now_monotonic());
	if (r < 0)
		log_warning_errno(r, "Updating the state from a kernel log record failed");
	return r > 0 ? 1 : 0;
}

/* What the kernel log still holds from before klpd started. */
struct history {
	struct state *state;
	struct history_load {
		char patch[KLP_MODULE_NAME_MAX];
		uint64_t usec;
	} *loads; /* "enabling patch" records, the last one of each patch */
	size_t n_loads;
};

static int on_history_record(const struct livepatch_record *r, uint64_t usec, void *userdata)
{
	struct history *h = userdata;
	struct history_load *l;
	size_t i;

	if (r->event == LIVEPATCH_EVENT_PATCHING_STARTED ||
	    r->event == LIVEPATCH_EVENT_UNPATCHING_STARTED)
		state_hint_transition_start(h->state, r->patch,
					    kmsg_clock_to_monotonic(&h->state->kmsg_clock, usec,
								    now_monotonic()),
					    usec);
	if (r->event != LIVEPATCH_EVENT_ENABLING)
		return 0;
	for (i = 0; i < h->n_loads && !streq(h->loads[i].patch, r->patch); i++)
		;
	if (i == h->n_loads) {
		l = realloc(h->loads, (h->n_loads + 1) * sizeof(*l));
		if (!l)
			return 0; /* only LoadedAt stays unknown */
		h->loads = l;
		h->n_loads++;
		snprintf(l[i].patch, sizeof(l[i].patch), "%s", r->patch);
	}
	h->loads[i].usec = usec;
	return 0;
}

static void history_done(struct history *h)
{
	free(h->loads);
}

/* LoadedAt of the patches found at start, from their "enabling" records. */
static void history_apply_loads(struct manager *m, const struct history *h)
{
	uint64_t offset = now_realtime() - now_monotonic();

	for (size_t i = 0; i < h->n_loads; i++) {
		struct patch *p = state_find(m->state, h->loads[i].patch);

		if (p && p->loaded_at == 0)
			p->loaded_at = kmsg_clock_to_monotonic(&m->state->kmsg_clock, h->loads[i].usec,
							       now_monotonic()) +
				       offset;
	}
}

static int on_kmsg(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct manager *m = userdata;
	int r;

	r = kmsg_drain(fd, on_record, m);
	if (r < 0) {
		log_error_errno(r, "Reading /dev/kmsg failed; following sysfs only");
		m->kmsg_source = sd_event_source_unref(m->kmsg_source);
		m->state->follows_kmsg = false;
		m->need_rescan = true;
	} else if (r == KMSG_LOST) {
		log_notice("Kernel log records were lost (the ring buffer wrapped before klpd read "
			   "them): rescanning");
		m->need_rescan = true;
	} else if (r > 0) {
		log_info("A kernel log record was not understood: rescanning");
		m->need_rescan = true;
	}
	manager_changed(m);
	return 0;
}

static int on_udev(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct manager *m = userdata;
	char name[256], action[32];

	while (module_monitor_receive(m->monitor, name, sizeof(name), action, sizeof(action)) >= 0) {
		int r;

		if (!module_name_valid(name))
			continue;
		r = state_refresh(m->state, name, now_monotonic());
		if (r < 0)
			log_warning_errno(r, "Reading module '%s' after '%s' failed", name, action);
	}
	manager_changed(m);
	return 0;
}

/* --- lifecycle */

int manager_new(struct manager **ret)
{
	_cleanup_(manager_freep) struct manager *m = NULL;
	struct utsname u;
	const char *root;
	int r;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->kmsg_fd = -1;
	m->blocker_memo = (struct tasks_memo)TASKS_MEMO_INIT;
	root = getenv("KLPD_ROOT");
	m->root = strdup(root ? root : "");
	if (!m->root)
		return -ENOMEM;
	if (uname(&u) == 0)
		snprintf(m->kernel_release, sizeof(m->kernel_release), "%s", u.release);

	m->config_file = strdup(getenv("KLPD_CONFIG_FILE") ?: KLPD_CONFIG_FILE);
	if (!m->config_file)
		return -ENOMEM;
	r = config_init_defaults(&m->config);
	if (r < 0)
		return r;
	r = state_new(m->root, &listener, m, &m->state);
	if (r < 0)
		return r;
	r = sd_event_default(&m->event);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(m);
	return 0;
}

struct manager *manager_free(struct manager *m)
{
	if (!m)
		return NULL;
	sd_event_source_unref(m->kmsg_source);
	sd_event_source_unref(m->udev_source);
	sd_event_source_unref(m->timer);
	sd_event_source_unref(m->idle_work);
	sd_event_source_unref(m->bus_retry);
	if (m->kmsg_fd >= 0)
		close(m->kmsg_fd);
	if (m->monitor)
		udev_monitor_unref(m->monitor);
	load_queue_free(m->queue);
	tasks_memo_clear(&m->blocker_memo);
	sd_bus_flush_close_unref(m->bus);
	/* The state last: the bus callbacks above may still look at it. */
	state_free(m->state);
	config_done(&m->config);
	free(m->config_file);
	strv_free(m->config_errors);
	policy_memory_done(&m->policy);
	free(m->leftovers);
	boot_guard_done(&m->boot_guard);
	metrics_file_done(&m->metrics_file);
	sd_event_unref(m->event);
	free(m->root);
	free(m);
	return NULL;
}

int manager_start(struct manager *m)
{
	_cleanup_(history_done) struct history history = { .state = m->state };
	struct action_context ctx;
	int r;

	/* Subscribe first, then scan: nothing that happens in between is lost. */
	r = module_monitor_new(&m->monitor);
	if (r < 0)
		return log_error_errno(r, "Cannot listen to module uevents");
	r = sd_event_add_io(m->event, &m->udev_source, udev_monitor_get_fd(m->monitor), EPOLLIN,
			    on_udev, m);
	if (r < 0)
		return log_error_errno(r, "Cannot watch module uevents");

	/* Until a record is read as it is logged, the kernel log's clock is
	 * taken to be CLOCK_MONOTONIC_RAW: like local_clock(), it is not
	 * slewed by NTP (kmsg-clock.h). */
	kmsg_clock_init(&m->state->kmsg_clock,
			(int64_t)now_monotonic() - (int64_t)now_usec(CLOCK_MONOTONIC_RAW));
	m->kmsg_fd = kmsg_open(m->root);
	if (m->kmsg_fd < 0)
		log_warning_errno(m->kmsg_fd,
				  "Cannot read /dev/kmsg; transitions are followed through sysfs "
				  "only");
	else {
		/* Only when transitions started and patches were loaded: the
		 * state itself is read from sysfs. */
		(void)kmsg_drain(m->kmsg_fd, on_history_record, &history);
		r = sd_event_add_io(m->event, &m->kmsg_source, m->kmsg_fd, EPOLLIN, on_kmsg, m);
		if (r < 0)
			return log_error_errno(r, "Cannot watch /dev/kmsg");
		m->state->follows_kmsg = true;
	}

	r = state_rescan(m->state, now_monotonic());
	if (r < 0)
		return log_error_errno(r, "Cannot read the kernel's livepatch state");
	history_apply_loads(m, &history);
	state_hints_clear(m->state);

	/* When the leftovers became ones, from before a restart. */
	r = leftovers_load(statedir_path(), &m->leftovers, &m->n_leftovers);
	if (r < 0)
		log_warning_errno(r, "Ignoring %s/%s: unload delays start afresh", statedir_path(),
				  LEFTOVERS_FILE);
	if (!m->state->supported)
		log_warning("This kernel has no livepatch support (%s is missing)",
			    LIVEPATCH_SYSFS);

	boot_guard_read(&m->boot_guard, m->root, m->state);

	r = bus_setup(m);
	if (r < 0)
		return r;

	/* After the first full scan, so that what is loaded is skipped; what
	 * was queued before a restart goes first, in its order. */
	ctx = manager_actions(m);
	actions_restore_queue(&ctx);
	load_at_boot(m);
	(void)process(m);
	log_full(LOG_INFO, 0, NULL, NULL, KLPD_MID_STARTED, "klpd %s started: %s", PACKAGE_VERSION,
		 m->last_status);
	(void)sd_notify(false, "READY=1");
	return 0;
}

int manager_reload(struct manager *m, char **error)
{
	_cleanup_free_ char *msg = NULL;
	int r;

	(void)sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=Reloading",
			 (unsigned long long)now_monotonic());
	m->last_status[0] = '\0';
	r = manager_reload_config(m, &msg);

	/* A rescan in any case: a reload is also "look at the kernel again". */
	if (state_rescan(m->state, now_monotonic()) < 0)
		log_warning("Rescanning on reload failed");
	(void)process(m);
	bus_config_changed(m); /* a new [Policy] moves the plan, and the directories */
	(void)sd_notify(false, "READY=1");
	if (r < 0 && error)
		*error = TAKE_PTR(msg);
	return r;
}

int manager_run(struct manager *m)
{
	return sd_event_loop(m->event);
}
