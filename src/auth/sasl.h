/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SASL client (our own PLAIN, LOGIN, XOAUTH2 and OAUTHBEARER, GNU
 * libgsasl for the rest): mechanism choice under Postfix's policy
 * options, and the challenge/response steps in base64 as SMTP AUTH
 * carries them (RFC 4954). */
#ifndef RELAYMAIL_AUTH_SASL_H
#define RELAYMAIL_AUTH_SASL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

struct sasl;
struct matchlist;

/* smtp_sasl_*security_options (reference/postfix.md §5.3). */
enum sasl_option {
	SASL_NOPLAINTEXT = 1 << 0,
	SASL_NOACTIVE = 1 << 1,
	SASL_NODICTIONARY = 1 << 2,
	SASL_NOANONYMOUS = 1 << 3,
	SASL_MUTUAL_AUTH = 1 << 4,
};

/* Parse an option list ("noplaintext, noanonymous"; commas or blanks,
 * any case; forward_secrecy is accepted and ignored); -1 with ERROR_CONFIG
 * naming the bad word. */
int sasl_options_parse(const char *list, unsigned *out, struct error *err);

struct sasl_choice {
	const char *offered;		/* mechanisms from EHLO AUTH, space separated */
	const struct matchlist *filter; /* smtp_sasl_mechanism_filter opened
					 * (conf/matchlist.h), messages show its
					 * text; NULL when the parameter is
					 * empty: no filter, as in Postfix */
	unsigned options;		/* the option set for this connection's security */
	bool tls;			/* the session is encrypted: PLAIN/LOGIN may go */
	bool channel_binding;		/* -PLUS mechanisms possible */
	bool oauth;			/* a token command is configured: XOAUTH2 and
					 * OAUTHBEARER may be used */
	const char *options_name;	/* parameter the options came from, for the
					 * error text; NULL: smtp_sasl_security_options
					 * without TLS, smtp_sasl_tls_security_options
					 * with TLS */
};

/* The strongest mechanism allowed (OAUTHBEARER, XOAUTH2, SCRAM-SHA-256-PLUS,
 * SCRAM-SHA-1-PLUS, SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, PLAIN, LOGIN)
 * that the relay offered, the filter keeps, the options allow (Cyrus
 * property table, reference/postfix.md §5.3) and the installed libgsasl
 * supports. The two OAuth mechanisms only with c->oauth, and first then:
 * a configured token command says how this user authenticates. They are
 * of PLAIN's class (the token is a password). Credentials never go in
 * cleartext: without TLS, PLAIN, LOGIN, XOAUTH2 and OAUTHBEARER are never
 * chosen; with TLS, noplaintext is ignored (TLS protects the password).
 * -PLUS only with channel_binding. The filter keeps what it matches
 * (matchlist_match), so a filter that matches nothing, or holds no
 * pattern, keeps nothing, as in Postfix. When nothing fits: ERROR_AUTH
 * whose text lists what the relay offered, what the policy allowed and
 * the parameters involved. A filter lookup that fails is that error
 * instead (its class kept, e.g. ERROR_CONFIG), naming the mechanism. */
int sasl_choose(const struct sasl_choice *c, char *mech, size_t mechsize, struct error *err);

struct sasl_params {
	const char *mech;
	const char *user;
	const char *password;
	const char *service; /* "smtp" */
	const char *host;    /* server host name */
	unsigned port;	     /* server port (OAUTHBEARER); 0: not sent */
	const char *token;   /* bearer token for XOAUTH2/OAUTHBEARER: a secret */
	const char *cb_type; /* "tls-exporter" / "tls-unique" / NULL */
	const unsigned char *cb_data;
	size_t cb_len;
};

/* A client session for p->mech; user, password and mech are required,
 * service and host are passed on when set. -PLUS mechanisms need cb_type
 * and cb_data. XOAUTH2 and OAUTHBEARER need token instead of password
 * (host and port go into OAUTHBEARER's response). NULL with ERROR_AUTH
 * (mechanism unknown to libgsasl; a user name or token that cannot be
 * sent) or ERROR_INTERNAL. */
struct sasl *sasl_new(const struct sasl_params *p, struct error *err);
/* The most SCRAM iterations ("i=") a relay may ask for. Servers use 4096
 * (RFC 7677 §4's minimum; Dovecot's, Cyrus SASL's and GNU SASL's
 * default); at the cap one step hashes for about 0.1 s. */
#define SASL_SCRAM_ITERATIONS_MAX 100000

/* One step. challenge_b64: the 334 text, NULL for the initial response.
 * *response_b64: malloc'd base64 ("" for an empty response); caller frees
 * (it is a secret: wipe it). 0 ok, -1 with ERROR_AUTH (the mechanism
 * failed, e.g. a SCRAM server signature did not verify, a SCRAM
 * iteration count that is not a number from 1 to
 * SASL_SCRAM_ITERATIONS_MAX (refused before any hashing), or more than
 * 100 steps), ERROR_PROTOCOL (challenge not base64) or ERROR_INTERNAL. */
int sasl_step(struct sasl *s, const char *challenge_b64, char **response_b64, struct error *err);
/* Mechanisms whose client sends data first (initial response). */
bool sasl_has_initial_response(const char *mech);
/* XOAUTH2 or OAUTHBEARER: the caller must get a token for sasl_params. */
bool sasl_is_oauth(const char *mech);
/* What the relay said when it refused an OAuth token (its error JSON,
 * printable), for the failure message; "" otherwise. */
const char *sasl_failure_detail(const struct sasl *s);
void sasl_free(struct sasl *s);

#endif
