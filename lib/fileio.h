/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>
#include <stddef.h>

/* Small files in sysfs and procfs: one value, one line. DIRFD may be
 * AT_FDCWD. Trailing newlines are stripped. */

/* Read at most SIZE-1 bytes into BUF. -errno on failure (-ENOENT when the
 * attribute does not exist: callers probing optional attributes rely on it). */
int read_line_at(int dirfd, const char *path, char *buf, size_t size);

int read_int_at(int dirfd, const char *path, int *ret);

/* Write VALUE (no newline needed) in one write(2); -errno as the kernel
 * returned it (EINVAL, EBUSY, ...). */
int write_string_at(int dirfd, const char *path, const char *value);

/* Parse a decimal int with nothing else but trailing whitespace. */
int parse_int(const char *s, int *ret);
