/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

#define KLPD_CONFIG_FILE SYSCONFDIR "/klpd/klpd.conf"
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

/* What [Policy] says, and what a [Patch:GLOB] section may override. */
struct policy_settings {
	uint64_t stall_timeout_usec; /* a transition older than this is stalled */
	enum on_stall on_stall;
	uint64_t force_after_usec; /* with OnStall=force: extra wait before forcing */
	bool auto_unload;          /* remove leftover modules that are safe to remove */
	uint64_t unload_delay_usec;
	bool allow_pin; /* no: never force what would pin this module */
};

/* Which keys a [Patch:GLOB] section sets. */
enum {
	POLICY_KEY_STALL_TIMEOUT = 1u << 0,
	POLICY_KEY_ON_STALL = 1u << 1,
	POLICY_KEY_FORCE_AFTER = 1u << 2,
	POLICY_KEY_AUTO_UNLOAD = 1u << 3,
	POLICY_KEY_UNLOAD_DELAY = 1u << 4,
	POLICY_KEY_ALLOW_PIN = 1u << 5,
};

struct patch_override {
	char *glob; /* fnmatch(3) pattern, '-' already turned into '_' */
	unsigned set;
	struct policy_settings settings; /* only the keys in SET mean anything */
};

#define CONFIG_METRICS_REFRESH_DEFAULT (5 * 60 * USEC_PER_SEC)

/* What klpd.conf and its drop-ins say. Built whole by config_load() and
 * swapped in only when it parsed; nothing writes to it afterwards. */
struct config {
	char **patch_dirs; /* NULL-terminated, absolute, normalized */
	bool load_at_boot;
	char *metrics_file;
	uint64_t metrics_refresh_usec; /* rewrite it this often; USEC_INFINITY: only on change */
	uint64_t stall_timeout_usec; /* == policy.stall_timeout_usec */

	struct policy_settings policy; /* [Policy]: every patch's defaults */
	struct patch_override *overrides; /* [Patch:GLOB] in file order */
	size_t n_overrides;
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

/* Read FILE (missing: the defaults), then every *.conf in the directory
 * FILE.d in lexical order, later values winning, into a new config RET. Errors as above; on
 * failure RET is left empty. */
int config_load(const char *file, struct config *ret, char **error);

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

/* config_load(), also giving back the text of every file it read (an
 * accepted configuration is saved so, see config-snapshot.h). TEXTS is
 * filled only on success. */
int config_load_texts(const char *file, struct config *ret, struct config_texts *texts,
		      char **error);

/* The settings for patch NAME: [Policy] overridden by the first [Patch:GLOB]
 * that matches NAME. Returns that section's glob, or NULL. */
const char *config_policy_for(const struct config *c, const char *name,
			      struct policy_settings *ret);
