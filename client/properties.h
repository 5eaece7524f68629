/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <systemd/sd-bus.h>

/* Called for each property of a GetAll reply, with M at the property's value
 * (inside its variant of signature SIG): it reads the value or skips it. */
typedef int (*property_fn)(sd_bus_message *m, const char *key, const char *sig, void *userdata);

/* org.freedesktop.DBus.Properties.GetAll of INTERFACE on PATH of klpd, in
 * one round trip, each property through FN. */
int properties_get_all(sd_bus *bus, const char *path, const char *interface, sd_bus_error *error,
		       property_fn fn, void *userdata);
