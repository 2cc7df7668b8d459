/* SPDX-License-Identifier: GPL-3.0-or-later */
/* auth/oauth and its use through auth/sasl: the exact initial responses
 * of XOAUTH2 and OAUTHBEARER (RFC 7628 §4.1's example among them), the
 * answer to a server's error challenge, fields that cannot be sent, and
 * the mechanism choice: OAuth only with a token command, only over TLS. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "auth/oauth.h"
#include "auth/sasl.h"
#include "auth/sasl_policy.h"
#include "conf/matchlist.h"
#include "tap.h"

#define RFC_TOKEN "vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg=="
#define G_TOKEN "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"
/* {"status":"invalid_token","scope":"example_scope","openid-configuration":
 * "https://example.com/.well-known/openid-configuration"} (RFC 7628 §4.3) */
#define RFC_ERROR_B64                                                                              \
	"eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNv"         \
	"bmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1"         \
	"cmF0aW9uIn0="
#define RFC_ERROR                                                                                  \
	"{\"status\":\"invalid_token\",\"scope\":\"example_scope\",\"openid-configuration\":"      \
	"\"https://example.com/.well-known/openid-configuration\"}"
/* {"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"} */
#define G_ERROR_B64                                                                                \
	"eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xl"     \
	"LmNvbS8ifQ=="

static void raw(enum oauth_mech mech, const char *user, const char *host, unsigned port,
		const char *token, const char *want, size_t wantlen, const char *what)
{
	struct oauth_params p = { mech, user, token, host, port };
	struct error err = { 0 };
	struct oauth *o = oauth_new(&p, &err);
	const char *out = NULL;
	size_t len = 0;

	if (!ok(o != NULL && oauth_step(o, NULL, 0, &out, &len, &err) == 0, "%s", what)) {
		diag("%s", err.text);
		oauth_free(o);
		return;
	}
	is_mem(out, len, want, wantlen, "... exact bytes");
	oauth_free(o);
}

static void test_raw(void)
{
	static const char xo[] = "user=someuser@example.com\001auth=Bearer " G_TOKEN "\001\001";
	static const char ob[] = "n,a=user@example.com,\001host=server.example.com\001port=143"
				 "\001auth=Bearer " RFC_TOKEN "\001\001";
	static const char esc[] = "n,a=a=2Cb=3Dc,\001auth=Bearer t\001\001";

	is_int(oauth_mech("xoauth2"), OAUTH_XOAUTH2, "xoauth2 in any case");
	is_int(oauth_mech("OAUTHBEARER"), OAUTH_OAUTHBEARER, "OAUTHBEARER");
	is_int(oauth_mech("PLAIN"), OAUTH_NONE, "PLAIN is not OAuth");
	raw(OAUTH_XOAUTH2, "someuser@example.com", "smtp.gmail.com", 587, G_TOKEN, xo,
	    sizeof(xo) - 1, "XOAUTH2 initial response");
	raw(OAUTH_OAUTHBEARER, "user@example.com", "server.example.com", 143, RFC_TOKEN, ob,
	    sizeof(ob) - 1, "OAUTHBEARER initial response (RFC 7628 §4.1)");
	raw(OAUTH_OAUTHBEARER, "a,b=c", NULL, 0, "t", esc, sizeof(esc) - 1,
	    "OAUTHBEARER escapes \",\" and \"=\" in the user name, host and port left out");
}

