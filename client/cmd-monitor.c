/* SPDX-License-Identifier: GPL-2.0-or-later */
/* monitor: klpd's signals, one line each, as they come. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <systemd/sd-bus.h>

#include "dbus-names.h"
#include "duration.h"
#include "klpctl.h"
#include "macro.h"
#include "output.h"
#include "utf8.h"

static int on_signal(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char *member = sd_bus_message_get_member(m);
	const char *a = "", *b = "", *c = "";
	_cleanup_free_ char *ea = NULL, *eb = NULL, *ec = NULL;
	uint64_t t = 0;
	char d[DURATION_MAX];

	if (!member)
		return 0;
	if (streq(member, "TransitionStarted"))
		(void)sd_bus_message_read(m, "ss", &a, &b);
	else if (streq(member, "TransitionFinished"))
		(void)sd_bus_message_read(m, "ssst", &a, &b, &c, &t);
	else if (streq(member, "TransitionStalled")) {
		static char blockers[512];
		const char *comm, *stack;
		uint32_t pid;
		size_t off = 0;

		/* "pid/comm pid/comm ..." as the second field */
		blockers[0] = '\0';
		if (sd_bus_message_read(m, "s", &a) >= 0 &&
		    sd_bus_message_enter_container(m, 'a', "(uss)") >= 0)
			while (sd_bus_message_read(m, "(uss)", &pid, &comm, &stack) > 0 &&
			       off < sizeof(blockers))
				off += (size_t)snprintf(blockers + off, sizeof(blockers) - off,
							"%s%" PRIu32 "/%s", off ? "," : "", pid,
							comm);
		/* escaped with the other arguments below */
		b = blockers;
	}
	else if (streq(member, "ModuleUnloaded"))
		(void)sd_bus_message_read(m, "ss", &a, &b);
	else if (streq(member, "PolicyApplied") || streq(member, "LoadFailed"))
		(void)sd_bus_message_read(m, "sss", &a, &b, &c);
	else
		return 0;

	ea = utf8_escape_dup(a);
	eb = utf8_escape_dup(b);
	ec = utf8_escape_dup(c);
	if (!ea || !eb || !ec)
		return -ENOMEM;
	a = ea, b = eb, c = ec;
	if (arg_json) {
		struct json j = JSON_INIT(stdout);

		json_open_object(&j, NULL);
		json_string(&j, "signal", member);
		json_open_array(&j, "args");
		json_string(&j, NULL, a);
		if (*b)
			json_string(&j, NULL, b);
		if (*c)
			json_string(&j, NULL, c);
		if (t)
			json_uint(&j, NULL, t);
		json_close_array(&j);
		json_close_object(&j);
		json_end(&j);
	} else
		printf("%s %s%s%s%s%s%s%s\n", member, a, *b ? " " : "", b, *c ? " " : "", c,
		       t ? " " : "", t ? duration_format_short(d, sizeof(d), t) : "");
	fflush(stdout);
	return 0;
}

int cmd_monitor(sd_bus *bus, char **argv)
{
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	int r;

	r = sd_bus_match_signal(bus, &slot, KLPD_BUS_NAME, KLPD_MANAGER_PATH,
				KLPD_MANAGER_INTERFACE, NULL, on_signal, NULL);
	if (r < 0)
		return report("cannot subscribe to klpd's signals", NULL, r);
	for (;;) {
		r = sd_bus_process(bus, NULL);
		if (r < 0)
			return report("lost the bus", NULL, r);
		if (r > 0)
			continue;
		r = sd_bus_wait(bus, UINT64_MAX);
		if (r < 0 && r != -EINTR)
			return report("waiting failed", NULL, r);
	}
}
