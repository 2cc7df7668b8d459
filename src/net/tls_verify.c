/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The peer's certificate checked against the configuration: chain to a
 * trust anchor and name match (RFC 6125), or a certificate or public key
 * fingerprint; the reason in words when it fails; the digest names a
 * fingerprint may use; and the channel binding data of the session. Half
 * of the TLS adapter, with tls.c. */
#include <config.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "base/i18n.h"
#include "base/str.h"
#include "net/certtext.h"
#include "net/conn.h"
#include "net/tls.h"
#include "net/tls_impl.h"

#define TLS_MAX_NAMES 8 /* certificate names quoted in an error */

static const struct {
	const char *name;
	gnutls_digest_algorithm_t alg;
} digests[] = {
	{ "sha256", GNUTLS_DIG_SHA256 }, { "sha1", GNUTLS_DIG_SHA1 },
	{ "md5", GNUTLS_DIG_MD5 },	 { "sha512", GNUTLS_DIG_SHA512 },
	{ "sha224", GNUTLS_DIG_SHA224 }, { "sha384", GNUTLS_DIG_SHA384 },
};

gnutls_x509_crt_t tls_peer_cert(const struct tls *t, unsigned idx, unsigned *count)
{
	unsigned n = 0;
	const gnutls_datum_t *der = gnutls_certificate_get_peers(t->session, &n);
	gnutls_x509_crt_t crt;

	if (count != NULL)
		*count = der != NULL ? n : 0;
	if (der == NULL || idx >= n || gnutls_x509_crt_init(&crt) < 0)
		return NULL;
	if (gnutls_x509_crt_import(crt, &der[idx], GNUTLS_X509_FMT_DER) < 0) {
		gnutls_x509_crt_deinit(crt);
		return NULL;
	}
	return crt;
}

gnutls_x509_crt_t tls_peer_leaf(struct tls *t)
{
	if (!t->peer_tried) {
		t->peer_tried = true;
		t->peer = tls_peer_cert(t, 0, NULL);
	}
	return t->peer;
}

void tls_cert_dn(gnutls_x509_crt_t crt, bool issuer, char *out, size_t size)
{
	gnutls_datum_t dn = { NULL, 0 };
	int r = issuer ? gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0)
		       : gnutls_x509_crt_get_dn3(crt, &dn, 0);

	if (r < 0) {
		snprintf(out, size, "?");
		return;
	}
	str_printable(out, size, (const char *)dn.data, dn.size);
	gnutls_free(dn.data);
}

/* Why the chain did not verify, the way Postfix words it where it can. */
static void describe_untrusted(const struct tls *t, char *out, size_t size)
{
	unsigned n = 0;
	gnutls_x509_crt_t top = tls_peer_cert(t, 0, &n);
	char subject[256], issuer[256];

	if (top != NULL && n > 1) {
		gnutls_x509_crt_deinit(top);
		top = tls_peer_cert(t, n - 1, NULL);
	}
	if (top == NULL) {
		snprintf(out, size, "%s", _("untrusted issuer"));
		return;
	}
	tls_cert_dn(top, false, subject, sizeof(subject));
	tls_cert_dn(top, true, issuer, sizeof(issuer));
	if (n == 1 && strcmp(subject, issuer) == 0)
		snprintf(out, size, "%s", _("self-signed certificate"));
	else
		snprintf(out, size, _("untrusted issuer %s"), issuer);
	gnutls_x509_crt_deinit(top);
}

static const struct {
	unsigned flag;
	const char *text;
} status_texts[] = {
	{ GNUTLS_CERT_EXPIRED, N_("certificate has expired") },
	{ GNUTLS_CERT_NOT_ACTIVATED, N_("certificate is not yet valid") },
	{ GNUTLS_CERT_REVOKED, N_("certificate has been revoked") },
	{ GNUTLS_CERT_INSECURE_ALGORITHM, N_("certificate is signed with an insecure algorithm") },
	{ GNUTLS_CERT_SIGNATURE_FAILURE, N_("certificate signature does not verify") },
	{ GNUTLS_CERT_SIGNER_NOT_CA, N_("certificate signer is not a CA") },
	{ GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE,
	  N_("certificate signer's constraints were violated") },
};

