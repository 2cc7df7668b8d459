/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One connection of the fake SMTP server: non-blocking socket I/O under a
 * global deadline, TLS as a server (GnuTLS), queued output written in one
 * piece or one byte at a time, and the transcript of what the client sent,
 * with a mark wherever a read() began. */
#ifndef RELAYMAIL_TESTS_FAKEIO_H
#define RELAYMAIL_TESTS_FAKEIO_H

#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct fio {
	int fd;
	gnutls_session_t tls; /* NULL while plaintext */
	gnutls_certificate_credentials_t cred;
	FILE *tr; /* transcript */
	char *in; /* received, not yet consumed */
	size_t inlen, incap;
	size_t logged;	  /* bytes of in already in the transcript */
	bool pending_new; /* the unlogged line began a read() */
	bool quiet;	  /* do not log what arrives */
	char *out;	  /* queued output */
	size_t outlen, outcap;
	bool bytewise;	    /* one write per byte */
	long long deadline; /* monotonic ms: no wait goes past it */
};

enum { FIO_LINE = 1, FIO_EOF = 0, FIO_TIMEOUT = -1, FIO_ERROR = -2 };

long long fio_now(void);
void fio_init(struct fio *f, int fd, FILE *tr, long long deadline);
void fio_fini(struct fio *f);

/* A transcript line "# TEXT". */
void fio_note(struct fio *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The next line (with its line end) at f->in: FIO_LINE and *len, or
 * FIO_EOF (a partial line at the end is logged and dropped), FIO_TIMEOUT,
 * FIO_ERROR. fio_consume(f, len) when done with it. */
int fio_line(struct fio *f, size_t *len);
void fio_consume(struct fio *f, size_t n);
/* Read whatever arrives until the peer closes (FIO_EOF) or the deadline;
 * with first_only, return after the first bytes (FIO_LINE). */
int fio_drain(struct fio *f, bool first_only);

int fio_queue(struct fio *f, const char *p, size_t n);
/* Write everything queued; -1 on error or timeout. */
int fio_flush(struct fio *f);
/* Handshake as a TLS server; -1 with a reason in why. */
int fio_tls(struct fio *f, const char *cert, const char *key, char *why, size_t whysize);
/* Wait ms milliseconds (never past the deadline). */
void fio_sleep(const struct fio *f, long ms);

#endif
