/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One delivery attempt against one address of one destination: the I/O
 * driver of the SMTP session engine, with TLS and SASL plugged in and a
 * deadline on every wait. */
#ifndef RELAYMAIL_DELIVER_ATTEMPT_H
#define RELAYMAIL_DELIVER_ATTEMPT_H

#include <stdbool.h>

#include "base/deadline.h"
#include "base/error.h"
#include "deliver/policy.h"
#include "deliver/route.h"
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
	struct deadline run; /* the whole run's deadline */
};

struct attempt_result {
	bool ok;
	bool next_relay;
	bool maybe_delivered;
	struct error err;
	char relay[320]; /* "host[addr]:port" */
	char reply[512]; /* the relay's last reply, printable */
};

/* Run the attempt; the result says whether the next address may be tried. */
void attempt_run(const struct attempt *a, struct attempt_result *res);

#endif
