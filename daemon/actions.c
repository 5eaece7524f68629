/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "actions.h"
#include "boot-load.h"
#include "dbus-names.h"
#include "load-queue.h"
#include "log.h"
#include "macro.h"
#include "module-file.h"
#include "statedir.h"
#include "sysfs-livepatch.h"
#include "time-util.h"

/* NAME resolves to <dir>/<uname -r>/NAME.ko[.xz|.zst|.gz], then
 * <dir>/NAME.ko[...], in each patch directory in order; the first file
 * found wins, an uncompressed one before a compressed one. */
static int resolve_name(const struct action_context *ctx, const char *name, char *path, size_t size)
{
	for (char **d = ctx->config->patch_dirs; d && *d; d++)
		for (int i = 0; i < 2; i++)
			for (size_t k = 0; k < ELEMENTSOF(module_file_suffixes); k++) {
				struct stat st;
				int n;

				if (i == 0)
					n = snprintf(path, size, "%s/%s/%s%s", *d,
						     ctx->kernel_release, name,
						     module_file_suffixes[k]);
				else
					n = snprintf(path, size, "%s/%s%s", *d, name,
						     module_file_suffixes[k]);
				if (n < 0 || (size_t)n >= size)
					continue;
				if (lstat(path, &st) == 0)
					return 0;
			}
	return -ENOENT;
}

/* Where resolve_name() looked, for the message that says it found nothing:
 * "/a/REL/NAME.ko[.xz|.zst|.gz], /a/NAME.ko[...], /b/..." */
static void tried_paths(const struct action_context *ctx, const char *name, char *buf,
			size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (char **d = ctx->config->patch_dirs; d && *d && off < size; d++)
		off += (size_t)snprintf(buf + off, size - off, "%s%s/%s/%s.ko[.xz|.zst|.gz], %s/%s.ko[...]",
					off ? ", " : "", *d, ctx->kernel_release, name, *d, name);
	if (off == 0)
		snprintf(buf, size, "no PatchDirectories= configured");
}

static bool in_patch_dirs(const struct action_context *ctx, const char *path)
{
	for (char **d = ctx->config->patch_dirs; d && *d; d++)
		if (path_is_below(path, *d))
			return true;
	return false;
}

static void emit(const struct action_context *ctx, enum action_event_kind kind, const char *name)
{
	ctx->on_event(ctx->userdata, &(struct action_event){ .kind = kind, .name = name });
}

static void clear_faulty(const struct action_context *ctx, const char *name)
{
	int r;

	health_book_drop(ctx->health, name);
	r = health_book_save(ctx->health, statedir_path());
	if (r < 0)
		log_warning_errno(r, "Cannot write %s/%s: '%s' may be marked faulty again after a "
				     "restart",
				  statedir_path(), HEALTH_FILE, name);
}

/* Insert the checked file. A boot-time load is recorded first, so that a
 * machine that goes down during it does not load it again at the next boot;
 * a load by hand that works ends the skipping. */
static int load_now(const struct action_context *ctx, int fd, const char *name, const char *path,
		    const char *reason)
{
	int r;

	if (reason)
		boot_guard_begin(ctx->guard, name);
	r = module_file_insert(fd, path);
	if (reason && r < 0)
		boot_guard_end(ctx->guard, name);
	else if (!reason && r >= 0) {
		bool cleared = boot_guard_clear(ctx->guard, name, true);

		if (health_book_get(ctx->health, name) == PATCH_HEALTH_FAULTY) {
			clear_faulty(ctx, name);
			log_patch(LOG_NOTICE, name, "load", KLPD_MID_ACTION,
				  "Module '%s' was loaded by hand: no longer marked faulty, "
				  "watched again",
				  name);
			cleared = true;
		}
		if (cleared)
			emit(ctx, ACTION_EVENT_SKIP_CLEARED, name);
	}
	return r;
}

static void load_failed(const struct action_context *ctx, const char *name, const char *source,
			const char *message)
{
	ctx->on_event(ctx->userdata, &(struct action_event){ .kind = ACTION_EVENT_LOAD_FAILED,
							      .name = name,
							      .source = source,
							      .message = message });
}

static const char *reason_suffix(const char *reason, char *buf, size_t size)
{
	if (!reason)
		return "";
	snprintf(buf, size, " (reason: %s)", reason);
	return buf;
}

