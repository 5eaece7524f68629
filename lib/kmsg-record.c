/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>

#include "kmsg-record.h"
#include "macro.h"

static int parse_u64(const char **p, const char *end, uint64_t *ret)
{
	uint64_t v = 0;
	const char *s = *p;

	if (s >= end || *s < '0' || *s > '9')
		return -EINVAL;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	*ret = v;
	return 0;
}

int kmsg_record_parse(const char *buf, size_t len, struct kmsg_record *ret)
{
	const char *p = buf, *end = buf + len, *semi, *nl;
	uint64_t prio, seq, usec;

	if (!buf || !ret)
		return -EINVAL;
	semi = memchr(buf, ';', len);
	if (!semi)
		return -EINVAL;

	if (parse_u64(&p, semi, &prio) < 0 || p >= semi || *p++ != ',')
		return -EINVAL;
	if (parse_u64(&p, semi, &seq) < 0 || p >= semi || *p++ != ',')
		return -EINVAL;
	if (parse_u64(&p, semi, &usec) < 0 || p >= semi || *p++ != ',')
		return -EINVAL;
	/* Flags: '-' for a complete record, 'c' (older kernels) for a fragment;
	 * any further ",key=value" fields (caller id) are skipped. */
	if (p >= semi || (*p != '-' && *p != 'c'))
		return -EINVAL;
	if (p + 1 != semi && p[1] != ',')
		return -EINVAL;
	if (prio > 0xffffffffULL)
		return -EINVAL;

	ret->level = (unsigned)(prio & 7);
	ret->facility = (unsigned)(prio >> 3);
	ret->seq = seq;
	ret->usec = usec;
	ret->continuation = *p == 'c';
	ret->text = semi + 1;
	nl = memchr(ret->text, '\n', (size_t)(end - ret->text));
	ret->text_len = (size_t)((nl ? nl : end) - ret->text);
	return 0;
}

/* Match TEXT against PATTERN where "%p" and "%m" capture a quoted module
 * name (without its quotes) into patch or module. Everything else must match
 * exactly, and the whole text must be consumed. */
static bool match(const char *text, size_t len, const char *pattern, struct livepatch_record *r)
{
	const char *t = text, *end = text + len;

	for (const char *p = pattern; *p; p++) {
		if (p[0] == '%' && (p[1] == 'p' || p[1] == 'm')) {
			char *dst = p[1] == 'p' ? r->patch : r->module;
			const char *q;
			size_t n;

			/* The name runs to the next quote; the pattern's quotes
			 * around %p/%m are matched literally. */
			q = memchr(t, '\'', (size_t)(end - t));
			if (!q)
				return false;
			n = (size_t)(q - t);
			if (n == 0 || n >= KLP_MODULE_NAME_MAX)
				return false;
			memcpy(dst, t, n);
			dst[n] = '\0';
			/* a NUL inside would cut the name short */
			if (strlen(dst) != n || !module_name_valid(dst))
				return false;
			t = q;
			p++;
			continue;
		}
		if (t >= end || *t != *p)
			return false;
		t++;
	}
	return t == end;
}

static const struct {
	enum livepatch_event event;
	const char *pattern;
} patterns[] = {
	{ LIVEPATCH_EVENT_ENABLING, "enabling patch '%p'" },
	{ LIVEPATCH_EVENT_PATCHING_STARTED, "'%p': starting patching transition" },
	{ LIVEPATCH_EVENT_UNPATCHING_STARTED, "'%p': starting unpatching transition" },
	{ LIVEPATCH_EVENT_PATCHING_COMPLETE, "'%p': patching complete" },
	{ LIVEPATCH_EVENT_UNPATCHING_COMPLETE, "'%p': unpatching complete" },
	{ LIVEPATCH_EVENT_FORCING, "forcing remaining tasks to the patched state" },
	{ LIVEPATCH_EVENT_SIGNALING, "signaling remaining tasks" },
	{ LIVEPATCH_EVENT_MODULE_APPLYING, "applying patch '%p' to loading module '%m'" },
	{ LIVEPATCH_EVENT_MODULE_REVERTING, "reverting patch '%p' on unloading module '%m'" },
	{ LIVEPATCH_EVENT_TAINTING, "tainting kernel with TAINT_LIVEPATCH" },
};

#define LIVEPATCH_PREFIX "livepatch: "

void livepatch_record_classify(const char *text, size_t len, struct livepatch_record *ret)
{
	const size_t plen = strlen(LIVEPATCH_PREFIX);

	memset(ret, 0, sizeof(*ret));
	if (!text || len < plen || memcmp(text, LIVEPATCH_PREFIX, plen) != 0) {
		ret->event = LIVEPATCH_EVENT_NONE;
		return;
	}
	text += plen;
	len -= plen;

	for (size_t i = 0; i < ELEMENTSOF(patterns); i++) {
		struct livepatch_record r = {};

		if (match(text, len, patterns[i].pattern, &r)) {
			*ret = r;
			ret->event = patterns[i].event;
			return;
		}
	}
	ret->event = LIVEPATCH_EVENT_UNKNOWN;
}

static const char *const event_names[_LIVEPATCH_EVENT_MAX] = {
	[LIVEPATCH_EVENT_NONE] = "none",
	[LIVEPATCH_EVENT_ENABLING] = "enabling",
	[LIVEPATCH_EVENT_PATCHING_STARTED] = "patching-started",
	[LIVEPATCH_EVENT_UNPATCHING_STARTED] = "unpatching-started",
	[LIVEPATCH_EVENT_PATCHING_COMPLETE] = "patching-complete",
	[LIVEPATCH_EVENT_UNPATCHING_COMPLETE] = "unpatching-complete",
	[LIVEPATCH_EVENT_FORCING] = "forcing",
	[LIVEPATCH_EVENT_SIGNALING] = "signaling",
	[LIVEPATCH_EVENT_MODULE_APPLYING] = "module-applying",
	[LIVEPATCH_EVENT_MODULE_REVERTING] = "module-reverting",
	[LIVEPATCH_EVENT_TAINTING] = "tainting",
	[LIVEPATCH_EVENT_UNKNOWN] = "unknown",
};

const char *livepatch_event_to_string(enum livepatch_event e)
{
	if ((unsigned)e >= _LIVEPATCH_EVENT_MAX)
		return NULL;
	return event_names[e];
}
