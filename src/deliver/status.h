/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What happened to a message or to one recipient, in the words the mail
 * log gives it (reference/postfix.md §8.1): an enhanced status code and
 * Postfix's reason, such as "host H[A] said: 550 5.1.1 ... (in reply to
 * RCPT TO command)" or "connect to H[A]:25: Connection refused". Log
 * analysers read these, so they are never translated. */
#ifndef RELAYMAIL_DELIVER_STATUS_H
#define RELAYMAIL_DELIVER_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#include "smtp/session.h"

#define STATUS_TEXT_MAX 1400

struct deliver_status {
	char dsn[16];		    /* "2.0.0", "4.4.1"; "" when nothing was recorded */
	char text[STATUS_TEXT_MAX]; /* the reason, or the final reply when sent */
};

bool status_is_set(const struct deliver_status *st);
/* Set dsn and the reason (printf format). */
void status_set(struct deliver_status *st, const char *dsn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The enhanced code of a reply line "250 2.0.0 Ok" ("2.0.0"), else the
 * class of its code and ".0.0" ("550 No" gives "5.0.0"), else def. */
void status_reply_dsn(const char *reply, const char *def, char *dsn, size_t size);
/* Accepted: the relay's reply to the end of data is the text. */
void status_sent(struct deliver_status *st, const char *reply);
/* The relay refused a command: "host NAMADDR said: REPLY (in reply to
 * COMMAND)", the command named by the stage (RCPT TO, end of DATA, ...). */
void status_said(struct deliver_status *st, const char *namaddr, const char *reply,
		 enum session_stage stage);
/* A connection that could not be made: "connect to RELAY: Connection
 * refused" (errnum in the C locale; ETIMEDOUT after a timeout). */
void status_connect(struct deliver_status *st, const char *relay, int errnum);
/* The connection was lost or went silent at stage: "lost connection with
 * NAMADDR while sending RCPT TO", "conversation with NAMADDR timed out
 * while ...". */
void status_io(struct deliver_status *st, const char *namaddr, enum session_stage stage,
	       bool timed_out);
/* Postfix's words for what the stage was doing ("receiving the initial
 * server greeting", "sending end of data -- message may be sent more than
 * once", ...). */
const char *status_stage_phrase(enum session_stage stage);

/* What the session engine knows of a failed session (r->failure), with
 * the message size and the relay's SIZE limit for SESSION_FAILURE_TOO_BIG.
 * SESSION_FAILURE_ABORTED is the caller's to describe; it gets a generic
 * reason by error class here. */
void status_session(struct deliver_status *st, const struct session_result *r, const char *namaddr,
		    size_t size, unsigned long size_max);
/* A reason by error class alone, for failures no relay was involved in
 * (configuration, memory). */
void status_by_class(struct deliver_status *st, enum error_class cls);
/* Make the class digit of the dsn agree with what the log says of the
 * message: '4' when deferred, '5' when bounced (a 5xx greeting that let
 * the next relay try is a deferral, a 4xx that ended in a permanent
 * failure a bounce). */
void status_set_class(struct deliver_status *st, char cls);

#endif
