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
#include "mail/message.h"
#include "smtp/session.h"

struct deliver_request {
	const struct config *cfg;
	const struct message *msg;
	const struct session_envelope *env;
	struct deadline run;
};

struct deliver_outcome {
	bool ok;
	bool maybe_delivered;
	struct error err;      /* the decisive failure when !ok */
	char relay[320];       /* the relay that accepted, or the last one tried */
	char reply[512];       /* that relay's last reply */
	unsigned attempts;
};

/* 0 when a relay accepted the message, -1 otherwise (outcome->err). */
int deliver_run(const struct deliver_request *rq, struct deliver_outcome *out);

#endif
