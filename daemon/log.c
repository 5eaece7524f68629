/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "log.h"

static int max_level = LOG_INFO;
static int to_journal = -1;

void log_set_max_level(int level)
{
	max_level = level;
}

/* stderr is connected to the journal when $JOURNAL_STREAM names its inode
 * (systemd.exec(5)); only then are structured fields worth sending. */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%lu:%lu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

int log_full(int prio, int err, const char *patch, const char *action, const char *message_id,
	     const char *fmt, ...)
{
	char msg[2048];
	int saved = errno;
	va_list ap;
	size_t n;

	if (prio > max_level)
		return err < 0 ? err : 0;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = strlen(msg);
	if (err < 0 && n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(-err));

	if (to_journal < 0)
		to_journal = stderr_is_journal();

	if (to_journal) {
		char f_msg[2100], f_prio[16], f_patch[80], f_action[64], f_mid[64], f_errno[32];
		struct iovec iov[6];
		int k = 0;

		snprintf(f_msg, sizeof(f_msg), "MESSAGE=%s", msg);
		iov[k++] = (struct iovec){ f_msg, strlen(f_msg) };
		snprintf(f_prio, sizeof(f_prio), "PRIORITY=%d", prio);
		iov[k++] = (struct iovec){ f_prio, strlen(f_prio) };
		if (patch) {
			snprintf(f_patch, sizeof(f_patch), "KLPD_PATCH=%s", patch);
			iov[k++] = (struct iovec){ f_patch, strlen(f_patch) };
		}
		if (action) {
			snprintf(f_action, sizeof(f_action), "KLPD_ACTION=%s", action);
			iov[k++] = (struct iovec){ f_action, strlen(f_action) };
		}
		if (message_id) {
			snprintf(f_mid, sizeof(f_mid), "MESSAGE_ID=%s", message_id);
			iov[k++] = (struct iovec){ f_mid, strlen(f_mid) };
		}
		if (err < 0) {
			snprintf(f_errno, sizeof(f_errno), "ERRNO=%d", -err);
			iov[k++] = (struct iovec){ f_errno, strlen(f_errno) };
		}
		if (sd_journal_sendv(iov, k) >= 0)
			goto out;
	}
	fprintf(stderr, "%s\n", msg);
out:
	errno = saved;
	return err < 0 ? err : 0;
}
