/* SPDX-License-Identifier: GPL-3.0-or-later */
/* auth/sasl: option parsing, mechanism choice under every policy knob,
 * exact client responses for PLAIN, LOGIN and CRAM-MD5 (RFC 2195 vector),
 * our PLAIN and LOGIN against libgsasl's client, and SCRAM round trips
 * against libgsasl's own server in this process. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gsasl.h>

#include "auth/sasl.h"
#include "auth/sasl_policy.h"
#include "base/error.h"
#include "conf/matchlist.h"
#include "conf/table.h"
#include "tap.h"

#define DEFAULT_OPTIONS (SASL_NOPLAINTEXT | SASL_NOANONYMOUS)
#define USER "user@isp.test"

static bool contains(const char *text, const char *want)
{
	if (strstr(text, want) != NULL)
		return true;
	diag("text: %s", text);
	diag("lacks: %s", want);
	return false;
}

/* The filter value opened as the caller would (NULL for ""). */
static struct matchlist *filter_of(const char *value, unsigned flags)
{
	struct error err = { 0 };
	struct matchlist *l;

	if (*value == '\0')
		return NULL;
	if ((l = matchlist_open(value, flags, NULL, &err)) == NULL)
		diag("filter %s: %s", value, err.text);
	return l;
}

static void test_options(void)
{
	struct error err = { 0 };
	unsigned o = 99;

	ok(sasl_options_parse("", &o, &err) == 0 && o == 0, "empty option list is 0");
	ok(sasl_options_parse(NULL, &o, &err) == 0 && o == 0, "NULL option list is 0");
	ok(sasl_options_parse("noplaintext, noanonymous", &o, &err) == 0, "default list parses");
	is_int(o, DEFAULT_OPTIONS, "default list gives noplaintext|noanonymous");
	ok(sasl_options_parse(" noplaintext,noactive\tnodictionary  noanonymous,,mutual_auth ", &o,
			      &err) == 0,
	   "commas and blanks separate");
	is_int(o,
	       SASL_NOPLAINTEXT | SASL_NOACTIVE | SASL_NODICTIONARY | SASL_NOANONYMOUS |
		   SASL_MUTUAL_AUTH,
	       "every option word sets its bit");
	ok(sasl_options_parse("NoAnonymous", &o, &err) == 0 && o == SASL_NOANONYMOUS,
	   "option words ignore case");
	ok(sasl_options_parse("forward_secrecy", &o, &err) == 0 && o == 0,
	   "forward_secrecy accepted as a no-op");
	o = 7;
	ok(sasl_options_parse("noplaintext, noplain", &o, &err) == -1, "unknown word fails");
	is_int(err.cls, ERROR_CONFIG, "unknown word is a configuration error");
	ok(contains(err.text, "unknown SASL security option \"noplain\""), "error names the word");
	is_int(o, 7, "output untouched on error");
}

struct choose_case {
	const char *name;
	const char *offered;
	const char *filter;
	unsigned options;
	bool tls, cb;
	const char *want; /* NULL: no mechanism */
};

