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

/* Whole files: state, configuration, metrics. */
struct dirent;

/* Read FD to its end into a NUL-terminated *RET (length *RET_LEN): 0, or
 * -EFBIG when it holds more than MAX bytes, or -errno of read(2). */
int read_full_fd(int fd, size_t max, char **ret, size_t *ret_len);

/* read_full_fd() of PATH, opened O_RDONLY|O_CLOEXEC|O_NOCTTY|O_NONBLOCK and
 * OPEN_FLAGS (e.g. O_NOFOLLOW): -errno of open(2) too (-ENOENT). */
int read_full_file(const char *path, int open_flags, size_t max, char **ret, size_t *ret_len);

enum {
	/* fsync the file before the rename and its directory after: the new
	 * contents survive a crash. Without it a crash may leave the old ones. */
	WRITE_FILE_SYNC = 1 << 0,
	/* owned by root:root, whoever writes it (a module klpd loads must be) */
	WRITE_FILE_ROOT_OWNED = 1 << 1,
};

/* Replace PATH with TEXT atomically: a temporary file made from TMP_TEMPLATE
 * (a mkostemp(3) template in PATH's directory, so that readers of PATH's
 * pattern never see it), mode 0644 whatever the umask, renamed over PATH.
 * The temporary file is removed on failure. */
int write_file_atomic(const char *path, const char *tmp_template, const char *text,
		      unsigned flags);
/* The same with LEN bytes of DATA, which may hold NUL bytes. */
int write_data_atomic(const char *path, const char *tmp_template, const void *data, size_t len,
		      unsigned flags);

/* Free what scandir(3) returned: N entries (none when N < 0) and the list. */
void free_dirents(struct dirent **l, int n);
