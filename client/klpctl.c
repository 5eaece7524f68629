/* SPDX-License-Identifier: GPL-2.0-or-later */
/* klpctl: the command line of klpd, a thin client of org.klpd.livepatch1.
 * Here: the options, the command table and the help; each command lives in
 * a cmd-*.c of its family. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "dbus-names.h"
#include "duration.h"
#include "klpctl.h"
#include "macro.h"
#include "terminal.h"

bool arg_json;
bool arg_wait;
bool arg_names;
static bool arg_no_color;
uint64_t arg_timeout = USEC_INFINITY;

struct command {
	const char *name;
	const char *args;
	int min_args, max_args;
	bool waits; /* takes --wait/--timeout */
	command_fn *run;
	const char *help;
};

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

int report(const char *what, const sd_bus_error *e, int r)
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
