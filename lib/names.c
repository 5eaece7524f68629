/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>

#include "macro.h"
#include "names.h"

const char *const module_file_suffixes[4] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };

static bool module_char_valid(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static bool module_name_valid_n(const char *name, size_t n)
{
	if (n == 0 || n >= KLP_MODULE_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!module_char_valid(name[i]))
			return false;
	return true;
}

bool module_name_valid(const char *name)
{
	return name && module_name_valid_n(name, strlen(name));
}

static void normalize_n(const char *name, size_t n, char *buf)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = name[i] == '-' ? '_' : name[i];
	buf[n] = '\0';
}

int module_name_normalize(const char *name, char buf[static KLP_MODULE_NAME_MAX])
{
	if (!module_name_valid(name))
		return -EINVAL;
	normalize_n(name, strlen(name), buf);
	return 0;
}

bool module_name_equal(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '-' ? '_' : *a;
		char y = *b == '-' ? '_' : *b;
		if (x != y)
			return false;
	}
	return *a == *b;
}

static bool has_suffix(const char *s, size_t n, const char *suffix, size_t *ret_stem)
{
	size_t k = strlen(suffix);

	if (n <= k || memcmp(s + n - k, suffix, k) != 0)
		return false;
	*ret_stem = n - k;
	return true;
}

int module_name_from_path(const char *path, char buf[static KLP_MODULE_NAME_MAX])
{
	const char *base;
	size_t n, stem;

	if (!path)
		return -EINVAL;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	n = strlen(base);

	for (size_t i = 0; i < ELEMENTSOF(module_file_suffixes); i++) {
		if (!has_suffix(base, n, module_file_suffixes[i], &stem))
			continue;
		if (!module_name_valid_n(base, stem))
			return -EINVAL;
		normalize_n(base, stem, buf);
		return 0;
	}
	return -EINVAL;
}

bool module_path_compressed(const char *path)
{
	size_t n = strlen(path), stem;

	/* module_file_suffixes[0] is ".ko": the others are the compressed ones */
	for (size_t i = 1; i < ELEMENTSOF(module_file_suffixes); i++)
		if (has_suffix(path, n, module_file_suffixes[i], &stem))
			return true;
	return false;
}

static bool path_normalized_absolute(const char *p)
{
	if (p[0] != '/')
		return false;
	for (const char *c = p; *c;) {
		const char *e;
		size_t n;

		c++; /* past '/' */
		e = strchrnul(c, '/');
		n = (size_t)(e - c);
		if (n == 0)
			return false; /* "//" or trailing "/" */
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c = e;
	}
	return true;
}

enum patch_source_kind patch_source_classify(const char *source)
{
	char name[KLP_MODULE_NAME_MAX];

	if (!source || !*source)
		return PATCH_SOURCE_INVALID;
	if (source[0] != '/')
		return module_name_valid(source) ? PATCH_SOURCE_NAME : PATCH_SOURCE_INVALID;
	if (strlen(source) >= 4096 || !path_normalized_absolute(source))
		return PATCH_SOURCE_INVALID;
	if (module_name_from_path(source, name) < 0)
		return PATCH_SOURCE_INVALID;
	return PATCH_SOURCE_PATH;
}

bool path_is_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		return path[0] == '/' && path[1] != '\0';
	return strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1] != '\0';
}

bool kernel_release_valid(const char *release)
{
	size_t n;

	if (!release)
		return false;
	n = strlen(release);
	if (n == 0 || n > 64 || release[0] == '.' || release[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = release[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("._+~-", c)))
			return false;
	}
	return true;
}
