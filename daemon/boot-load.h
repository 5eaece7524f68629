/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "names.h"

/* Boot-time loading (LoadAtBoot=yes): what the kernel command line says
 * about it, and the crash-loop guard. Before klpd inserts a module at boot
 * it records the module and the boot id in the state directory; the record
 * goes when that load is over. A record from another boot means the machine
 * went down during that load: the module is skipped at boot until an
 * operator loads it by hand. */

#define BOOT_LOADS_FILE "boot-loads"
#define BOOT_LOAD_REASON "LoadAtBoot"
#define BOOT_LOADS_FILE_MAX (64 * 1024)
#define BOOT_ID_LEN 36 /* 8-4-4-4-12 lowercase hex, as in /proc/sys/kernel/random/boot_id */

struct boot_record {
	char name[KLP_MODULE_NAME_MAX];
	char boot_id[BOOT_ID_LEN + 1];
};

/* Whether the kernel command line CMDLINE turns boot-time loading off with
 * klpd.load=0 (or no, n, false, off). The last klpd.load= wins; words after
 * a lone "--" are for init, not for the kernel. */
bool boot_load_disabled_by_cmdline(const char *cmdline);

/* A boot id in the kernel's form (lowercase, with dashes). */
bool boot_id_valid(const char *s);

/* Parse the records file: "# comment" lines, else "NAME BOOT_ID" lines.
 * -EBADMSG when anything is off (bad name, bad boot id, a duplicate name,
 * a NUL byte): the file is then worth nothing. */
int boot_records_parse(const char *buf, size_t len, struct boot_record **ret, size_t *ret_n);

/* The file's text for N records, malloc'ed. */
int boot_records_format(const struct boot_record *l, size_t n, char **ret);

/* DIR/boot-loads: an empty list when it does not exist; written atomically. */
int boot_records_load(const char *dir, struct boot_record **ret, size_t *ret_n);
int boot_records_save(const char *dir, const struct boot_record *l, size_t n);

/* Read ROOT/proc/cmdline and ROOT/proc/sys/kernel/random/boot_id. */
int boot_read_cmdline(const char *root, char **ret);
int boot_read_id(const char *root, char ret[static BOOT_ID_LEN + 1]);
