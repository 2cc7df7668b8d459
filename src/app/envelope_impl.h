/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared by envelope.c, envelope_checks.c and envelope_headers.c;
 * internal to app. */
#ifndef RELAYMAIL_APP_ENVELOPE_IMPL_H
#define RELAYMAIL_APP_ENVELOPE_IMPL_H

#include <stdbool.h>

#include "app/envelope.h"
#include "base/error.h"
#include "mail/header_checks.h"
#include "mail/message.h"

/* header_checks or smtp_header_checks over m, then bc (the body and the
 * MIME parts' checks of the same service): the message edited, the mail
 * log records naming env's sender and last recipient; DISCARD sets
 * env->discard, BCC adds recipients, REDIRECT replaces them all. -1 as
 * header_checks_apply, or for an address a table gave that cannot be
 * used (ERROR_CONFIG). */
int envelope_checks(const struct envelope_settings *set, const struct header_checks *hc,
		    const struct body_checks *bc, struct message *m, struct envelope *env,
		    struct error *err);
/* One recipient from header_checks into env (envelope.c): a BCC added
 * through recipient_canonical_maps and canonical_maps; with redirect,
 * the only recipient, as it is. */
int envelope_checks_rcpt(const struct envelope_settings *t, const char *given, bool redirect,
			 struct envelope *env, struct error *err);

/* A new sender from a milter (SMFIR_CHGFROM) into env (envelope.c):
 * qualified and rewritten by the canonical maps, as Postfix's cleanup
 * rewrites it. ERROR_DATA for an address that cannot be used. */
int envelope_checks_sender(const struct envelope_settings *t, const char *given,
			   struct envelope *env, struct error *err);

/* non_smtpd_milters over m and env (envelope_milter.c); see
 * envelope_build_milters. */
int envelope_milters(const struct envelope_settings *set, const struct milters *ms,
		     struct deadline run, struct message *m, struct envelope *env,
		     struct error *err);

/* message_drop_headers, then the missing Message-Id, Date and From (or
 * their Resent- versions), then undisclosed_recipients_header
 * (envelope_headers.c). -1 with ERROR_INTERNAL when out of memory. */
int envelope_fix_headers(const struct submission *o, const struct envelope_settings *t,
			 struct message *m, const struct envelope *env, struct error *err);

#endif
