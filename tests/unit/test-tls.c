/* SPDX-License-Identifier: GPL-3.0-or-later */
/* net/tls against a GnuTLS server in a child process on 127.0.0.1, with a
 * private CA and certificates made for each run (pki.c): chain and name
 * checks, fingerprints, TLS 1.2, channel binding, deadlines, the
 * configuration errors that must name their file, and the checks of
 * settings made at start. */
#include <config.h>

#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/deadline.h"
#include "base/error.h"
#include "net/certtext.h"
#include "net/conn.h"
#include "net/tls.h"
#include "pki.h"
#include "tap.h"

#define BIG (1u << 20)

enum server_mode { SERVE_ECHO, SERVE_STALL, SERVE_SINK, SERVE_CLIENT_CERT, SERVE_KEY_UPDATE };

struct server {
	gnutls_x509_crt_t crt;
	const char *priority;
	enum server_mode mode;
};

static int listen_any(unsigned *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		exit(99);
	*port = ntohs(sin.sin_port);
	return fd;
}

static void serve_session(gnutls_session_t s, enum server_mode mode)
{
	char buf[16384];
	size_t total = 0;
	ssize_t r;

	if (mode == SERVE_KEY_UPDATE) {
		/* A post-handshake message with data right behind it. */
		gnutls_session_key_update(s, 0);
		gnutls_record_send(s, "hello\n", 6);
	}
	if (mode == SERVE_CLIENT_CERT) {
		unsigned n = 0;

		gnutls_certificate_get_peers(s, &n);
		gnutls_record_send(s, n > 0 ? "cert\n" : "none\n", 5);
		return;
	}
	while ((r = gnutls_record_recv(s, buf, sizeof(buf))) > 0) {
		total += (size_t)r;
		if (mode == SERVE_ECHO && gnutls_record_send(s, buf, (size_t)r) < 0)
			return;
		if (mode == SERVE_SINK && total == BIG) {
			gnutls_record_send(s, "done\n", 5);
			return;
		}
	}
}

/* The child: accept one connection and play the server side. */
static void serve(int lfd, const struct server *srv)
{
	struct timeval tv = { .tv_sec = 10 };
	gnutls_certificate_credentials_t cred;
	gnutls_session_t s;
	char buf[256];
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		_exit(2);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (srv->mode == SERVE_STALL) {
		while (read(fd, buf, sizeof(buf)) > 0)
			continue;
		_exit(0);
	}
	gnutls_certificate_allocate_credentials(&cred);
	gnutls_certificate_set_x509_key(cred, (gnutls_x509_crt_t *)&srv->crt, 1, pki.key);
	gnutls_init(&s, GNUTLS_SERVER);
	gnutls_priority_set_direct(s, srv->priority ? srv->priority : "NORMAL", NULL);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
	if (srv->mode == SERVE_CLIENT_CERT)
		gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUEST);
	gnutls_transport_set_int(s, fd);
	if (gnutls_handshake(s) == 0) {
		serve_session(s, srv->mode);
		gnutls_bye(s, GNUTLS_SHUT_WR);
	}
	while (read(fd, buf, sizeof(buf)) > 0)
		continue;
	_exit(0);
}

struct run {
	pid_t pid;
	int lfd;
	struct conn *conn;
	int rc;
	int64_t took_ms;
	struct tls_info info;
	struct error err;
};

static void start(struct run *r, const struct server *srv, const struct tls_params *p, int64_t ms)
{
	unsigned port;
	struct net_addr a;
	int64_t t0;

	memset(r, 0, sizeof(*r));
	r->lfd = listen_any(&port);
	if ((r->pid = fork()) == 0)
		serve(r->lfd, srv);
	if (net_resolve("127.0.0.1", port, NET_ANY, NET_ANY, &a, 1, &r->err) != 1)
		exit(99);
	r->conn = conn_connect(&a, port, NULL, deadline_in(2000), &r->err);
	if (r->conn == NULL)
		exit(99);
	t0 = deadline_now_ms();
	r->rc = tls_start(r->conn, p, deadline_in(ms), &r->info, &r->err);
	r->took_ms = deadline_now_ms() - t0;
}

