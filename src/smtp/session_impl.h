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
#define SESSION_RCPT_WINDOW 100	 /* RCPT commands pipelined before their replies are read */

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
	/* The recipients of this transaction (indexes into env->rcpts), how
	 * many went out, how many the relay took; those deferred by a 452
	 * "too many recipients" for the next transaction. */
	size_t *txn, txn_n, txn_sent, txn_accepted;
	size_t *next, next_n;
	bool too_many;	/* a 452 "too many recipients" came in this transaction */
	bool data_sent; /* DATA went with the last window: the verdict waits for its reply */
	bool idle;	/* ended by session_keep: reusable */
	bool resetting; /* session_reuse: RSET sent, its reply not yet judged */
	bool quit_sent; /* QUIT went with the end of the message (pipelining) */
	size_t rcpt_answered;
	unsigned auth_rounds;
	/* The outcome is the caller's failure, recorded: the reply due ("*"
	 * cancelled AUTH; the greeting of a relay refused during the TLS
	 * handshake) is read, QUIT follows, and whatever comes, it stands. */
	bool settled;
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

/* What goes into err.reply besides the sentence. */
enum session_quote {
	SESSION_QUOTE_NOTHING,
	SESSION_QUOTE_LAST_REPLY, /* the reply being judged (lastfmt) */
};

/* Failures, named by what failed, as Postfix's smtp_site_fail and
 * smtp_mesg_fail (smtp_trouble.c). The scope decides the result's
 * next_relay:
 *   site:  this relay failed (greeting, EHLO, STARTTLS, AUTH, a 4xx to
 *          MAIL, RCPT, DATA or the end of data, a lost connection,
 *          garbage, an extension the message needs not offered): the
 *          caller may try the next relay;
 *   mesg:  a verdict on the message (a 5xx to MAIL, RCPT, DATA or the end
 *          of data, too big, an envelope that cannot be sent): no other
 *          relay is tried;
 *   local: relaymail itself is at fault (configuration, the caller's SASL
 *          data, the engine driven out of order): no other relay would do
 *          better, so none is tried.
 * Each sets err to cls and the sentence, and the result's stage to the
 * current one. session_*_fail then ends the session as end says;
 * session_*_error only records, for a caller that still has replies to
 * read before it ends the session itself. */
enum session_event session_site_fail(struct session *s, enum error_class cls, enum session_end end,
				     enum session_quote quote, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
enum session_event session_mesg_fail(struct session *s, enum error_class cls, enum session_end end,
				     enum session_quote quote, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
enum session_event session_local_fail(struct session *s, enum error_class cls, enum session_end end,
				      enum session_quote quote, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void session_site_error(struct session *s, enum error_class cls, enum session_quote quote,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void session_mesg_error(struct session *s, enum error_class cls, enum session_quote quote,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Name the kind of the failure just recorded (the *_fail and *_error
 * functions call it SESSION_FAILURE_REPLY when they quote the last reply,
 * SESSION_FAILURE_LOCAL otherwise); returns ev. */
enum session_event session_failed_as(struct session *s, enum session_failure kind,
				     enum session_event ev);
/* End a session whose outcome is recorded: QUIT first, or hang up. */
enum session_event session_finish(struct session *s, enum session_end end);
enum session_event session_quit(struct session *s);
enum session_event session_out_of_memory(struct session *s);
enum session_event session_misuse(struct session *s);
/* Record the caller's failure as session_abort does, without ending. */
void session_abort_record(struct session *s, const struct error *err);
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
/* session_rcpt.c. The first transaction has every recipient (-1: no
 * memory); reset forgets a transaction's progress. */
int session_txn_init(struct session *s);
void session_txn_reset(struct session *s);
/* Append the next window of RCPT commands (one without pipelining), and
 * DATA after the last when pipelining; -1 when out of memory. */
int session_rcpt_window(struct session *s);
/* The next window as output, at stage RCPT. */
enum session_event session_send_rcpts(struct session *s);
enum session_event session_on_rcpt(struct session *s);
/* After the last RCPT reply: true (and the failure recorded) when any
 * recipient of this transaction was refused, deferred ones aside. */
bool session_rcpt_verdict(struct session *s);
/* The relay accepted this transaction's message: its recipients are
 * delivered. true when deferred recipients remain, now this
 * transaction's (and its progress reset): MAIL is due again. */
bool session_txn_next(struct session *s);

/* session_reuse.c: the reply to the RSET that opens a reused session. */
enum session_event session_on_rset(struct session *s);
/* session.c: the relay accepted the message and keep_open is set: the
 * session ends idle, without QUIT (SESSION_DONE). */
enum session_event session_keep(struct session *s);

/* session_auth.c: a reply to AUTH or to a SASL response. */
enum session_event session_on_auth(struct session *s);

#endif
