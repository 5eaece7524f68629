/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernel-incident.h"
#include "macro.h"

/* Reports as the kernel stores them: one record per line, each written here
 * as "L;text" with L its level; /dev/kmsg shows a tab as "\x09". Records are
 * 1000 usec apart. */
#define MAX_DONE 8

struct run {
	struct kernel_incident done[MAX_DONE];
	size_t n;
};

static void take(struct run *run, const struct kernel_incident *inc)
{
	if (!inc)
		return;
	assert_true(run->n < MAX_DONE);
	run->done[run->n++] = *inc;
}

static void feed_lines(struct kernel_incident_reader *r, struct run *run, uint64_t seq,
		       const char *const *lines, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct kmsg_record rec = {
			.level = (unsigned)(lines[i][0] - '0'),
			.seq = seq + i,
			.usec = 5000000 + (seq + i) * 1000,
			.text = lines[i] + 2,
			.text_len = strlen(lines[i] + 2),
		};

		take(run, kernel_incident_reader_feed(r, &rec));
	}
}

static void run_report(struct run *run, const char *const *lines, size_t n, bool flush)
{
	struct kernel_incident_reader r;

	memset(run, 0, sizeof(*run));
	kernel_incident_reader_init(&r);
	feed_lines(&r, run, 100, lines, n);
	if (flush)
		take(run, kernel_incident_reader_flush(&r));
	assert_false(kernel_incident_reader_pending(&r));
}

static void assert_modules(const struct kernel_incident *inc, const char *const *mods, size_t n)
{
	if (inc->n_modules != n) {
		for (size_t i = 0; i < inc->n_modules; i++)
			print_message("# module %s\n", inc->modules[i]);
		fail_msg("%zu modules, expected %zu", inc->n_modules, n);
	}
	for (size_t i = 0; i < n; i++)
		assert_string_equal(inc->modules[i], mods[i]);
}

static void assert_incident(const struct kernel_incident *inc, enum kernel_incident_kind kind,
			    const char *const *mods, size_t n)
{
	assert_string_equal(kernel_incident_kind_to_string(inc->kind),
			    kernel_incident_kind_to_string(kind));
	assert_modules(inc, mods, n);
}

