/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The mail transaction of the session engine: MAIL, RCPT and DATA (as one
 * pipelined group when the relay allows it, RFC 2920), the verdict on the
 * recipients, the dot-stuffed body and the end of data. Any refused
 * recipient stops the message for all of them (DESIGN.md). */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/str.h"
#include "smtp/bodyenc.h"
#include "smtp/command.h"
#include "smtp/session.h"
#include "smtp/session_impl.h"

static bool is_ascii(const char *p)
{
	for (; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			return false;
	return true;
}

/* The first envelope address that is not ASCII, or NULL. */
static const char *utf8_address(const struct session_envelope *env)
{
	const char *sender = env->sender != NULL ? env->sender : "";

	if (!is_ascii(sender))
		return sender;
	for (size_t i = 0; i < env->nrcpts; i++)
		if (!is_ascii(env->rcpts[i]))
			return env->rcpts[i];
	return NULL;
}

/* SMTPUTF8 is required but not offered: the next relay may offer it
 * (RFC 6531 §3.2 leaves no way to downgrade the address itself). */
static enum session_event no_smtputf8(struct session *s)
{
	const char *addr = utf8_address(s->env);
	char safe[300];

	if (addr == NULL)
		return session_failed_as(
		    s, SESSION_FAILURE_NO_SMTPUTF8,
		    session_site_fail(
			s, ERROR_DATA, SESSION_END_QUIT, SESSION_QUOTE_NOTHING,
			_("relay %s does not support SMTPUTF8, which this message needs"),
			session_relay(s)));
	str_printable(safe, sizeof(safe), addr, strlen(addr));
	return session_failed_as(
	    s, SESSION_FAILURE_NO_SMTPUTF8,
	    session_site_fail(s, ERROR_DATA, SESSION_END_QUIT, SESSION_QUOTE_NOTHING,
			      _("relay %s does not support SMTPUTF8, which the non-ASCII "
				"address <%s> needs"),
			      session_relay(s), safe));
}

enum session_event session_mail_start(struct session *s)
{
	const struct session_envelope *env = s->env;
	struct error bad = { 0 };
	size_t off = s->out.len;
	int rc;

	s->stage = SESSION_STAGE_MAIL;
	/* Into its own error: formatting res.err from its own text would
	 * hand vsnprintf overlapping buffers. */
	if (command_check_envelope(env, &bad) < 0)
		return session_mesg_fail(s, ERROR_DATA, SESSION_END_QUIT, SESSION_QUOTE_NOTHING,
					 "%s", bad.text);
	if (env->smtputf8 && !s->caps.smtputf8)
		return no_smtputf8(s);
	if (s->caps.size_max > 0 && env->size > s->caps.size_max)
		return session_failed_as(
		    s, SESSION_FAILURE_TOO_BIG,
		    session_mesg_fail(s, ERROR_REJECTED, SESSION_END_QUIT, SESSION_QUOTE_NOTHING,
				      _("message size %zu exceeds the size limit %lu of relay %s"),
				      env->size, s->caps.size_max, session_relay(s)));
	s->res.tls = s->tls;
	s->pipelined = s->caps.pipelining && s->set->use_pipelining && !s->set->probe;
	rc = command_mail(&s->out, env, &s->caps);
	s->outstanding++; /* RSET may be ahead of MAIL (session_reuse) */
	/* The first window of recipients, and DATA when they all fit. */
	if (s->pipelined && rc == 0)
		rc = session_rcpt_window(s);
	if (rc < 0)
		return session_out_of_memory(s);
	session_trace_lines(s, false, s->out.data + off, s->out.len - off);
	return SESSION_WRITE;
}

enum session_event session_on_mail(struct session *s)
{
	const char *sender = s->env->sender != NULL ? s->env->sender : "";

	switch (reply_class(&s->res.last)) {
	case 2:
		break;
	case 4:
		session_site_error(s, ERROR_TEMP, SESSION_QUOTE_LAST_REPLY,
				   _("relay %s temporarily refused the sender <%s>: %s"),
				   session_relay(s), sender, s->lastfmt);
		s->txn_failed = true;
		break;
	case 5:
		session_mesg_error(s, ERROR_REJECTED, SESSION_QUOTE_LAST_REPLY,
				   _("relay %s rejected the sender <%s>: %s"), session_relay(s),
				   sender, s->lastfmt);
		s->res.sender_refused = true;
		s->txn_failed = true;
		break;
	default:
		return session_unexpected(s);
	}
	if (s->pipelined) {
		s->stage = SESSION_STAGE_RCPT;
		return SESSION_READ;
	}
	if (s->txn_failed)
		return session_quit(s);
	return session_send_rcpts(s);
}

enum session_event session_on_data(struct session *s)
{
	int code = s->res.last.code;

	if (s->data_sent && !s->txn_failed && session_rcpt_verdict(s))
		s->txn_failed = true;
	if (s->txn_failed) {
		/* The relay is now reading message data we must not send; only
		 * closing the connection keeps the transaction from completing. */
		return session_finish(s, code == 354 ? SESSION_END_HANG_UP : SESSION_END_QUIT);
	}
	if (code == 354) {
		s->stage = SESSION_STAGE_BODY;
		bodyenc_init(&s->body);
		return SESSION_BODY;
	}
	if (reply_class(&s->res.last) == 4)
		return session_site_fail(s, ERROR_TEMP, SESSION_END_QUIT, SESSION_QUOTE_LAST_REPLY,
					 _("relay %s temporarily refused the DATA command: %s"),
					 session_relay(s), s->lastfmt);
	if (reply_class(&s->res.last) == 5)
		return session_mesg_fail(
		    s, ERROR_REJECTED, SESSION_END_QUIT, SESSION_QUOTE_LAST_REPLY,
		    _("relay %s rejected the DATA command: %s"), session_relay(s), s->lastfmt);
	return session_unexpected(s);
}

enum session_event session_on_dot(struct session *s)
{
	switch (reply_class(&s->res.last)) {
	case 2:
		s->res.ok = true;
		s->res.next_relay = false;
		s->res.failure = SESSION_FAILURE_NONE;
		error_clear(&s->res.err);
		s->res.stage = SESSION_STAGE_DOT;
		/* Recipients left for a new transaction (452): MAIL again. */
		if (session_txn_next(s)) {
			s->res.ok = false;
			return session_mail_start(s);
		}
		return s->set->keep_open ? session_keep(s) : session_quit(s);
	case 4:
		return session_site_fail(s, ERROR_TEMP, SESSION_END_QUIT, SESSION_QUOTE_LAST_REPLY,
					 _("relay %s temporarily refused the message: %s"),
					 session_relay(s), s->lastfmt);
	case 5:
		return session_mesg_fail(
		    s, ERROR_REJECTED, SESSION_END_QUIT, SESSION_QUOTE_LAST_REPLY,
		    _("relay %s rejected the message: %s"), session_relay(s), s->lastfmt);
	default:
		return session_unexpected(s);
	}
}

enum session_event session_body(struct session *s, const char *p, size_t len)
{
	if (s->stage != SESSION_STAGE_BODY || s->last_event != SESSION_BODY)
		return session_ret(s, session_misuse(s));
	if (bodyenc_add(&s->body, &s->out, p, len) < 0)
		return session_ret(s, session_out_of_memory(s));
	return session_ret(s, s->out.len >= SESSION_BODY_FLUSH ? SESSION_WRITE : SESSION_BODY);
}

enum session_event session_body_end(struct session *s)
{
	char note[64];

	if (s->stage != SESSION_STAGE_BODY || s->last_event != SESSION_BODY)
		return session_ret(s, session_misuse(s));
	if (bodyenc_end(&s->body, &s->out) < 0)
		return session_ret(s, session_out_of_memory(s));
	snprintf(note, sizeof(note), "<body: %zu bytes>", s->body.nbytes);
	session_trace_lines(s, false, note, strlen(note));
	session_trace_lines(s, false, ".", 1);
	s->stage = SESSION_STAGE_DOT;
	s->outstanding = 1;
	/* RFC 2920: QUIT may end a group. With the end of the message it
	 * saves a round trip, as Postfix does for a connection it will not
	 * keep; not when the connection is kept or recipients wait for a
	 * next transaction. Whatever the relay answers to ".", QUIT came
	 * next anyway. */
	if (s->pipelined && !s->set->keep_open && s->next_n == 0) {
		if (buf_append_str(&s->out, "QUIT\r\n") < 0)
			return session_ret(s, session_out_of_memory(s));
		session_trace_lines(s, false, "QUIT", 4);
		s->quit_sent = true;
		s->outstanding = 2;
	}
	return session_ret(s, SESSION_WRITE);
}