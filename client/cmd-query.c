/* SPDX-License-Identifier: GPL-2.0-or-later */
/* status, list, show: what klpd knows, read only. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "bus-objects.h"
#include "dbus-names.h"
#include "duration.h"
#include "klpctl.h"
#include "macro.h"
#include "names.h"
#include "output.h"
#include "terminal.h"

/* One of the ConfigurationErrors, indented under "Config:". Its value
 * part comes from a file: control characters show as '?', so that none
 * reaches the terminal. */
static void print_config_error(const char *e)
{
	fputs("              ", stdout);
	for (const unsigned char *c = (const unsigned char *)e; *c; c++)
		putchar(*c < 0x20 || *c == 0x7f ? '?' : *c);
	putchar('\n');
}

/* What the configuration's source means, for the status line. */
static const char *config_running_on(const char *source)
{
	if (streq(source, KLPD_CONFIG_SOURCE_LAST_VALID))
		return "the last valid one";
	if (streq(source, KLPD_CONFIG_SOURCE_DEFAULTS))
		return "the built-in defaults";
	return "the files";
}

/* What the policy will do about the running transition, and when. */
static void print_policy_plan(const struct manager_info *mi)
{
	uint64_t now = now_usec(CLOCK_REALTIME);
	char when[16], d[DURATION_MAX];
	/* to the nearest second: klpd's conversion between its clocks may put a
	 * deadline of 02:00:00 a few microseconds before it */
	time_t t = (time_t)((mi->stall_deadline + USEC_PER_SEC / 2) / USEC_PER_SEC);
	struct tm tm;

	printf("      Policy: %s", mi->stall_action);
	if (mi->stall_deadline > now && localtime_r(&t, &tm) &&
	    strftime(when, sizeof(when), "%H:%M:%S", &tm))
		printf(" at %s (in %s)", when,
		       duration_format_short(d, sizeof(d), mi->stall_deadline - now));
	else if (mi->stall_deadline)
		printf(" (due)");
	else
		printf(" (stalled)");
	putchar('\n');
}

/* The tasks that hold the stalled transition of P back (SUSE's "klp
 * blocking"), the stack for readers klpd shows it to. */
static void print_blockers(const struct patch_info *p)
{
	if (p->n_blockers == 0) {
		printf("    Blockers: none found (a task may be between two checks)\n");
		return;
	}
	for (size_t i = 0; i < p->n_blockers; i++)
		printf("%s %" PRIu32 " %s%s%s\n", i == 0 ? "    Blockers:" : "             ",
		       p->blockers[i].pid, p->blockers[i].comm, *p->blockers[i].stack ? " " : "",
		       p->blockers[i].stack);
}

/* " a b c" and the newline */
static void print_words(char **l)
{
	for (; *l; l++)
		printf(" %s", *l);
	putchar('\n');
}

static const struct patch_info *find_patch(const struct patch_info *l, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (streq(l[i].name, name))
			return &l[i];
	return NULL;
}

