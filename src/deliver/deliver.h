/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The failover walk (DESIGN.md, Failover): every address of every
 * destination in order, relayhost first, then smtp_fallback_relay, until
 * one relay accepts the message or gives a verdict on it (5xx). */
#ifndef RELAYMAIL_DELIVER_DELIVER_H
#define RELAYMAIL_DELIVER_DELIVER_H

#include <stdbool.h>

#include "base/deadline.h"
#include "base/error.h"
#include "conf/config.h"
#include "conf/table.h"
#include "mail/message.h"
#include "net/mx.h"
#include "smtp/session.h"

struct deliver_request {
	const struct config *cfg;
	const struct message *msg;
	const struct session_envelope *env;
	struct deadline run;
	const struct mx_lookups *lookups; /* NULL: the system's DNS (tests inject theirs) */
};

struct deliver_outcome {
	bool ok;
	bool maybe_delivered;
	struct error err; /* the decisive failure when !ok */
	char relay[320];  /* the relay that accepted, or the last one tried */
	char reply[512];  /* that relay's last reply */
	unsigned attempts;
};

/* The smtp_sasl_password_maps tables, with the checks secrets get
 * (TABLE_SECRET), in *out; NULL there when smtp_sasl_auth_enable is off.
 * -1 with ERROR_CONFIG (or a table's error) naming the parameter. */
int deliver_passwords_open(const struct config *cfg, struct maps **out, struct error *err);

/* 0 when a relay accepted the message, -1 otherwise (outcome->err). A
 * configuration error (ERROR_CONFIG: a bad parameter value, a password
 * table that fails) ends the walk at once, whatever relays remain. */
int deliver_run(const struct deliver_request *rq, struct deliver_outcome *out);

#endif
