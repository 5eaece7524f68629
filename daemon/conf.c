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

static const struct policy_settings policy_defaults = {
	.stall_timeout_usec = 60 * USEC_PER_SEC,
	.on_stall = ON_STALL_REVERT,
	.force_after_usec = 0,
	.auto_unload = true,
	.unload_delay_usec = 30 * USEC_PER_SEC,
	.allow_pin = true,
};

int config_init_defaults(struct config *c)
{
	*c = (struct config){
		.load_at_boot = true,
		.metrics_refresh_usec = CONFIG_METRICS_REFRESH_DEFAULT,
		.stall_timeout_usec = policy_defaults.stall_timeout_usec,
		.policy = policy_defaults,
	};
	c->patch_dirs = calloc(2, sizeof(char *));
	if (!c->patch_dirs)
		return -ENOMEM;
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
	*c = (struct config){};
}

/* --- one file */

struct parser {
	struct config *config;
	const char *name; /* file name for messages */

	/* the reader's position in the buffer */
	const char *buf;
	size_t len, pos;
	unsigned line;

	/* The section the reader saw last: inih truncates names it finds too
	 * long, so the reader checks them and tells the handler what is valid. */
	bool section_ok;
	struct patch_override *section_override; /* NULL for [Daemon]/[Policy] */

	/* "section\nkey" of every key set in this file, to refuse duplicates */
	char **seen;
	size_t n_seen;

	/* errors so far, in line order */
	char **errors;
	unsigned *error_lines;
	size_t n_errors;
	bool oom;
};

static void parser_done(struct parser *p)
{
	for (size_t i = 0; i < p->n_seen; i++)
		free(p->seen[i]);
	free(p->seen);
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
	/* keep line order: inih's own syntax errors are added at the end */
	for (at = p->n_errors; at > 0 && p->error_lines[at - 1] > line; at--) {
		p->errors[at] = p->errors[at - 1];
		p->error_lines[at] = p->error_lines[at - 1];
	}
	p->errors[at] = full;
	p->error_lines[at] = line;
	p->n_errors++;
}