static void finish(struct run *r)
{
	conn_free(r->conn);
	close(r->lfd);
	kill(r->pid, SIGKILL);
	waitpid(r->pid, NULL, 0);
}

static const char *const localhost[] = { "localhost" };

static struct tls_params verify_params(const char *cafile, const char *const *names)
{
	struct tls_params p = { .verify = TLS_VERIFY_CHAIN_NAME,
				.cafile = cafile,
				.sni = "localhost",
				.match_names = names,
				.nmatch_names = 1 };
	return p;
}

static bool has(const char *text, const char *part)
{
	return strstr(text, part) != NULL;
}

static void test_verified(void)
{
	struct server srv = { .crt = pki.leaf };
	struct tls_params p = verify_params(pki.ca_file, localhost);
	unsigned char cb[64], small[4];
	size_t len = sizeof(cb);
	char buf[16];
	struct run r;
	int rc;

	p.describe = true; /* -v */
	start(&r, &srv, &p, 5000);
	is_int(r.rc, 0, "verify with the right CA and name (%s)", r.err.text);
	if (r.rc != 0) {
		finish(&r);
		return;
	}
	ok(r.info.verified, "info: verified");
	is_str(r.info.version, "TLSv1.3", "info: version");
	ok(has(r.info.cipher, "TLS_"), "info: cipher suite %s", r.info.cipher);
	ok(r.info.bits >= 128, "info: %u key bits", r.info.bits);
	ok(has(r.info.peer_subject, "CN=localhost"), "info: subject %s", r.info.peer_subject);
	ok(conn_tls(r.conn) != NULL, "TLS is attached to the connection");
	ok(conn_write(r.conn, "ping\r\n", 6, deadline_in(2000), &r.err) == 0, "write over TLS");
	is_int(conn_read(r.conn, buf, 2, deadline_in(2000), &r.err), 2, "read part of a record");
	is_int((long long)conn_pending(r.conn), 4, "the rest of the record is pending");
	is_int(conn_read(r.conn, buf + 2, sizeof(buf) - 2, deadline_in(2000), &r.err), 4,
	       "read the rest");
	is_mem(buf, 6, "ping\r\n", 6, "echo intact");
	is_str(tls_channel_binding_type(r.conn), "tls-exporter", "TLS 1.3 binds with tls-exporter");
	rc = tls_channel_binding(r.conn, "tls-exporter", cb, &len);
	ok(rc == 0 && len == 32, "tls-exporter channel binding data (%zu bytes)", len);
	len = sizeof(small);
	is_int(tls_channel_binding(r.conn, "tls-exporter", small, &len), -1,
	       "channel binding refuses a buffer too small");
	len = sizeof(cb);
	is_int(tls_channel_binding(r.conn, "tls-bogus", cb, &len), -1,
	       "unknown channel binding type refused");
	error_clear(&r.err);
	ok(conn_read(r.conn, buf, sizeof(buf), deadline_in(200), &r.err) == -1 &&
	       has(r.err.text, "timed out"),
	   "a silent TLS peer times out: %s", r.err.text);
	finish(&r);
}

static void test_big_write(void)
{
	struct server srv = { .crt = pki.leaf, .mode = SERVE_SINK };
	struct tls_params p = verify_params(pki.ca_file, localhost);
	char *data = calloc(1, BIG), buf[16];
	struct run r;

	start(&r, &srv, &p, 5000);
	ok(r.rc == 0 && r.info.peer_subject[0] == '\0' && r.info.peer_issuer[0] == '\0',
	   "without -v a certificate that passes is not described");
	ok(r.rc == 0 && conn_write(r.conn, data, BIG, deadline_in(10000), &r.err) == 0,
	   "1 MB written over TLS (%s)", r.err.text);
	ok(conn_read(r.conn, buf, sizeof(buf), deadline_in(10000), &r.err) == 5 &&
	       memcmp(buf, "done\n", 5) == 0,
	   "... and all of it received");
	free(data);
	finish(&r);
}

