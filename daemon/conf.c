/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "conf.h"
#include "duration.h"
#include "fileio.h"
#include "names.h"
#include "utf8.h"

/* Errors reported per file; more would only repeat the same mistake. */
#define CONFIG_ERRORS_MAX 20

static const char *const on_stall_table[_ON_STALL_MAX] = {
	[ON_STALL_WAIT] = "wait",
	[ON_STALL_REVERT] = "revert",
	[ON_STALL_FORCE] = "force",
};

const char *on_stall_to_string(enum on_stall o)
{
	return o < _ON_STALL_MAX ? on_stall_table[o] : NULL;
}

static const char *const on_kernel_warning_table[_ON_KERNEL_WARNING_MAX] = {
	[ON_KERNEL_WARNING_REPORT] = "report",
	[ON_KERNEL_WARNING_REVERT] = "revert",
	[ON_KERNEL_WARNING_IGNORE] = "ignore",
};

const char *on_kernel_warning_to_string(enum on_kernel_warning o)
{
	return o < _ON_KERNEL_WARNING_MAX ? on_kernel_warning_table[o] : NULL;
}

static const char *const health_attribution_table[_HEALTH_ATTRIBUTION_MAX] = {
	[HEALTH_ATTRIBUTION_STACK] = "stack",
	[HEALTH_ATTRIBUTION_WINDOW] = "window",
};

const char *health_attribution_to_string(enum health_attribution a)
{
	return a < _HEALTH_ATTRIBUTION_MAX ? health_attribution_table[a] : NULL;
}

static const char *const load_at_boot_table[_LOAD_AT_BOOT_MAX] = {
	[LOAD_AT_BOOT_NO] = "no",
	[LOAD_AT_BOOT_YES] = "yes",
	[LOAD_AT_BOOT_ACCEPTED] = "accepted",
};

const char *load_at_boot_to_string(enum load_at_boot l)
{
	return l < _LOAD_AT_BOOT_MAX ? load_at_boot_table[l] : NULL;
}

/* The index of V in TABLE (N entries), or -EINVAL. */
static int table_lookup(const char *const *table, size_t n, const char *v)
{
	for (size_t i = 0; i < n; i++)
		if (streq(v, table[i]))
			return (int)i;
	return -EINVAL;
}

static const struct policy_settings policy_defaults = {
	.stall_timeout_usec = 60 * USEC_PER_SEC,
	.on_stall = ON_STALL_REVERT,
	.force_after_usec = 0,
	.force_window_max_wait_usec = USEC_INFINITY,
	.auto_unload = true,
	.unload_delay_usec = 30 * USEC_PER_SEC,
	.allow_pin = true,
	.health_window_usec = 10 * 60 * USEC_PER_SEC,
	.health_attribution = HEALTH_ATTRIBUTION_STACK,
	.on_kernel_warning = ON_KERNEL_WARNING_REPORT,
};

int config_init_defaults(struct config *c)
{
	*c = (struct config){
		.load_at_boot = LOAD_AT_BOOT_YES,
		.metrics_refresh_usec = CONFIG_METRICS_REFRESH_DEFAULT,
		.stall_timeout_usec = policy_defaults.stall_timeout_usec,
		.policy = policy_defaults,
	};
	c->patch_dirs = calloc(2, sizeof(char *));
	c->patch_dirs_where = calloc(1, sizeof(*c->patch_dirs_where));
	if (!c->patch_dirs || !c->patch_dirs_where) {
		config_done(c);
		return -ENOMEM;
	}
	c->patch_dirs[0] = strdup(KLPD_DEFAULT_PATCH_DIR);
	if (!c->patch_dirs[0]) {
		config_done(c);
		return -ENOMEM;
	}
	return 0;
}

void config_done(struct config *c)
{
	strv_free(c->patch_dirs);
	free(c->metrics_file);
	for (size_t i = 0; i < c->n_overrides; i++)
		free(c->overrides[i].glob);
	free(c->overrides);
	for (size_t i = 0; i < c->n_sources; i++)
		free(c->sources[i]);
	free(c->sources);
	free(c->patch_dirs_where);
	*c = (struct config){};
}

/* --- one file */

struct parser {
	struct config *config;
	const char *name;   /* file name for messages */
	const char *source; /* the same, as kept in config->sources */

	/* the reader's position in the buffer */
	const char *buf;
	size_t len, pos;
	unsigned line; /* physical lines read so far */
	unsigned at;   /* the first line of the logical line: errors name it */

	/* The logical line: physical ones joined where one ends in a backslash. */
	char *text;
	size_t text_size;

	/* What the reader found, for on_key(). inih only calls it: it sees a
	 * short stand-in for each assignment, so that its line buffer (200
	 * bytes in Debian's build) and its 50-byte section names limit
	 * nothing. */
	char *section; /* the current section's name, NULL before the first */
	bool section_ok;
	struct patch_override *section_override; /* NULL for [Daemon]/[Policy] */
	const char *key, *value;                  /* in TEXT */

	/* errors so far, in line order */
	char **errors;
	unsigned *error_lines;
	size_t n_errors;
	bool oom;
};

static void parser_done(struct parser *p)
{
	free(p->text);
	free(p->section);
	for (size_t i = 0; i < p->n_errors; i++)
		free(p->errors[i]);
	free(p->errors);
	free(p->error_lines);
}

