/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "modinfo.h"

/* Compressed modules (.ko.xz, .ko.zst, .ko.gz) through libkmod, which a
 * short-lived child process of klpd opens with dlopen() for each such read or
 * insert: linked in, libkmod would keep libcrypto mapped in klpd for good
 * (1.4 MiB of RSS) for the sake of a kind of module file most hosts never
 * see, and libcrypto is linked with -z nodelete, so even dlclose() in klpd
 * itself would leave it there.
 *
 * Both take the open, checked FD of the module file and read it through
 * /proc/self/fd, so the file checked is the file read. They return -errno,
 * -ELIBACC when libkmod.so.2 cannot be opened: then DLERR says why. */

/* livepatch=, name= and vermagic= of the module, into RET. */
int kmod_dlopen_read_modinfo(int fd, struct modinfo *ret, char *dlerr, size_t dlerr_size);

/* Insert the module: libkmod decompresses it and calls init_module(2)
 * (or finit_module(2) when the kernel decompresses itself). */
int kmod_dlopen_insert(int fd, char *dlerr, size_t dlerr_size);