static void test_classify(void **state)
{
	static const struct {
		unsigned level;
		const char *text;
		enum kernel_incident_kind kind;
	} cases[] = {
		{ 4, "WARNING: CPU: 1 PID: 123 at drivers/foo.c:42 foo_fn+0x1c/0x40 [foo]",
		  KERNEL_INCIDENT_WARNING },
		{ 4, "WARNING: CPU: 0 PID: 1 at foo_fn+0x1c/0x40", KERNEL_INCIDENT_WARNING },
		{ 4, "WARNING: kernel/sched/core.c:42 at foo+0x1/0x2, CPU#3: bash/77",
		  KERNEL_INCIDENT_WARNING },
		{ 4, "WARNING: at foo+0x1/0x2, CPU#3: bash/77", KERNEL_INCIDENT_WARNING },
		{ 4, "WARNING: this is not a WARN", _KERNEL_INCIDENT_KIND_INVALID },
		{ 1, "BUG: kernel NULL pointer dereference, address: 0000000000000008",
		  KERNEL_INCIDENT_BUG },
		{ 1, "BUG: unable to handle page fault for address: ffffc90000a3f000",
		  KERNEL_INCIDENT_BUG },
		{ 3, "BUG: scheduling while atomic: insmod/310/0x00000002", KERNEL_INCIDENT_BUG },
		{ 0, "kernel BUG at mm/slub.c:4283!", KERNEL_INCIDENT_BUG },
		{ 2, "Kernel BUG at klpt_fn+0x10/0x20 [klpt_bug] [verbose debug info unavailable]",
		  KERNEL_INCIDENT_BUG },
		{ 4, "Oops: 0000 [#1] PREEMPT SMP NOPTI", KERNEL_INCIDENT_OOPS },
		{ 4, "Oops: 0002 [#2] SMP PTI", KERNEL_INCIDENT_OOPS },
		{ 4, "Oops: Oops: 0000 [#1] PREEMPT SMP NOPTI", KERNEL_INCIDENT_OOPS },
		{ 4, "Oops: int3: 0000 [#1] PREEMPT SMP NOPTI", KERNEL_INCIDENT_OOPS },
		{ 4, "invalid opcode: 0000 [#1] SMP NOPTI", KERNEL_INCIDENT_OOPS },
		{ 4, "Oops: invalid opcode: 0000 [#1] PREEMPT SMP NOPTI", KERNEL_INCIDENT_OOPS },
		{ 4,
		  "general protection fault, probably for non-canonical address "
		  "0xdead000000000122: 0000 [#1] SMP NOPTI",
		  KERNEL_INCIDENT_GPF },
		{ 4, "general protection fault: 0000 [#1] SMP", KERNEL_INCIDENT_GPF },
		{ 4,
		  "Oops: general protection fault, probably for non-canonical address "
		  "0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN NOPTI",
		  KERNEL_INCIDENT_GPF },
		{ 4, "segment-related general protection fault: 0010 [#1] SMP", KERNEL_INCIDENT_GPF },
		{ 0, "watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [cat:123]",
		  KERNEL_INCIDENT_SOFT_LOCKUP },
		{ 0, "BUG: soft lockup - CPU#3 stuck for 23s! [kworker/3:1:77]",
		  KERNEL_INCIDENT_SOFT_LOCKUP },
		{ 0, "Watchdog detected hard LOCKUP on cpu 1", KERNEL_INCIDENT_HARD_LOCKUP },
		{ 0, "NMI watchdog: Watchdog detected hard LOCKUP on cpu 2",
		  KERNEL_INCIDENT_HARD_LOCKUP },
		{ 0, "watchdog: CPU3: Watchdog detected hard LOCKUP on cpu 3",
		  KERNEL_INCIDENT_HARD_LOCKUP },
		{ 3, "INFO: task cat:123 blocked for more than 120 seconds.",
		  KERNEL_INCIDENT_HUNG_TASK },
		{ 3, "INFO: task kworker/0:1:9 blocked for more than 1228 seconds.",
		  KERNEL_INCIDENT_HUNG_TASK },
		{ 3, "INFO: task cat:123 is something else", _KERNEL_INCIDENT_KIND_INVALID },
		{ 3, "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:",
		  KERNEL_INCIDENT_RCU_STALL },
		{ 3, "rcu: INFO: rcu_sched self-detected stall on CPU", KERNEL_INCIDENT_RCU_STALL },
		{ 3, "INFO: rcu_sched detected stalls on CPUs/tasks:", KERNEL_INCIDENT_RCU_STALL },
		{ 3, "rcu: INFO: rcu_preempt detected expedited stalls on CPUs/tasks: { 1-... }",
		  KERNEL_INCIDENT_RCU_STALL },
		{ 3, "BUG: KASAN: slab-out-of-bounds in foo_fn+0x1c/0x40 [foo]",
		  KERNEL_INCIDENT_KASAN },
		{ 3, "UBSAN: array-index-out-of-bounds in drivers/foo.c:42:5",
		  KERNEL_INCIDENT_UBSAN },
		{ 3, "UBSAN: Undefined behaviour in lib/foo.c:10:2", KERNEL_INCIDENT_UBSAN },
		/* not first lines */
		{ 4, "------------[ cut here ]------------", _KERNEL_INCIDENT_KIND_INVALID },
		{ 4, "Modules linked in: foo(OEK) bar", _KERNEL_INCIDENT_KIND_INVALID },
		{ 4, "livepatch: 'foo': patching complete", _KERNEL_INCIDENT_KIND_INVALID },
		{ 4, "KASAN: null-ptr-deref in range [0x08-0x0f]", _KERNEL_INCIDENT_KIND_INVALID },
		{ 4, "", _KERNEL_INCIDENT_KIND_INVALID },
		/* a task named "Oops: 0000 [#1]" (15 bytes) segfaults; a task named
		 * "BUG: x" does: the segfault line starts with the name, at info */
		{ 6, "Oops: 0000 [#1][4242]: segfault at 0 ip 0000000000401126 sp 00007ffd error 6",
		  _KERNEL_INCIDENT_KIND_INVALID },
		{ 4, "Oops: 0000 [#1][4242]: segfault at 0 ip 0000000000401126 sp 00007ffd error 6",
		  _KERNEL_INCIDENT_KIND_INVALID },
		{ 6, "BUG: x[4242]: segfault at 0 ip 0000000000401126", _KERNEL_INCIDENT_KIND_INVALID },
		{ 6, "WARNING: CPU: 1 PID: 123 at drivers/foo.c:42 foo_fn+0x1c/0x40 [foo]",
		  _KERNEL_INCIDENT_KIND_INVALID },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		enum kernel_incident_kind k =
			kernel_incident_classify(cases[i].level, cases[i].text, strlen(cases[i].text));

		if (k != cases[i].kind)
			fail_msg("classify(%u, \"%s\") = %s, expected %s", cases[i].level,
				 cases[i].text, strempty(kernel_incident_kind_to_string(k)),
				 strempty(kernel_incident_kind_to_string(cases[i].kind)));
	}
}