static void add_error(struct parser *p, unsigned line, const char *fmt, ...) _printf_(3, 4);
static void add_error(struct parser *p, unsigned line, const char *fmt, ...)
{
	char **errors;
	unsigned *lines;
	char *msg = NULL, *full = NULL;
	size_t at;
	va_list ap;
	int n;

	if (p->n_errors >= CONFIG_ERRORS_MAX)
		return;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0) {
		p->oom = true;
		return;
	}
	n = line ? asprintf(&full, "%s:%u: %s", p->name, line, msg)
		 : asprintf(&full, "%s: %s", p->name, msg);
	free(msg);
	if (n < 0) {
		p->oom = true;
		return;
	}
	/* The message echoes the file's bytes (a key, a value, a section) and
	 * its name: it goes to D-Bus, the journal and a terminal, so it is
	 * escaped here, once. */
	if (!utf8_is_clean(full, (size_t)n)) {
		char *clean = utf8_escape_dup(full);

		free(full);
		if (!clean) {
			p->oom = true;
			return;
		}
		full = clean;
	}
	errors = realloc(p->errors, (p->n_errors + 1) * sizeof(*errors));
	if (errors)
		p->errors = errors;
	lines = realloc(p->error_lines, (p->n_errors + 1) * sizeof(*lines));
	if (lines)
		p->error_lines = lines;
	if (!errors || !lines) {
		free(full);
		p->oom = true;
		return;
	}
	/* keep line order */
	for (at = p->n_errors; at > 0 && p->error_lines[at - 1] > line; at--) {
		p->errors[at] = p->errors[at - 1];
		p->error_lines[at] = p->error_lines[at - 1];
	}
	p->errors[at] = full;
	p->error_lines[at] = line;
	p->n_errors++;
}

/* --- values */

static int parse_bool(const char *v, bool *ret)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* Absolute, no "." or ".." components, no "//"; a trailing '/' is dropped. */
static int normalize_dir(const char *v, size_t n, char **ret)
{
	_cleanup_free_ char *d = NULL;

	if (n == 0 || v[0] != '/')
		return -EINVAL;
	while (n > 1 && v[n - 1] == '/')
		n--;
	d = strndup(v, n);
	if (!d)
		return -ENOMEM;
	for (const char *c = d; *c && c[1];) {
		const char *e;
		size_t len;

		c++;
		e = strchrnul(c, '/');
		len = (size_t)(e - c);
		if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return -EINVAL;
		c = e;
	}
	if (strlen(d) >= 4096)
		return -EINVAL;
	*ret = TAKE_PTR(d);
	return 0;
}

/* Where the value being parsed was set. */
static struct config_where here(const struct parser *p)
{
	return (struct config_where){ .file = p->source, .line = p->at };
}

/* PatchDirectories=, systemd's way with lists: each assignment appends its
 * directories (one listed already is not added again), an empty one empties
 * the list, and the first one replaces the built-in default. On a bad entry
 * nothing changes, and *BAD (N_BAD bytes) in V is that entry. */
static int assign_dirs(struct parser *p, const char *v, const char **bad, size_t *n_bad)
{
	struct config *c = p->config;
	struct config_where *dw = &c->daemon_where[DAEMON_PATCH_DIRECTORIES];
	_cleanup_strv_free_ char **add = NULL;
	size_t n = 0, n_add = 0;
	char **l;
	struct config_where *w;

	for (const char *e = v;;) {
		size_t len;
		char **nl;
		int r;

		e += strspn(e, " \t");
		if (!*e)
			break;
		len = strcspn(e, " \t");
		nl = realloc(add, (n_add + 2) * sizeof(char *));
		if (!nl)
			return -ENOMEM;
		add = nl;
		add[n_add] = NULL;
		r = normalize_dir(e, len, &add[n_add]);
		if (r == -EINVAL) {
			*bad = e;
			*n_bad = len;
		}
		if (r < 0)
			return r;
		add[++n_add] = NULL;
		e += len;
	}

	if (!dw->file || n_add == 0) {
		strv_free(c->patch_dirs);
		c->patch_dirs = calloc(1, sizeof(char *));
		if (!c->patch_dirs)
			return -ENOMEM;
	}
	while (c->patch_dirs[n])
		n++;
	l = realloc(c->patch_dirs, (n + n_add + 1) * sizeof(char *));
	if (!l)
		return -ENOMEM;
	c->patch_dirs = l;
	w = realloc(c->patch_dirs_where, (n + n_add + 1) * sizeof(*w));
	if (!w)
		return -ENOMEM;
	c->patch_dirs_where = w;
	for (size_t i = 0; i < n_add; i++) {
		bool dup = false;

		for (size_t j = 0; j < n && !dup; j++)
			dup = streq(l[j], add[i]);
		if (dup)
			continue;
		w[n] = here(p);
		l[n++] = TAKE_PTR(add[i]);
	}
	l[n] = NULL;
	/* the duplicates: strv_free() would stop at the first entry taken */
	for (size_t i = 0; i < n_add; i++) {
		free(add[i]);
		add[i] = NULL;
	}
	*dw = here(p);
	return 0;
}

/* ForceWindow=, as PatchDirectories=: each assignment appends its window
 * (one listed already is not added again), an empty one empties the list.
 * WHERE has a place for each window. -EINVAL with a message in ERROR. */
static int assign_windows(struct parser *p, const char *v, struct force_windows *w,
			  struct config_where *where, char *error, size_t size)
{
	struct force_window fw;
	int r;

	if (!*v) {
		*w = (struct force_windows){};
		return 0;
	}
	r = force_window_parse(v, &fw, error, size);
	if (r < 0)
		return r;
	for (size_t i = 0; i < w->n; i++)
		if (memcmp(&w->w[i], &fw, sizeof(fw)) == 0)
			return 0;
	if (w->n >= FORCE_WINDOWS_MAX) {
		snprintf(error, size, "more than %d windows (an empty ForceWindow= empties the list)",
			 FORCE_WINDOWS_MAX);
		return -EINVAL;
	}
	where[w->n] = here(p);
	w->w[w->n++] = fw;
	return 0;
}

/* A glob over module names: [A-Za-z0-9_-] and the fnmatch(3) operators
 * '*' and '?'. No brackets: a module name has none to match. '-' becomes
 * '_', as in module names. -ENAMETOOLONG when no module name would fit. */
static int glob_normalize(const char *g, char **ret)
{
	_cleanup_free_ char *out = NULL;
	size_t n = strlen(g);

	if (n == 0)
		return -EINVAL;
	out = strdup(g);
	if (!out)
		return -ENOMEM;
	for (char *c = out; *c; c++) {
		if (*c == '-')
			*c = '_';
		else if (*c != '*' && *c != '?' && *c != '_' && !isalnum((unsigned char)*c))
			return -EINVAL;
	}
	if (n >= KLP_MODULE_NAME_MAX)
		return -ENAMETOOLONG;
	*ret = TAKE_PTR(out);
	return 0;
}