/* The queue as it stands, into the state directory (see load-queue.h). */
static void save_queue(const struct action_context *ctx)
{
	int r = load_queue_save(*ctx->queue, statedir_path());

	if (r < 0)
		log_warning_errno(r, "Cannot write %s/%s: a restart of klpd now would forget the "
				     "queued loads",
				  statedir_path(), LOAD_QUEUE_FILE);
}

static int queue_load(const struct action_context *ctx, int fd, const char *name,
		      const char *source, const char *reason)
{
	char why[64];
	int r;

	r = load_queue_append(ctx->queue, fd, name, source, reason);
	if (r < 0)
		return r;
	save_queue(ctx);
	/* After EBUSY the state may not know yet whose transition runs. */
	if (ctx->state->transition.active)
		log_patch(LOG_INFO, name, "queue", KLPD_MID_ACTION,
			  "Queued load of '%s' until the transition of '%s' ends%s", source,
			  ctx->state->transition.patch, reason_suffix(reason, why, sizeof(why)));
	else
		log_patch(LOG_INFO, name, "queue", KLPD_MID_ACTION,
			  "Queued load of '%s' until the running transition ends%s", source,
			  reason_suffix(reason, why, sizeof(why)));
	return 0;
}

int action_load(const struct action_context *ctx, const char *source, uint64_t flags,
		const char *reason, char ret_name[static KLP_MODULE_NAME_MAX], bool *ret_queued,
		struct action_result *res)
{
	char path[PATH_MAX], name[KLP_MODULE_NAME_MAX], why[64];
	_cleanup_close_ int fd = -1;
	int r;

	*ret_queued = false;
	if (flags & ~KLPD_LOAD_FLAGS_ALL)
		return action_fail(res, ACTION_ERROR_INVALID_ARGS, -EINVAL, "Unknown flags 0x%llx",
				   (unsigned long long)(flags & ~KLPD_LOAD_FLAGS_ALL));
	if (!ctx->state->supported)
		return action_fail(res, ACTION_ERROR_NOT_SUPPORTED, -EOPNOTSUPP,
				   "This kernel has no livepatch support (no %s)", LIVEPATCH_SYSFS);

	switch (patch_source_classify(source)) {
	case PATCH_SOURCE_NAME:
		if (resolve_name(ctx, source, path, sizeof(path)) < 0) {
			char tried[384];

			tried_paths(ctx, source, tried, sizeof(tried));
			return action_fail(res, ACTION_ERROR_NO_SUCH_PATCH, -ENOENT,
					   "No module '%s' in the patch directories (tried %s)",
					   source, tried);
		}
		break;
	case PATCH_SOURCE_PATH:
		if (!in_patch_dirs(ctx, source))
			return action_fail(res, ACTION_ERROR_BAD_SOURCE, -EPERM,
					   "'%s' is not inside a configured patch directory",
					   source);
		snprintf(path, sizeof(path), "%s", source);
		break;
	default:
		return action_fail(res, ACTION_ERROR_INVALID_ARGS, -EINVAL,
				   "'%s' is neither a module name nor an absolute, normalized path "
				   "to a .ko file",
				   source);
	}

	fd = module_file_open(path, ctx->kernel_release, name, res);
	if (fd < 0)
		return fd;

	snprintf(ret_name, KLP_MODULE_NAME_MAX, "%s", name);
	if (state_find(ctx->state, name) || load_queue_contains(*ctx->queue, name))
		return action_fail(res, ACTION_ERROR_REFUSED, -EEXIST,
				   "Module '%s' is already loaded%s", name,
				   load_queue_contains(*ctx->queue, name) ? " (queued)" : "");
	if (reason && boot_guard_skipped(ctx->guard, name))
		return action_fail(res, ACTION_ERROR_REFUSED, -ECANCELED,
				   "Module '%s' is skipped at boot: its load at an earlier boot "
				   "never finished (crash-loop guard); load it by hand to end this",
				   name);
	if (reason && health_book_get(ctx->health, name) == PATCH_HEALTH_FAULTY)
		return action_fail(res, ACTION_ERROR_REFUSED, -ECANCELED,
				   "Module '%s' is marked faulty: a kernel incident was blamed on it "
				   "in its health window; load it by hand or clear the mark to end "
				   "this",
				   name);
	if (reason && ctx->config->load_at_boot == LOAD_AT_BOOT_ACCEPTED &&
	    health_book_get(ctx->health, name) != PATCH_HEALTH_ACCEPTED)
		return action_fail(res, ACTION_ERROR_REFUSED, -EPERM,
				   "Module '%s' was never accepted on this host (LoadAtBoot=accepted): "
				   "load it by hand once, its health window accepts it",
				   name);

