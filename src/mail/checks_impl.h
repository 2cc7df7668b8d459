/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What header_checks.c and body_checks.c share: one table of checks
 * (a parameter's maps), the lookup of one line in it, and the action
 * its result names, decided and logged as Postfix's cleanup (or, for the
 * smtp_ forms, its SMTP client) does. Internal to the mail layer. */
#ifndef RELAYMAIL_MAIL_CHECKS_IMPL_H
#define RELAYMAIL_MAIL_CHECKS_IMPL_H

#include <stdbool.h>

#include "base/error.h"
#include "conf/config.h"
#include "conf/table.h"
#include "mail/header_checks.h"

struct check_table {
	struct maps *maps; /* NULL: the parameter is empty */
	const char *param; /* the map class in warnings */
	enum header_checks_kind kind;
};

enum check_act {
	ACT_KEEP,
	ACT_DROP,    /* IGNORE, STRIP */
	ACT_REPLACE, /* text is the new field or line */
	ACT_PREPEND, /* text goes before the field or line */
	ACT_REJECT,  /* text is the reason */
	ACT_HOLD,
	ACT_DISCARD,
	ACT_REDIRECT, /* text is the address */
	ACT_BCC,      /* text is the address */
};

/* Where the line is: a header field (the text of REPLACE and PREPEND
 * must be a field) or a body line (any text). */
enum check_where {
	CHECK_HEADER,
	CHECK_BODY,
};

struct check_decision {
	enum check_act act;
	char *text; /* malloc'd: the new field or line, or the reason; NULL */
};

/* The maps of param. -1 with the table's error (ERROR_CONFIG). */
int check_table_open(struct check_table *t, const struct config *cfg, const char *param,
		     enum header_checks_kind kind, struct error *err);
void check_table_fini(struct check_table *t);
bool check_table_empty(const struct check_table *t);

/* Look line up in t and decide what its result says (logged as Postfix
 * logs it); an empty line is never looked up. 1 with *d set (to be freed by the caller: d->text), 0
 * when nothing matched (d->act ACT_KEEP), -1 with err: ERROR_TEMP when the table fails (the message
 * is not sent), ERROR_INTERNAL. */
int check_line(const struct check_table *t, const struct header_checks_who *who,
	       enum check_where where, const char *line, struct check_decision *d,
	       struct error *err);
/* The error of a REJECT or HOLD, with the reason for a -bs reply. */
void check_stop_error(const struct check_table *t, const struct check_decision *d,
		      struct error *err);
/* The name of the field line (up to its colon) is one of the MIME fields
 * that Postfix looks up in mime_header_checks wherever they are:
 * Content-Description, -Disposition, -ID, -Transfer-Encoding, -Type and
 * MIME-Version. */
bool check_is_mime_field(const char *line, size_t len);
/* The table for the field line: mime for a MIME field, else own. */
const struct check_table *check_table_for(const struct check_table *own,
					  const struct check_table *mime, const char *line,
					  size_t len);

#endif