/* --- keys */

enum section_kind {
	SECTION_DAEMON,
	SECTION_POLICY, /* and [Patch:GLOB] */
};

enum value_kind {
	VALUE_DIRS,
	VALUE_BOOL,
	VALUE_PATH_OR_EMPTY,
	VALUE_DURATION,
	VALUE_DURATION_POSITIVE,
	VALUE_DURATION_1S, /* at least a second: how often klpd does work by itself */
	VALUE_ON_STALL,
	VALUE_FORCE_WINDOWS,
	VALUE_LOAD_AT_BOOT,
	VALUE_ON_KERNEL_WARNING,
	VALUE_HEALTH_ATTRIBUTION,
};

struct key {
	const char *name;
	enum section_kind section;
	enum value_kind kind;
	unsigned index; /* DAEMON_* or POLICY_*: in the where arrays */
	size_t offset;  /* in struct config, or in struct policy_settings */
};

#define CONFIG_KEY(n, k, i, field) { n, SECTION_DAEMON, k, i, offsetof(struct config, field) }
#define POLICY_KEY(n, k, i, field) { n, SECTION_POLICY, k, i, offsetof(struct policy_settings, field) }

/* In the order klpd --dump-config writes them. */
static const struct key keys[] = {
	CONFIG_KEY("PatchDirectories", VALUE_DIRS, DAEMON_PATCH_DIRECTORIES, patch_dirs),
	CONFIG_KEY("LoadAtBoot", VALUE_LOAD_AT_BOOT, DAEMON_LOAD_AT_BOOT, load_at_boot),
	CONFIG_KEY("MetricsFile", VALUE_PATH_OR_EMPTY, DAEMON_METRICS_FILE, metrics_file),
	CONFIG_KEY("MetricsRefresh", VALUE_DURATION_1S, DAEMON_METRICS_REFRESH, metrics_refresh_usec),
	POLICY_KEY("StallTimeout", VALUE_DURATION_POSITIVE, POLICY_STALL_TIMEOUT, stall_timeout_usec),
	POLICY_KEY("OnStall", VALUE_ON_STALL, POLICY_ON_STALL, on_stall),
	POLICY_KEY("ForceAfter", VALUE_DURATION, POLICY_FORCE_AFTER, force_after_usec),
	POLICY_KEY("ForceWindow", VALUE_FORCE_WINDOWS, POLICY_FORCE_WINDOW, force_windows),
	POLICY_KEY("ForceWindowMaxWait", VALUE_DURATION, POLICY_FORCE_WINDOW_MAX_WAIT,
		   force_window_max_wait_usec),
	POLICY_KEY("AllowPin", VALUE_BOOL, POLICY_ALLOW_PIN, allow_pin),
	POLICY_KEY("AutoUnload", VALUE_BOOL, POLICY_AUTO_UNLOAD, auto_unload),
	POLICY_KEY("UnloadDelay", VALUE_DURATION, POLICY_UNLOAD_DELAY, unload_delay_usec),
	POLICY_KEY("HealthWindow", VALUE_DURATION, POLICY_HEALTH_WINDOW, health_window_usec),
	POLICY_KEY("HealthAttribution", VALUE_HEALTH_ATTRIBUTION, POLICY_HEALTH_ATTRIBUTION,
		   health_attribution),
	POLICY_KEY("OnKernelWarning", VALUE_ON_KERNEL_WARNING, POLICY_ON_KERNEL_WARNING,
		   on_kernel_warning),
};

static const char *value_expected(enum value_kind k)
{
	switch (k) {
	case VALUE_DIRS:
		return "an absolute directory without '.', '..' or empty components";
	case VALUE_BOOL:
		return "a boolean (yes or no)";
	case VALUE_PATH_OR_EMPTY:
		return "an absolute file name, or empty";
	case VALUE_DURATION:
		return "a duration such as 0, 90s, 5min, 1h or infinity";
	case VALUE_DURATION_POSITIVE:
		return "a duration above 0 such as 90s, 5min, 1h or infinity";
	case VALUE_DURATION_1S:
		return "a duration of at least 1s such as 30s, 5min, 1h, or infinity";
	case VALUE_ON_STALL:
		return "one of wait, revert, force";
	case VALUE_FORCE_WINDOWS:
		return "weekdays and a time range such as Mon..Fri 02:00-04:00, or empty";
	case VALUE_LOAD_AT_BOOT:
		return "a boolean (yes or no) or accepted";
	case VALUE_ON_KERNEL_WARNING:
		return "one of report, revert, ignore";
	case VALUE_HEALTH_ATTRIBUTION:
		return "one of stack, window";
	}
	return "valid";
}

/* The size of a field of kind K. */
static size_t value_size(enum value_kind k)
{
	switch (k) {
	case VALUE_DIRS:
	case VALUE_PATH_OR_EMPTY:
		return sizeof(char *);
	case VALUE_BOOL:
		return sizeof(bool);
	case VALUE_DURATION:
	case VALUE_DURATION_POSITIVE:
	case VALUE_DURATION_1S:
		return sizeof(uint64_t);
	case VALUE_ON_STALL:
		return sizeof(enum on_stall);
	case VALUE_LOAD_AT_BOOT:
		return sizeof(enum load_at_boot);
	case VALUE_ON_KERNEL_WARNING:
		return sizeof(enum on_kernel_warning);
	case VALUE_HEALTH_ATTRIBUTION:
		return sizeof(enum health_attribution);
	case VALUE_FORCE_WINDOWS:
		return sizeof(struct force_windows);
	}
	return 0;
}

/* Parse V as kind K (not VALUE_DIRS or VALUE_FORCE_WINDOWS) into DEST (a
 * field of the matching type). */
