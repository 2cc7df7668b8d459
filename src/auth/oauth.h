/* SPDX-License-Identifier: GPL-3.0-or-later */
/* XOAUTH2 (Google's and Microsoft's format) and OAUTHBEARER (RFC 7628),
 * the SASL mechanisms libgsasl lacks: the initial client response built
 * from a user name and a bearer token, and the single answer to the
 * error challenge a server sends when it refuses the token. Raw bytes in
 * and out: sasl.c adds the base64. */
#ifndef RELAYMAIL_AUTH_OAUTH_H
#define RELAYMAIL_AUTH_OAUTH_H

#include <stddef.h>

#include "base/error.h"

enum oauth_mech { OAUTH_NONE, OAUTH_XOAUTH2, OAUTH_OAUTHBEARER };

/* Which of the two mech names (any case), OAUTH_NONE for other names. */
enum oauth_mech oauth_mech(const char *name);

struct oauth_params {
	enum oauth_mech mech;
	const char *user;
	const char *token; /* the bearer token: a secret */
	const char *host;  /* OAUTHBEARER host=; NULL or "": left out */
	unsigned port;	   /* OAUTHBEARER port=; 0: left out */
};

struct oauth;

/* A client for p. user, token and host must not hold control characters
 * (they would break the fields): ERROR_AUTH naming the field, never its
 * value. ERROR_INTERNAL when out of memory. */
struct oauth *oauth_new(const struct oauth_params *p, struct error *err);
/* The first call (challenge NULL) gives the initial response:
 *   XOAUTH2      "user=U\1auth=Bearer T\1\1"
 *   OAUTHBEARER  "n,a=U,\1host=H\1port=P\1auth=Bearer T\1\1"
 * (RFC 7628 §3.1; "," and "=" in U become "=2C" and "=3D"). A challenge
 * after it is the server's error (a JSON object, RFC 7628 §3.2.2): the
 * answer is "" for XOAUTH2 and "\1" for OAUTHBEARER, which makes the server
 * end the exchange with its failure reply, and the JSON is kept for
 * oauth_failure. A second challenge is ERROR_AUTH quoting the first. *out
 * points into s (a secret) and stays valid until the next call. */
int oauth_step(struct oauth *s, const char *challenge, size_t len, const char **out, size_t *outlen,
	       struct error *err);
/* The server's error challenge made printable, "" when there was none. */
const char *oauth_failure(const struct oauth *s);
/* Wipes the response; oauth_free(NULL) is harmless. */
void oauth_free(struct oauth *s);

#endif
