/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmsg-record.h"
#include "names.h"

/* Incident reports in the kernel log (WARN, BUG, Oops, lockups, stalls,
 * sanitizer reports), recognized record by record, with the modules whose
 * code the report names. Formats: docs kernel-facts.md, "Incident reports in
 * the kernel log". Pure code: no I/O, no allocation. */

enum kernel_incident_kind {
	KERNEL_INCIDENT_WARNING,     /* WARNING: CPU: 1 PID: 123 at file:42 f+0x1c/0x40 [m] */
	KERNEL_INCIDENT_BUG,         /* BUG: ..., kernel BUG at file:42!, Kernel BUG at f+0x1/0x2 */
	KERNEL_INCIDENT_OOPS,        /* [Oops: ]Oops: 0000 [#1] ..., invalid opcode: 0000 [#1] */
	KERNEL_INCIDENT_GPF,         /* [Oops: ]general protection fault...: 0000 [#1] */
	KERNEL_INCIDENT_SOFT_LOCKUP, /* watchdog: BUG: soft lockup - CPU#0 stuck for 22s! */
	KERNEL_INCIDENT_HARD_LOCKUP, /* [NMI ]watchdog: [CPU1: ]Watchdog detected hard LOCKUP */
	KERNEL_INCIDENT_HUNG_TASK,   /* INFO: task c:1 blocked for more than 120 seconds. */
	KERNEL_INCIDENT_RCU_STALL,   /* rcu: INFO: rcu_preempt detected stalls on CPUs/tasks: */
	KERNEL_INCIDENT_KASAN,       /* BUG: KASAN: slab-out-of-bounds in f+0x1c/0x40 [m] */
	KERNEL_INCIDENT_UBSAN,       /* UBSAN: array-index-out-of-bounds in file:42:5 */
	_KERNEL_INCIDENT_KIND_MAX,
	_KERNEL_INCIDENT_KIND_INVALID = -1,
};

/* What an incident keeps: bounded, so a report of any size costs the same. */
#define KERNEL_INCIDENT_LINES 5        /* first lines of the report, for the journal */
#define KERNEL_INCIDENT_LINE_MAX 160   /* bytes per kept line, with the NUL */
#define KERNEL_INCIDENT_MODULES_MAX 16 /* distinct modules named */

/* An open incident ends when no line of the report (the first line, RIP:,
 * Call Trace:, a frame) came in the last QUIET_RECORDS sequence numbers or
 * QUIET_USEC of record time. Reports are stored in one burst (microseconds
 * to milliseconds apart); the longest stretch without such a line is a
 * KASAN report's object and page description (about 20 records). */
#define KERNEL_INCIDENT_QUIET_RECORDS 64
#define KERNEL_INCIDENT_QUIET_USEC (5 * (uint64_t)1000000)

struct kernel_incident {
	enum kernel_incident_kind kind;
	uint64_t seq;  /* of the record with the first line */
	uint64_t usec; /* its timestamp */
	/* Modules whose code the report names (the WARNING, Kernel BUG and KASAN
	 * lines, RIP:/EIP:/pc :, the reliable frames), in order of first mention,
	 * without duplicates. */
	size_t n_modules;
	bool modules_truncated; /* more than KERNEL_INCIDENT_MODULES_MAX */
	char modules[KERNEL_INCIDENT_MODULES_MAX][KLP_MODULE_NAME_MAX];
	/* The report's first records as printable ASCII: every other byte
	 * (control characters, NUL, bytes >= 0x7f) is '?', long lines are cut. */
	size_t n_lines;
	char lines[KERNEL_INCIDENT_LINES][KERNEL_INCIDENT_LINE_MAX];
};

struct kernel_incident_reader {
	bool open;
	bool seen_report; /* a RIP: or frame line arrived for cur */
	uint64_t last_seq;
	uint64_t report_seq, report_usec; /* the last line that belonged to the report */
	struct kernel_incident cur, done;
};

void kernel_incident_reader_init(struct kernel_incident_reader *r);

/* Feed one /dev/kmsg record. Records of other facilities than the kernel's
 * are ignored: user space writing to /dev/kmsg cannot choose facility 0. Returns the incident this record finished, valid until the next
 * call on R, or NULL. A record finishes the open incident when it is the
 * end-of-report marker, the first line of another incident, or comes after
 * the quiet limits above (or with a sequence number not above the last). */
const struct kernel_incident *kernel_incident_reader_feed(struct kernel_incident_reader *r,
							  const struct kmsg_record *rec);

/* Finish the open incident now, if any: when the log has been quiet for a
 * while (the last report of a burst has no end marker), when records were
 * lost (EPIPE), at exit. Returns it (valid until the next call) or NULL. */
const struct kernel_incident *kernel_incident_reader_flush(struct kernel_incident_reader *r);

static inline bool kernel_incident_reader_pending(const struct kernel_incident_reader *r)
{
	return r->open;
}

/* The kind of incident whose report TEXT (LEN bytes, need not be
 * NUL-terminated) starts, or _KERNEL_INCIDENT_KIND_INVALID. Only records at
 * LEVEL emerg..warning (0..4) start one: the kernel prints every first line
 * at those levels, and lines that start with a task name another user chose
 * ("comm[pid]: segfault at ...") come at info. */
enum kernel_incident_kind kernel_incident_classify(unsigned level, const char *text, size_t len);

/* Whether INC's report names code of MODULE ('-' and '_' equal). */
bool kernel_incident_names_module(const struct kernel_incident *inc, const char *module);

const char *kernel_incident_kind_to_string(enum kernel_incident_kind k);
enum kernel_incident_kind kernel_incident_kind_from_string(const char *s);
