/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fakesmtp: a scriptable SMTP server for relaymail's transport tests. It
 * listens on 127.0.0.1 (or ::1 with --ipv6) on a port the kernel picks,
 * writes that port to --port-file, serves one connection per script
 * section, and writes a transcript of exactly what the client sent.
 *
 *   fakesmtp --script FILE --transcript FILE [--port-file FILE]
 *            [--status-file FILE] [--cert PEM --key PEM] [--ipv6]
 *            [--timeout SECONDS]
 *   fakesmtp --full-backlog --port-file FILE [--timeout SECONDS]
 *
 * Script: one command per line; blank lines and lines starting with "#"
 * are ignored. In TEXT, \r \n \t \\ and \xHH stand for those bytes.
 *   connection          starts the script of the next connection (a
 *                       script without one serves one connection)
 *   send TEXT           queue TEXT and CRLF (several sends queued before
 *                       a wait leave in one write: multi-line replies)
 *   raw TEXT            queue TEXT without CRLF (garbage, injections)
 *   flush               write what is queued now
 *   bytewise            from now on, write one byte per segment
 *   expect PREFIX       read one line; it must start with PREFIX (any
 *                       case; "*" matches anything), else 503 and the
 *                       connection ends as a failure
 *   data                read message lines up to the lone "."
 *   auth MECH USER SECRET
 *                       answer the AUTH command just expected (PLAIN,
 *                       LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER): challenges
 *                       as needed, then 235 when USER and SECRET (the
 *                       password or the bearer token) check out, else 535
 *   tls                 TLS handshake as server with --cert/--key (after
 *                       "send 220 ..." for STARTTLS, first for SMTPS)
 *   badtls              take the client's hello, answer with bytes that
 *                       are not TLS, close
 *   delay MS            write what is queued, then wait MS milliseconds
 *   stall               write what is queued, then read and ignore
 *                       everything until the client gives up
 *   eof                 read (and record) until the client closes
 *   close               close the connection now
 * At the end of a section the connection is closed.
 *
 * Transcript: "C: LINE" for a client line that began a read() (a new
 * segment or TLS record), "C+ LINE" for one that arrived in the same read
 * as the line before; CRLF is not shown, a bare LF is " [LF]", a last line
 * without end " [no EOL]". Events are "# ..." lines: connection N, tls,
 * tls failed, bad tls, data (message lines follow), stall, eof, auth
 * results, unexpected commands.
 *
 * --full-backlog: listen with a full accept queue and never accept, so a
 * connect() to the port hangs (Linux drops the SYN): connect timeouts.
 * Every wait ends at the global timeout (default 20 s); exit status 0 when
 * every section ran to its end, 1 when a client did something else, 2 on
 * the global timeout, 3 on a usage or setup error; --status-file gets it
 * too, so a test can read it while the server is still its child. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fake/fakeio.h"
#include "fake/fakesasl.h"
#include "fake/fakescript.h"

struct opts {
	const char *script, *transcript, *port_file, *status_file, *cert, *key;
	bool ipv6, full_backlog;
	long timeout;
};

/* What running a step leads to. */
enum next { NEXT_STEP, END_OK, END_FAIL, END_TIMEOUT };

struct run {
	struct fio io;
	const struct opts *o;
	char last[1024]; /* the last expected line, without its end */
};

/* ---- Running the steps of one connection. */

static enum next io_end(struct run *r, int rc, const char *what)
{
	if (rc == FIO_TIMEOUT) {
		fio_note(&r->io, "timeout");
		return END_TIMEOUT;
	}
	if (rc == FIO_EOF)
		fio_note(&r->io, "eof (%s)", what);
	else
		fio_note(&r->io, "read error (%s)", what);
	return END_FAIL;
}

/* Read one line into r->last (line end removed). */
static int read_line(struct run *r)
{
	size_t len;
	int rc = fio_line(&r->io, &len);

	if (rc != FIO_LINE)
		return rc;
	snprintf(r->last, sizeof(r->last), "%.*s", (int)len, r->io.in);
	r->last[strcspn(r->last, "\r\n")] = '\0';
	fio_consume(&r->io, len);
	return FIO_LINE;
}

static enum next do_expect(struct run *r, const struct step *s)
{
	int rc = read_line(r);
	char what[300];