/* A WARN_ON() in a livepatch module's replacement function (6.1's form),
 * called through another module. */
static void test_warning_livepatch(void **state)
{
	static const char *const lines[] = {
		"4;------------[ cut here ]------------",
		"4;WARNING: CPU: 1 PID: 312 at /build/klpt/klpt_cmdline.c:21 "
		"livepatch_cmdline_proc_show+0x1c/0x40 [klpt_cmdline]",
		"4;Modules linked in: klpt_cmdline(OEK) klpt-other(OEK) ext4 crc16 mbcache jbd2 "
		"virtio_blk [last unloaded: klpt_old]",
		"4;CPU: 1 PID: 312 Comm: cat Tainted: G           OE K    6.1.0-56-amd64 #1  Debian "
		"6.1.123-1",
		"4;Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 "
		"04/01/2014",
		"4;RIP: 0010:livepatch_cmdline_proc_show+0x1c/0x40 [klpt_cmdline]",
		"4;Code: 0f 1f 44 00 00 48 c7 c6 00 20 53 c0 e8 4b 5d 0f c1 31 c0 c3 cc cc <0f> 0b",
		"4;RSP: 0018:ffffb5a2c04a7d90 EFLAGS: 00010246",
		"4;RAX: 0000000000000000 RBX: ffff9c4a43a0b000 RCX: 0000000000000000",
		"4;Call Trace:",
		"4; <TASK>",
		"4; ? __warn+0x7d/0xc0",
		"4; ? livepatch_cmdline_proc_show+0x1c/0x40 [klpt_cmdline]",
		"4; ? report_bug+0xe2/0x150",
		"4; ? stale_helper+0x10/0x20 [klpt_stale]",
		"4; seq_read_iter+0x12c/0x4b0",
		"4; proc_reg_read_iter+0x51/0xa0",
		"4; helper_read+0x22/0x30 [klpt_other 5f3d0e9b2a47c1d1e8a6f0b3c2d4e5f6a7b8c9d0]",
		"4; vfs_read+0x1b1/0x300",
		"4; ksys_read+0x67/0xf0",
		"4; do_syscall_64+0x58/0xc0",
		"4; entry_SYSCALL_64_after_hwframe+0x64/0xce",
		"4;RIP: 0033:0x7f1b2c1d1f1d",
		"4; </TASK>",
		"4;---[ end trace 0000000000000000 ]---",
	};
	static const char *const mods[] = { "klpt_cmdline", "klpt_other" };
	struct run run;
	const struct kernel_incident *inc;

	run_report(&run, lines, ELEMENTSOF(lines), false);
	assert_int_equal(run.n, 1);
	inc = &run.done[0];
	assert_int_equal(inc->kind, KERNEL_INCIDENT_WARNING);
	assert_int_equal(inc->seq, 101);
	assert_int_equal(inc->usec, 5000000 + 101 * 1000);
	assert_modules(inc, mods, ELEMENTSOF(mods));
	assert_false(inc->modules_truncated);
	assert_true(kernel_incident_names_module(inc, "klpt_cmdline"));
	assert_true(kernel_incident_names_module(inc, "klpt-cmdline"));
	assert_true(kernel_incident_names_module(inc, "klpt-other"));
	/* only in "? " frames, in Modules linked in: or its last unloaded */
	assert_false(kernel_incident_names_module(inc, "klpt_stale"));
	assert_false(kernel_incident_names_module(inc, "ext4"));
	assert_false(kernel_incident_names_module(inc, "klpt_old"));
	assert_false(kernel_incident_names_module(inc, ""));
	assert_false(kernel_incident_names_module(inc, NULL));

	assert_int_equal(inc->n_lines, KERNEL_INCIDENT_LINES);
	assert_string_equal(inc->lines[0], lines[1] + 2);
	assert_string_equal(inc->lines[1], lines[2] + 2);
	assert_string_equal(inc->lines[4], lines[5] + 2);
}

/* 6.16's WARN: the task name at the end is another user's choice. */
static void test_warning_new_format(void **state)
{
	static const char *const lines[] = {
		"4;WARNING: drivers/foo.c:42 at foo_fn+0x1c/0x40 [foo], CPU#2: x+0x1/0x2 [evil]/77",
		"4;Modules linked in: foo(O) evil",
		"4;RIP: 0010:foo_fn+0x1c/0x40 [foo]",
		"4;Call Trace:",
		"4; <TASK>",
		"4; bar+0x1/0x2",
		"4; </TASK>",
		"4;---[ end trace 0000000000000000 ]---",
	};
	static const char *const mods[] = { "foo" };
	struct run run;

	run_report(&run, lines, ELEMENTSOF(lines), false);
	assert_int_equal(run.n, 1);
	assert_incident(&run.done[0], KERNEL_INCIDENT_WARNING, mods, ELEMENTSOF(mods));
}

