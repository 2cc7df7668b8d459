/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The message object shared by the intake (intake.c) and the
 * accessors (message.c). Internal to the mail layer. */
#ifndef RELAYMAIL_MAIL_MESSAGE_IMPL_H
#define RELAYMAIL_MAIL_MESSAGE_IMPL_H

#include <stdint.h>
#include <stdbool.h>

#include "mail/header.h"
#include "mail/spool.h"

struct message {
	struct header hdr;
	struct spool body;
	int64_t arrival_ms; /* message_set_arrival's; 0 when not told */
	bool incomplete;    /* message_read was stopped before the end */
};

#endif