static const struct choose_case choose_cases[] = {
	{ "PLAIN LOGIN without TLS", "PLAIN LOGIN", "", DEFAULT_OPTIONS, false, false, NULL },
	{ "PLAIN LOGIN over TLS", "PLAIN LOGIN", "", DEFAULT_OPTIONS, true, false, "PLAIN" },
	{ "LOGIN alone over TLS", "LOGIN", "", DEFAULT_OPTIONS, true, false, "LOGIN" },
	{ "strongest over TLS", "LOGIN PLAIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256", "",
	  DEFAULT_OPTIONS, true, false, "SCRAM-SHA-256" },
	{ "strongest without TLS", "LOGIN PLAIN CRAM-MD5 SCRAM-SHA-1", "", DEFAULT_OPTIONS, false,
	  false, "SCRAM-SHA-1" },
	{ "CRAM-MD5 without TLS", "PLAIN CRAM-MD5", "", DEFAULT_OPTIONS, false, false, "CRAM-MD5" },
	{ "CRAM-MD5 before PLAIN over TLS", "PLAIN CRAM-MD5", "", DEFAULT_OPTIONS, true, false,
	  "CRAM-MD5" },
	{ "PLUS with channel binding", "SCRAM-SHA-256 SCRAM-SHA-256-PLUS PLAIN", "",
	  DEFAULT_OPTIONS, true, true, "SCRAM-SHA-256-PLUS" },
	{ "no PLUS without channel binding", "SCRAM-SHA-256 SCRAM-SHA-256-PLUS", "",
	  DEFAULT_OPTIONS, true, false, "SCRAM-SHA-256" },
	{ "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1 SCRAM-SHA-1-PLUS SCRAM-SHA-256", "", DEFAULT_OPTIONS,
	  true, true, "SCRAM-SHA-1-PLUS" },
	{ "PLUS alone without binding", "SCRAM-SHA-256-PLUS", "", DEFAULT_OPTIONS, true, false,
	  NULL },
	{ "filter excludes then static:all", "SCRAM-SHA-256 SCRAM-SHA-1 PLAIN",
	  "!scram-sha-256, static:all", DEFAULT_OPTIONS, true, false, "SCRAM-SHA-1" },
	{ "filter type:table keeps the names it has as keys", "SCRAM-SHA-256 SCRAM-SHA-1 PLAIN",
	  "inline:{ scram-sha-1=any, plain=any }", DEFAULT_OPTIONS, true, false, "SCRAM-SHA-1" },
	{ "filter type:table drops the names it lacks", "SCRAM-SHA-256 PLAIN", "inline:{ plain=x }",
	  DEFAULT_OPTIONS, true, false, "PLAIN" },
	{ "filter regexp: sees each name", "SCRAM-SHA-256 SCRAM-SHA-1 CRAM-MD5",
	  "regexp:{ {/^(cram-md5|scram-sha-1)$/ yes} }", DEFAULT_OPTIONS, true, false,
	  "SCRAM-SHA-1" },
	{ "filter names ignore case", "SCRAM-SHA-256 PLAIN", "Plain", DEFAULT_OPTIONS, true, false,
	  "PLAIN" },
	{ "filter without patterns drops all", "SCRAM-SHA-256 PLAIN", ",", DEFAULT_OPTIONS, true,
	  false, NULL },
	{ "filter !static:all drops all", "SCRAM-SHA-1 PLAIN", "!static:all", DEFAULT_OPTIONS, true,
	  false, NULL },
	{ "filter plain", "SCRAM-SHA-256 PLAIN LOGIN", "plain", DEFAULT_OPTIONS, true, false,
	  "PLAIN" },
	{ "filter plain without TLS", "SCRAM-SHA-256 PLAIN", "plain", DEFAULT_OPTIONS, false, false,
	  NULL },
	{ "filter order does not beat preference", "PLAIN LOGIN", "login plain", DEFAULT_OPTIONS,
	  true, false, "PLAIN" },
	{ "unmatched names dropped", "PLAIN CRAM-MD5", "!login, !plain", DEFAULT_OPTIONS, true,
	  false, NULL },
	{ "first match decides", "PLAIN LOGIN", "plain, !plain, login", DEFAULT_OPTIONS, true,
	  false, "PLAIN" },
	{ "noactive leaves SCRAM", "PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1", "",
	  DEFAULT_OPTIONS | SASL_NOACTIVE, true, false, "SCRAM-SHA-1" },
	{ "noactive without SCRAM", "PLAIN LOGIN CRAM-MD5", "", DEFAULT_OPTIONS | SASL_NOACTIVE,
	  true, false, NULL },
	{ "mutual_auth rules out CRAM-MD5", "CRAM-MD5", "", SASL_MUTUAL_AUTH, false, false, NULL },
	{ "nodictionary rules out all", "SCRAM-SHA-256 PLAIN", "", SASL_NODICTIONARY, true, false,
	  NULL },
	{ "empty options over TLS", "PLAIN", "", 0, true, false, "PLAIN" },
	{ "empty options never cleartext", "PLAIN LOGIN", "", 0, false, false, NULL },
	{ "offered list ignores case", "plain scram-sha-1 Login", "", DEFAULT_OPTIONS, true, false,
	  "SCRAM-SHA-1" },
	{ "unknown mechanisms skipped", "GSSAPI DIGEST-MD5 NTLM PLAIN", "", DEFAULT_OPTIONS, true,
	  false, "PLAIN" },
	{ "nothing offered", "", "", DEFAULT_OPTIONS, true, false, NULL },
	{ "only unknown offered", "GSSAPI XOAUTH2", "", DEFAULT_OPTIONS, true, false, NULL },
};

static void test_choose_table(void)
{
	for (size_t i = 0; i < sizeof(choose_cases) / sizeof(choose_cases[0]); i++) {
		const struct choose_case *t = &choose_cases[i];
		struct matchlist *filter = filter_of(t->filter, 0);
		struct sasl_choice c = { .offered = t->offered,
					 .filter = filter,
					 .options = t->options,
					 .tls = t->tls,
					 .channel_binding = t->cb };
		struct error err = { 0 };
		char mech[32] = "";
		int rc = sasl_choose(&c, mech, sizeof(mech), &err);

		matchlist_free(filter);
		if (t->want != NULL) {
			if (!is_int(rc, 0, "choose: %s: succeeds", t->name))
				diag("error: %s", err.text);
			is_str(mech, t->want, "choose: %s: picks %s", t->name, t->want);
		} else {
			ok(rc == -1 && err.cls == ERROR_AUTH, "choose: %s: ERROR_AUTH", t->name);
		}
	}
}

