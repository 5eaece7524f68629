/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot-load.h"
#include "fileio.h"
#include "macro.h"
#include "records.h"
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

static int parse_boot_record(const char *name, const char *rest, size_t rest_len, void *item)
{
	struct boot_record *rec = item;

	if (rest_len != BOOT_ID_LEN)
		return -EBADMSG;
	memcpy(rec->boot_id, rest, BOOT_ID_LEN);
	rec->boot_id[BOOT_ID_LEN] = '\0';
	return boot_id_valid(rec->boot_id) ? 0 : -EBADMSG;
}

int boot_records_parse(const char *buf, size_t len, struct boot_record **ret, size_t *ret_n)
{
	void *l = NULL;
	int r;

	static_assert(offsetof(struct boot_record, name) == 0, "records_parse() wants the name first");
	r = records_parse(buf, len, BOOT_LOADS_FILE_MAX, sizeof(**ret), RECORDS_UNIQUE, parse_boot_record,
			  NULL, &l, ret_n);
	*ret = l;
	return r;
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

/* ROOT's FILE whole: a kernel command line is at most a few KiB. */
static int read_proc_file(const char *root, const char *file, char **ret)
{
	_cleanup_free_ char *path = NULL;
	size_t len;

	if (asprintf(&path, "%s%s", root, file) < 0)
		return -ENOMEM;
	return read_full_file(path, 0, 64 * 1024, ret, &len);
}

int boot_read_cmdline(const char *root, char **ret)
{
	return read_proc_file(root, "/proc/cmdline", ret);
}

int boot_read_id(const char *root, char ret[static BOOT_ID_LEN + 1])
{
	_cleanup_free_ char *buf = NULL;
	int r;

	r = read_proc_file(root, "/proc/sys/kernel/random/boot_id", &buf);
	if (r == -EFBIG)
		return -EBADMSG;
	if (r < 0)
		return r;
	buf[strcspn(buf, "\n")] = '\0';
	if (!boot_id_valid(buf))
		return -EBADMSG;
	memcpy(ret, buf, BOOT_ID_LEN + 1);
	return 0;
}
