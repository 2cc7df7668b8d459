/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The recipients of the session engine's transactions: RCPT commands in
 * windows (RFC 2920 §3.1: a client that writes a whole group while the
 * relay's replies pile up unread can deadlock, so a window's replies are
 * read before the next window goes out), the verdict on them, and 452
 * "too many recipients": the relay took what it could, the message goes
 * to those, and the rest follow in a new transaction over the same
 * connection (RFC 5321 §4.5.3.1.10), as Postfix's smtp(8) does. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/str.h"
#include "smtp/command.h"
#include "smtp/session.h"
#include "smtp/session_impl.h"

int session_txn_init(struct session *s)
{
	size_t n = s->env->nrcpts > 0 ? s->env->nrcpts : 1;
	size_t *txn = realloc(s->txn, n * sizeof(*txn));
	size_t *next;

	if (txn == NULL)
		return -1;
	s->txn = txn;
	next = realloc(s->next, n * sizeof(*next));
	if (next == NULL)
		return -1;
	s->next = next;
	for (size_t i = 0; i < s->env->nrcpts; i++)
		s->txn[i] = i;
	s->txn_n = s->env->nrcpts;
	s->next_n = 0;
	session_txn_reset(s);
	return 0;
}

void session_txn_reset(struct session *s)
{
	s->rcpt_answered = 0;
	s->txn_sent = 0;
	s->txn_accepted = 0;
	s->too_many = false;
	s->data_sent = false;
	s->txn_failed = false;
}

int session_rcpt_window(struct session *s)
{
	size_t max = s->pipelined ? SESSION_RCPT_WINDOW : 1;

	for (size_t k = 0; k < max && s->txn_sent < s->txn_n; k++) {
		if (command_rcpt(&s->out, s->env->rcpts[s->txn[s->txn_sent]], s->env, &s->caps) < 0)
			return -1;
		s->txn_sent++;
		s->outstanding++;
	}
	if (s->pipelined && s->txn_sent == s->txn_n) {
		if (buf_append_str(&s->out, "DATA\r\n") < 0)
			return -1;
		s->outstanding++;
		s->data_sent = true;
	}
	return 0;
}

/* Recipient i waits for the next transaction. */
static void defer(struct session *s, size_t i)
{
	s->rcpt[i].deferred = true;
	s->next[s->next_n++] = i;
}

/* Append "<addr> (reply)" for every recipient of this transaction that
 * was answered, not accepted and not deferred. */
static void list_refused(const struct session *s, char *list, size_t size)
{
	size_t o = 0;

	list[0] = '\0';
	for (size_t k = 0; k < s->rcpt_answered && o + 1 < size; k++) {
		size_t i = s->txn[k];
		int n;

		if (s->rcpt[i].code / 100 == 2 || s->rcpt[i].deferred)
			continue;
		n = snprintf(list + o, size - o, "%s<%s> (%s)", o > 0 ? ", " : "", s->env->rcpts[i],
			     s->rcpt[i].reply);
		if (n < 0)
			break;
		o += (size_t)n < size - o ? (size_t)n : size - o - 1;
	}
}

/* A relay that checks the sender only once it has a recipient (Postfix's
 * smtpd_delay_reject, reject_sender_login_mismatch) refuses each RCPT
 * with a reply about the sender: "553 5.7.1 <root@example.net>: Sender
 * address rejected: ...", or an RFC 3463 X.1.7/X.1.8 sender code. */
static bool about_sender(const struct session *s, const struct session_rcpt_result *r)
{
	const char *sender = s->env->sender;
	const char *text = r->reply;
	size_t len = strlen(sender);

	if (strcasestr(text, "sender address") != NULL)
		return true;
	if (strlen(text) > 10 &&
	    (strncmp(text + 5, ".1.7 ", 5) == 0 || strncmp(text + 5, ".1.8 ", 5) == 0))
		return true;
	for (const char *p = text; len > 0 && (p = strchr(p, '<')) != NULL; p++)
		if (strncasecmp(p + 1, sender, len) == 0 && p[1 + len] == '>')
			return true;
	return false;
}

/* Every recipient of this transaction refused for good was refused for
 * the sender. */
static bool sender_verdict(const struct session *s)
{
	bool any = false;

	for (size_t k = 0; k < s->rcpt_answered; k++) {
		const struct session_rcpt_result *r = &s->rcpt[s->txn[k]];

		if (r->code / 100 != 5 || r->deferred)
			continue;
		if (!about_sender(s, r))
			return false;
		any = true;
	}
	return any;
}

