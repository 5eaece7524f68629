/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The tasks that hold a livepatch transition back: every thread whose
 * /proc/<pid>/task/<tid>/patch_state is not the transition's target. */

struct blocker {
	uint32_t pid;  /* the thread id (a kthread's pid) */
	char comm[32];
	char *stack;   /* top frame of /proc/<pid>/task/<tid>/stack, "" if unreadable */
};

void blockers_free(struct blocker *b, size_t n);

/* Scan below ROOT for threads whose patch_state is neither TARGET (0
 * unpatched, 1 patched) nor -1 (no transition). At most MAX are returned;
 * *RET_TOTAL counts them all. */
int tasks_scan_blockers(const char *root, int target, size_t max, struct blocker **ret,
			size_t *ret_n, size_t *ret_total);
