/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Postfix's checks on what follows the primary header (header_checks(5)):
 * body_checks on every body line, mime_header_checks on the header
 * fields of each MIME part, nested_header_checks on the header of an
 * attached message/rfc822 message (its MIME fields go to
 * mime_header_checks), as cleanup applies them to a message submitted
 * with sendmail; and the smtp_ forms, as Postfix's SMTP client applies
 * them on the way out. A body line is matched as Postfix's cleanup sees
 * it: without its CRLF, in pieces of line_length_limit octets (2048),
 * and only while the offset of the line in its body segment (the part,
 * from the blank line after its header) is below
 * body_checks_size_limit. An empty line is never looked up. */
#ifndef RELAYMAIL_MAIL_BODY_CHECKS_H
#define RELAYMAIL_MAIL_BODY_CHECKS_H

#include <stdbool.h>

#include "base/error.h"
#include "conf/config.h"
#include "mail/header_checks.h"
#include "mail/message.h"

struct body_checks;

/* The tables of kind's parameters: body_checks, mime_header_checks,
 * nested_header_checks and body_checks_size_limit, or
 * smtp_body_checks, smtp_mime_header_checks and
 * smtp_nested_header_checks (every line, whatever its offset); and
 * line_length_limit (512 or more, as in Postfix). Empty values give
 * checks that change nothing. NULL with ERROR_CONFIG naming the
 * parameter, or a table's own error. */
struct body_checks *body_checks_open(const struct config *cfg, enum header_checks_kind kind,
				     struct error *err);
void body_checks_free(struct body_checks *bc); /* NULL is harmless */
bool body_checks_empty(const struct body_checks *bc);

/* Apply the checks to the body of m, as header_checks_apply does to its
 * header (the same actions, results and errors): 0 with *res (to be
 * given to header_checks_result_fini), the body then edited as the
 * actions said; -1 when the message must not go, m unchanged, or with
 * ERROR_IO when the body cannot be read or written. */
int body_checks_apply(const struct body_checks *bc, struct message *m,
		      const struct header_checks_who *who, struct header_checks_result *res,
		      struct error *err);

/* The whole message, as Postfix's cleanup (or SMTP client) reads it:
 * header_checks_apply with hc, then body_checks_apply with bc, into one
 * result (the last REDIRECT, every BCC, DISCARD from either). When the
 * body stops the message, the header too is put back as it came. */
int body_checks_apply_message(const struct header_checks *hc, const struct body_checks *bc,
			      struct message *m, const struct header_checks_who *who,
			      struct header_checks_result *res, struct error *err);

#endif
