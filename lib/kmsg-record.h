/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h"

/* One /dev/kmsg record: "prio,seq,usec,flags[,more];text\n[ KEY=value\n]...".
 * TEXT points into the parsed buffer and is not NUL-terminated. */
struct kmsg_record {
	unsigned level;    /* 0 (emerg) .. 7 (debug) */
	unsigned facility; /* 0 for the kernel */
	uint64_t seq;
	uint64_t usec; /* CLOCK_MONOTONIC-like, since boot */
	bool continuation;
	const char *text;
	size_t text_len;
};

/* -EINVAL when BUF (LEN bytes, need not be NUL-terminated) is not a record. */
int kmsg_record_parse(const char *buf, size_t len, struct kmsg_record *ret);

/* The kernel's livepatch log lines (kernel/livepatch/core.c, transition.c)
 * that klpd understands. */
enum livepatch_event {
	LIVEPATCH_EVENT_NONE,                /* not a "livepatch: " record */
	LIVEPATCH_EVENT_ENABLING,            /* enabling patch 'P' */
	LIVEPATCH_EVENT_PATCHING_STARTED,    /* 'P': starting patching transition */
	LIVEPATCH_EVENT_UNPATCHING_STARTED,  /* 'P': starting unpatching transition */
	LIVEPATCH_EVENT_PATCHING_COMPLETE,   /* 'P': patching complete */
	LIVEPATCH_EVENT_UNPATCHING_COMPLETE, /* 'P': unpatching complete */
	LIVEPATCH_EVENT_FORCING,             /* forcing remaining tasks ... (no patch) */
	LIVEPATCH_EVENT_SIGNALING,           /* signaling remaining tasks (no patch) */
	LIVEPATCH_EVENT_MODULE_APPLYING,     /* applying patch 'P' to loading module 'M' */
	LIVEPATCH_EVENT_MODULE_REVERTING,    /* reverting patch 'P' on unloading module 'M' */
	LIVEPATCH_EVENT_TAINTING,            /* tainting kernel with TAINT_LIVEPATCH */
	LIVEPATCH_EVENT_UNKNOWN,             /* a "livepatch: " record not listed above */
	_LIVEPATCH_EVENT_MAX,
};

struct livepatch_record {
	enum livepatch_event event;
	char patch[KLP_MODULE_NAME_MAX];  /* "" when the record names none */
	char module[KLP_MODULE_NAME_MAX]; /* target module, MODULE_* events only */
};

/* Classify the text of a record. Never fails: text that is not a livepatch
 * record is LIVEPATCH_EVENT_NONE; a livepatch record with an unexpected form
 * (or an invalid name) is LIVEPATCH_EVENT_UNKNOWN. */
void livepatch_record_classify(const char *text, size_t len, struct livepatch_record *ret);

const char *livepatch_event_to_string(enum livepatch_event e);
