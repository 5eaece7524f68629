/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "conf.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "names.h"

static void help(void)
{
	printf("Usage: klpd [OPTIONS]\n"
	       "\n"
	       "Manage the kernel's livepatches: load them, follow their transitions,\n"
	       "and offer all of it as org.klpd.livepatch1 on the system bus.\n"
	       "Meant to run as klpd.service; see klpd(8).\n"
	       "\n"
	       "Options:\n"
	       "  -h --help       Show this help\n"
	       "     --version    Show the version\n"
	       "  -d --debug      Log debug messages\n"
	       "     --check-config [FILE]\n"
	       "                  Check FILE and the drop-ins in FILE.d/, then exit:\n"
	       "                  0 valid, 1 not (FILE: %s;\n"
	       "                  without FILE also the drop-ins in\n"
	       "                  %s/ and %s/)\n"
	       "     --dump-config [PATCH]\n"
	       "                  Show the configuration in force, each value with the\n"
	       "                  file and line that set it; with PATCH, the policy\n"
	       "                  for that module\n"
	       "\n"
	       "Signals: SIGHUP reloads (configuration and a full rescan), SIGTERM and\n"
	       "SIGINT stop klpd. Stopping never disables or unloads a patch.\n",
	       KLPD_CONFIG_FILE, KLPD_RUNTIME_DROPIN_DIR, KLPD_VENDOR_DROPIN_DIR);
}

static int on_exit_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct manager *m = userdata;

	(void)sd_notify(false, "STOPPING=1\nSTATUS=Stopping (patches stay as they are)");
	log_info("Received %s, stopping; patches stay as they are", strsignal((int)si->ssi_signo));
	return sd_event_exit(m->event, 0);
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	/* a refused configuration is logged by manager_reload() */
	(void)manager_reload(userdata, NULL);
	return 0;
}

/* FILE and its drop-ins into C, the errors on stderr, one per line. */
static int load_config(const char *file, struct config *c)
{
	_cleanup_free_ char *error = NULL;
	int r;

	r = config_load(file, c, &error);
	if (r < 0) {
		if (error)
			fprintf(stderr, "%s\n", error);
		else
			fprintf(stderr, "%s: %s\n", file, strerror(-r));
	}
	return r;
}

/* klpd --check-config [FILE]: for configuration pipelines. Exit 0 when
 * valid, 1 when not. */
static int check_config(const char *file, bool must_exist)
{
	_cleanup_(config_donep) struct config c = {};

	/* klpd itself runs on the defaults without klpd.conf; a file named
	 * on the command line is meant to be there */
	if (must_exist && access(file, F_OK) < 0) {
		fprintf(stderr, "%s: cannot open: %s\n", file, strerror(errno));
		return 1;
	}
	if (load_config(file, &c) < 0)
		return 1;
	if (c.n_sources == 0)
		printf("%s: no such file, and no drop-ins: the built-in defaults apply\n", file);
	else if (!streq(c.sources[0], file))
		printf("%s: no such file; configuration is valid (%zu drop-in%s)\n", file,
		       c.n_sources, c.n_sources == 1 ? "" : "s");
	else
		printf("%s: configuration is valid\n", file);
	return 0;
}

/* klpd --dump-config [PATCH]: the files --check-config reads, as one
 * klpd.conf with the file and line of each value. */
static int dump_config(const char *file, const char *patch)
{
	_cleanup_(config_donep) struct config c = {};

	if (patch && !module_name_valid(patch)) {
		fprintf(stderr, "'%s' is not a module name. Try 'klpd --help'.\n", patch);
		return 2;
	}
	if (load_config(file, &c) < 0)
		return 1;
	if (c.n_sources == 0)
		printf("# no %s, and no drop-ins: the built-in defaults\n", file);
	for (size_t i = 0; i < c.n_sources; i++)
		printf("# %s\n", c.sources[i]);
	if (config_dump(&c, patch, stdout) < 0 || fflush(stdout) != 0)
		return 1;
	return 0;
}

int main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "debug", no_argument, NULL, 'd' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "dump-config", no_argument, NULL, 'D' },
		{},
	};
	_cleanup_(manager_freep) struct manager *m = NULL;
	bool arg_check_config = false, arg_dump_config = false;
	sigset_t mask;
	int c, r;

	while ((c = getopt_long(argc, argv, "hd", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			help();
			return EXIT_SUCCESS;
		case 'V':
			printf("klpd %s\n", PACKAGE_VERSION);
			return EXIT_SUCCESS;
		case 'd':
			log_set_max_level(LOG_DEBUG);
			break;
		case 'C':
			arg_check_config = true;
			break;
		case 'D':
			arg_dump_config = true;
			break;
		default:
			fprintf(stderr, "Try 'klpd --help'.\n");
			return 2;
		}
	}
	if (arg_check_config && arg_dump_config) {
		fprintf(stderr, "--check-config and --dump-config do not go together. Try 'klpd "
				"--help'.\n");
		return 2;
	}
	if (arg_dump_config) {
		const char *file = getenv("KLPD_CONFIG_FILE") ?: KLPD_CONFIG_FILE;

		if (argc - optind > 1) {
			fprintf(stderr, "--dump-config takes at most one PATCH. Try 'klpd --help'.\n");
			return 2;
		}
		return dump_config(file, optind < argc ? argv[optind] : NULL);
	}
	if (arg_check_config) {
		const char *file = getenv("KLPD_CONFIG_FILE") ?: KLPD_CONFIG_FILE;

		if (argc - optind > 1) {
			fprintf(stderr, "--check-config takes at most one FILE. Try 'klpd --help'.\n");
			return 2;
		}
		return check_config(optind < argc ? argv[optind] : file, optind < argc);
	}
	if (optind < argc) {
		fprintf(stderr, "klpd takes no arguments ('%s'). Try 'klpd --help'.\n",
			argv[optind]);
		return 2;
	}

	/* Blocked first, then handled in the loop through signalfd. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
		log_error_errno(-errno, "Cannot block signals");
		return EXIT_FAILURE;
	}

	r = manager_new(&m);
	if (r < 0) {
		log_error_errno(r, "Cannot set up klpd");
		return EXIT_FAILURE;
	}
	r = sd_event_add_signal(m->event, NULL, SIGTERM, on_exit_signal, m);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGINT, on_exit_signal, m);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGHUP, on_sighup, m);
	if (r < 0) {
		log_error_errno(r, "Cannot handle signals");
		return EXIT_FAILURE;
	}
	/* WATCHDOG=1 from the loop itself, at half of WatchdogSec=. */
	r = sd_event_set_watchdog(m->event, true);
	if (r < 0)
		log_warning_errno(r, "Cannot enable the watchdog");

	/* A bad configuration at start is logged, and klpd runs on the last
	 * valid one or the defaults: the host must still get its patches. */
	r = manager_load_config(m);
	if (r < 0) {
		(void)sd_notifyf(false, "STATUS=Failed to start: %s\nERRNO=%d", strerror(-r), -r);
		return EXIT_FAILURE;
	}

	r = manager_start(m);
	if (r < 0) {
		(void)sd_notifyf(false, "STATUS=Failed to start: %s\nERRNO=%d", strerror(-r), -r);
		return EXIT_FAILURE;
	}
	r = manager_run(m);
	if (r < 0) {
		log_error_errno(r, "Event loop failed");
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
