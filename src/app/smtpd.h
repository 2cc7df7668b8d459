/* SPDX-License-Identifier: GPL-3.0-or-later */
/* -bs: an SMTP server dialogue on stdin and stdout, as Symfony Mailer and
 * Laravel drive "sendmail -bs". Each message is relayed through
 * submit_message before its final dot is answered, and the relay's verdict
 * becomes that answer. */
#ifndef RELAYMAIL_APP_SMTPD_H
#define RELAYMAIL_APP_SMTPD_H

#include "app/context.h"

/* Run the dialogue to its end. The exit status: 0 after QUIT or when the
 * client closed its end between commands (every message was answered);
 * 75 after a timeout (421 sent), when the input ended inside DATA (that
 * message was not relayed), or after a stop signal (base/stop.h: 421
 * sent; a message being relayed took the failure path first, kept and
 * answered 451; one whose DATA had not ended is the client's to send
 * again); 76 after too many errors (421 sent); 74 when stdin or stdout
 * failed. A refused message does not change the status: its reply told
 * the client. */
int smtpd_run(const struct context *ctx);
/* The configuration cannot be used: greet with 421 and end (78). */
int smtpd_refuse(void);

#endif
