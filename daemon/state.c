/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "state.h"

static const char *const patch_state_names[_PATCH_STATE_MAX] = {
	[PATCH_STATE_PATCHING] = "patching",     [PATCH_STATE_APPLIED] = "applied",
	[PATCH_STATE_UNPATCHING] = "unpatching", [PATCH_STATE_DISABLED] = "disabled",
	[PATCH_STATE_REPLACED] = "replaced",     [PATCH_STATE_PINNED] = "pinned",
};

const char *patch_state_to_string(enum patch_state s)
{
	return (unsigned)s < _PATCH_STATE_MAX ? patch_state_names[s] : NULL;
}

const char *transition_how_to_string(enum transition_how h)
{
	switch (h) {
	case TRANSITION_COMPLETED:
		return "completed";
	case TRANSITION_REVERTED:
		return "reverted";
	case TRANSITION_FORCED:
		return "forced";
	}
	return NULL;
}

#define CALL(s, cb, ...)                                                  \
	do {                                                              \
		if ((s)->listener && (s)->listener->cb)                   \
			(s)->listener->cb((s)->userdata, __VA_ARGS__);    \
	} while (0)

static struct patch *patch_free(struct patch *p)
{
	if (!p)
		return NULL;
	livepatch_sysfs_done(&p->sysfs);
	blockers_free(p->blockers, p->n_blockers);
	free(p->source);
	free(p);
	return NULL;
}

int state_new(const char *root, const struct state_listener *listener, void *userdata,
	      struct state **ret)
{
	struct state *s;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->root = strdup(root ? root : "");
	if (!s->root) {
		free(s);
		return -ENOMEM;
	}
	s->listener = listener;
	s->userdata = userdata;
	*ret = s;
	return 0;
}

struct state *state_free(struct state *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < s->n_patches; i++)
		patch_free(s->patches[i]);
	free(s->patches);
	for (size_t i = 0; i < s->n_expected; i++)
		free(s->expected[i].source);
	free(s->expected);
	free(s->root);
	free(s);
	return NULL;
}

static size_t find_index(const struct state *s, const char *name, bool *found)
{
	size_t lo = 0, hi = s->n_patches;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->patches[mid]->name, name);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

struct patch *state_find(struct state *s, const char *name)
{
	char norm[KLP_MODULE_NAME_MAX];
	bool found;
	size_t i;

	if (module_name_normalize(name, norm) < 0)
		return NULL;
	i = find_index(s, norm, &found);
	return found ? s->patches[i] : NULL;
}

const char *state_manager_state(const struct state *s)
{
	if (!s->transition.active)
		return "idle";
	return s->transition.stalled ? "stalled" : "transition";
}

size_t state_count(const struct state *s, enum patch_state st)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_patches; i++)
		if (s->patches[i]->state == st)
			n++;
	return n;
}

bool state_reboot_required(const struct state *s)
{
	return state_count(s, PATCH_STATE_PINNED) > 0;
}

static void patch_clear_blockers(struct state *s, struct patch *p)
{
	if (p->n_blockers == 0 && !p->blockers)
		return;
	blockers_free(p->blockers, p->n_blockers);
	p->blockers = NULL;
	p->n_blockers = 0;
	CALL(s, patch_changed, p, PATCH_PROP_BLOCKERS);
}

/* A patch whose own transition goes to unpatched is being disabled: when
 * it is gone it is "disabled", not "replaced". A quick disable completes
 * within the write to 'enabled', and its directory may vanish before any
 * read sees it in transition: the kernel's log is then the only witness. */
static void note_target(struct state *s, const char *name, bool target_patched)
{
	struct patch *p = state_find(s, name);

	if (p)
		p->was_disabled = !target_patched;
}

