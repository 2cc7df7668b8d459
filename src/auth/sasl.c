/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The GNU SASL adapter, the only file that includes <gsasl.h>: mechanism
 * choice checked against what the installed libgsasl implements, and one
 * client session per struct sasl whose steps speak base64 as SMTP AUTH
 * carries it (RFC 4954); XOAUTH2 and OAUTHBEARER sessions run oauth.c
 * instead of libgsasl. Password copies and raw responses are wiped. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <gsasl.h>

#include "auth/oauth.h"
#include "auth/sasl.h"
#include "auth/sasl_policy.h"
#include "base/error.h"
#include "base/i18n.h"
#include "base/str.h"

/* reference/postfix.md §5.3: abort after 100 challenge rounds. */
#define SASL_STEPS_MAX 100

struct sasl {
	Gsasl *ctx; /* one library context per session: no process globals */
	Gsasl_session *session;
	struct oauth *oauth; /* instead of the two above for XOAUTH2/OAUTHBEARER */
	unsigned steps;
	bool scram; /* the challenges get scram_check first */
};

static bool library_supports(const char *mech, void *arg)
{
	return oauth_mech(mech) != OAUTH_NONE || gsasl_client_support_p(arg, mech) != 0;
}

static int library_start(Gsasl **ctx, struct error *err)
{
	int rc = gsasl_init(ctx);

	if (rc != GSASL_OK) {
		error_set(err, ERROR_INTERNAL, _("cannot start the GNU SASL library: %s"),
			  gsasl_strerror(rc));
		return -1;
	}
	return 0;
}

int sasl_choose(const struct sasl_choice *c, char *mech, size_t mechsize, struct error *err)
{
	Gsasl *ctx;
	int rc;

	if (library_start(&ctx, err) < 0)
		return -1;
	rc = sasl_policy_choose(c, library_supports, ctx, mech, mechsize, err);
	gsasl_done(ctx);
	return rc;
}

static int set_property(struct sasl *s, Gsasl_property prop, const char *value, struct error *err)
{
	if (value == NULL)
		return 0;
	if (gsasl_property_set(s->session, prop, value) != GSASL_OK) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	return 0;
}

static bool is_plus(const char *mech)
{
	size_t len = strlen(mech);

	return len > 5 && str_eq_ci(mech + len - 5, "-PLUS");
}

/* libgsasl takes the binding data in base64. Only -PLUS sessions get it:
 * libgsasl 2.2's plain SCRAM client fails when the property is set. */
static int set_channel_binding(struct sasl *s, const struct sasl_params *p, struct error *err)
{
	Gsasl_property prop;
	char *b64 = NULL;
	size_t b64len;
	int rc;

	if (p->cb_type != NULL && strcmp(p->cb_type, "tls-exporter") == 0) {
		prop = GSASL_CB_TLS_EXPORTER;
	} else if (p->cb_type != NULL && strcmp(p->cb_type, "tls-unique") == 0) {
		prop = GSASL_CB_TLS_UNIQUE;
	} else {
		error_set(err, ERROR_INTERNAL,
			  _("%s needs channel binding, but the TLS session offered no known type"),
			  p->mech);
		return -1;
	}
	if (p->cb_data == NULL || p->cb_len == 0) {
		error_set(err, ERROR_INTERNAL,
			  _("%s needs channel binding, but the TLS session gave no binding data"),
			  p->mech);
		return -1;
	}
	if (gsasl_base64_to((const char *)p->cb_data, p->cb_len, &b64, &b64len) != GSASL_OK) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	rc = set_property(s, prop, b64, err);
	gsasl_free(b64);
	return rc;
}

static int set_properties(struct sasl *s, const struct sasl_params *p, struct error *err)
{
	if (set_property(s, GSASL_AUTHID, p->user, err) < 0 ||
	    set_property(s, GSASL_PASSWORD, p->password, err) < 0 ||
	    set_property(s, GSASL_SERVICE, p->service, err) < 0 ||
	    set_property(s, GSASL_HOSTNAME, p->host, err) < 0)
		return -1;
	if (is_plus(p->mech))
		return set_channel_binding(s, p, err);
	return 0;
}