static void expect_failure(const struct server *srv, const struct tls_params *p, const char *part,
			   const char *what)
{
	struct run r;

	start(&r, srv, p, 5000);
	is_int(r.rc, -1, "%s: refused", what);
	is_str(error_class_name(r.err.cls), error_class_name(ERROR_TEMP), "%s: temporary", what);
	ok(has(r.err.text, part), "%s: says \"%s\": %s", what, part, r.err.text);
	ok(!r.info.verified, "%s: not marked verified", what);
	ok(p->describe || r.info.peer_subject[0] != '\0' || r.info.problem == TLS_PROBLEM_NONE,
	   "%s: the certificate is described for the hint", what);
	finish(&r);
}

static void test_refusals(void)
{
	static const char *const wrong[] = { "other.invalid" };
	static const char *const parent[] = { "relay.invalid" };
	struct server srv = { .crt = pki.leaf };
	struct tls_params p = verify_params(pki.other_ca_file, localhost);

	expect_failure(&srv, &p, "untrusted issuer CN=Relaymail Test CA", "unknown CA");
	p = verify_params(pki.ca_file, wrong);
	expect_failure(&srv, &p, "not other.invalid", "wrong name");
	p = verify_params(pki.ca_file, wrong);
	expect_failure(&srv, &p, "certificate is for localhost, mx.relay.invalid",
		       "wrong name lists the certificate's names");
	p = verify_params(pki.ca_file, parent);
	expect_failure(&srv, &p, "not relay.invalid", "a parent domain is not the host");
	srv.crt = pki.expired;
	p = verify_params(pki.ca_file, localhost);
	expect_failure(&srv, &p, "expired", "expired certificate");
	srv.crt = pki.selfsigned;
	expect_failure(&srv, &p, "self-signed", "self-signed certificate");
}

static void test_names(void)
{
	static const char *const several[] = { "other.invalid", "mx.relay.invalid" };
	static const char *const below[] = { ".relay.invalid" };
	struct server srv = { .crt = pki.leaf };
	struct tls_params p = verify_params(pki.ca_file, several);
	struct run r;

	p.nmatch_names = 2;
	start(&r, &srv, &p, 5000);
	ok(r.rc == 0 && r.info.verified, "any of several names matches (%s)", r.err.text);
	finish(&r);
	p = verify_params(pki.ca_file, below);
	start(&r, &srv, &p, 5000);
	ok(r.rc == 0 && r.info.verified, ".relay.invalid accepts mx.relay.invalid (%s)",
	   r.err.text);
	finish(&r);
	p = verify_params(NULL, localhost);
	p.capath = pki.dir;
	start(&r, &srv, &p, 5000);
	ok(r.rc == 0 && r.info.verified, "trust from a CA directory (%s)", r.err.text);
	finish(&r);
}

static void test_none(void)
{
	struct server srv = { .crt = pki.selfsigned };
	struct tls_params p = { .verify = TLS_VERIFY_NONE,
				.cafile = pki.missing_file,
				.describe = true };
	struct run r;

	start(&r, &srv, &p, 5000);
	is_int(r.rc, 0, "level none accepts an untrusted certificate (%s)", r.err.text);
	ok(!r.info.verified, "... and does not call it verified");
	ok(has(r.info.peer_subject, "CN=localhost"), "... but reports its subject");
	finish(&r);
}

static void hex(const unsigned char *d, size_t n, bool colons, bool upper, char *out)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		if (colons && i > 0)
			*out++ = ':';
		*out++ = digits[d[i] >> 4];
		*out++ = digits[d[i] & 15];
	}
	*out = '\0';
}

