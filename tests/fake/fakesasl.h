/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The server side of the SASL mechanisms the fake SMTP server checks:
 * base64 helpers and a verdict on what a client sent. No I/O: the server
 * sends the challenges and hands the responses in. */
#ifndef RELAYMAIL_TESTS_FAKESASL_H
#define RELAYMAIL_TESTS_FAKESASL_H

#include <stdbool.h>
#include <stddef.h>

/* Decode base64 text of len bytes into a malloc'd NUL-terminated buffer
 * (*outlen bytes without the NUL). NULL when it is not base64. */
char *fakesasl_decode(const char *b64, size_t len, size_t *outlen);
/* Encode len bytes as malloc'd base64 text; NULL when out of memory. */
char *fakesasl_encode(const void *p, size_t len);

/* Does the decoded response of mech carry user and secret?
 * PLAIN: "[authzid]\0user\0secret" (authzid empty or user);
 * LOGIN: resp = user, resp2 = secret;
 * CRAM-MD5: "user HEX(HMAC-MD5(secret, challenge))";
 * XOAUTH2: "user=USER\1auth=Bearer SECRET\1\1";
 * OAUTHBEARER: "n,a=USER,\1...auth=Bearer SECRET\1...\1" (RFC 7628). */
bool fakesasl_check(const char *mech, const char *challenge, const char *resp, size_t resplen,
		    const char *resp2, size_t resp2len, const char *user, const char *secret);

#endif
