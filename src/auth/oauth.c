/* SPDX-License-Identifier: GPL-3.0-or-later */
/* OAuth 2.0 bearer tokens over SASL. XOAUTH2 is Google's format (also
 * Microsoft's): "user=" U ^A "auth=Bearer " T ^A ^A. OAUTHBEARER is RFC
 * 7628: a GS2 header without channel binding naming the user, then
 * host, port and auth key-value pairs, each ended by ^A, and a final ^A.
 * On refusal the server sends one challenge, an error JSON object; the
 * client answers it (empty for XOAUTH2, ^A for OAUTHBEARER) and the
 * server then sends its failure reply. */
#include <config.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "auth/oauth.h"
#include "base/buf.h"
#include "base/i18n.h"
#include "base/str.h"

#define KVSEP "\001" /* RFC 7628 §3.1 kvsep */
#define FAILURE_MAX 512

struct oauth {
	enum oauth_mech mech;
	struct buf response; /* the initial response; holds the token */
	unsigned steps;
	char failure[FAILURE_MAX];
};

enum oauth_mech oauth_mech(const char *name)
{
	if (name != NULL && str_eq_ci(name, "XOAUTH2"))
		return OAUTH_XOAUTH2;
	if (name != NULL && str_eq_ci(name, "OAUTHBEARER"))
		return OAUTH_OAUTHBEARER;
	return OAUTH_NONE;
}

static bool has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

/* Usable as a field: present (unless optional) and free of control
 * characters, ^A above all, which would end the field early. */
static bool field_ok(const char *value, bool optional)
{
	if (value == NULL || *value == '\0')
		return optional;
	return !has_control(value);
}

/* Errors name the field and never show its value. */
static int check_fields(const struct oauth_params *p, struct error *err)
{
	if (p->mech == OAUTH_NONE)
		error_set(err, ERROR_INTERNAL, "%s", _("not an OAuth mechanism"));
	else if (!field_ok(p->user, false))
		error_set(err, ERROR_AUTH, "%s",
			  _("OAuth authentication needs a user name without control characters"));
	else if (!field_ok(p->token, false))
		error_set(err, ERROR_AUTH, "%s",
			  _("the OAuth token is empty or holds control characters"));
	else if (!field_ok(p->host, true))
		error_set(err, ERROR_AUTH, "%s",
			  _("the relay's host name for OAuth holds control characters"));
	else
		return 0;
	return -1;
}

/* RFC 5801 §4 saslname: "," and "=" are written "=2C" and "=3D". */
static int append_saslname(struct buf *b, const char *user)
{
	int rc = 0;

	for (const char *p = user; *p != '\0' && rc == 0; p++) {
		if (*p == ',')
			rc = buf_append_str(b, "=2C");
		else if (*p == '=')
			rc = buf_append_str(b, "=3D");
		else
			rc = buf_append_char(b, *p);
	}
	return rc;
}

static int build_xoauth2(struct buf *b, const struct oauth_params *p)
{
	if (buf_append_str(b, "user=") < 0 || buf_append_str(b, p->user) < 0 ||
	    buf_append_str(b, KVSEP "auth=Bearer ") < 0 || buf_append_str(b, p->token) < 0 ||
	    buf_append_str(b, KVSEP KVSEP) < 0)
		return -1;
	return 0;
}

static int build_oauthbearer(struct buf *b, const struct oauth_params *p)
{
	if (buf_append_str(b, "n,a=") < 0 || append_saslname(b, p->user) < 0 ||
	    buf_append_str(b, "," KVSEP) < 0)
		return -1;
	if (p->host != NULL && *p->host != '\0' && buf_printf(b, "host=%s" KVSEP, p->host) < 0)
		return -1;
	if (p->port != 0 && buf_printf(b, "port=%u" KVSEP, p->port) < 0)
		return -1;
	if (buf_append_str(b, "auth=Bearer ") < 0 || buf_append_str(b, p->token) < 0 ||
	    buf_append_str(b, KVSEP KVSEP) < 0)
		return -1;
	return 0;
}

struct oauth *oauth_new(const struct oauth_params *p, struct error *err)
{
	struct oauth *s;
	size_t size;
	int rc;

	if (check_fields(p, err) < 0)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		error_set(err, ERROR_INTERNAL, "%s", _("out of memory"));
		return NULL;
	}
	s->mech = p->mech;
	buf_init(&s->response, 0);
	/* All the room at once: growing would leave copies of the token in
	 * freed memory. Escaping at most triples the user name. */
	size =
	    3 * strlen(p->user) + strlen(p->token) + (p->host != NULL ? strlen(p->host) : 0) + 64;
	rc = buf_reserve(&s->response, size);
	if (rc == 0)
		rc = p->mech == OAUTH_XOAUTH2 ? build_xoauth2(&s->response, p)
					      : build_oauthbearer(&s->response, p);
	if (rc < 0) {
		oauth_free(s);
		error_set(err, ERROR_INTERNAL, "%s", _("out of memory"));
		return NULL;
	}
	return s;
}

int oauth_step(struct oauth *s, const char *challenge, size_t len, const char **out, size_t *outlen,
	       struct error *err)
{
	switch (s->steps++) {
	case 0:
		/* Client first: whatever a server sent before, the answer is
		 * the initial response (RFC 4954 §4: it may ask with an empty
		 * 334 when the response was too long for the command line). */
		*out = s->response.data;
		*outlen = s->response.len;
		return 0;
	case 1:
		buf_wipe(&s->response);
		str_printable(s->failure, sizeof(s->failure), challenge != NULL ? challenge : "",
			      challenge != NULL ? len : 0);
		*out = s->mech == OAUTH_XOAUTH2 ? "" : KVSEP;
		*outlen = strlen(*out);
		return 0;
	default:
		error_set(err, ERROR_AUTH,
			  _("the relay sent another challenge after refusing the OAuth token "
			    "(its error: %s)"),
			  s->failure);
		return -1;
	}
}

const char *oauth_failure(const struct oauth *s)
{
	return s != NULL ? s->failure : "";
}

void oauth_free(struct oauth *s)
{
	if (s == NULL)
		return;
	buf_wipe(&s->response);
	free(s);
}
