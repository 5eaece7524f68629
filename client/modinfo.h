/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "names.h"

/* What `klpctl install` needs to know of a module file before copying it:
 * the key=value strings of its .modinfo section, read from the ELF file
 * itself (klpctl does not link libkmod). Uncompressed ELF64 objects of this
 * machine's byte order only. */
struct modinfo {
	char name[KLP_MODULE_NAME_MAX]; /* "" when the file has no name= */
	char vermagic[128];
	bool livepatch; /* livepatch=Y */
};

/* -EBADMSG when BUF is not such a file or has no .modinfo section. */
int modinfo_parse(const void *buf, size_t len, struct modinfo *ret);

/* Whether VERMAGIC is that of kernel RELEASE: the release, then a blank
 * or the end. */
bool modinfo_vermagic_matches(const char *vermagic, const char *release);
