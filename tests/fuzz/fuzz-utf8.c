/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Escaping text from the kernel and from other users (lib/utf8.h), and the
 * messages of failed actions built from it (daemon/action-result.c),
 * against a plain reading of RFC 3629. The first byte of the input is the
 * size of the output buffer; the rest is the text.
 * fuzz-sources: lib/utf8.c daemon/action-result.c */
#include "action-result.h"
#include "fuzz-util.h"
#include "utf8.h"

/* RFC 3629's table of well-formed sequences, one range per byte. */
static size_t ref_char(const unsigned char *s, size_t n)
{
	static const struct {
		unsigned char lo[4], hi[4];
		size_t len;
	} forms[] = {
		{ { 0x00 }, { 0x7f }, 1 },
		{ { 0xc2, 0x80 }, { 0xdf, 0xbf }, 2 },
		{ { 0xe0, 0xa0, 0x80 }, { 0xe0, 0xbf, 0xbf }, 3 },
		{ { 0xe1, 0x80, 0x80 }, { 0xec, 0xbf, 0xbf }, 3 },
		{ { 0xed, 0x80, 0x80 }, { 0xed, 0x9f, 0xbf }, 3 },
		{ { 0xee, 0x80, 0x80 }, { 0xef, 0xbf, 0xbf }, 3 },
		{ { 0xf0, 0x90, 0x80, 0x80 }, { 0xf0, 0xbf, 0xbf, 0xbf }, 4 },
		{ { 0xf1, 0x80, 0x80, 0x80 }, { 0xf3, 0xbf, 0xbf, 0xbf }, 4 },
		{ { 0xf4, 0x80, 0x80, 0x80 }, { 0xf4, 0x8f, 0xbf, 0xbf }, 4 },
	};

	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		size_t k;

		if (n < forms[f].len)
			continue;
		for (k = 0; k < forms[f].len; k++)
			if (s[k] < forms[f].lo[k] || s[k] > forms[f].hi[k])
				break;
		if (k == forms[f].len)
			return forms[f].len;
	}
	return 0;
}

/* Valid UTF-8, and no C0, DEL or C1 character in it. */
static bool ref_clean(const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = strlen(text);

	for (size_t i = 0, len; i < n; i += len) {
		len = ref_char(s + i, n - i);
		if (len == 0 || s[i] < 0x20 || s[i] == 0x7f || (s[i] == 0xc2 && s[i + 1] < 0xa0))
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char full[UTF8_ESCAPED_MAX(4096) + 1], again[UTF8_ESCAPED_MAX(4096) + 1];
	char *small, *dup;
	size_t n, bufsize;
	bool fit;

	if (size < 1 || size > 4097)
		return 0;
	bufsize = data[0] + 1u;
	n = size - 1;

	for (size_t i = 0; i < n; i++)
		fuzz_assert(utf8_char_len((const char *)data + 1 + i, n - i) ==
			    ref_char(data + 1 + i, n - i));

	fuzz_assert(utf8_escape(full, sizeof(full), (const char *)data + 1, n));
	fuzz_assert(ref_clean(full));
	fuzz_assert(utf8_is_clean(full, strlen(full)));
	fuzz_assert(strlen(full) <= UTF8_ESCAPED_MAX(n));
	/* clean text is kept as it is, and only clean text */
	fuzz_assert(utf8_is_clean((const char *)data + 1, n) ==
		    (strlen(full) == n && memcmp(full, data + 1, n) == 0));
	/* escaping escaped text changes nothing */
	fuzz_assert(utf8_escape(again, sizeof(again), full, strlen(full)));
	fuzz_assert(strcmp(again, full) == 0);

	/* a short buffer gets a prefix that ends between two characters or
	 * escapes: the next one would not have fit */
	small = fuzz_malloc(bufsize);
	fit = utf8_escape(small, bufsize, (const char *)data + 1, n);
	fuzz_assert(strlen(small) < bufsize);
	fuzz_assert(strncmp(full, small, strlen(small)) == 0);
	fuzz_assert(fit == (strcmp(full, small) == 0));
	fuzz_assert(ref_clean(small));
	if (!fit) {
		const char *rest = full + strlen(small);
		size_t next = rest[0] == '\\' && rest[1] == 'x' ? 4 : ref_char((const unsigned char *)rest, strlen(rest));

		fuzz_assert(next > 0 && strlen(small) + next >= bufsize);
	}
	free(small);

	dup = fuzz_strndup(data + 1, n);
	small = utf8_escape_dup(dup);
	fuzz_assert(small);
	fuzz_assert(ref_clean(small));
	free(small);

	/* A failed action's message, whatever the input, is clean and whole. */
	{
		struct action_result res = {};

		action_fail(&res, ACTION_ERROR_BAD_SOURCE, -ENOENT, "Cannot use '%s': %s", dup,
			    "No such file");
		fuzz_assert(ref_clean(res.message));
		fuzz_assert(strlen(res.message) < sizeof(res.message));
	}
	free(dup);
	return 0;
}
