/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/fuzz/elf-seed IN OUT: the smallest module file modinfo_parse()
 * takes, from a text file of "key=value" lines: an x86-64 ELF64 relocatable
 * object with only .shstrtab and a .modinfo section that holds those lines,
 * each ended by a NUL as the kernel's modpost writes them. tests/fuzz/run
 * makes the fuzz-modinfo seeds with it, so that the source tree holds no
 * binary without its source. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char shstrtab[] = "\0.shstrtab\0.modinfo"; /* and its own NUL */

int main(int argc, char **argv)
{
	char modinfo[4096], line[1024];
	size_t n = 0, off_modinfo, off_shdr;
	FILE *in, *out;

	if (argc != 3) {
		fprintf(stderr, "usage: %s IN OUT\n", argv[0]);
		return 2;
	}
	in = fopen(argv[1], "re");
	if (!in) {
		perror(argv[1]);
		return 1;
	}
	while (fgets(line, sizeof(line), in)) {
		size_t len = strcspn(line, "\n");

		if (len == 0)
			continue;
		if (n + len + 1 > sizeof(modinfo)) {
			fprintf(stderr, "%s: too long\n", argv[1]);
			return 1;
		}
		memcpy(modinfo + n, line, len);
		modinfo[n + len] = '\0';
		n += len + 1;
	}
	fclose(in);

	off_modinfo = sizeof(Elf64_Ehdr) + sizeof(shstrtab);
	off_shdr = (off_modinfo + n + 7) & ~(size_t)7;
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_REL,
		.e_machine = EM_X86_64,
		.e_version = EV_CURRENT,
		.e_shoff = off_shdr,
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_shentsize = sizeof(Elf64_Shdr),
		.e_shnum = 3,
		.e_shstrndx = 1,
	};
	Elf64_Shdr sh[3] = {
		[1] = { .sh_name = 1, .sh_type = SHT_STRTAB, .sh_offset = sizeof(Elf64_Ehdr),
			.sh_size = sizeof(shstrtab), .sh_addralign = 1 },
		[2] = { .sh_name = 11, .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC,
			.sh_offset = off_modinfo, .sh_size = n, .sh_addralign = 1 },
	};
	static const char zeros[8];

	/* The host's byte order is the file's: the seeds are for x86-64. */
	out = fopen(argv[2], "we");
	if (!out) {
		perror(argv[2]);
		return 1;
	}
	fwrite(&eh, sizeof(eh), 1, out);
	fwrite(shstrtab, sizeof(shstrtab), 1, out);
	fwrite(modinfo, 1, n, out);
	fwrite(zeros, 1, off_shdr - off_modinfo - n, out);
	fwrite(sh, sizeof(sh), 1, out);
	if (fclose(out) != 0) {
		perror(argv[2]);
		return 1;
	}
	return 0;
}
