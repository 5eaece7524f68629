// SPDX-License-Identifier: GPL-2.0
/*
 * klpt_busy_target - a module whose kthread can be held inside a function,
 * so that a livepatch transition touching that function cannot complete.
 *
 * The kthread "klpt_busy" loops: call klpt_busy_wait(), then sleep ~50 ms
 * outside it. klpt_busy_wait() returns at once while the parameter "hold" is
 * 0, and keeps sleeping inside itself (20 ms steps) while it is nonzero:
 *
 *   echo 1 > /sys/module/klpt_busy_target/parameters/hold
 *
 * The livepatch transition checks every task's stack. With hold=1 the
 * kthread never leaves klpt_busy_wait(), so:
 *   - loading klpt_busy_patch (or klpt_busy_replace) stalls the patching
 *     transition: the kthread is in the old function;
 *   - with the patch applied, disabling it stalls the unpatching transition:
 *     the kthread is in the new function.
 * Writing hold=0 lets the transition finish within a second or two; writing
 * 1 to /sys/kernel/livepatch/<patch>/force ends it at once.
 *
 * User tasks can be held the same way: a read of /proc/klpt_busy (mode 0444,
 * any user) calls klpt_busy_wait() and returns end-of-file once it returns,
 * so the reader blocks a transition while hold=1, under the name it gave
 * itself (the tests give it hostile ones). It sleeps killably: kill -9 ends
 * the read (see klpt_busy_wait.h).
 *
 * How the patch shows that its code runs: klpt_busy_wait() gets pointers to
 * "hold" and to the "patched_calls" counter as arguments. The replacement in
 * the livepatch module uses those pointers, so it needs no symbol of this
 * module (no exports, no klp relocations). The original ignores the counter;
 * the replacement increments it on every call, so
 *   cat /sys/module/klpt_busy_target/parameters/patched_calls
 * stays 0 until the kthread runs the new code, then grows (nearly 20 a
 * second with hold=0, once per held call with hold=1).
 */
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/proc_fs.h>

#include "klpt_busy_wait.h"

/* Linux 5.10 has no __noipa (<linux/compiler_attributes.h> gained it later);
 * gcc has had the attribute since 8. */
#ifndef __noipa
#define __noipa __attribute__((__noipa__))
#endif

static int hold;
module_param(hold, int, 0644);
MODULE_PARM_DESC(hold, "nonzero: keep the kthread inside klpt_busy_wait()");

/*
 * Written by the livepatched klpt_busy_wait(), read by sysfs: a plain int
 * with READ_ONCE/WRITE_ONCE lets the stock "int" parameter type show it. With
 * readers of /proc/klpt_busy calling it too, concurrent calls may lose a
 * count: the tests only look at whether it grows.
 */
static int patched_calls;
module_param(patched_calls, int, 0444);
MODULE_PARM_DESC(patched_calls, "calls that ran the livepatched klpt_busy_wait()");

static struct task_struct *klpt_busy_task;
static struct proc_dir_entry *klpt_busy_proc;

/*
 * The function the livepatches replace. It must stay a real function that
 * the kthread calls, and be found by name in the module's kallsyms:
 *   - global (not static) and __used: kept, and not renamed;
 *   - noinline: a copy inlined into the kthread would never be patched;
 *   - __noipa: GCC may neither clone it (e.g. a ".constprop" copy for the
 *     constant arguments below, which the kthread would call instead) nor
 *     let the caller rely on how it uses registers, which the replacement
 *     may do differently.
 * Not exported: the livepatch looks it up through kallsyms.
 */
void klpt_busy_wait(int *hold_p, int *patched_calls_p);

noinline __noipa __used void klpt_busy_wait(int *hold_p, int *patched_calls_p)
{
	klpt_busy_hold(hold_p);
}

static int klpt_busy_thread(void *unused)
{
	while (!kthread_should_stop()) {
		klpt_busy_wait(&hold, &patched_calls);
		/* Sleep outside klpt_busy_wait(), where a transition can pass. */
		msleep_interruptible(50);
	}
	return 0;
}

/* /proc/klpt_busy: a read waits in klpt_busy_wait(), then reads as empty. */
static ssize_t klpt_busy_read(struct file *file, char __user *buf, size_t count, loff_t *pos)
{
	klpt_busy_wait(&hold, &patched_calls);
	return 0;
}

static const struct proc_ops klpt_busy_proc_ops = {
	.proc_read = klpt_busy_read,
};

static int __init klpt_busy_target_init(void)
{
	klpt_busy_proc = proc_create("klpt_busy", 0444, NULL, &klpt_busy_proc_ops);
	if (!klpt_busy_proc)
		return -ENOMEM;
	klpt_busy_task = kthread_run(klpt_busy_thread, NULL, "klpt_busy");
	if (IS_ERR(klpt_busy_task)) {
		proc_remove(klpt_busy_proc);
		return PTR_ERR(klpt_busy_task);
	}
	return 0;
}

static void __exit klpt_busy_target_exit(void)
{
	/* Let held calls return; proc_remove() waits for the readers to leave,
	 * kthread_stop() for the kthread to end. */
	WRITE_ONCE(hold, 0);
	proc_remove(klpt_busy_proc);
	kthread_stop(klpt_busy_task);
}

module_init(klpt_busy_target_init);
module_exit(klpt_busy_target_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klpd test: kthread that can be held inside klpt_busy_wait");
