/* SPDX-License-Identifier: GPL-2.0-or-later */
/* klpd's and klpctl install's look at a module file: the .modinfo of an ELF object,
 * built here in memory, and every way such a file can be cut or bent. */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "macro.h"
#include "modinfo.h"

static const char shstrtab[] = "\0.shstrtab\0.modinfo\0.text";

/* An ELF64 relocatable object: header, .shstrtab, .modinfo (MODINFO, LEN
 * bytes), then the section headers (null, .shstrtab, .modinfo). */
static size_t build(uint8_t *buf, size_t size, const char *modinfo, size_t len)
{
	Elf64_Ehdr eh = {};
	Elf64_Shdr sh[3] = {};
	size_t off = sizeof(eh);

	assert_true(sizeof(eh) + sizeof(shstrtab) + len + sizeof(sh) <= size);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
#else
	eh.e_ident[EI_DATA] = ELFDATA2MSB;
#endif
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_REL;
	eh.e_ehsize = sizeof(eh);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = 3;
	eh.e_shstrndx = 1;

	sh[1] = (Elf64_Shdr){ .sh_name = 1, .sh_type = SHT_STRTAB, .sh_offset = off,
			      .sh_size = sizeof(shstrtab) };
	memcpy(buf + off, shstrtab, sizeof(shstrtab));
	off += sizeof(shstrtab);
	sh[2] = (Elf64_Shdr){ .sh_name = 11, .sh_type = SHT_PROGBITS, .sh_offset = off,
			      .sh_size = len };
	memcpy(buf + off, modinfo, len);
	off += len;
	eh.e_shoff = off;
	memcpy(buf + off, sh, sizeof(sh));
	off += sizeof(sh);
	memcpy(buf, &eh, sizeof(eh));
	return off;
}

#define MODINFO(s) s, sizeof(s) /* with the final NUL */

static void test_parse(void **state)
{
	static uint8_t buf[4096];
	struct modinfo mi;
	size_t n;

	n = build(buf, sizeof(buf),
		  MODINFO("license=GPL\0livepatch=Y\0name=klpt_cmdline\0"
			  "vermagic=6.1.0-56-amd64 SMP preempt mod_unload modversions "));
	assert_int_equal(modinfo_parse(buf, n, &mi), 0);
	assert_true(mi.livepatch);
	assert_string_equal(mi.name, "klpt_cmdline");
	assert_string_equal(mi.vermagic, "6.1.0-56-amd64 SMP preempt mod_unload modversions ");

	/* livepatch=N, livepatch=YES, a key that only starts alike: no */
	n = build(buf, sizeof(buf), MODINFO("livepatch=N\0livepatch=YES\0xlivepatch=Y\0"));
	assert_int_equal(modinfo_parse(buf, n, &mi), 0);
	assert_false(mi.livepatch);
	assert_string_equal(mi.name, "");

	/* empty strings between, and a last string without its NUL */
	n = build(buf, sizeof(buf), "\0\0name=a\0\0livepatch=Y", strlen("..name=a..livepatch=Y"));
	assert_int_equal(modinfo_parse(buf, n, &mi), 0);
	assert_true(mi.livepatch);
	assert_string_equal(mi.name, "a");

	/* an empty .modinfo is still one */
	n = build(buf, sizeof(buf), "", 0);
	assert_int_equal(modinfo_parse(buf, n, &mi), 0);
	assert_false(mi.livepatch);
}