	snprintf(what, sizeof(what), "expecting %s", s->arg);
	if (rc != FIO_LINE)
		return io_end(r, rc, what);
	if (strcmp(s->arg, "*") == 0 || strncasecmp(r->last, s->arg, s->len) == 0)
		return NEXT_STEP;
	fio_note(&r->io, "unexpected: wanted %s", s->arg);
	fio_queue(&r->io, "503 5.5.1 fakesmtp: unexpected command\r\n", 40);
	fio_flush(&r->io);
	return END_FAIL;
}

static enum next do_data(struct run *r)
{
	/* The client sends no message data before it has our 354, which is
	 * out by now: this note comes before the first data line. */
	fio_note(&r->io, "data");
	for (;;) {
		int rc = read_line(r);

		if (rc != FIO_LINE)
			return io_end(r, rc, "reading data");
		if (strcmp(r->last, ".") == 0)
			return NEXT_STEP;
	}
}

/* Send a 334 challenge (base64 of text) and read the answer, decoded. */
static char *challenge(struct run *r, const char *text, size_t *len, int *rc)
{
	char *b64 = fakesasl_encode(text, strlen(text));

	fio_queue(&r->io, "334 ", 4);
	fio_queue(&r->io, b64 != NULL ? b64 : "", b64 != NULL ? strlen(b64) : 0);
	fio_queue(&r->io, "\r\n", 2);
	free(b64);
	if (fio_flush(&r->io) < 0) {
		*rc = FIO_ERROR;
		return NULL;
	}
	*rc = read_line(r);
	if (*rc != FIO_LINE)
		return NULL;
	if (strcmp(r->last, "*") == 0)
		return NULL;
	return fakesasl_decode(r->last, strlen(r->last), len);
}

static const char *oauth_error =
    "{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"https://mail.example/\"}";

/* The initial response from the AUTH line, or the answer to an empty
 * challenge. */
static char *first_response(struct run *r, const char *ir, const char *prompt, size_t *len, int *rc)
{
	*rc = FIO_LINE;
	if (ir != NULL)
		return strcmp(ir, "=") == 0 ? calloc(1, 1) : fakesasl_decode(ir, strlen(ir), len);
	return challenge(r, prompt, len, rc);
}

static enum next do_auth(struct run *r, const struct step *s)
{
	static const char cram[] = "<1896.697170952@fakesmtp.test>";
	char line[1024], *mech, *ir, *resp = NULL, *resp2 = NULL;
	size_t len = 0, len2 = 0;
	int rc = FIO_LINE;
	bool ok = false, oauth;

	snprintf(line, sizeof(line), "%s", r->last);
	mech = strchr(line, ' ');
	mech = mech != NULL ? mech + 1 : NULL;
	ir = mech != NULL ? strchr(mech, ' ') : NULL;
	if (ir != NULL)
		*ir++ = '\0';
	if (mech == NULL || strcasecmp(mech, s->mech) != 0) {
		fio_note(&r->io, "auth: wanted %s, got %s", s->mech, mech != NULL ? mech : "none");
		fio_queue(&r->io, "504 5.5.4 Unrecognized authentication type\r\n", 44);
		return fio_flush(&r->io) < 0 ? END_FAIL : NEXT_STEP;
	}
	oauth = strcasecmp(mech, "XOAUTH2") == 0 || strcasecmp(mech, "OAUTHBEARER") == 0;
	if (strcasecmp(mech, "LOGIN") == 0) {
		resp = first_response(r, ir, "Username:", &len, &rc);
		if (resp != NULL)
			resp2 = challenge(r, "Password:", &len2, &rc);
	} else {
		resp =
		    first_response(r, ir, strcasecmp(mech, "CRAM-MD5") == 0 ? cram : "", &len, &rc);
	}
	if (rc != FIO_LINE) {
		free(resp);
		return io_end(r, rc, "authenticating");
	}
	if (resp != NULL)
		ok = fakesasl_check(mech, cram, resp, len, resp2, len2, s->user, s->secret);
	free(resp);
	free(resp2);
	fio_note(&r->io, "auth %s %s", s->mech, ok ? "ok" : "failed");
	if (!ok && oauth) {
		/* RFC 7628 §3.2.2: an error challenge, answered with a dummy. */
		free(challenge(r, oauth_error, &len, &rc));
		if (rc != FIO_LINE)
			return io_end(r, rc, "authenticating");
	}
	if (ok)
		fio_queue(&r->io, "235 2.7.0 Authentication successful\r\n", 37);
	else
		fio_queue(&r->io, "535 5.7.8 Authentication credentials invalid\r\n", 46);
	return fio_flush(&r->io) < 0 ? END_FAIL : NEXT_STEP;
}

