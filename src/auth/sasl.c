/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SASL client sessions: mechanism choice checked against what relaymail
 * and the installed libgsasl implement, and one client session per struct
 * sasl whose steps speak base64 as SMTP AUTH carries it (RFC 4954). PLAIN
 * and LOGIN are done here, XOAUTH2 and OAUTHBEARER in oauth.c, the rest by
 * GNU SASL, loaded only then (gsasl_lib.h). Password copies and raw
 * responses are wiped. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <gsasl.h>

#include "auth/gsasl_lib.h"
#include "auth/oauth.h"
#include "auth/sasl.h"
#include "auth/sasl_policy.h"
#include "base/base64.h"
#include "base/error.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"

/* reference/postfix.md §5.3: abort after 100 challenge rounds. */
#define SASL_STEPS_MAX 100

/* The mechanisms done here, without libgsasl. */
enum native {
	NATIVE_NONE,
	NATIVE_PLAIN, /* RFC 4616: one message, no authorization identity */
	NATIVE_LOGIN, /* the user name, then the password, whatever was asked */
};

struct sasl {
	const struct gsasl_lib *lib;
	Gsasl *ctx; /* one library context per session: no process globals */
	Gsasl_session *session;
	struct oauth *oauth; /* instead of the two above for XOAUTH2/OAUTHBEARER */
	enum native native;  /* or instead of all three */
	char *user, *password;
	unsigned steps;
	bool scram; /* the challenges get scram_check first */
};

static enum native native_mech(const char *mech)
{
	if (str_eq_ci(mech, "PLAIN"))
		return NATIVE_PLAIN;
	if (str_eq_ci(mech, "LOGIN"))
		return NATIVE_LOGIN;
	return NATIVE_NONE;
}

static int library_start(const struct gsasl_lib **lib, Gsasl **ctx, struct error *err)
{
	int rc;

	*ctx = NULL;
	if ((*lib = gsasl_lib(err)) == NULL)
		return -1;
	if ((rc = (*lib)->init(ctx)) != GSASL_OK) {
		*ctx = NULL;
		error_set(err, ERROR_INTERNAL, _("cannot start the GNU SASL library: %s"),
			  (*lib)->strerror(rc));
		return -1;
	}
	return 0;
}

/* What sasl_choose asks about each mechanism: libgsasl is started only
 * for a mechanism relaymail does not do itself. */
struct support {
	const struct gsasl_lib *lib;
	Gsasl *ctx;
	bool tried;
	struct error failed; /* why the library could not start */
};

static bool supported(const char *mech, void *arg)
{
	struct support *s = arg;

	if (oauth_mech(mech) != OAUTH_NONE || native_mech(mech) != NATIVE_NONE)
		return true;
	if (!s->tried) {
		s->tried = true;
		(void)library_start(&s->lib, &s->ctx, &s->failed);
	}
	return s->ctx != NULL && s->lib->client_support_p(s->ctx, mech) != 0;
}

int sasl_choose(const struct sasl_choice *c, char *mech, size_t mechsize, struct error *err)
{
	struct support s = { 0 };
	int rc = sasl_policy_choose(c, supported, &s, mech, mechsize, err);

	if (s.ctx != NULL)
		s.lib->done(s.ctx);
	/* Nothing fitted, and the library that might have served could not
	 * be loaded: that is the cause to report. When something else fitted,
	 * a mechanism the relay preferred may have been passed over. */
	if (rc < 0 && err->cls == ERROR_AUTH && error_is_set(&s.failed))
		*err = s.failed;
	else if (rc == 0 && error_is_set(&s.failed))
		log_notice(_("%s; using %s"), s.failed.text, mech);
	return rc;
}

