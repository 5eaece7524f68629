/* SPDX-License-Identifier: GPL-2.0-or-later */
/* install and uninstall: file operations of root, klpd only says where. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "dbus-names.h"
#include "fileio.h"
#include "kmod-dlopen.h"
#include "klpctl.h"
#include "macro.h"
#include "modinfo.h"
#include "names.h"
#include "output.h"
#include "terminal.h"

/* The largest module file install copies: far above any livepatch. */
#define MODULE_FILE_MAX (256u << 20)

static int need_root(const char *what)
{
	if (geteuid() == 0)
		return 0;
	klpctl_error("%s must run as root: it changes the patch directory", what);
	return -EPERM;
}

/* The kernel release install and uninstall work for: --kernel's, or the
 * running kernel's. */
static const char *target_release(void)
{
	static struct utsname u;

	if (arg_kernel)
		return arg_kernel;
	return uname(&u) < 0 ? NULL : u.release;
}

/* <first patch directory>/RELEASE, as klpd is configured. */
static int release_dir(sd_bus *bus, const char *release, char **ret)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_strv_free_ char **dirs = NULL;
	int r;

	r = sd_bus_get_property_strv(bus, KLPD_BUS_NAME, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE,
				     "PatchDirectories", &error, &dirs);
	if (r < 0)
		return report("cannot ask klpd for its patch directories", &error, r);
	if (!dirs || !dirs[0]) {
		klpctl_error("klpd has no patch directory (PatchDirectories=)");
		return EXIT_REFUSED;
	}
	if (!release || asprintf(ret, "%s/%s", dirs[0], release) < 0) {
		klpctl_error("out of memory");
		return EXIT_OTHER;
	}
	return EXIT_OK;
}

/* The suffix of FILE's name that install keeps: ".ko", or ".ko.xz" and
 * the like for a compressed module. */
static const char *file_suffix(const char *file)
{
	size_t n = strlen(file);

	for (size_t i = ELEMENTSOF(module_file_suffixes); i-- > 0;) {
		size_t k = strlen(module_file_suffixes[i]);

		if (n > k && streq(file + n - k, module_file_suffixes[i]))
			return module_file_suffixes[i];
	}
	return NULL;
}

/* The modinfo of the module file FILE, read into BUF: from its ELF
 * sections, or by libkmod when it is compressed. */
static int read_modinfo(const char *file, const char *buf, size_t len, struct modinfo *mi)
{
	_cleanup_close_ int fd = -1;
	char dlerr[256] = "";
	int r;

	if (!module_path_compressed(file)) {
		if (modinfo_parse(buf, len, mi) >= 0)
			return EXIT_OK;
		klpctl_error("'%s' is not a kernel module (no .modinfo section in an ELF64 "
			     "object of this machine)",
			     file);
		return EXIT_REFUSED;
	}
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		klpctl_error("cannot open '%s': %m", file);
		return EXIT_NOT_FOUND;
	}
	r = kmod_dlopen_read_modinfo(fd, mi, dlerr, sizeof(dlerr));
	if (r == -ELIBACC) {
		klpctl_error("reading the compressed module '%s' needs libkmod.so.2: %s", file,
			     dlerr);
		return EXIT_OTHER;
	}
	if (r < 0) {
		klpctl_error("'%s' is not a compressed kernel module libkmod can read: %s", file,
			     strerror(-r));
		return EXIT_REFUSED;
	}
	return EXIT_OK;
}

static int read_module_file(const char *file, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	struct stat st;

	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		klpctl_error("cannot open '%s': %m", file);
		return EXIT_NOT_FOUND;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > MODULE_FILE_MAX) {
		klpctl_error("'%s' is not a module file (not a regular file of 1 byte "
			     "to 256 MiB)",
			     file);
		return EXIT_REFUSED;
	}
	buf = malloc((size_t)st.st_size);
	if (!buf) {
		klpctl_error("out of memory");
		return EXIT_OTHER;
	}
	while (len < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + len, (size_t)st.st_size - len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			klpctl_error("cannot read '%s': %s", file,
				     k < 0 ? strerror(errno) : "it shrank while being read");
			return EXIT_OTHER;
		}
		len += (size_t)k;
	}
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return EXIT_OK;
}

