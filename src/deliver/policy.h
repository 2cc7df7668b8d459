/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Per-destination policy from the configuration: the TLS level and what it
 * means for the session and the certificate check (DESIGN.md, TLS by
 * default), the SASL credentials and their lookup keys for each server
 * connected to (postfix.md §5.2), and the stage timeouts. */
#ifndef RELAYMAIL_DELIVER_POLICY_H
#define RELAYMAIL_DELIVER_POLICY_H

#include <stdbool.h>

#include "base/error.h"
#include "conf/config.h"
#include "conf/table.h"
#include "deliver/route.h"
#include "net/conn.h"
#include "net/tls.h"
#include "smtp/session.h"

#define POLICY_TLS_NAMES_MAX 8

struct tls_policy {
	enum session_tls mode;
	enum tls_verify verify;
	const char *level;	  /* as configured, or "(default)" */
	bool explicit_unverified; /* may/encrypt set explicitly: warn when AUTH goes unverified */
	char *names[POLICY_TLS_NAMES_MAX]; /* certificate names accepted (verify, secure) */
	size_t nnames;
	char *sni;
	char **fingerprints; /* from smtp_tls_fingerprint_cert_match */
	char priority[128];
};

/* ERROR_CONFIG for unknown levels, dane, wrapper mode without encryption. */
int policy_tls(const struct config *cfg, const struct destination *d, struct tls_policy *p,
	       struct error *err);
void policy_tls_fini(struct tls_policy *p);
/* tls_params pointing into p and cfg (valid while both are). */
void policy_tls_params(const struct config *cfg, const struct tls_policy *p,
		       struct tls_params *out);

struct credentials {
	char *user;
	char *password;
	/* The key that found them: points into d, host or d's sender keys
	 * (see policy_credentials), so it lives as long as they do. */
	const char *key;
};

/* The server host name of postfix.md §5.2 step 2 for an address of d: the
 * exchanger that address belongs to (addr->host) for an MX destination,
 * else d->host (also when addr is NULL or names no host). */
const char *policy_server_host(const struct destination *d, const struct net_addr *addr);
/* Look up the sender keys of d (smtp_sender_dependent_authentication),
 * then host (policy_server_host), then the destination as configured
 * (postfix.md §5.2, §9.3). passwords NULL: none (0).
 * 1 found, 0 none, -1 error (table error, or a value without ':'). */
int policy_credentials(const struct maps *passwords, const struct destination *d, const char *host,
		       struct credentials *c, struct error *err);
void credentials_wipe(struct credentials *c);

struct timeouts {
	long connect, helo, starttls, mail, rcpt, data_init, data_xfer, data_done, quit; /* ms */
};

int policy_timeouts(const struct config *cfg, struct timeouts *t, struct error *err);
/* Milliseconds allowed for one read or write in a stage. */
long policy_stage_timeout(const struct timeouts *t, enum session_stage stage);

#endif
