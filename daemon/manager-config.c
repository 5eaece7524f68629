/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where the manager's configuration comes from: klpd.conf and its drop-ins
 * when they are valid, saved then as the last valid one; at start, when
 * they are refused, that saved one or the built-in defaults. The refusal is
 * kept until a valid file is read, and shown in STATUS=, the journal, the
 * Manager's ConfigurationSource and ConfigurationErrors, and the metrics. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "config-snapshot.h"
#include "log.h"
#include "macro.h"
#include "manager.h"

/* Save TEXTS as the last valid configuration, unless that is what the state
 * directory holds already. A failure costs only the fallback. */
static void save_snapshot(const struct config_texts *texts)
{
	_cleanup_free_ char *text = NULL, *old = NULL;
	size_t len;
	int r;

	r = config_snapshot_format(texts, &text);
	if (r < 0) {
		log_warning_errno(r, "Cannot save the configuration as the last valid one");
		return;
	}
	if (statedir_read(statedir_path(), CONFIG_SNAPSHOT_FILE, CONFIG_SNAPSHOT_MAX + 64 * 1024,
			  &old, &len) > 0 &&
	    len == strlen(text) && memcmp(old, text, len) == 0)
		return;
	r = statedir_write(statedir_path(), CONFIG_SNAPSHOT_FILE, text);
	if (r < 0)
		log_warning_errno(r, "Cannot write %s/%s; a refused klpd.conf at start would "
				     "fall back to an older configuration or the defaults",
				  statedir_path(), CONFIG_SNAPSHOT_FILE);
	else
		log_debug("Configuration saved as the last valid one in %s/%s", statedir_path(),
			  CONFIG_SNAPSHOT_FILE);
}

/* ERRORS, one per line, as a list; NULL when out of memory. */
static char **split_lines(const char *errors)
{
	_cleanup_strv_free_ char **l = NULL;
	size_t n = 0;

	l = calloc(1, sizeof(char *));
	if (!l)
		return NULL;
	for (const char *s = errors; *s;) {
		size_t len = strcspn(s, "\n");
		char **nl = realloc(l, (n + 2) * sizeof(char *));

		if (!nl)
			return NULL;
		l = nl;
		l[n + 1] = NULL;
		l[n] = strndup(s, len);
		if (!l[n])
			return NULL;
		n++;
		s += len + (s[len] == '\n');
	}
	return TAKE_PTR(l);
}

/* ERRORS NULL: accepted. */
static int set_refused(struct manager *m, enum config_origin origin, const char *errors)
{
	char **l = NULL;

	if (errors && !(l = split_lines(errors)))
		return -ENOMEM;
	strv_free(m->config_errors);
	m->config_errors = l;
	m->config_origin = origin;
	return 0;
}

static void accept_config(struct manager *m, struct config *c, const struct config_texts *texts)
{
	if (m->config_errors)
		log_notice("Configuration %s accepted: no longer refused, no longer running on %s",
			   m->config_file, manager_config_running_on(m));
	config_done(&m->config);
	m->config = *c;
	*c = (struct config){};
	(void)set_refused(m, CONFIG_ORIGIN_FILES, NULL);
	save_snapshot(texts);
}

const char *manager_config_running_on(const struct manager *m)
{
	switch (m->config_origin) {
	case CONFIG_ORIGIN_LAST_VALID:
		return "the last valid one";
	case CONFIG_ORIGIN_DEFAULTS:
		return "the built-in defaults";
	default:
		return "the files";
	}
}

/* The files into C and TEXTS: 0, -EINVAL with *ERRORS (never NULL then)
 * when refused, -ENOMEM. */
static int load_files(struct manager *m, struct config *c, struct config_texts *texts,
		      char **errors)
{
	int r = config_load_texts(m->config_file, c, texts, errors);

	if (r >= 0 || r == -ENOMEM)
		return r;
	/* a file that cannot be read at all is refused as a bad one is */
	if (!*errors && asprintf(errors, "%s: %s", m->config_file, strerror(-r)) < 0) {
		*errors = NULL;
		return -ENOMEM;
	}
	return -EINVAL;
}

int manager_load_config(struct manager *m)
{
	_cleanup_(config_donep) struct config c = {};
	_cleanup_(config_texts_donep) struct config_texts texts = {};
	_cleanup_free_ char *errors = NULL, *snapshot = NULL, *why = NULL;
	size_t len = 0;
	int r, origin;

	r = load_files(m, &c, &texts, &errors);
	if (r == -ENOMEM)
		return log_error_errno(r, "Cannot read the configuration");
	if (r >= 0) {
		accept_config(m, &c, &texts);
		return 0;
	}

	/* A bad file never keeps klpd down: the host still gets its patches. */
	r = statedir_read(statedir_path(), CONFIG_SNAPSHOT_FILE, CONFIG_SNAPSHOT_MAX + 64 * 1024,
			  &snapshot, &len);
	if (r < 0)
		log_warning_errno(r, "Cannot read the last valid configuration %s/%s",
				  statedir_path(), CONFIG_SNAPSHOT_FILE);
	origin = config_fallback(snapshot, len, &c, &why);
	if (origin < 0)
		return log_error_errno(origin, "Cannot set up a configuration");
	if (why)
		log_warning("Ignoring the last valid configuration %s/%s: %s", statedir_path(),
			    CONFIG_SNAPSHOT_FILE, why);
	r = set_refused(m, (enum config_origin)origin, errors);
	if (r < 0)
		return log_error_errno(r, "Cannot set up a configuration");
	config_done(&m->config);
	m->config = c;
	c = (struct config){};
	log_full(LOG_ERR, 0, NULL, NULL, KLPD_MID_CONFIG_REFUSED,
		 "Configuration refused, running on %s (fix it, then systemctl reload klpd):\n%s",
		 manager_config_running_on(m), errors);
	return 0;
}

int manager_reload_config(struct manager *m, char **error)
{
	_cleanup_(config_donep) struct config c = {};
	_cleanup_(config_texts_donep) struct config_texts texts = {};
	_cleanup_free_ char *errors = NULL;
	int r;

	*error = NULL;
	r = load_files(m, &c, &texts, &errors);
	if (r >= 0) {
		accept_config(m, &c, &texts);
		log_info("Configuration reloaded from %s", m->config_file);
		return 0;
	}
	if (r == -ENOMEM)
		return log_error_errno(r, "Cannot read the configuration, keeping the running one");
	/* What runs is the last valid one now, whatever it was before. */
	r = set_refused(m,
			m->config_origin == CONFIG_ORIGIN_FILES ? CONFIG_ORIGIN_LAST_VALID
								: m->config_origin,
			errors);
	if (r < 0)
		return r;
	log_full(LOG_ERR, 0, NULL, "reload", KLPD_MID_CONFIG_REFUSED,
		 "Configuration refused, keeping the running one (%s):\n%s",
		 manager_config_running_on(m), errors);
	*error = TAKE_PTR(errors);
	return -EINVAL;
}