	if (ctx->state->transition.active || *ctx->queue) {
		r = queue_load(ctx, fd, name, path, reason);
		if (r < 0)
			return action_fail(res, ACTION_ERROR_FAILED, r, "Cannot queue the load: %s",
					   strerror(-r));
		TAKE_FD(fd);
		*ret_queued = true;
		return 0;
	}

	r = state_expect_source(ctx->state, name, path);
	if (r < 0)
		return action_fail(res, ACTION_ERROR_FAILED, r, "Out of memory");
	r = action_insert_result(load_now(ctx, fd, name, path, reason), name, path, res);
	if (r == -EBUSY) {
		/* Someone else started a transition first: wait for it. */
		r = queue_load(ctx, fd, name, path, reason);
		if (r < 0)
			return action_fail(res, ACTION_ERROR_FAILED, r, "Cannot queue the load: %s",
					   strerror(-r));
		TAKE_FD(fd);
		*ret_queued = true;
		return 0;
	}
	if (r < 0)
		return r;
	log_patch(LOG_NOTICE, name, "load", KLPD_MID_PATCH_LOADED, "Loaded '%s' from %s%s", name,
		  path, reason_suffix(reason, why, sizeof(why)));
	return 0;
}

void actions_run_queue(const struct action_context *ctx)
{
	while (*ctx->queue && !ctx->state->transition.active) {
		struct load_request *q = load_queue_pop(ctx->queue);
		struct action_result res = {};
		char why[64];
		int r;

		(void)state_expect_source(ctx->state, q->name, q->source);
		r = action_insert_result(load_now(ctx, q->fd, q->name, q->source, q->reason), q->name,
					 q->source, &res);
		if (r == -EBUSY) {
			/* another transition slipped in: try again when it ends */
			load_queue_push_front(ctx->queue, q);
			return;
		}
		if (r < 0) {
			log_patch(LOG_ERR, q->name, "load", KLPD_MID_ACTION,
				  "Queued load of '%s' failed: %s%s", q->source, strerror(-r),
				  reason_suffix(q->reason, why, sizeof(why)));
			load_failed(ctx, q->name, q->source, res.message);
		} else
			log_patch(LOG_NOTICE, q->name, "load", KLPD_MID_PATCH_LOADED,
				  "Loaded '%s' from %s (queued)%s", q->name, q->source,
				  reason_suffix(q->reason, why, sizeof(why)));
		load_queue_free(q);
		/* After the insert: a crash before this line finds the module
		 * loaded at the next start, and does not load it twice. */
		save_queue(ctx);
		/* The insert started a transition; the state learns of it
		 * from the kernel's events. Re-read now so that the next
		 * queued load waits for it. */
		(void)state_rescan(ctx->state, now_monotonic());
	}
}

/* The live patch NAME into *RET: 0, or -EINVAL (invalid name) or -ENOENT. */
static int find_live(const struct action_context *ctx, const char *name, struct patch **ret,
		     struct action_result *res)
{
	if (!module_name_valid(name))
		return action_fail(res, ACTION_ERROR_INVALID_ARGS, -EINVAL,
				   "Invalid module name '%s'", name);
	*ret = state_find(ctx->state, name);
	if (!*ret)
		return action_fail(res, ACTION_ERROR_NO_SUCH_PATCH, -ENOENT, "No livepatch '%s'",
				   name);
	return 0;
}

/* The live patch NAME whose transition is running. */
static int find_in_transition(const struct action_context *ctx, const char *name,
			      struct patch **ret, struct action_result *res)
{
	const struct transition *t = &ctx->state->transition;
	int r;

	r = find_live(ctx, name, ret, res);
	if (r < 0)
		return r;
	if (!t->active || !streq(t->patch, (*ret)->name))
		return action_fail(res, ACTION_ERROR_NOT_IN_TRANSITION, -EINVAL,
				   "Patch '%s' is not in transition", (*ret)->name);
	return 0;
}