static void transition_start(struct state *s, const char *name, bool target_patched,
			     uint64_t start_usec, uint64_t start_stamp)
{
	s->transition = (struct transition){
		.active = true,
		.target_patched = target_patched,
		.initial_target_patched = target_patched,
		.start_usec = start_usec,
		.start_stamp = start_stamp,
	};
	snprintf(s->transition.patch, sizeof(s->transition.patch), "%s", name);
	s->ended_patch[0] = '\0';
	note_target(s, name, target_patched);
	CALL(s, transition_started, &s->transition);
	CALL(s, manager_changed, MANAGER_PROP_STATE | MANAGER_PROP_TRANSITION_PATCH);
}

static void transition_finish(struct state *s, uint64_t end_usec, uint64_t end_stamp,
			      uint64_t now)
{
	struct transition *t = &s->transition;
	struct patch *p;

	if (!t->active)
		return;
	t->active = false;
	t->end_usec = end_usec > t->start_usec ? end_usec : t->start_usec;
	t->end_stamp = end_stamp;
	if (t->forced)
		t->how = TRANSITION_FORCED;
	else if (t->target_patched != t->initial_target_patched)
		t->how = TRANSITION_REVERTED;
	else
		t->how = TRANSITION_COMPLETED;
	s->last = *t;
	snprintf(s->ended_patch, sizeof(s->ended_patch), "%s", t->patch);
	s->ended_at = now;
	/* Replaced patches vanish, references drop: no event tells. */
	s->settle_until = now + STATE_SETTLE_USEC;

	p = state_find(s, t->patch);
	if (p)
		patch_clear_blockers(s, p);
	note_target(s, t->patch, t->target_patched);
	CALL(s, transition_finished, &s->last);
	CALL(s, manager_changed, MANAGER_PROP_STATE | MANAGER_PROP_TRANSITION_PATCH);
}

/* Where the kernel leaves the patch when its transition ends. */
static bool objects_equal(const struct livepatch_sysfs *a, const struct livepatch_sysfs *b)
{
	if (a->n_objects != b->n_objects)
		return false;
	for (size_t i = 0; i < a->n_objects; i++)
		if (!streq(a->objects[i].name, b->objects[i].name) ||
		    a->objects[i].patched != b->objects[i].patched)
			return false;
	return true;
}

static enum patch_state derive_state(const struct patch *p, uint64_t now)
{
	if (p->in_sysfs) {
		if (p->sysfs.transition == 1)
			return p->sysfs.enabled ? PATCH_STATE_PATCHING : PATCH_STATE_UNPATCHING;
		return p->sysfs.enabled ? PATCH_STATE_APPLIED : PATCH_STATE_DISABLED;
	}
	if (p->module.refcnt > 0 &&
	    (p->forced || now >= p->leftover_since + STATE_SETTLE_USEC))
		return PATCH_STATE_PINNED;
	return p->was_disabled ? PATCH_STATE_DISABLED : PATCH_STATE_REPLACED;
}

static bool patch_unsettled(const struct state *s, const struct patch *p)
{
	if (p->in_sysfs) {
		/* its transition flag lags behind the kmsg record that ended it */
		if (p->sysfs.transition == 1)
			return !s->transition.active || !streq(s->transition.patch, p->name);
		/* disabled, waiting for the kernel to free it */
		return !p->sysfs.enabled;
	}
	return p->module.refcnt > 0 && p->state != PATCH_STATE_PINNED;
}

static void remove_index(struct state *s, size_t i)
{
	struct patch *p = s->patches[i];
	bool was_pinned = p->state == PATCH_STATE_PINNED;

	CALL(s, patch_removed, p);
	if (p->loaded)
		CALL(s, module_unloaded, p->name);
	memmove(s->patches + i, s->patches + i + 1, (s->n_patches - i - 1) * sizeof(*s->patches));
	s->n_patches--;
	patch_free(p);
	if (was_pinned)
		CALL(s, manager_changed, MANAGER_PROP_REBOOT_REQUIRED | MANAGER_PROP_PINNED_MODULES);
}

