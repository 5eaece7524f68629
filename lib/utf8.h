/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Text from the kernel or from other users (task names, stack frames, file
 * names) is arbitrary bytes, but D-Bus strings, JSON and the journal's
 * fields must be valid UTF-8, and a terminal must not receive control
 * characters it would act on. So such text is escaped once, where it is
 * read: every byte that does not start a valid UTF-8 character, and every
 * control character (C0, DEL, C1), becomes the four characters "\xHH" (a
 * C1 character, two bytes, becomes two of them). Everything else, the
 * backslash included, is kept as it is: escaping escaped text changes
 * nothing. */

/* The longest an escape of N bytes can be, without the NUL. */
#define UTF8_ESCAPED_MAX(n) ((n) * 4)

/* The length of the valid UTF-8 character at S, of the at most N bytes
 * there: 1..4, or 0 when none starts at S (a stray continuation byte, an
 * overlong form, a surrogate, a value above U+10FFFF, or a sequence that N
 * cuts short). */
size_t utf8_char_len(const char *s, size_t n);

/* Whether the N bytes at S are valid UTF-8 without control characters:
 * what utf8_escape() would copy unchanged. */
bool utf8_is_clean(const char *s, size_t n);

/* Write the escape of the N bytes at SRC to DST, NUL-terminated, SIZE >= 1.
 * Nothing is cut in the middle: when DST is too small, the text ends with
 * the last whole character or escape that fits. Returns false when some of
 * SRC did not fit. */
bool utf8_escape(char *dst, size_t size, const char *src, size_t n);

/* The escape of the string S in new memory; NULL when out of memory. */
char *utf8_escape_dup(const char *s);
