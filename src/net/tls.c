/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The TLS client, the one file that speaks GnuTLS: credentials loaded only
 * as far as the verification level needs them, a non-blocking handshake
 * bounded by the deadline, the certificate checked by chain and name or by
 * fingerprint, and record I/O for conn.c. */
#include <config.h>

#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "base/deadline.h"
#include "base/error.h"
#include "base/i18n.h"
#include "base/str.h"
#include "net/conn.h"
#include "net/certtext.h"
#include "net/tls.h"

#define TLS_DEFAULT_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
#define TLS_BYE_MS 100	/* how long close_notify may take on the way out */
#define TLS_MAX_NAMES 8 /* certificate names quoted in an error */

struct tls {
	gnutls_session_t session;
	gnutls_certificate_credentials_t cred;
	const struct conn *conn;
	bool established;
};

static const struct {
	const char *name;
	gnutls_digest_algorithm_t alg;
} digests[] = {
	{ "sha256", GNUTLS_DIG_SHA256 }, { "sha1", GNUTLS_DIG_SHA1 },
	{ "md5", GNUTLS_DIG_MD5 },	 { "sha512", GNUTLS_DIG_SHA512 },
	{ "sha224", GNUTLS_DIG_SHA224 }, { "sha384", GNUTLS_DIG_SHA384 },
};

/* Our own transport functions: MSG_DONTWAIT so that even a blocking socket
 * never blocks (poll and the deadline do the waiting), MSG_NOSIGNAL so
 * that a closed peer is an error and not a SIGPIPE. */
static ssize_t transport_pull(gnutls_transport_ptr_t ptr, void *p, size_t n)
{
	return recv((int)(intptr_t)ptr, p, n, MSG_DONTWAIT);
}

static ssize_t transport_push(gnutls_transport_ptr_t ptr, const giovec_t *iov, int iovcnt)
{
	struct msghdr mh = { .msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)iovcnt };

	return sendmsg((int)(intptr_t)ptr, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static int transport_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	struct pollfd pfd = { .fd = (int)(intptr_t)ptr, .events = POLLIN };
	int timeout = ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : ms > INT32_MAX ? INT32_MAX : (int)ms;

	return poll(&pfd, 1, timeout);
}

/* Wait until the direction GnuTLS last needed is ready: 1 ready, 0 the
 * deadline passed, -1 poll failed. */
static int wait_ready(const struct tls *t, struct deadline dl)
{
	struct pollfd pfd = { .fd = conn_fd(t->conn) };

	pfd.events = gnutls_record_get_direction(t->session) ? POLLOUT : POLLIN;
	for (;;) {
		int r = poll(&pfd, 1, deadline_poll_ms(dl));

		if (r >= 0)
			return r > 0;
		if (errno != EINTR)
			return -1;
	}
}

static void tls_destroy(struct tls *t)
{
	if (t->session != NULL)
		gnutls_deinit(t->session);
	if (t->cred != NULL)
		gnutls_certificate_free_credentials(t->cred);
	free(t);
}

void tls_free(struct tls *t)
{
	struct deadline dl = deadline_in(TLS_BYE_MS);
	int r;

	if (t == NULL)
		return;
	/* close_notify is a courtesy; a peer that does not take it now is not
	 * worth waiting for. */
	while (t->established && ((r = gnutls_bye(t->session, GNUTLS_SHUT_WR)) == GNUTLS_E_AGAIN ||
				  r == GNUTLS_E_INTERRUPTED))
		if (wait_ready(t, dl) <= 0)
			break;
	tls_destroy(t);
}

static int load_ca_file(gnutls_certificate_credentials_t cred, const char *file, bool dir,
			struct error *err)
{
	int r = dir ? gnutls_certificate_set_x509_trust_dir(cred, file, GNUTLS_X509_FMT_PEM)
		    : gnutls_certificate_set_x509_trust_file(cred, file, GNUTLS_X509_FMT_PEM);

	if (r > 0)
		return 0;
	if (r < 0 && dir)
		error_set(err, ERROR_CONFIG, _("cannot load CA certificates from directory %s: %s"),
			  file, gnutls_strerror(r));
	else if (r < 0)
		error_set(err, ERROR_CONFIG, _("cannot load CA file %s: %s"), file,
			  gnutls_strerror(r));
	else if (dir)
		error_set(err, ERROR_CONFIG, _("CA directory %s holds no certificates"), file);
	else
		error_set(err, ERROR_CONFIG, _("CA file %s holds no certificates"), file);
	return -1;
}