static char *take_expected_source(struct state *s, const char *name)
{
	for (size_t i = 0; i < s->n_expected; i++) {
		char *src;

		if (!streq(s->expected[i].name, name))
			continue;
		src = s->expected[i].source;
		s->expected[i] = s->expected[--s->n_expected];
		return src;
	}
	return NULL;
}

int state_expect_source(struct state *s, const char *name, const char *source)
{
	struct expected_source *l;
	char norm[KLP_MODULE_NAME_MAX];
	char *src;

	if (module_name_normalize(name, norm) < 0)
		return -EINVAL;
	free(take_expected_source(s, norm));
	src = strdup(source);
	if (!src)
		return -ENOMEM;
	l = realloc(s->expected, (s->n_expected + 1) * sizeof(*l));
	if (!l) {
		free(src);
		return -ENOMEM;
	}
	s->expected = l;
	snprintf(l[s->n_expected].name, sizeof(l[0].name), "%s", norm);
	l[s->n_expected++].source = src;
	return 0;
}

/* Follow the patch's transition flag into the state's one transition. */
static void track_transition(struct state *s, struct patch *p, uint64_t now)
{
	struct transition *t = &s->transition;
	bool ours = t->active && streq(t->patch, p->name);
	bool running = p->in_sysfs && p->sysfs.transition == 1;

	if (running) {
		if (ours) {
			if ((bool)p->sysfs.enabled != t->target_patched) {
				/* enabled flips when a transition is reversed */
				t->target_patched = p->sysfs.enabled;
				CALL(s, manager_changed, MANAGER_PROP_STATE);
			}
			return;
		}
		/* Just ended by a kmsg record: the flag lags behind a little. */
		if (streq(s->ended_patch, p->name) && now < s->ended_at + STATE_SETTLE_USEC)
			return;
		if (t->active)
			transition_finish(s, now, 0, now); /* we missed its end */
		if (streq(s->hint_patch, p->name) && s->hint_start_usec) {
			/* a hint dates one transition: a later one of the
			 * same patch is not the one it saw start */
			uint64_t start = s->hint_start_usec, stamp = s->hint_start_stamp;

			s->hint_start_usec = s->hint_start_stamp = 0;
			transition_start(s, p->name, p->sysfs.enabled, start, stamp);
		} else
			transition_start(s, p->name, p->sysfs.enabled, now, 0);
		return;
	}
	/* Without a transition attribute (< 4.12) only kmsg tells. */
	if (ours && (!p->in_sysfs || p->sysfs.transition == 0))
		transition_finish(s, now, 0, now);
}

static bool any_live_replace(const struct state *s)
{
	for (size_t i = 0; i < s->n_patches; i++)
		if (s->patches[i]->in_sysfs && s->patches[i]->sysfs.replace == 1)
			return true;
	return false;
}

/* Whether the running or the last transition disables patch NAME. */
static bool own_unpatching(const struct state *s, const char *name)
{
	if (s->transition.active)
		return streq(s->transition.patch, name) && !s->transition.target_patched;
	return streq(s->last.patch, name) && !s->last.target_patched;
}

