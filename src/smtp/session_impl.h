/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Inside the session engine, shared by session.c (connection, greeting,
 * EHLO, STARTTLS, reading replies, ending), session_auth.c and
 * session_mail.c (the transaction and the body). Nothing outside those
 * three files includes this header. */
#ifndef RELAYMAIL_SMTP_SESSION_IMPL_H
#define RELAYMAIL_SMTP_SESSION_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/error.h"
#include "smtp/bodyenc.h"
#include "smtp/caps.h"
#include "smtp/reply.h"
#include "smtp/session.h"

#define SESSION_INPUT_MAX 65536	 /* unconsumed input we tolerate */
#define SESSION_BODY_FLUSH 65536 /* body output handed out in pieces this big */

struct session {
	const struct session_settings *set;
	const struct session_envelope *env;
	enum session_stage stage;
	enum session_event last_event; /* what the caller was last told */
	struct buf in, out;
	bool out_secret;    /* out holds SASL data: wipe it once written */
	size_t outstanding; /* replies still due */
	bool helo;	    /* EHLO was refused and HELO sent */
	bool tls;	    /* TLS is up */
	bool starttls_refused;
	bool pipelined;	 /* MAIL, RCPT and DATA went as one group */
	bool txn_failed; /* MAIL or RCPT failed: no body may follow */
	size_t rcpt_answered;
	unsigned auth_rounds;
	struct buf auth_initial; /* initial response held for the first 334 */
	bool auth_initial_held;
	struct bodyenc body;
	struct caps caps;
	struct reply scratch;
	char lastfmt[ERROR_REPLY_MAX]; /* the last reply on one printable line */
	struct session_rcpt_result *rcpt;
	struct session_result res;
};

/* Remember ev as what the caller was told, and return it. */
enum session_event session_ret(struct session *s, enum session_event ev);
const char *session_relay(const struct session *s);
/* The current stage as a phrase for "... while %s". */
const char *session_stage_phrase(const struct session *s);
/* Trace every line in p[0..len), without line endings. */
void session_trace_lines(const struct session *s, bool from_relay, const char *p, size_t len);

/* Record a failure (with_reply: the last reply goes into err.reply). */
void session_set_err(struct session *s, enum error_class cls, bool next, bool with_reply,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* session_set_err, then session_finish. */
enum session_event session_fail(struct session *s, enum error_class cls, bool next, bool usable,
				bool with_reply, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Queue QUIT when the connection is usable, else end at once. */
enum session_event session_finish(struct session *s, bool usable);
enum session_event session_quit(struct session *s);
enum session_event session_out_of_memory(struct session *s);
enum session_event session_misuse(struct session *s);
/* A reply code that makes no sense at this stage. */
enum session_event session_unexpected(struct session *s);
/* Queue "a b\r\n" (b may be NULL); trace_as, when set, is traced instead. */
enum session_event session_send_line(struct session *s, const char *trace_as, const char *a,
				     const char *b);

/* session_mail.c: after EHLO/TLS/AUTH, and the transaction's replies. */
enum session_event session_mail_start(struct session *s);
enum session_event session_on_mail(struct session *s);
enum session_event session_on_rcpt(struct session *s);
enum session_event session_on_data(struct session *s);
enum session_event session_on_dot(struct session *s);
/* session_auth.c: a reply to AUTH or to a SASL response. */
enum session_event session_on_auth(struct session *s);

#endif
