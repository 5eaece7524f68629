/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"
#include "tasks.h"
#include "utf8.h"

void blockers_free(struct blocker *b, size_t n)
{
	for (size_t i = 0; b && i < n; i++)
		free(b[i].stack);
	free(b);
}

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* "[<0>] klp_busy_wait+0x32/0x60 [klpt_busy_target]" -> from "klp_busy..." */
static char *stack_top(int tid_fd)
{
	char buf[512], *line, *nl;

	/* Needs CAP_SYS_ADMIN (and ptrace access); blockers are still
	 * reported without it. */
	if (read_line_at(tid_fd, "stack", buf, sizeof(buf)) < 0)
		return strdup("");
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	line = buf;
	if (line[0] == '[') {
		char *e = strstr(line, "] ");
		if (e)
			line = e + 2;
	}
	return utf8_escape_dup(line);
}

/* Any user can name a thread anything (PR_SET_NAME, /proc/self/comm): the
 * name is escaped here, so that nothing downstream (D-Bus, the journal,
 * JSON, a terminal) ever sees its raw bytes. */
static void read_comm(int tid_fd, char comm[static BLOCKER_COMM_MAX])
{
	char raw[BLOCKER_COMM_MAX];

	if (read_line_at(tid_fd, "comm", raw, sizeof(raw)) < 0)
		raw[0] = '\0';
	utf8_escape(comm, BLOCKER_COMM_MAX, raw, strlen(raw));
}

static int add_blocker(struct blocker **list, size_t *n, int tid_fd, uint32_t tid)
{
	struct blocker *l, *b;

	l = realloc(*list, (*n + 1) * sizeof(**list));
	if (!l)
		return -ENOMEM;
	*list = l;
	b = &l[*n];
	*b = (struct blocker){ .pid = tid };
	read_comm(tid_fd, b->comm);
	b->stack = stack_top(tid_fd);
	if (!b->stack)
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* One thread's patch_state, read relative to its process's task directory:
 * one openat, one read, one close, since this runs for every thread of the
 * system on every scan and most threads are not blockers. */
static int read_patch_state(int task_fd, const char *tid, int *ret)
{
	char path[NAME_MAX + 16];

	snprintf(path, sizeof(path), "%s/patch_state", tid);
	return read_int_at(task_fd, path, ret);
}

static int scan_process(int proc_fd, const char *pid, int target, size_t max,
			struct blocker **list, size_t *n, size_t *total)
{
	char path[NAME_MAX + 8];
	DIR *d;
	struct dirent *de;
	int fd, r = 0;

	snprintf(path, sizeof(path), "%s/task", pid);
	fd = openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* exited meanwhile */
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}

	while ((de = readdir(d))) {
		_cleanup_close_ int tid_fd = -1;
		int state;

		if (!is_number(de->d_name))
			continue;
		if (read_patch_state(dirfd(d), de->d_name, &state) < 0)
			continue; /* gone, or no CONFIG_LIVEPATCH */
		if (state == -1 || state == target)
			continue;
		(*total)++;
		if (*n >= max)
			continue;
		/* only a blocker's directory is opened, for its comm and stack */
		tid_fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (tid_fd < 0) {
			(*total)--; /* exited meanwhile */
			continue;
		}
		r = add_blocker(list, n, tid_fd, (uint32_t)strtoul(de->d_name, NULL, 10));
		if (r < 0)
			break;
	}
	closedir(d);
	return r;
}

void tasks_memo_clear(struct tasks_memo *m)
{
	free(m->settled);
	*m = (struct tasks_memo)TASKS_MEMO_INIT;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static bool memo_has(const struct tasks_memo *m, uint32_t pid)
{
	return m->settled && bsearch(&pid, m->settled, m->n_settled, sizeof(pid), cmp_u32);
}

static int push_pid(uint32_t **l, size_t *n, size_t *size, uint32_t pid)
{
	if (*n == *size) {
		size_t s = *size ? *size * 2 : 64;
		uint32_t *x = realloc(*l, s * sizeof(*x));

		if (!x)
			return -ENOMEM;
		*l = x;
		*size = s;
	}
	(*l)[(*n)++] = pid;
	return 0;
}

int tasks_scan_blockers(const char *root, int target, struct tasks_memo *memo, size_t max,
			struct blocker **ret, size_t *ret_n, size_t *ret_total)
{
	_cleanup_free_ uint32_t *settled = NULL;
	struct blocker *list = NULL;
	size_t n = 0, total = 0, n_settled = 0, size = 0;
	bool use_memo = memo && memo->target == target;
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int r = 0;

	snprintf(path, sizeof(path), "%s/proc", root);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		size_t before = total;
		uint32_t pid;

		if (!is_number(de->d_name))
			continue;
		pid = (uint32_t)strtoul(de->d_name, NULL, 10);
		if (!(use_memo && memo_has(memo, pid))) {
			r = scan_process(dirfd(d), de->d_name, target, max, &list, &n, &total);
			if (r < 0)
				break;
		}
		if (memo && total == before && (r = push_pid(&settled, &n_settled, &size, pid)) < 0)
			break;
	}
	closedir(d);
	if (r < 0) {
		blockers_free(list, n);
		return r;
	}
	if (memo) {
		/* no list at all when every process blocks: qsort(NULL) is undefined */
		if (n_settled > 0)
			qsort(settled, n_settled, sizeof(*settled), cmp_u32);
		free(memo->settled);
		*memo = (struct tasks_memo){ .target = target,
					     .settled = TAKE_PTR(settled),
					     .n_settled = n_settled };
	}
	*ret = list;
	*ret_n = n;
	*ret_total = total;
	return 0;
}
