/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

struct udev_monitor;

/* Module add/remove uevents from the kernel source: it still receives them
 * in a private network namespace (PrivateNetwork=), where the udev source,
 * rebroadcast by systemd-udevd in the host's namespace, gets nothing. */
int module_monitor_new(struct udev_monitor **ret);

/* The module name and action ("add", "remove") of the next pending event;
 * -EAGAIN when none is pending. The strings stay valid until the next call. */
int module_monitor_receive(struct udev_monitor *m, char *name, size_t size, char *action,
			   size_t asize);