int cmd_status(sd_bus *bus, char **argv)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	struct manager_info mi = {};
	struct patch_info *l = NULL;
	size_t n = 0;
	int r;

	const struct patch_info *stalled = NULL;

	r = get_manager(bus, &mi, &error);
	if (r >= 0)
		r = get_patches(bus, &l, &n, &error);
	if (r < 0) {
		manager_info_done(&mi);
		return report("cannot get the status from klpd", &error, r);
	}
	if (streq(mi.state, KLPD_STATE_STALLED))
		stalled = find_patch(l, n, mi.transition_patch);

	if (arg_json) {
		struct json j = JSON_INIT(stdout);

		json_open_object(&j, NULL);
		json_string(&j, "version", mi.version);
		json_string(&j, "kernel_release", mi.kernel);
		json_bool(&j, "supported", mi.supported);
		json_string(&j, "state", mi.state);
		json_string(&j, "transition_patch", mi.transition_patch);
		json_bool(&j, "reboot_required", mi.reboot_required);
		json_strv(&j, "pinned_modules", mi.pinned);
		json_strv(&j, "skipped_at_boot", mi.skipped);
		json_string(&j, "stall_action", mi.stall_action);
		json_time(&j, "stall_deadline_usec", mi.stall_deadline);
		json_blockers(&j, "blockers", stalled ? stalled->blockers : NULL,
			      stalled ? stalled->n_blockers : 0);
		json_string(&j, "config_source", mi.config_source);
		json_bool(&j, "config_refused", mi.config_errors && *mi.config_errors);
		json_strv(&j, "config_errors", mi.config_errors);
		json_patches(&j, "patches", l, n);
		json_close_object(&j);
		json_end(&j);
	} else {
		printf("       State: %s%s%s%s%s", color_out(color_of_state(mi.state)), mi.state,
		       color_out_end(), *mi.transition_patch ? " (" : "",
		       *mi.transition_patch ? mi.transition_patch : "");
		if (*mi.transition_patch)
			printf(")");
		putchar('\n');
		if (*mi.stall_action)
			print_policy_plan(&mi);
		if (stalled)
			print_blockers(stalled);
		if (mi.config_errors && *mi.config_errors) {
			printf("      Config: %srefused%s, running on %s (see journalctl -u klpd)\n",
			       color_out(COLOR_RED), color_out_end(),
			       config_running_on(mi.config_source));
			for (char **e = mi.config_errors; *e; e++)
				print_config_error(*e);
		}
		printf("      Kernel: %s (livepatch %s)\n", mi.kernel,
		       mi.supported ? "supported" : "NOT supported");
		printf("      Reboot: %s%s%s\n", color_out(mi.reboot_required ? COLOR_RED : COLOR_NONE),
		       mi.reboot_required ? "required (modules pinned by forced transitions)"
					  : "not required",
		       color_out_end());
		if (mi.pinned && *mi.pinned) {
			printf("      Pinned:");
			print_words(mi.pinned);
		}
		if (mi.skipped && *mi.skipped) {
			printf("     Skipped:");
			print_words(mi.skipped);
			printf("              (at boot: the machine went down while loading; "
			       "load it, or klpctl clear-skip it, to end this)\n");
		}
		printf("        klpd: %s\n\n", mi.version);
		print_table(l, n);
	}
	free_patches(l, n);
	manager_info_done(&mi);
	return EXIT_OK;
}

int cmd_list(sd_bus *bus, char **argv)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	struct patch_info *l = NULL;
	size_t n = 0;
	int r;

	r = get_patches(bus, &l, &n, &error);
	if (r < 0)
		return report("cannot list patches", &error, r);
	if (arg_names) {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", l[i].name);
	} else if (arg_json) {
		struct json j = JSON_INIT(stdout);

		json_patches(&j, NULL, l, n);
		json_end(&j);
	} else
		print_table(l, n);
	free_patches(l, n);
	return EXIT_OK;
}

int cmd_show(sd_bus *bus, char **argv)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_free_ char *path = NULL;
	char norm[KLP_MODULE_NAME_MAX], age[DURATION_MAX];
	struct patch_info p = {};
	int r;

	if (module_name_normalize(argv[0], norm) < 0) {
		klpctl_error("'%s' is not a valid module name", argv[0]);
		return EXIT_USAGE;
	}
	r = sd_bus_path_encode(KLPD_PATCH_PATH_PREFIX, norm, &path);
	if (r < 0)
		return report("out of memory", NULL, r);
	r = bus_get_all(bus, path, KLPD_PATCH_INTERFACE, &error, &reply);
	if (r < 0) {
		if (error.name && streq(error.name, SD_BUS_ERROR_UNKNOWN_OBJECT)) {
			klpctl_error("no livepatch module '%s'", norm);
			return EXIT_NOT_FOUND;
		}
		return report("cannot read the patch", &error, r);
	}
	r = patch_info_read(reply, &p);
	if (r < 0 || !p.name) {
		patch_info_done(&p);
		klpctl_error("no livepatch module '%s'", norm);
		return EXIT_NOT_FOUND;
	}
	if (arg_json) {
		struct json j = JSON_INIT(stdout);

		json_patch(&j, &p);
		json_end(&j);
	} else {
		printf("        Name: %s\n", p.name);
		printf("       State: %s%s%s%s\n", color_out(color_of_state(p.state)), p.state,
		       color_out_end(), p.forced ? " (forced)" : "");
		printf("     Enabled: %s\n", yes_no(p.enabled));
		printf("  Transition: %s\n", yes_no(p.transition));
		printf("     Replace: %s\n", p.replace);
		if (p.stack_order)
			printf(" Stack order: %" PRIu32 "\n", p.stack_order);
		printf("    Refcount: %" PRIi32 "\n", p.refcount);
		printf("     Objects:");
		for (size_t i = 0; i < p.n_objects; i++)
			printf(" %s%s", p.objects[i].name, p.objects[i].patched ? "" : " (unpatched)");
		printf("%s\n", p.n_objects ? "" : " -");
		if (p.loaded_at)
			printf("      Loaded: %s ago\n", format_age(age, sizeof(age), p.loaded_at));
		else
			printf("      Loaded: unknown (not in the kernel log klpd read)\n");
		printf("      Source: %s\n", p.source && *p.source ? p.source : "-");
		if (p.health && *p.health && p.health_since)
			printf("      Health: %s%s%s, since %s ago\n",
			       color_out(streq(p.health, "faulty") ? COLOR_RED : COLOR_NONE), p.health,
			       color_out_end(), format_age(age, sizeof(age), p.health_since));
		else if (p.health && *p.health)
			printf("      Health: %s\n", p.health);
		if (p.n_blockers)
			print_blockers(&p);
	}
	patch_info_done(&p);
	return EXIT_OK;
}