int action_disable(const struct action_context *ctx, const char *name, struct action_result *res)
{
	struct transition *t = &ctx->state->transition;
	struct patch *p;
	int r;

	r = find_live(ctx, name, &p, res);
	if (r < 0)
		return r;
	if (t->active && streq(t->patch, p->name))
		return action_fail(res, ACTION_ERROR_TRANSITION_IN_PROGRESS, -EBUSY,
				   "Patch '%s' is in transition to %s: use Revert to undo it",
				   p->name, t->target_patched ? "patched" : "unpatched");
	if (!p->in_sysfs || !p->sysfs.enabled)
		return action_fail(res, ACTION_ERROR_REFUSED, -EALREADY, "Patch '%s' is already %s",
				   p->name, patch_state_to_string(p->state));
	if (t->active)
		return action_fail(res, ACTION_ERROR_TRANSITION_IN_PROGRESS, -EBUSY,
				   "Patch '%s' cannot be disabled while '%s' is in transition",
				   p->name, t->patch);
	r = livepatch_sysfs_write_enabled(ctx->root, p->name, false);
	if (r == -EBUSY)
		return action_fail(res, ACTION_ERROR_TRANSITION_IN_PROGRESS, r,
				   "Patch '%s' cannot be disabled: another transition is running",
				   p->name);
	if (r < 0)
		return action_fail(res, ACTION_ERROR_FAILED, r, "Disabling '%s' failed: %s",
				   p->name, strerror(-r));
	log_patch(LOG_NOTICE, p->name, "disable", KLPD_MID_ACTION, "Disabling patch '%s'", p->name);
	return 0;
}

int action_revert(const struct action_context *ctx, const char *name, struct action_result *res)
{
	struct transition *t = &ctx->state->transition;
	struct patch *p;
	int r;

	r = find_in_transition(ctx, name, &p, res);
	if (r < 0)
		return r;
	/* Writing the opposite of the target reverses the transition. */
	r = livepatch_sysfs_write_enabled(ctx->root, p->name, !t->target_patched);
	if (r < 0)
		return action_fail(res, ACTION_ERROR_FAILED, r,
				   "Reverting the transition of '%s' failed: %s", p->name,
				   strerror(-r));
	log_patch(LOG_NOTICE, p->name, "revert", KLPD_MID_TRANSITION_REVERTED,
		  "Reverting the transition of '%s' (now going to %s)", p->name,
		  t->target_patched ? "unpatched" : "patched");
	state_transition_reversed(ctx->state);
	/* The revert happened: a failed re-read is no failure of it, the
	 * next pass rescans instead. */
	r = state_refresh(ctx->state, p->name, now_monotonic());
	if (r < 0) {
		log_warning_errno(r, "Re-reading '%s' after its revert failed; rescanning", p->name);
		emit(ctx, ACTION_EVENT_RESCAN_NEEDED, p->name);
	}
	return 0;
}

int action_force(const struct action_context *ctx, const char *name, struct action_result *res)
{
	struct transition *t = &ctx->state->transition;
	struct patch *p;
	int r;

	r = find_in_transition(ctx, name, &p, res);
	if (r < 0)
		return r;
	r = livepatch_sysfs_write_force(ctx->root, p->name);
	if (r == -ENOENT)
		return action_fail(res, ACTION_ERROR_NOT_SUPPORTED, r,
				   "This kernel cannot force transitions (no 'force' attribute)");
	if (r < 0)
		return action_fail(res, ACTION_ERROR_FAILED, r,
				   "Forcing the transition of '%s' failed: %s", p->name,
				   strerror(-r));
	log_patch(LOG_WARNING, p->name, "force", KLPD_MID_TRANSITION_FORCED,
		  "Forcing the transition of '%s' to %s", p->name,
		  t->target_patched ? "patched" : "unpatched");
	state_note_forced(ctx->state);
	return 0;
}

int action_unload(const struct action_context *ctx, const char *module, enum unload_origin origin,
		  struct action_result *res)
{
	char name[KLP_MODULE_NAME_MAX];
	struct module_sysfs ms;
	struct patch *p;
	int r;

