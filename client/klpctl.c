/* SPDX-License-Identifier: GPL-2.0-or-later */
/* klpctl: the command line of klpd, a thin client of org.klpd.livepatch1.
 * Here: the options, the command table and the help; each command lives in
 * a cmd-*.c of its family. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "dbus-names.h"
#include "duration.h"
#include "klpctl.h"
#include "macro.h"
#include "names.h"
#include "pager.h"
#include "terminal.h"

enum json_mode arg_json;
bool arg_wait;
bool arg_names;
bool arg_legend = true;
const char *arg_kernel;
static bool arg_no_color;
static bool arg_no_pager;
uint64_t arg_timeout = USEC_INFINITY;

struct command {
	const char *name;
	const char *args;
	int min_args, max_args;
	const char *options; /* the options of its own, as its usage line shows them */
	bool pages; /* its text goes through the pager */
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

/* What a bus error that is not klpd's own means to a user, or NULL. */
static const char *bus_error_cause(const char *name)
{
	if (streq(name, SD_BUS_ERROR_SERVICE_UNKNOWN) || streq(name, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
		return "klpd is not running (see 'systemctl status klpd')";
	if (streq(name, SD_BUS_ERROR_NO_REPLY) || streq(name, SD_BUS_ERROR_TIMEOUT))
		return "klpd did not answer in time (see 'systemctl status klpd')";
	if (streq(name, SD_BUS_ERROR_UNKNOWN_METHOD) ||
	    streq(name, SD_BUS_ERROR_UNKNOWN_INTERFACE) ||
	    streq(name, SD_BUS_ERROR_UNKNOWN_PROPERTY))
		return "the running klpd is older than this klpctl (restart it: systemctl "
		       "restart klpd)";
	if (streq(name, SD_BUS_ERROR_ACCESS_DENIED))
		return "permission denied: only root with CAP_SYS_MODULE may change livepatches";
	return NULL;
}

int report(const char *what, const sd_bus_error *e, int r)
{
	const char *name = e && e->name ? e->name : NULL, *cause;

	if (name && strncmp(name, KLPD_ERROR_PREFIX, strlen(KLPD_ERROR_PREFIX)) == 0) {
		/* klpd's own message says it all; its short name is for scripts */
		klpctl_error("%s: %s (%s)", what, e->message ? e->message : "",
			     name + strlen(KLPD_ERROR_PREFIX));
	} else if (name && (cause = bus_error_cause(name)))
		klpctl_error("%s: %s", what, cause);
	else if (name && e->message)
		klpctl_error("%s: %s", what, e->message);
	else if (r == -ENOENT || r == -ECONNREFUSED)
		klpctl_error("%s: cannot reach the system bus: %s (see 'systemctl status dbus "
			     "klpd')",
			     what, strerror(-r));
	else
		klpctl_error("%s: %s", what, strerror(r < 0 ? -r : EIO));
	return error_exit_code(e, r);
}

static const struct command commands[] = {
	{ "status", "", 0, 0, "", true, cmd_status,
	  "Show klpd's state, the kernel's support, what the\n"
	  "policy will do, the tasks that hold a stalled\n"
	  "transition back, and every livepatch module.\n"
	  "The command when none is given." },
	{ "list", "", 0, 0, "[--names]", true, cmd_list,
	  "List the livepatch modules as a table, or with\n"
	  "--names their names alone, one a line." },
	{ "show", "NAME", 1, 1, "", true, cmd_show, "Show one livepatch module in detail." },
	{ "check", "", 0, 0, "", false, cmd_check,
	  "Say whether all is well, in the exit status:\n"
	  "0 idle and nothing wrong, 10 no livepatch support,\n"
	  "11 a transition stalled, 12 modules pinned (reboot\n"
	  "required), 13 configuration refused, 14 modules\n"
	  "skipped at boot, 15 a transition running." },
	{ "inventory", "", 0, 0, "[--names]", true, cmd_inventory,
	  "List the modules installed in the patch directories,\n"
	  "for every kernel release, against those loaded;\n"
	  "with --names the installed names alone." },
	{ "load", "FILE|NAME", 1, 1, "[--wait] [--timeout DURATION]", false, cmd_load,
	  "Load a livepatch module: a NAME from the patch\n"
	  "directories, or a FILE inside one. Queued by klpd\n"
	  "while another transition runs." },
	{ "disable", "NAME", 1, 1, "[--wait] [--timeout DURATION]", false, cmd_disable,
	  "Disable a patch: its tasks transition back to the\n"
	  "unpatched code." },
	{ "revert", "NAME", 1, 1, "", false, cmd_revert,
	  "Reverse the transition NAME is in (back to where it\n"
	  "came from)." },
	{ "force", "NAME", 1, 1, "", false, cmd_force,
	  "Force the transition NAME is in. May pin modules\n"
	  "until reboot." },
	{ "unload", "MODULE", 1, 1, "", false, cmd_unload,
	  "Remove a livepatch module whose patch is gone\n"
	  "(disabled or replaced)." },
	{ "clear-skip", "MODULE", 1, 1, "", false, cmd_clear_skip,
	  "Let the next boot load a module that the crash-loop\n"
	  "guard skips, without loading it now." },
	{ "reload", "", 0, 0, "", false, cmd_reload,
	  "Make klpd re-read its configuration and state." },
	{ "monitor", "", 0, 0, "", false, cmd_monitor, "Print klpd's signals as they come." },
	{ "install", "FILE", 1, 1, "[--kernel KVER]", false, cmd_install,
	  "Copy a livepatch module (.ko, .ko.xz, .ko.zst,\n"
	  ".ko.gz) into <first patch directory>/KVER/ as root,\n"
	  "atomically, root-owned 0644; it is not loaded.\n"
	  "KVER: the running kernel unless --kernel names one." },
	{ "uninstall", "NAME", 1, 1, "[--kernel KVER]", false, cmd_uninstall,
	  "Remove an installed module from the patch directory\n"
	  "(as root). A loaded module stays loaded." },
};

static void help_exit_codes(void)
{
	printf("\nExit status:\n"
	       "  0  success\n"
	       "  1  other failure (klpd not reachable, bus errors)\n"
	       "  2  usage error\n"
	       "  3  no such patch or module\n"
	       "  4  refused or failed (a named klpd error; a --wait that ended reverted)\n"
	       "  5  timed out waiting (--timeout)\n"
	       "  10-15  klpctl check: what it found (see above)\n");
}

/* TEXT, a line at a time, each but the first indented by INDENT columns. */
static void print_indented(const char *text, int indent)
{
	for (const char *l = text; *l;) {
		size_t n = strcspn(l, "\n");

		printf("%*s%.*s\n", l == text ? 0 : indent, "", (int)n, l);
		l += n + (l[n] == '\n');
	}
}

static void help_command(const struct command *c)
{
	printf("Usage: klpctl [OPTIONS] %s%s%s%s%s\n\n", c->name, *c->args ? " " : "", c->args,
	       *c->options ? " " : "", c->options);
	print_indented(c->help, 0);
	if (strstr(c->options, "--wait"))
		printf("\n  --wait              Return when the transition has ended, saying how\n"
		       "  --timeout DURATION  Give up waiting after DURATION (\"30s\", \"5min\")\n");
	if (strstr(c->options, "--kernel"))
		printf("\n  --kernel KVER       The kernel release's directory (uname -r of the\n"
		       "                      kernel the host will boot), not the running one's\n");
	help_exit_codes();
	printf("\nSee klpctl(1) for the JSON output and more.\n");
}

#define HELP_COLUMN 22
static void help(void)
{
	printf("Usage: klpctl [OPTIONS] [COMMAND [ARGS]]\n\n"
	       "Control klpd, the kernel livepatch manager.\n\nCommands:\n");
	for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
		char head[64];

		snprintf(head, sizeof(head), "%s%s%s", commands[i].name, *commands[i].args ? " " : "",
			 commands[i].args);
		printf("  %-*s", HELP_COLUMN - 2, head);
		print_indented(commands[i].help, HELP_COLUMN);
	}
	printf("\nOptions:\n"
	       "  -h --help           Show this help (COMMAND --help: that command's)\n"
	       "     --version        Show the version\n"
	       "  -j                  --json=pretty at a terminal, else --json=short\n"
	       "     --json=MODE      Machine-readable output: short (one JSON document\n"
	       "                      a line; also --json alone), pretty or off\n"
	       "     --wait           load, disable: wait for the transition to end\n"
	       "     --timeout DUR    with --wait: give up after DUR\n"
	       "     --names          list, inventory: only the module names, one a line\n"
	       "     --kernel KVER    install, uninstall: that kernel release's directory\n"
	       "     --no-legend      No column headers, no line for an empty table\n"
	       "     --no-pager       Never pipe the output into a pager\n"
	       "     --no-color       Never colour the output (NO_COLOR=1 does the same)\n");
	help_exit_codes();
	printf("\nSee klpctl(1) for details.\n");
}

static int parse_json_mode(const char *s, enum json_mode *ret)
{
	if (!s || streq(s, "short"))
		*ret = JSON_SHORT;
	else if (streq(s, "pretty"))
		*ret = JSON_PRETTY;
	else if (streq(s, "off"))
		*ret = JSON_OFF;
	else
		return -EINVAL;
	return 0;
}

/* What a command's argument count should be, for its usage error. */
static void usage_args(const struct command *c, int nargs)
{
	if (c->max_args == 0)
		klpctl_error("'%s' takes no arguments (got %d). Try 'klpctl %s --help'.", c->name,
			     nargs, c->name);
	else if (nargs < c->min_args)
		klpctl_error("'%s' needs %s. Try 'klpctl %s --help'.", c->name, c->args, c->name);
	else
		klpctl_error("'%s' takes one %s, not %d arguments. Try 'klpctl %s --help'.",
			     c->name, c->args, nargs, c->name);
}

static const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		if (streq(name, commands[i].name))
			return &commands[i];
	return NULL;
}

