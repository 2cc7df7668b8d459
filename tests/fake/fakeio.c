/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Connection I/O of the fake SMTP server. Every wait is a poll() bounded
 * by the server's global deadline. What the client sends is logged when it
 * arrives, one transcript line per client line: "C: " when the line began
 * a read() (a new segment or TLS record), "C+ " when it came in the same
 * read() as the line before, so a test can see what was pipelined. */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fake/fakeio.h"

#define FIO_IN_MAX (4 * 1024 * 1024)

long long fio_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int remaining(const struct fio *f)
{
	long long left = f->deadline - fio_now();

	return left <= 0 ? 0 : left > INT32_MAX ? INT32_MAX : (int)left;
}

void fio_init(struct fio *f, int fd, FILE *tr, long long deadline)
{
	memset(f, 0, sizeof(*f));
	f->fd = fd;
	f->tr = tr;
	f->deadline = deadline;
}

void fio_fini(struct fio *f)
{
	if (f->tls != NULL) {
		gnutls_bye(f->tls, GNUTLS_SHUT_WR);
		gnutls_deinit(f->tls);
	}
	if (f->cred != NULL)
		gnutls_certificate_free_credentials(f->cred);
	if (f->fd >= 0)
		close(f->fd);
	free(f->in);
	free(f->out);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}

void fio_note(struct fio *f, const char *fmt, ...)
{
	va_list ap;

	fputs("# ", f->tr);
	va_start(ap, fmt);
	vfprintf(f->tr, fmt, ap);
	va_end(ap);
	fputc('\n', f->tr);
	fflush(f->tr);
}

/* One client line, escaped: \r \t \\ and \xHH for other control bytes
 * and for bytes above 0x7e; a line end other than CRLF is named. */
static void log_line(struct fio *f, const char *p, size_t n, bool is_new)
{
	const char *end = " [no EOL]";

	if (n >= 2 && p[n - 2] == '\r' && p[n - 1] == '\n') {
		n -= 2;
		end = "";
	} else if (n >= 1 && p[n - 1] == '\n') {
		n -= 1;
		end = " [LF]";
	}
	fputs(is_new ? "C: " : "C+ ", f->tr);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\\')
			fputs("\\\\", f->tr);
		else if (c == '\r')
			fputs("\\r", f->tr);
		else if (c == '\t')
			fputs("\\t", f->tr);
		else if (c < 0x20 || c > 0x7e)
			fprintf(f->tr, "\\x%02x", c);
		else
			fputc(c, f->tr);
	}
	fprintf(f->tr, "%s\n", end);
	fflush(f->tr);
}

/* Log the complete lines that arrived; at_eof: the rest too. */
static void log_new(struct fio *f, bool at_eof)
{
	if (f->quiet) {
		f->logged = f->inlen;
		return;
	}
	while (f->logged < f->inlen) {
		const char *p = f->in + f->logged;
		size_t left = f->inlen - f->logged;
		const char *lf = memchr(p, '\n', left);
		size_t n = lf != NULL ? (size_t)(lf - p) + 1 : left;

		if (lf == NULL && !at_eof)
			return;
		log_line(f, p, n, f->pending_new);
		f->pending_new = false;
		f->logged += n;
	}
}

static int wait_fd(const struct fio *f, short events)
{
	struct pollfd pfd = { .fd = f->fd, .events = events };

	for (;;) {
		int r = poll(&pfd, 1, remaining(f));

		if (r > 0)
			return 0;
		if (r == 0)
			return FIO_TIMEOUT;
		if (errno != EINTR)
			return FIO_ERROR;
	}
}

static ssize_t raw_recv(struct fio *f, char *buf, size_t size)
{
	for (;;) {
		ssize_t n;

		if (f->tls == NULL) {
			n = recv(f->fd, buf, size, MSG_DONTWAIT);
			if (n >= 0)
				return n;
			if (errno == ECONNRESET)
				return 0;
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				return FIO_ERROR;
		} else {
			n = gnutls_record_recv(f->tls, buf, size);
			if (n >= 0)
				return n;
			if (n == GNUTLS_E_PREMATURE_TERMINATION || n == GNUTLS_E_PULL_ERROR)
				return 0;
			if (n != GNUTLS_E_AGAIN && n != GNUTLS_E_INTERRUPTED)
				return FIO_ERROR;
		}
		n = wait_fd(f, POLLIN);
		if (n < 0)
			return n;
	}
}

/* One read(): >0 bytes appended, FIO_EOF, FIO_TIMEOUT or FIO_ERROR. */
static int fill(struct fio *f)
{
	char buf[65536];
	ssize_t n;

	n = raw_recv(f, buf, sizeof(buf));
	if (n <= 0) {
		if (n == 0)
			log_new(f, true);
		return (int)n;
	}
	if (f->inlen + (size_t)n > FIO_IN_MAX)
		return FIO_ERROR;
	if (f->inlen + (size_t)n > f->incap) {
		size_t cap = f->incap > 0 ? f->incap : 4096;
		char *p;

		while (cap < f->inlen + (size_t)n)
			cap *= 2;
		if ((p = realloc(f->in, cap)) == NULL)
			return FIO_ERROR;
		f->in = p;
		f->incap = cap;
	}
	if (f->logged == f->inlen)
		f->pending_new = true;
	memcpy(f->in + f->inlen, buf, (size_t)n);
	f->inlen += (size_t)n;
	log_new(f, false);
	return 1;
}

