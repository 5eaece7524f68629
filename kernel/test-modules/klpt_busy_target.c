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
 * How the patch shows that its code runs: klpt_busy_wait() gets pointers to
 * "hold" and to the "patched_calls" counter as arguments. The replacement in
 * the livepatch module uses those pointers, so it needs no symbol of this
 * module (no exports, no klp relocations). The original ignores the counter;
 * the replacement increments it on every call, so
 *   cat /sys/module/klpt_busy_target/parameters/patched_calls
 * stays 0 until the kthread runs the new code, then grows (nearly 20 a
 * second with hold=0, once per held call with hold=1).
 */
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

/* Linux 5.10 has no __noipa (<linux/compiler_attributes.h> gained it later);
 * gcc has had the attribute since 8. */
#ifndef __noipa
#define __noipa __attribute__((__noipa__))
#endif

static int hold;
module_param(hold, int, 0644);
MODULE_PARM_DESC(hold, "nonzero: keep the kthread inside klpt_busy_wait()");

/*
 * Written only by the kthread (by the livepatched klpt_busy_wait()), read by
 * sysfs: a plain int with READ_ONCE/WRITE_ONCE is enough for one writer, and
 * lets the stock "int" parameter type show it.
 */
static int patched_calls;
module_param(patched_calls, int, 0444);
MODULE_PARM_DESC(patched_calls, "calls that ran the livepatched klpt_busy_wait()");

static struct task_struct *klpt_busy_task;

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
	/* kthread_should_stop(): module exit must not wait on a held call. */
	while (READ_ONCE(*hold_p) && !kthread_should_stop())
		msleep_interruptible(20);
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

static int __init klpt_busy_target_init(void)
{
	klpt_busy_task = kthread_run(klpt_busy_thread, NULL, "klpt_busy");
	if (IS_ERR(klpt_busy_task))
		return PTR_ERR(klpt_busy_task);
	return 0;
}

static void __exit klpt_busy_target_exit(void)
{
	/* Let a held call return, then wait for the kthread to end. */
	WRITE_ONCE(hold, 0);
	kthread_stop(klpt_busy_task);
}

module_init(klpt_busy_target_init);
module_exit(klpt_busy_target_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klpd test: kthread that can be held inside klpt_busy_wait");
