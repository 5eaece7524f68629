/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Who sent a D-Bus call, as far as the host's kernel is concerned: whether
 * the sender holds a capability in the initial user namespace.
 *
 * dbus-daemon 1.14 tells the sender's uid and pid (taken by the kernel
 * when the sender connected, SO_PEERCRED); the capabilities and the user
 * namespace are read from /proc/PID, through one directory descriptor so
 * that every file read is of one and the same process. */

/* What /proc/PID/status says, the lines klpd needs. */
struct proc_status {
	uid_t uid[4]; /* real, effective, saved, file system */
	uint64_t cap_eff;
	bool has_uid, has_cap_eff;
};

/* Parse the text of /proc/PID/status. -EINVAL when a line klpd needs is
 * missing or malformed. Pure, for the unit tests and the fuzzer. */
int proc_status_parse(const char *text, struct proc_status *ret);

/* The facts one check is made of. */
struct caller_facts {
	uid_t bus_uid;        /* from the bus (kernel-captured at connect) */
	struct proc_status status;
	bool host_userns;     /* /proc/PID/ns/user is the initial namespace */
};

/* The verdict on FACTS for capability CAP: NULL when granted, else why not
 * (a static string for the caller's error message). Pure. */
const char *caller_verdict(const struct caller_facts *facts, int cap);

/* Gather the facts for the process PID that the bus says has uid BUS_UID.
 * -ESRCH when the process is gone, other -errno when it cannot be read. */
int caller_facts_read(pid_t pid, uid_t bus_uid, struct caller_facts *ret);