static void test_bad_fields(void)
{
	struct oauth_params p = { OAUTH_XOAUTH2, "u", "SECRET\001x", "h", 25 };
	struct error err = { 0 };

	ok(oauth_new(&p, &err) == NULL, "a token with ^A is refused");
	is_str(error_class_name(err.cls), error_class_name(ERROR_AUTH), "... as an auth failure");
	is_str(err.text, "the OAuth token is empty or holds control characters",
	       "... without showing it");
	p.token = "";
	ok(oauth_new(&p, &err) == NULL, "an empty token is refused");
	p.token = "t";
	p.user = "al\001ice";
	ok(oauth_new(&p, &err) == NULL, "a user name with ^A is refused");
	is_str(err.text, "OAuth authentication needs a user name without control characters",
	       "... saying so");
	p.user = "alice";
	p.host = "h\001st";
	p.mech = OAUTH_OAUTHBEARER;
	ok(oauth_new(&p, &err) == NULL, "a host name with ^A is refused");
	p.host = "host";
	p.mech = OAUTH_NONE;
	ok(oauth_new(&p, &err) == NULL && err.cls == ERROR_INTERNAL, "not an OAuth mechanism");
	oauth_free(NULL);
	ok(true, "oauth_free(NULL) is harmless");
}

static struct sasl *client(const char *mech, const char *token, struct error *err)
{
	struct sasl_params p = { .mech = mech,
				 .user = "user@example.com",
				 .password = NULL,
				 .service = "smtp",
				 .host = "server.example.com",
				 .port = 143,
				 .token = token };

	return sasl_new(&p, err);
}

/* The whole exchange through sasl_step, in base64 as SMTP carries it. */
static void exchange(const char *mech, const char *want_ir, const char *challenge,
		     const char *want_answer, const char *want_failure)
{
	struct error err = { 0 };
	struct sasl *s = client(mech, RFC_TOKEN, &err);
	char *r = NULL;

	if (!ok(s != NULL, "%s session without a password", mech)) {
		diag("%s", err.text);
		return;
	}
	is_int(sasl_step(s, NULL, &r, &err), 0, "%s: initial response", mech);
	is_str(r, want_ir, "... base64 of the exact bytes");
	free(r);
	is_str(sasl_failure_detail(s), "", "... no failure yet");
	is_int(sasl_step(s, challenge, &r, &err), 0, "%s: the error challenge is answered", mech);
	is_str(r, want_answer, "... with %s", *want_answer ? want_answer : "an empty line");
	free(r);
	is_str(sasl_failure_detail(s), want_failure, "... the relay's error is kept");
	r = NULL;
	is_int(sasl_step(s, challenge, &r, &err), -1, "%s: a second challenge fails", mech);
	is_str(error_class_name(err.cls), error_class_name(ERROR_AUTH), "... as an auth failure");
	ok(strstr(err.text, want_failure) != NULL && strstr(err.text, RFC_TOKEN) == NULL,
	   "... quoting the relay's error, not the token: %s", err.text);
	is_str(r, NULL, "... with no response");
	sasl_free(s);
}

static void test_sasl(void)
{
	struct error err = { 0 };
	struct sasl *s;

	exchange("OAUTHBEARER",
		 "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9"
		 "QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2c9PQEB",
		 RFC_ERROR_B64, "AQ==", RFC_ERROR);
	exchange("XOAUTH2",
		 "dXNlcj11c2VyQGV4YW1wbGUuY29tAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSF"
		 "JoZG1semRHRXVZMjl0Q2c9PQEB",
		 G_ERROR_B64, "",
		 "{\"status\":\"400\",\"schemes\":\"Bearer\","
		 "\"scope\":\"https://mail.google.com/\"}");
	/* {"status":"401"}<LF><ESC> : control characters are not printed. */
	s = client("XOAUTH2", "t", &err);
	if (s != NULL) {
		char *r = NULL;

		sasl_step(s, NULL, &r, &err);
		free(r);
		sasl_step(s, "eyJzdGF0dXMiOiI0MDEifQob", &r, &err);
		free(r);
	}
	is_str(sasl_failure_detail(s), "{\"status\":\"401\"}??",
	       "the relay's error made printable");
	sasl_free(s);
	ok(client("XOAUTH2", NULL, &err) == NULL && err.cls == ERROR_INTERNAL,
	   "an OAuth session needs a token");
	ok(sasl_is_oauth("oauthbearer") && sasl_is_oauth("XOAUTH2") && !sasl_is_oauth("PLAIN"),
	   "sasl_is_oauth");
	ok(sasl_has_initial_response("XOAUTH2") && sasl_has_initial_response("OAUTHBEARER"),
	   "both send an initial response");
	is_str(sasl_failure_detail(NULL), "", "no session, no failure detail");
}

