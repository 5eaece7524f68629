// SPDX-License-Identifier: GPL-2.0
/*
 * klpt_busy_patch - ordinary (non-replace) livepatch of klpt_busy_wait() in
 * the module klpt_busy_target. See klpt_busy_target.c for how the "hold"
 * parameter stalls its transitions.
 *
 * The target module may be loaded before or after this one: the kernel
 * patches it when it appears.
 */
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>

#include "klpt_busy_wait.h"

/*
 * Replacement for klpt_busy_wait(int *hold_p, int *patched_calls_p): waits
 * the same way (klpt_busy_wait.h: the kthread interruptibly, a reader of
 * /proc/klpt_busy killably), and counts its calls in the target's
 * "patched_calls" parameter, through the pointer the caller passes (not
 * atomic: the tests only look at whether it grows).
 */
static void klpt_busy_wait_patched(int *hold_p, int *patched_calls_p)
{
	WRITE_ONCE(*patched_calls_p, READ_ONCE(*patched_calls_p) + 1);
	klpt_busy_hold(hold_p);
}

static struct klp_func klpt_busy_patch_funcs[] = {
	{
		.old_name = "klpt_busy_wait",
		.new_func = klpt_busy_wait_patched,
	},
	{ }
};

static struct klp_object klpt_busy_patch_objs[] = {
	{
		.name = "klpt_busy_target",
		.funcs = klpt_busy_patch_funcs,
	},
	{ }
};

static struct klp_patch klpt_busy_patch_patch = {
	.mod = THIS_MODULE,
	.objs = klpt_busy_patch_objs,
};

static int __init klpt_busy_patch_init(void)
{
	return klp_enable_patch(&klpt_busy_patch_patch);
}

/* Empty, but needed: without an exit function rmmod refuses the module. */
static void __exit klpt_busy_patch_exit(void)
{
}

module_init(klpt_busy_patch_init);
module_exit(klpt_busy_patch_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klpd test: livepatch of klpt_busy_wait in klpt_busy_target");
MODULE_INFO(livepatch, "Y");