static void try_fingerprint(const char *fp, const char *digest, int want, const char *what)
{
	struct server srv = { .crt = pki.leaf };
	const char *fps[] = { fp };
	struct tls_params p = { .verify = TLS_VERIFY_FINGERPRINT,
				.fingerprints = fps,
				.nfingerprints = 1,
				.digest = digest };
	struct run r;

	start(&r, &srv, &p, 5000);
	is_int(r.rc, want, "%s (%s)", what, r.err.text);
	ok(r.info.verified == (want == 0), "%s: verified flag", what);
	finish(&r);
}

static void test_fingerprints(void)
{
	unsigned char d[64];
	size_t n = sizeof(d);
	char cert_hex[200], key_hex[200], sha1_hex[200], zeros[65];
	struct server srv = { .crt = pki.leaf };
	const char *fps[] = { zeros };
	struct tls_params p = { .verify = TLS_VERIFY_FINGERPRINT,
				.fingerprints = fps,
				.nfingerprints = 1 };
	struct run r;

	pki_must(gnutls_x509_crt_get_fingerprint(pki.leaf, GNUTLS_DIG_SHA256, d, &n),
		 "fingerprint");
	hex(d, n, true, true, cert_hex);
	n = sizeof(d);
	pki_must(gnutls_x509_crt_get_key_id(pki.leaf, GNUTLS_KEYID_USE_SHA256, d, &n), "key id");
	hex(d, n, false, false, key_hex);
	n = sizeof(d);
	pki_must(gnutls_x509_crt_get_fingerprint(pki.leaf, GNUTLS_DIG_SHA1, d, &n), "sha1");
	hex(d, n, true, false, sha1_hex);
	try_fingerprint(cert_hex, NULL, 0, "certificate sha256 fingerprint accepted");
	try_fingerprint(key_hex, "sha256", 0, "public key sha256 fingerprint accepted");
	try_fingerprint(sha1_hex, "SHA1", 0, "certificate sha1 fingerprint accepted");
	memset(zeros, '0', 64);
	zeros[64] = '\0';
	start(&r, &srv, &p, 5000);
	is_int(r.rc, -1, "wrong fingerprint refused");
	is_str(error_class_name(r.err.cls), error_class_name(ERROR_TEMP), "... temporarily");
	ok(has(r.err.text, zeros) && has(r.err.text, cert_hex),
	   "... naming expected and seen digests: %s", r.err.text);
	finish(&r);
}

static void test_tls12(void)
{
	struct server srv = { .crt = pki.leaf, .priority = "NORMAL:-VERS-ALL:+VERS-TLS1.2" };
	struct tls_params p = verify_params(pki.ca_file, localhost);
	unsigned char cb[64];
	size_t len = sizeof(cb);
	struct run r;
	int rc;

	start(&r, &srv, &p, 5000);
	is_int(r.rc, 0, "a TLS 1.2-only server works (%s)", r.err.text);
	is_str(r.info.version, "TLSv1.2", "... at TLS 1.2");
	is_str(tls_channel_binding_type(r.conn), "tls-unique", "... binding with tls-unique");
	rc = tls_channel_binding(r.conn, "tls-unique", cb, &len);
	ok(rc == 0 && len == 12, "... tls-unique data (%zu bytes)", len);
	finish(&r);
	srv.priority = "NORMAL:-VERS-ALL:+VERS-TLS1.1";
	expect_failure(&srv, &p, "TLS handshake with", "TLS 1.1-only server");
}

/* One key share, X25519: a server without X25519 asks for another
 * (HelloRetryRequest) and the handshake still works at TLS 1.3. */
static void test_groups(void)
{
	struct server srv = { .crt = pki.leaf,
			      .priority = "NORMAL:-GROUP-ALL:+GROUP-SECP384R1:+GROUP-SECP256R1" };
	struct tls_params p = verify_params(pki.ca_file, localhost);
	struct run r;

	start(&r, &srv, &p, 5000);
	is_int(r.rc, 0, "a server without X25519 works (%s)", r.err.text);
	is_str(r.info.version, "TLSv1.3", "... at TLS 1.3, after its retry request");
	finish(&r);
	srv.priority = "NORMAL:-GROUP-ALL:+GROUP-X25519";
	start(&r, &srv, &p, 5000);
	is_int(r.rc, 0, "an X25519-only server works (%s)", r.err.text);
	finish(&r);
}