static int refresh_one(struct state *s, const char *name, uint64_t now)
{
	struct livepatch_sysfs lp = {};
	struct module_sysfs mod = {};
	struct patch *p;
	bool in_sysfs, loaded, found, added = false;
	unsigned props = 0;
	enum patch_state old_state;
	size_t i;
	int r;

	/* The module first, then its patch. While the module's init enables
	 * the patch, the kernel shows the transition before it sets enabled:
	 * a patch of a module still coming is going to patched. Read the
	 * other way round, enabled=0 and transition=1 read during the init
	 * and "live" read just after it returned would look like a disable. */
	r = module_sysfs_read(s->root, name, &mod);
	if (r < 0 && r != -ENOENT)
		return r;
	loaded = r >= 0;
	r = livepatch_sysfs_read(s->root, name, &lp);
	if (r < 0 && r != -ENOENT)
		return r;
	in_sysfs = r >= 0;
	/* A module that is not a livepatch is none of klpd's business. */
	loaded = loaded && (mod.livepatch || in_sysfs);
	if (in_sysfs && loaded && mod.coming && lp.transition == 1)
		lp.enabled = 1;

	i = find_index(s, name, &found);
	if (!in_sysfs && !loaded) {
		if (found) {
			struct patch *gone = s->patches[i];

			if (s->transition.active && streq(s->transition.patch, gone->name))
				transition_finish(s, now, 0, now);
			remove_index(s, i);
		}
		return 0;
	}

	if (!found) {
		struct patch **l;

		p = calloc(1, sizeof(*p));
		if (!p) {
			livepatch_sysfs_done(&lp);
			return -ENOMEM;
		}
		l = realloc(s->patches, (s->n_patches + 1) * sizeof(*l));
		if (!l) {
			free(p);
			livepatch_sysfs_done(&lp);
			return -ENOMEM;
		}
		s->patches = l;
		memmove(l + i + 1, l + i, (s->n_patches - i) * sizeof(*l));
		l[i] = p;
		s->n_patches++;
		snprintf(p->name, sizeof(p->name), "%s", name);
		p->module.refcnt = -1;
		/* A leftover found without history: it can only have been
		 * replaced if a live patch is known to be a replace patch. */
		p->was_disabled = !any_live_replace(s);
		p->source = take_expected_source(s, name);
		if (streq(s->hint_patch, name))
			p->loaded_at = s->hint_loaded_at;
		added = true;
	} else
		p = s->patches[i];
	old_state = p->state;

	if (in_sysfs) {
		if (!p->in_sysfs || lp.enabled != p->sysfs.enabled)
			props |= PATCH_PROP_ENABLED;
		if (!p->in_sysfs || lp.transition != p->sysfs.transition)
			props |= PATCH_PROP_TRANSITION;
		if (!p->in_sysfs || lp.replace != p->sysfs.replace)
			props |= PATCH_PROP_REPLACE;
		if (!p->in_sysfs || lp.stack_order != p->sysfs.stack_order)
			props |= PATCH_PROP_STACK_ORDER;
		if (!p->in_sysfs || !objects_equal(&lp, &p->sysfs))
			props |= PATCH_PROP_OBJECTS;
		livepatch_sysfs_done(&p->sysfs);
		p->sysfs = lp;
		p->leftover_since = 0;
		/* enabled reads 0 from the start of the patch's own disable
		 * until it is freed, but also, for a moment, on every patch
		 * an atomic replace has just replaced: only its own
		 * unpatching makes a patch "disabled". */
		if (lp.enabled)
			p->was_disabled = false;
		else if (lp.transition == 1 || own_unpatching(s, p->name))
			p->was_disabled = true;
	} else if (p->in_sysfs || added) {
		/* The patch is gone; the module stays until someone removes it.
		 * Keep the replace flag it had; drop the rest. */
		int replace = p->sysfs.replace;

		livepatch_sysfs_done(&p->sysfs);
		p->sysfs = (struct livepatch_sysfs){ .replace = added ? -1 : replace };
		p->leftover_since = now;
		props |= PATCH_PROP_ENABLED | PATCH_PROP_TRANSITION | PATCH_PROP_OBJECTS |
			 PATCH_PROP_STACK_ORDER | PATCH_PROP_REPLACE;
	}
	p->in_sysfs = in_sysfs;

	if (!loaded)
		mod = (struct module_sysfs){ .refcnt = -1 };
	if (mod.refcnt != p->module.refcnt)
		props |= PATCH_PROP_REFCOUNT;
	p->loaded = loaded;
	p->module = mod;

	if (added) {
		p->state = derive_state(p, now);
		if (p->state == PATCH_STATE_PINNED)
			p->forced = true;
		old_state = p->state;
		props = 0;
		CALL(s, patch_added, p);
		if (p->state == PATCH_STATE_PINNED)
			CALL(s, manager_changed,
			     MANAGER_PROP_REBOOT_REQUIRED | MANAGER_PROP_PINNED_MODULES);
	}
	track_transition(s, p, now);
	p->state = derive_state(p, now);
	if (p->state == PATCH_STATE_PINNED && !p->forced) {
		p->forced = true;
		props |= PATCH_PROP_FORCED;
	}
	if (p->state != old_state) {
		props |= PATCH_PROP_STATE;
		if (p->state == PATCH_STATE_PINNED || old_state == PATCH_STATE_PINNED)
			CALL(s, manager_changed,
			     MANAGER_PROP_REBOOT_REQUIRED | MANAGER_PROP_PINNED_MODULES);
	}
	if (props)
		CALL(s, patch_changed, p, props);
	return 0;
}