static enum next do_tls(struct run *r)
{
	char why[512];

	if (fio_flush(&r->io) < 0)
		return END_FAIL;
	if (fio_tls(&r->io, r->o->cert, r->o->key, why, sizeof(why)) < 0) {
		fio_note(&r->io, "tls failed");
		fprintf(stderr, "fakesmtp: %s\n", why);
		return END_FAIL;
	}
	fio_note(&r->io, "tls");
	return NEXT_STEP;
}

static enum next do_badtls(struct run *r)
{
	int rc;

	if (fio_flush(&r->io) < 0)
		return END_FAIL;
	fio_note(&r->io, "bad tls");
	r->io.quiet = true;
	rc = fio_drain(&r->io, true);
	if (rc != FIO_LINE)
		return io_end(r, rc, "waiting for a TLS hello");
	fio_queue(&r->io, "this is not TLS\r\n", 17);
	fio_flush(&r->io);
	return END_OK;
}

static enum next do_drain(struct run *r, bool quiet)
{
	int rc;

	if (fio_flush(&r->io) < 0)
		return END_FAIL;
	if (quiet)
		fio_note(&r->io, "stall");
	r->io.quiet = quiet;
	rc = fio_drain(&r->io, false);
	r->io.quiet = false;
	if (rc == FIO_EOF) {
		fio_note(&r->io, "eof");
		return END_OK;
	}
	return io_end(r, rc, "draining");
}

static enum next run_step(struct run *r, const struct step *s)
{
	switch (s->op) {
	case OP_SEND:
	case OP_RAW:
		return fio_queue(&r->io, s->arg, s->len) < 0 ? END_FAIL : NEXT_STEP;
	case OP_FLUSH:
		return fio_flush(&r->io) < 0 ? END_FAIL : NEXT_STEP;
	case OP_BYTEWISE:
		r->io.bytewise = true;
		return NEXT_STEP;
	case OP_EXPECT:
		return fio_flush(&r->io) < 0 ? END_FAIL : do_expect(r, s);
	case OP_DATA:
		return fio_flush(&r->io) < 0 ? END_FAIL : do_data(r);
	case OP_AUTH:
		return do_auth(r, s);
	case OP_TLS:
		return do_tls(r);
	case OP_BADTLS:
		return do_badtls(r);
	case OP_DELAY:
		if (fio_flush(&r->io) < 0)
			return END_FAIL;
		fio_sleep(&r->io, s->num);
		return NEXT_STEP;
	case OP_STALL:
		return do_drain(r, true);
	case OP_EOF:
		return do_drain(r, false);
	case OP_CLOSE:
	case OP_CONNECTION:
		break;
	}
	return fio_flush(&r->io) < 0 ? END_FAIL : END_OK;
}

/* Run steps from *i to the end of the section; *i ends after it. */
static enum next run_section(struct run *r, const struct script *sc, size_t *i)
{
	enum next nx = NEXT_STEP;

	if (*i < sc->n && sc->v[*i].op == OP_CONNECTION)
		(*i)++;
	for (; *i < sc->n && sc->v[*i].op != OP_CONNECTION; (*i)++) {
		if (nx == NEXT_STEP)
			nx = run_step(r, &sc->v[*i]);
	}
	if (nx == NEXT_STEP)
		nx = fio_flush(&r->io) < 0 ? END_FAIL : END_OK;
	return nx;
}

/* ---- Listening. */

static int listen_on(bool ipv6, int backlog, unsigned *port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len = ipv6 ? sizeof(*sin6) : sizeof(*sin);
	int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		fakescript_die("socket: %s", strerror(errno));
	memset(&ss, 0, sizeof(ss));
	if (ipv6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
	} else {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, backlog) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		fakescript_die("cannot listen: %s", strerror(errno));
	*port = ntohs(ipv6 ? sin6->sin6_port : sin->sin_port);
	return fd;
}

