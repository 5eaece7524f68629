/* SPDX-License-Identifier: GPL-2.0-or-later */
/* klpctl: the command line of klpd, a thin client of org.klpd.livepatch1. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <fcntl.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <time.h>
#include <unistd.h>

#include "dbus-names.h"
#include "duration.h"
#include "macro.h"
#include "modinfo.h"
#include "names.h"
#include "progress.h"
#include "properties.h"
#include "terminal.h"
#include "utf8.h"

enum {
	EXIT_OK = 0,
	EXIT_OTHER = 1,
	EXIT_USAGE = 2,
	EXIT_NOT_FOUND = 3,
	EXIT_REFUSED = 4,
	EXIT_TIMEOUT = 5,
};

static bool arg_json;
static bool arg_wait;
static bool arg_names;
static bool arg_no_color;
static uint64_t arg_timeout = USEC_INFINITY;

struct command {
	const char *name;
	const char *args;
	int min_args, max_args;
	bool waits; /* takes --wait/--timeout */
	int (*run)(sd_bus *bus, char **argv);
	const char *help;
};

/* --- output helpers */

/* Text klpctl did not write itself (names, messages, anything from the bus)
 * is escaped (lib/utf8.h) before it is shown: valid UTF-8 for JSON, and no
 * control character reaches the terminal. Into a buffer of SIZE bytes, cut
 * between two characters when it is too long. */
static void text_copy(char *dst, size_t size, const char *s)
{
	utf8_escape(dst, size, strempty(s), strlen(strempty(s)));
}

/* S is escaped first, so only '"' and '\\' are left to quote. */
static void json_string(const char *s)
{
	_cleanup_free_ char *text = utf8_escape_dup(strempty(s));

	putchar('"');
	for (const char *c = text ? text : ""; *c; c++) {
		if (*c == '"' || *c == '\\')
			putchar('\\');
		putchar(*c);
	}
	putchar('"');
}

/* {"patch":NAME,"path":PATH}: what load, install and uninstall print. */
static void json_patch_path(const char *name, const char *path)
{
	printf("{\"patch\":");
	json_string(name);
	printf(",\"path\":");
	json_string(path);
	printf("}\n");
}

static int error_exit_code(const sd_bus_error *e, int r)
{
	if (!e || !e->name)
		return r == -ETIMEDOUT ? EXIT_TIMEOUT : EXIT_OTHER;
	if (streq(e->name, KLPD_ERROR_NO_SUCH_PATCH) || streq(e->name, SD_BUS_ERROR_UNKNOWN_OBJECT))
		return EXIT_NOT_FOUND;
	if (strncmp(e->name, KLPD_ERROR_PREFIX, strlen(KLPD_ERROR_PREFIX)) == 0 ||
	    streq(e->name, SD_BUS_ERROR_ACCESS_DENIED) || streq(e->name, SD_BUS_ERROR_INVALID_ARGS))
		return EXIT_REFUSED;
	if (streq(e->name, SD_BUS_ERROR_TIMEOUT) || streq(e->name, SD_BUS_ERROR_NO_REPLY))
		return EXIT_TIMEOUT;
	return EXIT_OTHER;
}

static int report(const char *what, const sd_bus_error *e, int r)
{
	const char *name = e && e->name ? e->name : NULL;

	if (name && strncmp(name, KLPD_ERROR_PREFIX, strlen(KLPD_ERROR_PREFIX)) == 0)
		name += strlen(KLPD_ERROR_PREFIX);
	/* The bus's own refusal names no rule a user would understand. */
	if (name && streq(name, SD_BUS_ERROR_ACCESS_DENIED))
		klpctl_error("%s: permission denied: only root with CAP_SYS_MODULE may "
			     "change livepatches",
			     what);
	klpctl_error("%s: %s%s%s%s", what,
		     e && e->message ? e->message : strerror(r < 0 ? -r : EIO), name ? " (" : "",
		     strempty(name), name ? ")" : "");
	return error_exit_code(e, r);
}

/* --- reading klpd's objects */

struct patch_info {
	char *path;
	char *name, *state, *replace, *source;
	int enabled, transition, forced;
	uint32_t stack_order;
	int32_t refcount;
	uint64_t loaded_at;
	char objects[512];
	struct {
		uint32_t pid;
		char comm[64]; /* escaped, like everything read from the bus */
		char stack[128];
	} blockers[16];
	size_t n_blockers;
};

static void patch_info_done(struct patch_info *p)
{
	free(p->path);
	free(p->name);
	free(p->state);
	free(p->replace);
	free(p->source);
}

static int read_string_dup(sd_bus_message *m, char **ret)
{
	const char *s;
	int r = sd_bus_message_read(m, "s", &s);

	if (r < 0)
		return r;
	free(*ret);
	*ret = utf8_escape_dup(s);
	return *ret ? 0 : -ENOMEM;
}

