/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The readers of /sys/kernel/livepatch/<patch>/ and /sys/module/<module>/
 * (daemon/sysfs-livepatch.c) on a fake tree whose attribute files hold the
 * input. The input is two bytes saying which files exist, then the contents
 * of the files below, separated by NUL bytes.
 * fuzz-sources: daemon/sysfs-livepatch.c lib/fileio.c lib/names.c lib/utf8.c */
#include "fileio.h"
#include <limits.h>

#include "fuzz-util.h"
#include "macro.h"
#include "sysfs-livepatch.h"

#define PATCH "klpt_fuzz"

enum {
	F_ENABLED,
	F_TRANSITION,
	F_REPLACE,
	F_STACK_ORDER,
	F_VMLINUX_PATCHED,
	F_EXT4_PATCHED,
	F_REFCNT,
	F_TAINT,
	F_INITSTATE,
	_F_MAX,
	/* not a file: whether the patch has a second object directory */
	F_EXT4_DIR = _F_MAX,
};

static const char *const files[_F_MAX] = {
	[F_ENABLED] = "sys/kernel/livepatch/" PATCH "/enabled",
	[F_TRANSITION] = "sys/kernel/livepatch/" PATCH "/transition",
	[F_REPLACE] = "sys/kernel/livepatch/" PATCH "/replace",
	[F_STACK_ORDER] = "sys/kernel/livepatch/" PATCH "/stack_order",
	[F_VMLINUX_PATCHED] = "sys/kernel/livepatch/" PATCH "/vmlinux/patched",
	[F_EXT4_PATCHED] = "sys/kernel/livepatch/" PATCH "/ext4/patched",
	[F_REFCNT] = "sys/module/" PATCH "/refcnt",
	[F_TAINT] = "sys/module/" PATCH "/taint",
	[F_INITSTATE] = "sys/module/" PATCH "/initstate",
};

/* What an int attribute must read as: its value, the default when absent,
 * or false when it does not hold an int. Inputs with NUL bytes in a value
 * are not judged (*JUDGED = false). */
static bool expect_int(const struct fuzz_field *f, bool present, int absent, int *ret,
		       bool *judged)
{
	char line[64];

	if (!present) {
		*ret = absent;
		return true;
	}
	if (!fuzz_expected_line(f->p, f->n, line, sizeof(line))) {
		*judged = false;
		return false;
	}
	return parse_int(line, ret) == 0;
}

static bool strv_contains(char **l, const char *s, size_t *count)
{
	*count = 0;
	for (; l && *l; l++)
		if (streq(*l, s))
			(*count)++;
	return *count > 0;
}