int fio_line(struct fio *f, size_t *len)
{
	for (;;) {
		const char *lf = f->inlen > 0 ? memchr(f->in, '\n', f->inlen) : NULL;
		int r;

		if (lf != NULL) {
			*len = (size_t)(lf - f->in) + 1;
			return FIO_LINE;
		}
		r = fill(f);
		if (r == FIO_EOF)
			f->inlen = f->logged = 0;
		if (r <= 0)
			return r;
	}
}

void fio_consume(struct fio *f, size_t n)
{
	if (n > f->inlen)
		n = f->inlen;
	memmove(f->in, f->in + n, f->inlen - n);
	f->inlen -= n;
	f->logged = f->logged > n ? f->logged - n : 0;
}

int fio_drain(struct fio *f, bool first_only)
{
	for (;;) {
		int r = fill(f);

		if (r <= 0)
			return r;
		fio_consume(f, f->inlen);
		if (first_only)
			return FIO_LINE;
	}
}

int fio_queue(struct fio *f, const char *p, size_t n)
{
	if (f->outlen + n > f->outcap) {
		size_t cap = f->outcap > 0 ? f->outcap : 1024;
		char *q;

		while (cap < f->outlen + n)
			cap *= 2;
		if ((q = realloc(f->out, cap)) == NULL)
			return -1;
		f->out = q;
		f->outcap = cap;
	}
	memcpy(f->out + f->outlen, p, n);
	f->outlen += n;
	return 0;
}

static int write_all(struct fio *f, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w;

		if (f->tls == NULL)
			w = send(f->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		else
			w = gnutls_record_send(f->tls, p, n);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (f->tls == NULL ? (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				   : (w != GNUTLS_E_AGAIN && w != GNUTLS_E_INTERRUPTED))
			return -1;
		if (wait_fd(f, POLLOUT) < 0)
			return -1;
	}
	return 0;
}

int fio_flush(struct fio *f)
{
	int rc = 0;

	if (!f->bytewise) {
		rc = write_all(f, f->out, f->outlen);
	} else {
		/* With TCP_NODELAY set, each byte leaves in its own segment. */
		for (size_t i = 0; i < f->outlen && rc == 0; i++) {
			rc = write_all(f, f->out + i, 1);
			fio_sleep(f, 2);
		}
	}
	f->outlen = 0;
	return rc;
}

void fio_sleep(const struct fio *f, long ms)
{
	int left = remaining(f);

	poll(NULL, 0, ms < left ? (int)ms : left);
}

/* GnuTLS reads through here so that bytes the client sent right after
 * STARTTLS, already in our buffer, reach the handshake. */
static ssize_t tls_pull(gnutls_transport_ptr_t ptr, void *p, size_t n)
{
	struct fio *f = ptr;

	if (f->inlen > 0) {
		size_t k = f->inlen < n ? f->inlen : n;

		memcpy(p, f->in, k);
		fio_consume(f, k);
		return (ssize_t)k;
	}
	return recv(f->fd, p, n, MSG_DONTWAIT);
}

static ssize_t tls_push(gnutls_transport_ptr_t ptr, const void *p, size_t n)
{
	const struct fio *f = ptr;

	return send(f->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static int tls_setup(struct fio *f, const char *cert, const char *key, char *why, size_t size)
{
	int r = gnutls_certificate_allocate_credentials(&f->cred);

	if (r == 0)
		r = gnutls_certificate_set_x509_key_file(f->cred, cert, key, GNUTLS_X509_FMT_PEM);
	if (r >= 0)
		r = gnutls_init(&f->tls, GNUTLS_SERVER | GNUTLS_NONBLOCK);
	if (r >= 0)
		r = gnutls_set_default_priority(f->tls);
	if (r >= 0)
		r = gnutls_credentials_set(f->tls, GNUTLS_CRD_CERTIFICATE, f->cred);
	if (r < 0) {
		snprintf(why, size, "TLS setup with %s and %s: %s", cert, key, gnutls_strerror(r));
		return -1;
	}
	gnutls_transport_set_ptr(f->tls, f);
	gnutls_transport_set_pull_function(f->tls, tls_pull);
	gnutls_transport_set_push_function(f->tls, tls_push);
	return 0;
}

int fio_tls(struct fio *f, const char *cert, const char *key, char *why, size_t size)
{
	int r;

	if (cert == NULL || key == NULL) {
		snprintf(why, size, "tls needs --cert and --key");
		return -1;
	}
	if (tls_setup(f, cert, key, why, size) < 0)
		return -1;
	while ((r = gnutls_handshake(f->tls)) < 0) {
		if (gnutls_error_is_fatal(r)) {
			snprintf(why, size, "handshake: %s", gnutls_strerror(r));
			break;
		}
		if (wait_fd(f, gnutls_record_get_direction(f->tls) ? POLLOUT : POLLIN) < 0) {
			snprintf(why, size, "handshake: timed out");
			break;
		}
	}
	if (r == 0)
		return 0;
	gnutls_deinit(f->tls);
	f->tls = NULL;
	return -1;
}