/* a{sv} of org.klpd.livepatch1.Patch */
static int read_patch_properties(sd_bus_message *m, struct patch_info *p)
{
	int r;

	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		const char *key, *sig;
		int b;

		r = sd_bus_message_read(m, "s", &key);
		if (r < 0)
			return r;
		r = sd_bus_message_peek_type(m, NULL, &sig);
		if (r < 0)
			return r;
		r = sd_bus_message_enter_container(m, 'v', sig);
		if (r < 0)
			return r;
		if (streq(key, "Name"))
			r = read_string_dup(m, &p->name);
		else if (streq(key, "State"))
			r = read_string_dup(m, &p->state);
		else if (streq(key, "Replace"))
			r = read_string_dup(m, &p->replace);
		else if (streq(key, "Source"))
			r = read_string_dup(m, &p->source);
		else if (streq(key, "Enabled") && (r = sd_bus_message_read(m, "b", &b)) >= 0)
			p->enabled = b;
		else if (streq(key, "Transition") && (r = sd_bus_message_read(m, "b", &b)) >= 0)
			p->transition = b;
		else if (streq(key, "Forced") && (r = sd_bus_message_read(m, "b", &b)) >= 0)
			p->forced = b;
		else if (streq(key, "StackOrder"))
			r = sd_bus_message_read(m, "u", &p->stack_order);
		else if (streq(key, "Refcount"))
			r = sd_bus_message_read(m, "i", &p->refcount);
		else if (streq(key, "LoadedAt"))
			r = sd_bus_message_read(m, "t", &p->loaded_at);
		else if (streq(key, "Objects")) {
			const char *o;
			size_t off = 0;

			char name[128];

			r = sd_bus_message_enter_container(m, 'a', "(sb)");
			while (r >= 0 && (r = sd_bus_message_read(m, "(sb)", &o, &b)) > 0) {
				text_copy(name, sizeof(name), o);
				off += (size_t)snprintf(p->objects + off,
							off < sizeof(p->objects) ? sizeof(p->objects) - off : 0,
							"%s%s%s", off ? " " : "", name, b ? "" : "(unpatched)");
			}
			if (r >= 0)
				r = sd_bus_message_exit_container(m);
		} else if (streq(key, "Blockers")) {
			uint32_t pid;
			const char *comm, *stack;

			r = sd_bus_message_enter_container(m, 'a', "(uss)");
			while (r >= 0 && (r = sd_bus_message_read(m, "(uss)", &pid, &comm, &stack)) > 0) {
				if (p->n_blockers >= ELEMENTSOF(p->blockers))
					continue;
				p->blockers[p->n_blockers].pid = pid;
				text_copy(p->blockers[p->n_blockers].comm,
					  sizeof(p->blockers[0].comm), comm);
				text_copy(p->blockers[p->n_blockers].stack,
					  sizeof(p->blockers[0].stack), stack);
				p->n_blockers++;
			}
			if (r >= 0)
				r = sd_bus_message_exit_container(m);
		} else
			r = sd_bus_message_skip(m, sig);
		if (r < 0)
			return r;
		r = sd_bus_message_exit_container(m); /* v */
		if (r < 0)
			return r;
		r = sd_bus_message_exit_container(m); /* e */
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

static int get_patches(sd_bus *bus, struct patch_info **ret, size_t *ret_n, sd_bus_error *error)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	struct patch_info *list = NULL;
	size_t n = 0;
	int r;

	r = sd_bus_call_method(bus, KLPD_BUS_NAME, KLPD_MANAGER_PATH,
			       "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", error,
			       &reply, NULL);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
	while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
		const char *path, *iface;
		struct patch_info *l;

		r = sd_bus_message_read(reply, "o", &path);
		if (r < 0)
			break;
		l = realloc(list, (n + 1) * sizeof(*l));
		if (!l) {
			r = -ENOMEM;
			break;
		}
		list = l;
		list[n] = (struct patch_info){ .path = strdup(path) };
		n++;
		r = sd_bus_message_enter_container(reply, 'a', "{sa{sv}}");
		while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sa{sv}")) > 0) {
			r = sd_bus_message_read(reply, "s", &iface);
			if (r >= 0)
				r = streq(iface, KLPD_PATCH_INTERFACE)
					    ? read_patch_properties(reply, &list[n - 1])
					    : sd_bus_message_skip(reply, "a{sv}");
			if (r >= 0)
				r = sd_bus_message_exit_container(reply);
		}
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
		if (r >= 0 && !list[n - 1].name) /* not a patch object */
			patch_info_done(&list[--n]);
	}
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			patch_info_done(&list[i]);
		free(list);
		return r;
	}
	*ret = list;
	*ret_n = n;
	return 0;
}

static void free_patches(struct patch_info *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		patch_info_done(&l[i]);
	free(l);
}

static char *format_age(char *buf, size_t size, uint64_t loaded_at)
{
	struct timespec ts;
	uint64_t now;

	if (loaded_at == 0)
		return strcpy(buf, "-");
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
	return duration_format_short(buf, size, now > loaded_at ? now - loaded_at : 0);
}

static void print_patch_json(const struct patch_info *p)
{
	printf("{\"name\":");
	json_string(p->name);
	printf(",\"state\":");
	json_string(p->state);
	printf(",\"enabled\":%s,\"transition\":%s,\"replace\":", p->enabled ? "true" : "false",
	       p->transition ? "true" : "false");
	json_string(p->replace);
	printf(",\"stack_order\":%" PRIu32 ",\"refcount\":%" PRIi32
	       ",\"forced\":%s,\"loaded_at_usec\":%" PRIu64 ",\"source\":",
	       p->stack_order, p->refcount, p->forced ? "true" : "false", p->loaded_at);
	json_string(p->source);
	printf(",\"objects\":");
	json_string(p->objects);
	printf(",\"blockers\":[");
	for (size_t i = 0; i < p->n_blockers; i++) {
		printf("%s{\"pid\":%" PRIu32 ",\"comm\":", i ? "," : "", p->blockers[i].pid);
		json_string(p->blockers[i].comm);
		printf(",\"stack\":");
		json_string(p->blockers[i].stack);
		printf("}");
	}
	printf("]}");
}

