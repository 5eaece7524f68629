/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A livepatch module file: opened safely, checked, inserted; a module
 * removed. The only file that calls finit_module(2) and delete_module(2). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kmod-dlopen.h"
#include "macro.h"
#include "modinfo.h"
#include "module-file.h"

/* Open the absolute, normalized PATH one component at a time from "/",
 * following no symbolic link, and check that every directory on the way is
 * owned by root and not writable by group or others: then nobody but root
 * can swap the file between the checks and the load. */
static int open_beneath_root(const char *path, struct action_result *res)
{
	_cleanup_close_ int dfd = -1;
	char buf[PATH_MAX];
	struct stat st;
	char *c, *next;
	int fd;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf) || buf[0] != '/')
		return action_fail(res, ACTION_ERROR_BAD_SOURCE, -EINVAL, "Invalid path '%s'",
				   path);
	dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return action_fail(res, ACTION_ERROR_FAILED, -errno, "Cannot open '/': %m");
	for (c = buf + 1;; c = next) {
		int len = c - buf > 1 ? (int)(c - buf - 1) : 1;

		if (fstat(dfd, &st) < 0)
			return action_fail(res, ACTION_ERROR_FAILED, -errno,
					   "Cannot stat '%.*s': %m", len, buf);
		if (st.st_uid != 0)
			return action_fail(res, ACTION_ERROR_BAD_SOURCE, -EPERM,
					   "Directory '%.*s' is owned by uid %u, not by root", len,
					   buf, (unsigned)st.st_uid);
		if (st.st_mode & (S_IWGRP | S_IWOTH))
			return action_fail(res, ACTION_ERROR_BAD_SOURCE, -EPERM,
					   "Directory '%.*s' is writable by group or others "
					   "(mode %04o)",
					   len, buf, (unsigned)(st.st_mode & 07777));
		next = strchr(c, '/');
		if (!next)
			break;
		*next = '\0';
		fd = openat(dfd, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			int e = errno;

			if (fstatat(dfd, c, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
				return action_fail(res, ACTION_ERROR_BAD_SOURCE, -ELOOP,
						   "Cannot open '%s': '%s' is a symbolic link",
						   path, buf);
			return action_fail(res, ACTION_ERROR_BAD_SOURCE, -e, "Cannot open '%s': %s",
					   path, strerror(e));
		}
		*next++ = '/';
		close(dfd);
		dfd = fd;
	}
	fd = openat(dfd, c, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return action_fail(res, ACTION_ERROR_BAD_SOURCE, -errno, "Cannot open '%s': %s",
				   path,
				   errno == ELOOP ? "it is a symbolic link" : strerror(errno));
	return fd;
}

/* The modinfo of the open module file FD of SIZE bytes at PATH: read here
 * from its ELF sections, or by libkmod when the file is compressed. */
static int read_modinfo(int fd, const char *path, size_t size, struct modinfo *mi,
			struct action_result *res)
{
	void *map;
	int r;

	if (module_path_compressed(path)) {
		char dlerr[256] = "";

		r = kmod_dlopen_read_modinfo(fd, mi, dlerr, sizeof(dlerr));
		if (r == -ELIBACC)
			return action_fail(res, ACTION_ERROR_FAILED, r,
					   "Loading compressed module '%s' needs libkmod.so.2: %s",
					   path, dlerr);
		if (r < 0)
			return action_fail(res, ACTION_ERROR_BAD_SOURCE, r,
					   "Cannot read the modinfo of '%s': %s", path,
					   strerror(-r));
		return 0;
	}
	if (size == 0)
		return action_fail(res, ACTION_ERROR_BAD_SOURCE, -EBADMSG,
				   "Cannot read the modinfo of '%s': the file is empty", path);
	/* Mapped, not read: only the section headers and .modinfo are
	 * touched, and nothing of it stays in klpd's heap. */
	map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return action_fail(res, ACTION_ERROR_FAILED, -errno, "Cannot map '%s': %m", path);
	r = modinfo_parse(map, size, mi);
	munmap(map, size);
	if (r < 0)
		return action_fail(res, ACTION_ERROR_BAD_SOURCE, r,
				   "Cannot read the modinfo of '%s': not an ELF64 object of this "
				   "machine with a .modinfo section",
				   path);
	return 0;
}

/* The checks in module-file.h, in that order: the first failing one says why. */
int module_file_open(const char *path, const char *kernel_release,
		     char ret_name[static KLP_MODULE_NAME_MAX], struct action_result *res)
{
	_cleanup_close_ int fd = -1;
	char raw[KLP_MODULE_NAME_MAX];
	struct modinfo mi;
	struct stat st;
	int r;

	fd = open_beneath_root(path, res);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return action_fail(res, ACTION_ERROR_FAILED, -errno, "Cannot stat '%s': %m", path);
	if (!S_ISREG(st.st_mode))
		return action_fail(res, ACTION_ERROR_BAD_SOURCE, -EINVAL,
				   "'%s' is not a regular file", path);
	if (st.st_uid != 0)
		return action_fail(res, ACTION_ERROR_BAD_SOURCE, -EPERM,
				   "'%s' is owned by uid %u, not by root", path,
				   (unsigned)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return action_fail(res, ACTION_ERROR_BAD_SOURCE, -EPERM,
				   "'%s' is writable by group or others (mode %04o)", path,
				   (unsigned)(st.st_mode & 07777));

	/* Through the fd: the file checked above is the one read. */
	r = read_modinfo(fd, path, (size_t)st.st_size, &mi, res);
	if (r < 0)
		return r;
	if (!mi.livepatch)
		return action_fail(res, ACTION_ERROR_NOT_LIVEPATCH, -EINVAL,
				   "'%s' is not a livepatch module (no livepatch=Y in its modinfo)",
				   path);
	/* The kernel checks the whole vermagic; its release is the part a
	 * wrong file gets wrong, and saying so beats "Exec format error". */
	if (!modinfo_vermagic_matches(mi.vermagic, kernel_release))
		return action_fail(res, ACTION_ERROR_BAD_SOURCE, -ENOEXEC,
				   "'%s' is built for another kernel (vermagic '%s', running %s)",
				   path, mi.vermagic, kernel_release);
	if (modinfo_module_name(&mi, path, raw, ret_name) < 0)
		return action_fail(res, ACTION_ERROR_BAD_SOURCE, -EINVAL,
				   "'%s' has an invalid module name '%s'", path, raw);
	return TAKE_FD(fd);
}

/* Insert the checked file from its fd: finit_module(2) itself for an
 * uncompressed module, libkmod for a compressed one. */
int module_file_insert(int fd, const char *path)
{
	if (module_path_compressed(path))
		return kmod_dlopen_insert(fd, NULL, 0);
	if (syscall(SYS_finit_module, fd, "", 0) < 0)
		return -errno;
	return 0;
}

int module_delete(const char *name)
{
	/* O_NONBLOCK: a module still in use fails at once with EWOULDBLOCK,
	 * instead of klpd waiting for it. */
	return syscall(SYS_delete_module, name, O_NONBLOCK) < 0 ? -errno : 0;
}