static int parse_value(enum value_kind k, const char *v, void *dest)
{
	union {
		bool b;
		uint64_t u;
		char *s;
	} out = {};
	int r = -EINVAL;

	switch (k) {
	case VALUE_DIRS:
	case VALUE_FORCE_WINDOWS:
		return -EINVAL;
	case VALUE_BOOL:
		r = parse_bool(v, &out.b);
		if (r < 0)
			return r;
		*(bool *)dest = out.b;
		return 0;
	case VALUE_PATH_OR_EMPTY:
		if (*v) {
			r = normalize_dir(v, strlen(v), &out.s);
			if (r < 0)
				return r;
			if (streq(out.s, "/")) {
				free(out.s);
				return -EINVAL;
			}
		}
		free(*(char **)dest);
		*(char **)dest = out.s;
		return 0;
	case VALUE_DURATION:
	case VALUE_DURATION_POSITIVE:
	case VALUE_DURATION_1S:
		r = duration_parse(v, &out.u);
		if (r < 0)
			return -EINVAL;
		if ((k == VALUE_DURATION_POSITIVE && out.u == 0) ||
		    (k == VALUE_DURATION_1S && out.u < USEC_PER_SEC))
			return -EINVAL;
		*(uint64_t *)dest = out.u;
		return 0;
	case VALUE_ON_STALL:
		for (enum on_stall o = 0; o < _ON_STALL_MAX; o++)
			if (streq(v, on_stall_table[o])) {
				*(enum on_stall *)dest = o;
				return 0;
			}
		return -EINVAL;
	case VALUE_LOAD_AT_BOOT:
		if (parse_bool(v, &out.b) >= 0) {
			*(enum load_at_boot *)dest = out.b ? LOAD_AT_BOOT_YES : LOAD_AT_BOOT_NO;
			return 0;
		}
		r = table_lookup(load_at_boot_table, _LOAD_AT_BOOT_MAX, v);
		if (r < 0)
			return r;
		*(enum load_at_boot *)dest = (enum load_at_boot)r;
		return 0;
	case VALUE_ON_KERNEL_WARNING:
		r = table_lookup(on_kernel_warning_table, _ON_KERNEL_WARNING_MAX, v);
		if (r < 0)
			return r;
		*(enum on_kernel_warning *)dest = (enum on_kernel_warning)r;
		return 0;
	case VALUE_HEALTH_ATTRIBUTION:
		r = table_lookup(health_attribution_table, _HEALTH_ATTRIBUTION_MAX, v);
		if (r < 0)
			return r;
		*(enum health_attribution *)dest = (enum health_attribution)r;
		return 0;
	}
	return r;
}

static const struct key *find_key(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(keys); i++)
		if (streq(keys[i].name, name))
			return &keys[i];
	return NULL;
}

static const char *suggest_key(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(keys); i++)
		if (strcasecmp(keys[i].name, name) == 0)
			return keys[i].name;
	return NULL;
}

/* A value that holds " #" was likely meant to end in a comment. */
static const char *comment_hint(const char *v)
{
	for (const char *c = v; *c; c++)
		if (*c == '#' && c > v && (c[-1] == ' ' || c[-1] == '\t'))
			return " ('#' starts a comment only at the start of a line)";
	return "";
}

/* The assignment the reader found. A key set again replaces the value, as
 * in systemd; PatchDirectories= and ForceWindow= append. */
static void assign(struct parser *p)
{
	struct config *c = p->config;
	const char *section = p->section, *name = p->key, *value = p->value;
	const struct key *k;
	struct config_where *where, *windows_where;
	void *dest;
	int r;

	if (!p->section_ok)
		return; /* the section's header is wrong, and said so */
	if (!section) {
		add_error(p, p->at, "key '%s' outside of a section: put it under [Daemon], "
				    "[Policy] or [Patch:GLOB]",
			  name);
		return;
	}

	k = find_key(name);
	if (!k) {
		const char *hint = suggest_key(name);

		if (hint)
			add_error(p, p->at, "unknown key '%s' in section '%s' (did you mean '%s'?)",
				  name, section, hint);
		else
			add_error(p, p->at, "unknown key '%s' in section '%s'", name, section);
		return;
	}
	if ((k->section == SECTION_DAEMON) != streq(section, "Daemon")) {
		add_error(p, p->at, "key '%s' does not belong in section '%s': it goes in %s", name,
			  section,
			  k->section == SECTION_DAEMON ? "[Daemon]" : "[Policy] or [Patch:GLOB]");
		return;
	}

	if (k->kind == VALUE_DIRS) {
		const char *bad = NULL;
		size_t n_bad = 0;

		r = assign_dirs(p, value, &bad, &n_bad);
		if (r == -EINVAL) {
			add_error(p, p->at, "key '%s' in section '%s': entry '%.*s' of value '%s' must "
					    "be %s%s",
				  name, section, (int)n_bad, bad, value, value_expected(k->kind),
				  comment_hint(value));
			return;
		}
	} else {
		if (k->section == SECTION_DAEMON) {
			dest = (char *)c + k->offset;
			where = &c->daemon_where[k->index];
			windows_where = NULL;
		} else if (p->section_override) {
			dest = (char *)&p->section_override->settings + k->offset;
			where = &p->section_override->where[k->index];
			windows_where = p->section_override->force_window_where;
		} else {
			dest = (char *)&c->policy + k->offset;
			where = &c->policy_where[k->index];
			windows_where = c->force_window_where;
		}
		if (k->kind == VALUE_FORCE_WINDOWS) {
			char msg[256];

			r = assign_windows(p, value, dest, windows_where, msg, sizeof(msg));
			if (r == -EINVAL) {
				add_error(p, p->at, "key '%s' in section '%s': value '%s': %s%s", name,
					  section, value, msg, comment_hint(value));
				return;
			}
		} else {
			r = parse_value(k->kind, value, dest);
			if (r == -EINVAL) {
				add_error(p, p->at,
					  "key '%s' in section '%s': value '%s' must be %s%s", name,
					  section, value, value_expected(k->kind), comment_hint(value));
				return;
			}
		}
		if (r >= 0) {
			*where = here(p);
			if (p->section_override)
				p->section_override->set |= 1u << k->index;
		}
	}
	if (r < 0)
		p->oom = true;
}