static void print_table(const struct patch_info *l, size_t n)
{
	char age[DURATION_MAX];

	if (n == 0) {
		printf("No livepatch modules loaded.\n");
		return;
	}
	printf("%-32s %-11s %-7s %-8s %-10s %s\n", "NAME", "STATE", "ENABLED", "REFCOUNT", "AGE",
	       "SOURCE");
	/* the colour goes around the padded field, so that columns stay put */
	for (size_t i = 0; i < n; i++)
		printf("%-32s %s%-11s%s %-7s %-8" PRIi32 " %-10s %s\n", l[i].name,
		       color_out(color_of_state(l[i].state)), l[i].state, color_out_end(),
		       yes_no(l[i].enabled), l[i].refcount,
		       format_age(age, sizeof(age), l[i].loaded_at),
		       l[i].source && *l[i].source ? l[i].source : "-");
}

/* --- commands */

struct manager_info {
	char *version, *kernel, *state, *transition_patch, *stall_action;
	char *config_source; /* "files", "last-valid", "defaults"; "" from an older klpd */
	char **config_errors; /* while the configuration files are refused */
	int supported, reboot_required;
	uint64_t stall_deadline; /* usec, CLOCK_REALTIME; 0: none or already stalled */
	char pinned[512];
	char skipped[512]; /* SkippedAtBoot */
};

static void join_words(char *buf, size_t size, char **words)
{
	for (char **p = words; p && *p; p++) {
		size_t len = strlen(buf);

		if (p != words && len + 1 < size)
			buf[len++] = ' ';
		text_copy(buf + len, size - len, *p);
	}
}

/* One property of GetAll's reply, the message at its value (variant entered). */
static int read_manager_property(sd_bus_message *m, const char *key, const char *sig,
				 void *userdata)
{
	struct manager_info *mi = userdata;
	static const char *const strings[] = { "Version",	  "KernelRelease",
					       "State",		  "TransitionPatch",
					       "StallAction",	  "ConfigurationSource" };
	char **dst[] = { &mi->version,		    &mi->kernel,       &mi->state,
			 &mi->transition_patch, &mi->stall_action, &mi->config_source };
	_cleanup_strv_free_ char **words = NULL;
	const char *v;
	int r;

	for (size_t i = 0; i < ELEMENTSOF(strings); i++)
		if (streq(key, strings[i])) {
			r = sd_bus_message_read(m, "s", &v);
			if (r < 0)
				return r;
			free(*dst[i]);
			*dst[i] = utf8_escape_dup(v);
			return *dst[i] ? 0 : -ENOMEM;
		}
	if (streq(key, "Supported"))
		return sd_bus_message_read(m, "b", &mi->supported);
	if (streq(key, "RebootRequired"))
		return sd_bus_message_read(m, "b", &mi->reboot_required);
	if (streq(key, "StallDeadline"))
		return sd_bus_message_read(m, "t", &mi->stall_deadline);
	if (streq(key, "ConfigurationErrors")) {
		strv_free(mi->config_errors);
		mi->config_errors = NULL;
		return sd_bus_message_read_strv(m, &mi->config_errors);
	}
	if (streq(key, "PinnedModules") || streq(key, "SkippedAtBoot")) {
		r = sd_bus_message_read_strv(m, &words);
		if (r < 0)
			return r;
		if (streq(key, "PinnedModules"))
			join_words(mi->pinned, sizeof(mi->pinned), words);
		else
			join_words(mi->skipped, sizeof(mi->skipped), words);
		return 0;
	}
	return sd_bus_message_skip(m, sig);
}

/* The manager's properties in one round trip. */
static int get_manager(sd_bus *bus, struct manager_info *mi, sd_bus_error *error)
{
	char **strings[] = { &mi->version,	    &mi->kernel,	&mi->state,
			     &mi->transition_patch, &mi->stall_action, &mi->config_source };
	int r;

	r = properties_get_all(bus, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE, error,
			       read_manager_property, mi);
	if (r < 0)
		return r;
	/* A property this klpd does not have reads as the empty string. */
	for (size_t i = 0; i < ELEMENTSOF(strings); i++)
		if (!*strings[i] && !(*strings[i] = strdup("")))
			return -ENOMEM;
	return 0;
}

static void manager_info_done(struct manager_info *mi)
{
	free(mi->version);
	free(mi->kernel);
	free(mi->state);
	free(mi->transition_patch);
	free(mi->stall_action);
	free(mi->config_source);
	strv_free(mi->config_errors);
}

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
	struct timespec ts;
	uint64_t now;
	char when[16], d[DURATION_MAX];
	time_t t = (time_t)(mi->stall_deadline / USEC_PER_SEC);
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
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

/* A JSON array of the space-separated WORDS. */
static void json_words(const char *words)
{
	char *save = NULL, *tok, buf[512];

	snprintf(buf, sizeof(buf), "%s", words);
	putchar('[');
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (tok != buf)
			putchar(',');
		json_string(tok);
	}
	putchar(']');
}