int state_refresh(struct state *s, const char *name, uint64_t now)
{
	char norm[KLP_MODULE_NAME_MAX];
	int r;

	if (module_name_normalize(name, norm) < 0)
		return -EINVAL;
	r = refresh_one(s, norm, now);
	s->unsettled = false;
	for (size_t i = 0; i < s->n_patches; i++)
		if (patch_unsettled(s, s->patches[i]))
			s->unsettled = true;
	return r;
}

static int strv_push_unique(char ***l, size_t *n, const char *name)
{
	char **x;

	for (size_t i = 0; i < *n; i++)
		if (streq((*l)[i], name))
			return 0;
	x = realloc(*l, (*n + 2) * sizeof(char *));
	if (!x)
		return -ENOMEM;
	*l = x;
	x[*n] = strdup(name);
	if (!x[*n])
		return -ENOMEM;
	x[++*n] = NULL;
	return 0;
}

int state_rescan(struct state *s, uint64_t now)
{
	_cleanup_strv_free_ char **patches = NULL, **modules = NULL, **all = NULL;
	size_t n = 0;
	bool supported;
	int r, ret = 0;

	supported = livepatch_sysfs_supported(s->root);
	if (supported != s->supported) {
		s->supported = supported;
		CALL(s, manager_changed, MANAGER_PROP_SUPPORTED);
	}

	r = livepatch_sysfs_list(s->root, &patches);
	if (r < 0)
		return r;
	r = module_sysfs_list_livepatch(s->root, &modules);
	if (r < 0)
		return r;

	all = calloc(1, sizeof(char *));
	if (!all)
		return -ENOMEM;
	for (char **x = patches; *x; x++)
		if ((r = strv_push_unique(&all, &n, *x)) < 0)
			return r;
	for (char **x = modules; *x; x++)
		if ((r = strv_push_unique(&all, &n, *x)) < 0)
			return r;
	for (size_t i = 0; i < s->n_patches; i++)
		if ((r = strv_push_unique(&all, &n, s->patches[i]->name)) < 0)
			return r;

	/* The one in transition first, so that a missed end is noticed
	 * before another patch's start. */
	if (s->transition.active) {
		r = refresh_one(s, s->transition.patch, now);
		if (r < 0)
			ret = r;
	}
	for (char **x = all; *x; x++) {
		r = refresh_one(s, *x, now);
		if (r < 0 && ret == 0)
			ret = r;
	}

	s->unsettled = false;
	for (size_t i = 0; i < s->n_patches; i++)
		if (patch_unsettled(s, s->patches[i]))
			s->unsettled = true;
	return ret;
}

int state_refresh_pending(struct state *s, uint64_t now)
{
	_cleanup_strv_free_ char **names = NULL;
	size_t n = 0;
	int r, ret = 0;

	names = calloc(1, sizeof(char *));
	if (!names)
		return -ENOMEM;
	if (s->transition.active && (r = strv_push_unique(&names, &n, s->transition.patch)) < 0)
		return r;
	for (size_t i = 0; i < s->n_patches; i++)
		if ((now < s->settle_until || patch_unsettled(s, s->patches[i])) &&
		    (r = strv_push_unique(&names, &n, s->patches[i]->name)) < 0)
			return r;
	for (char **x = names; *x; x++) {
		r = state_refresh(s, *x, now);
		if (r < 0 && ret == 0)
			ret = r;
	}
	if (n == 0)
		s->unsettled = false;
	return ret;
}

