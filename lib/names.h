/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The kernel's MODULE_NAME_LEN is 64 - sizeof(unsigned long): 56 on 64-bit,
 * counting the terminating NUL. */
#define KLP_MODULE_NAME_MAX 56

/* A module name as the kernel accepts it: 1..55 characters of [A-Za-z0-9_-].
 * '-' and '_' are the same character to the kernel. */
bool module_name_valid(const char *name);

/* Copy NAME into BUF with every '-' turned into '_', the form the kernel shows
 * in /sys/module and /sys/kernel/livepatch. -EINVAL for an invalid name. */
int module_name_normalize(const char *name, char buf[static KLP_MODULE_NAME_MAX]);

/* Equal as module names: '-' matches '_'. */
bool module_name_equal(const char *a, const char *b);

/* The module name a file would carry by its name: basename without ".ko" and
 * a compression suffix (.xz, .zst, .gz), normalized. -EINVAL when the base
 * name is not "<valid name>.ko[.xz|.zst|.gz]". */
int module_name_from_path(const char *path, char buf[static KLP_MODULE_NAME_MAX]);

/* The file name suffixes of a module: ".ko" first, then the compressed
 * ones (ELEMENTSOF() counts them). */
extern const char *const module_file_suffixes[4];

/* Whether PATH names a compressed module (.ko.xz, .ko.zst, .ko.gz), which
 * only libkmod can read. */
bool module_path_compressed(const char *path);

enum patch_source_kind {
	PATCH_SOURCE_INVALID,
	PATCH_SOURCE_NAME, /* a module name, resolved in the patch directories */
	PATCH_SOURCE_PATH, /* an absolute, normalized path to a module file */
};

/* What the argument of Load() is. A path must be absolute, without "." or
 * ".." components or repeated slashes, and name a ".ko[.xz|.zst|.gz]" file. */
enum patch_source_kind patch_source_classify(const char *source);

/* True when PATH lies inside directory DIR (both absolute and normalized). */
bool path_is_below(const char *path, const char *dir);

/* A kernel release as `uname -r` prints it, safe as one path component:
 * 1..64 characters of [A-Za-z0-9._+~-], not starting with '.' or '-'. */
bool kernel_release_valid(const char *release);
