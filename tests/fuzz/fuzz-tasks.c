/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tasks_scan_blockers() (daemon/tasks.c) on a fake /proc with two threads of
 * one process whose patch_state, comm and stack files hold the input. The
 * input is a flags byte, then patch_state, comm and stack of thread 4242 and
 * patch_state of thread 4243, separated by NUL bytes.
 * comm and stack come out escaped (lib/utf8.h), whatever the bytes.
 * fuzz-sources: daemon/tasks.c lib/fileio.c lib/utf8.c */
#include "fileio.h"
#include "fuzz-util.h"
#include "macro.h"
#include "tasks.h"
#include "utf8.h"

enum { F_STATE, F_COMM, F_STACK, F_STATE2, _F_MAX };

static const char *const files[_F_MAX] = {
	[F_STATE] = "proc/4242/task/4242/patch_state",
	[F_COMM] = "proc/4242/task/4242/comm",
	[F_STACK] = "proc/4242/task/4242/stack",
	[F_STATE2] = "proc/4242/task/4243/patch_state",
};

static char root[4096];

/* Whether a thread whose patch_state file holds F blocks TARGET; -1 when the
 * input is not judged (a NUL in the value). */
static int expect_blocks(const struct fuzz_field *f, bool present, int target)
{
	char line[64];
	int state;

	if (!present)
		return 0;
	if (!fuzz_expected_line(f->p, f->n, line, sizeof(line)))
		return -1;
	if (parse_int(line, &state) < 0)
		return 0;
	return state != -1 && state != target;
}

/* S lies in the escape of what was read of F: its first CAP bytes, up to a
 * NUL (read_line_at() reads into a buffer of CAP + 1 bytes). */
static bool within(const char *s, const struct fuzz_field *f, size_t cap)
{
	static char esc[UTF8_ESCAPED_MAX(512) + 1];
	size_t m = strnlen(f->p, f->n);

	if (m > cap)
		m = cap;
	fuzz_assert(m <= 512);
	fuzz_assert(utf8_escape(esc, sizeof(esc), f->p, m));
	return strstr(esc, s) != NULL;
}

/* "[<0>] " and something after it that survives the stripping of trailing
 * blanks and newlines, within the 511 bytes read, and no NUL. */
static bool kernel_form(const struct fuzz_field *f)
{
	size_t n = f->n < 511 ? f->n : 511;

	if (n <= 6 || memcmp(f->p, "[<0>] ", 6) != 0 || memchr(f->p, '\0', n))
		return false;
	for (size_t i = 6; i < n; i++)
		if (f->p[i] != ' ' && f->p[i] != '\n')
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_field f[_F_MAX];
	struct blocker *list = NULL;
	size_t n = 99, total = 99, max;
	char path[4096];
	unsigned flags;
	int target, b1, b2, r;

	if (size < 1 || size > 8192)
		return 0;
	flags = data[0];
	fuzz_split(data + 1, size - 1, '\0', f, _F_MAX);
	target = flags & 0x10 ? 1 : 0;
	max = flags & 0x20 ? 0 : flags & 0x40 ? 1 : 8;

	if (!root[0]) {
		snprintf(root, sizeof(root), "%s/root", fuzz_tmpdir());
		/* Not a pid: skipped. */
		snprintf(path, sizeof(path), "%s/proc/self/task/1/patch_state", root);
		fuzz_put(path, "0\n", 2);
		/* Thread 4244 is in no transition. */
		snprintf(path, sizeof(path), "%s/proc/4242/task/4244/patch_state", root);
		fuzz_put(path, "-1\n", 3);
		snprintf(path, sizeof(path), "%s/proc/4242/task/4243", root);
		fuzz_mkdir_p(path);
	}
	for (unsigned i = 0; i < _F_MAX; i++) {
		snprintf(path, sizeof(path), "%s/%s", root, files[i]);
		fuzz_put(path, flags & (1u << i) ? f[i].p : NULL, f[i].n);
	}

	b1 = expect_blocks(&f[F_STATE], flags & (1u << F_STATE), target);
	b2 = expect_blocks(&f[F_STATE2], flags & (1u << F_STATE2), target);

	r = tasks_scan_blockers(root, target, NULL, max, &list, &n, &total);
	fuzz_assert(r == 0);
	fuzz_assert(n <= max && n <= total && total <= 2);
	if (b1 >= 0 && b2 >= 0) {
		fuzz_assert(total == (size_t)(b1 + b2));
		fuzz_assert(n == (total < max ? total : max));
	}
	for (size_t i = 0; i < n; i++) {
		const struct blocker *b = &list[i];

		fuzz_assert(b->pid == 4242 || b->pid == 4243);
		fuzz_assert(memchr(b->comm, '\0', sizeof(b->comm)));
		fuzz_assert(b->stack);
		fuzz_assert(!strchr(b->stack, '\n'));
		fuzz_assert(utf8_is_clean(b->comm, strlen(b->comm)));
		fuzz_assert(utf8_is_clean(b->stack, strlen(b->stack)));
		if (b->pid == 4243) {
			/* No comm, no stack: reported all the same. */
			fuzz_assert(!b->comm[0] && !b->stack[0]);
			continue;
		}
		if (flags & (1u << F_COMM))
			fuzz_assert(within(b->comm, &f[F_COMM], BLOCKER_COMM_MAX - 1));
		else
			fuzz_assert(!b->comm[0]);
		if (flags & (1u << F_STACK))
			fuzz_assert(within(b->stack, &f[F_STACK], 511));
		else
			fuzz_assert(!b->stack[0]);
		/* The kernel's form: "[<0>] function+0x1/0x2 [module]\n...". */
		if ((flags & (1u << F_STACK)) && kernel_form(&f[F_STACK]) &&
		    strlen(b->stack) <= f[F_STACK].n - 6 &&
		    utf8_is_clean(f[F_STACK].p + 6, strlen(b->stack)))
			fuzz_assert(strncmp(b->stack, f[F_STACK].p + 6, strlen(b->stack)) == 0);
	}
	blockers_free(list, n);

	fuzz_assert(tasks_scan_blockers("/nonexistent-klpd-fuzz", 0, NULL, 8, &list, &n, &total) < 0);
	return 0;
}