static int load_trust(gnutls_certificate_credentials_t cred, const struct tls_params *p,
		      struct error *err)
{
	bool have_file = p->cafile != NULL && *p->cafile != '\0';
	bool have_dir = p->capath != NULL && *p->capath != '\0';
	int r;

	if (have_file && load_ca_file(cred, p->cafile, false, err) < 0)
		return -1;
	if (have_dir && load_ca_file(cred, p->capath, true, err) < 0)
		return -1;
	if (have_file || have_dir)
		return 0;
	r = gnutls_certificate_set_x509_system_trust(cred);
	if (r > 0)
		return 0;
	if (r < 0)
		error_set(err, ERROR_CONFIG, _("cannot load the system trust store: %s"),
			  gnutls_strerror(r));
	else
		error_set(err, ERROR_CONFIG,
			  _("the system trust store holds no certificates; set a CA file or "
			    "CA directory"));
	return -1;
}

static int setup_credentials(struct tls *t, const struct tls_params *p, struct error *err)
{
	const char *key;
	int r;

	if ((r = gnutls_certificate_allocate_credentials(&t->cred)) < 0) {
		t->cred = NULL;
		error_set(err, ERROR_INTERNAL, _("cannot set up TLS: %s"), gnutls_strerror(r));
		return -1;
	}
	/* Trust anchors cost time to parse; only checking a chain needs them. */
	if (p->verify == TLS_VERIFY_CHAIN_NAME && load_trust(t->cred, p, err) < 0)
		return -1;
	if (p->cert_file == NULL || *p->cert_file == '\0')
		return 0;
	key = p->key_file != NULL && *p->key_file != '\0' ? p->key_file : p->cert_file;
	r = gnutls_certificate_set_x509_key_file(t->cred, p->cert_file, key, GNUTLS_X509_FMT_PEM);
	if (r < 0) {
		error_set(err, ERROR_CONFIG, _("cannot load client certificate %s with key %s: %s"),
			  p->cert_file, key, gnutls_strerror(r));
		return -1;
	}
	return 0;
}

static int setup_session(struct tls *t, const struct tls_params *p, int fd, struct error *err)
{
	const char *prio =
	    p->priority != NULL && *p->priority != '\0' ? p->priority : TLS_DEFAULT_PRIORITY;
	const char *errpos = NULL;
	int r;

	if ((r = gnutls_init(&t->session, GNUTLS_CLIENT)) < 0) {
		t->session = NULL;
		error_set(err, ERROR_INTERNAL, _("cannot set up TLS: %s"), gnutls_strerror(r));
		return -1;
	}
	r = gnutls_priority_set_direct(t->session, prio, &errpos);
	if (r < 0) {
		error_set(err, ERROR_CONFIG, _("invalid TLS priority string \"%s\" at \"%s\""),
			  prio, errpos != NULL ? errpos : "");
		return -1;
	}
	r = gnutls_credentials_set(t->session, GNUTLS_CRD_CERTIFICATE, t->cred);
	if (r == 0 && p->sni != NULL && *p->sni != '\0')
		r = gnutls_server_name_set(t->session, GNUTLS_NAME_DNS, p->sni, strlen(p->sni));
	if (r < 0) {
		error_set(err, ERROR_INTERNAL, _("cannot set up TLS: %s"), gnutls_strerror(r));
		return -1;
	}
	gnutls_transport_set_int(t->session, fd);
	gnutls_transport_set_pull_function(t->session, transport_pull);
	gnutls_transport_set_vec_push_function(t->session, transport_push);
	gnutls_transport_set_pull_timeout_function(t->session, transport_pull_timeout);
	/* Our deadline bounds the handshake, not GnuTLS's own clock. */
	gnutls_handshake_set_timeout(t->session, 0);
	return 0;
}

static int handshake(struct tls *t, struct deadline dl, struct error *err)
{
	const char *peer = conn_peer(t->conn);
	int r;

	for (;;) {
		r = gnutls_handshake(t->session);
		if (r == 0)
			return 0;
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
			int w = wait_ready(t, dl);

			if (w > 0)
				continue;
			if (w == 0)
				error_set(err, ERROR_TEMP, _("TLS handshake with %s timed out"),
					  peer);
			else
				error_set_errno(err, ERROR_OS, errno, _("cannot wait for %s"),
						peer);
			return -1;
		}
		if (gnutls_error_is_fatal(r) || deadline_expired(dl))
			break;
	}
	if (r == GNUTLS_E_FATAL_ALERT_RECEIVED)
		error_set(err, ERROR_TEMP, _("TLS handshake with %s failed: %s (%s)"), peer,
			  gnutls_strerror(r), gnutls_alert_get_name(gnutls_alert_get(t->session)));
	else
		error_set(err, ERROR_TEMP, _("TLS handshake with %s failed: %s"), peer,
			  gnutls_strerror(r));
	return -1;
}

