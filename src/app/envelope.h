/* SPDX-License-Identifier: GPL-3.0-or-later */
/* From command line, configuration and message to the envelope: the
 * sender (-f, else login@$myorigin), the recipients (argv, plus the header
 * ones with -t), qualified with $myorigin; and the header fixes of a local
 * submission (Bcc and Resent-Bcc removed, missing From, Date, Message-ID
 * added). Canonical rewriting hooks in here. */
#ifndef RELAYMAIL_APP_ENVELOPE_H
#define RELAYMAIL_APP_ENVELOPE_H

#include "app/cli.h"
#include "base/error.h"
#include "conf/config.h"
#include "mail/address.h"
#include "mail/message.h"

struct envelope {
	char *sender;           /* "" = null sender */
	struct addrlist rcpts;
	bool eightbit;
	bool smtputf8;
};

int envelope_build(const struct options *o, const struct config *cfg, struct message *m,
		   struct envelope *env, struct error *err);
void envelope_fini(struct envelope *env);

#endif
