/* SPDX-License-Identifier: GPL-2.0-or-later */
/* modinfo_parse() on any file klpd's Load or klpctl install could be given:
 * it reads the ELF section headers and .modinfo of a module file that klpd
 * has mapped whole, so every offset in it is an attacker's number.
 * fuzz-sources: lib/modinfo.c lib/names.c */
#include <elf.h>

#include "fuzz-util.h"
#include "modinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char raw[KLP_MODULE_NAME_MAX], name[KLP_MODULE_NAME_MAX];
	struct modinfo mi;
	uint8_t *copy;
	int r;

	/* An exact-size copy: ASan then sees any read past the file's end. */
	copy = malloc(size ? size : 1);
	fuzz_assert(copy);
	memcpy(copy, data, size);
	r = modinfo_parse(copy, size, &mi);
	free(copy);
	if (r < 0) {
		fuzz_assert(r == -EBADMSG);
		fuzz_assert(!mi.livepatch && !*mi.name && !*mi.vermagic);
		return 0;
	}
	fuzz_assert(r == 0);
	fuzz_assert(size >= sizeof(Elf64_Ehdr) && memcmp(data, ELFMAG, SELFMAG) == 0);
	fuzz_assert(memchr(mi.name, '\0', sizeof(mi.name)));
	fuzz_assert(memchr(mi.vermagic, '\0', sizeof(mi.vermagic)));
	/* What was taken is in the file: a key=value string of it. */
	if (mi.livepatch)
		fuzz_assert(memmem(data, size, "livepatch=Y", 11));
	if (*mi.name)
		fuzz_assert(memmem(data, size, mi.name, strlen(mi.name)));
	if (modinfo_module_name(&mi, "/p/x.ko", raw, name) == 0)
		fuzz_assert(strlen(name) == strlen(raw) && *name);
	(void)modinfo_vermagic_matches(mi.vermagic, "6.1.0-56-amd64");
	return 0;
}