static int cmd_status(sd_bus *bus, char **argv)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	struct manager_info mi = {};
	struct patch_info *l = NULL;
	size_t n = 0;
	int r;

	r = get_manager(bus, &mi, &error);
	if (r >= 0)
		r = get_patches(bus, &l, &n, &error);
	if (r < 0) {
		manager_info_done(&mi);
		return report("cannot get the status from klpd", &error, r);
	}

	if (arg_json) {
		printf("{\"version\":");
		json_string(mi.version);
		printf(",\"kernel_release\":");
		json_string(mi.kernel);
		printf(",\"supported\":%s,\"state\":", mi.supported ? "true" : "false");
		json_string(mi.state);
		printf(",\"transition_patch\":");
		json_string(mi.transition_patch);
		printf(",\"reboot_required\":%s,\"pinned_modules\":",
		       mi.reboot_required ? "true" : "false");
		json_words(mi.pinned);
		printf(",\"skipped_at_boot\":");
		json_words(mi.skipped);
		printf(",\"stall_action\":");
		json_string(mi.stall_action);
		printf(",\"stall_deadline\":%" PRIu64, mi.stall_deadline);
		printf(",\"config_source\":");
		json_string(mi.config_source);
		printf(",\"config_refused\":%s,\"config_errors\":[",
		       mi.config_errors && *mi.config_errors ? "true" : "false");
		for (char **e = mi.config_errors; e && *e; e++) {
			if (e != mi.config_errors)
				putchar(',');
			json_string(*e);
		}
		putchar(']');
		printf(",\"patches\":[");
		for (size_t i = 0; i < n; i++) {
			if (i)
				putchar(',');
			print_patch_json(&l[i]);
		}
		printf("]}\n");
	} else {
		printf("       State: %s%s%s%s%s", color_out(color_of_state(mi.state)), mi.state,
		       color_out_end(), *mi.transition_patch ? " (" : "",
		       *mi.transition_patch ? mi.transition_patch : "");
		if (*mi.transition_patch)
			printf(")");
		putchar('\n');
		if (*mi.stall_action)
			print_policy_plan(&mi);
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
		if (*mi.pinned)
			printf("      Pinned: %s\n", mi.pinned);
		if (*mi.skipped)
			printf("     Skipped: %s (at boot: the machine went down while loading; "
			       "load it, or klpctl clear-skip it, to end this)\n",
			       mi.skipped);
		printf("        klpd: %s\n\n", mi.version);
		print_table(l, n);
	}
	free_patches(l, n);
	manager_info_done(&mi);
	return EXIT_OK;
}

static int cmd_list(sd_bus *bus, char **argv)
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
		putchar('[');
		for (size_t i = 0; i < n; i++) {
			if (i)
				putchar(',');
			print_patch_json(&l[i]);
		}
		printf("]\n");
	} else
		print_table(l, n);
	free_patches(l, n);
	return EXIT_OK;
}

static int cmd_show(sd_bus *bus, char **argv)
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
	r = sd_bus_call_method(bus, KLPD_BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll",
			       &error, &reply, "s", KLPD_PATCH_INTERFACE);
	if (r < 0) {
		if (error.name && streq(error.name, SD_BUS_ERROR_UNKNOWN_OBJECT)) {
			klpctl_error("no livepatch module '%s'", norm);
			return EXIT_NOT_FOUND;
		}
		return report("cannot read the patch", &error, r);
	}
	r = read_patch_properties(reply, &p);
	if (r < 0 || !p.name) {
		patch_info_done(&p);
		klpctl_error("no livepatch module '%s'", norm);
		return EXIT_NOT_FOUND;
	}
	if (arg_json) {
		print_patch_json(&p);
		putchar('\n');
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
		printf("     Objects: %s\n", *p.objects ? p.objects : "-");
		printf("      Loaded: %s ago\n", format_age(age, sizeof(age), p.loaded_at));
		printf("      Source: %s\n", p.source && *p.source ? p.source : "-");
		for (size_t i = 0; i < p.n_blockers; i++)
			/* the stack only for readers klpd shows it to */
			printf("%s %" PRIu32 " %s%s%s\n", i == 0 ? "    Blockers:" : "             ",
			       p.blockers[i].pid, p.blockers[i].comm, *p.blockers[i].stack ? " " : "",
			       p.blockers[i].stack);
	}
	patch_info_done(&p);
	return EXIT_OK;
}

/* --- waiting for a transition's end, by its signal */

struct waiter {
	char name[KLP_MODULE_NAME_MAX];
	bool done;
	char failed[512]; /* LoadFailed's message: the queued load never started */
	char how[32];
	char target[32];
	uint64_t usec;
};

static int on_finished(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct waiter *w = userdata;
	const char *member = sd_bus_message_get_member(m);
	const char *patch, *target, *how, *source, *message;
	uint64_t usec;

	if (member && streq(member, "LoadFailed")) {
		if (sd_bus_message_read(m, "sss", &patch, &source, &message) < 0 ||
		    !streq(patch, w->name))
			return 0;
		w->done = true;
		text_copy(w->failed, sizeof(w->failed), message);
		return 0;
	}
	if (!member || !streq(member, "TransitionFinished"))
		return 0;
	if (sd_bus_message_read(m, "ssst", &patch, &target, &how, &usec) < 0)
		return 0;
	if (!streq(patch, w->name))
		return 0;
	w->done = true;
	text_copy(w->how, sizeof(w->how), how);
	text_copy(w->target, sizeof(w->target), target);
	w->usec = usec;
	return 0;
}

