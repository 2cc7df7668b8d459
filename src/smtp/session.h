/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SMTP client session engine, without I/O: it consumes what the relay
 * sent and tells its caller what to do next (write these bytes, read more,
 * start TLS, authenticate, stream the body). One session is one
 * connection and one transaction. Trying another address or relay is the
 * caller's job; the result says whether that is allowed (DESIGN.md,
 * Failover).
 *
 * Driving it:
 *	ev = session_start(s);
 *	for (;;) switch (ev) {
 *	case SESSION_WRITE:  write all of session_output(); ev = session_written(s);
 *	case SESSION_READ:   read (timeout from session_stage); ev = session_input(s, p, n)
 *	                     (n == 0 at end of file)
 *	case SESSION_STARTTLS: if session_input_pending(s) > 0 it is an error
 *	                     (the engine already checks and fails); do the
 *	                     handshake; ev = session_tls_started(s) or
 *	                     session_abort(s, &err) when it failed
 *	case SESSION_AUTH:   choose a mechanism from session_caps(s)->auth_mechs,
 *	                     ev = session_auth(s, mech, initial_response_b64 or NULL)
 *	case SESSION_AUTH_CHALLENGE: answer session_challenge(s) with
 *	                     ev = session_auth_response(s, b64), or give up
 *	                     with ev = session_auth_cancel(s, &err)
 *	case SESSION_BODY:   repeat ev = session_body(s, p, n) (handle each
 *	                     SESSION_WRITE it returns), then
 *	                     ev = session_body_end(s)
 *	case SESSION_DONE / SESSION_FAILED: session_result(s)
 *	}
 * After SESSION_FAILED the caller closes the connection; when the engine
 * could still talk it has queued QUIT first (returned as SESSION_WRITE,
 * then SESSION_READ for the reply, then SESSION_FAILED). */
#ifndef RELAYMAIL_SMTP_SESSION_H
#define RELAYMAIL_SMTP_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "smtp/caps.h"
#include "smtp/reply.h"

struct session;

enum session_tls {
	SESSION_TLS_NONE,     /* never STARTTLS */
	SESSION_TLS_MAY,      /* STARTTLS when offered; plaintext otherwise */
	SESSION_TLS_REQUIRE,  /* STARTTLS or fail (next relay allowed) */
	SESSION_TLS_IMPLICIT, /* TLS is already up (wrapper mode) */
};

enum session_stage {
	SESSION_STAGE_GREETING,
	SESSION_STAGE_EHLO,
	SESSION_STAGE_STARTTLS,
	SESSION_STAGE_AUTH,
	SESSION_STAGE_MAIL,
	SESSION_STAGE_RCPT,
	SESSION_STAGE_DATA,
	SESSION_STAGE_BODY,
	SESSION_STAGE_DOT, /* waiting for the reply to the final "." */
	SESSION_STAGE_QUIT,
	SESSION_STAGE_END,
};

enum session_event {
	SESSION_WRITE,
	SESSION_READ,
	SESSION_STARTTLS,
	SESSION_AUTH,
	SESSION_AUTH_CHALLENGE,
	SESSION_BODY,
	SESSION_DONE,
	SESSION_FAILED,
};

/* Called for each line sent or received, secrets already masked (AUTH
 * arguments and responses appear as "<secret>"). */
typedef void session_trace_fn(void *arg, bool from_relay, const char *line, size_t len);

struct session_settings {
	const char *helo_name;	/* EHLO/HELO argument */
	const char *relay_name; /* "host[addr]:port" for messages */
	enum session_tls tls;
	bool auth_wanted;    /* credentials exist: AUTH must happen */
	bool use_pipelining; /* use PIPELINING when offered (default true) */
	bool keep_open;	     /* after the relay accepts the message, end with
			      * SESSION_DONE but no QUIT: the connection stays
			      * open for session_reuse or session_close (read
			      * when the final reply comes, so the caller may
			      * change it between transactions) */
	bool probe;	     /* a diagnosis (-bv -v): one command at a time, RSET
			      * where DATA would go, and its 250 ends the session
			      * as accepted */
	unsigned discard;    /* EHLO keywords to ignore (enum caps_keyword bits) */
	enum session_hello {
		SESSION_HELLO_EHLO,	/* EHLO, then HELO when it is refused */
		SESSION_HELLO_IF_ESMTP, /* EHLO only after a greeting that says ESMTP */
		SESSION_HELLO_HELO,	/* HELO only (smtp_never_send_ehlo) */
	} hello;
	bool greeting_5xx_final; /* a 5xx greeting is a verdict, not "next relay"
				  * (smtp_skip_5xx_greeting = no) */
	session_trace_fn *trace; /* NULL: no trace */
	void *trace_arg;
};