static bool all_supported(const char *mech, void *arg)
{
	(void)mech;
	(void)arg;
	return true;
}

static bool no_sha256(const char *mech, void *arg)
{
	(void)arg;
	return strcmp(mech, "SCRAM-SHA-256") != 0;
}

/* Runs the choice that must fail and returns its error text. */
static const char *choose_fail(struct sasl_choice *c, bool (*sup)(const char *, void *),
			       struct error *err)
{
	char mech[32];

	error_clear(err);
	if (sasl_policy_choose(c, sup, NULL, mech, sizeof(mech), err) != -1)
		diag("unexpectedly chose %s", mech);
	return err->text;
}

static void test_choose_errors(void)
{
	struct sasl_choice c = { .offered = "PLAIN LOGIN", .options = DEFAULT_OPTIONS };
	struct matchlist *filter;
	struct error err = { 0 };
	char mech[32];

	is_str(choose_fail(&c, all_supported, &err),
	       "no usable authentication mechanism: the relay offered PLAIN LOGIN; relaymail "
	       "allows SCRAM-SHA-256 SCRAM-SHA-1 CRAM-MD5 under the current policy "
	       "(smtp_sasl_security_options = noplaintext, noanonymous; no TLS, so PLAIN and "
	       "LOGIN are not allowed)",
	       "no TLS: offered, allowed and the reason");
	is_int(err.cls, ERROR_AUTH, "no mechanism is ERROR_AUTH");

	filter = filter_of("!scram-sha-1, plain", 0);
	c = (struct sasl_choice){ .offered = "SCRAM-SHA-1 PLAIN",
				  .filter = filter,
				  .options = DEFAULT_OPTIONS };
	ok(contains(choose_fail(&c, all_supported, &err),
		    "smtp_sasl_mechanism_filter = !scram-sha-1, plain rules out SCRAM-SHA-1"),
	   "filter named with what it removed");
	matchlist_free(filter);
	filter = filter_of("!inline:{ scram-sha-256=x }, static:all", 0);
	c = (struct sasl_choice){ .offered = "SCRAM-SHA-256 PLAIN",
				  .filter = filter,
				  .options = DEFAULT_OPTIONS };
	ok(contains(choose_fail(&c, all_supported, &err),
		    "; smtp_sasl_mechanism_filter = !inline:{ scram-sha-256=x }, static:all rules "
		    "out SCRAM-SHA-256;"),
	   "a filter with a table shown as written");
	matchlist_free(filter);
	filter = filter_of(" , ", 0);
	c = (struct sasl_choice){ .offered = "SCRAM-SHA-256 PLAIN",
				  .filter = filter,
				  .tls = true,
				  .options = DEFAULT_OPTIONS };
	ok(contains(choose_fail(&c, all_supported, &err),
		    "relaymail allows no mechanism under the current policy "
		    "(smtp_sasl_tls_security_options = noplaintext, noanonymous; "
		    "smtp_sasl_mechanism_filter =  ,  holds no pattern, so it rules out every "
		    "mechanism)"),
	   "a filter without patterns said to be one");
	matchlist_free(filter);

	c = (struct sasl_choice){ .offered = "PLAIN CRAM-MD5",
				  .tls = true,
				  .options = DEFAULT_OPTIONS | SASL_NOACTIVE };
	ok(contains(choose_fail(&c, all_supported, &err),
		    "(smtp_sasl_tls_security_options = noplaintext, noactive, noanonymous "
		    "rules out CRAM-MD5 PLAIN)"),
	   "TLS option parameter named with what it removed");
	ok(contains(err.text, "allows SCRAM-SHA-256 SCRAM-SHA-1 under"),
	   "allowed list under noactive");
	c.options_name = "smtp_sasl_tls_verified_security_options";
	ok(contains(choose_fail(&c, all_supported, &err),
		    "smtp_sasl_tls_verified_security_options = "),
	   "caller's parameter name used");

	c = (struct sasl_choice){ .offered = "SCRAM-SHA-256-PLUS", .tls = true };
	ok(contains(choose_fail(&c, all_supported, &err),
		    "no channel binding, so SCRAM-SHA-256-PLUS cannot be used"),
	   "missing channel binding explained");
	ok(contains(err.text, "smtp_sasl_tls_security_options is empty"), "empty options shown");

	c = (struct sasl_choice){ .offered = "SCRAM-SHA-256", .options = DEFAULT_OPTIONS };
	ok(contains(choose_fail(&c, no_sha256, &err),
		    "the installed GNU SASL library does not implement SCRAM-SHA-256"),
	   "library gap explained");
	ok(contains(err.text, "allows SCRAM-SHA-1 CRAM-MD5 under"), "library gap shrinks allowed");
	c.offered = "SCRAM-SHA-256 SCRAM-SHA-1";
	ok(sasl_policy_choose(&c, no_sha256, NULL, mech, sizeof(mech), &err) == 0 &&
	       strcmp(mech, "SCRAM-SHA-1") == 0,
	   "unimplemented mechanism skipped for the next");
}

