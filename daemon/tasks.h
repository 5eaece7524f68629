/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The tasks that hold a livepatch transition back: every thread whose
 * /proc/<pid>/task/<tid>/patch_state is not the transition's target. */

/* The kernel's TASK_COMM_LEN is 16: 15 bytes, each escaped into at most 4
 * characters (lib/utf8.h), and the NUL. */
#define BLOCKER_COMM_MAX 64

/* comm and stack are escaped (lib/utf8.h): valid UTF-8, no control
 * characters, whatever the task named itself. */
struct blocker {
	uint32_t pid;  /* the thread id (a kthread's pid) */
	char comm[BLOCKER_COMM_MAX];
	char *stack;   /* top frame of /proc/<pid>/task/<tid>/stack, "" if unreadable */
};

void blockers_free(struct blocker *b, size_t n);

/* What a scan leaves for the next scan of the same transition: the processes
 * none of whose threads was blocking it. Within a transition a thread only
 * ever moves to the target, and a new thread or process starts in the state
 * of the thread that created it, so such a process cannot gain a blocker;
 * only a PID reused by a new process could hide one, which is why the caller
 * still does a full scan (an empty memo) now and then. */
struct tasks_memo {
	int target; /* the transition's target when taken; -1: empty */
	uint32_t *settled; /* sorted process ids */
	size_t n_settled;
};

#define TASKS_MEMO_INIT { .target = -1 }

void tasks_memo_clear(struct tasks_memo *m);

/* Scan below ROOT for threads whose patch_state is neither TARGET (0
 * unpatched, 1 patched) nor -1 (no transition). At most MAX are returned;
 * *RET_TOTAL counts them all. With MEMO, the processes it holds for TARGET
 * are skipped, and it is replaced by what this scan found. */
int tasks_scan_blockers(const char *root, int target, struct tasks_memo *memo, size_t max,
			struct blocker **ret, size_t *ret_n, size_t *ret_total);
