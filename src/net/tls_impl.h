/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Inside the TLS adapter, shared by tls.c (credentials, session, handshake,
 * I/O) and tls_verify.c (what the peer presented, checked against the
 * configuration). Part of the adapter: nothing else includes this header,
 * because it brings GnuTLS with it. */
#ifndef RELAYMAIL_NET_TLS_IMPL_H
#define RELAYMAIL_NET_TLS_IMPL_H

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "net/conn.h"
#include "net/tls.h"
#include "net/tls_io.h"

struct tls {
	gnutls_session_t session;
	gnutls_certificate_credentials_t cred;
	bool cred_shared; /* cred is the process's trust cache's, not ours to free */
	const struct conn *conn;
	struct tls_io io; /* the socket, buffered both ways */
	bool established;
	gnutls_x509_crt_t peer; /* the server's own certificate, parsed by
				 * tls_peer_leaf when first needed; NULL until then */
	bool peer_tried;	/* tls_peer_leaf ran (peer NULL: none to parse) */
};

/* The digest a fingerprint check will use (*alg), with every configured
 * fingerprint checked against its length: ERROR_CONFIG for an unknown
 * digest, a malformed fingerprint or none at all. Only for
 * TLS_VERIFY_FINGERPRINT; called before any byte is sent. */
int tls_verify_setup(const struct tls_params *p, gnutls_digest_algorithm_t *alg, struct error *err);
/* After the handshake: the check p->verify asks for (nothing for
 * TLS_VERIFY_NONE); ERROR_TEMP with the reason when the peer fails it. */
int tls_verify_peer(struct tls *t, const struct tls_params *p, gnutls_digest_algorithm_t alg,
		    enum tls_problem *problem, struct error *err);
/* The peer's certificate number idx (0 = the server's own), or NULL; the
 * caller deinits it. *count, when count is not NULL, is the chain length. */
gnutls_x509_crt_t tls_peer_cert(const struct tls *t, unsigned idx, unsigned *count);
/* The server's own certificate, parsed on the first call and kept with
 * the session (freed with it); NULL when it sent none or it does not
 * parse. Most runs need none: the chain and a single name are checked by
 * GnuTLS on its own copy (tls_verify.c). */
gnutls_x509_crt_t tls_peer_leaf(struct tls *t);
/* The subject (issuer: the issuer) DN of crt, printable, into out; "?"
 * when it cannot be read. */
void tls_cert_dn(gnutls_x509_crt_t crt, bool issuer, char *out, size_t size);

#endif
