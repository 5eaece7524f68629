/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "dbus-names.h"
#include "macro.h"
#include "properties.h"

int properties_get_all(sd_bus *bus, const char *path, const char *interface, sd_bus_error *error,
		       property_fn fn, void *userdata)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r;

	r = sd_bus_call_method(bus, KLPD_BUS_NAME, path, "org.freedesktop.DBus.Properties",
			       "GetAll", error, &reply, "s", interface);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', "{sv}");
	while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
		const char *key, *sig;

		r = sd_bus_message_read(reply, "s", &key);
		if (r >= 0)
			r = sd_bus_message_peek_type(reply, NULL, &sig);
		if (r >= 0)
			r = sd_bus_message_enter_container(reply, 'v', sig);
		if (r >= 0)
			r = fn(reply, key, sig, userdata);
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
	}
	return r < 0 ? r : 0;
}