static int set_property(struct sasl *s, Gsasl_property prop, const char *value, struct error *err)
{
	if (value == NULL)
		return 0;
	if (s->lib->property_set(s->session, prop, value) != GSASL_OK) {
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
	char *b64;
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
	if ((b64 = malloc(base64_encoded_len(p->cb_len) + 1)) == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	base64_encode(p->cb_data, p->cb_len, b64);
	rc = set_property(s, prop, b64, err);
	free(b64);
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

static struct sasl *native_start(struct sasl *s, const struct sasl_params *p, struct error *err)
{
	if ((s->user = str_dup(p->user)) == NULL || (s->password = str_dup(p->password)) == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		sasl_free(s);
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
	if ((s->native = native_mech(p->mech)) != NATIVE_NONE)
		return native_start(s, p, err);
	if (library_start(&s->lib, &s->ctx, err) < 0) {
		free(s);
		return NULL;
	}
	s->scram = str_prefix_ci(p->mech, "SCRAM-");
	rc = s->lib->client_start(s->ctx, p->mech, &s->session);
	if (rc != GSASL_OK) {
		error_set(err, ERROR_AUTH, _("cannot start SASL mechanism %s: %s"), p->mech,
			  s->lib->strerror(rc));
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

/* The base64 of a response, in our own heap; the caller wipes what holds
 * the password (the raw response and this copy). */
static int encode_response(const char *raw, size_t rawlen, char **response_b64, struct error *err)
{
	if ((*response_b64 = malloc(base64_encoded_len(rawlen) + 1)) != NULL)
		base64_encode(raw, rawlen, *response_b64);
	if (*response_b64 == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	return 0;
}

static int decode_challenge(const char *b64, char **raw, size_t *rawlen, struct error *err)
{
	size_t len = strlen(b64);

	long n;

	*raw = NULL;
	*rawlen = 0;
	if (len == 0)
		return 0;
	if ((*raw = malloc(len / 4 * 3 + 1)) == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	if ((n = base64_decode(b64, len, (unsigned char *)*raw)) < 0) {
		char shown[80];

		free(*raw);
		*raw = NULL;

		str_printable(shown, sizeof(shown), b64, len);
		error_set(err, ERROR_PROTOCOL,
			  _("the relay sent an authentication challenge that is not base64: %s"),
			  shown);
		return -1;
	}
	(*raw)[n] = '\0';
	*rawlen = (size_t)n;
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

	free(in);
	if (rc < 0)
		return -1;
	return encode_response(out, outlen, response_b64, err);
}

/* PLAIN: the same message whenever asked, as libgsasl does; LOGIN: the
 * user name, then the password, then no more. The challenge's words
 * ("Username:") are not read: servers word them differently. */
static int native_step(struct sasl *s, char **response_b64, struct error *err)
{
	size_t ulen = strlen(s->user), plen = strlen(s->password);
	char *raw;
	int rc;

	if (s->native == NATIVE_LOGIN) {
		if (s->steps > 2) {
			error_set(err, ERROR_AUTH,
				  _("SASL LOGIN authentication failed: the relay asked for more "
				    "than a user name and a password"));
			return -1;
		}
		return s->steps == 1 ? encode_response(s->user, ulen, response_b64, err)
				     : encode_response(s->password, plen, response_b64, err);
	}
	if ((raw = malloc(ulen + plen + 2)) == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	raw[0] = '\0';
	memcpy(raw + 1, s->user, ulen);
	raw[1 + ulen] = '\0';
	memcpy(raw + 2 + ulen, s->password, plen);
	rc = encode_response(raw, ulen + plen + 2, response_b64, err);
	str_wipe(raw, ulen + plen + 2);
	free(raw);
	return rc;
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
	if (s->native != NATIVE_NONE) {
		free(in);
		return native_step(s, response_b64, err);
	}
	if (s->scram && scram_check(in, inlen, err) < 0) {
		free(in);
		return -1;
	}
	rc = s->lib->step(s->session, in, inlen, &out, &outlen);
	free(in);
	if (rc == GSASL_OK || rc == GSASL_NEEDS_MORE)
		ret = encode_response(out, outlen, response_b64, err);
	else if (rc == GSASL_MALLOC_ERROR)
		error_set(err, ERROR_INTERNAL, _("out of memory"));
	else
		error_set(err, ERROR_AUTH, _("SASL %s authentication failed: %s"),
			  s->lib->mechanism_name(s->session), s->lib->strerror(rc));
	if (out != NULL) {
		str_wipe(out, outlen);
		s->lib->free(out);
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
static void wipe_secrets(const struct gsasl_lib *lib, Gsasl_session *session)
{
	static const Gsasl_property secret[] = {
		GSASL_PASSWORD,
		GSASL_SCRAM_SALTED_PASSWORD,
		GSASL_SCRAM_SERVERKEY,
		GSASL_SCRAM_STOREDKEY,
	};

	for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++) {
		char *v = (char *)lib->property_fast(session, secret[i]);

		if (v != NULL)
			str_wipe(v, strlen(v));
	}
}

void sasl_free(struct sasl *s)
{
	if (s == NULL)
		return;
	if (s->session != NULL) {
		wipe_secrets(s->lib, s->session);
		s->lib->finish(s->session);
	}
	if (s->ctx != NULL)
		s->lib->done(s->ctx);
	oauth_free(s->oauth);
	if (s->password != NULL) {
		str_wipe(s->password, strlen(s->password));
		free(s->password);
	}
	free(s->user);
	free(s);
}