static void describe_status(const struct tls *t, unsigned status, char *out, size_t size)
{
	size_t len = 0;
	gnutls_datum_t text = { NULL, 0 };

	out[0] = '\0';
	if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
		describe_untrusted(t, out, size);
	for (size_t i = 0; i < sizeof(status_texts) / sizeof(status_texts[0]); i++) {
		if ((status & status_texts[i].flag) == 0)
			continue;
		len = strlen(out);
		snprintf(out + len, size - len, "%s%s", len > 0 ? ", " : "",
			 _(status_texts[i].text));
	}
	if (out[0] != '\0')
		return;
	if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) < 0) {
		snprintf(out, size, "%s", _("certificate not trusted"));
		return;
	}
	str_printable(out, size, (const char *)text.data, text.size);
	gnutls_free(text.data);
}

/* The DNS names the certificate is for: its DNS subjectAltNames, or its
 * CommonName when it has none (RFC 6125 6.4.4). */
static size_t cert_names(gnutls_x509_crt_t crt, char names[][256], size_t max)
{
	size_t n = 0;

	for (unsigned i = 0; n < max; i++) {
		size_t size = sizeof(names[n]) - 1;
		int r = gnutls_x509_crt_get_subject_alt_name(crt, i, names[n], &size, NULL);

		if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (r == GNUTLS_SAN_DNSNAME && strlen(names[n]) == size)
			n++;
	}
	if (n == 0) {
		size_t size = sizeof(names[0]) - 1;

		if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, names[0],
						  &size) == 0 &&
		    strlen(names[0]) == size)
			n = 1;
	}
	return n;
}

/* ".example.com" accepts any name below example.com (Postfix's
 * dot-nexthop); other names are matched by GnuTLS (wildcards, IPs). */
static bool name_matches(gnutls_x509_crt_t crt, const char *want, char names[][256], size_t n)
{
	size_t wlen = strlen(want);

	if (want[0] != '.')
		return gnutls_x509_crt_check_hostname2(crt, want, 0) != 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]);

		if (len > wlen && str_eq_ci(names[i] + len - wlen, want))
			return true;
	}
	return false;
}

static bool check_name(struct tls *t, const struct tls_params *p, char *reason, size_t size)
{
	gnutls_x509_crt_t crt = tls_peer_leaf(t);
	char names[TLS_MAX_NAMES][256];
	const char *name_list[TLS_MAX_NAMES];
	char have[512], want[512];
	size_t n;

	if (crt == NULL) {
		snprintf(reason, size, "%s", _("the server sent no usable certificate"));
		return false;
	}
	n = cert_names(crt, names, TLS_MAX_NAMES);
	for (size_t i = 0; i < p->nmatch_names; i++) {
		if (name_matches(crt, p->match_names[i], names, n))
			return true;
	}
	for (size_t i = 0; i < n; i++)
		name_list[i] = names[i];
	certtext_join(have, sizeof(have), name_list, n);
	certtext_join(want, sizeof(want), p->match_names, p->nmatch_names);
	if (n == 0)
		snprintf(reason, size, _("certificate names no host, not %s"), want);
	else
		snprintf(reason, size, _("certificate is for %s, not %s"), have, want);
	return false;
}

/* One name without a leading dot (smtp_tls_verify_cert_match's usual
 * "hostname"): GnuTLS checks it along with the chain, with the
 * gnutls_x509_crt_check_hostname2 name_matches calls, on the copy of the
 * certificate it parsed for the chain; relaymail parses its own only to
 * say why a name did not match. Other lists are checked here. */
static bool gnutls_checks_name(const struct tls_params *p)
{
	return p->nmatch_names == 1 && p->match_names[0][0] != '.';
}

static int verify_chain_name(struct tls *t, const struct tls_params *p, enum tls_problem *problem,
			     struct error *err)
{
	gnutls_typed_vdata_st host = { .type = GNUTLS_DT_DNS_HOSTNAME };
	bool by_gnutls = gnutls_checks_name(p);
	unsigned status = 0, chain;
	char reason[768];
	int r;

