// SPDX-License-Identifier: GPL-2.0
/*
 * klpt_warn - a livepatch of cmdline_proc_show() that is bad: each read of
 * /proc/cmdline while it is active prints "klpt_warn: patched" and raises a
 * WARN() from the patch's own code, so that the kernel's report names this
 * module (klpd's health window blames it).
 */
#include <linux/bug.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

static int klpt_warn_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpt_warn: patched\n");
	WARN(1, "klpt_warn: the patched cmdline_proc_show() ran\n");
	return 0;
}

static struct klp_func klpt_warn_funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = klpt_warn_show,
	},
	{ }
};

static struct klp_object klpt_warn_objs[] = {
	{
		.funcs = klpt_warn_funcs,
	},
	{ }
};

static struct klp_patch klpt_warn_patch = {
	.mod = THIS_MODULE,
	.objs = klpt_warn_objs,
};

static int __init klpt_warn_init(void)
{
	return klp_enable_patch(&klpt_warn_patch);
}

static void __exit klpt_warn_exit(void)
{
}

module_init(klpt_warn_init);
module_exit(klpt_warn_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klpd test: livepatch of cmdline_proc_show that WARNs when it runs");
MODULE_INFO(livepatch, "Y");
