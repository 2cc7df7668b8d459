/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Small string helpers shared by every layer. */
#ifndef RELAYMAIL_BASE_STR_H
#define RELAYMAIL_BASE_STR_H

#include <stdbool.h>
#include <stddef.h>

/* strndup/strdup that return NULL only when out of memory. */
char *str_dup(const char *s);
char *str_ndup(const char *s, size_t n);
/* ASCII case folding in place; returns s. */
char *str_lower(char *s);
bool str_eq_ci(const char *a, const char *b);
bool str_prefix_ci(const char *s, const char *prefix);
/* Pointer past leading blanks; length without trailing blanks. */
const char *str_skip_space(const char *s);
size_t str_trim_len(const char *s, size_t len);
/* Copy at most len bytes of s into dst (size dstsize, always terminated),
 * replacing control characters and bytes >= 0x7f except valid UTF-8 with
 * '?', so relay text is safe on a terminal. */
void str_printable(char *dst, size_t dstsize, const char *s, size_t len);
/* True when s[0..len) is well-formed UTF-8 (RFC 3629: no overlong forms,
 * no surrogates, nothing past U+10FFFF); ASCII is. */
bool str_is_utf8(const char *s, size_t len);
/* Overwrite n bytes in a way the compiler will not elide. */
void str_wipe(void *p, size_t n);
/* Parse a decimal unsigned number; the whole string must be digits.
 * -1 on syntax error or when above max. */
int str_to_ulong(const char *s, unsigned long max, unsigned long *out);
/* True when s holds CR, LF or NUL within its first len bytes. */
bool str_has_crlfnul(const char *s, size_t len);

#endif