static void write_port(const char *path, unsigned port)
{
	char tmp[4096];
	FILE *fp;

	if (path == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fp = fopen(tmp, "w");
	if (fp == NULL || fprintf(fp, "%u\n", port) < 0 || fclose(fp) != 0 || rename(tmp, path) < 0)
		fakescript_die("cannot write the port file %s", path);
}

static int accept_one(int lfd, long long deadline)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	long long left = deadline - fio_now();
	int fd, one = 1;

	if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
		return -1;
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

/* Fill the accept queue of a backlog-0 listener that never accepts. */
static int full_backlog(const struct opts *o)
{
	unsigned port;
	int lfd = listen_on(o->ipv6, 0, &port);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < 2; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

		if (fd < 0)
			fakescript_die("socket: %s", strerror(errno));
		connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	}
	poll(NULL, 0, 200);
	write_port(o->port_file, port);
	poll(NULL, 0, (int)(o->timeout * 1000));
	close(lfd);
	return 0;
}

static int serve(const struct opts *o, const struct script *sc)
{
	long long deadline = fio_now() + o->timeout * 1000;
	FILE *tr = fopen(o->transcript, "w");
	unsigned port;
	int lfd = listen_on(o->ipv6, 16, &port), status = 0;
	size_t i = 0;
	struct run r = { .o = o };

	if (tr == NULL)
		fakescript_die("cannot write the transcript %s", o->transcript);
	write_port(o->port_file, port);
	for (size_t k = 1; k <= sc->sections && status != 2; k++) {
		int fd = accept_one(lfd, deadline);
		enum next nx;

		fio_init(&r.io, fd, tr, deadline);
		if (fd < 0) {
			fio_note(&r.io, "timeout waiting for connection %zu", k);
			status = 2;
			break;
		}
		fio_note(&r.io, "connection %zu", k);
		nx = run_section(&r, sc, &i);
		fio_fini(&r.io);
		if (nx == END_TIMEOUT)
			status = 2;
		else if (nx == END_FAIL)
			status = 1;
	}
	fclose(tr);
	close(lfd);
	return status;
}

static void usage_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "script", required_argument, NULL, 's' },
		{ "transcript", required_argument, NULL, 't' },
		{ "port-file", required_argument, NULL, 'p' },
		{ "status-file", required_argument, NULL, 'S' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "ipv6", no_argument, NULL, '6' },
		{ "full-backlog", no_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;

	o->timeout = 20;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			o->script = optarg;
			break;
		case 't':
			o->transcript = optarg;
			break;
		case 'p':
			o->port_file = optarg;
			break;
		case 'S':
			o->status_file = optarg;
			break;
		case 'c':
			o->cert = optarg;
			break;
		case 'k':
			o->key = optarg;
			break;
		case '6':
			o->ipv6 = true;
			break;
		case 'B':
			o->full_backlog = true;
			break;
		case 'T':
			o->timeout = strtol(optarg, &end, 10);
			if (*end != '\0' || o->timeout <= 0 || o->timeout > 3600)
				fakescript_die("bad --timeout %s", optarg);
			break;
		default:
			fakescript_die(
			    "%s",
			    "usage: fakesmtp --script FILE --transcript FILE [--port-file FILE] "
			    "[--cert PEM --key PEM] [--ipv6] [--timeout S] | --full-backlog");
		}
	}
	if (!o->full_backlog && (o->script == NULL || o->transcript == NULL))
		fakescript_die("%s", "--script and --transcript are required");
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct script sc;
	int status;

	usage_opts(argc, argv, &o);
	signal(SIGPIPE, SIG_IGN);
	if (o.full_backlog)
		return full_backlog(&o);
	fakescript_load(o.script, &sc);
	if (gnutls_global_init() < 0)
		fakescript_die("%s", "gnutls_global_init failed");
	status = serve(&o, &sc);
	fakescript_free(&sc);
	if (o.status_file != NULL) {
		/* Whole or absent: a test polls for it (fake_status). */
		char tmp[4096];
		FILE *fp;

		snprintf(tmp, sizeof(tmp), "%s.tmp", o.status_file);
		if ((fp = fopen(tmp, "w")) != NULL) {
			fprintf(fp, "%d\n", status);
			if (fclose(fp) != 0 || rename(tmp, o.status_file) < 0)
				unlink(tmp);
		}
	}
	gnutls_global_deinit();
	return status;
}
