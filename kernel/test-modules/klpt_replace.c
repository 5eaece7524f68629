// SPDX-License-Identifier: GPL-2.0
/*
 * klpt_replace - atomic-replace livepatch of cmdline_proc_show().
 *
 * When its transition completes, every patch enabled before it (klpt_cmdline,
 * klpt_version, ...) is unpatched and freed; their modules stay loaded with
 * refcnt 0. /proc/cmdline then prints "klpt_replace: patched" and
 * /proc/version is back to the original, since this patch does not carry
 * klpt_version's change.
 */
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

static int klpt_replace_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpt_replace: patched\n");
	return 0;
}

static struct klp_func klpt_replace_funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = klpt_replace_show,
	},
	{ }
};

static struct klp_object klpt_replace_objs[] = {
	{
		/* .name NULL: the function is in vmlinux */
		.funcs = klpt_replace_funcs,
	},
	{ }
};

static struct klp_patch klpt_replace_patch = {
	.mod = THIS_MODULE,
	.objs = klpt_replace_objs,
	.replace = true,
};

static int __init klpt_replace_init(void)
{
	return klp_enable_patch(&klpt_replace_patch);
}

/* Empty, but needed: without an exit function rmmod refuses the module. */
static void __exit klpt_replace_exit(void)
{
}

module_init(klpt_replace_init);
module_exit(klpt_replace_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klpd test: atomic-replace livepatch of cmdline_proc_show");
MODULE_INFO(livepatch, "Y");
