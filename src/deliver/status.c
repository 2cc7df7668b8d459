/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Postfix's reasons (smtp_proto.c, smtp_connect.c, smtp_sasl_proto.c in
 * its words, reference/postfix.md §8.1) built from what an attempt knows:
 * the session engine's kind of failure, the stage, the relay's reply. */
#include <config.h>

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "deliver/status.h"

bool status_is_set(const struct deliver_status *st)
{
	return st != NULL && st->dsn[0] != '\0';
}

void status_set(struct deliver_status *st, const char *dsn, const char *fmt, ...)
{
	va_list ap;

	snprintf(st->dsn, sizeof(st->dsn), "%s", dsn);
	va_start(ap, fmt);
	vsnprintf(st->text, sizeof(st->text), fmt, ap);
	va_end(ap);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Length of "1.22.333" at p (RFC 3463: class, subject 1-3 digits, detail
 * 1-3 digits) followed by a blank or the end; 0 when there is none. */
static size_t enhanced_len(const char *p)
{
	size_t i = 1, n;

	if (p[0] != '2' && p[0] != '4' && p[0] != '5')
		return 0;
	for (int part = 0; part < 2; part++) {
		if (p[i++] != '.')
			return 0;
		for (n = 0; n < 3 && is_digit(p[i]); n++)
			i++;
		if (n == 0)
			return 0;
	}
	return p[i] == '\0' || p[i] == ' ' ? i : 0;
}

void status_reply_dsn(const char *reply, const char *def, char *dsn, size_t size)
{
	size_t n;

	if (reply == NULL || !is_digit(reply[0]) || !is_digit(reply[1]) || !is_digit(reply[2])) {
		snprintf(dsn, size, "%s", def);
		return;
	}
	if ((reply[3] == ' ' || reply[3] == '-') && (n = enhanced_len(reply + 4)) > 0 &&
	    reply[4] == reply[0]) {
		snprintf(dsn, size, "%.*s", (int)n, reply + 4);
		return;
	}
	if (reply[0] == '2' || reply[0] == '4' || reply[0] == '5')
		snprintf(dsn, size, "%c.0.0", reply[0]);
	else
		snprintf(dsn, size, "%s", def);
}

void status_sent(struct deliver_status *st, const char *reply)
{
	status_reply_dsn(reply, "2.0.0", st->dsn, sizeof(st->dsn));
	snprintf(st->text, sizeof(st->text), "%s", reply != NULL ? reply : "");
}

/* The command a reply at this stage answered (smtp_proto.c's
 * xfer_request). */
static const char *stage_command(enum session_stage stage)
{
	switch (stage) {
	case SESSION_STAGE_MAIL:
		return "MAIL FROM command";
	case SESSION_STAGE_RCPT:
		return "RCPT TO command";
	case SESSION_STAGE_DATA:
		return "DATA command";
	case SESSION_STAGE_BODY:
	case SESSION_STAGE_DOT:
		return "end of DATA command";
	case SESSION_STAGE_QUIT:
	case SESSION_STAGE_END:
		return "QUIT command";
	case SESSION_STAGE_GREETING:
		return "initial server greeting";
	case SESSION_STAGE_EHLO:
		return "EHLO command";
	case SESSION_STAGE_STARTTLS:
		return "STARTTLS command";
	case SESSION_STAGE_AUTH:
		return "AUTH command";
	}
	return "command";
}

const char *status_stage_phrase(enum session_stage stage)
{
	switch (stage) {
	case SESSION_STAGE_GREETING:
		return "receiving the initial server greeting";
	case SESSION_STAGE_EHLO:
		return "performing the EHLO handshake";
	case SESSION_STAGE_STARTTLS:
		return "receiving the STARTTLS response";
	case SESSION_STAGE_AUTH:
		return "sending AUTH command";
	case SESSION_STAGE_MAIL:
		return "sending MAIL FROM";
	case SESSION_STAGE_RCPT:
		return "sending RCPT TO";
	case SESSION_STAGE_DATA:
		return "sending DATA command";
	case SESSION_STAGE_BODY:
		return "sending message body";
	case SESSION_STAGE_DOT:
		return "sending end of data -- message may be sent more than once";
	case SESSION_STAGE_QUIT:
	case SESSION_STAGE_END:
		return "sending QUIT";
	}
	return "talking to the server";
}

void status_said(struct deliver_status *st, const char *namaddr, const char *reply,
		 enum session_stage stage)
{
	status_reply_dsn(reply, "4.0.0", st->dsn, sizeof(st->dsn));
	switch (stage) {
	case SESSION_STAGE_GREETING:
	case SESSION_STAGE_EHLO:
		snprintf(st->text, sizeof(st->text), "host %s refused to talk to me: %s", namaddr,
			 reply);
		break;
	case SESSION_STAGE_STARTTLS:
		snprintf(st->text, sizeof(st->text),
			 "TLS is required, but host %s refused to start TLS: %s", namaddr, reply);
		break;
	case SESSION_STAGE_AUTH:
		snprintf(st->text, sizeof(st->text),
			 "SASL authentication failed; server %s said: %s", namaddr, reply);
		break;
	default:
		snprintf(st->text, sizeof(st->text), "host %s said: %s (in reply to %s)", namaddr,
			 reply, stage_command(stage));
		break;
	}
}

/* strerror in the C locale: a log that analysers read must not change
 * language with LC_MESSAGES. */
static void c_strerror(int errnum, char *out, size_t size)
{
	locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);

	if (c == (locale_t)0) {
		snprintf(out, size, "error %d", errnum);
		return;
	}
	snprintf(out, size, "%s", strerror_l(errnum, c));
	freelocale(c);
}

