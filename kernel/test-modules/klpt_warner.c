// SPDX-License-Identifier: GPL-2.0
/*
 * klpt_warner - not a livepatch: raises one WARN() from its own init when
 * it is loaded, an incident that names this module and no livepatch.
 */
#include <linux/bug.h>
#include <linux/kernel.h>
#include <linux/module.h>

static int __init klpt_warner_init(void)
{
	WARN(1, "klpt_warner: loaded\n");
	return 0;
}

static void __exit klpt_warner_exit(void)
{
}

module_init(klpt_warner_init);
module_exit(klpt_warner_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klpd test: a plain module that WARNs when loaded");