static bool has_error_at(const struct parser *p, unsigned line)
{
	for (size_t i = 0; i < p->n_errors; i++)
		if (p->error_lines[i] == line)
			return true;
	return false;
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

static int parse_dirs(const char *v, char ***ret)
{
	_cleanup_strv_free_ char **l = NULL;
	size_t n = 0;

	for (const char *c = v;;) {
		char **nl;
		size_t len;
		int r;

		c += strspn(c, " \t");
		if (!*c)
			break;
		len = strcspn(c, " \t");
		nl = realloc(l, (n + 2) * sizeof(char *));
		if (!nl)
			return -ENOMEM;
		l = nl;
		l[n] = NULL;
		r = normalize_dir(c, len, &l[n]);
		if (r < 0)
			return r;
		l[++n] = NULL;
		c += len;
	}
	if (n == 0)
		return -EINVAL;
	*ret = TAKE_PTR(l);
	return 0;
}

/* A glob over module names: [A-Za-z0-9_-] and the fnmatch(3) operators
 * '*' and '?'. No brackets: the section header ends at the first ']'.
 * '-' becomes '_', as in module names. */
static int glob_normalize(const char *g, char **ret)
{
	_cleanup_free_ char *out = NULL;
	size_t n = strlen(g);

	if (n == 0 || n >= KLP_MODULE_NAME_MAX)
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
};

struct key {
	const char *name;
	enum section_kind section;
	enum value_kind kind;
	unsigned policy_bit; /* POLICY_KEY_*, for [Policy] keys */
	size_t offset;       /* in struct config, or in struct policy_settings */
};

#define CONFIG_KEY(n, k, field) { n, SECTION_DAEMON, k, 0, offsetof(struct config, field) }
#define POLICY_KEY(n, k, bit, field) { n, SECTION_POLICY, k, bit, offsetof(struct policy_settings, field) }

static const struct key keys[] = {
	CONFIG_KEY("PatchDirectories", VALUE_DIRS, patch_dirs),
	CONFIG_KEY("LoadAtBoot", VALUE_BOOL, load_at_boot),
	CONFIG_KEY("MetricsFile", VALUE_PATH_OR_EMPTY, metrics_file),
	CONFIG_KEY("MetricsRefresh", VALUE_DURATION_1S, metrics_refresh_usec),
	POLICY_KEY("StallTimeout", VALUE_DURATION_POSITIVE, POLICY_KEY_STALL_TIMEOUT,
		   stall_timeout_usec),
	POLICY_KEY("OnStall", VALUE_ON_STALL, POLICY_KEY_ON_STALL, on_stall),
	POLICY_KEY("ForceAfter", VALUE_DURATION, POLICY_KEY_FORCE_AFTER, force_after_usec),
	POLICY_KEY("AutoUnload", VALUE_BOOL, POLICY_KEY_AUTO_UNLOAD, auto_unload),
	POLICY_KEY("UnloadDelay", VALUE_DURATION, POLICY_KEY_UNLOAD_DELAY, unload_delay_usec),
	POLICY_KEY("AllowPin", VALUE_BOOL, POLICY_KEY_ALLOW_PIN, allow_pin),
};

static const char *value_expected(enum value_kind k)
{
	switch (k) {
	case VALUE_DIRS:
		return "one or more absolute directories separated by spaces";
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
	}
	return "valid";
}

/* Parse V as kind K into DEST (a field of the matching type). */
static int parse_value(enum value_kind k, const char *v, void *dest)
{
	union {
		bool b;
		uint64_t u;
		char **l;
		char *s;
	} out = {};
	int r = -EINVAL;

	switch (k) {
	case VALUE_DIRS:
		r = parse_dirs(v, &out.l);
		if (r < 0)
			return r;
		strv_free(*(char ***)dest);
		*(char ***)dest = out.l;
		return 0;
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
			return r;
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

/* Remember SECTION/KEY; false when this file set it already. */
static int mark_seen(struct parser *p, const char *section, const char *key)
{
	_cleanup_free_ char *id = NULL;
	char **l;

	if (asprintf(&id, "%s\n%s", section, key) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_seen; i++)
		if (streq(p->seen[i], id))
			return 0;
	l = realloc(p->seen, (p->n_seen + 1) * sizeof(*l));
	if (!l)
		return -ENOMEM;
	p->seen = l;
	p->seen[p->n_seen++] = TAKE_PTR(id);
	return 1;
}

static int on_key(void *userdata, const char *section, const char *name, const char *value)
{
	struct parser *p = userdata;
	struct config *c = p->config;
	const struct key *k;
	bool is_daemon = streq(section, "Daemon");
	void *dest;
	int r;

	if (!*section) {
		add_error(p, p->line, "key '%s' outside of a section: put it under [Daemon], "
				      "[Policy] or [Patch:GLOB]",
			  name);
		return 0;
	}
	if (!p->section_ok)
		return 1; /* the section's header is wrong, and said so */

	k = find_key(name);
	if (!k) {
		const char *hint = suggest_key(name);

		if (hint)
			add_error(p, p->line, "unknown key '%s' in section '%s' (did you mean '%s'?)",
				  name, section, hint);
		else
			add_error(p, p->line, "unknown key '%s' in section '%s'", name, section);
		return 0;
	}
	if ((k->section == SECTION_DAEMON) != is_daemon) {
		add_error(p, p->line, "key '%s' does not belong in section '%s': it goes in %s", name,
			  section,
			  k->section == SECTION_DAEMON ? "[Daemon]" : "[Policy] or [Patch:GLOB]");
		return 0;
	}

	r = mark_seen(p, section, name);
	if (r < 0) {
		p->oom = true;
		return 0;
	}
	if (r == 0) {
		add_error(p, p->line, "key '%s' in section '%s' is set twice in this file", name,
			  section);
		return 0;
	}

	if (k->section == SECTION_DAEMON)
		dest = (char *)c + k->offset;
	else if (p->section_override)
		dest = (char *)&p->section_override->settings + k->offset;
	else
		dest = (char *)&c->policy + k->offset;

	r = parse_value(k->kind, value, dest);
	if (r == -ENOMEM) {
		p->oom = true;
		return 0;
	}
	if (r < 0) {
		add_error(p, p->line, "key '%s' in section '%s': value '%s' must be %s", name,
			  section, value, value_expected(k->kind));
		return 0;
	}
	if (p->section_override)
		p->section_override->set |= k->policy_bit;
	return 1;
}

/* --- sections, seen by the reader */

static struct patch_override *find_override(struct config *c, const char *glob)
{
	for (size_t i = 0; i < c->n_overrides; i++)
		if (streq(c->overrides[i].glob, glob))
			return &c->overrides[i];
	return NULL;
}

/* inih keeps at most 49 characters of a section name. */
#define SECTION_NAME_MAX 49

static void on_section(struct parser *p, const char *name, size_t n)
{
	_cleanup_free_ char *s = strndup(name, n);
	_cleanup_free_ char *glob = NULL;
	struct patch_override *o;
	int r;

	p->section_ok = false;
	p->section_override = NULL;
	if (!s) {
		p->oom = true;
		return;
	}
	if (n > SECTION_NAME_MAX) {
		add_error(p, p->line, "section name '%s' is too long (at most %d characters)", s,
			  SECTION_NAME_MAX);
		return;
	}
	if (streq(s, "Daemon") || streq(s, "Policy")) {
		p->section_ok = true;
		return;
	}
	if (strncmp(s, "Patch:", 6) != 0) {
		add_error(p, p->line,
			  "unknown section '%s' (expected Daemon, Policy or Patch:GLOB)", s);
		return;
	}
	r = glob_normalize(s + 6, &glob);
	if (r == -ENOMEM) {
		p->oom = true;
		return;
	}
	if (r < 0) {
		add_error(p, p->line,
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
		*o = (struct patch_override){ .glob = TAKE_PTR(glob) };
	}
	p->section_override = o;
	p->section_ok = true;
}

static void syntax_error(struct parser *p)
{
	add_error(p, p->line, "syntax error: expected [Section], Key=Value or a comment (# or ;)");
}

/* Whether inih finds "Key=Value" (or "Key:Value") in the line: a separator
 * before any inline comment (" ;"). inih itself reports only the first
 * line it could not parse; this finds them all. */
static bool has_separator(const char *s, const char *e)
{
	for (const char *c = s; c < e; c++) {
		if (*c == '=' || *c == ':')
			return true;
		if (*c == ';' && c > s && (c[-1] == ' ' || c[-1] == '\t'))
			return false;
	}
	return false;
}

/* inih's fgets-like reader over the buffer. It counts lines (so that the
 * handler knows where it is), refuses lines too long for inih's buffer
 * instead of letting it split them, drops leading blanks (no continuation
 * lines: a stray indent is an error, not a silent append) and looks at
 * section headers before inih truncates them. */
static char *reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	const char *start, *nl, *s, *e;
	size_t n;

	if (p->pos >= p->len || num < 4)
		return NULL;
	start = p->buf + p->pos;
	nl = memchr(start, '\n', p->len - p->pos);
	n = nl ? (size_t)(nl - start) + 1 : p->len - p->pos;
	p->pos += n;
	p->line++;

	s = start;
	e = start + n;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	/* inih passes a UTF-8 byte order mark or not, depending on how it was
	 * built: drop it here so that the first line is a line like any other */
	if (p->line == 1 && e - s >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	/* the text and the NUL must fit; inih's limit counts '\r' and '\n' too */
	if ((size_t)(e - s) + 1 > (size_t)num) {
		add_error(p, p->line, "line too long (at most %d characters)", num - 3);
		if (*s == '[') {
			p->section_ok = false;
			p->section_override = NULL;
		}
		/* an empty line in its place: parsing goes on with the rest */
		str[0] = '\n';
		str[1] = '\0';
		return str;
	}
	memcpy(str, s, (size_t)(e - s));
	str[e - s] = '\0';

	/* S may be the end of the buffer: a last line of blanks and no newline */
	if (s < e && *s == '[') {
		const char *close = memchr(s, ']', (size_t)(e - s));

		if (close)
			on_section(p, s + 1, (size_t)(close - s - 1));
		else
			syntax_error(p);
	} else if (s < e && *s != ';' && *s != '#' && *s != '\r' && *s != '\n' &&
		   !has_separator(s, e))
		syntax_error(p);
	return str;
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
	else {
		r = ini_parse_stream(reader, &p, on_key, &p);
		if (r == -2)
			p.oom = true;
		else if (r == -1)
			add_error(&p, 0, "cannot read the file");
		else if (r > 0 && !has_error_at(&p, (unsigned)r))
			add_error(&p, (unsigned)r, "syntax error: expected [Section], Key=Value or a "
						   "comment (# or ;)");
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

/* Every file is read even after one failed, so that a check reports the
 * errors of all of them at once. */
int config_load(const char *file, struct config *ret, char **error)
{
	return config_load_texts(file, ret, NULL, error);
}

int config_load_texts(const char *file, struct config *ret, struct config_texts *texts,
		      char **error)
{
	_cleanup_(config_donep) struct config c = {};
	_cleanup_(config_texts_donep) struct config_texts t = {};
	_cleanup_free_ char *dir = NULL, *errors = NULL;
	struct dirent **list = NULL;
	int n, r, ret_r = 0;

	if (error)
		*error = NULL;
	r = config_init_defaults(&c);
	if (r < 0)
		return r;
	if (asprintf(&dir, "%s.d", file) < 0)
		return -ENOMEM;
	/* alphasort: "lexical order" as in the C locale the daemon runs in */
	n = scandir(dir, &list, dropin_filter, alphasort);
	if (n < 0) {
		if (errno != ENOENT && errno != ENOTDIR) {
			r = -errno;
			set_error(error, "%s: cannot read the directory: %s", dir, strerror(-r));
			return r;
		}
		n = 0; /* no drop-ins */
	}

	for (int i = -1; i < n; i++) {
		_cleanup_free_ char *path = NULL;
		char *msg = NULL;

		if (i >= 0 && asprintf(&path, "%s/%s", dir, list[i]->d_name) < 0) {
			ret_r = -ENOMEM;
			break;
		}
		r = parse_file(&c, i < 0 ? file : path, texts ? &t : NULL, &msg);
		if (r < 0 && ret_r == 0)
			ret_r = r;
		if (append_error(&errors, msg) < 0 || r == -ENOMEM) {
			ret_r = -ENOMEM;
			break;
		}
	}
	free_dirents(list, n);
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

const char *config_policy_for(const struct config *c, const char *name,
			      struct policy_settings *ret)
{
	*ret = c->policy;
	for (size_t i = 0; i < c->n_overrides; i++) {
		const struct patch_override *o = &c->overrides[i];

		if (fnmatch(o->glob, name, 0) != 0)
			continue;
		if (o->set & POLICY_KEY_STALL_TIMEOUT)
			ret->stall_timeout_usec = o->settings.stall_timeout_usec;
		if (o->set & POLICY_KEY_ON_STALL)
			ret->on_stall = o->settings.on_stall;
		if (o->set & POLICY_KEY_FORCE_AFTER)
			ret->force_after_usec = o->settings.force_after_usec;
		if (o->set & POLICY_KEY_AUTO_UNLOAD)
			ret->auto_unload = o->settings.auto_unload;
		if (o->set & POLICY_KEY_UNLOAD_DELAY)
			ret->unload_delay_usec = o->settings.unload_delay_usec;
		if (o->set & POLICY_KEY_ALLOW_PIN)
			ret->allow_pin = o->settings.allow_pin;
		return o->glob;
	}
	return NULL;
}
