/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <libudev.h>
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
#include "kmsg-history.h"
#include "kmsg.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "tasks.h"
#include "time-util.h"
#include "udev-monitor.h"

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

static int process(struct manager *m)
{
	struct action_context ctx;
	uint64_t now = now_monotonic();
	uint64_t next, scan_due, metrics_due, health_due;
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
	manager_scan_blockers(m, now, false);
	manager_sync_leftovers(m, now);
	next = manager_run_policy(m, now);
	health_due = manager_health_run(m, now);
	if (health_due < next)
		next = health_due;
	scan_due = manager_blocker_scan_due(m);
	if (scan_due < next)
		next = scan_due;
	manager_update_status(m);
	metrics_due = metrics_export(m, now);
	rearm(m, metrics_due < next ? metrics_due : next);
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

static void on_kernel_record(const struct kmsg_record *rec, void *userdata)
{
	manager_health_kernel_record(userdata, rec, true);
}

static void on_history_kernel_record(const struct kmsg_record *rec, void *userdata)
{
	struct kmsg_history *h = userdata;

	manager_health_kernel_record(h->owner, rec, false);
}

static int on_kmsg(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct manager *m = userdata;
	int r;

	r = kmsg_drain(fd, on_record, on_kernel_record, m);
	if (r < 0) {
		log_error_errno(r, "Reading /dev/kmsg failed; following sysfs only");
		m->kmsg_source = sd_event_source_unref(m->kmsg_source);
		m->state->follows_kmsg = false;
		m->need_rescan = true;
	} else if (r == KMSG_LOST) {
		log_notice("Kernel log records were lost (the ring buffer wrapped before klpd read "
			   "them): rescanning");
		manager_health_flush(m, true);
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
	r = state_new(m->root, &manager_state_listener, m, &m->state);
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
	health_book_done(&m->health);
	free(m->held_incidents);
	metrics_file_done(&m->metrics_file);
	sd_event_unref(m->event);
	free(m->root);
	free(m);
	return NULL;
}

int manager_start(struct manager *m)
{
	_cleanup_(kmsg_history_done) struct kmsg_history history = { .state = m->state, .owner = m };
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
		history.now = now_monotonic();
		manager_health_read(m);
		(void)kmsg_drain(m->kmsg_fd, kmsg_history_record, on_history_kernel_record, &history);
		manager_health_flush(m, false);
		r = sd_event_add_io(m->event, &m->kmsg_source, m->kmsg_fd, EPOLLIN, on_kmsg, m);
		if (r < 0)
			return log_error_errno(r, "Cannot watch /dev/kmsg");
		m->state->follows_kmsg = true;
	}

	r = state_rescan(m->state, now_monotonic());
	if (r < 0)
		return log_error_errno(r, "Cannot read the kernel's livepatch state");
	kmsg_history_apply_loads(&history, now_monotonic(), now_realtime() - now_monotonic());
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
	if (m->kmsg_fd < 0)
		manager_health_read(m);
	/* The incidents of the history, now that the patches and this boot
	 * are known. */
	manager_health_replay(m);

	r = bus_setup(m);
	if (r < 0)
		return r;

	/* After the first full scan, so that what is loaded is skipped; what
	 * was queued before a restart goes first, in its order. */
	ctx = manager_actions(m);
	actions_restore_queue(&ctx);
	manager_load_at_boot(m);
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
	int r = sd_event_loop(m->event);

	metrics_export_stopped(m);
	return r;
}