#define DEFAULT_OPTIONS (SASL_NOPLAINTEXT | SASL_NOANONYMOUS)

/* sasl_choose with the installed libgsasl, the filter opened unless it
 * is ""; "" with the error in err. */
static const char *choose(const char *offered, const char *filter, unsigned options, bool tls,
			  bool oauth, struct error *err)
{
	static char mech[64];
	struct sasl_choice c = {
		.offered = offered, .options = options, .tls = tls, .oauth = oauth
	};
	struct matchlist *l = NULL;
	int rc = -1;

	error_clear(err);
	if (*filter == '\0' || (l = matchlist_open(filter, 0, NULL, err)) != NULL) {
		c.filter = l;
		rc = sasl_choose(&c, mech, sizeof(mech), err);
	}
	matchlist_free(l);
	return rc < 0 ? "" : mech;
}

static void test_choose(void)
{
	const char *all = "LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH";
	struct error err = { 0 };

	is_str(choose(all, "", DEFAULT_OPTIONS, true, true, &err), "OAUTHBEARER",
	       "token command and TLS: OAUTHBEARER first");
	is_str(choose("LOGIN PLAIN XOAUTH2", "", DEFAULT_OPTIONS, true, true, &err), "XOAUTH2",
	       "XOAUTH2 when OAUTHBEARER is not offered");
	is_str(choose("SCRAM-SHA-256 XOAUTH2", "", DEFAULT_OPTIONS, true, true, &err), "XOAUTH2",
	       "a token command beats SCRAM");
	is_str(choose(all, "", DEFAULT_OPTIONS, true, false, &err), "PLAIN",
	       "no token command: never OAuth");
	is_str(choose("SCRAM-SHA-256 XOAUTH2", "", DEFAULT_OPTIONS, true, false, &err),
	       "SCRAM-SHA-256", "no token command: SCRAM");
	is_str(choose("CRAM-MD5 XOAUTH2 OAUTHBEARER", "", DEFAULT_OPTIONS, false, true, &err),
	       "CRAM-MD5", "no TLS: never OAuth");
	is_str(choose(all, "!oauthbearer, static:all", DEFAULT_OPTIONS, true, true, &err),
	       "XOAUTH2", "the filter can drop OAUTHBEARER");
	is_str(choose(all, "plain", DEFAULT_OPTIONS, true, true, &err), "PLAIN",
	       "the filter can drop both");
	is_str(choose("SCRAM-SHA-1 OAUTHBEARER", "", SASL_NOACTIVE, true, true, &err),
	       "SCRAM-SHA-1", "noactive rules OAuth out, as PLAIN");

	is_str(choose("XOAUTH2 OAUTHBEARER", "", DEFAULT_OPTIONS, false, true, &err), "",
	       "only OAuth offered, no TLS: nothing");
	ok(strstr(err.text, "no TLS, so PLAIN, LOGIN, XOAUTH2 and OAUTHBEARER are not "
			    "allowed") != NULL,
	   "... explained: %s", err.text);
	is_str(choose("LOGIN XOAUTH2", "", DEFAULT_OPTIONS, true, false, &err), "LOGIN",
	       "no token command: LOGIN");
	is_str(choose("XOAUTH2", "", DEFAULT_OPTIONS, true, false, &err), "",
	       "only XOAUTH2 offered, no token command: nothing");
	ok(strstr(err.text, "the relay offered XOAUTH2") != NULL &&
	       strstr(err.text, "smtp_sasl_oauth_token_command is empty, so XOAUTH2 cannot be "
				"used") != NULL,
	   "... explained, naming the parameter: %s", err.text);
}

int main(void)
{
	test_raw();
	test_bad_fields();
	test_sasl();
	test_choose();
	return tap_done();
}