/* A general protection fault with RIP in a module, on 6.1. */
static void test_gpf_rip_in_module(void **state)
{
	static const char *const lines[] = {
		"4;general protection fault, probably for non-canonical address "
		"0xdead000000000122: 0000 [#1] PREEMPT SMP NOPTI",
		"4;CPU: 0 PID: 451 Comm: kworker/0:2 Tainted: G           OE K    6.1.0-56-amd64 #1",
		"4;Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)",
		"4;Workqueue: events klpt_work_fn [klpt_work]",
		"4;RIP: 0010:klpt_list_walk+0x2a/0x70 [klpt_work]",
		"4;Code: 48 8b 07 48 39 c7 74 1a <48> 8b 10 48 89 c7",
		"4;RSP: 0018:ffffb5a2c0593e58 EFLAGS: 00010286",
		"4;Call Trace:",
		"4; <TASK>",
		"4; ? die_addr+0x36/0x90",
		"4; ? exc_general_protection+0x1c5/0x430",
		"4; process_one_work+0x1c7/0x380",
		"4; worker_thread+0x4d/0x380",
		"4; kthread+0xd7/0x100",
		"4; ret_from_fork+0x22/0x30",
		"4; </TASK>",
		"4;Modules linked in: klpt_work(OE) klpt_cmdline(OEK) ext4",
		"4;---[ end trace 0000000000000000 ]---",
		"4;RIP: 0010:klpt_list_walk+0x2a/0x70 [klpt_work]",
		"0;Kernel panic - not syncing: Fatal exception",
	};
	static const char *const mods[] = { "klpt_work" };
	struct run run;

	run_report(&run, lines, ELEMENTSOF(lines), true);
	assert_int_equal(run.n, 1);
	assert_int_equal(run.done[0].seq, 100);
	assert_incident(&run.done[0], KERNEL_INCIDENT_GPF, mods, ELEMENTSOF(mods));
	assert_false(kernel_incident_names_module(&run.done[0], "klpt_cmdline"));
}

/* A NULL dereference: the BUG: line, then the die header of the same report. */
static void test_null_deref_is_one_incident(void **state)
{
	static const char *const lines[] = {
		"1;BUG: kernel NULL pointer dereference, address: 0000000000000008",
		"1;#PF: supervisor read access in kernel mode",
		"1;#PF: error_code(0x0000) - not-present page",
		"6;PGD 0 P4D 0 ",
		"4;Oops: 0000 [#1] PREEMPT SMP NOPTI",
		"4;CPU: 1 PID: 530 Comm: insmod Tainted: G           OE K    6.1.0-56-amd64 #1",
		"4;RIP: 0010:klpt_null_init+0x11/0x1000 [klpt_null]",
		"4;Call Trace:",
		"4; <TASK>",
		"4; do_one_initcall+0x41/0x200",
		"4; do_init_module+0x4c/0x1f0",
		"4; </TASK>",
		"4;---[ end trace 0000000000000000 ]---",
	};
	static const char *const mods[] = { "klpt_null" };
	struct run run;

	run_report(&run, lines, ELEMENTSOF(lines), false);
	assert_int_equal(run.n, 1);
	assert_incident(&run.done[0], KERNEL_INCIDENT_BUG, mods, ELEMENTSOF(mods));
	assert_string_equal(run.done[0].lines[4], "Oops: 0000 [#1] PREEMPT SMP NOPTI");
}

/* BUG() in a module built without file and line: the first line names it;
 * before 6.10 the die header has no "Oops: ". */
static void test_kernel_bug_without_file(void **state)
{
	static const char *const lines[] = {
		"4;------------[ cut here ]------------",
		"2;Kernel BUG at klpt_fn+0x10/0x20 [klpt_bug] [verbose debug info unavailable]",
		"4;invalid opcode: 0000 [#1] SMP NOPTI",
		"4;CPU: 0 PID: 77 Comm: insmod Tainted: G           OE      5.10.0-32-amd64 #1",
		"4;EIP: klpt_fn+0x10/0x20 [klpt_bug32]",
		"4;Call Trace:",
		"4; [<ffffffffc0456789>] klpt_caller+0x5/0x10 [klpt_caller]",
		"4;---[ end trace 5e4c3b2a19087f6d ]---",
	};
	static const char *const mods[] = { "klpt_bug", "klpt_bug32", "klpt_caller" };
	struct run run;

	run_report(&run, lines, ELEMENTSOF(lines), false);
	assert_int_equal(run.n, 1);
	assert_incident(&run.done[0], KERNEL_INCIDENT_BUG, mods, ELEMENTSOF(mods));
}

