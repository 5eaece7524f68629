/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"
#include "sysfs-livepatch.h"
#include "utf8.h"

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
#define _cleanup_closedir_ _cleanup_(closedirp)

static int path_join(char *buf, size_t size, const char *root, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s%s%s%s", root, dir, name ? "/" : "", name ? name : "");

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

void livepatch_sysfs_done(struct livepatch_sysfs *p)
{
	for (size_t i = 0; i < p->n_objects; i++)
		free(p->objects[i].name);
	free(p->objects);
	p->objects = NULL;
	p->n_objects = 0;
}

bool livepatch_sysfs_supported(const char *root)
{
	char path[PATH_MAX];
	struct stat st;

	if (path_join(path, sizeof(path), root, LIVEPATCH_SYSFS, NULL) < 0)
		return false;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the subdirectories of PATH for which FILTER holds. */
static int list_dirs(const char *path, bool (*filter)(int dfd, const char *name),
		     char ***ret_names)
{
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_strv_free_ char **names = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *de;

	d = opendir(path);
	if (!d) {
		if (errno != ENOENT)
			return -errno;
		names = calloc(1, sizeof(char *));
		if (!names)
			return -ENOMEM;
		*ret_names = TAKE_PTR(names);
		return 0;
	}

	for (errno = 0; (de = readdir(d)); errno = 0) {
		if (de->d_name[0] == '.')
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN && de->d_type != DT_LNK)
			continue;
		if (!module_name_valid(de->d_name))
			continue;
		if (filter && !filter(dirfd(d), de->d_name))
			continue;
		if (n + 2 > alloc) {
			size_t a = alloc ? alloc * 2 : 16;
			char **l = realloc(names, a * sizeof(char *));

			if (!l)
				return -ENOMEM;
			names = l;
			alloc = a;
		}
		names[n] = strdup(de->d_name);
		if (!names[n])
			return -ENOMEM;
		names[++n] = NULL;
	}
	if (errno != 0)
		return -errno;
	if (!names) {
		names = calloc(1, sizeof(char *));
		if (!names)
			return -ENOMEM;
	}
	qsort(names, n, sizeof(char *), cmp_names);
	*ret_names = TAKE_PTR(names);
	return 0;
}

int livepatch_sysfs_list(const char *root, char ***ret_names)
{
	char path[PATH_MAX];
	int r;

	r = path_join(path, sizeof(path), root, LIVEPATCH_SYSFS, NULL);
	if (r < 0)
		return r;
	return list_dirs(path, NULL, ret_names);
}

static int read_optional_int(int dfd, const char *attr, int absent, int *ret)
{
	int r = read_int_at(dfd, attr, ret);

	if (r == -ENOENT) {
		*ret = absent;
		return 0;
	}
	return r;
}

/* Whether module NAME is loaded: /sys/module/NAME/ is there. */
static bool module_loaded(const char *root, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	return module_name_valid(name) &&
	       path_join(path, sizeof(path), root, MODULE_SYSFS, name) >= 0 &&
	       stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int read_objects(const char *root, int patch_fd, struct livepatch_sysfs *p)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd;

	fd = openat(patch_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}

	for (errno = 0; (de = readdir(d)); errno = 0) {
		struct livepatch_object *o;
		struct stat st;
		char attr[NAME_MAX + 16];
		int r;

		if (de->d_name[0] == '.')
			continue;
		/* Objects are the subdirectories; the patch's own attributes are files. */
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
			continue;

		o = realloc(p->objects, (p->n_objects + 1) * sizeof(*o));
		if (!o)
			return -ENOMEM;
		p->objects = o;
		o = &p->objects[p->n_objects];
		/* An object's name is whatever the patch's author wrote into
		 * it, and it goes to D-Bus (Objects): escaped (lib/utf8.h). */
		o->name = utf8_escape_dup(de->d_name);
		if (!o->name)
			return -ENOMEM;
		p->n_objects++;

		snprintf(attr, sizeof(attr), "%s/patched", de->d_name);
		r = read_optional_int(dirfd(d), attr, -1, &o->patched);
		if (r < 0)
			return r;
		/* Before 6.1 there is no "patched": while the patch is there,
		 * the kernel patches vmlinux and every target module that is
		 * loaded, so that is what it is. */
		if (o->patched < 0)
			o->patched = streq(o->name, "vmlinux") || module_loaded(root, o->name);
	}
	if (errno != 0)
		return -errno;
	return 0;
}

int livepatch_sysfs_read(const char *root, const char *name, struct livepatch_sysfs *ret)
{
	_cleanup_close_ int fd = -1;
	struct livepatch_sysfs p = {};
	char path[PATH_MAX];
	int r;

	if (!module_name_valid(name))
		return -EINVAL;
	r = path_join(path, sizeof(path), root, LIVEPATCH_SYSFS, name);
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	snprintf(p.name, sizeof(p.name), "%s", name);
	r = read_int_at(fd, "enabled", &p.enabled);
	if (r >= 0)
		r = read_optional_int(fd, "transition", -1, &p.transition);
	if (r >= 0)
		r = read_optional_int(fd, "replace", -1, &p.replace);
	if (r >= 0)
		r = read_optional_int(fd, "stack_order", 0, &p.stack_order);
	if (r >= 0)
		r = read_objects(root, fd, &p);
	if (r < 0) {
		livepatch_sysfs_done(&p);
		/* The directory vanished under us: the patch is gone. */
		return r == -ENODEV ? -ENOENT : r;
	}
	*ret = p;
	return 0;
}

static int write_attr(const char *root, const char *name, const char *attr, const char *value)
{
	char path[PATH_MAX];
	int r;

	if (!module_name_valid(name))
		return -EINVAL;
	r = path_join(path, sizeof(path), root, LIVEPATCH_SYSFS, name);
	if (r < 0)
		return r;
	if (strlen(path) + 1 + strlen(attr) >= sizeof(path))
		return -ENAMETOOLONG;
	strcat(path, "/");
	strcat(path, attr);
	return write_string_at(AT_FDCWD, path, value);
}

int livepatch_sysfs_write_enabled(const char *root, const char *name, bool enabled)
{
	return write_attr(root, name, "enabled", enabled ? "1" : "0");
}

int livepatch_sysfs_write_force(const char *root, const char *name)
{
	return write_attr(root, name, "force", "1");
}

static int read_module_at(int dfd, const char *name, struct module_sysfs *ret)
{
	_cleanup_close_ int fd = -1;
	struct module_sysfs m = {};
	char buf[64];
	int r;

	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	snprintf(m.name, sizeof(m.name), "%s", name);
	r = read_optional_int(fd, "refcnt", -1, &m.refcnt);
	if (r < 0)
		return r;
	r = read_line_at(fd, "taint", buf, sizeof(buf));
	if (r < 0 && r != -ENOENT)
		return r;
	m.livepatch = r >= 0 && strchr(buf, 'K');
	r = read_line_at(fd, "initstate", buf, sizeof(buf));
	m.live = r >= 0 && streq(buf, "live");
	m.coming = r >= 0 && streq(buf, "coming");
	*ret = m;
	return 0;
}

int module_sysfs_read(const char *root, const char *name, struct module_sysfs *ret)
{
	_cleanup_close_ int dfd = -1;
	char path[PATH_MAX];
	int r;

	if (!module_name_valid(name))
		return -EINVAL;
	r = path_join(path, sizeof(path), root, MODULE_SYSFS, NULL);
	if (r < 0)
		return r;
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	return read_module_at(dfd, name, ret);
}

static bool module_is_livepatch(int dfd, const char *name)
{
	struct module_sysfs m;

	return read_module_at(dfd, name, &m) >= 0 && m.livepatch;
}

int module_sysfs_list_livepatch(const char *root, char ***ret_names)
{
	char path[PATH_MAX];
	int r;

	r = path_join(path, sizeof(path), root, MODULE_SYSFS, NULL);
	if (r < 0)
		return r;
	return list_dirs(path, module_is_livepatch, ret_names);
}