/* The peer's certificate number idx (0 = the server's own), or NULL. */
static gnutls_x509_crt_t peer_cert(const struct tls *t, unsigned idx, unsigned *count)
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

static void copy_dn(gnutls_x509_crt_t crt, bool issuer, char *out, size_t size)
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
	gnutls_x509_crt_t top = peer_cert(t, 0, &n);
	char subject[256], issuer[256];

	if (top != NULL && n > 1) {
		gnutls_x509_crt_deinit(top);
		top = peer_cert(t, n - 1, NULL);
	}
	if (top == NULL) {
		snprintf(out, size, "%s", _("untrusted issuer"));
		return;
	}
	copy_dn(top, false, subject, sizeof(subject));
	copy_dn(top, true, issuer, sizeof(issuer));
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

static bool check_name(const struct tls *t, const struct tls_params *p, char *reason, size_t size)
{
	gnutls_x509_crt_t crt = peer_cert(t, 0, NULL);
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
		if (name_matches(crt, p->match_names[i], names, n)) {
			gnutls_x509_crt_deinit(crt);
			return true;
		}
	}
	gnutls_x509_crt_deinit(crt);
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

static int verify_chain_name(const struct tls *t, const struct tls_params *p, struct error *err)
{
	unsigned status = 0;
	char reason[768];
	int r = gnutls_certificate_verify_peers2(t->session, &status);

	if (r < 0)
		snprintf(reason, sizeof(reason), "%s", gnutls_strerror(r));
	else if (status != 0)
		describe_status(t, status, reason, sizeof(reason));
	else if (check_name(t, p, reason, sizeof(reason)))
		return 0;
	error_set(err, ERROR_TEMP, _("certificate verification failed for %s: %s"),
		  conn_peer(t->conn), reason);
	return -1;
}

static int digest_by_name(const char *name, gnutls_digest_algorithm_t *alg, struct error *err)
{
	if (name == NULL || *name == '\0')
		name = "sha256";
	for (size_t i = 0; i < sizeof(digests) / sizeof(digests[0]); i++) {
		if (str_eq_ci(name, digests[i].name)) {
			*alg = digests[i].alg;
			return 0;
		}
	}
	error_set(err, ERROR_CONFIG,
		  _("unknown fingerprint digest %s; use sha256, sha1, md5 or sha512"), name);
	return -1;
}

/* Digests of the server's DER certificate and of its DER
 * SubjectPublicKeyInfo; -1 when there is no certificate. */
static int peer_digests(const struct tls *t, gnutls_digest_algorithm_t alg, unsigned char *cd,
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
	if ((crt = peer_cert(t, 0, NULL)) == NULL)
		return -1;
	if (gnutls_pubkey_init(&key) == 0 && gnutls_pubkey_import_x509(key, crt, 0) == 0 &&
	    gnutls_pubkey_export2(key, GNUTLS_X509_FMT_DER, &spki) == 0 &&
	    gnutls_hash_fast(alg, spki.data, spki.size, kd) == 0)
		r = 0;
	gnutls_free(spki.data);
	if (key != NULL)
		gnutls_pubkey_deinit(key);
	gnutls_x509_crt_deinit(crt);
	return r;
}

