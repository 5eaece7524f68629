// SPDX-License-Identifier: GPL-2.0
/*
 * klpt_plain - an ordinary module that is not a livepatch.
 *
 * klpd must ignore it (no livepatch modinfo, no taint K, nothing under
 * /sys/kernel/livepatch/). The tests also load and unload it in a loop to
 * flood klpd with module add/remove events, so it logs nothing.
 */
#include <linux/init.h>
#include <linux/module.h>

static int __init klpt_plain_init(void)
{
	return 0;
}

static void __exit klpt_plain_exit(void)
{
}

module_init(klpt_plain_init);
module_exit(klpt_plain_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klpd test: plain module, not a livepatch");