struct session_envelope {
	const char *sender; /* "" = null sender; checked by the caller */
	const char *const *rcpts;
	size_t nrcpts;
	size_t size;		  /* message octets for SIZE=; 0 unknown */
	bool eightbit;		  /* BODY=8BITMIME when offered */
	bool smtputf8;		  /* SMTPUTF8 needed: fails when not offered */
	bool smtputf8_if_offered; /* SMTPUTF8 when offered, else without it
				   * (UTF-8 only in the header) */
	const char *dsn_notify;	  /* NOTIFY= value (upper case) or NULL */
	const char *dsn_ret;	  /* RET= value or NULL */
	const char *dsn_envid;	  /* ENVID= xtext or NULL */
};

struct session_rcpt_result {
	int code;	 /* reply code to RCPT TO, 0 if never answered */
	char reply[512]; /* printable reply line */
	bool delivered;	 /* the relay accepted the message for this recipient */
	bool deferred;	 /* 452 "too many recipients": left for a next
			  * transaction that did not happen */
};

/* What ended a failed session, for reports that name it in their own
 * words (the mail log says it as Postfix does). */
enum session_failure {
	SESSION_FAILURE_NONE,
	SESSION_FAILURE_REPLY,	     /* the relay refused at res.stage: err.reply is its reply
				      * (to RCPT, the recipient's that decided) */
	SESSION_FAILURE_LOST,	     /* the relay closed the connection at res.stage */
	SESSION_FAILURE_PROTOCOL,    /* garbage, a reply out of place, data after STARTTLS */
	SESSION_FAILURE_NO_STARTTLS, /* TLS required and STARTTLS not offered */
	SESSION_FAILURE_NO_AUTH,     /* credentials exist and AUTH was not offered */
	SESSION_FAILURE_TOO_BIG,     /* the message is over the relay's SIZE */
	SESSION_FAILURE_NO_SMTPUTF8, /* the message needs SMTPUTF8, not offered */
	SESSION_FAILURE_LOCAL,	     /* relaymail's side: the envelope, the HELO name, the
				      * caller's SASL data, memory, misuse */
	SESSION_FAILURE_ABORTED,     /* session_abort: the caller knows why */
};

/* err.cls after a failure: ERROR_TEMP for any 4xx (to AUTH too), any
 * refusal of the greeting, EHLO/HELO or STARTTLS, TLS or AUTH not
 * offered, a lost connection; ERROR_AUTH for a 5xx to AUTH only;
 * ERROR_PROTOCOL for garbage or a reply out of place; ERROR_REJECTED for
 * a 5xx to MAIL, DATA or the end of data, or a message over SIZE;
 * ERROR_RECIPIENT for a 5xx to RCPT; ERROR_DATA for an envelope that
 * cannot be sent or SMTPUTF8 not offered; ERROR_CONFIG for a bad HELO
 * name; ERROR_INTERNAL for no memory or misuse; or the class given to
 * session_abort. */
struct session_result {
	enum session_stage stage;		/* stage where it ended */
	bool ok;				/* the relay accepted the message */
	bool next_relay;			/* failure allows trying the next address/relay */
	bool maybe_delivered;			/* connection lost after the final "." */
	struct reply last;			/* last reply received (code 0 if none) */
	struct error err;			/* cls ERROR_NONE when ok */
	enum session_failure failure;		/* SESSION_FAILURE_NONE when ok */
	const struct session_rcpt_result *rcpt; /* nrcpts entries */
	bool authenticated;
	unsigned nehlo;	     /* EHLO replies taken (2 with STARTTLS) */
	bool tls;	     /* TLS was active when MAIL was sent */
	size_t ndelivered;   /* recipients the relay accepted the message for: all
			      * when ok; after a failure, those of the
			      * transactions before it (a 452 "too many
			      * recipients" splits the message), and then
			      * next_relay is false: another relay would
			      * deliver to them twice */
	bool sender_refused; /* the failure is the relay refusing the envelope sender,
			      * whether at MAIL or in every refused RCPT reply */
};

