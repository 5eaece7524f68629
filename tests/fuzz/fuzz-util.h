/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Helpers shared by the libFuzzer targets in this directory. Header-only so
 * that each target stays one .c file plus the lib/ and daemon/ sources it
 * names on its "fuzz-sources:" line (read by tests/fuzz/run). */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the code under test: report which one and abort, so that
 * libFuzzer saves the input. */
#define fuzz_assert(cond)                                                                     \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, \
				#cond);                                                       \
			abort();                                                              \
		}                                                                             \
	} while (0)

static inline void *fuzz_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort(); /* not a finding: the target itself ran out */
	return p;
}

/* DATA as a C string: everything up to the first NUL. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = fuzz_malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Fields of DATA separated by SEP; the last one runs to the end. Returns how
 * many were found, at most MAX; the rest are left empty. */
struct fuzz_field {
	const char *p;
	size_t n;
};

static inline size_t fuzz_split(const uint8_t *data, size_t size, char sep, struct fuzz_field *f,
				size_t max)
{
	const char *p = (const char *)data, *end = p + size;
	size_t i = 0;

	for (size_t k = 0; k < max; k++)
		f[k] = (struct fuzz_field){ "", 0 };
	while (i < max) {
		const char *q = i + 1 < max ? memchr(p, sep, (size_t)(end - p)) : NULL;

		f[i].p = p;
		f[i].n = (size_t)((q ? q : end) - p);
		i++;
		if (!q)
			break;
		p = q + 1;
	}
	return i;
}

static inline int fuzz_rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

static char fuzz_tmpdir_path[256];

static inline void fuzz_tmpdir_remove(void)
{
	if (fuzz_tmpdir_path[0])
		nftw(fuzz_tmpdir_path, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* One private directory per fuzzing process, removed at exit. libFuzzer's
 * -fork/-jobs run several processes: each gets its own. */
static inline const char *fuzz_tmpdir(void)
{
	const char *t;

	if (fuzz_tmpdir_path[0])
		return fuzz_tmpdir_path;
	t = getenv("TMPDIR");
	snprintf(fuzz_tmpdir_path, sizeof(fuzz_tmpdir_path), "%s/klpd-fuzz.XXXXXX",
		 t && *t ? t : "/tmp");
	if (!mkdtemp(fuzz_tmpdir_path)) {
		perror("mkdtemp");
		abort();
	}
	atexit(fuzz_tmpdir_remove);
	return fuzz_tmpdir_path;
}

/* mkdir -p of every directory in PATH before its last '/'. */
static inline void fuzz_mkdir_parents(const char *path)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = strchr(buf + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
			perror(buf);
			abort();
		}
		*s = '/';
	}
}

/* Write exactly N bytes of DATA to PATH (parents created), or remove PATH
 * when DATA is NULL: an attribute the kernel does not have. */
static inline void fuzz_put(const char *path, const void *data, size_t n)
{
	int fd;

	if (!data) {
		if (unlink(path) < 0 && errno != ENOENT) {
			perror(path);
			abort();
		}
		return;
	}
	fuzz_mkdir_parents(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, data, n) != (ssize_t)n) {
		perror(path);
		abort();
	}
	close(fd);
}

static inline void fuzz_mkdir_p(const char *path)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s/", path);
	fuzz_mkdir_parents(buf);
}

/* What read_line_at() must make of a file holding DATA when given a buffer of
 * SIZE bytes, per its contract: at most SIZE-1 bytes, trailing newlines (and
 * the blanks sysfs pads with) stripped. Writes the expected C string to BUF
 * (SIZE bytes). False when the file holds a NUL in what is read: no kernel
 * attribute does, and the contract says nothing about it. */
static inline bool fuzz_expected_line(const char *data, size_t n, char *buf, size_t size)
{
	if (n > size - 1)
		n = size - 1;
	if (memchr(data, '\0', n))
		return false;
	memcpy(buf, data, n);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return true;
}
