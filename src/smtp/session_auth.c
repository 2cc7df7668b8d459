/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SMTP AUTH (RFC 4954) in the session engine: the command with or
 * without an initial response, the 334 challenges handed to the caller's
 * SASL code, and the verdict. Arguments and responses are secrets: the
 * trace shows "<secret>" and the output buffer is wiped once written. */
#include <config.h>

#include <string.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/str.h"
#include "smtp/session.h"
#include "smtp/session_impl.h"

#define SMTP_COMMAND_MAX 512 /* RFC 4954 §4: AUTH line with initial response */
#define AUTH_ROUNDS_MAX 100
#define MECH_NAME_MAX 20 /* RFC 4422 §3.1 */

static enum session_event send_secret(struct session *s, const char *data)
{
	s->out_secret = true;
	return session_send_line(s, "<secret>", data, NULL);
}

enum session_event session_on_auth(struct session *s)
{
	int code = s->res.last.code;
	enum error_class cls;

	/* The reply to "*" (501, RFC 4954 §4): the relay reads commands
	 * again. The caller's failure is the outcome. */
	if (s->settled)
		return session_finish(s, SESSION_END_QUIT);
	if (code == 334) {
		if (++s->auth_rounds > AUTH_ROUNDS_MAX)
			return session_failed_as(
			    s, SESSION_FAILURE_PROTOCOL,
			    session_site_fail(s, ERROR_PROTOCOL, SESSION_END_HANG_UP,
					      SESSION_QUOTE_NOTHING,
					      _("relay %s sent too many authentication challenges"),
					      session_relay(s)));
		if (s->auth_initial_held) {
			enum session_event ev = send_secret(s, s->auth_initial.data);

			s->auth_initial_held = false;
			buf_wipe(&s->auth_initial);
			return ev;
		}
		return SESSION_AUTH_CHALLENGE;
	}
	if (code == 235) {
		s->res.authenticated = true;
		return session_mail_start(s);
	}
	if (code / 100 != 4 && code / 100 != 5)
		return session_unexpected(s);
	/* RFC 4954 §6: a 4xx (454: the relay's own trouble) says nothing
	 * about the credentials; only a 5xx refuses them. */
	cls = code / 100 == 4 ? ERROR_TEMP : ERROR_AUTH;
	return session_site_fail(s, cls, SESSION_END_QUIT, SESSION_QUOTE_LAST_REPLY,
				 _("authentication to relay %s failed: %s"), session_relay(s),
				 s->lastfmt);
}

static bool mech_ok(const char *mech)
{
	size_t n = strlen(mech);

	if (n == 0 || n > MECH_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = mech[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

static enum session_event bad_sasl_data(struct session *s)
{
	return session_local_fail(s, ERROR_INTERNAL, SESSION_END_QUIT, SESSION_QUOTE_NOTHING, "%s",
				  _("internal error: the SASL mechanism or data is not valid"));
}

enum session_event session_auth(struct session *s, const char *mech, const char *initial_b64)
{
	/* "AUTH MECH", then " " and the response; mech_ok bounds its length. */
	char cmd[8 + MECH_NAME_MAX], shown[24 + MECH_NAME_MAX];
	const char *ir = initial_b64;
	size_t n;

	if (s->last_event != SESSION_AUTH)
		return session_ret(s, session_misuse(s));
	if (mech == NULL || !mech_ok(mech) || (ir != NULL && str_has_crlfnul(ir, strlen(ir))))
		return session_ret(s, bad_sasl_data(s));
	n = strlen(mech);
	memcpy(cmd, "AUTH ", 5);
	memcpy(cmd + 5, mech, n + 1);
	if (ir != NULL && *ir == '\0')
		ir = "="; /* RFC 4954 §4: an empty initial response */
	if (ir != NULL && 5 + n + 1 + strlen(ir) + 2 > SMTP_COMMAND_MAX) {
		/* Too long for one line: send it after the first 334. */
		if (buf_append_str(&s->auth_initial, ir) < 0)
			return session_ret(s, session_out_of_memory(s));
		s->auth_initial_held = true;
		ir = NULL;
	}
	if (ir == NULL)
		return session_ret(s, session_send_line(s, NULL, cmd, NULL));
	memcpy(shown, cmd, 5 + n);
	memcpy(shown + 5 + n, " <secret>", 10);
	memcpy(cmd + 5 + n, " ", 2);
	s->out_secret = true;
	return session_ret(s, session_send_line(s, shown, cmd, ir));
}

const char *session_challenge(const struct session *s)
{
	if (s->last_event != SESSION_AUTH_CHALLENGE)
		return "";
	return s->res.last.text;
}

enum session_event session_auth_response(struct session *s, const char *b64)
{
	if (s->last_event != SESSION_AUTH_CHALLENGE)
		return session_ret(s, session_misuse(s));
	if (b64 == NULL || str_has_crlfnul(b64, strlen(b64)))
		return session_ret(s, bad_sasl_data(s));
	return session_ret(s, send_secret(s, b64));
}

enum session_event session_auth_cancel(struct session *s, const struct error *err)
{
	if (s->last_event != SESSION_AUTH_CHALLENGE)
		return session_ret(s, session_misuse(s));
	session_abort_record(s, err);
	s->settled = true;
	return session_ret(s, session_send_line(s, NULL, "*", NULL));
}
