/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The relay transport policy, parsed once from the configuration at start
 * (policy_load): the TLS level and what it means for the session and the
 * certificate check (DESIGN.md, TLS by default), SASL (password tables,
 * security options, mechanism filter, OAuth token command), the stage
 * timeouts, DNS use, source addresses and the HELO name. Each value is
 * checked then, whether or not a message will need it; what is left for
 * later is only what depends on the destination: certificate names, SNI
 * and the credentials for the server connected to (postfix.md §5.2). */
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
#define POLICY_ADDRESS_MAX 16 /* addresses tried per destination, at most */
#define POLICY_PRIORITY_MAX 512

/* smtp_tls_* as a whole. */
struct tls_settings {
	const char *level; /* as configured ("verify"), "(default)" when unset */
	enum session_tls mode;
	enum tls_verify verify;
	bool explicit_unverified; /* may/encrypt set explicitly: warn when AUTH goes unverified */
	bool wrapper_set;	  /* smtp_tls_wrappermode set: no port 465 rule (policy_tls) */
	bool wrapper;		  /* its value */
	/* GnuTLS priority of the protocols parameter the level uses
	 * (smtp_tls_protocols at may, smtp_tls_mandatory_protocols above). */
	char priority[POLICY_PRIORITY_MAX];
	/* The cert match list of the level (smtp_tls_verify_cert_match, at
	 * secure smtp_tls_secure_cert_match); NULL when nothing is matched. */
	char **match;
	char **match_verify, **match_secure; /* both lists, for smtp_tls_policy_maps */
	char may_priority[POLICY_PRIORITY_MAX], mandatory_priority[POLICY_PRIORITY_MAX];
	/* The same without the cipher exclusions, which an smtp_tls_policy_maps
	 * entry's exclude= replaces (Postfix's set_cipher_grade). */
	char may_protocols[POLICY_PRIORITY_MAX], mandatory_protocols[POLICY_PRIORITY_MAX];
	struct maps *policy_maps; /* smtp_tls_policy_maps; NULL: none */
	const char *policy_where;
	const char *servername; /* smtp_tls_servername */
	const char *cafile, *capath;
	const char *cert_file, *key_file; /* NULL: no client certificate */
	const char *digest;		  /* smtp_tls_fingerprint_digest */
	char **fingerprints;		  /* smtp_tls_fingerprint_cert_match */
};

/* Which of the three smtp_sasl_*security_options applies. */
enum sasl_security {
	SASL_SECURITY_PLAIN,	/* no TLS: smtp_sasl_security_options */
	SASL_SECURITY_TLS,	/* smtp_sasl_tls_security_options */
	SASL_SECURITY_VERIFIED, /* smtp_sasl_tls_verified_security_options */
};

struct sasl_settings {
	struct maps *passwords;	  /* NULL: smtp_sasl_auth_enable = no */
	unsigned options[3];	  /* by enum sasl_security */
	struct matchlist *filter; /* smtp_sasl_mechanism_filter opened; NULL: empty */
	const char *token_command;
	long token_timeout; /* ms */
	char delimiter;	    /* smtp_sasl_password_result_delimiter */
	/* smtp_sasl_auth_cache_name's file (deliver/authcache.h); NULL: no
	 * cache. Its entries last smtp_sasl_auth_cache_time (s). */
	const char *auth_cache;
	long auth_cache_ttl;
};

struct timeouts {
	long connect, helo, starttls, mail, rcpt, data_init, data_xfer, data_done, quit; /* ms */
};

/* How the walk treats what relays answer. */
struct answer_settings {
	bool soft_bounce;	 /* a permanent refusal is reported as temporary */
	bool auth_soft_bounce;	 /* smtp_sasl_auth_soft_bounce: a refused password too */
	bool greeting_5xx_final; /* smtp_skip_5xx_greeting = no */
	unsigned discard;	 /* smtp_discard_ehlo_keywords (enum caps_keyword) */
	/* Postfix's note of them for each EHLO, "PIPELINING SIZE"; empty when
	 * none are listed or silent-discard is. */
	char discard_note[160];
	unsigned long tls_loglevel; /* smtp_tls_loglevel: 0 logs no TLS summary */
	bool note_starttls;	    /* smtp_tls_note_starttls_offer */
	enum session_hello hello;   /* smtp_never_send_ehlo, smtp_always_send_ehlo */
};