void status_connect(struct deliver_status *st, const char *relay, int errnum)
{
	char why[128];

	c_strerror(errnum, why, sizeof(why));
	status_set(st, "4.4.1", "connect to %s: %s", relay, why);
}

void status_io(struct deliver_status *st, const char *namaddr, enum session_stage stage,
	       bool timed_out)
{
	if (timed_out)
		status_set(st, "4.4.2", "conversation with %s timed out while %s", namaddr,
			   status_stage_phrase(stage));
	else
		status_set(st, "4.4.2", "lost connection with %s while %s", namaddr,
			   status_stage_phrase(stage));
}

void status_by_class(struct deliver_status *st, enum error_class cls)
{
	switch (cls) {
	case ERROR_CONFIG:
		status_set(st, "4.3.5", "mail system configuration error");
		break;
	case ERROR_DATA:
	case ERROR_USAGE:
		status_set(st, "5.6.0", "message or envelope cannot be sent");
		break;
	case ERROR_NOHOST:
		status_set(st, "5.4.4", "Host or domain name not found");
		break;
	case ERROR_AUTH:
		status_set(st, "5.7.8", "SASL authentication failed");
		break;
	case ERROR_PROTOCOL:
		status_set(st, "4.5.0", "SMTP protocol error");
		break;
	case ERROR_TEMP:
		status_set(st, "4.4.0", "delivery temporarily failed");
		break;
	default:
		status_set(st, "4.3.0", "internal error");
		break;
	}
}

void status_session(struct deliver_status *st, const struct session_result *r, const char *namaddr,
		    size_t size, unsigned long size_max)
{
	const char *reply = r->err.reply;

	switch (r->failure) {
	case SESSION_FAILURE_REPLY:
		status_said(st, namaddr, reply, r->stage);
		return;
	case SESSION_FAILURE_LOST:
		status_io(st, namaddr, r->stage, false);
		return;
	case SESSION_FAILURE_PROTOCOL:
		if (*reply != '\0')
			status_set(st, "4.5.0", "host %s sent an invalid reply while %s: %s",
				   namaddr, status_stage_phrase(r->stage), reply);
		else
			status_set(st, "4.5.0", "host %s broke the SMTP protocol while %s", namaddr,
				   status_stage_phrase(r->stage));
		return;
	case SESSION_FAILURE_NO_STARTTLS:
		status_set(st, "4.7.4", "TLS is required, but was not offered by host %s", namaddr);
		return;
	case SESSION_FAILURE_NO_AUTH:
		status_set(st, "4.7.0",
			   "SASL authentication failed; cannot authenticate to server %s: "
			   "no AUTH was offered",
			   namaddr);
		return;
	case SESSION_FAILURE_TOO_BIG:
		status_set(st, "5.3.4", "message size %zu exceeds size limit %lu of server %s",
			   size, size_max, namaddr);
		return;
	case SESSION_FAILURE_NO_SMTPUTF8:
		status_set(st, "5.6.7", "SMTPUTF8 is required, but was not offered by host %s",
			   namaddr);
		return;
	case SESSION_FAILURE_LOCAL:
		if (r->err.cls == ERROR_DATA) {
			status_set(st, "5.1.3", "bad address syntax in the envelope");
			return;
		}
		break;
	default:
		break;
	}
	status_by_class(st, r->err.cls);
}

void status_set_class(struct deliver_status *st, char cls)
{
	if ((st->dsn[0] == '4' || st->dsn[0] == '5') && st->dsn[1] == '.')
		st->dsn[0] = cls;
}
