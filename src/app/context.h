/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The per-process context (DESIGN.md, step 2): the configuration parsed
 * into the settings of every layer and the tables opened, once, before
 * stdin is read; read-only from then on and shared by every message the
 * process sends (-bs sends many). A bad value of any parameter relaymail
 * acts on fails here, whether or not a message would need it, so a typo
 * is exit 78 before any connection rather than an endless "try again". */
#ifndef RELAYMAIL_APP_CONTEXT_H
#define RELAYMAIL_APP_CONTEXT_H

#include "app/deadletter.h"
#include "app/envelope.h"
#include "base/error.h"
#include "base/maillog.h"
#include "conf/config.h"
#include "deliver/deliver.h"
#include "deliver/locality.h"
#include "mail/generic.h"
#include "mail/message.h"

struct context {
	struct config *cfg;
	struct locality *loc;		   /* the host's own addresses */
	struct message_opts intake;	   /* limits; dot_ends is the caller's */
	struct envelope_settings envelope; /* rewriting, aliases, names */
	struct generic *generic;	   /* smtp_generic_maps, on the wire */
	struct milters *milters;	   /* non_smtpd_milters; NULL: none */
	struct deliver_settings deliver;   /* routes, TLS, SASL, timeouts */
	long deadline;			   /* relaymail_deadline, ms; 0: none */
	long smtpd_timeout;		   /* smtpd_timeout for -bs, ms */
	struct deadletter_places dead;	   /* dead_letter_file, dead_letter_spool */
	struct maillog_settings log;	   /* syslog_name, syslog_facility, maillog_file */
	struct matchlist *submit_acl;	   /* authorized_submit_users */
};

/* Read every setting of cfg, and set the mail log sink up with the
 * context's log settings (base/maillog.h: opened at the first record,
 * closed by context_free). On success the context owns cfg; on failure
 * (NULL; ERROR_CONFIG naming the parameter, where it was set and what is
 * allowed, or a table's own error) cfg is still the caller's, who may
 * need it to save the message. */
struct context *context_open(struct config *cfg, struct error *err);
void context_free(struct context *ctx); /* NULL is harmless */

/* Where messages are kept, as far as cfg says: dead_letter_file (NULL
 * when not set, "" turns saving off) and dead_letter_spool. For a
 * configuration that could not become a context too. */
void context_places(const struct config *cfg, struct deadletter_places *pl);

#endif