struct policy {
	struct tls_settings tls;
	struct sasl_settings sasl;
	struct timeouts timeouts;
	struct answer_settings answers;
	struct net_bind bind;
	const char *helo_name;
	bool mx_lookups;		/* smtp_dns_support_level, disable_dns_lookups */
	int address_limit;		/* smtp_mx_address_limit, 1..POLICY_ADDRESS_MAX */
	int session_limit;		/* smtp_mx_session_limit; 0: none */
	enum net_family family, prefer; /* inet_protocols, smtp_address_preference */
	const struct config *cfg;	/* where each parameter was set, for hints */
	struct matchlist *debug_peers;	/* debug_peer_list; NULL: empty */
	unsigned long debug_level;	/* debug_peer_level, 1 or more */
};

/* Parse every parameter above from cfg (which must outlive p; strings
 * point into it) and open the password tables. -1 with ERROR_CONFIG naming
 * the parameter, where it was set and what is allowed; a table that
 * cannot be opened keeps its own error. */
int policy_load(const struct config *cfg, struct policy *p, struct error *err);
void policy_fini(struct policy *p); /* harmless on a zeroed policy */

/* The relay (host name and address as the mail log names them) is in
 * debug_peer_list: its attempt's SMTP dialogue goes to the mail log. A
 * table that fails gives a warning and false. */
bool policy_debug_peer(const struct policy *p, const char *host, const char *addr);

/* What the TLS settings mean for destination d. Valid while p lives. */
struct tls_policy {
	enum session_tls mode;
	enum tls_verify verify;
	const char *level;
	bool explicit_unverified;
	char *names[POLICY_TLS_NAMES_MAX]; /* certificate names accepted (verify, secure) */
	size_t nnames;
	char *sni;
	const char *priority;
	/* From an smtp_tls_policy_maps entry (postfix.md §6.4), when one
	 * applies: the entry as found, the key that found it, and what its
	 * attributes set for this destination alone. */
	char *entry;
	char entry_key[300];
	char *fingerprints[POLICY_TLS_NAMES_MAX]; /* match= at fingerprint; [0] NULL: main.cf's */
	char priority_buf[POLICY_PRIORITY_MAX];	  /* protocols=, exclude= */
};

/* The policy for d: main.cf's, or the smtp_tls_policy_maps entry for it.
 * -1 when out of memory, or ERROR_CONFIG for a table that fails or an
 * entry that cannot be used (naming the entry, the key and the table). */
int policy_tls(const struct policy *p, const struct destination *d, struct tls_policy *out,
	       struct error *err);
void policy_tls_fini(struct tls_policy *t);
/* tls_params pointing into t and p (valid while both are). */
void policy_tls_params(const struct policy *p, const struct tls_policy *t, struct tls_params *out);

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
/* The same, the user name and the password split at delim (Postfix's
 * smtp_sasl_password_result_delimiter; policy_credentials uses ':'). */
int policy_credentials_split(const struct maps *passwords, char delim, const struct destination *d,
			     const char *host, struct credentials *c, struct error *err);
void credentials_wipe(struct credentials *c);

/* inet_protocols, checked (policy_load and the locality read it). */
int policy_inet_protocols(const struct config *cfg, enum net_family *out, struct error *err);
/* The stage timeouts alone (policy_load reads them with the rest). */
int policy_timeouts(const struct config *cfg, struct timeouts *t, struct error *err);
/* Milliseconds allowed for one read or write in a stage. */
long policy_stage_timeout(const struct timeouts *t, enum session_stage stage);

/* policy_tls.c, for policy_load: the smtp_tls_* parameters. */
int policy_tls_load(const struct config *cfg, struct tls_settings *t, struct error *err);
/* smtp_tls_ciphers, smtp_tls_mandatory_ciphers checked; the cipher
 * exclusions appended to the GnuTLS priority strings may and mandatory
 * (each of size bytes). ERROR_CONFIG naming the parameter. */
int policy_ciphers(const struct config *cfg, char *may, char *mandatory, size_t size,
		   struct error *err);
/* Append to out (of size bytes) the removals for OpenSSL cipher names
 * separated by colons, commas or blanks (exclude= of a policy table
 * entry); -1 when they do not fit. */
int policy_exclude(const char *names, char *out, size_t size);
void policy_tls_settings_fini(struct tls_settings *t);

#endif
