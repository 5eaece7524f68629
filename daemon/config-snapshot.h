/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "conf.h"

/* The last configuration klpd accepted, kept in its state directory: at
 * start, a klpd.conf that is refused does not keep klpd down, it runs on
 * this one instead (or on the built-in defaults when there is none).
 *
 * The file holds the text of each file the configuration was read from,
 * each under its name and length, so that every file is parsed again on its
 * own as it was at the time (line numbers are per file):
 *
 *   # comment lines, only before the header
 *   klpd-config-snapshot 1
 *   file LENGTH NAME
 *   LENGTH bytes of text, then a newline
 *   ...
 *   end
 *
 * It is validated when read back, as strictly as the files themselves. */

#define CONFIG_SNAPSHOT_FILE "last-valid.conf"
/* The main file and drop-ins are each at most CONFIG_FILE_MAX. */
#define CONFIG_SNAPSHOT_MAX (4 * CONFIG_FILE_MAX)
#define CONFIG_SNAPSHOT_FILES_MAX 256

/* Where the running configuration came from. */
enum config_origin {
	CONFIG_ORIGIN_FILES,      /* klpd.conf and its drop-ins, accepted */
	CONFIG_ORIGIN_LAST_VALID, /* the files were refused: the snapshot */
	CONFIG_ORIGIN_DEFAULTS,   /* the files were refused, and no snapshot was usable */
	_CONFIG_ORIGIN_MAX,
};

/* "files", "last-valid", "defaults" (the Manager's ConfigurationSource). */
const char *config_origin_to_string(enum config_origin o);

/* The snapshot text of TEXTS into *RET (newly allocated). -ENOMEM, or
 * -EFBIG when it would be larger than CONFIG_SNAPSHOT_MAX or hold more than
 * CONFIG_SNAPSHOT_FILES_MAX files. */
int config_snapshot_format(const struct config_texts *texts, char **ret);

/* Parse a snapshot's text (LEN bytes) into a new config RET, each file
 * through config_parse_buffer() on top of the defaults. -EBADMSG when the
 * snapshot's own form is off, -EINVAL when a file in it is refused, with
 * *ERROR (may be NULL) saying why in either case; -ENOMEM. */
int config_snapshot_parse(const char *buf, size_t len, struct config *ret, char **error);

/* At start, with klpd.conf refused: what to run on. SNAPSHOT (LEN bytes,
 * NULL when none was saved) is parsed into RET: CONFIG_ORIGIN_LAST_VALID;
 * when it is missing or not valid, RET gets the defaults:
 * CONFIG_ORIGIN_DEFAULTS, and *WHY (may be NULL) says what was wrong with
 * the snapshot (NULL when there was none). Returns the origin, or -ENOMEM. */
int config_fallback(const char *snapshot, size_t len, struct config *ret, char **why);
