/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The header settings of Postfix's cleanup for a local submission, read
 * once at start: message_drop_headers, undisclosed_recipients_header,
 * header_from_format, always_add_missing_headers, and the header_checks
 * and smtp_header_checks tables (mail/header_checks.h) with those of the
 * body and the MIME parts (mail/body_checks.h). */
#ifndef RELAYMAIL_MAIL_HEADER_FIX_H
#define RELAYMAIL_MAIL_HEADER_FIX_H

#include <stdbool.h>

#include "base/error.h"
#include "conf/config.h"
#include "mail/body_checks.h"
#include "mail/header_checks.h"
#include "mail/message.h"

struct header_fix {
	char **drop;		 /* message_drop_headers: the names, NULL-terminated */
	const char *undisclosed; /* undisclosed_recipients_header: a whole field, "" none */
	bool from_obsolete;	 /* header_from_format = obsolete: "addr (Full Name)" */
	/* always_add_missing_headers: checked, and without effect: every
	 * message relaymail takes is a local submission, for which Postfix
	 * adds the missing fields whatever it says. */
	bool always_add;
	struct header_checks *checks;	   /* header_checks */
	struct header_checks *smtp_checks; /* smtp_header_checks */
	struct body_checks *body;	   /* body_checks, mime_ and nested_header_checks */
	struct body_checks *smtp_body;	   /* their smtp_ forms */
};

/* -1 with ERROR_CONFIG naming the parameter and where it was set, or a
 * table's own error; nothing is left to free then. */
int header_fix_load(const struct config *cfg, struct header_fix *f, struct error *err);
void header_fix_fini(struct header_fix *f);

/* true when m has a field of that name (case ignored) that counts as
 * present for cleanup: one a PREPEND put in does not (message.h). */
bool header_fix_seen(const struct message *m, const char *name);
/* Remove every field message_drop_headers names (Postfix: whatever
 * header_checks left, a REPLACE result too, but not a PREPEND). */
void header_fix_drop(const struct header_fix *f, struct message *m);
/* Add undisclosed_recipients_header at the end when it is set and the
 * message has no To, Cc, Resent-To nor Resent-Cc (a Bcc does not count;
 * header_fix_seen).
 * -1 (errno ENOMEM) when out of memory. */
int header_fix_undisclosed(const struct header_fix *f, struct message *m);

#endif
