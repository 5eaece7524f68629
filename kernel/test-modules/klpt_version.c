// SPDX-License-Identifier: GPL-2.0
/*
 * klpt_version - ordinary (non-replace) livepatch of version_proc_show().
 *
 * While it is active, "cat /proc/version" prints "klpt_version: patched".
 * It patches another function than klpt_cmdline, so the two are
 * independent: either can be enabled, disabled and removed on its own.
 */
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

/* Same prototype as the static version_proc_show() in fs/proc/version.c. */
static int klpt_version_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpt_version: patched\n");
	return 0;
}

static struct klp_func klpt_version_funcs[] = {
	{
		/*
		 * Two drivers have a static function of the same name, but
		 * Debian builds both as modules, so vmlinux holds one.
		 */
		.old_name = "version_proc_show",
		.new_func = klpt_version_show,
	},
	{ }
};

static struct klp_object klpt_version_objs[] = {
	{
		/* .name NULL: the function is in vmlinux */
		.funcs = klpt_version_funcs,
	},
	{ }
};

static struct klp_patch klpt_version_patch = {
	.mod = THIS_MODULE,
	.objs = klpt_version_objs,
};

static int __init klpt_version_init(void)
{
	return klp_enable_patch(&klpt_version_patch);
}

/* Empty, but needed: without an exit function rmmod refuses the module. */
static void __exit klpt_version_exit(void)
{
}

module_init(klpt_version_init);
module_exit(klpt_version_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klpd test: livepatch of version_proc_show");
MODULE_INFO(livepatch, "Y");