/* klp_force_transition() marks patches forced, per the kernel patch
 * "livepatch: Don't block removal of patches that are safe to unload". */
static void mark_forced(struct state *s)
{
	struct transition *t = &s->transition;
	struct patch *tp;

	if (!t->active || t->forced)
		return;
	t->forced = true;
	tp = state_find(s, t->patch);

	for (size_t i = 0; i < s->n_patches; i++) {
		struct patch *p = s->patches[i];
		bool mark;

		if (!t->target_patched)
			mark = p == tp; /* only the patch being disabled */
		else
			/* a replace patch: everything it replaces */
			mark = tp && tp->sysfs.replace == 1 && p != tp && p->in_sysfs;
		if (mark && !p->forced) {
			p->forced = true;
			CALL(s, patch_changed, p, PATCH_PROP_FORCED);
		}
	}
}

void state_note_forced(struct state *s)
{
	mark_forced(s);
}

int state_handle_record(struct state *s, const struct livepatch_record *rec, uint64_t record_usec,
			uint64_t realtime_offset, uint64_t now)
{
	uint64_t stamp = record_usec, usec;
	bool target_patched;
	int r;

	/* Read as it was logged: a sample of the clocks' offset. Every time
	 * below is CLOCK_MONOTONIC; the stamp only orders and measures. */
	kmsg_clock_sample(&s->kmsg_clock, stamp, now);
	usec = kmsg_clock_to_monotonic(&s->kmsg_clock, stamp, now);

	switch (rec->event) {
	case LIVEPATCH_EVENT_NONE:
	case LIVEPATCH_EVENT_SIGNALING:
	case LIVEPATCH_EVENT_TAINTING:
		return 0;

	case LIVEPATCH_EVENT_UNKNOWN:
		return 1;

	case LIVEPATCH_EVENT_ENABLING:
		snprintf(s->hint_patch, sizeof(s->hint_patch), "%s", rec->patch);
		s->hint_start_usec = 0;
		s->hint_start_stamp = 0;
		s->hint_loaded_at = usec + realtime_offset;
		return state_refresh(s, rec->patch, now);

	case LIVEPATCH_EVENT_PATCHING_STARTED:
	case LIVEPATCH_EVENT_UNPATCHING_STARTED:
		target_patched = rec->event == LIVEPATCH_EVENT_PATCHING_STARTED;
		if (!streq(s->hint_patch, rec->patch))
			s->hint_loaded_at = 0;
		snprintf(s->hint_patch, sizeof(s->hint_patch), "%s", rec->patch);
		s->hint_start_usec = usec;
		s->hint_start_stamp = stamp;
		if (s->transition.active && !streq(s->transition.patch, rec->patch))
			transition_finish(s, usec, 0, now); /* missed its end */
		if (s->transition.active) {
			/* Either the start of a transition already seen in sysfs
			 * (the record's stamp measures it better), or a reversal:
			 * klp_reverse_transition() logs a start to the opposite
			 * target for the same patch. */
			if (!s->transition.start_stamp &&
			    target_patched == s->transition.initial_target_patched)
				s->transition.start_stamp = stamp;
			if (usec < s->transition.start_usec)
				s->transition.start_usec = usec;
			if (s->transition.target_patched != target_patched) {
				s->transition.target_patched = target_patched;
				CALL(s, manager_changed, MANAGER_PROP_STATE);
			}
			return state_refresh(s, rec->patch, now);
		}
		/* The start of a transition already seen to end: a reversal
		 * can end within microseconds, before klpd reads its records.
		 * A patch already at the record's target cannot be starting
		 * towards it; and the stamp may be older than that end. */
		if (streq(s->last.patch, rec->patch) &&
		    (s->last.target_patched == target_patched || usec <= s->last.end_usec ||
		     (s->last.end_stamp && stamp <= s->last.end_stamp)))
			return state_refresh(s, rec->patch, now);
		r = state_refresh(s, rec->patch, now);
		/* The record is the truth even if sysfs has no transition flag. */
		if (!s->transition.active)
			transition_start(s, rec->patch, target_patched, usec, stamp);
		s->hint_start_usec = s->hint_start_stamp = 0; /* it dated this one */
		return r;

	case LIVEPATCH_EVENT_PATCHING_COMPLETE:
	case LIVEPATCH_EVENT_UNPATCHING_COMPLETE:
		target_patched = rec->event == LIVEPATCH_EVENT_PATCHING_COMPLETE;
		if (s->transition.active && streq(s->transition.patch, rec->patch)) {
			s->transition.target_patched = target_patched;
			transition_finish(s, usec, stamp, now);
		}
		return state_refresh(s, rec->patch, now);

	case LIVEPATCH_EVENT_FORCING:
		mark_forced(s);
		return 0;

	case LIVEPATCH_EVENT_MODULE_APPLYING:
	case LIVEPATCH_EVENT_MODULE_REVERTING:
		return state_refresh(s, rec->patch, now);

	case _LIVEPATCH_EVENT_MAX:
		break;
	}
	return 1;
}

