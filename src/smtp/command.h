/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MAIL FROM and RCPT TO command lines with their ESMTP parameters
 * (RFC 1870, 3461, 6152, 6531), and the check every envelope passes before
 * any of it is put on the wire. */
#ifndef RELAYMAIL_SMTP_COMMAND_H
#define RELAYMAIL_SMTP_COMMAND_H

#include <stddef.h>

#include "base/buf.h"
#include "base/error.h"
#include "smtp/caps.h"
#include "smtp/session.h"

/* 0, or -1 with ERROR_DATA when there is no recipient or an address or a
 * DSN value holds a byte that could end or split a command line. */
int command_check_envelope(const struct session_envelope *env, struct error *err);
/* Append "MAIL FROM:<sender>[ params]\r\n": SIZE, BODY=8BITMIME, SMTPUTF8
 * (env->smtputf8 or smtputf8_if_offered), RET, ENVID, each only when the
 * relay announced it. -1 when out cannot grow. */
int command_mail(struct buf *out, const struct session_envelope *env, const struct caps *caps);
/* Append "RCPT TO:<rcpt>[ NOTIFY=...]\r\n". -1 when out cannot grow. */
int command_rcpt(struct buf *out, const char *rcpt, const struct session_envelope *env,
		 const struct caps *caps);

#endif
