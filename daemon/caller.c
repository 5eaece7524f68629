/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caller.h"
#include "macro.h"

/* "Uid:\t0\t0\t0\t0" */
static int parse_uids(const char *v, uid_t uid[4])
{
	for (int i = 0; i < 4; i++) {
		unsigned long u;
		char *end;

		while (*v == ' ' || *v == '\t')
			v++;
		if (*v < '0' || *v > '9')
			return -EINVAL;
		errno = 0;
		u = strtoul(v, &end, 10);
		if (errno || u > (uid_t)-1)
			return -EINVAL;
		uid[i] = (uid_t)u;
		v = end;
	}
	return *v == '\0' || *v == '\n' ? 0 : -EINVAL;
}

/* "CapEff:\t000001ffffffffff" */
static int parse_caps(const char *v, uint64_t *ret)
{
	unsigned long long c;
	char *end;

	while (*v == ' ' || *v == '\t')
		v++;
	if (!((*v >= '0' && *v <= '9') || (*v >= 'a' && *v <= 'f')))
		return -EINVAL;
	errno = 0;
	c = strtoull(v, &end, 16);
	if (errno || !(*end == '\0' || *end == '\n'))
		return -EINVAL;
	*ret = c;
	return 0;
}

int proc_status_parse(const char *text, struct proc_status *ret)
{
	struct proc_status s = {};

	/* Only the starts of lines: "Name:" holds the task's name, which its
	 * owner chooses (the kernel escapes newlines in it). */
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, "Uid:", 4) == 0) {
			if (s.has_uid || parse_uids(l + 4, s.uid) < 0)
				return -EINVAL;
			s.has_uid = true;
		} else if (strncmp(l, "CapEff:", 7) == 0) {
			if (s.has_cap_eff || parse_caps(l + 7, &s.cap_eff) < 0)
				return -EINVAL;
			s.has_cap_eff = true;
		}
	}
	if (!s.has_uid || !s.has_cap_eff)
		return -EINVAL;
	*ret = s;
	return 0;
}

const char *caller_verdict(const struct caller_facts *f, int cap)
{
	if (f->bus_uid != 0)
		return "the caller is not root";
	if (!f->status.has_uid || !f->status.has_cap_eff)
		return "the caller's credentials are unknown";
	/* The process at that pid must still be the one the bus saw: root. */
	if (f->status.uid[1] != f->bus_uid)
		return "the caller's process is not the one that connected";
	if (!f->host_userns)
		return "the caller is in another user namespace";
	if (cap < 0 || cap > 63 || !(f->status.cap_eff & (UINT64_C(1) << cap)))
		return "the caller lacks the capability";
	return NULL;
}

static int read_small_file_at(int dirfd, const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = -1;
	size_t n = 0;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	while (n < size - 1) {
		ssize_t k = read(fd, buf + n, size - 1 - n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			break;
		n += (size_t)k;
	}
	buf[n] = '\0';
	return 0;
}

static bool same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

int caller_facts_read(pid_t pid, uid_t bus_uid, struct caller_facts *ret)
{
	_cleanup_close_ int dirfd = -1;
	struct caller_facts f = { .bus_uid = bus_uid };
	struct stat own_ns, caller_ns;
	char path[64], status[4096];
	int r;

	if (pid <= 0)
		return -ESRCH;
	/* Everything is read through this one directory: it stands for the
	 * process that had the pid when it was opened, and reads through it
	 * fail once that process is gone, even when the pid is taken again. */
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	r = read_small_file_at(dirfd, "status", status, sizeof(status));
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	r = proc_status_parse(status, &f.status);
	if (r < 0)
		return r;
	if (stat("/proc/self/ns/user", &own_ns) < 0)
		return -errno;
	if (fstatat(dirfd, "ns/user", &caller_ns, 0) < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	/* klpd itself is in the initial namespace: the kernel honours
	 * CAP_SYS_MODULE only there, so klpd could not work otherwise. */
	f.host_userns = same_inode(&own_ns, &caller_ns);
	*ret = f;
	return 0;
}
