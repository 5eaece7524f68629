/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "time-util.h"

/* LoadAtBoot=yes: the boot-time walk of the patch directories. */

static int ko_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 3 && streq(d->d_name + n - 3, ".ko");
}

static int lexical(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void load_at_boot_file(struct manager *m, const char *path, bool top_level)
{
	struct action_context ctx = manager_actions(m);
	struct action_result res = {};
	char name[KLP_MODULE_NAME_MAX] = "";
	const struct boot_record *rec;
	bool queued;
	int r;

	r = action_load(&ctx, path, 0, BOOT_LOAD_REASON, name, &queued, &res);
	if (r >= 0) {
		/* The insert started a transition: the next load waits for it. */
		if (!queued)
			(void)state_rescan(m->state, now_monotonic());
		return;
	}
	if (r == -EEXIST)
		log_patch(LOG_INFO, name, "load", KLPD_MID_ACTION,
			  "Not loading %s at boot (reason: %s): %s", path, BOOT_LOAD_REASON,
			  res.message);
	else if (r == -ENOEXEC && top_level)
		/* The top of a patch directory may hold patches for other
		 * kernels too: only this kernel's are for this boot. */
		log_info("Not loading %s at boot: %s", path, res.message);
	else if (r == -ECANCELED && health_book_get(&m->health, name) == PATCH_HEALTH_FAULTY)
		log_patch(LOG_WARNING, name, "skip", KLPD_MID_BOOT_LOAD_SKIPPED,
			  "Skipping %s at boot (reason: faulty): a kernel incident was blamed on "
			  "'%s' in its health window; 'klpctl load %s' loads it, 'klpctl clear-skip "
			  "%s' lets the next boot load it",
			  path, name, name, name);
	else if (r == -EPERM)
		log_patch(LOG_NOTICE, name, "skip", KLPD_MID_ACTION,
			  "Not loading %s at boot (LoadAtBoot=accepted): '%s' was never accepted "
			  "on this host; 'klpctl load %s' loads it and starts its health window",
			  path, name, name);
	else if (r == -ECANCELED) {
		rec = boot_guard_find(&m->boot_guard, name);
		log_patch(LOG_WARNING, name, "skip", KLPD_MID_BOOT_LOAD_SKIPPED,
			  "Skipping %s at boot (reason: crash-loop guard): the machine went down "
			  "while loading '%s' at boot %s; 'klpctl load %s' loads it, "
			  "'klpctl clear-skip %s' lets the next boot load it",
			  path, name, rec ? rec->boot_id : "?", name, name);
	} else
		log_full(LOG_ERR, 0, NULL, "load", KLPD_MID_ACTION,
			 "Boot-time load of %s failed (reason: %s): %s", path, BOOT_LOAD_REASON,
			 res.message);
}

static int scan_ko(const char *dir, struct dirent ***ret)
{
	int n = scandir(dir, ret, ko_filter, lexical);

	if (n < 0) {
		*ret = NULL;
		if (errno != ENOENT)
			log_warning_errno(-errno, "Cannot read %s for boot-time loading", dir);
		return 0;
	}
	return n;
}

/* The files of one patch directory, <dir>/<release>/ and <dir>/ merged in
 * lexical order of their file names; a name in both is loaded from the
 * release's directory, as Load resolves a name. */
static void load_at_boot_dir(struct manager *m, const char *top)
{
	_cleanup_free_ char *sub = NULL;
	struct dirent **a = NULL, **b = NULL;
	int na, nb, i = 0, j = 0;

	if (asprintf(&sub, "%s/%s", top, m->kernel_release) < 0) {
		log_error_errno(-ENOMEM, "Cannot load at boot");
		return;
	}
	na = scan_ko(sub, &a);
	nb = scan_ko(top, &b);
	while (i < na || j < nb) {
		_cleanup_free_ char *path = NULL;
		int c = i >= na ? 1 : j >= nb ? -1 : strcmp(a[i]->d_name, b[j]->d_name);
		bool top_level = c > 0;

		if (asprintf(&path, "%s/%s", top_level ? top : sub,
			     top_level ? b[j]->d_name : a[i]->d_name) < 0) {
			log_error_errno(-ENOMEM, "Cannot load at boot");
			break;
		}
		load_at_boot_file(m, path, top_level);
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	free_dirents(a, na);
	free_dirents(b, nb);
}

/* LoadAtBoot=yes: the modules of each patch directory (see above), through
 * Load's checks and queue. Only at start, never on reload. */
void manager_load_at_boot(struct manager *m)
{
	_cleanup_free_ char *cmdline = NULL;
	int r;

	if (m->config.load_at_boot == LOAD_AT_BOOT_NO)
		return;
	if (!m->state->supported) {
		log_info("No boot-time loading: this kernel has no livepatch support");
		return;
	}
	r = boot_read_cmdline(m->root, &cmdline);
	if (r < 0)
		log_warning_errno(r, "Cannot read %s/proc/cmdline; loading at boot anyway", m->root);
	else if (boot_load_disabled_by_cmdline(cmdline)) {
		log_full(LOG_NOTICE, 0, NULL, "skip", KLPD_MID_ACTION,
			 "Boot-time loading disabled by klpd.load=0 on the kernel command line");
		return;
	}
	for (char **d = m->config.patch_dirs; d && *d; d++)
		load_at_boot_dir(m, *d);
}
