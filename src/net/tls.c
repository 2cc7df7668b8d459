/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The TLS client, one half of the GnuTLS adapter (tls_verify.c checks the
 * peer): credentials loaded only as far as the verification level needs
 * them, a non-blocking handshake bounded by the deadline, and record I/O
 * for conn.c. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/deadline.h"
#include "base/error.h"
#include "base/i18n.h"
#include "base/stop.h"
#include "base/str.h"
#include "net/conn.h"
#include "net/tls.h"
#include "net/tls_impl.h"
#include "net/tls_io.h"

#define TLS_DEFAULT_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
#define TLS_BYE_MS 100 /* how long close_notify may take on the way out */
/* NORMAL's groups with X25519 first, as other clients order them: with
 * one key share (GNUTLS_KEY_SHARE_TOP) a TLS 1.3 handshake then costs one
 * X25519 key pair and exchange instead of a P-256 and an X25519 key pair
 * and a P-256 exchange, about a tenth of a run's CPU. A server without
 * X25519 asks for another share (one more round trip). */
#define TLS_GROUPS                                                                                 \
	":-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:+GROUP-SECP521R1"             \
	":+GROUP-X448:+GROUP-FFDHE2048:+GROUP-FFDHE3072:+GROUP-FFDHE4096:+GROUP-FFDHE6144"         \
	":+GROUP-FFDHE8192"

/* Our own transport (net/tls_io.c): MSG_DONTWAIT so that even a blocking
 * socket never blocks (poll and the deadline do the waiting), MSG_NOSIGNAL
 * so that a closed peer is an error and not a SIGPIPE, reads ahead and
 * writes held until a read or a flush. */
static ssize_t transport_pull(gnutls_transport_ptr_t ptr, void *p, size_t n)
{
	return tls_io_pull(ptr, p, n);
}

static ssize_t transport_push(gnutls_transport_ptr_t ptr, const giovec_t *iov, int iovcnt)
{
	/* giovec_t is struct iovec (gnutls.h). */
	return tls_io_push(ptr, (const struct iovec *)iov, iovcnt);
}

/* A stop ends this wait too: GnuTLS then sees EINTR and returns
 * GNUTLS_E_INTERRUPTED, and wait_ready reports the stop. */
static int transport_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	struct tls_io *io = ptr;
	struct pollfd pfd = { .fd = io->fd, .events = POLLIN };
	struct deadline dl = { 0 };

	if (tls_io_buffered(io) > 0)
		return 1;
	if (tls_io_flush(io) < 0)
		return -1;
	/* deadline_in(0) means no deadline; GnuTLS's 0 means do not wait. */
	if (ms == 0)
		return poll(&pfd, 1, 0);
	if (ms != GNUTLS_INDEFINITE_TIMEOUT)
		dl = deadline_in(ms);
	return stop_poll(&pfd, 1, dl);
}

/* Wait until the direction GnuTLS last needed is ready, or until what is
 * held can go out (the next call sends it): 1 ready, 0 the deadline
 * passed, -1 poll failed or (errno EINTR) a stop was asked. */
static int wait_ready(const struct tls *t, struct deadline dl)
{
	struct pollfd pfd = { .fd = t->io.fd };

	pfd.events = gnutls_record_get_direction(t->session) ? POLLOUT : POLLIN;
	/* GnuTLS answers GNUTLS_E_AGAIN after a post-handshake message (a
	 * session ticket, a key update) without reading on: what follows it
	 * may be read ahead already, and the socket will not say so. */
	if (pfd.events == POLLIN && tls_io_buffered(&t->io) > 0)
		return 1;
	if (tls_io_held(&t->io) > 0)
		pfd.events |= POLLOUT;
	if (conn_stoppable(t->conn))
		return stop_poll(&pfd, 1, dl);
	for (;;) {
		int r = poll(&pfd, 1, deadline_poll_ms(dl));

		if (r >= 0 || errno != EINTR)
			return r;
	}
}

/* Send what GnuTLS wrote and is still held, waiting for room until dl:
 * 0 sent, 1 the deadline passed, -1 a send or the wait failed (errno). */