/* settings and env must outlive the session. NULL when out of memory. */
struct session *session_new(const struct session_settings *settings,
			    const struct session_envelope *env);
void session_free(struct session *s);

enum session_event session_start(struct session *s);
/* Bytes to write: valid until the next call into the engine. */
void session_output(const struct session *s, const char **p, size_t *len);
enum session_event session_written(struct session *s);
/* Feed what the relay sent (len 0: the relay closed the connection). */
enum session_event session_input(struct session *s, const char *p, size_t len);
/* Bytes received and not yet consumed. */
size_t session_input_pending(const struct session *s);
enum session_event session_tls_started(struct session *s);
/* After SESSION_STARTTLS, when the handshake completed but the caller
 * refuses the peer (its certificate failed the checks): err is recorded
 * and QUIT goes over the new TLS session, as Postfix's client sends it. */
enum session_event session_tls_refused(struct session *s, const struct error *err);
/* Instead of session_start, over TLS from the first byte (SMTPS) when
 * the caller refused the relay's certificate after the handshake: err is
 * recorded, the greeting is read and QUIT sent, so the relay sees a
 * client that leaves rather than a connection dropped. */
enum session_event session_start_refused(struct session *s, const struct error *err);
enum session_event session_auth(struct session *s, const char *mech, const char *initial_b64);
const char *session_challenge(const struct session *s);
enum session_event session_auth_response(struct session *s, const char *b64);
/* After SESSION_AUTH_CHALLENGE, when the caller cannot answer (its SASL
 * step failed, the response would be too long): err is recorded, "*"
 * cancels the exchange (RFC 4954 §4), and after the relay's reply QUIT
 * ends the session; Postfix's client sends QUIT in its place, which the
 * relay reads as a response. */
enum session_event session_auth_cancel(struct session *s, const struct error *err);
/* Body bytes in stored form (CRLF lines); the engine dot-stuffs them. */
enum session_event session_body(struct session *s, const char *p, size_t len);
/* End of body: adds a final CRLF if missing, then ".". */
enum session_event session_body_end(struct session *s);
/* How a failure ends the session. */
enum session_end {
	SESSION_END_QUIT,    /* the relay still reads commands: QUIT, then end */
	SESSION_END_HANG_UP, /* it may not (TLS, SASL or message data, garbage
			      * or a lost connection): end at once */
};

/* The caller failed (TLS handshake, no mechanism, I/O, timeout): the
 * engine records err and, with SESSION_END_QUIT and when the stage
 * allows, queues QUIT; SESSION_END_HANG_UP when the connection can no
 * longer be used. */
enum session_event session_abort(struct session *s, const struct error *err, enum session_end end);

/* Connection reuse (Postfix's connection cache, RFC 5321 §4.1.1.5): a
 * session that ended with SESSION_DONE under keep_open is idle, its TLS
 * and authentication still in place. session_reuse starts the next
 * transaction over it for env (which must outlive it, as session_new's):
 * RSET first, and MAIL only once the relay answered 250, so that a relay
 * that closed the idle connection is found before any of the message is
 * sent; then the caller drives the session as after session_start.
 * session_misuse when the session is not idle. */
enum session_event session_reuse(struct session *s, const struct session_envelope *env);
/* True when a reused session failed before the relay accepted its RSET
 * (it closed the connection, answered something else, or the caller
 * aborted): nothing of the message was sent, and a new connection may
 * carry it as if this one had never been tried. */
bool session_stale(const struct session *s);
/* End an idle session: QUIT (SESSION_WRITE, SESSION_READ, then
 * SESSION_DONE). session_misuse when the session is not idle. */
enum session_event session_close(struct session *s);

enum session_stage session_stage(const struct session *s);
const char *session_stage_name(enum session_stage stage);
const struct caps *session_caps(const struct session *s);
const struct session_result *session_result(const struct session *s);

#endif
