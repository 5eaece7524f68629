/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "force-window.h"
#include "macro.h"

#define KLPD_CONFIG_FILE SYSCONFDIR "/klpd/klpd.conf"
/* Drop-ins besides KLPD_CONFIG_FILE's own klpd.conf.d/, by systemd's
 * convention: generated at runtime, and the vendor's (a package's). */
#define KLPD_RUNTIME_DROPIN_DIR RUNSTATEDIR "/klpd/klpd.conf.d"
#define KLPD_VENDOR_DROPIN_DIR PREFIX_LIBDIR "/klpd/klpd.conf.d"
#define KLPD_DEFAULT_PATCH_DIR LOCALSTATEDIR "/lib/klpd/patches"

/* A file larger than this is refused: klpd.conf is a few lines of policy. */
#define CONFIG_FILE_MAX (1024 * 1024)

enum on_stall {
	ON_STALL_WAIT,   /* only report the stall */
	ON_STALL_REVERT, /* reverse the transition */
	ON_STALL_FORCE,  /* force it, after ForceAfter */
	_ON_STALL_MAX,
};

const char *on_stall_to_string(enum on_stall o);

/* What an incident the health window blames on a patch does to it. */
enum on_kernel_warning {
	ON_KERNEL_WARNING_REPORT, /* tell, mark the module faulty */
	ON_KERNEL_WARNING_REVERT, /* ...and disable the patch */
	ON_KERNEL_WARNING_IGNORE, /* nothing */
	_ON_KERNEL_WARNING_MAX,
};

/* Which incidents the health window blames on a patch. */
enum health_attribution {
	HEALTH_ATTRIBUTION_STACK,  /* those whose report names the patch's code */
	HEALTH_ATTRIBUTION_WINDOW, /* also any other while it is the newest watched */
	_HEALTH_ATTRIBUTION_MAX,
};

/* LoadAtBoot=: which installed patches klpd loads when it starts. */
enum load_at_boot {
	LOAD_AT_BOOT_NO,
	LOAD_AT_BOOT_YES,      /* every one not faulty or skipped */
	LOAD_AT_BOOT_ACCEPTED, /* only those accepted on this host before */
	_LOAD_AT_BOOT_MAX,
};

const char *on_kernel_warning_to_string(enum on_kernel_warning o);
const char *health_attribution_to_string(enum health_attribution a);
const char *load_at_boot_to_string(enum load_at_boot l);

/* What [Policy] says, and what a [Patch:GLOB] section may override. */
struct policy_settings {
	uint64_t stall_timeout_usec; /* a transition older than this is stalled */
	enum on_stall on_stall;
	uint64_t force_after_usec; /* with OnStall=force: extra wait before forcing */
	struct force_windows force_windows; /* when forcing is allowed; none: any time */
	uint64_t force_window_max_wait_usec; /* a window further away: revert instead */
	bool auto_unload;          /* remove leftover modules that are safe to remove */
	uint64_t unload_delay_usec;
	bool allow_pin; /* no: never force what would pin this module */
	uint64_t health_window_usec; /* watched for kernel incidents this long once applied */
	enum health_attribution health_attribution;
	enum on_kernel_warning on_kernel_warning;
};

/* The keys of [Policy] and [Patch:GLOB], and of [Daemon]. */
enum {
	POLICY_STALL_TIMEOUT,
	POLICY_ON_STALL,
	POLICY_FORCE_AFTER,
	POLICY_FORCE_WINDOW,
	POLICY_FORCE_WINDOW_MAX_WAIT,
	POLICY_AUTO_UNLOAD,
	POLICY_UNLOAD_DELAY,
	POLICY_ALLOW_PIN,
	POLICY_HEALTH_WINDOW,
	POLICY_HEALTH_ATTRIBUTION,
	POLICY_ON_KERNEL_WARNING,
	_POLICY_KEY_MAX,
};
enum {
	DAEMON_PATCH_DIRECTORIES,
	DAEMON_LOAD_AT_BOOT,
	DAEMON_METRICS_FILE,
	DAEMON_METRICS_REFRESH,
	_DAEMON_KEY_MAX,
};

/* Which keys a [Patch:GLOB] section sets. */
enum {
	POLICY_KEY_STALL_TIMEOUT = 1u << POLICY_STALL_TIMEOUT,
	POLICY_KEY_ON_STALL = 1u << POLICY_ON_STALL,
	POLICY_KEY_FORCE_AFTER = 1u << POLICY_FORCE_AFTER,
	POLICY_KEY_FORCE_WINDOW = 1u << POLICY_FORCE_WINDOW,
	POLICY_KEY_FORCE_WINDOW_MAX_WAIT = 1u << POLICY_FORCE_WINDOW_MAX_WAIT,
	POLICY_KEY_AUTO_UNLOAD = 1u << POLICY_AUTO_UNLOAD,
	POLICY_KEY_UNLOAD_DELAY = 1u << POLICY_UNLOAD_DELAY,
	POLICY_KEY_ALLOW_PIN = 1u << POLICY_ALLOW_PIN,
	POLICY_KEY_HEALTH_WINDOW = 1u << POLICY_HEALTH_WINDOW,
	POLICY_KEY_HEALTH_ATTRIBUTION = 1u << POLICY_HEALTH_ATTRIBUTION,
	POLICY_KEY_ON_KERNEL_WARNING = 1u << POLICY_ON_KERNEL_WARNING,
};

