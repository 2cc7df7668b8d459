/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Body lines longer than smtp_line_length_limit, once the whole message
 * is stored: a part that can carry quoted-printable (a discrete type with
 * no Content-Transfer-Encoding, 7bit or 8bit) is re-encoded, so it
 * arrives intact; what cannot be (a message/rfc822 part, an encoded
 * part, signed content, a DKIM-signed message, text outside the parts, a
 * header line of a part) is folded with CRLF SPACE as Postfix's SMTP
 * client does, with one warning per cause. The new body replaces the old
 * one, so message_size stays the size of what goes on the wire.
 * Internal to the mail layer: intake.c calls it. */
#ifndef RELAYMAIL_MAIL_REENCODE_H
#define RELAYMAIL_MAIL_REENCODE_H

#include <stddef.h>

#include "base/error.h"

struct message;

/* Rewrite the body of m (a spool written out) so that no line is longer
 * than line_max (at least FOLD_MIN), editing the message's MIME header
 * fields when the message itself is re-encoded. -1 with ERROR_IO (the
 * spool) or ERROR_INTERNAL (memory): m is then not to be sent. */
int reencode_long_lines(struct message *m, size_t line_max, struct error *err);

/* The warning for a header line that had to be folded. */
void reencode_warn_header(size_t line_max);

#endif