static void test_choose_odd_input(void)
{
	struct sasl_choice c;
	struct error err = { 0 };
	char mech[32];

	c = (struct sasl_choice){ .offered = "GSSAPI\x1b[31m NTLM",
				  .tls = true,
				  .options = SASL_NODICTIONARY };
	choose_fail(&c, all_supported, &err);
	ok(contains(err.text, "relaymail allows no mechanism under the current policy"),
	   "empty allowed list said in words");
	ok(contains(err.text, "relaymail implements none of the offered mechanisms"),
	   "unknown offers explained");
	ok(strchr(err.text, '\x1b') == NULL && contains(err.text, "offered GSSAPI?[31m NTLM;"),
	   "relay's words made printable");

	c = (struct sasl_choice){ .offered = "", .tls = true, .options = DEFAULT_OPTIONS };
	ok(contains(choose_fail(&c, all_supported, &err), "the relay offered nothing;"),
	   "empty offer said in words");

	c = (struct sasl_choice){ .offered = "SCRAM-SHA-256", .tls = true };
	ok(sasl_choose(&c, mech, 8, &err) == -1 && err.cls == ERROR_INTERNAL,
	   "too small a name buffer is an internal error");
}

/* A /file/name filter is read for its patterns; a failing lookup is an
 * error of its own, not "nothing fits", even while explaining. */
static void test_choose_filter_files_and_errors(void)
{
	char path[] = "/tmp/test-sasl.XXXXXX", value[64];
	struct sasl_choice c = { .offered = "PLAIN LOGIN", .tls = true };
	struct matchlist *filter;
	struct error err = { 0 };
	char mech[32] = "";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (f != NULL) {
		fputs("# not this one\nplain\n", f);
		fclose(f);
	}
	snprintf(value, sizeof(value), "!%s, static:all", path);
	c.filter = filter = filter_of(value, 0);
	ok(filter != NULL && sasl_choose(&c, mech, sizeof(mech), &err) == 0 &&
	       strcmp(mech, "LOGIN") == 0,
	   "a negated pattern file drops what it names: %s", mech);
	matchlist_free(filter);
	unlink(path);

	c = (struct sasl_choice){ .offered = "PLAIN LOGIN", .tls = true };
	c.filter = filter = filter_of("static:v\xff", TABLE_UTF8);
	ok(sasl_choose(&c, mech, sizeof(mech), &err) == -1 && err.cls == ERROR_CONFIG,
	   "a failing filter lookup keeps its class");
	ok(contains(err.text, "the SASL mechanism filter failed for PLAIN: ") &&
	       strstr(err.text, "no usable") == NULL,
	   "... and says so, naming the mechanism");
	matchlist_free(filter);

	/* PLAIN is ruled out without TLS before the filter is asked; the
	 * explanation asks it about the others. */
	c = (struct sasl_choice){ .offered = "PLAIN", .options = DEFAULT_OPTIONS };
	c.filter = filter = filter_of("plain, static:v\xff", TABLE_UTF8);
	ok(sasl_choose(&c, mech, sizeof(mech), &err) == -1 && err.cls == ERROR_CONFIG &&
	       contains(err.text, "the SASL mechanism filter failed for SCRAM-SHA-256: ") &&
	       strstr(err.text, "no usable") == NULL,
	   "a failing lookup while explaining is reported as such");
	matchlist_free(filter);
}

