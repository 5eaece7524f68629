/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot-load.h"
#include "macro.h"
#include "statedir.h"

/* The kernel splits its command line at blanks outside double quotes and
 * drops the quotes (lib/cmdline.c, next_arg()). */
static const char *next_word(const char *p, char *word, size_t size)
{
	bool quoted = false;
	size_t n = 0;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!*p)
		return NULL;
	for (; *p; p++) {
		if (*p == '"') {
			quoted = !quoted;
			continue;
		}
		if (!quoted && (*p == ' ' || *p == '\t' || *p == '\n'))
			break;
		if (n + 1 < size)
			word[n++] = *p;
	}
	word[n] = '\0';
	return p;
}

bool boot_load_disabled_by_cmdline(const char *cmdline)
{
	static const char *const off[] = { "0", "n", "no", "false", "off" };
	bool disabled = false;
	char word[256];

	for (const char *p = cmdline; p && (p = next_word(p, word, sizeof(word)));) {
		const char *v;

		if (streq(word, "--"))
			break;
		if (strncmp(word, "klpd.load=", strlen("klpd.load=")) != 0)
			continue;
		v = word + strlen("klpd.load=");
		disabled = false;
		for (size_t i = 0; i < ELEMENTSOF(off); i++)
			if (streq(v, off[i]))
				disabled = true;
	}
	return disabled;
}

bool boot_id_valid(const char *s)
{
	if (!s || strlen(s) != BOOT_ID_LEN)
		return false;
	for (size_t i = 0; i < BOOT_ID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

static int parse_line(const char *line, size_t n, struct boot_record *ret)
{
	char name[KLP_MODULE_NAME_MAX];
	const char *sp = memchr(line, ' ', n);
	size_t name_len, id_len;

	if (!sp)
		return -EBADMSG;
	name_len = (size_t)(sp - line);
	id_len = n - name_len - 1;
	if (name_len == 0 || name_len >= sizeof(name) || id_len != BOOT_ID_LEN)
		return -EBADMSG;
	memcpy(name, line, name_len);
	name[name_len] = '\0';
	if (module_name_normalize(name, ret->name) < 0 || !streq(name, ret->name))
		return -EBADMSG;
	memcpy(ret->boot_id, sp + 1, BOOT_ID_LEN);
	ret->boot_id[BOOT_ID_LEN] = '\0';
	return boot_id_valid(ret->boot_id) ? 0 : -EBADMSG;
}

int boot_records_parse(const char *buf, size_t len, struct boot_record **ret, size_t *ret_n)
{
	_cleanup_free_ struct boot_record *l = NULL;
	size_t n = 0;

	if (len > BOOT_LOADS_FILE_MAX || memchr(buf, '\0', len))
		return -EBADMSG;
	for (size_t pos = 0; pos < len;) {
		const char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		struct boot_record rec, *nlst;

		pos += ll + (nl ? 1 : 0);
		if (ll == 0 || line[0] == '#')
			continue;
		if (parse_line(line, ll, &rec) < 0)
			return -EBADMSG;
		for (size_t i = 0; i < n; i++)
			if (streq(l[i].name, rec.name))
				return -EBADMSG;
		nlst = realloc(l, (n + 1) * sizeof(*l));
		if (!nlst)
			return -ENOMEM;
		l = nlst;
		l[n++] = rec;
	}
	*ret = TAKE_PTR(l);
	*ret_n = n;
	return 0;
}

int boot_records_format(const struct boot_record *l, size_t n, char **ret)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	f = open_memstream(&text, &size);
	if (!f)
		return -ENOMEM;
	fprintf(f, "# klpd: modules being loaded at boot, with the boot id of that boot.\n"
		   "# A line from an earlier boot means that load never finished: the\n"
		   "# module is skipped at boot until it is loaded by hand.\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s %s\n", l[i].name, l[i].boot_id);
	if (fclose(f) != 0 || !text) {
		free(text);
		return -ENOMEM;
	}
	*ret = text;
	return 0;
}

int boot_records_load(const char *dir, struct boot_record **ret, size_t *ret_n)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	*ret = NULL;
	*ret_n = 0;
	r = statedir_read(dir, BOOT_LOADS_FILE, BOOT_LOADS_FILE_MAX, &buf, &len);
	if (r <= 0)
		return r;
	return boot_records_parse(buf, len, ret, ret_n);
}

int boot_records_save(const char *dir, const struct boot_record *l, size_t n)
{
	_cleanup_free_ char *text = NULL;
	int r;

	if (n == 0) /* nothing in flight, nothing skipped: no file */
		return statedir_remove(dir, BOOT_LOADS_FILE);
	r = boot_records_format(l, n, &text);
	if (r < 0)
		return r;
	return statedir_write(dir, BOOT_LOADS_FILE, text);
}

static int read_small(const char *root, const char *file, char *buf, size_t size)
{
	_cleanup_close_ int fd = -1;
	char path[4096];
	size_t len = 0;

	if (snprintf(path, sizeof(path), "%s%s", root, file) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	while (len + 1 < size) {
		ssize_t k = read(fd, buf + len, size - 1 - len);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	buf[len] = '\0';
	return (int)len;
}

int boot_read_cmdline(const char *root, char **ret)
{
	char buf[4096 + 1];
	int r;

	r = read_small(root, "/proc/cmdline", buf, sizeof(buf));
	if (r < 0)
		return r;
	*ret = strdup(buf);
	return *ret ? 0 : -ENOMEM;
}

int boot_read_id(const char *root, char ret[static BOOT_ID_LEN + 1])
{
	char buf[64];
	int r;

	r = read_small(root, "/proc/sys/kernel/random/boot_id", buf, sizeof(buf));
	if (r < 0)
		return r;
	buf[strcspn(buf, "\n")] = '\0';
	if (!boot_id_valid(buf))
		return -EBADMSG;
	memcpy(ret, buf, BOOT_ID_LEN + 1);
	return 0;
}