	if (by_gnutls) {
		host.data = (unsigned char *)p->match_names[0];
		r = gnutls_certificate_verify_peers(t->session, &host, 1, &status);
	} else {
		r = gnutls_certificate_verify_peers2(t->session, &status);
	}
	/* What is wrong with the chain itself: a wrong name is reported only
	 * for a chain that is good, as check_name alone would. */
	chain = status & ~GNUTLS_CERT_UNEXPECTED_OWNER;
	if (by_gnutls && (status & GNUTLS_CERT_UNEXPECTED_OWNER) && chain == GNUTLS_CERT_INVALID)
		chain = 0;
	*problem = TLS_PROBLEM_OTHER;
	if (r < 0) {
		snprintf(reason, sizeof(reason), "%s", gnutls_strerror(r));
	} else if (chain != 0) {
		if (chain & (GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA))
			*problem = TLS_PROBLEM_ISSUER;
		describe_status(t, chain, reason, sizeof(reason));
	} else if (by_gnutls && status == 0) {
		*problem = TLS_PROBLEM_NONE;
		return 0;
	} else if (!by_gnutls && check_name(t, p, reason, sizeof(reason))) {
		*problem = TLS_PROBLEM_NONE;
		return 0;
	} else {
		/* GnuTLS found the name wrong: check_name, with the same
		 * check, says what the certificate is for. */
		if (by_gnutls && check_name(t, p, reason, sizeof(reason)))
			snprintf(reason, sizeof(reason), _("certificate is not for %s"),
				 p->match_names[0]);
		*problem = TLS_PROBLEM_NAME;
	}
	error_set(err, ERROR_TEMP, _("certificate verification failed for %s: %s"),
		  conn_peer(t->conn), reason);
	return -1;
}

/* NULL or empty is the default, sha256. */
static bool digest_lookup(const char *name, gnutls_digest_algorithm_t *alg)
{
	if (name == NULL || *name == '\0')
		name = "sha256";
	for (size_t i = 0; i < sizeof(digests) / sizeof(digests[0]); i++) {
		if (str_eq_ci(name, digests[i].name)) {
			*alg = digests[i].alg;
			return true;
		}
	}
	return false;
}

static int digest_by_name(const char *name, gnutls_digest_algorithm_t *alg, struct error *err)
{
	if (digest_lookup(name, alg))
		return 0;
	error_set(err, ERROR_CONFIG,
		  _("unknown fingerprint digest %s; use sha256, sha1, md5 or sha512"), name);
	return -1;
}

/* Digests of the server's DER certificate and of its DER
 * SubjectPublicKeyInfo; -1 when there is no certificate. */
static int peer_digests(struct tls *t, gnutls_digest_algorithm_t alg, unsigned char *cd,
			unsigned char *kd)
{
	unsigned n = 0;
	const gnutls_datum_t *der = gnutls_certificate_get_peers(t->session, &n);
	gnutls_x509_crt_t crt;
	gnutls_pubkey_t key = NULL;
	gnutls_datum_t spki = { NULL, 0 };
	int r = -1;

	if (der == NULL || n == 0 || gnutls_hash_fast(alg, der[0].data, der[0].size, cd) < 0)
		return -1;
	if ((crt = tls_peer_leaf(t)) == NULL)
		return -1;
	if (gnutls_pubkey_init(&key) == 0 && gnutls_pubkey_import_x509(key, crt, 0) == 0 &&
	    gnutls_pubkey_export2(key, GNUTLS_X509_FMT_DER, &spki) == 0 &&
	    gnutls_hash_fast(alg, spki.data, spki.size, kd) == 0)
		r = 0;
	gnutls_free(spki.data);
	if (key != NULL)
		gnutls_pubkey_deinit(key);
	return r;
}

static int verify_fingerprint(struct tls *t, const struct tls_params *p,
			      gnutls_digest_algorithm_t alg, struct error *err)
{
	unsigned char cd[CERTTEXT_MAX_DIGEST], kd[CERTTEXT_MAX_DIGEST];
	size_t len = gnutls_hash_get_len(alg);
	char cert_hex[3 * CERTTEXT_MAX_DIGEST], key_hex[3 * CERTTEXT_MAX_DIGEST], expected[512];

	if (peer_digests(t, alg, cd, kd) < 0) {
		error_set(err, ERROR_TEMP, _("certificate verification failed for %s: %s"),
			  conn_peer(t->conn), _("the server sent no usable certificate"));
		return -1;
	}
	if (certtext_fingerprint_match(p->fingerprints, p->nfingerprints, cd, kd, len))
		return 0;
	certtext_format_digest(cd, len, cert_hex, sizeof(cert_hex));
	certtext_format_digest(kd, len, key_hex, sizeof(key_hex));
	certtext_join(expected, sizeof(expected), p->fingerprints, p->nfingerprints);
	error_set(err, ERROR_TEMP,
		  _("certificate verification failed for %s: %s fingerprint mismatch: expected %s; "
		    "the certificate's is %s, its public key's is %s"),
		  conn_peer(t->conn), gnutls_digest_get_name(alg), expected, cert_hex, key_hex);
	return -1;
}

