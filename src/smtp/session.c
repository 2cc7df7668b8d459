/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SMTP client engine: each complete reply decides the next command,
 * and every decision that needs the outside world (I/O, TLS, SASL, body
 * bytes) is handed back to the caller as an event. It reads no clock and
 * touches no descriptor, so tests drive it with scripted replies. This
 * file holds the connection: greeting, EHLO/HELO, STARTTLS, reading
 * replies, failures and QUIT. */
#include <config.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/str.h"
#include "smtp/session.h"
#include "smtp/session_impl.h"

static const char *const stage_names[] = {
	[SESSION_STAGE_GREETING] = N_("receiving the initial server greeting"),
	[SESSION_STAGE_EHLO] = N_("performing the EHLO handshake"),
	[SESSION_STAGE_STARTTLS] = N_("receiving the STARTTLS response"),
	[SESSION_STAGE_AUTH] = N_("authenticating"),
	[SESSION_STAGE_MAIL] = N_("sending MAIL FROM"),
	[SESSION_STAGE_RCPT] = N_("sending RCPT TO"),
	[SESSION_STAGE_DATA] = N_("sending DATA"),
	[SESSION_STAGE_BODY] = N_("sending the message body"),
	[SESSION_STAGE_DOT] = N_("sending the end of the message"),
	[SESSION_STAGE_QUIT] = N_("sending QUIT"),
	[SESSION_STAGE_END] = N_("closing the session"),
};

const char *session_stage_name(enum session_stage stage)
{
	if ((size_t)stage >= sizeof(stage_names) / sizeof(stage_names[0]))
		return "?";
	return _(stage_names[stage]);
}

const char *session_stage_phrase(const struct session *s)
{
	if (s->stage == SESSION_STAGE_EHLO && s->helo)
		return _("performing the HELO handshake");
	return session_stage_name(s->stage);
}

const char *session_relay(const struct session *s)
{
	return s->set->relay_name != NULL ? s->set->relay_name : "?";
}

enum session_event session_ret(struct session *s, enum session_event ev)
{
	s->last_event = ev;
	return ev;
}

static void trace(const struct session *s, bool from_relay, const char *line, size_t len)
{
	if (s->set->trace != NULL)
		s->set->trace(s->set->trace_arg, from_relay, line, len);
}

void session_trace_lines(const struct session *s, bool from_relay, const char *p, size_t len)
{
	while (len > 0) {
		const char *lf = memchr(p, '\n', len);
		size_t n = lf != NULL ? (size_t)(lf - p) : len;
		size_t step = lf != NULL ? n + 1 : n;

		trace(s, from_relay, p, n > 0 && p[n - 1] == '\r' ? n - 1 : n);
		p += step;
		len -= step;
	}
}

/* ---- Ending: record the failure, then QUIT or hang up. */

