/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The TLS tests' private PKI: keys, certificates and their files, made
 * with GnuTLS itself so that no tool is needed at test time. */
#include <config.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pki.h"

#define DAY (24 * 60 * 60)

struct pki pki;

void pki_must(int r, const char *what)
{
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", what, gnutls_strerror(r));
		exit(99);
	}
}

static gnutls_x509_privkey_t make_key(void)
{
	gnutls_x509_privkey_t k;

	pki_must(gnutls_x509_privkey_init(&k), "privkey_init");
	pki_must(gnutls_x509_privkey_generate(k, GNUTLS_PK_ECDSA,
					      GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
		 "privkey_generate");
	return k;
}

/* A certificate for cn (and DNS names sans, NULL-terminated), signed by
 * issuer (NULL: self-signed), valid from..until. */
static gnutls_x509_crt_t make_cert(gnutls_x509_privkey_t key, const char *cn,
				   const char *const *sans, bool ca, time_t from, time_t until,
				   gnutls_x509_crt_t issuer, gnutls_x509_privkey_t issuer_key)
{
	static unsigned char serial = 1;
	gnutls_x509_crt_t c;

	pki_must(gnutls_x509_crt_init(&c), "crt_init");
	pki_must(gnutls_x509_crt_set_version(c, 3), "set_version");
	serial++;
	pki_must(gnutls_x509_crt_set_serial(c, &serial, 1), "set_serial");
	pki_must(gnutls_x509_crt_set_activation_time(c, from), "activation");
	pki_must(gnutls_x509_crt_set_expiration_time(c, until), "expiration");
	pki_must(gnutls_x509_crt_set_dn_by_oid(c, GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen(cn)),
		 "set_dn");
	pki_must(gnutls_x509_crt_set_key(c, key), "set_key");
	pki_must(gnutls_x509_crt_set_basic_constraints(c, ca, -1), "basic_constraints");
	pki_must(gnutls_x509_crt_set_key_usage(c, ca ? GNUTLS_KEY_KEY_CERT_SIGN
						     : GNUTLS_KEY_DIGITAL_SIGNATURE),
		 "key_usage");
	for (; sans != NULL && *sans != NULL; sans++)
		pki_must(gnutls_x509_crt_set_subject_alt_name(c, GNUTLS_SAN_DNSNAME, *sans,
							      strlen(*sans), GNUTLS_FSAN_APPEND),
			 "san");
	pki_must(gnutls_x509_crt_sign2(c, issuer ? issuer : c, issuer_key ? issuer_key : key,
				       GNUTLS_DIG_SHA256, 0),
		 "sign");
	return c;
}

void pki_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(99);
	}
}

static void write_cert(const char *path, gnutls_x509_crt_t crt)
{
	gnutls_datum_t pem;

	pki_must(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem), "export");
	pki_write_file(path, pem.data, pem.size);
	gnutls_free(pem.data);
}

void pki_make(void)
{
	static const char *const leaf_names[] = { "localhost", "mx.relay.invalid", NULL };
	static const char *const client_names[] = { "client.invalid", NULL };
	const char *tmp = getenv("TMPDIR");
	time_t now = time(NULL);
	gnutls_datum_t pem;

	snprintf(pki.dir, sizeof(pki.dir), "%s/relaymail-tls-XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(pki.dir) == NULL)
		exit(99);
	pki.key = make_key();
	pki.other_key = make_key();
	pki.ca = make_cert(pki.key, "Relaymail Test CA", NULL, true, now - DAY, now + 30 * DAY,
			   NULL, NULL);
	pki.other_ca =
	    make_cert(pki.other_key, "Other CA", NULL, true, now - DAY, now + DAY, NULL, NULL);
	pki.leaf = make_cert(pki.key, "localhost", leaf_names, false, now - DAY, now + DAY, pki.ca,
			     pki.key);
	pki.expired = make_cert(pki.key, "localhost", leaf_names, false, now - 10 * DAY, now - DAY,
				pki.ca, pki.key);
	pki.selfsigned =
	    make_cert(pki.key, "localhost", leaf_names, false, now - DAY, now + DAY, NULL, NULL);
	pki.client = make_cert(pki.other_key, "client.invalid", client_names, false, now - DAY,
			       now + DAY, pki.ca, pki.key);
	snprintf(pki.ca_file, sizeof(pki.ca_file), "%s/ca.pem", pki.dir);
	snprintf(pki.other_ca_file, sizeof(pki.other_ca_file), "%s/other.pem", pki.dir);
	snprintf(pki.empty_file, sizeof(pki.empty_file), "%s/empty.pem", pki.dir);
	snprintf(pki.client_file, sizeof(pki.client_file), "%s/client.pem", pki.dir);
	snprintf(pki.key_file, sizeof(pki.key_file), "%s/client-key.pem", pki.dir);
	snprintf(pki.missing_file, sizeof(pki.missing_file), "%s/missing.pem", pki.dir);
	snprintf(pki.empty_dir, sizeof(pki.empty_dir), "%s/empty.d", pki.dir);
	if (mkdir(pki.empty_dir, 0700) < 0)
		exit(99);
	write_cert(pki.ca_file, pki.ca);
	write_cert(pki.other_ca_file, pki.other_ca);
	write_cert(pki.client_file, pki.client);
	pki_write_file(pki.empty_file, "", 0);
	pki_must(gnutls_x509_privkey_export2(pki.other_key, GNUTLS_X509_FMT_PEM, &pem),
		 "key export");
	pki_write_file(pki.key_file, pem.data, pem.size);
	gnutls_free(pem.data);
}

void pki_free(void)
{
	const char *files[] = { pki.ca_file, pki.other_ca_file, pki.empty_file, pki.client_file,
				pki.key_file };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(files[i]);
	rmdir(pki.empty_dir);
	rmdir(pki.dir);
	gnutls_x509_crt_deinit(pki.ca);
	gnutls_x509_crt_deinit(pki.other_ca);
	gnutls_x509_crt_deinit(pki.leaf);
	gnutls_x509_crt_deinit(pki.expired);
	gnutls_x509_crt_deinit(pki.selfsigned);
	gnutls_x509_crt_deinit(pki.client);
	gnutls_x509_privkey_deinit(pki.key);
	gnutls_x509_privkey_deinit(pki.other_key);
}