int tls_verify_peer(struct tls *t, const struct tls_params *p, gnutls_digest_algorithm_t alg,
		    enum tls_problem *problem, struct error *err)
{
	switch (p->verify) {
	case TLS_VERIFY_CHAIN_NAME:
		return verify_chain_name(t, p, problem, err);
	case TLS_VERIFY_FINGERPRINT:
		*problem = TLS_PROBLEM_FINGERPRINT;
		if (verify_fingerprint(t, p, alg, err) < 0)
			return -1;
		*problem = TLS_PROBLEM_NONE;
		return 0;
	default:
		return 0;
	}
}

int tls_verify_setup(const struct tls_params *p, gnutls_digest_algorithm_t *alg, struct error *err)
{
	if (digest_by_name(p->digest, alg, err) < 0)
		return -1;
	return certtext_check_fingerprints(p->fingerprints, p->nfingerprints,
					   gnutls_hash_get_len(*alg), gnutls_digest_get_name(*alg),
					   err);
}

bool tls_digest_known(const char *name)
{
	gnutls_digest_algorithm_t alg;

	return digest_lookup(name, &alg);
}

int tls_pbkdf2(const char *password, const unsigned char *salt, size_t saltlen, unsigned iter,
	       unsigned char out[TLS_PBKDF2_LEN])
{
	gnutls_datum_t key = { (unsigned char *)password, (unsigned)strlen(password) };
	gnutls_datum_t s = { (unsigned char *)salt, (unsigned)saltlen };

	return gnutls_pbkdf2(GNUTLS_MAC_SHA256, &key, &s, iter, out, TLS_PBKDF2_LEN) < 0 ? -1 : 0;
}

bool tls_fingerprint_valid(const char *text, const char *digest)
{
	gnutls_digest_algorithm_t alg;
	struct error ignored;

	if (text == NULL || !digest_lookup(digest, &alg))
		return false;
	/* The very test tls_start makes: what passes it is what gets compared. */
	return certtext_check_fingerprints(&text, 1, gnutls_hash_get_len(alg),
					   gnutls_digest_get_name(alg), &ignored) == 0;
}

/* Channel binding (RFC 5929, RFC 9266): what SASL's -PLUS mechanisms
 * bind the authentication to, taken from the session. */
const char *tls_channel_binding_type(const struct conn *c)
{
	const struct tls *t = conn_tls(c);

	if (t == NULL)
		return NULL;
	/* RFC 9266: tls-unique is undefined for TLS 1.3, where tls-exporter
	 * takes its place. */
	return gnutls_protocol_get_version(t->session) == GNUTLS_TLS1_3 ? "tls-exporter"
									: "tls-unique";
}

int tls_channel_binding(const struct conn *c, const char *type, unsigned char *out, size_t *len)
{
	const struct tls *t = conn_tls(c);
	gnutls_channel_binding_t cbt;
	gnutls_datum_t cb = { NULL, 0 };
	int r = -1;

	if (t == NULL || type == NULL)
		return -1;
	if (strcmp(type, "tls-exporter") == 0)
		cbt = GNUTLS_CB_TLS_EXPORTER;
	else if (strcmp(type, "tls-unique") == 0)
		cbt = GNUTLS_CB_TLS_UNIQUE;
	else if (strcmp(type, "tls-server-end-point") == 0)
		cbt = GNUTLS_CB_TLS_SERVER_END_POINT;
	else
		return -1;
	if (gnutls_session_channel_binding(t->session, cbt, &cb) < 0)
		return -1;
	if (cb.size > 0 && cb.size <= *len) {
		memcpy(out, cb.data, cb.size);
		*len = cb.size;
		r = 0;
	}
	gnutls_free(cb.data);
	return r;
}
