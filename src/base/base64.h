/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Base64 (RFC 4648 §4, with padding), as SMTP AUTH carries SASL data
 * (RFC 4954): no line breaks, no blanks. */
#ifndef RELAYMAIL_BASE_BASE64_H
#define RELAYMAIL_BASE_BASE64_H

#include <stddef.h>

/* Length of the encoding of n bytes, without the terminating NUL. */
size_t base64_encoded_len(size_t n);
/* Encode n bytes of in into out, which has base64_encoded_len(n) + 1
 * bytes; out is NUL-terminated. */
void base64_encode(const void *in, size_t n, char *out);
/* Decode len characters of in into out (room for len / 4 * 3 bytes):
 * the number of bytes, or -1 when in is not canonical base64 (a length
 * that is not a multiple of four, a character outside the alphabet, or
 * padding anywhere but at the end). Bits under the padding are ignored,
 * as GNU SASL's decoder ignores them. */
long base64_decode(const char *in, size_t len, unsigned char *out);

#endif