/* A key update and the data after it arrive in one read: GnuTLS handles
 * the update and asks to be called again, and the data is already read
 * ahead (net/tls_io.c), where no poll of the socket can see it. */
static void test_post_handshake(void)
{
	struct server srv = { .crt = pki.leaf, .mode = SERVE_KEY_UPDATE };
	struct tls_params p = verify_params(pki.ca_file, localhost);
	struct timespec pause = { .tv_nsec = 300 * 1000000L };
	char buf[16] = "";
	int64_t t0;
	ssize_t n = -1;
	struct run r;

	start(&r, &srv, &p, 5000);
	if (r.rc == 0) {
		nanosleep(&pause, NULL); /* both records are in the socket now */
		t0 = deadline_now_ms();
		n = conn_read(r.conn, buf, sizeof(buf), deadline_in(3000), &r.err);
		r.took_ms = deadline_now_ms() - t0;
	}
	ok(n == 6 && memcmp(buf, "hello\n", 6) == 0, "data right after a key update is read (%s)",
	   r.err.text);
	ok(r.took_ms < 1000, "... without waiting for the socket (%lld ms)", (long long)r.took_ms);
	finish(&r);
}

static void test_stall(void)
{
	struct server srv = { .mode = SERVE_STALL };
	struct tls_params p = verify_params(pki.ca_file, localhost);
	struct run r;

	start(&r, &srv, &p, 300);
	is_int(r.rc, -1, "a server that never answers the ClientHello fails");
	ok(r.took_ms >= 250 && r.took_ms < 2000, "... within its 300 ms deadline (%lld ms)",
	   (long long)r.took_ms);
	ok(r.err.cls == ERROR_TEMP && has(r.err.text, "timed out"), "... timed out: %s",
	   r.err.text);
	ok(conn_tls(r.conn) == NULL, "... and no TLS is attached");
	finish(&r);
}

static void test_client_cert(void)
{
	struct server srv = { .crt = pki.leaf, .mode = SERVE_CLIENT_CERT };
	struct tls_params p = verify_params(pki.ca_file, localhost);
	char buf[8];
	struct run r;

	p.cert_file = pki.client_file;
	p.key_file = pki.key_file;
	start(&r, &srv, &p, 5000);
	ok(r.rc == 0 && conn_read(r.conn, buf, sizeof(buf), deadline_in(2000), &r.err) == 5 &&
	       memcmp(buf, "cert\n", 5) == 0,
	   "client certificate presented (%s)", r.err.text);
	finish(&r);
}

/* Errors found before any byte is sent need no server. */
static void config_error(const struct tls_params *p, const char *part, const char *what)
{
	int sv[2];
	struct conn *c;
	struct error err = { 0 };

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		exit(99);
	c = conn_from_fds(sv[0], sv[0]);
	is_int(tls_start(c, p, deadline_in(1000), NULL, &err), -1, "%s: refused", what);
	ok(err.cls == ERROR_CONFIG && has(err.text, part), "%s: configuration error naming %s: %s",
	   what, part, err.text);
	ok(conn_tls(c) == NULL, "%s: no TLS attached", what);
	conn_free(c);
	close(sv[1]);
}

static void test_config_errors(void)
{
	static const char *const bad_fp[] = { "xyz" };
	static const char *const short_fp[] = { "AB:CD" };
	struct tls_params p = verify_params(pki.missing_file, localhost);

	config_error(&p, pki.missing_file, "missing CA file");
	p.cafile = pki.empty_file;
	config_error(&p, pki.empty_file, "CA file without certificates");
	p.cafile = NULL;
	p.capath = pki.empty_dir;
	config_error(&p, pki.empty_dir, "CA directory without certificates");
	p = verify_params(pki.ca_file, localhost);
	p.cert_file = pki.missing_file;
	config_error(&p, pki.missing_file, "missing client certificate");
	p = verify_params(pki.ca_file, localhost);
	p.priority = "NORMAL:+BOGUS";
	config_error(&p, "BOGUS", "bad priority string");
	p = (struct tls_params){ .verify = TLS_VERIFY_FINGERPRINT,
				 .fingerprints = bad_fp,
				 .nfingerprints = 1 };
	config_error(&p, "xyz", "fingerprint that is not hex");
	p.fingerprints = short_fp;
	config_error(&p, "AB:CD", "fingerprint of the wrong length");
	p.digest = "whirlpool";
	config_error(&p, "whirlpool", "unknown digest");
}

