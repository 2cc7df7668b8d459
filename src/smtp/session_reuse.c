/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reusing a session for another transaction, as Postfix's connection
 * cache does: the session stays idle after a transaction the relay
 * accepted (settings.keep_open), and the next one begins with RSET, whose
 * 250 proves the connection still works before any of the message goes
 * out. A relay that closed the idle connection makes the session stale,
 * not failed: the caller then opens a new one. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "smtp/session.h"
#include "smtp/session_impl.h"

/* Idle: the last transaction was accepted and no QUIT went out. */
static bool idle(const struct session *s)
{
	return s->idle && s->stage == SESSION_STAGE_END && s->res.ok;
}

/* Forget the last transaction, keep what the connection learned. */
static int forget_transaction(struct session *s, const struct session_envelope *env)
{
	struct session_rcpt_result *rcpt =
	    realloc(s->rcpt, (env->nrcpts > 0 ? env->nrcpts : 1) * sizeof(*s->rcpt));
	bool authenticated = s->res.authenticated;

	if (rcpt == NULL)
		return -1;
	memset(rcpt, 0, (env->nrcpts > 0 ? env->nrcpts : 1) * sizeof(*rcpt));
	s->rcpt = rcpt;
	s->env = env;
	if (session_txn_init(s) < 0)
		return -1;
	s->pipelined = false;
	s->lastfmt[0] = '\0';
	memset(&s->res, 0, sizeof(s->res));
	s->res.rcpt = s->rcpt;
	s->res.authenticated = authenticated;
	s->res.tls = s->tls;
	buf_reset(&s->in);
	return 0;
}

enum session_event session_reuse(struct session *s, const struct session_envelope *env)
{
	enum session_event ev;

	if (!idle(s))
		return session_ret(s, session_misuse(s));
	if (forget_transaction(s, env) < 0)
		return session_ret(s, session_out_of_memory(s));
	s->idle = false;
	s->stage = SESSION_STAGE_MAIL;
	s->resetting = true;
	s->outstanding = 0;
	ev = session_send_line(s, NULL, "RSET", NULL);
	/* RFC 2920 §3.1 lets RSET lead a pipelined group: the transaction
	 * follows at once, and a relay that dropped the connection still
	 * shows it at RSET, before any of the message went out. */
	if (ev == SESSION_WRITE && s->caps.pipelining && s->set->use_pipelining) {
		ev = session_mail_start(s);
		if (ev != SESSION_WRITE)
			s->resetting = false; /* our own refusal: a new connection would
					       * not change it */
	}
	return session_ret(s, ev);
}

enum session_event session_on_rset(struct session *s)
{
	if (reply_class(&s->res.last) == 2) {
		s->resetting = false;
		/* Pipelined, MAIL went with RSET and its reply comes next. */
		return s->outstanding > 0 ? SESSION_READ : session_mail_start(s);
	}
	/* Most likely a 421 from a relay that timed the idle connection out;
	 * it is about to close, so QUIT would only wait. */
	return session_site_fail(s, ERROR_TEMP, SESSION_END_HANG_UP, SESSION_QUOTE_LAST_REPLY,
				 _("relay %s refused to reuse the connection: %s"),
				 session_relay(s), s->lastfmt);
}

bool session_stale(const struct session *s)
{
	return s->resetting && !s->res.ok;
}

enum session_event session_close(struct session *s)
{
	if (!idle(s))
		return session_ret(s, session_misuse(s));
	s->idle = false;
	return session_ret(s, session_quit(s));
}
