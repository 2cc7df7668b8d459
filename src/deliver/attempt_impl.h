/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Inside deliver/attempt.c: the driver of one session, shared with the
 * SASL steps (attempt_auth.c). Not for other modules. */
#ifndef RELAYMAIL_DELIVER_ATTEMPT_IMPL_H
#define RELAYMAIL_DELIVER_ATTEMPT_IMPL_H

#include <stdbool.h>

#include "deliver/attempt.h"
#include "deliver/status.h"
#include "net/conn.h"
#include "smtp/session.h"

struct sasl;

struct driver {
	const struct attempt *a;
	struct attempt_result *res;
	struct conn *conn;
	struct session *s;
	struct sasl *sasl;
	bool tls_verified;
	bool tls_active;	   /* a TLS session is up (STARTTLS or wrapper mode) */
	bool handshake_failed;	   /* STARTTLS was answered 220, then TLS failed */
	struct deliver_status why; /* a failure of ours (I/O, TLS, SASL), when set */
	/* smtp_sasl_auth_cache_name: the relay refused this login before (no
	 * AUTH was sent), or its 535 has just been recorded. */
	bool auth_cached, auth_recorded;
	bool password_offered; /* AUTH went with a mechanism that uses the password */
	bool dot_unsent;       /* the relay had closed the connection before the final dot */
	bool tls_refused;      /* SMTPS: its certificate failed; the session only says goodbye */
	char namaddr[300];     /* "host[addr]", as the log names the relay */
};

/* A failure the driver saw itself; the first one is what went wrong. */
void driver_failed(struct driver *d, const char *dsn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* SESSION_AUTH: choose a mechanism, start SASL, send AUTH. */
enum session_event driver_auth(struct driver *d, bool tls);
/* SESSION_AUTH_CHALLENGE: answer the relay's challenge. */
enum session_event driver_challenge(struct driver *d);
/* After the session: a 535 to AUTH goes into smtp_sasl_auth_cache_name. */
void driver_record_refusal(struct driver *d, const struct session_result *r);

#endif