static int flush_held(struct tls *t, struct deadline dl)
{
	int r;

	while ((r = tls_io_flush(&t->io)) == 1) {
		struct pollfd pfd = { .fd = t->io.fd, .events = POLLOUT };
		int w = conn_stoppable(t->conn) ? stop_poll(&pfd, 1, dl)
						: poll(&pfd, 1, deadline_poll_ms(dl));

		if (w == 0)
			return 1;
		if (w < 0 && (errno != EINTR || conn_stoppable(t->conn)))
			return -1;
	}
	return r;
}

static void tls_destroy(struct tls *t)
{
	if (t->peer != NULL)
		gnutls_x509_crt_deinit(t->peer);
	if (t->session != NULL)
		gnutls_deinit(t->session);
	if (t->cred != NULL && !t->cred_shared)
		gnutls_certificate_free_credentials(t->cred);
	tls_io_fini(&t->io);
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
	(void)flush_held(t, dl);
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

static int new_credentials(gnutls_certificate_credentials_t *cred, struct error *err)
{
	int r = gnutls_certificate_allocate_credentials(cred);

	if (r >= 0)
		return 0;
	*cred = NULL;
	error_set(err, ERROR_INTERNAL, _("cannot set up TLS: %s"), gnutls_strerror(r));
	return -1;
}

/* No key file of its own: the key is in the certificate's file. */
static const char *key_file_for(const char *cert, const char *key)
{
	return key != NULL && *key != '\0' ? key : cert;
}

static int load_keypair(gnutls_certificate_credentials_t cred, const char *cert, const char *key,
			struct error *err)
{
	int r = gnutls_certificate_set_x509_key_file(cred, cert, key, GNUTLS_X509_FMT_PEM);

	if (r >= 0)
		return 0;
	error_set(err, ERROR_CONFIG, _("cannot load client certificate %s with key %s: %s"), cert,
		  key, gnutls_strerror(r));
	return -1;
}

/* Trust anchors loaded once per process and kept: parsing a CA file is a
 * tenth of a one-message run's CPU, and the start-up check, a fallback
 * relay and every new connection of a -bs session would each parse it
 * again. Sessions may share credentials (GnuTLS only reads them), so a
 * session without a client certificate takes these as they are. Keyed by
 * the CA file and directory as written (empty for the system store); the
 * few a process uses stay until it exits. */
#define TRUST_CACHE_MAX 4

static struct trusted {
	char *cafile, *capath;
	gnutls_certificate_credentials_t cred;
} trust_cache[TRUST_CACHE_MAX];

static bool same_path(const char *cached, const char *path)
{
	return strcmp(cached, path != NULL ? path : "") == 0;
}

static gnutls_certificate_credentials_t trust_cached(const char *cafile, const char *capath)
{
	for (size_t i = 0; i < TRUST_CACHE_MAX && trust_cache[i].cred != NULL; i++)
		if (same_path(trust_cache[i].cafile, cafile) &&
		    same_path(trust_cache[i].capath, capath))
			return trust_cache[i].cred;
	return NULL;
}

/* Keep cred for cafile and capath; false (and nothing kept) when the
 * cache is full or memory short, and then the caller keeps it. */
static bool trust_keep(const char *cafile, const char *capath,
		       gnutls_certificate_credentials_t cred)
{
	for (size_t i = 0; i < TRUST_CACHE_MAX; i++) {
		if (trust_cache[i].cred != NULL)
			continue;
		trust_cache[i].cafile = str_dup(cafile != NULL ? cafile : "");
		trust_cache[i].capath = str_dup(capath != NULL ? capath : "");
		if (trust_cache[i].cafile == NULL || trust_cache[i].capath == NULL) {
			free(trust_cache[i].cafile);
			free(trust_cache[i].capath);
			trust_cache[i].cafile = trust_cache[i].capath = NULL;
			return false;
		}
		trust_cache[i].cred = cred;
		return true;
	}
	return false;
}

static int setup_credentials(struct tls *t, const struct tls_params *p, struct error *err)
{
	bool chain = p->verify == TLS_VERIFY_CHAIN_NAME;
	bool keypair = p->cert_file != NULL && *p->cert_file != '\0';

	if (chain && !keypair && (t->cred = trust_cached(p->cafile, p->capath)) != NULL) {
		t->cred_shared = true;
		return 0;
	}
	if (new_credentials(&t->cred, err) < 0)
		return -1;
	/* Trust anchors cost time to parse; only checking a chain needs them. */
	if (chain && load_trust(t->cred, p, err) < 0)
		return -1;
	if (!keypair) {
		if (chain)
			t->cred_shared = trust_keep(p->cafile, p->capath, t->cred);
		return 0;
	}
	return load_keypair(t->cred, p->cert_file, key_file_for(p->cert_file, p->key_file), err);
}

/* Why path cannot be read as a file of ours, or NULL when it can (GnuTLS
 * would say only "Error while reading file"). Only a regular file or a
 * link to one will do: reading a FIFO would hold the check up, and
 * tls_start too. */
static const char *file_trouble(const char *path)
{
	struct stat st;
	const char *why = NULL;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return strerror(errno);
	if (fstat(fd, &st) < 0)
		why = strerror(errno);
	else if (S_ISDIR(st.st_mode))
		why = strerror(EISDIR);
	else if (!S_ISREG(st.st_mode))
		why = _("not a regular file");
	close(fd);
	return why;
}

int tls_check_cafile(const char *file, struct error *err)
{
	gnutls_certificate_credentials_t cred;
	const char *why;
	int r;

	if (file == NULL || *file == '\0')
		return 0;
	if ((why = file_trouble(file)) != NULL) {
		error_set(err, ERROR_CONFIG, _("cannot read CA file %s: %s"), file, why);
		return -1;
	}
	if (trust_cached(file, NULL) != NULL)
		return 0;
	if (new_credentials(&cred, err) < 0)
		return -1;
	/* Kept for the handshakes of a relay that names no CA directory. */
	r = load_ca_file(cred, file, false, err);
	if (r < 0 || !trust_keep(file, NULL, cred))
		gnutls_certificate_free_credentials(cred);
	return r;
}

/* GnuTLS loads what it can of each regular file (or link) of a CA
 * directory and skips the rest, so the directory fails only when no file
 * holds a certificate: the first that does settles it, at the cost of one
 * file instead of the whole directory. */
static bool dir_has_ca(gnutls_certificate_credentials_t cred, DIR *d, const char *dir)
{
	struct dirent *e;

	while ((e = readdir(d)) != NULL) {
		char file[PATH_MAX];
		struct stat st;

		if (fstatat(dirfd(d), e->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode) ||
		    snprintf(file, sizeof(file), "%s/%s", dir, e->d_name) >= (int)sizeof(file))
			continue;
		if (gnutls_certificate_set_x509_trust_file(cred, file, GNUTLS_X509_FMT_PEM) > 0)
			return true;
	}
	return false;
}

int tls_check_capath(const char *dir, struct error *err)
{
	gnutls_certificate_credentials_t cred;
	DIR *d;
	bool found;

	if (dir == NULL || *dir == '\0')
		return 0;
	if ((d = opendir(dir)) == NULL) {
		error_set(err, ERROR_CONFIG, _("cannot read CA directory %s: %s"), dir,
			  strerror(errno));
		return -1;
	}
	if (new_credentials(&cred, err) < 0) {
		closedir(d);
		return -1;
	}
	found = dir_has_ca(cred, d, dir);
	gnutls_certificate_free_credentials(cred);
	closedir(d);
	if (found)
		return 0;
	error_set(err, ERROR_CONFIG, _("CA directory %s holds no certificates"), dir);
	return -1;
}

int tls_check_keypair(const char *cert, const char *key, struct error *err)
{
	gnutls_certificate_credentials_t cred;
	const char *why;
	int r;

	if (cert == NULL || *cert == '\0')
		return 0;
	key = key_file_for(cert, key);
	if ((why = file_trouble(cert)) != NULL) {
		error_set(err, ERROR_CONFIG, _("cannot read client certificate %s: %s"), cert, why);
		return -1;
	}
	if (key != cert && (why = file_trouble(key)) != NULL) {
		error_set(err, ERROR_CONFIG, _("cannot read client key %s: %s"), key, why);
		return -1;
	}
	if (new_credentials(&cred, err) < 0)
		return -1;
	/* The same load as tls_start's, which refuses a key that is not the
	 * certificate's. */
	r = load_keypair(cred, cert, key, err);
	gnutls_certificate_free_credentials(cred);
	return r;
}

/* The priority string with TLS_GROUPS after it; NULL when it does not
 * fit (then the string is used as it is). */
static const char *with_groups(const char *prio, char *out, size_t size)
{
	int n = snprintf(out, size, "%s%s", prio, TLS_GROUPS);

	return n > 0 && (size_t)n < size ? out : NULL;
}

static int setup_session(struct tls *t, const struct tls_params *p, int fd, struct error *err)
{
	const char *prio =
	    p->priority != NULL && *p->priority != '\0' ? p->priority : TLS_DEFAULT_PRIORITY;
	const char *errpos = NULL;
	char ordered[1024];
	int r;

	if ((r = gnutls_init(&t->session, GNUTLS_CLIENT | GNUTLS_KEY_SHARE_TOP)) < 0) {
		t->session = NULL;
		error_set(err, ERROR_INTERNAL, _("cannot set up TLS: %s"), gnutls_strerror(r));
		return -1;
	}
	/* A bad priority is reported as it was given, without our groups. */
	if (with_groups(prio, ordered, sizeof(ordered)) == NULL ||
	    gnutls_priority_set_direct(t->session, ordered, NULL) < 0)
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
	if (tls_io_init(&t->io, fd) < 0) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	gnutls_transport_set_ptr(t->session, &t->io);
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
			if (w == 0) {
				error_set(err, ERROR_TEMP, _("TLS handshake with %s timed out"),
					  peer);
			} else if (errno == EINTR) {
				stop_error(err);
				error_prefix(err, _("TLS handshake with %s"), peer);
			} else {
				error_set_errno(err, ERROR_OS, errno, _("cannot wait for %s"),
						peer);
			}
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

static void fill_info(const struct tls *t, struct tls_info *info)
{
	gnutls_protocol_t v = gnutls_protocol_get_version(t->session);
	const char *name = gnutls_protocol_get_name(v);
	const char *suite = gnutls_ciphersuite_get(t->session);

	/* "TLS1.3" in GnuTLS's words, "TLSv1.3" in Postfix's logs. */
	if (name != NULL && strncmp(name, "TLS", 3) == 0)
		snprintf(info->version, sizeof(info->version), "TLSv%s", name + 3);
	else
		snprintf(info->version, sizeof(info->version), "%s", name != NULL ? name : "?");
	snprintf(info->cipher, sizeof(info->cipher), "%s", suite != NULL ? suite : "?");
	info->bits = 8 * (unsigned)gnutls_cipher_get_key_size(gnutls_cipher_get(t->session));
	info->verified = false;
	info->peer_subject[0] = '\0';
	info->peer_issuer[0] = '\0';
}

/* The certificate's subject and issuer, for -v and for the hint of a
 * failure: formatting them is a few percent of a run that needs neither. */
static void describe_peer(struct tls *t, struct tls_info *info)
{
	gnutls_x509_crt_t crt = tls_peer_leaf(t);

	if (crt == NULL)
		return;
	tls_cert_dn(crt, false, info->peer_subject, sizeof(info->peer_subject));
	tls_cert_dn(crt, true, info->peer_issuer, sizeof(info->peer_issuer));
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
	if (p->verify == TLS_VERIFY_FINGERPRINT && tls_verify_setup(p, &alg, err) < 0)
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
	if (tls_verify_peer(t, p, alg, &info->problem, err) < 0) {
		describe_peer(t, info);
		return -1;
	}
	if (p->describe)
		describe_peer(t, info);
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
	if (r < 0 && errno == EINTR)
		stop_error(err);
	else if (r < 0)
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
	switch (flush_held(t, dl)) {
	case 0:
		return 0;
	case 1:
		error_set(err, ERROR_TEMP, _("timed out writing to %s"), conn_peer(t->conn));
		return -1;
	default:
		if (errno == EINTR)
			stop_error(err);
		else
			error_set_errno(err, ERROR_TEMP, errno, _("cannot write to %s"),
					conn_peer(t->conn));
		return -1;
	}
}

size_t tls_pending(const struct tls *t)
{
	return gnutls_record_check_pending(t->session);
}
