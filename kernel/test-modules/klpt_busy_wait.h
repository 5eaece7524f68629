/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How klpt_busy_wait() waits while *hold_p is nonzero: the same in the
 * original (klpt_busy_target) and in both replacements (klpt_busy_patch,
 * klpt_busy_replace), so that a test sees the same waits whichever code runs.
 * Always inlined: the function on the stack stays klpt_busy_wait() itself.
 */
#ifndef KLPT_BUSY_WAIT_H
#define KLPT_BUSY_WAIT_H

#include <linux/compiler.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

static __always_inline void klpt_busy_hold(int *hold_p)
{
	if (current->flags & PF_KTHREAD) {
		/* The klpt_busy kthread. kthread_should_stop(): module exit
		 * must not wait on a held call. */
		while (READ_ONCE(*hold_p) && !kthread_should_stop())
			msleep_interruptible(20);
		return;
	}
	/*
	 * A user task reading /proc/klpt_busy (kthread_should_stop() is for
	 * kthreads only). Every 15 failed retries the livepatch core sends
	 * blocking user tasks a fake signal (TIF_NOTIFY_SIGNAL, TIF_SIGPENDING
	 * before 5.11; no signal queued) that stays pending until they return
	 * to user space: an interruptible sleep would return at once from then
	 * on, and the loop spin. A killable sleep ignores it, and a real fatal signal ends the
	 * wait, so the test can kill the reader.
	 */
	while (READ_ONCE(*hold_p) && !fatal_signal_pending(current))
		schedule_timeout_killable(msecs_to_jiffies(20));
}

#endif