/* One thing klpctl check found: its exit status, and what it says. */
struct finding {
	int code;
	const char *what;
	char detail[256];
};

static void find_add(struct finding *f, size_t *n, int code, const char *what, const char *detail)
{
	f[*n] = (struct finding){ .code = code, .what = what };
	snprintf(f[*n].detail, sizeof(f[*n].detail), "%s", detail);
	(*n)++;
}

static void join_words(char *buf, size_t size, char **l)
{
	size_t off = 0;

	buf[0] = '\0';
	for (; l && *l && off < size; l++)
		off += (size_t)snprintf(buf + off, size - off, "%s%s", off ? " " : "", *l);
}

int cmd_check(sd_bus *bus, char **argv)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	struct manager_info mi = {};
	struct finding f[8];
	char detail[256];
	size_t n = 0;
	int r, code = EXIT_OK;

	r = get_manager(bus, &mi, &error);
	if (r < 0) {
		manager_info_done(&mi);
		return report("cannot get the status from klpd", &error, r);
	}
	if (!mi.supported)
		find_add(f, &n, CHECK_UNSUPPORTED, "unsupported",
			 "the kernel has no livepatch support");
	if (streq(mi.state, KLPD_STATE_STALLED)) {
		snprintf(detail, sizeof(detail), "the transition of %s is stalled (klpctl status "
			 "shows what holds it back)", mi.transition_patch);
		find_add(f, &n, CHECK_STALLED, "stalled", detail);
	}
	if (mi.pinned && *mi.pinned) {
		join_words(detail, sizeof(detail), mi.pinned);
		find_add(f, &n, CHECK_PINNED, "pinned", detail);
	}
	if (mi.config_errors && *mi.config_errors)
		find_add(f, &n, CHECK_CONFIG_REFUSED, "config-refused",
			 "klpd refused its configuration files (klpd --check-config)");
	if (mi.skipped && *mi.skipped) {
		join_words(detail, sizeof(detail), mi.skipped);
		find_add(f, &n, CHECK_SKIPPED, "skipped-at-boot", detail);
	}
	if (streq(mi.state, "transition")) {
		snprintf(detail, sizeof(detail), "%s is in transition", mi.transition_patch);
		find_add(f, &n, CHECK_TRANSITION, "transition", detail);
	}
	/* the first found is the worst: the order of the list above */
	if (n)
		code = f[0].code;

	if (arg_json) {
		struct json j = JSON_INIT(stdout);

		json_open_object(&j, NULL);
		json_string(&j, "status", n ? f[0].what : "ok");
		json_uint(&j, "exit_status", (uint64_t)code);
		json_open_array(&j, "findings");
		for (size_t i = 0; i < n; i++) {
			json_open_object(&j, NULL);
			json_string(&j, "what", f[i].what);
			json_uint(&j, "exit_status", (uint64_t)f[i].code);
			json_string(&j, "detail", f[i].detail);
			json_close_object(&j);
		}
		json_close_array(&j);
		json_close_object(&j);
		json_end(&j);
	} else if (n == 0)
		printf("ok: %s, nothing wrong\n", mi.state);
	else
		for (size_t i = 0; i < n; i++)
			printf("%s: %s\n", f[i].what, f[i].detail);
	manager_info_done(&mi);
	return code;
}
