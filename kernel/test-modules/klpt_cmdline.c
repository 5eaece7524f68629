// SPDX-License-Identifier: GPL-2.0
/*
 * klpt_cmdline - ordinary (non-replace) livepatch of cmdline_proc_show().
 *
 * While it is active, "cat /proc/cmdline" prints "klpt_cmdline: patched".
 * It stacks with klpt_version, which patches another function.
 */
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

/* Same prototype as the static cmdline_proc_show() in fs/proc/cmdline.c. */
static int klpt_cmdline_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpt_cmdline: patched\n");
	return 0;
}

static struct klp_func klpt_cmdline_funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = klpt_cmdline_show,
	},
	{ }
};

static struct klp_object klpt_cmdline_objs[] = {
	{
		/* .name NULL: the function is in vmlinux */
		.funcs = klpt_cmdline_funcs,
	},
	{ }
};

static struct klp_patch klpt_cmdline_patch = {
	.mod = THIS_MODULE,
	.objs = klpt_cmdline_objs,
};

static int __init klpt_cmdline_init(void)
{
	return klp_enable_patch(&klpt_cmdline_patch);
}

/*
 * Nothing to undo: the patch is disabled through sysfs first. The exit
 * function must still exist, a module without one can never be removed.
 */
static void __exit klpt_cmdline_exit(void)
{
}

module_init(klpt_cmdline_init);
module_exit(klpt_cmdline_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klpd test: livepatch of cmdline_proc_show");
MODULE_INFO(livepatch, "Y");