static struct sasl *oauth_start(struct sasl *s, const struct sasl_params *p, struct error *err)
{
	struct oauth_params op = { .mech = oauth_mech(p->mech),
				   .user = p->user,
				   .token = p->token,
				   .host = p->host,
				   .port = p->port };

	s->oauth = oauth_new(&op, err);
	if (s->oauth == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

struct sasl *sasl_new(const struct sasl_params *p, struct error *err)
{
	bool oauth = p->mech != NULL && sasl_is_oauth(p->mech);
	struct sasl *s;
	int rc;

	if (p->mech == NULL || p->user == NULL || (oauth ? p->token : p->password) == NULL) {
		error_set(err, ERROR_INTERNAL, "%s",
			  oauth ? _("OAuth needs a user name and a token")
				: _("SASL needs a mechanism, a user name and a password"));
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return NULL;
	}
	if (oauth)
		return oauth_start(s, p, err);
	if (library_start(&s->ctx, err) < 0) {
		free(s);
		return NULL;
	}
	s->scram = str_prefix_ci(p->mech, "SCRAM-");
	rc = gsasl_client_start(s->ctx, p->mech, &s->session);
	if (rc != GSASL_OK) {
		error_set(err, ERROR_AUTH, _("cannot start SASL mechanism %s: %s"), p->mech,
			  gsasl_strerror(rc));
		s->session = NULL;
		sasl_free(s);
		return NULL;
	}
	if (set_properties(s, p, err) < 0) {
		sasl_free(s);
		return NULL;
	}
	return s;
}

/* The raw output may hold the password (PLAIN, LOGIN): wipe it before the
 * library frees it, and hand over a copy of the base64 in our own heap. */
static int encode_response(const char *raw, size_t rawlen, char **response_b64, struct error *err)
{
	char *b64 = NULL;
	size_t b64len = 0;

	if (rawlen == 0) {
		*response_b64 = str_dup("");
	} else if (gsasl_base64_to(raw, rawlen, &b64, &b64len) == GSASL_OK) {
		*response_b64 = str_ndup(b64, b64len);
		str_wipe(b64, b64len);
		gsasl_free(b64);
	} else {
		*response_b64 = NULL;
	}
	if (*response_b64 == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	return 0;
}

static int decode_challenge(const char *b64, char **raw, size_t *rawlen, struct error *err)
{
	size_t len = strlen(b64);

	*raw = NULL;
	*rawlen = 0;
	if (len == 0)
		return 0;
	if (gsasl_base64_from(b64, len, raw, rawlen) != GSASL_OK) {
		char shown[80];

		str_printable(shown, sizeof(shown), b64, len);
		error_set(err, ERROR_PROTOCOL,
			  _("the relay sent an authentication challenge that is not base64: %s"),
			  shown);
		return -1;
	}
	return 0;
}

/* RFC 5802 §9: a hostile server can make the client hash for as long as
 * it likes with a big iteration count ("i="), and that PBKDF2 runs inside
 * one gsasl_step that no deadline can interrupt. So every "i=" attribute
 * is checked before libgsasl sees it: digits only, at most the cap. The
 * salt and nonce cost work in proportion to their length only, which the
 * reply parser bounds (smtp/reply.h). */
static int scram_check(const char *raw, size_t len, struct error *err)
{
	const char *p = raw, *end;

	if (len == 0)
		return 0; /* raw may be NULL then, and NULL + 0 is undefined */
	end = raw + len;
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma != NULL ? comma : end;
		size_t n = (size_t)(stop - p);
		unsigned long count = 0;
		char digits[24], shown[32];

		if (n >= 2 && p[0] == 'i' && p[1] == '=') {
			n -= 2;
			if (n > 0 && n < sizeof(digits)) {
				memcpy(digits, p + 2, n);
				digits[n] = '\0';
			}
			if (n == 0 || n >= sizeof(digits) ||
			    str_to_ulong(digits, SASL_SCRAM_ITERATIONS_MAX, &count) < 0 ||
			    count == 0) {
				str_printable(shown, sizeof(shown), p + 2, n);
				error_set(err, ERROR_AUTH,
					  _("the relay asked for %s%s SCRAM iterations; relaymail "
					    "computes at most %d (servers use 4096)"),
					  shown, n >= sizeof(shown) ? "..." : "",
					  SASL_SCRAM_ITERATIONS_MAX);
				return -1;
			}
		}
		p = stop + 1;
	}
	return 0;
}

/* Our mechanisms: raw bytes through oauth.c, base64 here. */
static int oauth_step_b64(struct sasl *s, char *in, size_t inlen, char **response_b64,
			  struct error *err)
{
	const char *out;
	size_t outlen;
	int rc = oauth_step(s->oauth, in, inlen, &out, &outlen, err);

	gsasl_free(in);
	if (rc < 0)
		return -1;
	return encode_response(out, outlen, response_b64, err);
}

int sasl_step(struct sasl *s, const char *challenge_b64, char **response_b64, struct error *err)
{
	char *in = NULL, *out = NULL;
	size_t inlen = 0, outlen = 0;
	int rc, ret = -1;

	*response_b64 = NULL;
	if (++s->steps > SASL_STEPS_MAX) {
		error_set(err, ERROR_AUTH,
			  _("authentication did not finish after %d challenges from the relay"),
			  SASL_STEPS_MAX);
		return -1;
	}
	if (challenge_b64 != NULL && decode_challenge(challenge_b64, &in, &inlen, err) < 0)
		return -1;
	if (s->oauth != NULL)
		return oauth_step_b64(s, in, inlen, response_b64, err);
	if (s->scram && scram_check(in, inlen, err) < 0) {
		gsasl_free(in);
		return -1;
	}
	rc = gsasl_step(s->session, in, inlen, &out, &outlen);
	gsasl_free(in);
	if (rc == GSASL_OK || rc == GSASL_NEEDS_MORE)
		ret = encode_response(out, outlen, response_b64, err);
	else if (rc == GSASL_MALLOC_ERROR)
		error_set(err, ERROR_INTERNAL, _("out of memory"));
	else
		error_set(err, ERROR_AUTH, _("SASL %s authentication failed: %s"),
			  gsasl_mechanism_name(s->session), gsasl_strerror(rc));
	if (out != NULL) {
		str_wipe(out, outlen);
		gsasl_free(out);
	}
	return ret;
}

bool sasl_has_initial_response(const char *mech)
{
	static const char *const first[] = { "PLAIN", "EXTERNAL", "OAUTHBEARER", "XOAUTH2" };

	if (str_prefix_ci(mech, "SCRAM-"))
		return true;
	for (size_t i = 0; i < sizeof(first) / sizeof(first[0]); i++)
		if (str_eq_ci(mech, first[i]))
			return true;
	return false;
}

bool sasl_is_oauth(const char *mech)
{
	return oauth_mech(mech) != OAUTH_NONE;
}

const char *sasl_failure_detail(const struct sasl *s)
{
	return s != NULL ? oauth_failure(s->oauth) : "";
}

/* libgsasl frees properties without clearing them; these hold the
 * password or values that stand in for it. The mechanism's own state is
 * beyond reach. */
static void wipe_secrets(Gsasl_session *session)
{
	static const Gsasl_property secret[] = {
		GSASL_PASSWORD,
		GSASL_SCRAM_SALTED_PASSWORD,
		GSASL_SCRAM_SERVERKEY,
		GSASL_SCRAM_STOREDKEY,
	};

	for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++) {
		char *v = (char *)gsasl_property_fast(session, secret[i]);

		if (v != NULL)
			str_wipe(v, strlen(v));
	}
}

void sasl_free(struct sasl *s)
{
	if (s == NULL)
		return;
	if (s->session != NULL) {
		wipe_secrets(s->session);
		gsasl_finish(s->session);
	}
	if (s->ctx != NULL)
		gsasl_done(s->ctx);
	oauth_free(s->oauth);
	free(s);
}
