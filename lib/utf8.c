/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

static bool is_continuation(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

size_t utf8_char_len(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;
	size_t len;

	if (n == 0)
		return 0;
	if (u[0] < 0x80)
		return 1;
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		len = 2;
		cp = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		len = 3;
		cp = u[0] & 0x0f;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		len = 4;
		cp = u[0] & 0x07;
	} else
		return 0; /* a continuation byte, 0xc0/0xc1 (always overlong), 0xf5.. */
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if (!is_continuation(u[i]))
			return 0;
		cp = cp << 6 | (u[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* How many bytes at S are kept as they are: a whole character that is no
 * control character. 0: escape the byte at S. */
static size_t clean_len(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = utf8_char_len(s, n);

	if (len == 1 && (u[0] < 0x20 || u[0] == 0x7f))
		return 0; /* C0, DEL */
	if (len == 2 && u[0] == 0xc2 && u[1] <= 0x9f)
		return 0; /* C1: U+0080..U+009F */
	return len;
}

bool utf8_is_clean(const char *s, size_t n)
{
	for (size_t i = 0, len; i < n; i += len)
		if ((len = clean_len(s + i, n - i)) == 0)
			return false;
	return true;
}

bool utf8_escape(char *dst, size_t size, const char *src, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, o = 0;

	while (i < n) {
		size_t len = clean_len(src + i, n - i);

		if (len > 0) {
			if (o + len >= size)
				break;
			memcpy(dst + o, src + i, len);
			o += len;
			i += len;
		} else {
			unsigned char c = (unsigned char)src[i];

			if (o + 4 >= size)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 0xf];
			i++;
		}
	}
	dst[o] = '\0';
	return i == n;
}

char *utf8_escape_dup(const char *s)
{
	size_t n = strlen(s), size = UTF8_ESCAPED_MAX(n) + 1;
	char *buf = malloc(size);

	if (!buf)
		return NULL;
	utf8_escape(buf, size, s, n);
	return buf;
}