static char root[4096];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_field f[_F_MAX];
	struct livepatch_sysfs p;
	struct module_sysfs m;
	char path[4096], line[64], **names = NULL;
	unsigned mask;
	bool judged = true, ok, okm, ext4, any_module;
	int enabled = 0, transition = 0, replace = 0, stack_order = 0, vmlinux = 0, ext4_patched = 0,
	    refcnt = 0, r;
	size_t count;

	if (size < 2 || size > 4096)
		return 0;
	mask = (unsigned)data[0] | (unsigned)data[1] << 8;
	fuzz_split(data + 2, size - 2, '\0', f, _F_MAX);
	ext4 = mask & (1u << F_EXT4_DIR);
	if (!ext4)
		mask &= ~(1u << F_EXT4_PATCHED);

	if (!root[0]) {
		snprintf(root, sizeof(root), "%s/root", fuzz_tmpdir());
		snprintf(path, sizeof(path), "%s/sys/kernel/livepatch/" PATCH "/vmlinux", root);
		fuzz_mkdir_p(path);
		snprintf(path, sizeof(path), "%s/sys/module/" PATCH, root);
		fuzz_mkdir_p(path);
	}
	snprintf(path, sizeof(path), "%s/sys/kernel/livepatch/" PATCH "/ext4", root);
	if (ext4)
		fuzz_mkdir_p(path);
	for (unsigned i = 0; i < _F_MAX; i++) {
		snprintf(path, sizeof(path), "%s/%s", root, files[i]);
		if (i == F_EXT4_PATCHED && !ext4)
			continue;
		fuzz_put(path, mask & (1u << i) ? f[i].p : NULL, f[i].n);
	}
	if (!ext4) {
		snprintf(path, sizeof(path), "%s/sys/kernel/livepatch/" PATCH "/ext4/patched", root);
		fuzz_put(path, NULL, 0);
		snprintf(path, sizeof(path), "%s/sys/kernel/livepatch/" PATCH "/ext4", root);
		fuzz_assert(rmdir(path) == 0 || errno == ENOENT);
	}

	/* The patch: every attribute an int, optional ones defaulted. */
	ok = true;
	/* "enabled" exists on every kernel: absent means the patch is going. */
	if (!(mask & (1u << F_ENABLED)))
		ok = false;
	else
		ok = expect_int(&f[F_ENABLED], true, 0, &enabled, &judged) && ok;
	ok = expect_int(&f[F_TRANSITION], mask & (1u << F_TRANSITION), -1, &transition, &judged) && ok;
	ok = expect_int(&f[F_REPLACE], mask & (1u << F_REPLACE), -1, &replace, &judged) && ok;
	ok = expect_int(&f[F_STACK_ORDER], mask & (1u << F_STACK_ORDER), 0, &stack_order, &judged) &&
	     ok;
	ok = expect_int(&f[F_VMLINUX_PATCHED], mask & (1u << F_VMLINUX_PATCHED), -1, &vmlinux,
			&judged) &&
	     ok;
	if (ext4)
		ok = expect_int(&f[F_EXT4_PATCHED], mask & (1u << F_EXT4_PATCHED), -1,
				&ext4_patched, &judged) &&
		     ok;

	/* without <obj>/patched (before 6.1) it is derived: vmlinux always,
	 * a module when /sys/module/<name> is there */
	if (vmlinux == -1)
		vmlinux = 1;
	if (ext4 && ext4_patched == -1) {
		char m[PATH_MAX];
		struct stat st;

		snprintf(m, sizeof(m), "%s/sys/module/ext4", root);
		ext4_patched = stat(m, &st) == 0 && S_ISDIR(st.st_mode);
	}

	memset(&p, 0xa5, sizeof(p));
	r = livepatch_sysfs_read(root, PATCH, &p);
	fuzz_assert(r <= 0);
	if (judged)
		fuzz_assert((r == 0) == ok);
	if (r == 0) {
		fuzz_assert(streq(p.name, PATCH));
		fuzz_assert(p.n_objects == (ext4 ? 2u : 1u));
		for (size_t i = 0; i < p.n_objects; i++) {
			const struct livepatch_object *o = &p.objects[i];

			fuzz_assert(streq(o->name, "vmlinux") || streq(o->name, "ext4"));
			if (judged)
				fuzz_assert(o->patched == (streq(o->name, "vmlinux") ? vmlinux
										 : ext4_patched));
		}
		if (judged) {
			fuzz_assert(p.enabled == enabled);
			fuzz_assert(p.transition == transition);
			fuzz_assert(p.replace == replace);
			fuzz_assert(p.stack_order == stack_order);
		}
		livepatch_sysfs_done(&p);
		fuzz_assert(!p.objects && p.n_objects == 0);
	}

	fuzz_assert(livepatch_sysfs_supported(root));
	fuzz_assert(livepatch_sysfs_list(root, &names) == 0);
	fuzz_assert(strv_contains(names, PATCH, &count) && count == 1 && names[1] == NULL);
	strv_free(names);
	names = NULL;

	/* The module: refcnt an int or absent, taint and initstate strings. */
	judged = true;
	okm = expect_int(&f[F_REFCNT], mask & (1u << F_REFCNT), -1, &refcnt, &judged);
	memset(&m, 0xa5, sizeof(m));
	r = module_sysfs_read(root, PATCH, &m);
	fuzz_assert(r <= 0);
	if (judged)
		fuzz_assert((r == 0) == okm);
	if (r == 0) {
		fuzz_assert(streq(m.name, PATCH));
		if (judged)
			fuzz_assert(m.refcnt == refcnt);
		if (!(mask & (1u << F_TAINT)))
			fuzz_assert(!m.livepatch);
		else if (fuzz_expected_line(f[F_TAINT].p, f[F_TAINT].n, line, sizeof(line)))
			fuzz_assert(m.livepatch == !!strchr(line, 'K'));
		if (!(mask & (1u << F_INITSTATE)))
			fuzz_assert(!m.live);
		else if (fuzz_expected_line(f[F_INITSTATE].p, f[F_INITSTATE].n, line, sizeof(line)))
			fuzz_assert(m.live == streq(line, "live"));
	}

	fuzz_assert(module_sysfs_list_livepatch(root, &names) == 0);
	any_module = strv_contains(names, PATCH, &count);
	fuzz_assert(count <= 1);
	if (judged)
		fuzz_assert(any_module == (r == 0 && m.livepatch));
	strv_free(names);

	/* Names are checked before any path is built from them. */
	fuzz_assert(livepatch_sysfs_read(root, "../" PATCH, &p) == -EINVAL);
	fuzz_assert(module_sysfs_read(root, "", &m) == -EINVAL);
	return 0;
}
