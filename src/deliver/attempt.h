/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One delivery attempt against one address of one destination: the I/O
 * driver of the SMTP session engine, with TLS and SASL plugged in and a
 * deadline on every wait. It times the attempt for the mail log and
 * writes the records Postfix's smtp(8) writes as it goes: the TLS
 * summary and failed connections. */
#ifndef RELAYMAIL_DELIVER_ATTEMPT_H
#define RELAYMAIL_DELIVER_ATTEMPT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/deadline.h"
#include "base/error.h"
#include "deliver/policy.h"
#include "deliver/reuse.h"
#include "deliver/route.h"
#include "deliver/status.h"
#include "mail/message.h"
#include "net/conn.h"
#include "smtp/session.h"

struct attempt {
	const struct policy *policy;
	const struct destination *dest;
	const struct net_addr *addr;
	const struct tls_policy *tls;
	const struct credentials *cred; /* NULL: do not authenticate */
	const struct session_envelope *env;
	const struct message *msg;
	struct deadline run;	     /* the whole run's deadline */
	const char *queue_id;	     /* the message's in the mail log; NULL: log nothing */
	bool probe;		     /* a diagnosis: no message (session_settings.probe) */
	struct deliver_status *rcpt; /* NULL, or env->nrcpts entries: the status of each
				      * recipient the relay refused (dsn "" for the others) */
	bool *delivered;	     /* NULL, or env->nrcpts entries: true for each
				      * recipient the relay accepted the message for,
				      * also when a 452 split it and a later part failed */
	struct reuse_cache *cache;   /* NULL: one connection per attempt; else a
				      * connection kept for this relay carries the
				      * message, and the new one is kept after it */
};

struct attempt_result {
	bool ok;
	bool next_relay;
	bool maybe_delivered;
	bool some_delivered; /* the relay took the message for some recipients
			      * before it failed (a 452 split the message) */
	bool connected;	     /* a connection was made: relay names the session */
	struct error err;
	char relay[320];	   /* "host[addr]:port" */
	char reply[512];	   /* the relay's last reply, printable */
	struct deliver_status why; /* the final reply, or the failure, as the log says it */
	int64_t setup_done_ms;	   /* monotonic ms when MAIL FROM went out; 0: it never did */
	unsigned conn_use;	   /* the connection's use (2 and up) when it had carried
				    * earlier messages (reuse.h); else 0 */
};

/* Run the attempt; the result says whether the next address may be tried. */
void attempt_run(const struct attempt *a, struct attempt_result *res);

#endif