/* A hung task sleeping in the core kernel: the report names no module, and
 * has no end marker. */
static void test_hung_task_no_module(void **state)
{
	static const char *const lines[] = {
		"3;INFO: task jbd2/vda1-8:187 blocked for more than 120 seconds.",
		"3;      Tainted: G           OE K    6.1.0-56-amd64 #1 Debian 6.1.123-1",
		"3;\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.",
		"6;task:jbd2/vda1-8     state:D stack:0     pid:187   ppid:2      flags:0x00004000",
		"6;Call Trace:",
		"6; <TASK>",
		"6; __schedule+0x34d/0x9e0",
		"6; schedule+0x5a/0xd0",
		"6; io_schedule+0x42/0x70",
		"6; bit_wait_io+0xd/0x60",
		"6; kthread+0xd7/0x100",
		"6; ret_from_fork+0x22/0x30",
		"6; </TASK>",
	};
	struct run run;

	run_report(&run, lines, ELEMENTSOF(lines), true);
	assert_int_equal(run.n, 1);
	assert_int_equal(run.done[0].kind, KERNEL_INCIDENT_HUNG_TASK);
	assert_int_equal(run.done[0].n_modules, 0);
	assert_false(kernel_incident_names_module(&run.done[0], "klpt_cmdline"));
}

/* A soft lockup whose only mention of the module is Modules linked in: (the
 * CPU spins in a vmlinux function). */
static void test_modules_linked_in_names_nothing(void **state)
{
	static const char *const lines[] = {
		"0;watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [klpt_spin+0x1/0x2 [x]:123]",
		"4;Modules linked in: klpt_cmdline(OEK) klpt_spin(OE) ext4 [last unloaded: klpt_x]",
		"4;irq event stamp: 2046",
		"4;CPU: 0 PID: 123 Comm: klpt_spin Tainted: G           OEL   6.1.0-56-amd64 #1",
		"4;RIP: 0010:native_queued_spin_lock_slowpath+0x5b/0x2c0",
		"4;Code: 6d f0 0f ba 2f 08 0f 92 c0 0f b6 c0 c1 e0 08 89 c2",
		"4;RSP: 0018:ffffb5a2c0603e78 EFLAGS: 00000202",
		"4;Call Trace:",
		"4; <TASK>",
		"4; _raw_spin_lock+0x25/0x30",
		"4; </TASK>",
	};
	struct run run;

	run_report(&run, lines, ELEMENTSOF(lines), true);
	assert_int_equal(run.n, 1);
	assert_int_equal(run.done[0].kind, KERNEL_INCIDENT_SOFT_LOCKUP);
	assert_int_equal(run.done[0].n_modules, 0);
	assert_false(kernel_incident_names_module(&run.done[0], "klpt_spin"));
	assert_false(kernel_incident_names_module(&run.done[0], "klpt_cmdline"));
	assert_false(kernel_incident_names_module(&run.done[0], "x"));
}

/* Two incidents back to back: a hard lockup ends when an RCU stall starts,
 * which ends by the quiet limit; then a KASAN report framed by '=' rows and
 * a newer UBSAN report in cut-here/end-trace form. */
