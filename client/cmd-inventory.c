/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inventory: what is installed in the patch directories, for every kernel
 * release, against what is loaded (kpatch list's two lists in one). klpctl
 * reads the directories itself; klpd says which they are. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>

#include "bus-objects.h"
#include "dbus-names.h"
#include "klpctl.h"
#include "macro.h"
#include "names.h"
#include "output.h"
#include "terminal.h"
#include "utf8.h"

struct installed {
	char name[KLP_MODULE_NAME_MAX];
	char *release; /* NULL: a file at the top of the directory, for any kernel */
	char *path;    /* escaped; NULL: loaded, not installed anywhere */
	const struct patch_info *loaded; /* for the running kernel's files */
};

struct inventory {
	struct installed *l;
	size_t n;
	const char *running;
	const struct patch_info *patches;
	size_t n_patches;
};

static void inventory_done(struct inventory *inv)
{
	for (size_t i = 0; i < inv->n; i++) {
		free(inv->l[i].release);
		free(inv->l[i].path);
	}
	free(inv->l);
}

static const struct patch_info *loaded_patch(const struct inventory *inv, const char *name)
{
	for (size_t i = 0; i < inv->n_patches; i++)
		if (streq(inv->patches[i].name, name))
			return &inv->patches[i];
	return NULL;
}

static int add(struct inventory *inv, const char *name, const char *release, const char *path)
{
	struct installed *l = reallocarray(inv->l, inv->n + 1, sizeof(*l));
	struct installed *e;

	if (!l)
		return -ENOMEM;
	inv->l = l;
	e = &l[inv->n++];
	*e = (struct installed){};
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->release = release ? utf8_escape_dup(release) : NULL;
	e->path = path ? utf8_escape_dup(path) : NULL;
	if ((release && !e->release) || (path && !e->path))
		return -ENOMEM;
	/* a file for the running kernel (or any kernel) is what Load would take */
	if (!release || streq(release, inv->running))
		e->loaded = loaded_patch(inv, name);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* The module files in DIR, as RELEASE's (NULL: the top level). With
 * SUBDIRS, each subdirectory named as a kernel release is read too. */
static int scan(struct inventory *inv, const char *dir, const char *release, bool subdirs)
{
	struct dirent **e = NULL;
	int n, r = 0;

	n = scandir(dir, &e, NULL, by_name);
	if (n < 0) {
		if (errno != ENOENT)
			klpctl_error("cannot read %s: %m", dir);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *path = NULL;
		char name[KLP_MODULE_NAME_MAX];
		struct stat st;

		if (r < 0 || e[i]->d_name[0] == '.' ||
		    asprintf(&path, "%s/%s", dir, e[i]->d_name) < 0 || lstat(path, &st) < 0)
			continue;
		if (S_ISREG(st.st_mode) && module_name_from_path(path, name) >= 0)
			r = add(inv, name, release, path);
		else if (S_ISDIR(st.st_mode) && subdirs && kernel_release_valid(e[i]->d_name))
			r = scan(inv, path, e[i]->d_name, false);
	}
	for (int i = 0; i < n; i++)
		free(e[i]);
	free(e);
	return r;
}

static bool listed(const struct inventory *inv, const char *name)
{
	for (size_t i = 0; i < inv->n; i++)
		if (inv->l[i].loaded && streq(inv->l[i].name, name))
			return true;
	return false;
}

static void print_json(const struct inventory *inv)
{
	struct json j = JSON_INIT(stdout);

	json_open_object(&j, NULL);
	json_string(&j, "kernel_release", inv->running);
	json_open_array(&j, "modules");
	for (size_t i = 0; i < inv->n; i++) {
		const struct installed *e = &inv->l[i];

		json_open_object(&j, NULL);
		json_string(&j, "name", e->name);
		if (e->release)
			json_string(&j, "kernel_release", e->release);
		else
			json_null(&j, "kernel_release");
		json_bool(&j, "installed", e->path);
		if (e->path)
			json_string(&j, "path", e->path);
		else
			json_null(&j, "path");
		json_bool(&j, "loaded", e->loaded);
		if (e->loaded)
			json_string(&j, "state", e->loaded->state);
		else
			json_null(&j, "state");
		json_close_object(&j);
	}
	json_close_array(&j);
	json_close_object(&j);
	json_end(&j);
}

static void print_text(const struct inventory *inv)
{
	if (inv->n == 0) {
		if (arg_legend)
			printf("No livepatch modules installed or loaded.\n");
		return;
	}
	if (arg_legend)
		printf("%-32s %-28s %-11s %s\n", "NAME", "KERNEL", "LOADED", "PATH");
	for (size_t i = 0; i < inv->n; i++) {
		const struct installed *e = &inv->l[i];
		char kernel[96];

		snprintf(kernel, sizeof(kernel), "%s%s", e->release ? e->release : "any",
			 !e->release || streq(e->release, inv->running) ? "*" : "");
		printf("%-32s %-28s %s%-11s%s %s\n", e->name, kernel,
		       color_out(e->loaded ? color_of_state(e->loaded->state) : COLOR_NONE),
		       e->loaded ? e->loaded->state : "-", color_out_end(),
		       e->path ? e->path : "(not installed)");
	}
	if (arg_legend)
		printf("\n* the running kernel, %s: Load takes these files\n", inv->running);
}

/* --names: each installed name once, for any kernel (shell completion) */
static void print_names(const struct inventory *inv)
{
	for (size_t i = 0; i < inv->n; i++) {
		bool seen = !inv->l[i].path;

		for (size_t k = 0; k < i && !seen; k++)
			seen = inv->l[k].path && streq(inv->l[k].name, inv->l[i].name);
		if (!seen)
			printf("%s\n", inv->l[i].name);
	}
}

int cmd_inventory(sd_bus *bus, char **argv)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_strv_free_ char **dirs = NULL;
	_cleanup_free_ char *running = NULL;
	struct inventory inv = {};
	struct patch_info *patches = NULL;
	size_t n = 0;
	int r;

	r = sd_bus_get_property_strv(bus, KLPD_BUS_NAME, KLPD_MANAGER_PATH, KLPD_MANAGER_INTERFACE,
				     "PatchDirectories", &error, &dirs);
	if (r >= 0)
		r = sd_bus_get_property_string(bus, KLPD_BUS_NAME, KLPD_MANAGER_PATH,
					       KLPD_MANAGER_INTERFACE, "KernelRelease", &error,
					       &running);
	if (r >= 0)
		r = get_patches(bus, &patches, &n, &error);
	if (r < 0)
		return report("cannot get the inventory from klpd", &error, r);
	inv.running = running;
	inv.patches = patches;
	inv.n_patches = n;
	for (char **d = dirs; r >= 0 && d && *d; d++)
		r = scan(&inv, *d, NULL, true);
	/* what is loaded from elsewhere, or whose file is gone */
	for (size_t i = 0; r >= 0 && i < n; i++)
		if (!listed(&inv, patches[i].name))
			r = add(&inv, patches[i].name, running, NULL);
	if (r < 0) {
		inventory_done(&inv);
		free_patches(patches, n);
		return report("cannot list the patch directories", NULL, r);
	}
	if (arg_names)
		print_names(&inv);
	else if (arg_json)
		print_json(&inv);
	else
		print_text(&inv);
	inventory_done(&inv);
	free_patches(patches, n);
	return EXIT_OK;
}