static int verify_fingerprint(const struct tls *t, const struct tls_params *p,
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

static void fill_info(const struct tls *t, struct tls_info *info)
{
	gnutls_protocol_t v = gnutls_protocol_get_version(t->session);
	const char *name = gnutls_protocol_get_name(v);
	const char *suite = gnutls_ciphersuite_get(t->session);
	gnutls_x509_crt_t crt = peer_cert(t, 0, NULL);

	/* "TLS1.3" in GnuTLS's words, "TLSv1.3" in Postfix's logs. */
	if (name != NULL && strncmp(name, "TLS", 3) == 0)
		snprintf(info->version, sizeof(info->version), "TLSv%s", name + 3);
	else
		snprintf(info->version, sizeof(info->version), "%s", name != NULL ? name : "?");
	snprintf(info->cipher, sizeof(info->cipher), "%s", suite != NULL ? suite : "?");
	info->bits = 8 * (unsigned)gnutls_cipher_get_key_size(gnutls_cipher_get(t->session));
	info->verified = false;
	info->peer_subject[0] = '\0';
	if (crt != NULL) {
		copy_dn(crt, false, info->peer_subject, sizeof(info->peer_subject));
		gnutls_x509_crt_deinit(crt);
	}
}

static int verify_peer(const struct tls *t, const struct tls_params *p,
		       gnutls_digest_algorithm_t alg, struct error *err)
{
	switch (p->verify) {
	case TLS_VERIFY_CHAIN_NAME:
		return verify_chain_name(t, p, err);
	case TLS_VERIFY_FINGERPRINT:
		return verify_fingerprint(t, p, alg, err);
	default:
		return 0;
	}
}

static struct tls *tls_new(const struct conn *c, const struct tls_params *p, struct error *err)
{
	struct stat st;
	struct tls *t;

	if (conn_tls(c) != NULL) {
		error_set(err, ERROR_INTERNAL, _("TLS is already active with %s"), conn_peer(c));
		return NULL;
	}
	if (fstat(conn_fd(c), &st) < 0 || !S_ISSOCK(st.st_mode)) {
		error_set(err, ERROR_INTERNAL, _("TLS needs a socket, not %s"), conn_peer(c));
		return NULL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return NULL;
	}
	t->conn = c;
	if (setup_credentials(t, p, err) < 0 || setup_session(t, p, conn_fd(c), err) < 0) {
		tls_destroy(t);
		return NULL;
	}
	return t;
}

int tls_start(struct conn *c, const struct tls_params *p, struct deadline dl, struct tls_info *info,
	      struct error *err)
{
	gnutls_digest_algorithm_t alg = GNUTLS_DIG_SHA256;
	struct tls_info scratch;
	struct tls *t;

	if (info == NULL)
		info = &scratch;
	memset(info, 0, sizeof(*info));
	if (p->verify == TLS_VERIFY_FINGERPRINT &&
	    (digest_by_name(p->digest, &alg, err) < 0 ||
	     certtext_check_fingerprints(p->fingerprints, p->nfingerprints,
					 gnutls_hash_get_len(alg), gnutls_digest_get_name(alg),
					 err) < 0))
		return -1;
	if ((t = tls_new(c, p, err)) == NULL)
		return -1;
	if (handshake(t, dl, err) < 0) {
		tls_destroy(t);
		return -1;
	}
	t->established = true;
	fill_info(t, info);
	/* Attached even when the certificate fails, so that QUIT and
	 * close_notify can still go out over the session. */
	conn_set_tls(c, t);
	if (verify_peer(t, p, alg, err) < 0)
		return -1;
	info->verified = p->verify != TLS_VERIFY_NONE;
	return 0;
}

/* Wait for GnuTLS's pending direction, with the caller's words for a
 * timeout. */
static int wait_io(const struct tls *t, bool writing, struct deadline dl, struct error *err)
{
	int r = wait_ready(t, dl);

	if (r > 0)
		return 0;
	if (r < 0)
		error_set_errno(err, ERROR_OS, errno, _("cannot wait for %s"), conn_peer(t->conn));
	else if (writing)
		error_set(err, ERROR_TEMP, _("timed out writing to %s"), conn_peer(t->conn));
	else
		error_set(err, ERROR_TEMP, _("timed out reading from %s"), conn_peer(t->conn));
	return -1;
}

ssize_t tls_read(struct tls *t, void *p, size_t n, struct deadline dl, struct error *err)
{
	for (;;) {
		ssize_t r = gnutls_record_recv(t->session, p, n);

		if (r >= 0)
			return r;
		/* SMTP delimits its own data, so a close without close_notify
		 * is an end of file like any other. */
		if (r == GNUTLS_E_PREMATURE_TERMINATION)
			return 0;
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
			if (wait_io(t, false, dl, err) < 0)
				return -1;
		} else if (gnutls_error_is_fatal((int)r) || deadline_expired(dl)) {
			error_set(err, ERROR_TEMP, _("cannot read from %s: %s"), conn_peer(t->conn),
				  gnutls_strerror((int)r));
			return -1;
		}
	}
}

int tls_write(struct tls *t, const void *p, size_t n, struct deadline dl, struct error *err)
{
	const char *s = p;

	while (n > 0) {
		/* After GNUTLS_E_AGAIN the same data must be offered again. */
		ssize_t r = gnutls_record_send(t->session, s, n);

		if (r > 0) {
			s += r;
			n -= (size_t)r;
		} else if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
			if (wait_io(t, true, dl, err) < 0)
				return -1;
		} else {
			error_set(err, ERROR_TEMP, _("cannot write to %s: %s"), conn_peer(t->conn),
				  gnutls_strerror((int)r));
			return -1;
		}
	}
	return 0;
}

size_t tls_pending(const struct tls *t)
{
	return gnutls_record_check_pending(t->session);
}

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