static void test_back_to_back(void **state)
{
	static const char *const lines[] = {
		"0;NMI watchdog: Watchdog detected hard LOCKUP on cpu 1",
		"4;Modules linked in: klpt_irq(OE)",
		"4;RIP: 0010:klpt_irq_handler+0x9/0x20 [klpt_irq]",
		"4;Call Trace:",
		"4; <IRQ>",
		"4; __handle_irq_event_percpu+0x46/0x190",
		"4; </IRQ>",
		"3;rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:",
		"3;rcu: \\x091-...!: (0 ticks this GP) idle=b4c/1/0x4000000000000000 softirq=1/1 fqs=0",
		"3;\\x09(detected by 0, t=21002 jiffies, g=1234, q=56 ncpus=2)",
		"6;Sending NMI from CPU 0 to CPUs 1:",
		"4;NMI backtrace for cpu 1",
		"4;RIP: 0010:klpt_irq_handler+0x9/0x20 [klpt_irq]",
		"4;Call Trace:",
		"4; klpt_rcu_reader+0x30/0x50 [klpt_rcu]",
	};
	static const char *const kasan[] = {
		"3;==================================================================",
		"3;BUG: KASAN: slab-out-of-bounds in klpt_fill+0x3c/0x60 [klpt_kasan]",
		"3;Write of size 1 at addr ffff888003a1b0c8 by task insmod/512",
		"6;CPU: 1 PID: 512 Comm: insmod Tainted: G    B      OE      6.1.0 #1",
		"6;Call Trace:",
		"6; <TASK>",
		"6; dump_stack_lvl+0x44/0x5c",
		"6; klpt_fill+0x3c/0x60 [klpt_kasan]",
		"6; klpt_alloc+0x10/0x20 [klpt-helper]",
		"6; </TASK>",
		"3;Allocated by task 512:",
		"4; kasan_save_stack+0x1e/0x40",
		"4; klpt_alloc+0x10/0x20 [klpt_helper]",
		"3;The buggy address belongs to the object at ffff888003a1b0c0",
		"3;==================================================================",
		"4;------------[ cut here ]------------",
		"3;UBSAN: array-index-out-of-bounds in /build/klpt/klpt_ubsan.c:12:9",
		"3;index 5 is out of range for type 'int [4]'",
		"4;CPU: 0 PID: 600 Comm: insmod Tainted: G    B      OE      6.12.0 #1",
		"4;Call Trace:",
		"4; klpt_ubsan_init+0x21/0x1000 [klpt_ubsan]",
		"4;---[ end trace ]---",
	};
	static const char *const lockup_mods[] = { "klpt_irq" };
	static const char *const rcu_mods[] = { "klpt_irq", "klpt_rcu" };
	static const char *const kasan_mods[] = { "klpt_kasan", "klpt-helper" };
	static const char *const ubsan_mods[] = { "klpt_ubsan" };
	struct kernel_incident_reader r;
	struct run run = {};
	struct kmsg_record rec = { .level = 6, .seq = 200, .usec = 0, .text = "x", .text_len = 1 };

	kernel_incident_reader_init(&r);
	feed_lines(&r, &run, 100, lines, ELEMENTSOF(lines));
	assert_int_equal(run.n, 1);
	assert_int_equal(run.done[0].seq, 100);
	assert_incident(&run.done[0], KERNEL_INCIDENT_HARD_LOCKUP,
			lockup_mods, ELEMENTSOF(lockup_mods));
	assert_true(kernel_incident_reader_pending(&r));

	/* 200 - 114: more than the quiet limit of records since the last frame */
	rec.usec = 5000000 + 115 * 1000;
	take(&run, kernel_incident_reader_feed(&r, &rec));
	assert_int_equal(run.n, 2);
	assert_int_equal(run.done[1].seq, 107);
	assert_incident(&run.done[1], KERNEL_INCIDENT_RCU_STALL, rcu_mods, ELEMENTSOF(rcu_mods));
	assert_false(kernel_incident_reader_pending(&r));

	feed_lines(&r, &run, 300, kasan, ELEMENTSOF(kasan));
	assert_int_equal(run.n, 4);
	assert_int_equal(run.done[2].seq, 301);
	assert_incident(&run.done[2], KERNEL_INCIDENT_KASAN, kasan_mods, ELEMENTSOF(kasan_mods));
	assert_incident(&run.done[3], KERNEL_INCIDENT_UBSAN, ubsan_mods, ELEMENTSOF(ubsan_mods));
	assert_false(kernel_incident_reader_pending(&r));
	assert_null(kernel_incident_reader_flush(&r));
}

/* 6.1's UBSAN report between rows of '=', then an RCU self-detected stall
 * whose CPU spins in a module. */
static void test_ubsan_framed_and_rcu_self_detected(void **state)
{
	static const char *const lines[] = {
		"3;================================================================================",
		"3;UBSAN: shift-out-of-bounds in /build/klpt/klpt_shift.c:9:14",
		"3;shift exponent 70 is too large for 64-bit type 'long unsigned int'",
		"4;CPU: 0 PID: 700 Comm: insmod Tainted: G           OE      6.1.0-56-amd64 #1",
		"4;Call Trace:",
		"4; <TASK>",
		"4; dump_stack_lvl+0x44/0x5c",
		"4; __ubsan_handle_shift_out_of_bounds.cold+0x61/0xef",
		"4; klpt_shift_init.cold+0x5/0x1a [klpt_shift]",
		"4; </TASK>",
		"3;================================================================================",
		"3;rcu: INFO: rcu_sched self-detected stall on CPU",
		"3;rcu: \\x090-....: (5250 ticks this GP) idle=8d4/1/0x4000000000000000 softirq=1/1 fqs=2",
		"3;\\x09(t=5251 jiffies g=2345 q=12 ncpus=2)",
		"4;NMI backtrace for cpu 0",
		"4;RIP: 0010:klpt_spin_fn+0x12/0x30 [klpt_spin]",
		"4;Call Trace:",
		"4; <IRQ>",
		"4; rcu_dump_cpu_stacks+0xa5/0xdb",
		"4; </IRQ>",
	};
	static const char *const ubsan_mods[] = { "klpt_shift" };
	static const char *const rcu_mods[] = { "klpt_spin" };
	struct run run;

	run_report(&run, lines, ELEMENTSOF(lines), true);
	assert_int_equal(run.n, 2);
	assert_int_equal(run.done[0].seq, 101);
	assert_incident(&run.done[0], KERNEL_INCIDENT_UBSAN, ubsan_mods, ELEMENTSOF(ubsan_mods));
	assert_incident(&run.done[1], KERNEL_INCIDENT_RCU_STALL, rcu_mods, ELEMENTSOF(rcu_mods));
}