static void test_initial_response_table(void)
{
	ok(sasl_has_initial_response("PLAIN"), "PLAIN sends first");
	ok(sasl_has_initial_response("scram-sha-256"), "SCRAM sends first (any case)");
	ok(sasl_has_initial_response("SCRAM-SHA-1-PLUS"), "SCRAM-PLUS sends first");
	ok(sasl_has_initial_response("XOAUTH2") && sasl_has_initial_response("OAUTHBEARER") &&
	       sasl_has_initial_response("EXTERNAL"),
	   "token mechanisms send first");
	ok(!sasl_has_initial_response("LOGIN"), "LOGIN waits for a challenge");
	ok(!sasl_has_initial_response("CRAM-MD5"), "CRAM-MD5 waits for a challenge");
}

static struct sasl *client(const char *mech, const char *user, const char *password)
{
	struct sasl_params p = { .mech = mech,
				 .user = user,
				 .password = password,
				 .service = "smtp",
				 .host = "smtp.isp.test" };
	struct error err = { 0 };
	struct sasl *s = sasl_new(&p, &err);

	if (s == NULL)
		diag("sasl_new(%s): %s", mech, err.text);
	return s;
}

/* One step that must succeed; returns the response (freed by caller). */
static char *step(struct sasl *s, const char *challenge)
{
	struct error err = { 0 };
	char *out = NULL;

	if (s == NULL)
		return NULL;
	if (sasl_step(s, challenge, &out, &err) < 0)
		diag("sasl_step: %s", err.text);
	return out;
}

