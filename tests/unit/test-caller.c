/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Who may change livepatches: the lines klpd reads from /proc/PID/status,
 * and the verdict on a caller from the bus's uid, its capabilities and its
 * user namespace. */
#include <errno.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "caller.h"

/* as Linux 6.1 prints it, for root with every capability */
static const char root_status[] = "Name:\tbash\n"
				  "Umask:\t0022\n"
				  "State:\tS (sleeping)\n"
				  "Uid:\t0\t0\t0\t0\n"
				  "Gid:\t0\t0\t0\t0\n"
				  "CapInh:\t0000000000000000\n"
				  "CapPrm:\t000001ffffffffff\n"
				  "CapEff:\t000001ffffffffff\n"
				  "CapBnd:\t000001ffffffffff\n"
				  "CapAmb:\t0000000000000000\n";

static void test_status_parse(void **state)
{
	struct proc_status s;

	assert_int_equal(proc_status_parse(root_status, &s), 0);
	assert_int_equal(s.uid[0], 0);
	assert_int_equal(s.uid[1], 0);
	assert_true(s.cap_eff & (UINT64_C(1) << CAP_SYS_MODULE));
	assert_int_equal(s.cap_eff, UINT64_C(0x1ffffffffff));

	assert_int_equal(proc_status_parse("Uid:\t1000\t0\t1000\t0\nCapEff:\t0000000000010000\n", &s),
			 0);
	assert_int_equal(s.uid[0], 1000);
	assert_int_equal(s.uid[1], 0);
	assert_int_equal(s.uid[3], 0);
	assert_int_equal(s.cap_eff, UINT64_C(1) << CAP_SYS_MODULE);
}

static void test_status_hostile(void **state)
{
	struct proc_status s;

	/* a task named to look like the lines klpd reads: only the kernel's
	 * own lines count (it prints a newline in the name as "\n") */
	assert_int_equal(proc_status_parse("Name:\tx\\nCapEff:\tffffffffffffffff\n"
					   "Uid:\t1000\t1000\t1000\t1000\n"
					   "CapEff:\t0000000000000000\n",
					   &s),
			 0);
	assert_int_equal(s.cap_eff, 0);
	assert_int_equal(s.uid[1], 1000);

	/* missing, repeated or malformed lines: refused, never guessed */
	assert_int_equal(proc_status_parse("", &s), -EINVAL);
	assert_int_equal(proc_status_parse("Uid:\t0\t0\t0\t0\n", &s), -EINVAL);
	assert_int_equal(proc_status_parse("CapEff:\t000001ffffffffff\n", &s), -EINVAL);
	assert_int_equal(proc_status_parse("Uid:\t0\t0\t0\nCapEff:\t1\n", &s), -EINVAL);
	assert_int_equal(proc_status_parse("Uid:\t0\t0\t0\t0\t0\nCapEff:\t1\n", &s), -EINVAL);
	assert_int_equal(proc_status_parse("Uid:\t-1\t0\t0\t0\nCapEff:\t1\n", &s), -EINVAL);
	assert_int_equal(proc_status_parse("Uid:\t0\t0\t0\t0\nCapEff:\tzz\n", &s), -EINVAL);
	assert_int_equal(proc_status_parse("Uid:\t0\t0\t0\t0\nCapEff:\t1\nCapEff:\t0\n", &s),
			 -EINVAL);
	assert_int_equal(proc_status_parse("Uid:\t0\t0\t0\t0\nCapEff:\t1ffffffffffffffff\n", &s),
			 -EINVAL);
	assert_int_equal(proc_status_parse("Uid:\t99999999999\t0\t0\t0\nCapEff:\t1\n", &s),
			 -EINVAL);
}

static struct caller_facts root_facts(void)
{
	struct caller_facts f = { .bus_uid = 0, .host_userns = true };

	assert_int_equal(proc_status_parse(root_status, &f.status), 0);
	return f;
}

static void test_verdict(void **state)
{
	struct caller_facts f = root_facts();

	assert_null(caller_verdict(&f, CAP_SYS_MODULE));

	/* root in a user namespace of its own: every capability, in there */
	f.host_userns = false;
	assert_string_equal(caller_verdict(&f, CAP_SYS_MODULE),
			    "the caller is in another user namespace");

	/* CAP_SYS_MODULE out of the effective set (bounding set or capset) */
	f = root_facts();
	f.status.cap_eff &= ~(UINT64_C(1) << CAP_SYS_MODULE);
	assert_string_equal(caller_verdict(&f, CAP_SYS_MODULE), "the caller lacks the capability");
	assert_null(caller_verdict(&f, CAP_SYS_ADMIN));

	/* not root on the bus: whatever /proc says */
	f = root_facts();
	f.bus_uid = 1000;
	assert_string_equal(caller_verdict(&f, CAP_SYS_MODULE), "the caller is not root");

	/* the process at that pid is another user's: not the one that
	 * connected (the pid was taken again) */
	f = root_facts();
	f.status.uid[1] = 1000;
	assert_string_equal(caller_verdict(&f, CAP_SYS_MODULE),
			    "the caller's process is not the one that connected");

	/* nothing read: no grant */
	f = (struct caller_facts){ .host_userns = true };
	assert_non_null(caller_verdict(&f, CAP_SYS_MODULE));
	f = root_facts();
	assert_non_null(caller_verdict(&f, 64));
	assert_non_null(caller_verdict(&f, -1));
}

/* The real thing, on this process: the test runs in the namespace it reads. */
static void test_facts_self(void **state)
{
	struct caller_facts f;

	assert_int_equal(caller_facts_read(getpid(), getuid(), &f), 0);
	assert_true(f.host_userns);
	assert_int_equal(f.status.uid[1], geteuid());
	assert_int_equal(caller_facts_read(0, 0, &f), -ESRCH);
	assert_int_equal(caller_facts_read(-1, 0, &f), -ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_parse),
		cmocka_unit_test(test_status_hostile),
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_facts_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
