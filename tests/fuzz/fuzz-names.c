/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Module names and Load() sources (lib/names.h) against a plain reading of
 * their contracts. The input is split at its first NUL into A and B.
 * fuzz-sources: lib/names.c */
#include "fuzz-util.h"
#include "names.h"

static bool ref_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* 1..55 characters of [A-Za-z0-9_-]. */
static bool ref_name_valid_n(const char *s, size_t n)
{
	if (n < 1 || n > KLP_MODULE_NAME_MAX - 1)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!ref_char(s[i]))
			return false;
	return true;
}

static char ref_fold(char c)
{
	return c == '-' ? '_' : c;
}

static bool ref_equal(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (strlen(b) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ref_fold(a[i]) != ref_fold(b[i]))
			return false;
	return true;
}

static bool ends_with(const char *s, size_t n, const char *suffix, size_t *stem)
{
	size_t k = strlen(suffix);

	if (n < k || memcmp(s + n - k, suffix, k) != 0)
		return false;
	*stem = n - k;
	return true;
}

/* "<dirs>/<valid name>.ko[.xz|.zst|.gz]" -> the name with '-' as '_'. */
static bool ref_name_from_path(const char *path, char *out)
{
	static const char *const suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };
	const char *base = strrchr(path, '/');
	size_t n, stem;

	base = base ? base + 1 : path;
	n = strlen(base);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if (!ends_with(base, n, suffixes[i], &stem))
			continue;
		if (!ref_name_valid_n(base, stem))
			continue; /* a shorter suffix cannot make it valid either */
		for (size_t k = 0; k < stem; k++)
			out[k] = ref_fold(base[k]);
		out[stem] = '\0';
		return true;
	}
	return false;
}

/* Absolute, no empty, "." or ".." component, no trailing '/'. */
static bool ref_path_normalized(const char *p)
{
	size_t n = strlen(p);

	if (n == 0 || p[0] != '/' || p[n - 1] == '/')
		return false;
	if (strstr(p, "//") || strstr(p, "/./") || strstr(p, "/../"))
		return false;
	if ((n >= 2 && strcmp(p + n - 2, "/.") == 0) || (n >= 3 && strcmp(p + n - 3, "/..") == 0))
		return false;
	return true;
}

static enum patch_source_kind ref_classify(const char *s)
{
	char name[KLP_MODULE_NAME_MAX];

	if (!s[0])
		return PATCH_SOURCE_INVALID;
	if (s[0] != '/')
		return ref_name_valid_n(s, strlen(s)) ? PATCH_SOURCE_NAME : PATCH_SOURCE_INVALID;
	if (strlen(s) >= 4096 || !ref_path_normalized(s) || !ref_name_from_path(s, name))
		return PATCH_SOURCE_INVALID;
	return PATCH_SOURCE_PATH;
}

static void check_one(const char *s)
{
	char buf[KLP_MODULE_NAME_MAX], ref[KLP_MODULE_NAME_MAX];
	bool valid = module_name_valid(s);
	int r;

	fuzz_assert(valid == ref_name_valid_n(s, strlen(s)));
	fuzz_assert(module_name_equal(s, s));

	memset(buf, 'X', sizeof(buf));
	r = module_name_normalize(s, buf);
	fuzz_assert(r == 0 || r == -EINVAL);
	fuzz_assert((r == 0) == valid);
	if (r == 0) {
		fuzz_assert(strlen(buf) == strlen(s));
		fuzz_assert(!strchr(buf, '-'));
		fuzz_assert(module_name_valid(buf));
		fuzz_assert(module_name_equal(s, buf) && module_name_equal(buf, s));
	}

	memset(buf, 'X', sizeof(buf));
	r = module_name_from_path(s, buf);
	fuzz_assert(r == 0 || r == -EINVAL);
	fuzz_assert((r == 0) == ref_name_from_path(s, ref));
	if (r == 0) {
		fuzz_assert(strcmp(buf, ref) == 0);
		fuzz_assert(module_name_valid(buf) && !strchr(buf, '-'));
	}

	fuzz_assert(patch_source_classify(s) == ref_classify(s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *a, *b;
	size_t alen;

	if (size > 8192)
		return 0;
	a = fuzz_strndup(data, size);
	alen = strlen(a);
	b = alen < size ? a + alen + 1 : a + alen;

	check_one(a);
	check_one(b);

	fuzz_assert(module_name_equal(a, b) == ref_equal(a, b));
	fuzz_assert(module_name_equal(a, b) == module_name_equal(b, a));

	/* path_is_below() wants absolute paths. Below is strict and one-way. */
	if (a[0] == '/' && b[0] == '/') {
		bool below = path_is_below(a, b);
		size_t n = strlen(b);

		while (n > 1 && b[n - 1] == '/')
			n--;
		if (n == 1)
			fuzz_assert(below == (a[1] != '\0'));
		else
			fuzz_assert(below == (strncmp(a, b, n) == 0 && a[n] == '/' && a[n + 1] != '\0'));
		if (ref_path_normalized(a))
			fuzz_assert(!path_is_below(a, a));
		if (below && ref_path_normalized(a) && ref_path_normalized(b))
			fuzz_assert(!path_is_below(b, a));
	}
	free(a);
	return 0;
}
