/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SASL client (GNU libgsasl; the one file that includes it): mechanism
 * choice under Postfix's policy options, and the challenge/response steps
 * in base64 as SMTP AUTH carries them (RFC 4954). */
#ifndef RELAYMAIL_AUTH_SASL_H
#define RELAYMAIL_AUTH_SASL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

struct sasl;

/* smtp_sasl_*security_options (reference/postfix.md §5.3). */
enum sasl_option {
	SASL_NOPLAINTEXT = 1 << 0,
	SASL_NOACTIVE = 1 << 1,
	SASL_NODICTIONARY = 1 << 2,
	SASL_NOANONYMOUS = 1 << 3,
	SASL_MUTUAL_AUTH = 1 << 4,
};

/* Parse an option list ("noplaintext, noanonymous"); -1 with ERROR_CONFIG
 * naming the bad word. */
int sasl_options_parse(const char *list, unsigned *out, struct error *err);

struct sasl_choice {
	const char *offered;   /* mechanisms from EHLO AUTH, space separated */
	const char *filter;    /* smtp_sasl_mechanism_filter, "" = none */
	unsigned options;      /* the option set for this connection's security */
	bool tls;              /* the session is encrypted: PLAIN/LOGIN may go */
	bool channel_binding;  /* -PLUS mechanisms possible */
};

/* The strongest mechanism allowed (SCRAM-SHA-256-PLUS, SCRAM-SHA-1-PLUS,
 * SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, PLAIN, LOGIN). Credentials never
 * go in cleartext: without TLS, PLAIN and LOGIN are never chosen. When
 * nothing fits: ERROR_AUTH whose text lists what the relay offered and
 * what the policy allowed. */
int sasl_choose(const struct sasl_choice *c, char *mech, size_t mechsize, struct error *err);

struct sasl_params {
	const char *mech;
	const char *user;
	const char *password;
	const char *service;   /* "smtp" */
	const char *host;      /* server host name */
	const char *cb_type;   /* "tls-exporter" / "tls-unique" / NULL */
	const unsigned char *cb_data;
	size_t cb_len;
};

struct sasl *sasl_new(const struct sasl_params *p, struct error *err);
/* One step. challenge_b64: the 334 text, NULL for the initial response.
 * *response_b64: malloc'd base64 ("" for an empty response); caller frees
 * (it is a secret: wipe it). 0 ok, -1 with ERROR_AUTH. */
int sasl_step(struct sasl *s, const char *challenge_b64, char **response_b64, struct error *err);
/* Mechanisms whose client sends data first (initial response). */
bool sasl_has_initial_response(const char *mech);
void sasl_free(struct sasl *s);

#endif
