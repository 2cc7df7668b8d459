/* SPDX-License-Identifier: GPL-3.0-or-later */
/* From what the caller asked for, the configuration and the message to
 * the envelope: the sender (-f, else login@$myorigin), the recipients
 * (argv or RCPT, plus the header ones with -t), qualified with $myorigin;
 * and the header fixes of a local submission (Bcc and Resent-Bcc removed,
 * missing From, Date, Message-ID added). Canonical rewriting hooks in
 * here. */
#ifndef RELAYMAIL_APP_ENVELOPE_H
#define RELAYMAIL_APP_ENVELOPE_H

#include "base/deadline.h"
#include "base/error.h"
#include "base/maillog.h"
#include "conf/config.h"
#include "deliver/locality.h"
#include "deliver/milter.h"
#include "mail/address.h"
#include "mail/alias.h"
#include "mail/bcc.h"
#include "mail/header_fix.h"
#include "mail/message.h"
#include "mail/rewrite.h"

/* What the caller asked for, the one envelope value both front doors
 * build: the command line from its flags and arguments, -bs from each
 * transaction's MAIL and RCPT. */
struct submission {
	const char *sender;	  /* -f/-r or MAIL FROM ("" null); NULL: the login name */
	const char *fullname;	  /* -F; NULL: $NAME, else the GECOS field */
	const char *const *rcpts; /* as given: each may hold a list ("a, b <c>") */
	size_t nrcpts;
	bool extract;		/* -t: recipients from the header too */
	const char *notify;	/* DSN NOTIFY list, upper case; NULL: none */
	const char *ret;	/* DSN RET: FULL or HDRS; NULL: none */
	const char *envid;	/* DSN ENVID, xtext-encoded; NULL: none */
	bool body_7bit;		/* -B 7BIT */
	bool body_8bit;		/* -B 8BITMIME */
	bool smtputf8;		/* -O smtputf8=yes: the message needs SMTPUTF8 */
	bool smtputf8_declared; /* -bs MAIL FROM ... SMTPUTF8: ask for it when offered */
};

/* What envelope_build works with, opened once from the configuration:
 * the rewriter (canonical maps, masquerading), the aliases, the automatic
 * copies (always_bcc and the BCC maps), the names, luser_relay and
 * smtputf8_enable. loc (own addresses) is borrowed and must outlive s, as
 * must cfg. */
struct envelope_settings {
	const char *myorigin, *myhostname;
	const char *luser_relay, *luser_relay_where;
	bool smtputf8;
	bool smtputf8_detect; /* "sendmail" (or "all") in smtputf8_autodetect_classes */
	const char *smtputf8_where;
	struct rewriter *rw;
	struct aliases *aliases;
	struct bcc *bcc;
	struct header_fix hdr; /* header_checks, message_drop_headers, ... */
};

/* -1 with ERROR_CONFIG naming the parameter, or a table's own error. */
int envelope_settings_load(const struct config *cfg, struct locality *loc,
			   struct envelope_settings *s, struct error *err);
void envelope_settings_fini(struct envelope_settings *s);

struct envelope {
	char *sender;	    /* "" = null sender */
	char *sender_given; /* as submitted, before qualifying and rewriting: -f's
			     * address, MAIL FROM's, else the login name */
	struct addrlist rcpts;
	bool eightbit;			     /* BODY=8BITMIME: 8-bit content or -B 8BITMIME */
	bool smtputf8;			     /* SMTPUTF8 required: a non-ASCII local part, or
					      * -O smtputf8=yes */
	bool smtputf8_if_offered;	     /* SMTPUTF8 when offered: UTF-8 only in the header */
	bool discard;			     /* header_checks said DISCARD: not to be sent */
	const char *discarded_by;	     /* with discard: the parameter that said it */
	char queue_id[MAILLOG_QUEUE_ID_MAX]; /* for the mail log; "" when it goes nowhere */
};

/* Sender, recipients, header_checks and the header fixes (see above),
 * smtp_header_checks, and what the body and
 * the header need: BODY=8BITMIME (-B 7BIT with 8-bit content only warns:
 * undeclared 8-bit data would be worse) and SMTPUTF8 (postfix.md §7; with
 * smtputf8_enable = no, a non-ASCII local part is an ERROR_DATA naming
 * the address). A header_checks DISCARD sets env->discard and stops
 * there. Errors: ERROR_USAGE for bad arguments, ERROR_CONFIG,
 * ERROR_DATA (also a header_checks REJECT), ERROR_TEMP (a REJECT with a
 * 4.x.x reason, HOLD, a table that fails), ERROR_OS, ERROR_INTERNAL. */
int envelope_build(const struct envelope_settings *set, const struct submission *sub,
		   struct message *m, struct envelope *env, struct error *err);
/* envelope_build with non_smtpd_milters (ms; NULL: none) run where
 * Postfix's cleanup runs them, before smtp_header_checks, within the
 * deadline run: a milter's DISCARD sets env->discard, its REJECT is
 * ERROR_DATA, its TEMPFAIL or QUARANTINE (on hold) ERROR_TEMP, with the
 * reply for a -bs client in err->reply. */
int envelope_build_milters(const struct envelope_settings *set, const struct milters *ms,
			   struct deadline run, const struct submission *sub, struct message *m,
			   struct envelope *env, struct error *err);
/* The content part of envelope_build alone, for an envelope that is
 * already built (a resend): BODY=8BITMIME and SMTPUTF8 from m, env's
 * addresses and sub's -B and -O. ERROR_DATA as envelope_build. */
int envelope_flags(const struct envelope_settings *set, const struct submission *sub,
		   const struct message *m, struct envelope *env, struct error *err);
void envelope_fini(struct envelope *env);

#endif