static int wait_setup(sd_bus *bus, struct waiter *w, sd_bus_slot **slot)
{
	/* TransitionFinished, or LoadFailed for a queued load */
	return sd_bus_match_signal(bus, slot, KLPD_BUS_NAME, KLPD_MANAGER_PATH,
				   KLPD_MANAGER_INTERFACE, NULL, on_finished, w);
}

static uint64_t now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

/* The live progress line: for a person at a terminal, never for a program. */
static struct progress *progress_start(sd_bus *bus, const char *patch)
{
	struct progress *p = NULL;

	if (arg_json || !isatty(STDERR_FILENO))
		return NULL;
	if (progress_new(bus, patch, &p) < 0)
		return NULL; /* the wait works without it */
	return p;
}

/* Follow the signal; no polling: sd_bus_wait sleeps until a message comes
 * (or until the progress line's clock wants a redraw). */
static int wait_finished(sd_bus *bus, struct waiter *w)
{
	uint64_t deadline = arg_timeout == USEC_INFINITY ? USEC_INFINITY : now_mono() + arg_timeout;
	_cleanup_(progress_freep) struct progress *progress = progress_start(bus, w->name);
	char d[DURATION_MAX];

	while (!w->done) {
		uint64_t now = now_mono(), sleep;
		int r;

		r = sd_bus_process(bus, NULL);
		if (r < 0) {
			klpctl_error("lost the bus: %s", strerror(-r));
			return EXIT_OTHER;
		}
		if (r > 0)
			continue;
		if (now >= deadline) {
			klpctl_error("timed out waiting for the transition of '%s'",
				     w->name);
			return EXIT_TIMEOUT;
		}
		sleep = deadline == USEC_INFINITY ? UINT64_MAX : deadline - now;
		if (progress) {
			uint64_t redraw = progress_update(progress);

			if (redraw < sleep)
				sleep = redraw;
		}
		r = sd_bus_wait(bus, sleep);
		if (r < 0 && r != -EINTR) {
			klpctl_error("waiting failed: %s", strerror(-r));
			return EXIT_OTHER;
		}
	}
	progress = progress_free(progress);
	if (*w->failed) {
		if (arg_json) {
			printf("{\"patch\":");
			json_string(w->name);
			printf(",\"how\":\"failed\",\"message\":");
			json_string(w->failed);
			printf("}\n");
		} else
			klpctl_error("the queued load of '%s' failed: %s", w->name, w->failed);
		return EXIT_REFUSED;
	}
	if (arg_json) {
		printf("{\"patch\":");
		json_string(w->name);
		printf(",\"target\":");
		json_string(w->target);
		printf(",\"how\":");
		json_string(w->how);
		printf(",\"usec\":%" PRIu64 "}\n", w->usec);
	} else
		printf("Transition of '%s' to %s %s%s%s after %s.\n", w->name, w->target,
		       color_out(color_of_state(w->how)), w->how, color_out_end(),
		       duration_format_short(d, sizeof(d), w->usec));
	return streq(w->how, KLPD_HOW_REVERTED) ? EXIT_REFUSED : EXIT_OK;
}

static int cmd_load(sd_bus *bus, char **argv)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	_cleanup_free_ char *abs = NULL, *name = NULL;
	struct waiter w = {};
	const char *source = argv[0], *path;
	int r;

	/* A file given relative to here: klpd needs it absolute. */
	if (source[0] != '/' && (strchr(source, '/') || strstr(source, ".ko"))) {
		abs = realpath(source, NULL);
		if (!abs) {
			klpctl_error("cannot find '%s': %m", source);
			return EXIT_NOT_FOUND;
		}
		source = abs;
	}
	if (arg_wait && (r = wait_setup(bus, &w, &slot)) < 0)
		return report("cannot subscribe to klpd's signals", NULL, r);

	r = sd_bus_call_method(bus, KLPD_BUS_NAME, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE, "Load",
			       &error, &reply, "st", source, UINT64_C(0));
	if (r < 0)
		return report("load failed", &error, r);
	r = sd_bus_message_read(reply, "o", &path);
	if (r < 0)
		return report("bad reply from klpd", NULL, r);
	r = sd_bus_path_decode(path, KLPD_PATCH_PATH_PREFIX, &name);
	if (r <= 0)
		return report("bad reply from klpd", NULL, r < 0 ? r : -EBADMSG);
	if (!arg_wait) {
		if (arg_json)
			json_patch_path(name, path);
		else
			printf("Loading '%s' (%s).\n", name, path);
		return EXIT_OK;
	}
	snprintf(w.name, sizeof(w.name), "%s", name);
	return wait_finished(bus, &w);
}

static int call_name(sd_bus *bus, const char *method, const char *name, const char *what)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	int r;

	r = sd_bus_call_method(bus, KLPD_BUS_NAME, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE, method,
			       &error, NULL, "s", name);
	if (r < 0)
		return report(what, &error, r);
	return EXIT_OK;
}