static void test_refused(void **state)
{
	static uint8_t buf[4096], bad[4096];
	struct modinfo mi;
	Elf64_Ehdr eh;
	Elf64_Shdr sh;
	size_t n;

	n = build(buf, sizeof(buf), MODINFO("livepatch=Y\0name=x\0"));
	assert_int_equal(modinfo_parse("", 0, &mi), -EBADMSG);
	assert_int_equal(modinfo_parse("#!/bin/sh\n", 10, &mi), -EBADMSG);

	/* every cut: refused or parsed, never read beyond */
	for (size_t l = 0; l < n; l++) {
		uint8_t *cut = malloc(l ? l : 1);

		memcpy(cut, buf, l);
		assert_int_equal(modinfo_parse(cut, l, &mi), -EBADMSG);
		free(cut);
	}

#define BENT(field, value)                                           \
	do {                                                         \
		memcpy(bad, buf, n);                                 \
		memcpy(&eh, bad, sizeof(eh));                        \
		eh.field = (value);                                  \
		memcpy(bad, &eh, sizeof(eh));                        \
		assert_int_equal(modinfo_parse(bad, n, &mi), -EBADMSG); \
	} while (0)
	BENT(e_ident[EI_CLASS], ELFCLASS32);
	BENT(e_ident[EI_MAG1], 'X');
	BENT(e_type, ET_EXEC);
	BENT(e_shentsize, 32);
	BENT(e_shoff, n);
	BENT(e_shoff, UINT64_MAX);
	BENT(e_shnum, 0xffff);
	BENT(e_shstrndx, 3);
	BENT(e_shstrndx, 2); /* .modinfo is no string table */
	BENT(e_shstrndx, 0);
#undef BENT

	/* .modinfo reaching past the end of the file */
	memcpy(&eh, buf, sizeof(eh));
	memcpy(bad, buf, n);
	memcpy(&sh, bad + eh.e_shoff + 2 * sizeof(sh), sizeof(sh));
	sh.sh_size = UINT64_MAX - 8;
	memcpy(bad + eh.e_shoff + 2 * sizeof(sh), &sh, sizeof(sh));
	assert_int_equal(modinfo_parse(bad, n, &mi), -EBADMSG);
	/* its name outside the string table: then there is no .modinfo */
	memcpy(bad, buf, n);
	sh.sh_size = 4;
	sh.sh_name = 4000;
	memcpy(bad + eh.e_shoff + 2 * sizeof(sh), &sh, sizeof(sh));
	assert_int_equal(modinfo_parse(bad, n, &mi), -EBADMSG);
	/* another name: no .modinfo either */
	memcpy(bad, buf, n);
	sh.sh_name = 20;
	memcpy(bad + eh.e_shoff + 2 * sizeof(sh), &sh, sizeof(sh));
	assert_int_equal(modinfo_parse(bad, n, &mi), -EBADMSG);
}

static void test_vermagic(void **state)
{
	assert_true(modinfo_vermagic_matches("6.1.0-56-amd64 SMP preempt", "6.1.0-56-amd64"));
	assert_true(modinfo_vermagic_matches("6.1.0-56-amd64", "6.1.0-56-amd64"));
	assert_false(modinfo_vermagic_matches("6.1.0-56-amd64-rt SMP", "6.1.0-56-amd64"));
	assert_false(modinfo_vermagic_matches("6.1.0-5 SMP", "6.1.0-56-amd64"));
	assert_false(modinfo_vermagic_matches("", "6.1.0-56-amd64"));
	assert_false(modinfo_vermagic_matches("SMP", ""));
}

static void test_module_name(void **state)
{
	char raw[KLP_MODULE_NAME_MAX], name[KLP_MODULE_NAME_MAX];
	struct modinfo mi = { .name = "cve-2026-1" };

	/* name= wins over the file name, and is normalized */
	assert_int_equal(modinfo_module_name(&mi, "/p/other.ko", raw, name), 0);
	assert_string_equal(raw, "cve-2026-1");
	assert_string_equal(name, "cve_2026_1");
	/* without name=, the file's name, compressed or not */
	mi.name[0] = '\0';
	assert_int_equal(modinfo_module_name(&mi, "/p/klpt-x.ko.xz", raw, name), 0);
	assert_string_equal(name, "klpt_x");
	assert_int_equal(modinfo_module_name(&mi, "/proc/self/fd/7", raw, name), -EINVAL);
	assert_string_equal(raw, "");
	snprintf(mi.name, sizeof(mi.name), "bad.name");
	assert_int_equal(modinfo_module_name(&mi, "/p/good.ko", raw, name), -EINVAL);
	assert_string_equal(raw, "bad.name");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_vermagic),
		cmocka_unit_test(test_module_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