/* inih's handler. What it passes is the reader's stand-in: the section,
 * key and value are the parser's. Always 1: the errors are the parser's
 * too, and an inih built to stop at the first one would drop the rest. */
static int on_key(void *userdata, const char *unused_section, const char *unused_name,
		  const char *unused_value)
{
	struct parser *p = userdata;

	if (p->key)
		assign(p);
	return 1;
}

/* --- sections and lines, seen by the reader */

static struct patch_override *find_override(struct config *c, const char *glob)
{
	for (size_t i = 0; i < c->n_overrides; i++)
		if (streq(c->overrides[i].glob, glob))
			return &c->overrides[i];
	return NULL;
}

static void on_section(struct parser *p, const char *name, size_t n)
{
	_cleanup_free_ char *glob = NULL;
	struct patch_override *o;
	const char *s;
	int r;

	free(p->section);
	p->section = strndup(name, n);
	p->section_ok = false;
	p->section_override = NULL;
	if (!p->section) {
		p->oom = true;
		return;
	}
	s = p->section;
	if (streq(s, "Daemon") || streq(s, "Policy")) {
		p->section_ok = true;
		return;
	}
	if (strncmp(s, "Patch:", 6) != 0) {
		add_error(p, p->at, "unknown section '%s' (expected Daemon, Policy or Patch:GLOB)", s);
		return;
	}
	r = glob_normalize(s + 6, &glob);
	if (r == -ENOMEM) {
		p->oom = true;
		return;
	}
	if (r == -ENAMETOOLONG) {
		add_error(p, p->at, "section '%s': glob '%s' is longer than a module name (at most %d "
				    "characters)",
			  s, s + 6, KLP_MODULE_NAME_MAX - 1);
		return;
	}
	if (r < 0) {
		add_error(p, p->at,
			  "section '%s': glob '%s' must be a pattern over module names made of "
			  "letters, digits, '_', '-', '*' and '?'",
			  s, s + 6);
		return;
	}
	o = find_override(p->config, glob);
	if (!o) {
		struct patch_override *l;

		l = realloc(p->config->overrides,
			    (p->config->n_overrides + 1) * sizeof(*p->config->overrides));
		if (!l) {
			p->oom = true;
			return;
		}
		p->config->overrides = l;
		o = &l[p->config->n_overrides++];
		*o = (struct patch_override){ .glob = TAKE_PTR(glob), .header = here(p) };
	}
	p->section_override = o;
	p->section_ok = true;
}

