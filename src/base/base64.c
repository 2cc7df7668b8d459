/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Base64 for SASL: strict on the way in, since a relay's challenge that is
 * not canonical is a protocol error, not something to guess at. */
#include <config.h>

#include <stdbool.h>

#include "base/base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t base64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

void base64_encode(const void *in, size_t n, char *out)
{
	const unsigned char *p = in;
	size_t i = 0;

	for (; i + 3 <= n; i += 3, p += 3) {
		*out++ = alphabet[p[0] >> 2];
		*out++ = alphabet[((p[0] & 0x03) << 4) | (p[1] >> 4)];
		*out++ = alphabet[((p[1] & 0x0f) << 2) | (p[2] >> 6)];
		*out++ = alphabet[p[2] & 0x3f];
	}
	if (n - i == 1) {
		*out++ = alphabet[p[0] >> 2];
		*out++ = alphabet[(p[0] & 0x03) << 4];
		*out++ = '=';
		*out++ = '=';
	} else if (n - i == 2) {
		*out++ = alphabet[p[0] >> 2];
		*out++ = alphabet[((p[0] & 0x03) << 4) | (p[1] >> 4)];
		*out++ = alphabet[(p[1] & 0x0f) << 2];
		*out++ = '=';
	}
	*out = '\0';
}

/* The six bits of c, or -1. */
static int sextet(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long base64_decode(const char *in, size_t len, unsigned char *out)
{
	long n = 0;

	if (len % 4 != 0)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		bool last = i + 4 == len;
		int pad = last && in[i + 3] == '=' ? (in[i + 2] == '=' ? 2 : 1) : 0;
		int v[4];

		for (int k = 0; k < 4 - pad; k++)
			if ((v[k] = sextet(in[i + k])) < 0)
				return -1;
		out[n++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (pad == 2)
			break;
		out[n++] = (unsigned char)((v[1] & 0x0f) << 4 | v[2] >> 2);
		if (pad == 1)
			break;
		out[n++] = (unsigned char)((v[2] & 0x03) << 6 | v[3]);
	}
	return n;
}
