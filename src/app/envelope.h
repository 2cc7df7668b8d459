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
	char *sender; /* "" = null sender */
	struct addrlist rcpts;
	bool eightbit;		  /* BODY=8BITMIME: 8-bit content or -B 8BITMIME */
	bool smtputf8;		  /* SMTPUTF8 required: a non-ASCII local part, or
				   * -O smtputf8=yes */
	bool smtputf8_if_offered; /* SMTPUTF8 when offered: UTF-8 only in the header */
};

/* Sender, recipients and header fixes (see above), and what the body and
 * the header need: BODY=8BITMIME (-B 7BIT with 8-bit content only warns:
 * undeclared 8-bit data would be worse) and SMTPUTF8 (postfix.md §7; with
 * smtputf8_enable = no, a non-ASCII local part is an ERROR_DATA naming
 * the address). Errors: ERROR_USAGE for bad arguments, ERROR_CONFIG,
 * ERROR_DATA, ERROR_OS, ERROR_INTERNAL. */
int envelope_build(const struct options *o, const struct config *cfg, struct message *m,
		   struct envelope *env, struct error *err);
void envelope_fini(struct envelope *env);

#endif