int main(int argc, char *argv[])
{
	enum {
		ARG_VERSION = 0x100,
		ARG_JSON,
		ARG_WAIT,
		ARG_TIMEOUT,
		ARG_NAMES,
		ARG_KERNEL,
		ARG_NO_COLOR,
		ARG_NO_PAGER,
		ARG_NO_LEGEND,
	};
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, ARG_VERSION },
		{ "json", optional_argument, NULL, ARG_JSON },
		{ "wait", no_argument, NULL, ARG_WAIT },
		{ "timeout", required_argument, NULL, ARG_TIMEOUT },
		{ "names", no_argument, NULL, ARG_NAMES },
		{ "kernel", required_argument, NULL, ARG_KERNEL },
		{ "no-color", no_argument, NULL, ARG_NO_COLOR },
		{ "no-pager", no_argument, NULL, ARG_NO_PAGER },
		{ "no-legend", no_argument, NULL, ARG_NO_LEGEND },
		{},
	};
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	const struct command *cmd;
	bool want_help = false;
	int c, r, nargs;

	/* Options may come before or after the command; the messages are
	 * klpctl's own, not getopt's (which would name argv[0]). */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hj", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			want_help = true;
			break;
		case ARG_VERSION:
			printf("klpctl %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		case 'j':
			arg_json = isatty(STDOUT_FILENO) ? JSON_PRETTY : JSON_SHORT;
			break;
		case ARG_JSON:
			if (parse_json_mode(optarg, &arg_json) < 0) {
				klpctl_error("invalid --json mode '%s': use short, pretty or off",
					     optarg);
				return EXIT_USAGE;
			}
			break;
		case ARG_WAIT:
			arg_wait = true;
			break;
		case ARG_NAMES:
			arg_names = true;
			break;
		case ARG_KERNEL:
			if (!kernel_release_valid(optarg)) {
				klpctl_error("invalid --kernel '%s': give a kernel release as "
					     "'uname -r' prints it",
					     optarg);
				return EXIT_USAGE;
			}
			arg_kernel = optarg;
			break;
		case ARG_NO_COLOR:
			arg_no_color = true;
			break;
		case ARG_NO_PAGER:
			arg_no_pager = true;
			break;
		case ARG_NO_LEGEND:
			arg_legend = false;
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
		case ':':
			klpctl_error("option '%s' needs a value. Try 'klpctl --help'.",
				     argv[optind - 1]);
			return EXIT_USAGE;
		default:
			if (optopt)
				klpctl_error("unknown option '-%c'. Try 'klpctl --help'.", optopt);
			else
				klpctl_error("unknown option '%s'. Try 'klpctl --help'.",
					     argv[optind - 1]);
			return EXIT_USAGE;
		}
	}

	terminal_init(arg_no_color);
	if (optind >= argc && want_help) {
		pager_open(arg_no_pager);
		help();
		return pager_close(EXIT_OK);
	}
	/* no command: status, as systemctl and hostnamectl do */
	cmd = command_find(optind < argc ? argv[optind] : "status");
	if (!cmd) {
		klpctl_error("unknown command '%s'. Try 'klpctl --help'.", argv[optind]);
		return EXIT_USAGE;
	}
	if (want_help) {
		pager_open(arg_no_pager);
		help_command(cmd);
		return pager_close(EXIT_OK);
	}
	nargs = optind < argc ? argc - optind - 1 : 0;
	if (nargs < cmd->min_args || nargs > cmd->max_args) {
		usage_args(cmd, nargs);
		return EXIT_USAGE;
	}
	if ((arg_wait || arg_timeout != USEC_INFINITY) && !strstr(cmd->options, "--wait")) {
		klpctl_error("'%s' does not take --wait or --timeout", cmd->name);
		return EXIT_USAGE;
	}
	if (arg_names && !strstr(cmd->options, "--names")) {
		klpctl_error("only 'list' and 'inventory' take --names");
		return EXIT_USAGE;
	}
	if (arg_kernel && !strstr(cmd->options, "--kernel")) {
		klpctl_error("only 'install' and 'uninstall' take --kernel");
		return EXIT_USAGE;
	}

	r = sd_bus_default_system(&bus);
	if (r < 0) {
		klpctl_error("cannot connect to the system bus: %s (see 'systemctl status dbus')",
			     strerror(-r));
		return EXIT_OTHER;
	}
	/* Method calls wait this long for klpd; --wait bounds the rest. */
	if (arg_timeout != USEC_INFINITY)
		(void)sd_bus_set_method_call_timeout(bus, arg_timeout);
	if (cmd->pages && !arg_json)
		pager_open(arg_no_pager);
	r = cmd->run(bus, optind < argc ? argv + optind + 1 : argv + argc);
	return pager_close(r);
}
