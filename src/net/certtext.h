/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Text forms for certificate checks, free of any TLS library so that
 * they can be tested and fuzzed alone: configured fingerprints parsed
 * and matched, digests and name lists formatted for messages. Used by
 * the TLS adapter only. */
#ifndef RELAYMAIL_NET_CERTTEXT_H
#define RELAYMAIL_NET_CERTTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

#define CERTTEXT_MAX_DIGEST 64 /* SHA-512 */

/* Every fingerprint (hex byte pairs, colons optional, any case) must hold
 * exactly len bytes; ERROR_CONFIG naming the first that does not, or when
 * there is none at all. digest names the digest in that message. */
int certtext_check_fingerprints(const char *const *fps, size_t n, size_t len, const char *digest,
				struct error *err);
/* True when one of the fingerprints equals digest a or digest b (len
 * bytes each). */
bool certtext_fingerprint_match(const char *const *fps, size_t n, const unsigned char *a,
				const unsigned char *b, size_t len);
/* "AB:CD:..." into out (always terminated, truncated to size). */
void certtext_format_digest(const unsigned char *d, size_t len, char *out, size_t size);
/* items joined with ", " into out (always terminated, truncated to size). */
void certtext_join(char *out, size_t size, const char *const *items, size_t n);

#endif