static void test_certtext(void)
{
	static const unsigned char d[4] = { 0xab, 0x01, 0xcd, 0xef };
	static const unsigned char other[4] = { 0 };
	const char *good[] = { "nothing", "ab01CDEF" };
	const char *colons[] = { "AB:01:cd:ef" };
	const char *odd[] = { "AB:0" };
	const char *split[] = { "A:B01CDEF" };
	struct error err = { 0 };
	char out[16];

	ok(certtext_fingerprint_match(good, 2, other, d, 4), "fingerprint without colons matches");
	ok(certtext_fingerprint_match(colons, 1, d, other, 4), "fingerprint with colons matches");
	ok(!certtext_fingerprint_match(colons, 1, other, other, 4), "other digest does not match");
	is_int(certtext_check_fingerprints(colons, 1, 4, "x", &err), 0, "well-formed accepted");
	is_int(certtext_check_fingerprints(odd, 1, 4, "x", &err), -1, "odd digit count refused");
	is_int(certtext_check_fingerprints(split, 1, 4, "x", &err), -1,
	       "colon inside a byte refused");
	is_int(certtext_check_fingerprints(colons, 0, 4, "x", &err), -1, "empty list refused");
	certtext_format_digest(d, 4, out, sizeof(out));
	is_str(out, "AB:01:CD:EF", "digest formatted");
	certtext_format_digest(d, 4, out, 5);
	is_str(out, "AB", "formatting truncates at a byte boundary");
	certtext_join(out, sizeof(out), good, 2);
	is_str(out, "nothing, ab01CD", "join truncates to the buffer");
}

/* Start-up checks: the digest names tls_start takes, and the fingerprints
 * it would compare (every sha256 form of the leaf's digest that is valid
 * matches it, and no other does). */