static void syntax_error(struct parser *p)
{
	add_error(p, p->at, "syntax error: expected [Section], Key=Value or a comment (# or ;)");
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* "[NAME]": the header ends at its last ']' (a glob with brackets is shown
 * whole), before a comment after it (a blank, then '#' or ';'). */
static void header(struct parser *p, const char *s)
{
	const char *close = NULL;

	for (const char *c = s + 1; *c; c++) {
		if ((*c == '#' || *c == ';') && is_blank(c[-1]))
			break;
		if (*c == ']')
			close = c;
	}
	if (close) {
		on_section(p, s + 1, (size_t)(close - s - 1));
		return;
	}
	syntax_error(p);
	/* the keys that follow belong to no section that was said */
	p->section_ok = false;
	p->section_override = NULL;
}

/* "KEY=VALUE" or "KEY:VALUE", as inih reads them: the separator is the first
 * '=' or ':', the value ends at a ';' after a blank (a comment), blanks
 * around both are dropped. Splits S in place; false when there is no
 * separator before a comment. */
static bool assignment(char *s, char **ret_key, char **ret_value)
{
	char *sep = NULL, *v, *e;

	for (char *c = s; *c && !sep; c++) {
		if (*c == ';' && c > s && isspace((unsigned char)c[-1]))
			return false;
		if (*c == '=' || *c == ':')
			sep = c;
	}
	if (!sep)
		return false;
	v = sep + 1;
	for (char *c = v; *c; c++)
		if (*c == ';' && c > v && isspace((unsigned char)c[-1])) {
			*c = '\0';
			break;
		}
	while (isspace((unsigned char)*v))
		v++;
	for (e = v + strlen(v); e > v && isspace((unsigned char)e[-1]);)
		*--e = '\0';
	for (e = sep; e > s && isspace((unsigned char)e[-1]);)
		e--;
	*e = '\0';
	*ret_key = s;
	*ret_value = v;
	return true;
}

static int text_append(struct parser *p, size_t at, const char *s, size_t n)
{
	if (at + n + 1 > p->text_size) {
		size_t size = at + n + 1 > 2 * p->text_size ? at + n + 1 : 2 * p->text_size;
		char *t = realloc(p->text, size);

		if (!t)
			return -ENOMEM;
		p->text = t;
		p->text_size = size;
	}
	memcpy(p->text + at, s, n);
	p->text[at + n] = '\0';
	return 0;
}

/* The next logical line into p->text, as systemd reads its files: a line
 * that ends in a backslash (not an escaped one, "\\") goes on in the next
 * one, the backslash turned into a blank; comment lines in between are
 * skipped. p->at is its first line. False at the end or out of memory. */
static bool next_line(struct parser *p)
{
	size_t n_text = 0;
	bool more = false;

	if (p->pos >= p->len)
		return false;
	p->at = p->line + 1;
	while (p->pos < p->len) {
		const char *s = p->buf + p->pos, *nl, *e, *t;
		size_t n, backslashes = 0;

		nl = memchr(s, '\n', p->len - p->pos);
		n = nl ? (size_t)(nl - s) : p->len - p->pos;
		p->pos += n + (nl != NULL);
		p->line++;
		e = s + n;
		if (e > s && e[-1] == '\r')
			e--;
		/* inih passes a UTF-8 byte order mark or not, depending on how
		 * it was built: dropped here, the first line is like any other */
		if (p->line == 1 && e - s >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
			s += 3;
		for (t = s; t < e && isspace((unsigned char)*t);)
			t++;
		if (t < e && (*t == '#' || *t == ';')) {
			if (more)
				continue;
			/* a comment is a line of its own, a backslash or not */
			e = t;
		}
		if (text_append(p, n_text, s, (size_t)(e - s)) < 0) {
			p->oom = true;
			return false;
		}
		n_text += (size_t)(e - s);
		while (backslashes < n_text && p->text[n_text - 1 - backslashes] == '\\')
			backslashes++;
		more = backslashes % 2 == 1;
		if (!more)
			break;
		p->text[n_text - 1] = ' ';
	}
	return true;
}

/* inih's fgets-like reader over the buffer. It reads a logical line and
 * sees what it is: a comment or an empty line (inih gets an empty one), a
 * section header (handled here; inih gets an empty line), an assignment
 * (kept in the parser for on_key(); inih gets "k=v", so that it calls the
 * handler) or an error (reported here; inih gets an empty line). */
static char *reader(char *str, int num, void *stream)
{
	static const char empty[] = "\n", stand_in[] = "k=v\n";
	struct parser *p = stream;
	char *s, *key, *value;

	p->key = p->value = NULL;
	if (num < (int)sizeof(stand_in)) {
		add_error(p, 0, "cannot parse: inih's line buffer holds only %d bytes", num);
		return NULL;
	}
	if (!next_line(p))
		return NULL;

	for (s = p->text; isspace((unsigned char)*s);)
		s++;
	if (*s == '[')
		header(p, s);
	else if (*s && *s != '#' && *s != ';') {
		if (assignment(s, &key, &value)) {
			p->key = key;
			p->value = value;
			memcpy(str, stand_in, sizeof(stand_in));
			return str;
		}
		syntax_error(p);
	}
	memcpy(str, empty, sizeof(empty));
	return str;
}

/* The file's name, kept in C for the values' where. */
static const char *add_source(struct config *c, const char *name)
{
	char **l;

	if (c->n_sources > 0 && streq(c->sources[c->n_sources - 1], name))
		return c->sources[c->n_sources - 1];
	l = realloc(c->sources, (c->n_sources + 1) * sizeof(*l));
	if (!l)
		return NULL;
	c->sources = l;
	l[c->n_sources] = strdup(name);
	if (!l[c->n_sources])
		return NULL;
	return l[c->n_sources++];
}

int config_parse_buffer(struct config *c, const char *name, const char *buf, size_t len,
			char **error)
{
	struct parser p = {
		.config = c,
		.name = name,
		.buf = buf,
		.len = len,
		.section_ok = true,
	};
	const char *nul;
	int r;

	if (error)
		*error = NULL;

	nul = memchr(buf, '\0', len);
	if (nul) {
		unsigned line = 1;

		for (const char *b = buf; b < nul; b++)
			line += *b == '\n';
		add_error(&p, line, "contains a NUL byte: not a text file");
	} else if (len > CONFIG_FILE_MAX)
		add_error(&p, 0, "file is larger than %d bytes: not a configuration file",
			  CONFIG_FILE_MAX);
	else if (!(p.source = add_source(c, name)))
		p.oom = true;
	else {
		r = ini_parse_stream(reader, &p, on_key, &p);
		if (r == -2)
			p.oom = true;
		else if (r == -1)
			add_error(&p, 0, "cannot read the file");
		/* inih finds no error in the stand-ins */
		else if (r > 0 && p.n_errors == 0 && !p.oom)
			add_error(&p, 0, "cannot parse the file");
	}

	if (!p.oom && p.n_errors == 0) {
		c->stall_timeout_usec = c->policy.stall_timeout_usec;
		parser_done(&p);
		return 0;
	}
	if (p.oom) {
		parser_done(&p);
		return -ENOMEM;
	}
	if (error) {
		size_t total = 1;
		char *msg, *at;

		for (size_t i = 0; i < p.n_errors; i++)
			total += strlen(p.errors[i]) + 1;
		msg = malloc(total);
		if (!msg) {
			parser_done(&p);
			return -ENOMEM;
		}
		at = msg;
		for (size_t i = 0; i < p.n_errors; i++)
			at += sprintf(at, "%s%s", i ? "\n" : "", p.errors[i]);
		*error = msg;
	}
	parser_done(&p);
	return -EINVAL;
}

/* --- files */

static int set_error(char **error, const char *fmt, ...) _printf_(2, 3);
static int set_error(char **error, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!error)
		return 0;
	va_start(ap, fmt);
	n = vasprintf(error, fmt, ap);
	va_end(ap);
	if (n < 0) {
		*error = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* Read FILE whole, refusing what is too large or not a regular file.
 * *RET_BUF is NULL when the file does not exist. */
static int read_config_file(const char *file, char **ret_buf, size_t *ret_len, char **error)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len = 0;
	int r;

	*ret_buf = NULL;
	*ret_len = 0;
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;

		if (e == ENOENT)
			return 0;
		set_error(error, "%s: cannot open: %s", file, strerror(e));
		return -e;
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;

		set_error(error, "%s: cannot stat: %s", file, strerror(e));
		return -e;
	}
	/* linked to /dev/null: empty, so that it masks the drop-ins of the
	 * same name, as in systemd */
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)) {
		*ret_buf = strdup("");
		return *ret_buf ? 0 : -ENOMEM;
	}
	if (!S_ISREG(st.st_mode)) {
		set_error(error, "%s: not a regular file", file);
		return -EINVAL;
	}
	if (st.st_size > CONFIG_FILE_MAX) {
		set_error(error, "%s: file is larger than %d bytes: not a configuration file",
			  file, CONFIG_FILE_MAX);
		return -EFBIG;
	}
	/* read to the end: the file may have grown since the fstat() */
	r = read_full_fd(fd, CONFIG_FILE_MAX, &buf, &len);
	if (r == -EFBIG)
		set_error(error, "%s: file is larger than %d bytes: not a configuration file",
			  file, CONFIG_FILE_MAX);
	else if (r < 0 && r != -ENOMEM)
		set_error(error, "%s: cannot read: %s", file, strerror(-r));
	if (r < 0)
		return r;
	*ret_buf = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