/* The time gap and a sequence number going back end an open incident. */
static void test_quiet_limits(void **state)
{
	struct kernel_incident_reader r;
	const struct kernel_incident *inc;
	struct kmsg_record first = { .level = 4, .seq = 10, .usec = 1000000 },
			   frame = { .level = 4, .seq = 11, .usec = 1000100 },
			   late = { .level = 4, .seq = 12, .usec = 1000100 + 5000001 };

	first.text = "WARNING: CPU: 0 PID: 1 at a.c:1 f+0x1/0x2 [m1]";
	first.text_len = strlen(first.text);
	frame.text = late.text = " g+0x1/0x2 [m2]";
	frame.text_len = late.text_len = strlen(frame.text);

	kernel_incident_reader_init(&r);
	assert_null(kernel_incident_reader_feed(&r, &first));
	assert_null(kernel_incident_reader_feed(&r, &frame));
	inc = kernel_incident_reader_feed(&r, &late);
	assert_non_null(inc);
	assert_int_equal(inc->n_modules, 2);
	assert_false(kernel_incident_names_module(inc, "m3"));

	kernel_incident_reader_init(&r);
	assert_null(kernel_incident_reader_feed(&r, &first));
	assert_null(kernel_incident_reader_feed(&r, &frame));
	assert_non_null(kernel_incident_reader_feed(&r, &first)); /* seq 10 again */
	assert_true(kernel_incident_reader_pending(&r));          /* and a new one */

	/* records of other facilities (user space writing to /dev/kmsg) are ignored */
	kernel_incident_reader_init(&r);
	first.facility = 1;
	assert_null(kernel_incident_reader_feed(&r, &first));
	assert_false(kernel_incident_reader_pending(&r));
}

/* Many modules: kept up to the limit, the rest counted as truncated. */
static void test_many_modules(void **state)
{
	struct kernel_incident_reader r;
	const struct kernel_incident *inc;
	char text[64];
	struct kmsg_record rec = { .level = 4, .seq = 1, .usec = 1 };

	kernel_incident_reader_init(&r);
	rec.text = "BUG: KASAN: use-after-free in f+0x1/0x2 [m_0]";
	rec.text_len = strlen(rec.text);
	assert_null(kernel_incident_reader_feed(&r, &rec));
	for (int i = 0; i < 40; i++) {
		snprintf(text, sizeof(text), " f+0x1/0x2 [m%c%d]", i % 2 ? '-' : '_', i);
		rec.seq++;
		rec.text = text;
		rec.text_len = strlen(text);
		assert_null(kernel_incident_reader_feed(&r, &rec));
	}
	inc = kernel_incident_reader_flush(&r);
	assert_non_null(inc);
	assert_int_equal(inc->n_modules, KERNEL_INCIDENT_MODULES_MAX);
	assert_true(inc->modules_truncated);
	assert_string_equal(inc->modules[0], "m_0");
	assert_string_equal(inc->modules[1], "m-1");
	assert_true(kernel_incident_names_module(inc, "m_1"));
	assert_false(kernel_incident_names_module(inc, "m_39"));
}

/* Hostile and broken input: long lines, NUL and control bytes, non-UTF-8,
 * truncated frames and module names that are not names. */