static void test_fingerprint_checks(void)
{
	static const char *const known[] = { "sha256", "SHA1",	 "Md5", "sha512",
					     "sha224", "SHA384", "",	NULL };
	static const char *const unknown[] = { "whirlpool", "sha-256", "sha3-256", " sha256" };
	static const unsigned char zero[32] = { 0 };
	unsigned char d[32];
	size_t n = sizeof(d);
	char low[65], up[96], mixed[100], trail[100], split[100], odd[100], shrt[100], lng[100],
	    sha1[64];
	struct {
		const char *text, *digest;
		bool valid;
	} fps[] = {
		{ up, "sha256", true },	   { low, "SHA256", true },    { mixed, NULL, true },
		{ trail, "", true },	   { split, "sha256", false }, { odd, "sha256", false },
		{ shrt, "sha256", false }, { lng, "sha256", false },   { "", "sha256", false },
		{ "zz", "sha256", false },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		ok(tls_digest_known(known[i]), "digest \"%s\" known", known[i] ? known[i] : "NULL");
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		ok(!tls_digest_known(unknown[i]), "digest \"%s\" unknown", unknown[i]);
	pki_must(gnutls_x509_crt_get_fingerprint(pki.leaf, GNUTLS_DIG_SHA256, d, &n),
		 "fingerprint");
	hex(d, n, true, true, up);
	hex(d, n, false, false, low);
	snprintf(mixed, sizeof(mixed), "%.2s:%s", up, low + 2);
	snprintf(trail, sizeof(trail), "%s:", low);
	snprintf(split, sizeof(split), "%.1s:%s", low, low + 1);
	snprintf(odd, sizeof(odd), "%.63s", low);
	snprintf(shrt, sizeof(shrt), "%.62s", low);
	snprintf(lng, sizeof(lng), "%s00", low);
	for (size_t i = 0; i < sizeof(fps) / sizeof(fps[0]); i++) {
		const char *text = fps[i].text;

		is_int(tls_fingerprint_valid(text, fps[i].digest), fps[i].valid,
		       "fingerprint \"%s\" under %s: %s", text,
		       fps[i].digest ? fps[i].digest : "NULL", fps[i].valid ? "valid" : "invalid");
		is_int(certtext_fingerprint_match(&text, 1, zero, d, n), fps[i].valid,
		       "... and tls_start %s it to the certificate",
		       fps[i].valid ? "matches" : "does not match");
	}
	ok(!tls_fingerprint_valid(up, "sha1"), "a sha256 fingerprint is not one of sha1");
	ok(!tls_fingerprint_valid(up, "whirlpool"),
	   "no fingerprint is valid for an unknown digest");
	n = sizeof(d);
	pki_must(gnutls_x509_crt_get_fingerprint(pki.leaf, GNUTLS_DIG_SHA1, d, &n), "sha1");
	hex(d, n, true, false, sha1);
	ok(tls_fingerprint_valid(sha1, "SHA1"), "a sha1 fingerprint under sha1");
	ok(!tls_fingerprint_valid(sha1, NULL), "... not under the default, sha256");
	ok(!tls_fingerprint_valid(NULL, "sha256"), "NULL is not a valid fingerprint");
}

static void accepted(int rc, const struct error *err, const char *what)
{
	ok(rc == 0, "%s%s%s", what, rc == 0 ? "" : ": ", rc == 0 ? "" : err->text);
}

static void refused(int rc, const struct error *err, const char *file, const char *why,
		    const char *what)
{
	ok(rc == -1 && err->cls == ERROR_CONFIG && has(err->text, file) && has(err->text, why),
	   "%s: configuration error naming the file and why: %s", what, err->text);
}

/* Start-up checks of the files tls_start would load. A FIFO, as a file or
 * in a CA directory, must not hang them. */
static void test_file_checks(void)
{
	char junk[128], fifo[160], key[160], sub[160], link[160], cut[128], wrong[128], both[128];
	struct error err = { 0 };
	gnutls_datum_t ca, k;
	FILE *f;

	snprintf(junk, sizeof(junk), "%s/junk.d", pki.dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", junk);
	snprintf(key, sizeof(key), "%s/key.pem", junk);
	snprintf(sub, sizeof(sub), "%s/sub.d", junk);
	snprintf(link, sizeof(link), "%s/ca.pem", junk);
	snprintf(cut, sizeof(cut), "%s/cut.pem", pki.dir);
	snprintf(wrong, sizeof(wrong), "%s/wrong-key.pem", pki.dir);
	snprintf(both, sizeof(both), "%s/both.pem", pki.dir);
	pki_must(gnutls_x509_crt_export2(pki.ca, GNUTLS_X509_FMT_PEM, &ca), "export");
	pki_write_file(cut, ca.data, ca.size / 2);
	gnutls_free(ca.data);
	pki_must(gnutls_x509_privkey_export2(pki.key, GNUTLS_X509_FMT_PEM, &k), "key export");
	pki_write_file(wrong, k.data, k.size);
	gnutls_free(k.data);
	pki_must(gnutls_x509_crt_export2(pki.client, GNUTLS_X509_FMT_PEM, &ca), "export");
	pki_must(gnutls_x509_privkey_export2(pki.other_key, GNUTLS_X509_FMT_PEM, &k), "key export");
	if ((f = fopen(both, "w")) == NULL || fwrite(ca.data, 1, ca.size, f) != ca.size ||
	    fwrite(k.data, 1, k.size, f) != k.size || fclose(f) != 0)
		exit(99);
	gnutls_free(ca.data);
	gnutls_free(k.data);
	if (mkdir(junk, 0700) < 0 || mkfifo(fifo, 0600) < 0 || mkdir(sub, 0700) < 0 ||
	    symlink(pki.key_file, key) < 0)
		exit(99);

	accepted(tls_check_cafile(pki.ca_file, &err), &err, "CA file accepted");
	ok(tls_check_cafile(NULL, &err) == 0 && tls_check_cafile("", &err) == 0,
	   "no CA file: nothing to check");
	refused(tls_check_cafile(pki.missing_file, &err), &err, pki.missing_file, strerror(ENOENT),
		"missing CA file");
	refused(tls_check_cafile(junk, &err), &err, junk, strerror(EISDIR), "CA file a directory");
	refused(tls_check_cafile(fifo, &err), &err, fifo, "not a regular file", "CA file a FIFO");
	refused(tls_check_cafile(pki.empty_file, &err), &err, pki.empty_file,
		"holds no certificates", "empty CA file");
	refused(tls_check_cafile(pki.key_file, &err), &err, pki.key_file, "holds no certificates",
		"CA file with a key only");
	refused(tls_check_cafile(cut, &err), &err, cut, "cannot load CA file", "CA file cut short");
	accepted(tls_check_capath(pki.dir, &err), &err, "CA directory accepted");
	ok(tls_check_capath(NULL, &err) == 0 && tls_check_capath("", &err) == 0,
	   "no CA directory: nothing to check");
	refused(tls_check_capath(pki.missing_file, &err), &err, pki.missing_file, strerror(ENOENT),
		"missing CA directory");
	refused(tls_check_capath(pki.ca_file, &err), &err, pki.ca_file, strerror(ENOTDIR),
		"CA directory a file");
	refused(tls_check_capath(junk, &err), &err, junk, "holds no certificates",
		"CA directory of a FIFO, a key and a directory");
	if (symlink(pki.ca_file, link) < 0)
		exit(99);
	accepted(tls_check_capath(junk, &err), &err, "... and a link to a CA file in it is enough");

	accepted(tls_check_keypair(pki.client_file, pki.key_file, &err), &err,
		 "client certificate and key accepted");
	accepted(tls_check_keypair(both, NULL, &err), &err, "certificate and key in one file");
	accepted(tls_check_keypair(both, "", &err), &err, "... the key file empty");
	ok(tls_check_keypair(NULL, pki.key_file, &err) == 0 &&
	       tls_check_keypair("", NULL, &err) == 0,
	   "no client certificate: nothing to check");
	refused(tls_check_keypair(pki.missing_file, pki.key_file, &err), &err, pki.missing_file,
		strerror(ENOENT), "missing client certificate");
	refused(tls_check_keypair(pki.client_file, pki.missing_file, &err), &err, pki.missing_file,
		strerror(ENOENT), "missing client key");
	refused(tls_check_keypair(pki.client_file, junk, &err), &err, junk, strerror(EISDIR),
		"client key a directory");
	refused(tls_check_keypair(pki.client_file, wrong, &err), &err, wrong,
		gnutls_strerror(GNUTLS_E_CERTIFICATE_KEY_MISMATCH), "key of another certificate");
	refused(tls_check_keypair(pki.client_file, NULL, &err), &err, pki.client_file,
		"cannot load client certificate", "certificate file without its key");
	ok(!has(err.text, "smtp_tls"), "the parameter is left for the caller to name");

	unlink(link);
	unlink(key);
	unlink(fifo);
	rmdir(sub);
	rmdir(junk);
	unlink(cut);
	unlink(wrong);
	unlink(both);
}

int main(void)
{
	test_certtext();
	pki_make();
	test_verified();
	test_big_write();
	test_refusals();
	test_names();
	test_none();
	test_fingerprints();
	test_tls12();
	test_groups();
	test_stall();
	test_post_handshake();
	test_client_cert();
	test_config_errors();
	test_fingerprint_checks();
	test_file_checks();
	pki_free();
	return tap_done();
}