static int cmd_disable(sd_bus *bus, char **argv)
{
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	char norm[KLP_MODULE_NAME_MAX];
	struct waiter w = {};
	int r;

	if (module_name_normalize(argv[0], norm) < 0) {
		klpctl_error("'%s' is not a valid module name", argv[0]);
		return EXIT_USAGE;
	}
	snprintf(w.name, sizeof(w.name), "%s", norm);
	if (arg_wait && (r = wait_setup(bus, &w, &slot)) < 0)
		return report("cannot subscribe to klpd's signals", NULL, r);
	r = call_name(bus, "Disable", norm, "disable failed");
	if (r != EXIT_OK || !arg_wait)
		return r;
	return wait_finished(bus, &w);
}

static int cmd_revert(sd_bus *bus, char **argv)
{
	return call_name(bus, "Revert", argv[0], "revert failed");
}

static int cmd_force(sd_bus *bus, char **argv)
{
	return call_name(bus, "Force", argv[0], "force failed");
}

static int cmd_unload(sd_bus *bus, char **argv)
{
	return call_name(bus, "Unload", argv[0], "unload failed");
}

static int cmd_clear_skip(sd_bus *bus, char **argv)
{
	char norm[KLP_MODULE_NAME_MAX];
	int r;

	if (module_name_normalize(argv[0], norm) < 0) {
		fprintf(stderr, "klpctl: '%s' is not a valid module name\n", argv[0]);
		return EXIT_USAGE;
	}
	r = call_name(bus, "ClearSkippedAtBoot", norm, "clear-skip failed");
	if (r == EXIT_OK && !arg_json)
		printf("'%s' is no longer skipped: the next boot loads it.\n", norm);
	return r;
}

static int cmd_reload(sd_bus *bus, char **argv)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	int r;

	r = sd_bus_call_method(bus, KLPD_BUS_NAME, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE,
			       "Reload", &error, NULL, NULL);
	if (r < 0)
		return report("reload failed", &error, r);
	return EXIT_OK;
}

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
		printf("{\"signal\":");
		json_string(member);
		printf(",\"args\":[");
		json_string(a);
		if (*b) {
			putchar(',');
			json_string(b);
		}
		if (*c) {
			putchar(',');
			json_string(c);
		}
		if (t)
			printf(",%" PRIu64, t);
		printf("]}\n");
	} else
		printf("%s %s%s%s%s%s%s%s\n", member, a, *b ? " " : "", b, *c ? " " : "", c,
		       t ? " " : "", t ? duration_format_short(d, sizeof(d), t) : "");
	fflush(stdout);
	return 0;
}

static int cmd_monitor(sd_bus *bus, char **argv)
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

/* --- install and uninstall: file operations of root, klpd only says where */

/* The largest module file install copies: far above any livepatch. */
#define MODULE_FILE_MAX (256u << 20)

static int need_root(const char *what)
{
	if (geteuid() == 0)
		return 0;
	klpctl_error("%s must run as root: it changes the patch directory", what);
	return -EPERM;
}

/* <first patch directory>/<uname -r>, as klpd is configured. */
static int release_dir(sd_bus *bus, char **ret)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_strv_free_ char **dirs = NULL;
	struct utsname u;
	int r;

	r = sd_bus_get_property_strv(bus, KLPD_BUS_NAME, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE,
				     "PatchDirectories", &error, &dirs);
	if (r < 0)
		return report("cannot ask klpd for its patch directories", &error, r);
	if (!dirs || !dirs[0]) {
		klpctl_error("klpd has no patch directory (PatchDirectories=)");
		return EXIT_REFUSED;
	}
	if (uname(&u) < 0 || asprintf(ret, "%s/%s", dirs[0], u.release) < 0) {
		klpctl_error("out of memory");
		return EXIT_OTHER;
	}
	return EXIT_OK;
}

static int read_module_file(const char *file, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	struct stat st;

	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		klpctl_error("cannot open '%s': %m", file);
		return EXIT_NOT_FOUND;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > MODULE_FILE_MAX) {
		klpctl_error("'%s' is not a module file (not a regular file of 1 byte "
			     "to 256 MiB)",
			     file);
		return EXIT_REFUSED;
	}
	buf = malloc((size_t)st.st_size);
	if (!buf) {
		klpctl_error("out of memory");
		return EXIT_OTHER;
	}
	while (len < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + len, (size_t)st.st_size - len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			klpctl_error("cannot read '%s': %s", file,
				     k < 0 ? strerror(errno) : "it shrank while being read");
			return EXIT_OTHER;
		}
		len += (size_t)k;
	}
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return EXIT_OK;
}

/* Write BUF as DIR/FILE: a temporary file in DIR, root-owned 0644, fsync,
 * rename over FILE, fsync of DIR. Never a half-written module. */
static int write_atomic(const char *dir, const char *file, const char *buf, size_t len)
{
	_cleanup_free_ char *tmp = NULL, *path = NULL;
	_cleanup_close_ int fd = -1, dfd = -1;
	size_t done = 0;
	int r = 0;

	if (asprintf(&tmp, "%s/.%s.XXXXXX", dir, file) < 0 ||
	    asprintf(&path, "%s/%s", dir, file) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t k = write(fd, buf + done, len - done);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = -errno;
			break;
		}
		done += (size_t)k;
	}
	if (r == 0 && (fchown(fd, 0, 0) < 0 || fchmod(fd, 0644) < 0 || fsync(fd) < 0 ||
		       rename(tmp, path) < 0))
		r = -errno;
	if (r < 0) {
		(void)unlink(tmp);
		return r;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		(void)fsync(dfd);
	return 0;
}

