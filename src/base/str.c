/* SPDX-License-Identifier: GPL-3.0-or-later */
/* String helpers: ASCII-only case handling (protocol and configuration
 * keywords are ASCII), and the one routine that makes foreign text safe to
 * print. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"

char *str_dup(const char *s)
{
	return str_ndup(s, strlen(s));
}

char *str_ndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

char *str_lower(char *s)
{
	for (char *p = s; *p != '\0'; p++)
		*p = (char)lower((unsigned char)*p);
	return s;
}

bool str_eq_ci(const char *a, const char *b)
{
	while (*a != '\0' && lower((unsigned char)*a) == lower((unsigned char)*b)) {
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

bool str_prefix_ci(const char *s, const char *prefix)
{
	while (*prefix != '\0') {
		if (lower((unsigned char)*s) != lower((unsigned char)*prefix))
			return false;
		s++;
		prefix++;
	}
	return true;
}

const char *str_skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

size_t str_trim_len(const char *s, size_t len)
{
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' ||
			   s[len - 1] == '\n'))
		len--;
	return len;
}

/* Length of a valid UTF-8 sequence starting at p (at most n bytes), or 0. */
/* Length of the UTF-8 sequence at p (n bytes left), or 0 when it is not
 * one: RFC 3629's table, so no overlong forms, no surrogates, nothing
 * past U+10FFFF (what Postfix's valid_utf8_string accepts). */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		need = 2;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		need = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (need > n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < need; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return need;
}

bool str_is_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0, u; i < len; i += u)
		if ((u = p[i] < 0x80 ? 1 : utf8_len(p + i, len - i)) == 0)
			return false;
	return true;
}

void str_printable(char *dst, size_t dstsize, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, i = 0;

	if (dstsize == 0)
		return;
	while (i < len && o + 1 < dstsize) {
		size_t u;

		if (p[i] >= 0x20 && p[i] < 0x7f) {
			dst[o++] = (char)p[i++];
		} else if (p[i] >= 0x80 && (u = utf8_len(p + i, len - i)) > 0) {
			if (o + u >= dstsize)
				break;
			memcpy(dst + o, p + i, u);
			o += u;
			i += u;
		} else {
			dst[o++] = '?';
			i++;
		}
	}
	dst[o] = '\0';
}

void str_wipe(void *p, size_t n)
{
#ifdef HAVE_EXPLICIT_BZERO
	explicit_bzero(p, n);
#else
	volatile unsigned char *v = p;

	while (n-- > 0)
		*v++ = 0;
#endif
}

int str_to_ulong(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if ((unsigned long)(*s - '0') > max || v > (max - (unsigned long)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return 0;
}

bool str_has_crlfnul(const char *s, size_t len)
{
	return memchr(s, '\r', len) != NULL || memchr(s, '\n', len) != NULL ||
	       memchr(s, '\0', len) != NULL;
}