static void test_garbage(void **state)
{
	static const char *const frames[] = {
		" f+0x1/0x2 [",
		" f+0x1/0x2 [m",
		" f+0x1/0x2 []",
		" f+0x1/0x2 [m ]",
		" f+0x1/0x2 [m zz]",
		" f+0x1/0x2 [m] x",
		" f+0x1/0x2 [m/..]",
		" f+0x/0x2 [m]",
		" f+0x1/ [m]",
		" +0x1/0x2 [m]",
		" f+0x1/0x2 [m]]",
		"RIP: 0010:",
		"RIP: 0010:f+0x1",
		"RIP: 0033:0x7f1b2c1d1f1d",
		" ? ",
		" <",
		"---[ end",
	};
	struct kernel_incident_reader r;
	const struct kernel_incident *inc;
	static char big[20000];
	struct kmsg_record rec = { .level = 4, .seq = 1, .usec = 1 };
	static const char nul[] = "BUG: \0\x01\xff\xfe\x1b[31m red";

	kernel_incident_reader_init(&r);
	rec.text = nul;
	rec.text_len = sizeof(nul) - 1;
	assert_null(kernel_incident_reader_feed(&r, &rec));
	assert_true(kernel_incident_reader_pending(&r));

	for (size_t i = 0; i < ELEMENTSOF(frames); i++) {
		rec.seq++;
		rec.text = frames[i];
		rec.text_len = strlen(frames[i]);
		assert_null(kernel_incident_reader_feed(&r, &rec));
	}
	/* a frame whose module name is longer than a module name can be */
	memset(big, 'a', sizeof(big));
	memcpy(big, " f+0x1/0x2 [", 12);
	big[200] = ']';
	rec.seq++;
	rec.text = big;
	rec.text_len = 201;
	assert_null(kernel_incident_reader_feed(&r, &rec));
	/* a 20000-byte line, not NUL-terminated */
	rec.seq++;
	rec.text_len = sizeof(big);
	assert_null(kernel_incident_reader_feed(&r, &rec));

	inc = kernel_incident_reader_flush(&r);
	assert_non_null(inc);
	assert_int_equal(inc->kind, KERNEL_INCIDENT_BUG);
	assert_int_equal(inc->n_modules, 0);
	assert_string_equal(inc->lines[0], "BUG: ?????[31m red");
	for (size_t i = 0; i < inc->n_lines; i++)
		assert_true(strlen(inc->lines[i]) < KERNEL_INCIDENT_LINE_MAX);

	/* a first line cut short, and a huge one */
	assert_int_equal(kernel_incident_classify(4, "WARNING: CPU: ", 14), KERNEL_INCIDENT_WARNING);
	assert_int_equal(kernel_incident_classify(4, "Oops: 000", 9), _KERNEL_INCIDENT_KIND_INVALID);
	assert_int_equal(kernel_incident_classify(4, "Oops: 0000 [#", 13),
			 _KERNEL_INCIDENT_KIND_INVALID);
	assert_int_equal(kernel_incident_classify(4, "INFO: task ", 11), _KERNEL_INCIDENT_KIND_INVALID);
	assert_int_equal(kernel_incident_classify(4, big, sizeof(big)), _KERNEL_INCIDENT_KIND_INVALID);
	assert_int_equal(kernel_incident_classify(4, NULL, 0), _KERNEL_INCIDENT_KIND_INVALID);

	/* the kept line of a long first record is cut */
	kernel_incident_reader_init(&r);
	memcpy(big, "BUG: ", 5);
	rec.text = big;
	rec.text_len = sizeof(big);
	assert_null(kernel_incident_reader_feed(&r, &rec));
	inc = kernel_incident_reader_flush(&r);
	assert_non_null(inc);
	assert_int_equal(strlen(inc->lines[0]), KERNEL_INCIDENT_LINE_MAX - 1);
}

static void test_kind_names(void **state)
{
	for (int k = 0; k < _KERNEL_INCIDENT_KIND_MAX; k++) {
		const char *s = kernel_incident_kind_to_string((enum kernel_incident_kind)k);

		assert_non_null(s);
		assert_int_equal(kernel_incident_kind_from_string(s), k);
	}
	assert_string_equal(kernel_incident_kind_to_string(KERNEL_INCIDENT_SOFT_LOCKUP),
			    "soft-lockup");
	assert_null(kernel_incident_kind_to_string(_KERNEL_INCIDENT_KIND_MAX));
	assert_null(kernel_incident_kind_to_string(_KERNEL_INCIDENT_KIND_INVALID));
	assert_int_equal(kernel_incident_kind_from_string("panic"), _KERNEL_INCIDENT_KIND_INVALID);
	assert_int_equal(kernel_incident_kind_from_string(NULL), _KERNEL_INCIDENT_KIND_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_warning_livepatch),
		cmocka_unit_test(test_warning_new_format),
		cmocka_unit_test(test_gpf_rip_in_module),
		cmocka_unit_test(test_null_deref_is_one_incident),
		cmocka_unit_test(test_kernel_bug_without_file),
		cmocka_unit_test(test_hung_task_no_module),
		cmocka_unit_test(test_modules_linked_in_names_nothing),
		cmocka_unit_test(test_back_to_back),
		cmocka_unit_test(test_ubsan_framed_and_rcu_self_detected),
		cmocka_unit_test(test_quiet_limits),
		cmocka_unit_test(test_many_modules),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_kind_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
