/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fingerprints as people write them in configuration (Postfix 3.6+:
 * colons between byte pairs optional, any case) and as we print them in
 * errors (upper case, colons), plus the list joining those errors use. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "base/i18n.h"
#include "net/certtext.h"

static int hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* The byte count, or -1 on a syntax error or more than max bytes. */
static int parse(const char *s, unsigned char *out, size_t max)
{
	size_t n = 0;

	while (*s != '\0') {
		int hi, lo;

		if (*s == ':') {
			s++;
			continue;
		}
		hi = hex_value(s[0]);
		lo = hi < 0 ? -1 : hex_value(s[1]);
		if (lo < 0 || n == max)
			return -1;
		out[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	return (int)n;
}

int certtext_check_fingerprints(const char *const *fps, size_t n, size_t len, const char *digest,
				struct error *err)
{
	unsigned char buf[CERTTEXT_MAX_DIGEST];

	if (n == 0) {
		error_set(err, ERROR_CONFIG,
			  _("fingerprint verification needs at least one certificate fingerprint"));
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (parse(fps[i], buf, sizeof(buf)) != (int)len) {
			error_set(err, ERROR_CONFIG,
				  _("invalid certificate fingerprint %s: not %zu hex-encoded bytes "
				    "of a %s digest"),
				  fps[i], len, digest);
			return -1;
		}
	}
	return 0;
}

bool certtext_fingerprint_match(const char *const *fps, size_t n, const unsigned char *a,
				const unsigned char *b, size_t len)
{
	unsigned char want[CERTTEXT_MAX_DIGEST];

	for (size_t i = 0; i < n; i++) {
		if (parse(fps[i], want, sizeof(want)) == (int)len &&
		    (memcmp(want, a, len) == 0 || memcmp(want, b, len) == 0))
			return true;
	}
	return false;
}

void certtext_format_digest(const unsigned char *d, size_t len, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	if (size == 0)
		return;
	for (size_t i = 0; i < len && o + 3 < size; i++) {
		if (i > 0)
			out[o++] = ':';
		out[o++] = hex[d[i] >> 4];
		out[o++] = hex[d[i] & 15];
	}
	out[o] = '\0';
}

void certtext_join(char *out, size_t size, const char *const *items, size_t n)
{
	size_t len = 0;

	if (size == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < n && len + 1 < size; i++) {
		snprintf(out + len, size - len, "%s%s", i > 0 ? ", " : "", items[i]);
		len = strlen(out);
	}
}
