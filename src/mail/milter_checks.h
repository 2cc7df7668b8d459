/* SPDX-License-Identifier: GPL-3.0-or-later */
/* milter_header_checks (postconf(5)): the header_checks(5) tables that
 * Postfix's cleanup applies to each header field a milter adds, inserts
 * or changes (never to one it deletes), as "name:" space value with the
 * folding as LF. The actions are those of cleanup_milter.c: WARN, INFO,
 * REPLACE (the field given instead), STRIP and IGNORE (the edit is not
 * made: an added field is not added, a changed field keeps its old
 * value), DUNNO and OK; REJECT and DISCARD stop the message and every
 * later edit; HOLD holds it; REDIRECT sends it to one address; BCC adds
 * a recipient. After REJECT, DISCARD or REDIRECT no further action is
 * taken. PREPEND is logged and otherwise ignored, PASS is no command
 * there, FILTER is warned about (relaymail has no queue). */
#ifndef RELAYMAIL_MAIL_MILTER_CHECKS_H
#define RELAYMAIL_MAIL_MILTER_CHECKS_H

#include <stdbool.h>

#include "base/error.h"
#include "conf/config.h"
#include "mail/address.h"
#include "mail/header_checks.h"

struct milter_checks;

/* The tables of milter_header_checks; *out is NULL when it is empty. -1
 * with the table's error, naming the parameter (ERROR_CONFIG). */
int milter_checks_open(const struct config *cfg, struct milter_checks **out, struct error *err);
void milter_checks_free(struct milter_checks *mc); /* NULL is harmless */

/* What the actions decided so far for one message; zeroed to start. */
struct milter_checks_state {
	bool off;	     /* REJECT, DISCARD or REDIRECT: no more actions */
	bool hold;	     /* HOLD */
	bool discard;	     /* DISCARD */
	char *reject;	     /* REJECT: its reason, "5.7.1 text" or a 4.x.x one */
	char *field;	     /* REJECT, DISCARD, HOLD: the field that did it */
	char *redirect;	     /* REDIRECT: the address */
	struct addrlist bcc; /* BCC: recipients to add, in order */
};
void milter_checks_state_fini(struct milter_checks_state *st);

enum milter_checks_edit {
	MILTER_CHECKS_KEEP,    /* make the edit as the milter gave it */
	MILTER_CHECKS_DROP,    /* do not make it */
	MILTER_CHECKS_REPLACE, /* make it with *text, a whole "Name: value" */
};

/* Look the field a milter gives ("name:" space value) up: what to do
 * with the edit (*text malloc'd for REPLACE), and st updated; logged as
 * Postfix's cleanup logs it, under who. -1 with err: ERROR_TEMP when a
 * table fails (the message must not go), ERROR_INTERNAL. mc NULL: keep. */
int milter_checks_field(const struct milter_checks *mc, const struct header_checks_who *who,
			const char *field, struct milter_checks_state *st, char **text,
			struct error *err);

#endif