/* Where a value was set, for klpd --dump-config. */
struct config_where {
	const char *file; /* one of struct config's sources; NULL: the built-in default */
	unsigned line;
};

struct patch_override {
	char *glob; /* fnmatch(3) pattern, '-' already turned into '_' */
	unsigned set;
	struct policy_settings settings; /* only the keys in SET mean anything */
	struct config_where where[_POLICY_KEY_MAX];
	struct config_where force_window_where[FORCE_WINDOWS_MAX]; /* one for each window */
	struct config_where header; /* where the section first appeared */
};

#define CONFIG_METRICS_REFRESH_DEFAULT (5 * 60 * USEC_PER_SEC)

/* What klpd.conf and its drop-ins say. Built whole by config_load() and
 * swapped in only when it parsed; nothing writes to it afterwards. */
struct config {
	char **patch_dirs; /* NULL-terminated, absolute, normalized */
	enum load_at_boot load_at_boot;
	char *metrics_file;
	uint64_t metrics_refresh_usec; /* rewrite it this often; USEC_INFINITY: only on change */
	uint64_t stall_timeout_usec; /* == policy.stall_timeout_usec */

	struct policy_settings policy; /* [Policy]: every patch's defaults */
	struct patch_override *overrides; /* [Patch:GLOB] in file order */
	size_t n_overrides;

	/* Where each value comes from. */
	char **sources; /* the names of the files read, in order */
	size_t n_sources;
	struct config_where daemon_where[_DAEMON_KEY_MAX]; /* the last assignment */
	struct config_where *patch_dirs_where; /* one for each of patch_dirs */
	struct config_where policy_where[_POLICY_KEY_MAX];
	struct config_where force_window_where[FORCE_WINDOWS_MAX]; /* [Policy]'s windows */
};

int config_init_defaults(struct config *c);
void config_done(struct config *c);
static inline void config_donep(struct config *c)
{
	config_done(c);
}

/* Apply the text BUF (LEN bytes, NUL bytes refused) of the file NAME on
 * top of C. Errors, one per line, each "NAME:LINE: ...", go to *ERROR
 * (newly allocated). Returns 0, -EINVAL for a bad file, -ENOMEM. On error C
 * holds a mix of old and new values: parse into a scratch config. */
int config_parse_buffer(struct config *c, const char *name, const char *buf, size_t len,
			char **error);

/* The text of one file a configuration was read from. */
struct config_text {
	char *name;
	char *text; /* LEN bytes, NUL-terminated */
	size_t len;
};

struct config_texts {
	struct config_text *files; /* in the order they were read */
	size_t n;
};

void config_texts_done(struct config_texts *t);
static inline void config_texts_donep(struct config_texts *t)
{
	config_texts_done(t);
}
/* Append a copy of TEXT (LEN bytes) of the file NAME. -ENOMEM. */
int config_texts_add(struct config_texts *t, const char *name, const char *text, size_t len);

/* Read FILE (missing: the defaults), then the drop-ins, later values
 * winning, into a new config RET: every *.conf in the directories DIRS
 * (NULL-terminated, most important first), a name in one masking the same
 * name in those after it, all in lexical order of their names. Errors as
 * above; on failure RET is left empty. TEXTS (may be NULL) gets the text of
 * every file read, only on success. */
int config_load_dirs(const char *file, const char *const *dirs, struct config *ret,
		     struct config_texts *texts, char **error);

/* config_load_dirs() with FILE.d as the drop-in directory, and after it
 * KLPD_RUNTIME_DROPIN_DIR and KLPD_VENDOR_DROPIN_DIR when FILE is
 * KLPD_CONFIG_FILE (another FILE is a test's, or one checked before it is
 * installed). */
int config_load(const char *file, struct config *ret, char **error);

/* config_load(), also giving back the text of every file it read (an
 * accepted configuration is saved so, see config-snapshot.h). TEXTS is
 * filled only on success. */
int config_load_texts(const char *file, struct config *ret, struct config_texts *texts,
		      char **error);

/* Write C to F as klpd.conf text, each value followed by " ; " and the
 * FILE:LINE that set it, or "default": [Daemon], [Policy], then the
 * [Patch:GLOB] sections in the order they match. With PATCH (a module name),
 * only the policy for it instead, as [Patch:PATCH]: [Policy] with the first
 * matching [Patch:GLOB] applied. -EINVAL for a PATCH that is no module name. */
int config_dump(const struct config *c, const char *patch, FILE *f);

/* The settings for patch NAME: [Policy] overridden by the first [Patch:GLOB]
 * that matches NAME. Returns that section's glob, or NULL. */
const char *config_policy_for(const struct config *c, const char *name,
			      struct policy_settings *ret);