/* mkdir -p of the last two components: the patch directory may be new. */
static int make_release_dir(const char *dir)
{
	_cleanup_free_ char *parent = strdup(dir);
	char *slash;

	if (!parent)
		return -ENOMEM;
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		if (mkdir(parent, 0755) < 0 && errno != EEXIST)
			return -errno;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int cmd_install(sd_bus *bus, char **argv)
{
	_cleanup_free_ char *buf = NULL, *dir = NULL, *file = NULL, *path = NULL;
	char name[KLP_MODULE_NAME_MAX], raw[KLP_MODULE_NAME_MAX];
	const char *release;
	struct modinfo mi;
	size_t len;
	int r;

	if (need_root("install") < 0)
		return EXIT_REFUSED;
	r = read_module_file(argv[0], &buf, &len);
	if (r != EXIT_OK)
		return r;
	if (modinfo_parse(buf, len, &mi) < 0) {
		klpctl_error("'%s' is not a kernel module (no .modinfo section in an ELF64 "
			     "object; compressed modules are not supported)",
			     argv[0]);
		return EXIT_REFUSED;
	}
	if (!mi.livepatch) {
		klpctl_error("'%s' is not a livepatch module (no livepatch=Y in its "
			     "modinfo)",
			     argv[0]);
		return EXIT_REFUSED;
	}
	if (modinfo_module_name(&mi, argv[0], raw, name) < 0) {
		klpctl_error("'%s' has an invalid module name '%s'", argv[0], raw);
		return EXIT_REFUSED;
	}

	r = release_dir(bus, &dir);
	if (r != EXIT_OK)
		return r;
	release = strrchr(dir, '/') + 1;
	if (!modinfo_vermagic_matches(mi.vermagic, release)) {
		klpctl_error("'%s' is built for another kernel (vermagic '%s', running %s)",
			     argv[0], mi.vermagic, release);
		return EXIT_REFUSED;
	}
	if (asprintf(&file, "%s.ko", name) < 0 || asprintf(&path, "%s/%s", dir, file) < 0)
		return EXIT_OTHER;
	r = make_release_dir(dir);
	if (r >= 0)
		r = write_atomic(dir, file, buf, len);
	if (r < 0) {
		klpctl_error("cannot install '%s' as %s: %s", argv[0], path,
			     strerror(-r));
		return EXIT_OTHER;
	}
	if (arg_json)
		json_patch_path(name, path);
	else
		printf("Installed '%s' as %s.\n", name, path);
	return EXIT_OK;
}

static int cmd_uninstall(sd_bus *bus, char **argv)
{
	_cleanup_free_ char *dir = NULL, *path = NULL;
	_cleanup_close_ int dfd = -1;
	char name[KLP_MODULE_NAME_MAX];
	int r;

	if (module_name_normalize(argv[0], name) < 0) {
		klpctl_error("'%s' is not a valid module name", argv[0]);
		return EXIT_USAGE;
	}
	if (need_root("uninstall") < 0)
		return EXIT_REFUSED;
	r = release_dir(bus, &dir);
	if (r != EXIT_OK)
		return r;
	if (asprintf(&path, "%s/%s.ko", dir, name) < 0)
		return EXIT_OTHER;
	if (unlink(path) < 0) {
		klpctl_error("cannot remove %s: %m", path);
		return errno == ENOENT ? EXIT_NOT_FOUND : EXIT_OTHER;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		(void)fsync(dfd);
	if (arg_json)
		json_patch_path(name, path);
	else
		printf("Removed %s; a loaded '%s' stays loaded.\n", path, name);
	return EXIT_OK;
}

static const struct command commands[] = {
	{ "status", "", 0, 0, false, cmd_status,
	  "Show klpd's state, the kernel's support, and every livepatch module." },
	{ "list", "", 0, 0, false, cmd_list,
	  "List the livepatch modules as a table, or with --names their names\n"
	  "alone, one a line (what shell completion uses)." },
	{ "show", "NAME", 1, 1, false, cmd_show, "Show one livepatch module in detail." },
	{ "load", "FILE|NAME", 1, 1, true, cmd_load,
	  "Load a livepatch module: a NAME from the patch directories, or a FILE\n"
	  "inside one. Queued by klpd while another transition runs." },
	{ "disable", "NAME", 1, 1, true, cmd_disable,
	  "Disable a patch: its tasks transition back to the unpatched code." },
	{ "revert", "NAME", 1, 1, false, cmd_revert,
	  "Reverse the transition NAME is in (back to where it came from)." },
	{ "force", "NAME", 1, 1, false, cmd_force,
	  "Force the transition NAME is in. May pin modules until reboot." },
	{ "unload", "MODULE", 1, 1, false, cmd_unload,
	  "Remove a livepatch module whose patch is gone (disabled or replaced)." },
	{ "clear-skip", "MODULE", 1, 1, false, cmd_clear_skip,
	  "Let the next boot load a module the crash-loop guard skips, without\n"
	  "loading it now (see SkippedAtBoot in 'klpctl status')." },
	{ "reload", "", 0, 0, false, cmd_reload, "Make klpd re-read its configuration and state." },
	{ "monitor", "", 0, 0, false, cmd_monitor, "Print klpd's signals as they come." },
	{ "install", "FILE", 1, 1, false, cmd_install,
	  "Copy a livepatch module into the patch directory (as root).\n"
	  "It goes to <first patch directory>/<uname -r>/NAME.ko, atomically,\n"
	  "root-owned 0644, and is not loaded." },
	{ "uninstall", "NAME", 1, 1, false, cmd_uninstall,
	  "Remove an installed module from the patch directory (as root).\n"
	  "A loaded module stays loaded." },
};

static void help_exit_codes(void)
{
	printf("\nExit status:\n"
	       "  0  success\n"
	       "  1  other failure (klpd not reachable, bus errors)\n"
	       "  2  usage error\n"
	       "  3  no such patch or module\n"
	       "  4  refused or failed (a named klpd error; a --wait that ended reverted)\n"
	       "  5  timed out waiting (--timeout)\n");
}

static void help_command(const struct command *c)
{
	printf("Usage: klpctl [--json] %s%s%s%s%s\n\n%s\n", c->name, *c->args ? " " : "",
	       c->args, c->waits ? " [--wait] [--timeout DURATION]" : "",
	       streq(c->name, "list") ? " [--names]" : "", c->help);
	if (c->waits)
		printf("\n  --wait              Return when the transition has ended, saying how\n"
		       "  --timeout DURATION  Give up waiting after DURATION (\"30s\", \"5min\")\n");
	help_exit_codes();
}

static void help(void)
{
	printf("Usage: klpctl [OPTIONS] COMMAND [ARGS]\n\n"
	       "Control klpd, the kernel livepatch manager.\n\nCommands:\n");
	for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
		const char *h = commands[i].help;

		printf("  %-9s %-10s %.*s\n", commands[i].name, commands[i].args,
		       (int)strcspn(h, "\n"), h);
	}
	printf("\nOptions:\n"
	       "  -h --help           Show this help (COMMAND --help: that command's)\n"
	       "     --version        Show the version\n"
	       "  -j --json           Machine-readable output (one JSON document per line)\n"
	       "     --wait           load/disable: wait for the transition to end\n"
	       "     --timeout DUR    with --wait: give up after DUR\n"
	       "     --names          list: only the module names, one a line\n"
	       "     --no-color       Never colour the output (NO_COLOR=1 does the same)\n");
	help_exit_codes();
}

int main(int argc, char *argv[])
{
	enum { ARG_VERSION = 0x100, ARG_WAIT, ARG_TIMEOUT, ARG_NAMES, ARG_NO_COLOR };
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, ARG_VERSION },
		{ "json", no_argument, NULL, 'j' },
		{ "wait", no_argument, NULL, ARG_WAIT },
		{ "timeout", required_argument, NULL, ARG_TIMEOUT },
		{ "names", no_argument, NULL, ARG_NAMES },
		{ "no-color", no_argument, NULL, ARG_NO_COLOR },
		{},
	};
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	const struct command *cmd = NULL;
	bool want_help = false;
	int c, r, nargs;

	/* Options may come before or after the command. */
	while ((c = getopt_long(argc, argv, "hj", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			want_help = true;
			break;
		case ARG_VERSION:
			printf("klpctl %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		case 'j':
			arg_json = true;
			break;
		case ARG_WAIT:
			arg_wait = true;
			break;
		case ARG_NAMES:
			arg_names = true;
			break;
		case ARG_NO_COLOR:
			arg_no_color = true;
			break;
		case ARG_TIMEOUT:
			r = duration_parse(optarg, &arg_timeout);
			if (r < 0) {
				klpctl_error("invalid --timeout '%s': use a duration such as "
					     "\"30s\" or \"5min\"",
					     optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			fprintf(stderr, "Try 'klpctl --help'.\n");
			return EXIT_USAGE;
		}
	}

	terminal_init(arg_no_color);
	if (optind >= argc) {
		if (want_help) {
			help();
			return EXIT_OK;
		}
		klpctl_error("missing command. Try 'klpctl --help'.");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		if (streq(argv[optind], commands[i].name))
			cmd = &commands[i];
	if (!cmd) {
		klpctl_error("unknown command '%s'. Try 'klpctl --help'.", argv[optind]);
		return EXIT_USAGE;
	}
	if (want_help) {
		help_command(cmd);
		return EXIT_OK;
	}
	nargs = argc - optind - 1;
	if (nargs < cmd->min_args || nargs > cmd->max_args) {
		klpctl_error("'%s' takes %s%s. Try 'klpctl %s --help'.", cmd->name,
			     *cmd->args ? "" : "no arguments", cmd->args, cmd->name);
		return EXIT_USAGE;
	}
	if ((arg_wait || arg_timeout != USEC_INFINITY) && !cmd->waits) {
		klpctl_error("'%s' does not take --wait or --timeout", cmd->name);
		return EXIT_USAGE;
	}
	if (arg_names && !streq(cmd->name, "list")) {
		klpctl_error("only 'list' takes --names");
		return EXIT_USAGE;
	}

	r = sd_bus_default_system(&bus);
	if (r < 0) {
		klpctl_error("cannot connect to the system bus: %s", strerror(-r));
		return EXIT_OTHER;
	}
	/* Method calls wait this long for klpd; --wait bounds the rest. */
	if (arg_timeout != USEC_INFINITY)
		(void)sd_bus_set_method_call_timeout(bus, arg_timeout);
	return cmd->run(bus, argv + optind + 1);
}