void config_texts_done(struct config_texts *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->files[i].name);
		free(t->files[i].text);
	}
	free(t->files);
	*t = (struct config_texts){};
}

int config_texts_add(struct config_texts *t, const char *name, const char *text, size_t len)
{
	_cleanup_free_ char *n = strdup(name), *copy = malloc(len + 1);
	struct config_text *l;

	if (!n || !copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	l = realloc(t->files, (t->n + 1) * sizeof(*l));
	if (!l)
		return -ENOMEM;
	t->files = l;
	l[t->n++] = (struct config_text){ .name = TAKE_PTR(n), .text = TAKE_PTR(copy), .len = len };
	return 0;
}

/* TEXTS, when not NULL, gets the file's text if it parsed. */
static int parse_file(struct config *c, const char *file, struct config_texts *texts,
		      char **error)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	r = read_config_file(file, &buf, &len, error);
	if (r < 0)
		return r;
	if (!buf)
		return 0;
	r = config_parse_buffer(c, file, buf, len, error);
	if (r < 0 || !texts)
		return r;
	return config_texts_add(texts, file, buf, len);
}

static int dropin_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && streq(d->d_name + n - 5, ".conf");
}

/* Append the errors of one file to those of the files before. */
static int append_error(char **all, char *more)
{
	char *joined;

	if (!more)
		return 0;
	if (!*all) {
		*all = more;
		return 0;
	}
	if (asprintf(&joined, "%s\n%s", *all, more) < 0) {
		free(more);
		return -ENOMEM;
	}
	free(*all);
	free(more);
	*all = joined;
	return 0;
}

/* The drop-ins to read: one path for each name, from the first directory
 * that has it. */
struct dropins {
	char **names, **paths;
	size_t n;
};

static void dropins_done(struct dropins *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->names[i]);
		free(d->paths[i]);
	}
	free(d->names);
	free(d->paths);
}

static int dropins_add_dir(struct dropins *d, const char *dir, char **error)
{
	struct dirent **list = NULL;
	int n, r = 0;

	/* alphasort: "lexical order" as in the C locale the daemon runs in */
	n = scandir(dir, &list, dropin_filter, alphasort);
	if (n < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0; /* no drop-ins here */
		r = -errno;
		set_error(error, "%s: cannot read the directory: %s", dir, strerror(-r));
		return r;
	}
	for (int i = 0; i < n && r == 0; i++) {
		const char *name = list[i]->d_name;
		bool masked = false;
		char **names, **paths;

		for (size_t j = 0; j < d->n && !masked; j++)
			masked = streq(d->names[j], name);
		if (masked)
			continue;
		names = realloc(d->names, (d->n + 1) * sizeof(char *));
		if (names)
			d->names = names;
		paths = realloc(d->paths, (d->n + 1) * sizeof(char *));
		if (paths)
			d->paths = paths;
		if (!names || !paths) {
			r = -ENOMEM;
			break;
		}
		d->names[d->n] = strdup(name);
		if (asprintf(&d->paths[d->n], "%s/%s", dir, name) < 0)
			d->paths[d->n] = NULL;
		d->n++;
		if (!d->names[d->n - 1] || !d->paths[d->n - 1])
			r = -ENOMEM;
	}
	free_dirents(list, n);
	return r;
}

static int dropins_cmp(const void *a, const void *b, void *names)
{
	char **n = names;

	return strcmp(n[*(const size_t *)a], n[*(const size_t *)b]);
}

/* Every file is read even after one failed, so that a check reports the
 * errors of all of them at once. */
int config_load_dirs(const char *file, const char *const *dirs, struct config *ret,
		     struct config_texts *texts, char **error)
{
	_cleanup_(config_donep) struct config c = {};
	_cleanup_(config_texts_donep) struct config_texts t = {};
	_cleanup_(dropins_done) struct dropins d = {};
	_cleanup_free_ char *errors = NULL;
	_cleanup_free_ size_t *order = NULL;
	int r, ret_r = 0;

	if (error)
		*error = NULL;
	r = config_init_defaults(&c);
	if (r < 0)
		return r;
	for (size_t i = 0; dirs && dirs[i]; i++) {
		r = dropins_add_dir(&d, dirs[i], error);
		if (r < 0)
			return r;
	}
	/* in the order of their names, wherever they are */
	order = calloc(d.n + 1, sizeof(*order));
	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < d.n; i++)
		order[i] = i;
	qsort_r(order, d.n, sizeof(*order), dropins_cmp, d.names);

	for (size_t i = 0; i <= d.n; i++) {
		char *msg = NULL;

		r = parse_file(&c, i == 0 ? file : d.paths[order[i - 1]], texts ? &t : NULL, &msg);
		if (r < 0 && ret_r == 0)
			ret_r = r;
		if (append_error(&errors, msg) < 0 || r == -ENOMEM) {
			ret_r = -ENOMEM;
			break;
		}
	}
	if (ret_r < 0) {
		if (error)
			*error = TAKE_PTR(errors);
		return ret_r;
	}
	*ret = c;
	c = (struct config){};
	if (texts) {
		*texts = t;
		t = (struct config_texts){};
	}
	return 0;
}

int config_load(const char *file, struct config *ret, char **error)
{
	return config_load_texts(file, ret, NULL, error);
}

int config_load_texts(const char *file, struct config *ret, struct config_texts *texts,
		      char **error)
{
	_cleanup_free_ char *own = NULL;
	const char *dirs[4] = {};

	if (asprintf(&own, "%s.d", file) < 0)
		return -ENOMEM;
	dirs[0] = own;
	if (streq(file, KLPD_CONFIG_FILE)) {
		dirs[1] = KLPD_RUNTIME_DROPIN_DIR;
		dirs[2] = KLPD_VENDOR_DROPIN_DIR;
	}
	return config_load_dirs(file, dirs, ret, texts, error);
}

/* The first [Patch:GLOB] that matches NAME, or NULL. */
static const struct patch_override *override_for(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->n_overrides; i++)
		if (fnmatch(c->overrides[i].glob, name, 0) == 0)
			return &c->overrides[i];
	return NULL;
}

