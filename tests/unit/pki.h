/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The private PKI of the TLS tests, made afresh in a temporary directory
 * for each run: a CA and an unrelated one, a server certificate for
 * localhost and mx.relay.invalid (valid, expired and self-signed), and a
 * client certificate signed by the CA, as GnuTLS objects and PEM files. */
#ifndef RELAYMAIL_TESTS_PKI_H
#define RELAYMAIL_TESTS_PKI_H

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stddef.h>

struct pki {
	gnutls_x509_privkey_t key; /* one key for every certificate: fast */
	gnutls_x509_privkey_t other_key;
	gnutls_x509_crt_t ca, other_ca, leaf, expired, selfsigned, client;
	char dir[64], ca_file[96], other_ca_file[96], empty_file[96], client_file[96], key_file[96],
	    missing_file[96], empty_dir[96];
};
extern struct pki pki;

/* When r is a GnuTLS error: say what failed and exit 99, a hard error. */
void pki_must(int r, const char *what);
/* path holds exactly data[0..len), or the program exits 99. */
void pki_write_file(const char *path, const void *data, size_t len);
/* Make every object and file of pki; pki_free removes them. */
void pki_make(void);
void pki_free(void);

#endif
