/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "modinfo.h"

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_ELFDATA ELFDATA2LSB
#else
#define NATIVE_ELFDATA ELFDATA2MSB
#endif

/* The section header I of the file, bounds checked. */
static int section(const uint8_t *buf, size_t len, const Elf64_Ehdr *eh, size_t i,
		   Elf64_Shdr *ret)
{
	if (i >= eh->e_shnum)
		return -EBADMSG;
	memcpy(ret, buf + eh->e_shoff + i * sizeof(*ret), sizeof(*ret));
	if (ret->sh_type != SHT_NOBITS &&
	    (ret->sh_offset > len || ret->sh_size > len - ret->sh_offset))
		return -EBADMSG;
	return 0;
}

void modinfo_add(struct modinfo *ret, const char *kv, size_t n)
{
	if (n == strlen("livepatch=Y") && memcmp(kv, "livepatch=Y", n) == 0)
		ret->livepatch = true;
	else if (n > 5 && memcmp(kv, "name=", 5) == 0)
		snprintf(ret->name, sizeof(ret->name), "%.*s", (int)(n - 5), kv + 5);
	else if (n > 9 && memcmp(kv, "vermagic=", 9) == 0)
		snprintf(ret->vermagic, sizeof(ret->vermagic), "%.*s", (int)(n - 9), kv + 9);
}

int modinfo_parse(const void *data, size_t len, struct modinfo *ret)
{
	const uint8_t *buf = data;
	Elf64_Shdr strtab, sh;
	Elf64_Ehdr eh;

	*ret = (struct modinfo){};
	if (len < sizeof(eh))
		return -EBADMSG;
	memcpy(&eh, buf, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != NATIVE_ELFDATA || eh.e_type != ET_REL ||
	    eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shoff > len ||
	    eh.e_shnum > (len - eh.e_shoff) / sizeof(Elf64_Shdr))
		return -EBADMSG;
	if (section(buf, len, &eh, eh.e_shstrndx, &strtab) < 0 || strtab.sh_type != SHT_STRTAB)
		return -EBADMSG;

	for (size_t i = 0; i < eh.e_shnum; i++) {
		const char *names = (const char *)buf + strtab.sh_offset;
		const char *p;
		size_t off, end;

		if (section(buf, len, &eh, i, &sh) < 0)
			return -EBADMSG;
		if (sh.sh_name >= strtab.sh_size ||
		    !memchr(names + sh.sh_name, '\0', strtab.sh_size - sh.sh_name) ||
		    !streq(names + sh.sh_name, ".modinfo") || sh.sh_type == SHT_NOBITS)
			continue;
		p = (const char *)buf + sh.sh_offset;
		for (off = 0; off < sh.sh_size; off = end + 1) {
			const char *nul = memchr(p + off, '\0', sh.sh_size - off);

			end = nul ? (size_t)(nul - p) : sh.sh_size;
			if (end > off)
				modinfo_add(ret, p + off, end - off);
		}
		return 0;
	}
	return -EBADMSG;
}

int modinfo_module_name(const struct modinfo *mi, const char *path,
			char raw[static KLP_MODULE_NAME_MAX], char ret[static KLP_MODULE_NAME_MAX])
{
	if (*mi->name)
		snprintf(raw, KLP_MODULE_NAME_MAX, "%s", mi->name);
	else if (module_name_from_path(path, raw) < 0)
		raw[0] = '\0';
	return module_name_normalize(raw, ret);
}

bool modinfo_vermagic_matches(const char *vermagic, const char *release)
{
	size_t n = strlen(release);

	return n > 0 && strncmp(vermagic, release, n) == 0 &&
	       (vermagic[n] == ' ' || vermagic[n] == '\0');
}
