/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the fake SMTP server accepts as a correct SASL exchange, written
 * from the RFCs (4616 PLAIN, 2195 CRAM-MD5, 7628 OAUTHBEARER) and Google's
 * XOAUTH2 description, so that the client is tested against the
 * specification rather than against itself. */
#include <config.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake/fakesasl.h"

char *fakesasl_decode(const char *b64, size_t len, size_t *outlen)
{
	gnutls_datum_t in = { (unsigned char *)b64, (unsigned)len }, out = { NULL, 0 };
	char *p;

	*outlen = 0;
	if (len == 0)
		return calloc(1, 1);
	if (gnutls_base64_decode2(&in, &out) < 0)
		return NULL;
	p = malloc(out.size + 1);
	if (p != NULL) {
		memcpy(p, out.data, out.size);
		p[out.size] = '\0';
		*outlen = out.size;
	}
	gnutls_free(out.data);
	return p;
}

char *fakesasl_encode(const void *p, size_t len)
{
	gnutls_datum_t in = { (unsigned char *)p, (unsigned)len }, out = { NULL, 0 };
	char *s;

	if (len == 0)
		return calloc(1, 1);
	if (gnutls_base64_encode2(&in, &out) < 0)
		return NULL;
	s = malloc(out.size + 1);
	if (s != NULL) {
		memcpy(s, out.data, out.size);
		s[out.size] = '\0';
	}
	gnutls_free(out.data);
	return s;
}

static bool same(const char *p, size_t len, const char *want)
{
	return len == strlen(want) && memcmp(p, want, len) == 0;
}

static bool check_plain(const char *r, size_t len, const char *user, const char *secret)
{
	const char *nul1 = memchr(r, '\0', len), *nul2;

	if (nul1 == NULL)
		return false;
	nul2 = memchr(nul1 + 1, '\0', len - (size_t)(nul1 + 1 - r));
	if (nul2 == NULL)
		return false;
	if (nul1 != r && !same(r, (size_t)(nul1 - r), user))
		return false;
	return same(nul1 + 1, (size_t)(nul2 - nul1 - 1), user) &&
	       same(nul2 + 1, len - (size_t)(nul2 + 1 - r), secret);
}

static bool check_cram(const char *challenge, const char *r, size_t len, const char *user,
		       const char *secret)
{
	unsigned char mac[16];
	char hex[33];
	const char *sp = memchr(r, ' ', len);

	if (sp == NULL || !same(r, (size_t)(sp - r), user))
		return false;
	if (gnutls_hmac_fast(GNUTLS_MAC_MD5, secret, strlen(secret), challenge, strlen(challenge),
			     mac) < 0)
		return false;
	for (size_t i = 0; i < sizeof(mac); i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	return same(sp + 1, len - (size_t)(sp + 1 - r), hex);
}

/* The value of key=... among \1-separated fields of r, or NULL. */
static const char *field(const char *r, size_t len, const char *key, size_t *vlen)
{
	size_t klen = strlen(key);
	const char *p = r, *end = r + len;

	while (p < end) {
		const char *sep = memchr(p, '\1', (size_t)(end - p));
		const char *stop = sep != NULL ? sep : end;

		if ((size_t)(stop - p) >= klen && memcmp(p, key, klen) == 0) {
			*vlen = (size_t)(stop - p) - klen;
			return p + klen;
		}
		p = stop + 1;
	}
	return NULL;
}

static bool check_bearer(const char *r, size_t len, const char *secret)
{
	size_t vlen;
	const char *v = field(r, len, "auth=", &vlen);

	if (len < 2 || r[len - 1] != '\1' || r[len - 2] != '\1')
		return false;
	return v != NULL && vlen > 7 && strncasecmp(v, "Bearer ", 7) == 0 &&
	       same(v + 7, vlen - 7, secret);
}

static bool check_xoauth2(const char *r, size_t len, const char *user, const char *secret)
{
	size_t vlen;
	const char *v = field(r, len, "user=", &vlen);

	return v != NULL && same(v, vlen, user) && check_bearer(r, len, secret);
}

/* RFC 7628 §3.1: gs2-header "n,a=USER," then \1 and key=value pairs. */
static bool check_oauthbearer(const char *r, size_t len, const char *user, const char *secret)
{
	const char *comma;

	if (len < 5 || memcmp(r, "n,a=", 4) != 0)
		return false;
	comma = memchr(r + 4, ',', len - 4);
	if (comma == NULL || !same(r + 4, (size_t)(comma - r - 4), user))
		return false;
	if ((size_t)(comma + 1 - r) >= len || comma[1] != '\1')
		return false;
	return check_bearer(comma + 2, len - (size_t)(comma + 2 - r), secret);
}

bool fakesasl_check(const char *mech, const char *challenge, const char *resp, size_t resplen,
		    const char *resp2, size_t resp2len, const char *user, const char *secret)
{
	if (strcasecmp(mech, "PLAIN") == 0)
		return check_plain(resp, resplen, user, secret);
	if (strcasecmp(mech, "LOGIN") == 0)
		return resp2 != NULL && same(resp, resplen, user) && same(resp2, resp2len, secret);
	if (strcasecmp(mech, "CRAM-MD5") == 0)
		return check_cram(challenge, resp, resplen, user, secret);
	if (strcasecmp(mech, "XOAUTH2") == 0)
		return check_xoauth2(resp, resplen, user, secret);
	if (strcasecmp(mech, "OAUTHBEARER") == 0)
		return check_oauthbearer(resp, resplen, user, secret);
	return false;
}
