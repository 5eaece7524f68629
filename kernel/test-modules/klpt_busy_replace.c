// SPDX-License-Identifier: GPL-2.0
/*
 * klpt_busy_replace - atomic-replace livepatch of klpt_busy_wait() in the
 * module klpt_busy_target; it behaves like klpt_busy_patch. Loaded with
 * hold=1 its transition stalls, and forcing it to PATCHED marks the patches
 * it replaces "forced", so their modules stay pinned (refcnt 1) until reboot
 * while this one can still be removed once disabled cleanly.
 */
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>

#include "klpt_busy_wait.h"

/*
 * Replacement for klpt_busy_wait(int *hold_p, int *patched_calls_p), the
 * same as klpt_busy_patch's: wait while *hold_p, count the call in the
 * target's "patched_calls" parameter (not atomic: the tests only look at
 * whether it grows).
 */
static void klpt_busy_wait_replaced(int *hold_p, int *patched_calls_p)
{
	WRITE_ONCE(*patched_calls_p, READ_ONCE(*patched_calls_p) + 1);
	klpt_busy_hold(hold_p);
}

static struct klp_func klpt_busy_replace_funcs[] = {
	{
		.old_name = "klpt_busy_wait",
		.new_func = klpt_busy_wait_replaced,
	},
	{ }
};

static struct klp_object klpt_busy_replace_objs[] = {
	{
		.name = "klpt_busy_target",
		.funcs = klpt_busy_replace_funcs,
	},
	{ }
};

static struct klp_patch klpt_busy_replace_patch = {
	.mod = THIS_MODULE,
	.objs = klpt_busy_replace_objs,
	.replace = true,
};

static int __init klpt_busy_replace_init(void)
{
	return klp_enable_patch(&klpt_busy_replace_patch);
}

/* Empty, but needed: without an exit function rmmod refuses the module. */
static void __exit klpt_busy_replace_exit(void)
{
}

module_init(klpt_busy_replace_init);
module_exit(klpt_busy_replace_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klpd test: atomic-replace livepatch of klpt_busy_wait in klpt_busy_target");
MODULE_INFO(livepatch, "Y");