bool session_rcpt_verdict(struct session *s)
{
	char list[ERROR_TEXT_MAX];
	int worst = 2;
	size_t first = 0;

	for (size_t k = 0; k < s->rcpt_answered; k++) {
		size_t i = s->txn[k];
		int c = s->rcpt[i].code / 100;

		if (!s->rcpt[i].deferred && c > worst) {
			worst = c;
			first = i;
		}
	}
	if (worst == 2)
		return false;
	list_refused(s, list, sizeof(list));
	/* The reply that decided is quoted, not the last one. */
	if (worst == 5 && sender_verdict(s)) {
		session_mesg_error(s, ERROR_REJECTED, SESSION_QUOTE_NOTHING,
				   _("relay %s refused the envelope sender <%s>: %s"),
				   session_relay(s), s->env->sender, s->rcpt[first].reply);
		s->res.sender_refused = true;
	} else if (worst == 5)
		session_mesg_error(s, ERROR_RECIPIENT, SESSION_QUOTE_NOTHING,
				   _("relay %s refused the message for these recipients: %s"),
				   session_relay(s), list);
	else
		session_site_error(
		    s, ERROR_TEMP, SESSION_QUOTE_NOTHING,
		    _("relay %s temporarily refused the message for these recipients: %s"),
		    session_relay(s), list);
	error_set_reply(&s->res.err, s->rcpt[first].reply, strlen(s->rcpt[first].reply));
	s->res.stage = SESSION_STAGE_RCPT;
	s->res.failure = SESSION_FAILURE_REPLY;
	return true;
}

/* The window is answered and nothing more is due for this transaction:
 * the verdict, then DATA, or QUIT. */
static enum session_event rcpts_done(struct session *s)
{
	while (s->too_many && s->txn_sent < s->txn_n)
		defer(s, s->txn[s->txn_sent++]);
	if (s->txn_failed || session_rcpt_verdict(s))
		return session_quit(s);
	if (s->set->probe) {
		/* Everything a delivery does but the message: RSET's 250 ends
		 * the transaction as the final dot's would. */
		s->stage = SESSION_STAGE_DOT;
		return session_send_line(s, NULL, "RSET", NULL);
	}
	s->stage = SESSION_STAGE_DATA;
	return session_send_line(s, NULL, "DATA", NULL);
}

enum session_event session_send_rcpts(struct session *s)
{
	size_t off = s->out.len;

	s->stage = SESSION_STAGE_RCPT;
	if (session_rcpt_window(s) < 0)
		return session_out_of_memory(s);
	session_trace_lines(s, false, s->out.data + off, s->out.len - off);
	return SESSION_WRITE;
}

enum session_event session_on_rcpt(struct session *s)
{
	size_t i = s->txn[s->rcpt_answered++];
	struct session_rcpt_result *r = &s->rcpt[i];
	int c = reply_class(&s->res.last);

	if (c != 2 && c != 4 && c != 5)
		return session_unexpected(s);
	r->code = s->res.last.code;
	r->deferred = false;
	str_printable(r->reply, sizeof(r->reply), s->lastfmt, strlen(s->lastfmt));
	if (c == 2) {
		s->txn_accepted++;
	} else if (r->code == 452 && !s->txn_failed && (s->txn_accepted > 0 || s->too_many)) {
		/* The relay's recipient limit: the ones it took get the
		 * message now, this one and the rest in a new transaction.
		 * Without any taken, a 452 is an ordinary temporary refusal,
		 * so every transaction makes progress. */
		s->too_many = true;
		defer(s, i);
	}
	if (s->rcpt_answered < s->txn_sent)
		return SESSION_READ;
	if (s->data_sent) {
		s->stage = SESSION_STAGE_DATA;
		return SESSION_READ;
	}
	if (s->txn_sent < s->txn_n && !s->too_many && !s->txn_failed)
		return session_send_rcpts(s);
	return rcpts_done(s);
}

bool session_txn_next(struct session *s)
{
	size_t *spare = s->txn;

	for (size_t k = 0; k < s->txn_n; k++) {
		size_t i = s->txn[k];

		if (s->rcpt[i].code / 100 == 2 && !s->rcpt[i].delivered) {
			s->rcpt[i].delivered = true;
			s->res.ndelivered++;
		}
	}
	if (s->next_n == 0)
		return false;
	s->txn = s->next;
	s->txn_n = s->next_n;
	s->next = spare;
	s->next_n = 0;
	for (size_t k = 0; k < s->txn_n; k++)
		s->rcpt[s->txn[k]].deferred = false;
	session_txn_reset(s);
	return true;
}