	if (module_name_normalize(module, name) < 0)
		return action_fail(res, ACTION_ERROR_INVALID_ARGS, -EINVAL,
				   "Invalid module name '%s'", module);
	p = state_find(ctx->state, name);
	if (!p) {
		if (module_sysfs_read(ctx->root, name, &ms) >= 0)
			return action_fail(res, ACTION_ERROR_NOT_LIVEPATCH, -EPERM,
					   "Module '%s' is not a livepatch module", name);
		return action_fail(res, ACTION_ERROR_NO_SUCH_PATCH, -ENOENT,
				   "Module '%s' is not loaded", name);
	}
	if (p->in_sysfs) {
		if (ctx->state->transition.active && streq(ctx->state->transition.patch, p->name))
			return action_fail(res, ACTION_ERROR_TRANSITION_IN_PROGRESS, -EBUSY,
					   "Patch '%s' is in transition", p->name);
		if (p->sysfs.enabled)
			return action_fail(res, ACTION_ERROR_REFUSED, -EBUSY,
					   "Patch '%s' is enabled: disable it first", p->name);
		return action_fail(res, ACTION_ERROR_REFUSED, -EBUSY,
				   "Patch '%s' is still being freed by the kernel: try again",
				   p->name);
	}
	if (p->state == PATCH_STATE_PINNED)
		return action_fail(res, ACTION_ERROR_PINNED, -EBUSY,
				   "Module '%s' is pinned by a forced transition until reboot",
				   p->name);

	ctx->on_event(ctx->userdata, &(struct action_event){ .kind = ACTION_EVENT_UNLOADING,
							      .name = p->name,
							      .origin = origin });
	r = action_remove_result(module_delete(p->name), p->name, p->forced, p->module.refcnt, res);
	if (r < 0) {
		ctx->on_event(ctx->userdata,
			      &(struct action_event){ .kind = ACTION_EVENT_UNLOAD_FAILED,
						      .name = p->name,
						      .message = res->message,
						      .origin = origin });
		emit(ctx, ACTION_EVENT_UNLOAD_OVER, name);
		return r;
	}
	/* The udev event follows; reading now keeps the reply consistent. */
	(void)state_refresh(ctx->state, name, now_monotonic());
	emit(ctx, ACTION_EVENT_UNLOAD_OVER, name);
	return 0;
}

int action_clear_skip(const struct action_context *ctx, const char *module,
		      struct action_result *res)
{
	char name[KLP_MODULE_NAME_MAX];

	if (module_name_normalize(module, name) < 0)
		return action_fail(res, ACTION_ERROR_INVALID_ARGS, -EINVAL,
				   "Invalid module name '%s'", module);
	if (health_book_get(ctx->health, name) == PATCH_HEALTH_FAULTY) {
		clear_faulty(ctx, name);
		log_patch(LOG_NOTICE, name, "clear-skip", KLPD_MID_ACTION,
			  "Module '%s' is no longer marked faulty (cleared by hand)", name);
		(void)boot_guard_clear(ctx->guard, name, false);
	} else if (!boot_guard_clear(ctx->guard, name, false))
		return action_fail(res, ACTION_ERROR_NO_SUCH_PATCH, -ENOENT,
				   "Module '%s' is not skipped at boot", name);
	emit(ctx, ACTION_EVENT_SKIP_CLEARED, name);
	return 0;
}

void actions_restore_queue(const struct action_context *ctx)
{
	struct queued_load *l = NULL;
	size_t n = 0;
	int r;

	r = load_queue_read(statedir_path(), &l, &n);
	if (r < 0) {
		log_error_errno(r, "Cannot read %s/%s: loads queued before klpd restarted are lost",
				statedir_path(), LOAD_QUEUE_FILE);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct action_result res = {};
		char name[KLP_MODULE_NAME_MAX] = "";
		bool queued;

		r = action_load(ctx, l[i].path, 0, l[i].at_boot ? BOOT_LOAD_REASON : NULL, name,
				&queued, &res);
		if (r >= 0) {
			log_patch(LOG_NOTICE, name, "load", KLPD_MID_ACTION,
				  "Load of %s was queued when klpd stopped: %s", l[i].path,
				  queued ? "queued again" : "loaded now");
			if (!queued)
				(void)state_rescan(ctx->state, now_monotonic());
		} else if (r == -EEXIST)
			log_patch(LOG_INFO, name, "load", KLPD_MID_ACTION,
				  "Load of %s was queued when klpd stopped: %s; not loaded again",
				  l[i].path, res.message);
		else {
			log_patch(LOG_ERR, l[i].name, "load", KLPD_MID_ACTION,
				  "Load of %s was queued when klpd stopped and now fails: %s",
				  l[i].path, res.message);
			load_failed(ctx, l[i].name, l[i].path, res.message);
		}
	}
	queued_loads_free(l, n);
	/* What is still queued now; nothing when all of it was done. */
	save_queue(ctx);
}