/* mkdir -p of the last two components: the patch directory may be new. */
static int make_release_dir(const char *dir)
{
	_cleanup_free_ char *parent = strdup(dir);
	char *slash;

	if (!parent)
		return -ENOMEM;
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		if (mkdir(parent, 0755) < 0 && errno != EEXIST)
			return -errno;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Remove DIR/NAME with every suffix but KEEP (NULL: all); how many went. */
static int remove_variants(const char *dir, const char *name, const char *keep, char *removed,
			   size_t size)
{
	_cleanup_close_ int dfd = -1;
	size_t off = 0;
	int n = 0;

	removed[0] = '\0';
	for (size_t i = 0; i < ELEMENTSOF(module_file_suffixes); i++) {
		_cleanup_free_ char *path = NULL;

		if (keep && streq(keep, module_file_suffixes[i]))
			continue;
		if (asprintf(&path, "%s/%s%s", dir, name, module_file_suffixes[i]) < 0)
			return -ENOMEM;
		if (unlink(path) < 0) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		n++;
		if (off < size)
			off += (size_t)snprintf(removed + off, size - off, "%s%s", off ? " " : "",
						path);
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		(void)fsync(dfd);
	return n;
}

int cmd_install(sd_bus *bus, char **argv)
{
	_cleanup_free_ char *buf = NULL, *dir = NULL, *file = NULL, *path = NULL, *tmp = NULL;
	char name[KLP_MODULE_NAME_MAX], raw[KLP_MODULE_NAME_MAX], removed[1024];
	const char *release, *suffix;
	struct modinfo mi;
	size_t len = 0;
	int r;

	if (need_root("install") < 0)
		return EXIT_REFUSED;
	suffix = file_suffix(argv[0]);
	if (!suffix) {
		klpctl_error("'%s' is not named as a module file (.ko, .ko.xz, .ko.zst or .ko.gz)",
			     argv[0]);
		return EXIT_REFUSED;
	}
	r = read_module_file(argv[0], &buf, &len);
	if (r != EXIT_OK)
		return r;
	r = read_modinfo(argv[0], buf, len, &mi);
	if (r != EXIT_OK)
		return r;
	if (!mi.livepatch) {
		klpctl_error("'%s' is not a livepatch module (no livepatch=Y in its "
			     "modinfo)",
			     argv[0]);
		return EXIT_REFUSED;
	}
	if (modinfo_module_name(&mi, argv[0], raw, name) < 0) {
		klpctl_error("'%s' has an invalid module name '%s'", argv[0], raw);
		return EXIT_REFUSED;
	}

	release = target_release();
	r = release_dir(bus, release, &dir);
	if (r != EXIT_OK)
		return r;
	if (!modinfo_vermagic_matches(mi.vermagic, release)) {
		klpctl_error("'%s' is built for another kernel (vermagic '%s', %s %s%s)", argv[0],
			     mi.vermagic, arg_kernel ? "asked for" : "running", release,
			     arg_kernel ? "" : "; --kernel KVER stages it for another one");
		return EXIT_REFUSED;
	}
	if (asprintf(&file, "%s%s", name, suffix) < 0 || asprintf(&path, "%s/%s", dir, file) < 0 ||
	    asprintf(&tmp, "%s/.%s.XXXXXX", dir, file) < 0)
		return EXIT_OTHER;
	/* Root-owned 0644, synced, renamed over: never a half-written module. */
	r = make_release_dir(dir);
	if (r >= 0)
		r = write_data_atomic(path, tmp, buf, len, WRITE_FILE_SYNC | WRITE_FILE_ROOT_OWNED);
	if (r < 0) {
		klpctl_error("cannot install '%s' as %s: %s", argv[0], path, strerror(-r));
		return EXIT_OTHER;
	}
	/* klpd takes NAME.ko before NAME.ko.xz: the one installed must be the only one */
	r = remove_variants(dir, name, suffix, removed, sizeof(removed));
	if (r < 0) {
		klpctl_error("installed %s, but cannot remove the other file of '%s' beside it: %s",
			     path, name, strerror(-r));
		return EXIT_OTHER;
	}
	if (arg_json) {
		struct json j = JSON_INIT(stdout);

		json_open_object(&j, NULL);
		json_string(&j, "patch", name);
		json_string(&j, "path", path);
		json_string(&j, "kernel_release", release);
		json_close_object(&j);
		json_end(&j);
	} else {
		printf("Installed '%s' as %s.\n", name, path);
		if (r > 0)
			printf("Removed %s: it would have been loaded instead.\n", removed);
	}
	return EXIT_OK;
}

int cmd_uninstall(sd_bus *bus, char **argv)
{
	_cleanup_free_ char *dir = NULL;
	char name[KLP_MODULE_NAME_MAX], removed[1024];
	int r;

	if (module_name_normalize(argv[0], name) < 0) {
		klpctl_error("'%s' is not a valid module name", argv[0]);
		return EXIT_USAGE;
	}
	if (need_root("uninstall") < 0)
		return EXIT_REFUSED;
	r = release_dir(bus, target_release(), &dir);
	if (r != EXIT_OK)
		return r;
	r = remove_variants(dir, name, NULL, removed, sizeof(removed));
	if (r < 0) {
		klpctl_error("cannot remove '%s' from %s: %s", name, dir, strerror(-r));
		return EXIT_OTHER;
	}
	if (r == 0) {
		klpctl_error("no '%s' installed in %s (tried %s.ko, .ko.xz, .ko.zst, .ko.gz)", name,
			     dir, name);
		return EXIT_NOT_FOUND;
	}
	if (arg_json)
		json_patch_path(name, removed);
	else
		printf("Removed %s; a loaded '%s' stays loaded.\n", removed, name);
	return EXIT_OK;
}
