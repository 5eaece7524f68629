/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <libudev.h>
#include <stdio.h>

#include "macro.h"
#include "udev-monitor.h"

int module_monitor_new(struct udev_monitor **ret)
{
	struct udev *udev;
	struct udev_monitor *m;
	int r;

	udev = udev_new();
	if (!udev)
		return -errno ? -errno : -ENOMEM;
	m = udev_monitor_new_from_netlink(udev, "kernel");
	/* the monitor holds its own reference */
	udev_unref(udev);
	if (!m)
		return -errno ? -errno : -ENOMEM;
	r = udev_monitor_filter_add_match_subsystem_devtype(m, "module", NULL);
	if (r >= 0)
		r = udev_monitor_enable_receiving(m);
	if (r < 0) {
		udev_monitor_unref(m);
		return r;
	}
	*ret = m;
	return 0;
}

int module_monitor_receive(struct udev_monitor *m, char *name, size_t size, char *action,
			   size_t asize)
{
	struct udev_device *d;
	const char *n, *a;

	d = udev_monitor_receive_device(m);
	if (!d)
		return -EAGAIN;
	n = udev_device_get_sysname(d);
	a = udev_device_get_action(d);
	snprintf(name, size, "%s", strempty(n));
	snprintf(action, asize, "%s", strempty(a));
	udev_device_unref(d);
	return 0;
}
