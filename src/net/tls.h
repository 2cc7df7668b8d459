/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TLS client over a struct conn, the interface of the GnuTLS adapter
 * (tls.c and tls_verify.c). Trust anchors are loaded only when
 * verification needs them. */
#ifndef RELAYMAIL_NET_TLS_H
#define RELAYMAIL_NET_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/deadline.h"
#include "base/error.h"
#include "net/conn.h"

enum tls_verify {
	TLS_VERIFY_NONE,	/* encrypt only: may, encrypt */
	TLS_VERIFY_CHAIN_NAME,	/* verify, secure: chain to a trust anchor and name match */
	TLS_VERIFY_FINGERPRINT, /* fingerprint: certificate or public key digest */
};

struct tls_params {
	enum tls_verify verify;
	const char *const *match_names; /* names accepted for the certificate (A-labels);
					 * ".example.com" accepts any name below it */
	size_t nmatch_names;
	const char *sni;    /* server name to send; NULL: none */
	const char *cafile; /* both empty or NULL: the system trust store */
	const char *capath;
	const char *cert_file; /* client certificate, NULL: none */
	const char *key_file;
	const char *priority; /* GnuTLS priority string; NULL: TLS 1.2+ default */
	const char *digest;   /* fingerprint digest: sha256 (default), sha1, md5, sha512 */
	const char *const *fingerprints; /* hex, colons optional, any case */
	size_t nfingerprints;
	bool describe; /* tls_info gets the certificate's names even when it
			* passes (-v); a failure always gets them */
};

/* Why a certificate did not pass (tls_info.problem). */
enum tls_problem {
	TLS_PROBLEM_NONE,
	TLS_PROBLEM_ISSUER,	 /* no trust anchor issued it (signer not found, not a CA) */
	TLS_PROBLEM_NAME,	 /* trusted, but not for the names wanted */
	TLS_PROBLEM_FINGERPRINT, /* not one of the fingerprints */
	TLS_PROBLEM_OTHER,	 /* expired, revoked, insecure, ... */
};

struct tls_info {
	char version[16]; /* "TLSv1.3" */
	char cipher[96];  /* GnuTLS cipher suite name */
	unsigned bits;
	bool verified;		/* the certificate was checked and matched */
	char peer_subject[256]; /* "" unless params.describe or a failure */
	char peer_issuer[256];
	enum tls_problem problem; /* set when tls_start failed on the certificate */
};

/* Handshake over c (ERROR_TEMP on failure: handshake, verification with
 * the reason, e.g. "certificate verification failed for HOST: signer not
 * found"; ERROR_CONFIG when a file of ours is unusable). On success every
 * later conn_read/conn_write of c goes through TLS. After a failed
 * verification the session stays attached (QUIT may still go over it);
 * after a failed handshake the connection is unusable. */
int tls_start(struct conn *c, const struct tls_params *p, struct deadline dl, struct tls_info *info,
	      struct error *err);
/* Channel binding data for SCRAM-PLUS: "tls-exporter" (TLS 1.3) or
 * "tls-unique" (TLS 1.2). *len is the size of out on entry and the count
 * written on return; -1 when not available or out is too small. */
int tls_channel_binding(const struct conn *c, const char *type, unsigned char *out, size_t *len);
/* Which channel binding type fits the negotiated protocol, or NULL. */
const char *tls_channel_binding_type(const struct conn *c);

/* Checks of TLS settings made at start, before anything connects, so that
 * a bad value is a configuration error and not a failed attempt; they read
 * only what they are given, never the system trust store. The file checks
 * return 0, or -1 with ERROR_CONFIG and a sentence naming the file and why
 * it is unusable (the caller adds the parameter and where it was set), or
 * ERROR_INTERNAL when GnuTLS cannot allocate. NULL or empty passes: it
 * means the system trust store, or no client certificate. */

/* A CA file (tls_params.cafile) must be a readable regular file (or a
 * link to one) holding a certificate GnuTLS loads: "cannot read CA file F:
 * <errno text, or: not a regular file>", "cannot load CA file F: <GnuTLS
 * reason>", "CA file F holds no certificates". */
int tls_check_cafile(const char *file, struct error *err);
/* A CA directory (tls_params.capath) must be readable and hold a file with
 * a certificate GnuTLS loads; the first such file settles it: "cannot read
 * CA directory D: <errno text>", "CA directory D holds no certificates". */
int tls_check_capath(const char *dir, struct error *err);
/* A client certificate and its key (key NULL or empty: in the certificate's
 * file, as tls_params.key_file), both readable regular files, must load
 * and belong together: "cannot read client certificate C: <why>", "cannot
 * read client key K: <why>" (why as for the CA file), "cannot load client
 * certificate C with key K: <GnuTLS reason>" (the reason says when the key
 * is not the certificate's). */
int tls_check_keypair(const char *cert, const char *key, struct error *err);
/* True when tls_params.digest may be name: sha256, sha1, md5, sha512,
 * sha224 or sha384 in any case; NULL or empty too (the default, sha256). */
bool tls_digest_known(const char *name);
/* True when text, one fingerprint of smtp_tls_fingerprint_cert_match, is
 * one tls_start would compare under digest (as tls_params.digest): hex
 * byte pairs in any case, colons between the pairs optional, exactly as
 * many bytes as the digest has. False when the digest is unknown. */
bool tls_fingerprint_valid(const char *text, const char *digest);
/* PBKDF2-HMAC-SHA-256 (RFC 8018) of the password with salt, iter rounds,
 * into out[TLS_PBKDF2_LEN]: the one key derivation of the project
 * (deliver/authcache.c), from the one crypto library. -1 on failure. */
#define TLS_PBKDF2_LEN 32
int tls_pbkdf2(const char *password, const unsigned char *salt, size_t saltlen, unsigned iter,
	       unsigned char out[TLS_PBKDF2_LEN]);

/* Used by conn.c: I/O through the TLS layer, and teardown. */
ssize_t tls_read(struct tls *t, void *p, size_t n, struct deadline dl, struct error *err);
int tls_write(struct tls *t, const void *p, size_t n, struct deadline dl, struct error *err);
size_t tls_pending(const struct tls *t);
void tls_free(struct tls *t);

#endif