uint64_t transition_duration(const struct transition *t)
{
	if (t->start_stamp && t->end_stamp >= t->start_stamp)
		return t->end_stamp - t->start_stamp;
	return t->end_usec > t->start_usec ? t->end_usec - t->start_usec : 0;
}

void state_set_blockers(struct state *s, struct blocker *list, size_t n, size_t total)
{
	struct patch *p = s->transition.active ? state_find(s, s->transition.patch) : NULL;
	bool same;

	if (!p) {
		blockers_free(list, n);
		return;
	}
	same = n == p->n_blockers;
	for (size_t i = 0; same && i < n; i++)
		same = list[i].pid == p->blockers[i].pid && streq(list[i].comm, p->blockers[i].comm) &&
		       streq(list[i].stack, p->blockers[i].stack);
	s->transition.n_blockers_total = total;
	if (same) {
		blockers_free(list, n);
		return;
	}
	blockers_free(p->blockers, p->n_blockers);
	p->blockers = list;
	p->n_blockers = n;
	CALL(s, patch_changed, p, PATCH_PROP_BLOCKERS);
}

bool state_set_stalled(struct state *s)
{
	if (!s->transition.active || s->transition.stalled)
		return false;
	s->transition.stalled = true;
	CALL(s, manager_changed, MANAGER_PROP_STATE);
	return true;
}

void state_transition_reversed(struct state *s)
{
	if (!s->transition.active)
		return;
	s->transition.target_patched = !s->transition.target_patched;
	CALL(s, manager_changed, MANAGER_PROP_STATE);
}

void state_hint_transition_start(struct state *s, const char *patch, uint64_t usec,
				 uint64_t stamp)
{
	snprintf(s->hint_patch, sizeof(s->hint_patch), "%s", patch);
	s->hint_start_usec = usec;
	s->hint_start_stamp = stamp;
	s->hint_loaded_at = 0;
}

void state_hints_clear(struct state *s)
{
	s->hint_patch[0] = '\0';
	s->hint_start_usec = s->hint_start_stamp = s->hint_loaded_at = 0;
}

uint64_t state_next_wakeup(const struct state *s, uint64_t now)
{
	uint64_t next = USEC_INFINITY;

	/* The kernel logs every transition's end; the re-read is for when
	 * that record never reaches klpd. */
	if (s->transition.active)
		next = now + (s->follows_kmsg ? TRANSITION_RECHECK_USEC : USEC_PER_SEC);
	if (s->unsettled || now < s->settle_until) {
		uint64_t t = now + 250 * USEC_PER_MSEC;
		if (t < next)
			next = t;
	}
	return next;
}
