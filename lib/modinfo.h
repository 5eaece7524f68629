/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "names.h"

/* What klpd's Load and `klpctl install` need to know of a module file: the
 * key=value strings of its .modinfo section, read from the ELF file itself
 * (neither links libkmod: see kmod-dlopen.c). Uncompressed ELF64
 * objects of this machine's byte order only. */
struct modinfo {
	char name[KLP_MODULE_NAME_MAX]; /* "" when the file has no name= */
	char vermagic[128];
	bool livepatch; /* livepatch=Y */
};

/* -EBADMSG when BUF is not such a file or has no .modinfo section. */
int modinfo_parse(const void *buf, size_t len, struct modinfo *ret);

/* Take in one "key=value" string of N bytes (no NUL needed), as the
 * section holds them; keys other than the three above are ignored. */
void modinfo_add(struct modinfo *ret, const char *kv, size_t n);

/* The module name of the file at PATH: its name=, else its file name
 * (module_name_from_path()), normalized into RET. -EINVAL when that is no
 * valid module name; RAW gets the name tried, for the message. */
int modinfo_module_name(const struct modinfo *mi, const char *path,
			char raw[static KLP_MODULE_NAME_MAX], char ret[static KLP_MODULE_NAME_MAX]);

/* Whether VERMAGIC is that of kernel RELEASE: the release, then a blank
 * or the end. */
bool modinfo_vermagic_matches(const char *vermagic, const char *release);