static void record(struct session *s, enum error_class cls, enum session_quote quote,
		   const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

/* Everything a failure sets but next_relay, which the scope decides. */
static void record(struct session *s, enum error_class cls, enum session_quote quote,
		   const char *fmt, va_list ap)
{
	error_setv(&s->res.err, cls, fmt, ap);
	if (quote == SESSION_QUOTE_LAST_REPLY)
		error_set_reply(&s->res.err, s->lastfmt, strlen(s->lastfmt));
	s->res.ok = false;
	s->res.stage = s->stage;
	s->res.failure =
	    quote == SESSION_QUOTE_LAST_REPLY ? SESSION_FAILURE_REPLY : SESSION_FAILURE_LOCAL;
}

enum session_event session_failed_as(struct session *s, enum session_failure kind,
				     enum session_event ev)
{
	s->res.failure = kind;
	return ev;
}

void session_site_error(struct session *s, enum error_class cls, enum session_quote quote,
			const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(s, cls, quote, fmt, ap);
	va_end(ap);
	s->res.next_relay = true;
}

void session_mesg_error(struct session *s, enum error_class cls, enum session_quote quote,
			const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(s, cls, quote, fmt, ap);
	va_end(ap);
	s->res.next_relay = false;
}

enum session_event session_site_fail(struct session *s, enum error_class cls, enum session_end end,
				     enum session_quote quote, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(s, cls, quote, fmt, ap);
	va_end(ap);
	s->res.next_relay = true;
	return session_finish(s, end);
}

enum session_event session_mesg_fail(struct session *s, enum error_class cls, enum session_end end,
				     enum session_quote quote, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(s, cls, quote, fmt, ap);
	va_end(ap);
	s->res.next_relay = false;
	return session_finish(s, end);
}

enum session_event session_local_fail(struct session *s, enum error_class cls, enum session_end end,
				      enum session_quote quote, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(s, cls, quote, fmt, ap);
	va_end(ap);
	s->res.next_relay = false;
	return session_finish(s, end);
}

/* Drop queued output, wiping it when it held SASL data. */
static void clear_output(struct session *s)
{
	if (s->out_secret && s->out.data != NULL)
		str_wipe(s->out.data, s->out.len);
	s->out_secret = false;
	buf_reset(&s->out);
}

/* Past the outcome: QUIT's reply, or a reply before the QUIT of a
 * settled session. Whatever happens now, the outcome stands. */
static bool ending(const struct session *s)
{
	return s->stage == SESSION_STAGE_QUIT || s->stage == SESSION_STAGE_END || s->settled;
}

static enum session_event final_event(struct session *s)
{
	s->stage = SESSION_STAGE_END;
	s->outstanding = 0;
	/* Part of the message is delivered: sending it again elsewhere
	 * would deliver that part twice. */
	if (!s->res.ok && s->res.ndelivered > 0)
		s->res.next_relay = false;
	return s->res.ok ? SESSION_DONE : SESSION_FAILED;
}

enum session_event session_keep(struct session *s)
{
	s->idle = true;
	return final_event(s);
}

enum session_event session_quit(struct session *s)
{
	if (s->quit_sent) {
		/* It went with the end of the message: only its reply is due. */
		s->stage = SESSION_STAGE_QUIT;
		s->outstanding = 1;
		return SESSION_READ;
	}
	clear_output(s);
	if (buf_append_str(&s->out, "QUIT\r\n") < 0)
		return final_event(s);
	trace(s, false, "QUIT", 4);
	s->stage = SESSION_STAGE_QUIT;
	s->outstanding = 1;
	return SESSION_WRITE;
}

enum session_event session_finish(struct session *s, enum session_end end)
{
	return end == SESSION_END_QUIT ? session_quit(s) : final_event(s);
}

enum session_event session_out_of_memory(struct session *s)
{
	/* Not the relay's fault, but nothing says the next attempt will be
	 * short of memory too; session_abort lets the caller's own failures
	 * of this kind try the next relay as well. */
	return session_site_fail(s, ERROR_INTERNAL, SESSION_END_HANG_UP, SESSION_QUOTE_NOTHING,
				 "%s", _("out of memory while talking to the relay"));
}

enum session_event session_misuse(struct session *s)
{
	return session_local_fail(s, ERROR_INTERNAL, SESSION_END_HANG_UP, SESSION_QUOTE_NOTHING,
				  "%s",
				  _("internal error: the SMTP session was driven out of order"));
}

enum session_event session_unexpected(struct session *s)
{
	return session_failed_as(
	    s, SESSION_FAILURE_PROTOCOL,
	    session_site_fail(s, ERROR_PROTOCOL, SESSION_END_HANG_UP, SESSION_QUOTE_LAST_REPLY,
			      _("relay %s sent an unexpected reply while %s: %s"), session_relay(s),
			      session_stage_phrase(s), s->lastfmt));
}

enum session_event session_send_line(struct session *s, const char *trace_as, const char *a,
				     const char *b)
{
	size_t off = s->out.len;

	if (buf_append_str(&s->out, a) < 0 || (b != NULL && buf_append_str(&s->out, b) < 0) ||
	    buf_append_str(&s->out, "\r\n") < 0)
		return session_out_of_memory(s);
	if (trace_as != NULL)
		trace(s, false, trace_as, strlen(trace_as));
	else
		session_trace_lines(s, false, s->out.data + off, s->out.len - off);
	s->outstanding++;
	return SESSION_WRITE;
}

/* ---- Before the transaction: greeting, EHLO/HELO, STARTTLS. */

static enum session_event send_hello(struct session *s, const char *verb)
{
	s->stage = SESSION_STAGE_EHLO;
	return session_send_line(s, NULL, verb, s->set->helo_name);
}

static enum session_event after_tls(struct session *s)
{
	if (s->set->auth_wanted && !s->res.authenticated) {
		s->stage = SESSION_STAGE_AUTH;
		if (!s->caps.auth)
			return session_failed_as(
			    s, SESSION_FAILURE_NO_AUTH,
			    session_site_fail(s, ERROR_TEMP, SESSION_END_QUIT,
					      SESSION_QUOTE_NOTHING,
					      _("relay %s did not offer authentication (AUTH)"),
					      session_relay(s)));
		return SESSION_AUTH;
	}
	return session_mail_start(s);
}

static enum session_event after_hello(struct session *s)
{
	bool wants = s->set->tls == SESSION_TLS_MAY || s->set->tls == SESSION_TLS_REQUIRE;

	if (wants && !s->tls && !s->starttls_refused) {
		if (s->caps.starttls) {
			s->stage = SESSION_STAGE_STARTTLS;
			return session_send_line(s, NULL, "STARTTLS", NULL);
		}
		if (s->set->tls == SESSION_TLS_REQUIRE)
			return session_failed_as(
			    s, SESSION_FAILURE_NO_STARTTLS,
			    session_site_fail(s, ERROR_TEMP, SESSION_END_QUIT,
					      SESSION_QUOTE_NOTHING,
					      _("TLS is required, but was not offered by relay %s"),
					      session_relay(s)));
	}
	return after_tls(s);
}

static enum session_event refused_to_talk(struct session *s)
{
	return session_site_fail(s, ERROR_TEMP, SESSION_END_QUIT, SESSION_QUOTE_LAST_REPLY,
				 _("relay %s refused to talk to me: %s"), session_relay(s),
				 s->lastfmt);
}

/* Postfix's smtp_always_send_ehlo = no: "ESMTP" anywhere in the greeting
 * (RFC 5321 §4.2, the old convention), any case. */
static bool greeting_says_esmtp(const struct reply *r)
{
	for (size_t i = 0; i + 5 <= r->text_len; i++)
		if (strncasecmp(r->text + i, "ESMTP", 5) == 0)
			return true;
	return false;
}

static enum session_event on_greeting(struct session *s)
{
	int c = reply_class(&s->res.last);

	if (s->settled)
		return session_finish(s, SESSION_END_QUIT);

	if (c == 2 &&
	    (s->set->hello == SESSION_HELLO_HELO ||
	     (s->set->hello == SESSION_HELLO_IF_ESMTP && !greeting_says_esmtp(&s->res.last)))) {
		s->helo = true;
		return send_hello(s, "HELO ");
	}
	if (c == 2)
		return send_hello(s, "EHLO ");
	if (c == 5 && s->set->greeting_5xx_final)
		return session_mesg_fail(
		    s, ERROR_REJECTED, SESSION_END_QUIT, SESSION_QUOTE_LAST_REPLY,
		    _("relay %s refused to talk to me: %s"), session_relay(s), s->lastfmt);
	return c == 4 || c == 5 ? refused_to_talk(s) : session_unexpected(s);
}

static enum session_event on_hello(struct session *s)
{
	bool good = reply_class(&s->res.last) == 2;

	if (s->helo) {
		if (!good)
			return refused_to_talk(s);
		memset(&s->caps, 0, sizeof(s->caps));
		return after_hello(s);
	}
	if (good) {
		s->res.nehlo++;
		caps_parse(&s->caps, &s->res.last);
		caps_discard(&s->caps, s->set->discard);
		return after_hello(s);
	}
	if (s->res.last.code == 421)
		return refused_to_talk(s);
	s->helo = true;
	return send_hello(s, "HELO ");
}

static enum session_event on_starttls(struct session *s)
{
	if (s->res.last.code == 220) {
		/* RFC 3207 §4: anything already buffered was sent in
		 * plaintext and must not be taken as the relay's TLS words. */
		if (s->in.len > 0)
			return session_failed_as(
			    s, SESSION_FAILURE_PROTOCOL,
			    session_site_fail(s, ERROR_PROTOCOL, SESSION_END_HANG_UP,
					      SESSION_QUOTE_NOTHING,
					      _("relay %s sent data after its reply to STARTTLS "
						"(possible STARTTLS injection)"),
					      session_relay(s)));
		return SESSION_STARTTLS;
	}
	if (s->set->tls == SESSION_TLS_REQUIRE)
		return session_site_fail(s, ERROR_TEMP, SESSION_END_QUIT, SESSION_QUOTE_LAST_REPLY,
					 _("relay %s refused to start TLS: %s"), session_relay(s),
					 s->lastfmt);
	s->starttls_refused = true;
	return after_tls(s);
}

/* ---- Reading replies. */

static enum session_event on_reply(struct session *s)
{
	switch (s->stage) {
	case SESSION_STAGE_GREETING:
		return on_greeting(s);
	case SESSION_STAGE_EHLO:
		return on_hello(s);
	case SESSION_STAGE_STARTTLS:
		return on_starttls(s);
	case SESSION_STAGE_AUTH:
		return session_on_auth(s);
	case SESSION_STAGE_MAIL:
		return s->resetting ? session_on_rset(s) : session_on_mail(s);
	case SESSION_STAGE_RCPT:
		return session_on_rcpt(s);
	case SESSION_STAGE_DATA:
		return session_on_data(s);
	case SESSION_STAGE_DOT:
		return session_on_dot(s);
	case SESSION_STAGE_QUIT:
		/* Whatever the relay says to QUIT, the outcome stands. */
		return final_event(s);
	default:
		return session_misuse(s);
	}
}

static enum session_event malformed(struct session *s, const struct error *perr)
{
	const char *lf = memchr(s->in.data, '\n', s->in.len);
	size_t n = lf != NULL ? (size_t)(lf - s->in.data) : s->in.len;

	if (ending(s))
		return final_event(s);
	/* The offending line itself, not the last good reply. */
	session_site_fail(s, ERROR_PROTOCOL, SESSION_END_HANG_UP, SESSION_QUOTE_NOTHING,
			  _("relay %s broke the protocol while %s: %s"), session_relay(s),
			  session_stage_phrase(s), perr->text);
	error_set_reply(&s->res.err, s->in.data, n < 200 ? n : 200);
	s->res.failure = SESSION_FAILURE_PROTOCOL;
	return SESSION_FAILED;
}

static enum session_event too_much_input(struct session *s)
{
	if (ending(s))
		return final_event(s);
	return session_failed_as(
	    s, SESSION_FAILURE_PROTOCOL,
	    session_site_fail(s, ERROR_PROTOCOL, SESSION_END_HANG_UP, SESSION_QUOTE_NOTHING,
			      _("relay %s sent more than %d bytes without completing a reply"),
			      session_relay(s), SESSION_INPUT_MAX));
}

/* Handle every complete reply already received, in order. */
static enum session_event pump(struct session *s)
{
	for (;;) {
		struct error perr = { 0 };
		size_t used = 0;
		enum session_event ev;
		int rc;

		if (s->outstanding == 0)
			return session_misuse(s);
		rc = reply_parse(s->in.data != NULL ? s->in.data : "", s->in.len, &s->scratch,
				 &used, &perr);
		if (rc < 0)
			return malformed(s, &perr);
		if (rc == 0)
			return s->in.len > SESSION_INPUT_MAX ? too_much_input(s) : SESSION_READ;
		session_trace_lines(s, true, s->in.data, used);
		buf_consume(&s->in, used);
		s->outstanding--;
		if (!ending(s)) {
			s->res.last = s->scratch;
			reply_format(&s->res.last, s->lastfmt, sizeof(s->lastfmt));
		}
		ev = on_reply(s);
		if (ev != SESSION_READ)
			return ev;
	}
}

static enum session_event lost(struct session *s)
{
	if (ending(s))
		return final_event(s);
	if (s->stage == SESSION_STAGE_DOT) {
		s->res.maybe_delivered = true;
		return session_failed_as(
		    s, SESSION_FAILURE_LOST,
		    session_site_fail(
			s, ERROR_TEMP, SESSION_END_HANG_UP, SESSION_QUOTE_NOTHING,
			_("lost connection with relay %s after the end of the message; it "
			  "may have been delivered, and sending it again may deliver it "
			  "twice"),
			session_relay(s)));
	}
	return session_failed_as(s, SESSION_FAILURE_LOST,
				 session_site_fail(s, ERROR_TEMP, SESSION_END_HANG_UP,
						   SESSION_QUOTE_NOTHING,
						   _("lost connection with relay %s while %s"),
						   session_relay(s), session_stage_phrase(s)));
}

/* ---- The interface. */

struct session *session_new(const struct session_settings *settings,
			    const struct session_envelope *env)
{
	struct session *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->set = settings;
	s->env = env;
	s->rcpt = calloc(env->nrcpts > 0 ? env->nrcpts : 1, sizeof(*s->rcpt));
	if (s->rcpt == NULL || session_txn_init(s) < 0) {
		session_free(s);
		return NULL;
	}
	s->res.rcpt = s->rcpt;
	buf_init(&s->in, 0);
	buf_init(&s->out, 0);
	buf_init(&s->auth_initial, 0);
	return s;
}

void session_free(struct session *s)
{
	if (s == NULL)
		return;
	buf_fini(&s->in);
	buf_wipe(&s->out);
	buf_wipe(&s->auth_initial);
	free(s->rcpt);
	free(s->txn);
	free(s->next);
	free(s);
}

/* Waiting for the greeting, over TLS already in wrapper mode. */
static void begin(struct session *s)
{
	s->stage = SESSION_STAGE_GREETING;
	s->tls = s->set->tls == SESSION_TLS_IMPLICIT;
	s->res.tls = s->tls;
	s->outstanding = 1;
}

enum session_event session_start(struct session *s)
{
	const char *helo = s->set->helo_name;

	begin(s);
	if (helo == NULL || *helo == '\0' || str_has_crlfnul(helo, strlen(helo)) ||
	    strchr(helo, ' ') != NULL)
		return session_ret(
		    s,
		    session_local_fail(s, ERROR_CONFIG, SESSION_END_HANG_UP, SESSION_QUOTE_NOTHING,
				       _("the HELO name \"%s\" is not valid (smtp_helo_name)"),
				       helo != NULL ? helo : ""));
	return session_ret(s, SESSION_READ);
}

enum session_event session_start_refused(struct session *s, const struct error *err)
{
	begin(s);
	session_abort_record(s, err);
	s->settled = true;
	return session_ret(s, SESSION_READ);
}

void session_output(const struct session *s, const char **p, size_t *len)
{
	*p = s->out.data != NULL ? s->out.data : "";
	*len = s->out.len;
}

enum session_event session_written(struct session *s)
{
	if (s->last_event != SESSION_WRITE)
		return session_ret(s, session_misuse(s));
	clear_output(s);
	if (s->stage == SESSION_STAGE_BODY)
		return session_ret(s, SESSION_BODY);
	if (s->stage == SESSION_STAGE_END)
		return session_ret(s, final_event(s));
	return session_ret(s, pump(s));
}

enum session_event session_input(struct session *s, const char *p, size_t len)
{
	if (s->stage == SESSION_STAGE_END)
		return session_ret(s, final_event(s));
	if (len == 0)
		return session_ret(s, lost(s));
	if (buf_append(&s->in, p, len) < 0)
		return session_ret(s, session_out_of_memory(s));
	if (s->last_event != SESSION_READ) {
		/* Not asked for: keep it for the reply it belongs to. */
		if (s->in.len > SESSION_INPUT_MAX)
			return session_ret(s, too_much_input(s));
		return s->last_event;
	}
	return session_ret(s, pump(s));
}

size_t session_input_pending(const struct session *s)
{
	return s->in.len;
}

enum session_event session_tls_started(struct session *s)
{
	if (s->last_event != SESSION_STARTTLS)
		return session_ret(s, session_misuse(s));
	/* RFC 3207 §4.2: forget everything learned before TLS. */
	s->tls = true;
	s->res.tls = true;
	s->helo = false;
	memset(&s->caps, 0, sizeof(s->caps));
	return session_ret(s, send_hello(s, "EHLO "));
}

enum session_event session_tls_refused(struct session *s, const struct error *err)
{
	if (s->last_event != SESSION_STARTTLS)
		return session_ret(s, session_misuse(s));
	/* The relay reads commands again, over TLS: QUIT may go. */
	s->tls = true;
	s->res.tls = true;
	s->last_event = SESSION_READ;
	return session_abort(s, err, SESSION_END_QUIT);
}

/* Can QUIT still be understood as a command? Not while the relay may be
 * reading TLS records, SASL responses or message data. */
static bool can_quit(const struct session *s)
{
	switch (s->last_event) {
	case SESSION_AUTH:
		return true;
	case SESSION_STARTTLS:
	case SESSION_AUTH_CHALLENGE:
	case SESSION_BODY:
		return false;
	default:
		break;
	}
	switch (s->stage) {
	case SESSION_STAGE_GREETING:
	case SESSION_STAGE_EHLO:
		return true;
	case SESSION_STAGE_MAIL:
	case SESSION_STAGE_RCPT:
		return !s->pipelined || s->outstanding == 0;
	case SESSION_STAGE_STARTTLS:
	case SESSION_STAGE_AUTH:
	case SESSION_STAGE_DATA:
		return s->outstanding == 0;
	default:
		return false;
	}
}

void session_abort_record(struct session *s, const struct error *err)
{
	enum error_class cls = err != NULL && err->cls != ERROR_NONE ? err->cls : ERROR_INTERNAL;

	if (err != NULL)
		s->res.err = *err;
	else
		error_set(&s->res.err, cls, "%s", _("internal error: the session was aborted"));
	s->res.err.cls = cls;
	s->res.ok = false;
	s->res.next_relay = cls != ERROR_CONFIG;
	s->res.stage = s->stage;
	s->res.failure = SESSION_FAILURE_ABORTED;
	if (s->stage == SESSION_STAGE_DOT)
		s->res.maybe_delivered = true;
}

enum session_event session_abort(struct session *s, const struct error *err, enum session_end end)
{
	if (ending(s))
		return session_ret(s, final_event(s));
	session_abort_record(s, err);
	if (end == SESSION_END_HANG_UP || !can_quit(s))
		return session_ret(s, session_finish(s, SESSION_END_HANG_UP));
	return session_ret(s, session_finish(s, SESSION_END_QUIT));
}

enum session_stage session_stage(const struct session *s)
{
	return s->stage;
}

const struct caps *session_caps(const struct session *s)
{
	return &s->caps;
}

const struct session_result *session_result(const struct session *s)
{
	return &s->res;
}
