/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Postfix's header_checks (what cleanup applies to a message submitted
 * with sendmail) and smtp_header_checks (what its SMTP client applies on
 * the way out), header_checks(5): each header field of the primary
 * header, as one logical line with its folding kept as LF ("Name:
 * value\n\tmore"), is looked up in the tables; the first match's action
 * is taken. Only the primary header; its MIME fields (Content-*,
 * MIME-Version) go to mime_header_checks (smtp_mime_header_checks)
 * instead, as in Postfix. What follows the header is body_checks.h's. */
#ifndef RELAYMAIL_MAIL_HEADER_CHECKS_H
#define RELAYMAIL_MAIL_HEADER_CHECKS_H

#include <stdbool.h>

#include "base/error.h"
#include "conf/config.h"
#include "mail/address.h"
#include "mail/message.h"

enum header_checks_kind {
	HEADER_CHECKS_CLEANUP, /* header_checks: every cleanup action */
	HEADER_CHECKS_SMTP,    /* smtp_header_checks: no REJECT, DISCARD, HOLD,
				* REDIRECT, BCC */
	HEADER_CHECKS_MILTER,  /* milter_header_checks (mail/milter_checks.h):
				* no PASS, and PREPEND only logged */
};

enum header_checks_verdict {
	HEADER_CHECKS_PASS,    /* send it, with the fields as the actions left them */
	HEADER_CHECKS_DISCARD, /* DISCARD: not sent, and that is a success */
};

/* What the checks decided beyond the header itself. */
struct header_checks_result {
	enum header_checks_verdict verdict;
	char *redirect;	     /* REDIRECT (the last one): the message goes to this
			      * address alone, as it is; NULL: none */
	struct addrlist bcc; /* BCC: recipients to add, in order */
};
void header_checks_result_fini(struct header_checks_result *r);

/* Who the mail log records name: Postfix's cleanup writes
 * "QUEUE_ID: warning: header TEXT from local; from=<S> to=<R>: WHY", its
 * SMTP client "QUEUE_ID: warning: header TEXT: WHY". No record without a
 * queue ID. */
struct header_checks_who {
	const char *queue_id; /* NULL: the mail log goes nowhere */
	const char *sender;   /* "" for the null sender */
	const char *rcpt;     /* the last recipient (Postfix's cleanup names the
			       * latest it read); NULL: none */
};

struct header_checks;

/* The tables of parameter param (header_checks or smtp_header_checks),
 * with those of mime_header_checks (or smtp_mime_header_checks) for the
 * MIME fields. An empty value gives checks that change nothing. NULL with the table's
 * error, naming the parameter and where it was set (ERROR_CONFIG). */
struct header_checks *header_checks_open(const struct config *cfg, const char *param,
					 enum header_checks_kind kind, struct error *err);
void header_checks_free(struct header_checks *hc); /* NULL is harmless */
bool header_checks_empty(const struct header_checks *hc);

/* Apply the checks to the header of m. 0 with *res (to be given to
 * header_checks_result_fini); then the fields were removed, replaced and
 * prepended as the actions said. -1 when the
 * message must not go, and then m is unchanged: REJECT is ERROR_DATA
 * (a 5.x.x reason) or ERROR_TEMP (4.x.x), HOLD is ERROR_TEMP, a table
 * that fails is ERROR_TEMP; err->reply holds the reason with its
 * enhanced status code ("5.7.1 text"), for a -bs client's reply.
 * ERROR_INTERNAL when out of memory. */
int header_checks_apply(const struct header_checks *hc, struct message *m,
			const struct header_checks_who *who, struct header_checks_result *res,
			struct error *err);

#endif
