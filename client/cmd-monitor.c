/* SPDX-License-Identifier: GPL-2.0-or-later */
/* monitor: klpd's signals, one line each, as they come. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "dbus-names.h"
#include "duration.h"
#include "klpctl.h"
#include "macro.h"
#include "output.h"
#include "time-util.h"
#include "utf8.h"

/* A signal's arguments, by name: the names org.klpd.livepatch1(5) gives
 * them, and the JSON keys of klpctl monitor --json. */
struct signal_args {
	const char *member;
	const char *signature; /* of the strings and the usec; blockers apart */
	const char *keys[3];
	bool blockers; /* TransitionStalled's a(uss) after its string */
	bool usec;     /* TransitionFinished's t: how long it took */
};

static const struct signal_args signals[] = {
	{ "TransitionStarted", "ss", { "patch", "target" } },
	{ "TransitionFinished", "sss", { "patch", "target", "how" }, .usec = true },
	{ "TransitionStalled", "s", { "patch" }, .blockers = true },
	{ "ModuleUnloaded", "ss", { "module", "reason" } },
	{ "PolicyApplied", "sss", { "patch", "action", "reason" } },
	{ "LoadFailed", "sss", { "patch", "source", "message" } },
	{ "KernelIncident", "sss", { "patch", "kind", "first_line" } },
};

static void print_signal(const struct signal_args *sa, uint64_t now, char **v, size_t nv,
			 const struct blocker *b, size_t nb, uint64_t usec)
{
	char d[DURATION_MAX];

	if (arg_json) {
		struct json j = JSON_INIT(stdout);

		json_open_object(&j, NULL);
		json_string(&j, "signal", sa->member);
		json_uint(&j, "time_usec", now);
		for (size_t i = 0; i < nv; i++)
			json_string(&j, sa->keys[i], v[i]);
		if (sa->blockers)
			json_blockers(&j, "blockers", b, nb);
		if (sa->usec)
			json_uint(&j, "duration_usec", usec);
		json_close_object(&j);
		json_end(&j);
	} else {
		/* "Member value value ...": blockers as pid/comm,pid/comm */
		fputs(sa->member, stdout);
		for (size_t i = 0; i < nv; i++)
			printf(" %s", *v[i] ? v[i] : "-");
		for (size_t i = 0; i < nb; i++)
			printf("%s%" PRIu32 "/%s", i ? "," : " ", b[i].pid, b[i].comm);
		if (sa->usec)
			printf(" %s", duration_format_short(d, sizeof(d), usec));
		putchar('\n');
	}
	fflush(stdout);
}

static int on_signal(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char *member = sd_bus_message_get_member(m);
	const struct signal_args *sa = NULL;
	uint64_t now = now_usec(CLOCK_REALTIME), usec = 0;
	struct blocker *b = NULL;
	char *v[3] = {};
	size_t nv = 0, nb = 0;
	int r = 0;

	for (size_t i = 0; member && i < ELEMENTSOF(signals); i++)
		if (streq(member, signals[i].member))
			sa = &signals[i];
	if (!sa)
		return 0;
	for (; nv < strlen(sa->signature) && r >= 0; nv++) {
		const char *s;

		r = sd_bus_message_read_basic(m, 's', &s);
		if (r >= 0)
			v[nv] = utf8_escape_dup(s);
		if (r >= 0 && !v[nv])
			r = -ENOMEM;
	}
	if (r >= 0 && sa->blockers)
		r = blockers_read(m, &b, &nb);
	if (r >= 0 && sa->usec)
		r = sd_bus_message_read_basic(m, 't', &usec);
	/* a signal of another shape (a klpd of another version) is skipped */
	if (r >= 0)
		print_signal(sa, now, v, nv, b, nb, usec);
	for (size_t i = 0; i < nv; i++)
		free(v[i]);
	blockers_free(b, nb);
	return r == -ENOMEM ? r : 0;
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