static void test_plain_login_cram(void)
{
	struct sasl *s = client("PLAIN", USER, "secret");
	struct error err = { 0 };
	char *r = step(s, NULL);

	is_str(r, "AHVzZXJAaXNwLnRlc3QAc2VjcmV0", "PLAIN initial response");
	free(r);
	sasl_free(s);

	s = client("LOGIN", USER, "secret");
	r = step(s, "VXNlcm5hbWU6");
	is_str(r, "dXNlckBpc3AudGVzdA==", "LOGIN answers Username: with the user");
	free(r);
	r = step(s, "UGFzc3dvcmQ6");
	is_str(r, "c2VjcmV0", "LOGIN answers Password: with the password");
	free(r);
	r = NULL;
	ok(s != NULL && sasl_step(s, "", &r, &err) == -1 && err.cls == ERROR_AUTH && r == NULL,
	   "LOGIN refuses a third challenge with ERROR_AUTH");
	sasl_free(s);

	s = client("CRAM-MD5", "tim", "tanstaaftanstaaf");
	r = step(s, NULL);
	is_str(r, "", "CRAM-MD5 has an empty initial response");
	free(r);
	r = step(s, "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
	is_str(r, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw", "CRAM-MD5 RFC 2195 vector");
	free(r);
	sasl_free(s);

	s = client("CRAM-MD5", "tim", "tanstaaftanstaaf");
	r = NULL;
	ok(s != NULL && sasl_step(s, "not*base64!", &r, &err) == -1 && err.cls == ERROR_PROTOCOL &&
	       r == NULL,
	   "a challenge that is not base64 is a protocol error");
	for (int i = 1; s != NULL && i < 100; i++) {
		sasl_step(s, "", &r, &err);
		free(r);
	}
	r = NULL;
	ok(s != NULL && sasl_step(s, "", &r, &err) == -1 && err.cls == ERROR_AUTH &&
	       contains(err.text, "after 100 challenges"),
	   "the 101st step is refused");
	sasl_free(s);
	sasl_free(NULL);
}

/* What libgsasl's own client answers for mech with user and password,
 * one base64 response per challenge (the first to NULL: the initial
 * response). */
static char *gsasl_answer(Gsasl_session *ss, const char *challenge_b64)
{
	char *raw = NULL, *b64 = NULL, *in = NULL;
	size_t rawlen = 0, b64len = 0, inlen = 0;
	int rc;

	if (challenge_b64 != NULL && *challenge_b64 != '\0' &&
	    gsasl_base64_from(challenge_b64, strlen(challenge_b64), &in, &inlen) != GSASL_OK)
		return NULL;
	rc = gsasl_step(ss, in, inlen, &raw, &rawlen);
	gsasl_free(in);
	if ((rc == GSASL_OK || rc == GSASL_NEEDS_MORE) &&
	    gsasl_base64_to(raw, rawlen, &b64, &b64len) == GSASL_OK) {
		gsasl_free(raw);
		return b64;
	}
	gsasl_free(raw);
	return NULL;
}

/* PLAIN and LOGIN are relaymail's own: each response must be the one
 * libgsasl's client gives, byte for byte, for names and passwords of
 * every shape. */
static void test_native_like_gsasl(void)
{
	static const char *const creds[][2] = {
		{ "user@isp.test", "secret" },
		{ "u", "" },
		{ "j\xc3\xbcrgen@m\xc3\xbcller.test", "p\xc3\xa4ss w\xc3\xb6rd" },
		{ "a b", "x:y\"z\\" },
		{ "user",
		  "0123456789012345678901234567890123456789012345678901234567890123456789"
		  "0123456789012345678901234567890123456789012345678901234567890123456789" },
	};
	static const char *const mechs[] = { "PLAIN", "LOGIN" };
	Gsasl *ctx;

	if (gsasl_init(&ctx) != GSASL_OK) {
		ok(false, "gsasl_init");
		return;
	}
	for (size_t m = 0; m < 2; m++) {
		for (size_t i = 0; i < sizeof(creds) / sizeof(creds[0]); i++) {
			const char *challenges[] = { "VXNlcm5hbWU6", "UGFzc3dvcmQ6" };
			bool login = m == 1;
			struct sasl *s = client(mechs[m], creds[i][0], creds[i][1]);
			Gsasl_session *ss = NULL;
			bool same = s != NULL;

			if (gsasl_client_start(ctx, mechs[m], &ss) != GSASL_OK)
				same = false;
			else {
				gsasl_property_set(ss, GSASL_AUTHID, creds[i][0]);
				gsasl_property_set(ss, GSASL_PASSWORD, creds[i][1]);
			}
			/* PLAIN: the initial response, then a stray challenge. */
			for (size_t k = 0; same && k < 2; k++) {
				const char *c = login ? challenges[k] : k == 0 ? NULL : "";
				char *ours = step(s, c), *theirs = gsasl_answer(ss, c);

				same = ours != NULL && theirs != NULL && strcmp(ours, theirs) == 0;
				if (!same)
					diag("%s step %zu: ours %s, libgsasl's %s", mechs[m], k,
					     ours ? ours : "(none)", theirs ? theirs : "(none)");
				free(ours);
				gsasl_free(theirs);
			}
			ok(same, "%s for credentials %zu: the same responses as libgsasl's client",
			   mechs[m], i);
			gsasl_finish(ss);
			sasl_free(s);
		}
	}
	gsasl_done(ctx);
}

static void test_new_errors(void)
{
	static const unsigned char cb[] = "0123456789abcdef0123456789abcdef";
	struct sasl_params p = { .mech = "NO-SUCH-MECH", .user = "u", .password = "p" };
	struct error err = { 0 };

	ok(sasl_new(&p, &err) == NULL && err.cls == ERROR_AUTH, "unknown mechanism: ERROR_AUTH");
	p.mech = "SCRAM-SHA-256-PLUS";
	ok(sasl_new(&p, &err) == NULL && err.cls == ERROR_INTERNAL,
	   "PLUS without channel binding data refused");
	p.cb_type = "tls-server-end-point";
	p.cb_data = cb;
	p.cb_len = sizeof(cb) - 1;
	ok(sasl_new(&p, &err) == NULL && contains(err.text, "no known type"),
	   "unknown channel binding type refused");
	p.password = NULL;
	ok(sasl_new(&p, &err) == NULL && err.cls == ERROR_INTERNAL, "missing password refused");
}

struct server {
	const char *password;
	const char *iterations; /* NULL: 64 */
};

static int server_callback(Gsasl *ctx, Gsasl_session *sctx, Gsasl_property prop)
{
	struct server *srv = gsasl_callback_hook_get(ctx);
	const char *user = gsasl_property_fast(sctx, GSASL_AUTHID);

	if (prop == GSASL_PASSWORD && user != NULL && strcmp(user, USER) == 0)
		return gsasl_property_set(sctx, prop, srv->password);
	if (prop == GSASL_SCRAM_ITER) /* fast tests; the count is the server's choice */
		return gsasl_property_set(sctx, prop,
					  srv->iterations != NULL ? srv->iterations : "64");
	return GSASL_NO_CALLBACK;
}

struct scram_case {
	const char *mech;
	const char *client_password, *server_password;
	const char *cb_type;
	const char *client_cb, *server_cb; /* binding bytes, NULL for none */
	bool forge_signature;		   /* replace the server's final message */
	const char *iterations;		   /* the server's count; NULL: 64 */
};

enum outcome { SUCCESS, SERVER_REJECTED, CLIENT_FAILED, BROKEN };

static Gsasl_session *server_start(Gsasl *ctx, const struct scram_case *t)
{
	Gsasl_session *ss = NULL;
	char *b64 = NULL;
	size_t len;

	if (gsasl_server_start(ctx, t->mech, &ss) != GSASL_OK)
		return NULL;
	if (t->server_cb != NULL &&
	    gsasl_base64_to(t->server_cb, strlen(t->server_cb), &b64, &len) == GSASL_OK) {
		gsasl_property_set(ss,
				   strcmp(t->cb_type, "tls-unique") == 0 ? GSASL_CB_TLS_UNIQUE
									 : GSASL_CB_TLS_EXPORTER,
				   b64);
		gsasl_free(b64);
	}
	return ss;
}

/* Drive client and server against each other until one side ends. */
static enum outcome scram_talk(struct sasl *cl, Gsasl_session *ss, const struct scram_case *t,
			       struct error *err)
{
	char *c_out = NULL, *s_out = NULL;
	bool server_done = false;
	enum outcome result = BROKEN;

	for (int round = 0; round < 10 && result == BROKEN; round++) {
		const char *challenge = s_out;
		int rc;

		if (server_done && t->forge_signature) /* "v=" and 32 zero bytes */
			challenge =
			    "dj1BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBPQ==";
		if (sasl_step(cl, challenge, &c_out, err) < 0) {
			result = CLIENT_FAILED;
			break;
		}
		gsasl_free(s_out);
		s_out = NULL;
		if (server_done) {
			result = SUCCESS;
			break;
		}
		rc = gsasl_step64(ss, c_out, &s_out);
		if (rc == GSASL_OK)
			server_done = true;
		else if (rc != GSASL_NEEDS_MORE)
			result = SERVER_REJECTED;
		free(c_out);
		c_out = NULL;
	}
	free(c_out);
	gsasl_free(s_out);
	return result;
}

static enum outcome scram_run(const struct scram_case *t, struct error *err)
{
	struct server srv = { .password = t->server_password, .iterations = t->iterations };
	struct sasl_params p = { .mech = t->mech,
				 .user = USER,
				 .password = t->client_password,
				 .service = "smtp",
				 .host = "smtp.isp.test",
				 .cb_type = t->cb_type,
				 .cb_data = (const unsigned char *)t->client_cb,
				 .cb_len = t->client_cb != NULL ? strlen(t->client_cb) : 0 };
	Gsasl *ctx = NULL;
	Gsasl_session *ss = NULL;
	struct sasl *cl = NULL;
	enum outcome result = BROKEN;

	error_clear(err);
	if (gsasl_init(&ctx) != GSASL_OK)
		return BROKEN;
	gsasl_callback_set(ctx, server_callback);
	gsasl_callback_hook_set(ctx, &srv);
	ss = server_start(ctx, t);
	cl = sasl_new(&p, err);
	if (ss != NULL && cl != NULL)
		result = scram_talk(cl, ss, t, err);
	if (result == SERVER_REJECTED) {
		/* What a SCRAM server reports before its 535 (RFC 5802 §7). */
		char *r = NULL;

		if (sasl_step(cl, "ZT1pbnZhbGlkLXByb29m", &r, err) == 0)
			result = BROKEN;
		free(r);
	}
	sasl_free(cl);
	gsasl_finish(ss);
	gsasl_done(ctx);
	return result;
}

static void test_scram(void)
{
	static const char cb1[] = "fake-tls-exporter-bytes-32-long!";
	static const char cb2[] = "other-tls-exporter-bytes-32-long";
	struct error err = { 0 };
	struct scram_case t;
	const char *mech[] = { "SCRAM-SHA-256", "SCRAM-SHA-1" };

	for (int i = 0; i < 2; i++) {
		t = (struct scram_case){ .mech = mech[i],
					 .client_password = "secret",
					 .server_password = "secret" };
		is_int(scram_run(&t, &err), SUCCESS, "%s round trip succeeds", mech[i]);
		t.client_password = "wrong";
		is_int(scram_run(&t, &err), SERVER_REJECTED, "%s wrong password rejected", mech[i]);
		is_int(err.cls, ERROR_AUTH, "%s server error ends in ERROR_AUTH", mech[i]);
	}
	t = (struct scram_case){ .mech = "SCRAM-SHA-256",
				 .client_password = "secret",
				 .server_password = "secret",
				 .forge_signature = true };
	is_int(scram_run(&t, &err), CLIENT_FAILED, "forged server signature detected");
	ok(err.cls == ERROR_AUTH && contains(err.text, "SCRAM-SHA-256"),
	   "forged signature is ERROR_AUTH naming the mechanism");

	t = (struct scram_case){ .mech = "SCRAM-SHA-256-PLUS",
				 .client_password = "secret",
				 .server_password = "secret",
				 .cb_type = "tls-exporter",
				 .client_cb = cb1,
				 .server_cb = cb1 };
	is_int(scram_run(&t, &err), SUCCESS, "SCRAM-SHA-256-PLUS with matching binding succeeds");
	t.server_cb = cb2;
	is_int(scram_run(&t, &err), SERVER_REJECTED, "different channel binding rejected");
	t = (struct scram_case){ .mech = "SCRAM-SHA-1-PLUS",
				 .client_password = "secret",
				 .server_password = "secret",
				 .cb_type = "tls-unique",
				 .client_cb = cb1,
				 .server_cb = cb1 };
	is_int(scram_run(&t, &err), SUCCESS, "SCRAM-SHA-1-PLUS with tls-unique succeeds");
	t = (struct scram_case){ .mech = "SCRAM-SHA-256",
				 .client_password = "secret",
				 .server_password = "secret",
				 .cb_type = "tls-exporter",
				 .client_cb = cb1 };
	is_int(scram_run(&t, &err), SUCCESS, "plain SCRAM ignores available binding data");
}

static double seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A hostile server-first message: the client's nonce extended, a salt,
 * and the iteration count given. The step's result; *elapsed in s. */
static int scram_hostile(const char *mech, const char *count, struct error *err, double *elapsed)
{
	struct sasl *s = client(mech, USER, "secret");
	char *first = step(s, NULL), *raw = NULL, *text = NULL, *msg = NULL, *b64 = NULL,
	     *out = NULL;
	size_t rawlen = 0, b64len = 0;
	const char *nonce;
	double t0;
	int rc = -2;

	/* The client-first message, not NUL-terminated as decoded. */
	if (first != NULL && gsasl_base64_from(first, strlen(first), &raw, &rawlen) == GSASL_OK &&
	    (text = strndup(raw, rawlen)) != NULL && (nonce = strstr(text, ",r=")) != NULL &&
	    asprintf(&msg, "r=%sServerPart,s=c2FsdHNhbHQ=,i=%s", nonce + 3, count) > 0 &&
	    gsasl_base64_to(msg, strlen(msg), &b64, &b64len) == GSASL_OK) {
		t0 = seconds_now();
		rc = sasl_step(s, b64, &out, err);
		*elapsed = seconds_now() - t0;
	}
	free(out);
	free(first);
	free(msg);
	free(text);
	gsasl_free(raw);
	gsasl_free(b64);
	sasl_free(s);
	return rc;
}

/* RFC 5802 §9: the iteration count is the server's to choose, so a
 * hostile one is refused before any hashing, and fast. */
static void test_scram_iterations(void)
{
	static const char *const bad[] = {
		"2147483647", "4294967296", "99999999999999999999999999999999999999",
		"100001",     "0",	    "",
		"-1",	      " 4096",	    "+4096",
		"4096x"
	};
	const char *mech[] = { "SCRAM-SHA-256", "SCRAM-SHA-1" };
	struct error err = { 0 };
	struct scram_case t;
	double elapsed = 99;

	for (int i = 0; i < 2; i++) {
		error_clear(&err);
		is_int(scram_hostile(mech[i], "2147483647", &err, &elapsed), -1,
		       "%s: i=2147483647 refused", mech[i]);
		ok(elapsed < 0.5, "%s: refused at once (%.3f s), no hashing", mech[i], elapsed);
		is_int(err.cls, ERROR_AUTH, "%s: a too large count is ERROR_AUTH", mech[i]);
		ok(contains(err.text, "the relay asked for 2147483647 SCRAM iterations; relaymail "
				      "computes at most 100000"),
		   "%s: the error names the relay's count and the cap", mech[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		error_clear(&err);
		ok(scram_hostile("SCRAM-SHA-256", bad[i], &err, &elapsed) == -1 &&
		       err.cls == ERROR_AUTH && contains(err.text, "SCRAM iterations"),
		   "i=\"%s\" refused before libgsasl sees it", bad[i]);
	}
	ok(strchr(err.text, '\n') == NULL, "the error is one line");
	t = (struct scram_case){ .mech = "SCRAM-SHA-256",
				 .client_password = "secret",
				 .server_password = "secret",
				 .iterations = "100000" };
	is_int(scram_run(&t, &err), SUCCESS, "i=100000, the cap, still authenticates");
	t.iterations = "4096";
	is_int(scram_run(&t, &err), SUCCESS, "i=4096, what servers use, authenticates");
	t.iterations = "100001";
	is_int(scram_run(&t, &err), CLIENT_FAILED, "a real server asking for 100001 is refused");
}

int main(void)
{
	test_options();
	test_choose_table();
	test_choose_errors();
	test_choose_odd_input();
	test_choose_filter_files_and_errors();
	test_initial_response_table();
	test_plain_login_cram();
	test_native_like_gsasl();
	test_new_errors();
	test_scram();
	test_scram_iterations();
	return tap_done();
}