const char *config_policy_for(const struct config *c, const char *name,
			      struct policy_settings *ret)
{
	const struct patch_override *o = override_for(c, name);

	*ret = c->policy;
	if (!o)
		return NULL;
	for (size_t i = 0; i < ELEMENTSOF(keys); i++)
		if (keys[i].section == SECTION_POLICY && (o->set & (1u << keys[i].index)))
			memcpy((char *)ret + keys[i].offset,
			       (const char *)&o->settings + keys[i].offset, value_size(keys[i].kind));
	return o->glob;
}

/* --- klpd --dump-config */

static void dump_line(FILE *f, const char *key, const char *value, struct config_where w)
{
	int n = fprintf(f, "%s=%s", key, value);

	/* " ; " starts a comment in klpd.conf: the output reads back */
	fprintf(f, "%*s ; ", n < 32 ? 32 - n : 0, "");
	if (w.file)
		fprintf(f, "%s:%u\n", w.file, w.line);
	else
		fprintf(f, "default\n");
}

/* Key K's value in DEST (a field of its type) as klpd.conf writes it. */
static void dump_value(FILE *f, const struct key *k, const void *dest, struct config_where w)
{
	char buf[DURATION_MAX];
	const char *v = "";

	switch (k->kind) {
	case VALUE_DIRS:
	case VALUE_FORCE_WINDOWS:
		return;
	case VALUE_BOOL:
		v = *(const bool *)dest ? "yes" : "no";
		break;
	case VALUE_PATH_OR_EMPTY:
		v = strempty(*(char *const *)dest);
		break;
	case VALUE_DURATION:
	case VALUE_DURATION_POSITIVE:
	case VALUE_DURATION_1S:
		v = duration_format(buf, sizeof(buf), *(const uint64_t *)dest);
		break;
	case VALUE_ON_STALL:
		v = on_stall_to_string(*(const enum on_stall *)dest);
		break;
	case VALUE_LOAD_AT_BOOT:
		v = load_at_boot_to_string(*(const enum load_at_boot *)dest);
		break;
	case VALUE_ON_KERNEL_WARNING:
		v = on_kernel_warning_to_string(*(const enum on_kernel_warning *)dest);
		break;
	case VALUE_HEALTH_ATTRIBUTION:
		v = health_attribution_to_string(*(const enum health_attribution *)dest);
		break;
	}
	dump_line(f, k->name, v, w);
}

static void dump_daemon(const struct config *c, FILE *f)
{
	fprintf(f, "[%s]\n", "Daemon");
	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		const struct key *k = &keys[i];

		if (k->section != SECTION_DAEMON)
			continue;
		if (k->kind != VALUE_DIRS) {
			dump_value(f, k, (const char *)c + k->offset, c->daemon_where[k->index]);
			continue;
		}
		/* one line for each directory: they append as they read back */
		if (!c->patch_dirs[0])
			dump_line(f, k->name, "", c->daemon_where[k->index]);
		for (size_t d = 0; c->patch_dirs[d]; d++)
			dump_line(f, k->name, c->patch_dirs[d], c->patch_dirs_where[d]);
	}
}

/* One line for each window, as they append when read back; W is where
 * the list was emptied, WINDOWS_WHERE where each window was set. */
static void dump_windows(FILE *f, const struct key *k, const struct force_windows *fw,
			 struct config_where w, const struct config_where *windows_where)
{
	char buf[FORCE_WINDOW_STRING_MAX];

	if (fw->n == 0)
		dump_line(f, k->name, "", w);
	for (size_t i = 0; i < fw->n; i++)
		dump_line(f, k->name, force_window_format(&fw->w[i], buf, sizeof(buf)),
			  windows_where[i]);
}

/* The [Policy] keys of SETTINGS: those in SET from O's, the others from
 * BASE's (NULL: all of them from O's). */
static void dump_policy(const struct policy_settings *settings, const struct config_where *where,
			const struct config_where *windows_where, unsigned set,
			const struct config *base, FILE *f)
{
	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		const struct key *k = &keys[i];
		const void *from = (const char *)settings + k->offset;
		struct config_where w = where[k->index];
		const struct config_where *ww = windows_where;

		if (k->section != SECTION_POLICY)
			continue;
		if (base && !(set & (1u << k->index))) {
			from = (const char *)&base->policy + k->offset;
			w = base->policy_where[k->index];
			ww = base->force_window_where;
		} else if (!base && !(set & (1u << k->index)))
			continue;
		if (k->kind == VALUE_FORCE_WINDOWS)
			dump_windows(f, k, from, w, ww);
		else
			dump_value(f, k, from, w);
	}
}

int config_dump(const struct config *c, const char *patch, FILE *f)
{
	if (patch) {
		char name[KLP_MODULE_NAME_MAX];
		const struct patch_override *o;

		if (module_name_normalize(patch, name) < 0)
			return -EINVAL;
		o = override_for(c, name);
		if (o && o->header.file)
			fprintf(f, "# %s: [Policy] with [Patch:%s] of %s:%u\n", name, o->glob,
				o->header.file, o->header.line);
		else
			fprintf(f, "# %s: [Policy]; no [Patch:GLOB] section matches\n", name);
		fprintf(f, "[Patch:%s]\n", name);
		if (o)
			dump_policy(&o->settings, o->where, o->force_window_where, o->set, c, f);
		else
			dump_policy(&c->policy, c->policy_where, c->force_window_where, 0, c, f);
		return 0;
	}

	dump_daemon(c, f);
	fprintf(f, "\n[%s]\n", "Policy");
	dump_policy(&c->policy, c->policy_where, c->force_window_where, 0, c, f);
	for (size_t i = 0; i < c->n_overrides; i++) {
		const struct patch_override *o = &c->overrides[i];

		fprintf(f, "\n[Patch:%s]\n", o->glob);
		dump_policy(&o->settings, o->where, o->force_window_where, o->set, NULL, f);
	}
	return 0;
}
