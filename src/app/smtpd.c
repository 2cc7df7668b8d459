/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The -bs dialogue: commands read from stdin with a deadline, replies
 * written to stdout, held back while pipelined commands are waiting and
 * written before any wait for input (RFC 2920 §3.1). Each transaction's
 * DATA goes into the same message intake as the command line's stdin
 * (flat memory, the same rules and limits) and is handed to
 * submit_message; its outcome is the reply to the final dot. The parsing
 * is smtp/server.c's. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "app/smtpd.h"
#include "app/submit.h"
#include "base/buf.h"
#include "base/deadline.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/maillog.h"
#include "base/stop.h"
#include "base/str.h"
#include "mail/address.h"
#include "mail/intake.h"
#include "net/conn.h"
#include "smtp/server.h"

#define SMTPD_TIMEOUT 300   /* seconds per read or write without a context */
#define SMTPD_RCPT_MAX 1000 /* Postfix's smtpd_recipient_limit */
#define SMTPD_ERROR_MAX 20  /* Postfix's smtpd_hard_error_limit */
#define SMTPD_READ_CHUNK 65536
#define SMTPD_IN_MAX (SERVER_LINE_MAX + 2 * SMTPD_READ_CHUNK)
#define SMTPD_LAST_WORDS_MS 2000 /* for the replies after a stop signal */

/* One mail transaction (RFC 5321 §3.3): MAIL, RCPT..., DATA. */
struct txn {
	bool mail;
	char *sender; /* "" for the null sender */
	char **rcpts;
	size_t nrcpts, cap;
	bool smtputf8;
	int body;	 /* BODY=: 0, 7 or 8 (struct server_path) */
	const char *ret; /* "FULL", "HDRS" or NULL */
	char envid[SERVER_ENVID_MAX * 3 + 1];
	char notify[32]; /* the NOTIFY every recipient shares */
};

struct smtpd {
	const struct context *ctx; /* NULL: the configuration could not be used */
	struct conn *conn;
	char host[256];
	unsigned long size_max;
	long timeout;  /* ms per read or write */
	struct buf in; /* input; the bytes before pos are used up */
	size_t pos;
	struct buf out; /* replies not yet written */
	bool quit, over;
	bool stopping; /* a stop signal came: the 421 is queued */
	int errors;
	int status;
	struct txn txn;
	struct reuse_cache *cache; /* the relay connection kept between messages */
	char chunk[SMTPD_READ_CHUNK];
};

static void txn_reset(struct txn *t)
{
	free(t->sender);
	for (size_t i = 0; i < t->nrcpts; i++)
		free(t->rcpts[i]);
	free(t->rcpts);
	memset(t, 0, sizeof(*t));
}

/* ---- output ---- */

static void reply(struct smtpd *s, const char *text)
{
	if (buf_append_str(&s->out, text) < 0 || buf_append_str(&s->out, "\r\n") < 0) {
		log_error(_("out of memory"));
		s->status = EX_SOFTWARE;
		s->over = true;
	}
}

/* A refusal that counts towards the error limit. */
static void refuse(struct smtpd *s, const char *text)
{
	reply(s, text);
	s->errors++;
}

/* End the session with a 421 (RFC 5321 §3.8). */
static void shut(struct smtpd *s, const char *code, const char *why, int status)
{
	char line[SERVER_REPLY_MAX];

	snprintf(line, sizeof(line), "421 %s %s %s", code, s->host, why);
	reply(s, line);
	s->status = status;
	s->over = true;
}

static bool over_limit(struct smtpd *s)
{
	if (s->errors < SMTPD_ERROR_MAX)
		return false;
	log_error(_("the SMTP client made too many errors; ending the session"));
	shut(s, "4.7.0", "Error: too many errors", EX_PROTOCOL);
	return true;
}

/* After a stop signal the replies still go out, within a short bound: a
 * client waiting for them should not have to wait for its own timeout. */
static void last_words(struct smtpd *s)
{
	conn_outlive_stop(s->conn);
	if (s->timeout > SMTPD_LAST_WORDS_MS)
		s->timeout = SMTPD_LAST_WORDS_MS;
}

/* A stop signal (base/stop.h) ends the session with a 421 and "try
 * again later"; true once it has. */
static bool stopped(struct smtpd *s)
{
	int signo = stop_signal();

	if (signo == 0 || s->stopping)
		return signo != 0;
	log_error(_("interrupted by %s; ending the SMTP session"), stop_signal_name(signo));
	shut(s, "4.3.2", "Error: shutting down", EX_TEMPFAIL);
	s->stopping = true;
	last_words(s);
	return true;
}

static int flush(struct smtpd *s)
{
	struct error err = { 0 };

	if (s->out.len == 0)
		return 0;
	if (conn_write(s->conn, s->out.data, s->out.len, deadline_in(s->timeout), &err) < 0) {
		log_error(_("cannot write the SMTP replies to standard output: %s"), err.text);
		/* A stop that cut the write short is still a stop. */
		s->status = stop_signal() != 0 ? EX_TEMPFAIL : EX_IOERR;
		s->over = true;
		buf_reset(&s->out);
		return -1;
	}
	buf_reset(&s->out);
	return 0;
}

/* ---- input ---- */

/* Read more input, writing the held replies first. 1 when some came, 0 at
 * the end of input, -1 when the session is over. */
static int fill(struct smtpd *s)
{
	struct deadline dl = deadline_in(s->timeout);
	struct error err = { 0 };
	ssize_t r;

	if (stopped(s) || flush(s) < 0)
		return -1;
	buf_consume(&s->in, s->pos);
	s->pos = 0;
	r = conn_read(s->conn, s->chunk, sizeof(s->chunk), dl, &err);
	if (r < 0 && stopped(s))
		return -1;
	if (r < 0 && deadline_expired(dl)) {
		log_error(_("the SMTP client sent nothing for %ld seconds; ending the session"),
			  s->timeout / 1000);
		shut(s, "4.4.2", "Error: timeout exceeded", EX_TEMPFAIL);
		return -1;
	}
	if (r < 0) {
		log_error(_("cannot read the SMTP commands from standard input: %s"), err.text);
		s->status = EX_IOERR;
		s->over = true;
		return -1;
	}
	if (r == 0) {
		return 0;
	}
	if (buf_append(&s->in, s->chunk, (size_t)r) < 0) {
		log_error(_("out of memory"));
		s->status = EX_SOFTWARE;
		s->over = true;
		return -1;
	}
	return 1;
}

/* The next command line, without its line end: 1, 0 at the end of input,
 * -1 when the session is over. A line longer than SERVER_LINE_MAX is
 * dropped up to its end and answered here. */
static int next_line(struct smtpd *s, const char **line, size_t *len)
{
	bool skipping = false;

	for (;;) {
		const char *p = s->in.data != NULL ? s->in.data + s->pos : "";
		size_t n = s->in.len - s->pos;
		const char *nl = n > 0 ? memchr(p, '\n', n) : NULL;
		int r;

		if (nl != NULL) {
			*len = (size_t)(nl - p);
			s->pos += *len + 1;
			if (skipping) {
				refuse(s, "500 5.5.2 Error: line too long");
				if (over_limit(s))
					return -1;
				skipping = false;
				continue;
			}
			if (*len > 0 && p[*len - 1] == '\r')
				(*len)--;
			*line = p;
			return 1;
		}
		if (n > SERVER_LINE_MAX + 1) {
			skipping = true;
			s->pos = s->in.len;
		}
		if ((r = fill(s)) <= 0)
			return r;
	}
}

/* ---- MAIL, RCPT ---- */

/* Check an address from MAIL or RCPT and keep its normal form in *out.
 * 0, or -1 with the reply in r. */
static int take_address(const struct server_path *p, bool sender, bool smtputf8, char **out,
			char *r, size_t size)
{
	struct addrlist list = { 0 };
	struct error err = { 0 };
	char *text = str_ndup(p->addr, p->addr_len);
	int rc = -1;

	*out = NULL;
	snprintf(r, size, "%s",
		 sender ? "501 5.1.7 Bad sender address syntax"
			: "501 5.1.3 Bad recipient address syntax");
	if (text == NULL) {
		snprintf(r, size, "451 4.3.0 Error: out of memory");
	} else if (text[0] == '\0' && sender) {
		*out = text;
		return 0;
	} else if (address_is_utf8(text) && !smtputf8) {
		snprintf(r, size, "553 5.6.7 Must declare SMTPUTF8 to send unicode address");
	} else if (address_check_envelope(text, false, &err) == 0 &&
		   address_parse_list(text, strlen(text), &list, &err) == 0 && list.n == 1) {
		*out = str_dup(list.v[0]);
		rc = *out != NULL ? 0 : -1;
	}
	addrlist_fini(&list);
	free(text);
	return rc;
}

static void cmd_mail(struct smtpd *s, const char *arg, size_t len)
{
	struct server_path p;
	char r[SERVER_REPLY_MAX];

	if (s->txn.mail) {
		refuse(s, "503 5.5.1 Error: nested MAIL command");
		return;
	}
	if (server_mail_parse(arg, len, &p, r, sizeof(r)) < 0 ||
	    take_address(&p, true, p.smtputf8, &s->txn.sender, r, sizeof(r)) < 0) {
		refuse(s, r);
		return;
	}
	if (p.has_size && s->size_max > 0 && p.size > s->size_max) {
		txn_reset(&s->txn);
		reply(s, "552 5.3.4 Message size exceeds fixed limit");
		return;
	}
	s->txn.mail = true;
	s->txn.smtputf8 = p.smtputf8;
	s->txn.body = p.body;
	s->txn.ret = p.ret;
	if (p.envid != NULL)
		snprintf(s->txn.envid, sizeof(s->txn.envid), "%.*s", (int)p.envid_len, p.envid);
	reply(s, "250 2.1.0 Ok");
}

static int add_rcpt(struct txn *t, char *addr)
{
	if (t->nrcpts == t->cap) {
		size_t cap = t->cap == 0 ? 8 : t->cap * 2;
		char **v = realloc(t->rcpts, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		t->rcpts = v;
		t->cap = cap;
	}
	t->rcpts[t->nrcpts++] = addr;
	return 0;
}

static void cmd_rcpt(struct smtpd *s, const char *arg, size_t len)
{
	struct server_path p;
	char r[SERVER_REPLY_MAX];
	char *addr;

	if (!s->txn.mail) {
		refuse(s, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (server_rcpt_parse(arg, len, &p, r, sizeof(r)) < 0) {
		refuse(s, r);
		return;
	}
	/* 452: the client sends these recipients again in another
	 * transaction (RFC 5321 §4.5.3.1.10). One NOTIFY per transaction is
	 * all submit_message can pass on. */
	if (s->txn.nrcpts >= SMTPD_RCPT_MAX) {
		reply(s, "452 4.5.3 Error: too many recipients");
		return;
	}
	if (s->txn.nrcpts > 0 && strcmp(p.notify, s->txn.notify) != 0) {
		reply(s, "452 4.5.3 Error: a different NOTIFY needs another transaction");
		return;
	}
	if (take_address(&p, false, s->txn.smtputf8, &addr, r, sizeof(r)) < 0) {
		refuse(s, r);
		return;
	}
	if (add_rcpt(&s->txn, addr) < 0) {
		free(addr);
		reply(s, "452 4.3.0 Error: out of memory");
		return;
	}
	if (s->txn.nrcpts == 1)
		snprintf(s->txn.notify, sizeof(s->txn.notify), "%s", p.notify);
	reply(s, "250 2.1.5 Ok");
}

/* ---- DATA ---- */

/* Read the message text up to its end-of-data line into the intake. Past
 * a failure (too big, the spool) the text is still read to its end, so
 * the reply comes where the client expects it. 0, or -1 when the session
 * is over (end of input, timeout, I/O error). */
static int receive(struct smtpd *s, struct intake *in, struct error *err)
{
	struct server_data dec = { 0 };
	bool failed = false;

	for (;;) {
		int r;

		while (!dec.done && s->pos < s->in.len) {
			size_t keep, used;

			used =
			    server_data_step(&dec, s->in.data + s->pos, s->in.len - s->pos, &keep);
			if (used == 0)
				break;
			if (!failed && keep > 0)
				failed = intake_feed(in, s->in.data + s->pos, keep, err) < 0;
			s->pos += used;
		}
		if (dec.done)
			return 0;
		if ((r = fill(s)) < 0)
			return -1;
		if (r == 0) {
			log_error(_("the SMTP client's input ended inside DATA; that message was "
				    "not relayed"));
			s->status = EX_TEMPFAIL;
			s->over = true;
			return -1;
		}
	}
}

static bool plain_ascii(const char *t)
{
	for (; *t != '\0'; t++)
		if ((unsigned char)*t < 0x20 || (unsigned char)*t >= 0x7f)
			return false;
	return true;
}

/* A verdict of header_checks, before any relay: its reason ("5.7.1
 * text") in the reply, 550 or 451 by its class, as Postfix's smtpd
 * answers for its cleanup. */
static void content_verdict(const struct submit_result *res, char *out, size_t size,
			    const char *note)
{
	bool perm = res->err.reply[0] == '5';

	server_reply_relay(out, size, perm ? 550 : 451, perm ? "5.7.1" : "4.7.1", "",
			   res->err.reply, note);
}

/* The reply to the final dot from submit_message's outcome. Only a
 * verdict on the message is a 5xx; anything else (network, relay
 * trouble, configuration) is 451 so the client tries again. */
static void verdict(int rc, const struct submit_result *res, char *out, size_t size)
{
	const char *note = res->saved ? " (message kept in the dead letter file)" : "";
	const char *enh = "4.3.0", *text = "Error: relaying failed, try again later";
	char prefix[sizeof(res->relay) + 32];
	int code = 451;

	if (rc == 0) {
		server_reply_relay(out, size, 250, "2.0.0", "",
				   res->reply[0] != '\0' ? res->reply : "Ok: relayed", "");
		return;
	}
	if (res->err.cls == ERROR_RECIPIENT || res->err.cls == ERROR_REJECTED ||
	    res->err.cls == ERROR_DATA || res->err.cls == ERROR_USAGE) {
		code = res->err.cls == ERROR_RECIPIENT ? 550 : 554;
		enh = res->err.cls == ERROR_RECIPIENT ? "5.1.0" : "5.6.0";
		text = "Error: the message was refused";
	}
	if (res->checks) {
		content_verdict(res, out, size, note);
		return;
	}
	if (res->err.reply[0] != '\0') {
		snprintf(prefix, sizeof(prefix), "relay %s said: ", res->relay);
		server_reply_relay(out, size, code, enh, prefix, res->err.reply, note);
	} else {
		server_reply_relay(out, size, code, enh,
				   plain_ascii(res->err.text) ? res->err.text : text, NULL, note);
	}
}

/* Relay the message m with the transaction's envelope. */
static void relay(struct smtpd *s, struct message *m)
{
	struct submission sub = { 0 };
	struct submit_result res;
	char r[SERVER_REPLY_MAX];
	int rc;

	/* The replies held back go out before a relay session that may take
	 * a while; a client that is gone by now gets no message relayed.
	 * After a stop signal they wait for the 421, and the message takes
	 * the failure path (kept, 451) as a stopped delivery. */
	if (stop_signal() == 0 && flush(s) < 0)
		return;
	sub.sender = s->txn.sender;
	sub.rcpts = (const char *const *)s->txn.rcpts;
	sub.nrcpts = s->txn.nrcpts;
	sub.notify = s->txn.notify[0] != '\0' ? s->txn.notify : NULL;
	sub.ret = s->txn.ret;
	sub.envid = s->txn.envid[0] != '\0' ? s->txn.envid : NULL;
	/* What the client declared goes on to the relay (postfix.md §7). */
	sub.body_7bit = s->txn.body == 7;
	sub.body_8bit = s->txn.body == 8;
	sub.smtputf8_declared = s->txn.smtputf8;
	rc = submit_message_cached(s->ctx, &sub, m, s->cache, &res);
	verdict(rc, &res, r, sizeof(r));
	reply(s, r);
}

/* The text of DATA through the message intake, as stdin goes for the
 * command line; then the relay's verdict. */
static void cmd_data(struct smtpd *s)
{
	struct message_opts mo = s->ctx->intake;
	int64_t arrival = deadline_now_ms();
	struct error err = { 0 };
	struct message *m = NULL;
	struct intake *in;

	if (!s->txn.mail) {
		refuse(s, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (s->txn.nrcpts == 0) {
		refuse(s, "554 5.5.1 Error: no valid recipients");
		return;
	}
	/* The end of DATA is the SMTP dot, never a lone dot in the text. */
	mo.dot_ends = false;
	mo.fix_eol = MESSAGE_EOL_ALWAYS; /* SMTP's line ends: the setting is for stdin */
	in = intake_new(&mo, &err);
	reply(s, in != NULL ? "354 End data with <CR><LF>.<CR><LF>"
			    : "451 4.3.0 Error: out of memory, try again later");
	if (in != NULL && receive(s, in, &err) == 0) {
		m = intake_finish(in, &err);
		in = NULL;
		if (m != NULL) {
			message_set_arrival(m, arrival);
			relay(s, m);
		} else if (err.cls == ERROR_DATA) {
			reply(s, "552 5.3.4 Error: message file too big");
		} else {
			log_error(_("the message could not be stored: %s"), err.text);
			reply(s, "451 4.3.0 Error: cannot store the message, try again later");
		}
	}
	message_free(m);
	intake_free(in);
	txn_reset(&s->txn);
}

/* ---- the session ---- */

static void hello(struct smtpd *s, bool esmtp)
{
	char line[SERVER_REPLY_MAX];

	txn_reset(&s->txn);
	if (!esmtp) {
		snprintf(line, sizeof(line), "250 %s", s->host);
		reply(s, line);
	} else if (server_ehlo_reply(&s->out, s->host, s->size_max) < 0) {
		reply(s, "451 4.3.0 Error: out of memory");
	}
}

static void command(struct smtpd *s, const char *line, size_t len)
{
	struct server_command c;
	char r[SERVER_REPLY_MAX];

	if (server_command_parse(line, len, &c, r, sizeof(r)) < 0) {
		refuse(s, r);
		return;
	}
	switch (c.verb) {
	case SERVER_HELO:
	case SERVER_EHLO:
		hello(s, c.verb == SERVER_EHLO);
		break;
	case SERVER_MAIL:
		cmd_mail(s, c.arg, c.arg_len);
		break;
	case SERVER_RCPT:
		cmd_rcpt(s, c.arg, c.arg_len);
		break;
	case SERVER_DATA:
		cmd_data(s);
		break;
	case SERVER_RSET:
		txn_reset(&s->txn);
		reply(s, "250 2.0.0 Ok");
		break;
	case SERVER_NOOP:
		reply(s, "250 2.0.0 Ok");
		break;
	case SERVER_QUIT:
		reply(s, "221 2.0.0 Bye");
		s->quit = true;
		break;
	case SERVER_VRFY:
		reply(s, "252 2.0.0 Cannot VRFY; send the message and the relay will decide");
		break;
	case SERVER_HELP:
		reply(s, "214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP");
		break;
	}
}

/* The name in the greeting and the limits, from the context. */
static void setup(struct smtpd *s)
{
	const char *h = s->ctx->envelope.myhostname;

	str_printable(s->host, sizeof(s->host), h, strcspn(h, " \t"));
	if (s->host[0] == '\0')
		snprintf(s->host, sizeof(s->host), "localhost");
	s->size_max = s->ctx->intake.size_max;
	s->timeout = s->ctx->smtpd_timeout;
}

static void session(struct smtpd *s)
{
	char line[SERVER_REPLY_MAX];

	snprintf(line, sizeof(line), "220 %s ESMTP relaymail", s->host);
	reply(s, line);
	while (!s->quit && !s->over) {
		const char *cmd;
		size_t len;

		/* Commands already read are not served after a stop either. */
		if (stopped(s) || next_line(s, &cmd, &len) <= 0)
			break;
		command(s, cmd, len);
		if (!s->quit)
			over_limit(s);
	}
}

/* The state for a session on stdin and stdout; NULL when out of memory. */
static struct smtpd *smtpd_new(const struct context *ctx)
{
	struct smtpd *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->conn = conn_from_fds(STDIN_FILENO, STDOUT_FILENO)) == NULL) {
		free(s);
		log_error(_("out of memory"));
		return NULL;
	}
	s->ctx = ctx;
	s->timeout = SMTPD_TIMEOUT * 1000;
	snprintf(s->host, sizeof(s->host), "localhost");
	buf_init(&s->in, SMTPD_IN_MAX);
	buf_init(&s->out, 0);
	return s;
}

static int smtpd_end(struct smtpd *s)
{
	int status;

	/* A stop after QUIT was read: the 221 is due all the same. */
	if (stop_signal() != 0)
		last_words(s);
	flush(s);
	/* The client has its last reply; the relay gets its QUIT now. */
	reuse_cache_free(s->cache);
	status = s->status;
	txn_reset(&s->txn);
	buf_fini(&s->in);
	buf_fini(&s->out);
	conn_free(s->conn);
	free(s);
	return status;
}

int smtpd_run(const struct context *ctx)
{
	struct smtpd *s = smtpd_new(ctx);

	/* The dialogue owns stdout: a mail log there would corrupt it. */
	maillog_stdout_busy();
	if (s == NULL)
		return EX_SOFTWARE;
	setup(s);
	/* Without a cache (no memory) each message has its own connection. */
	s->cache = reuse_cache_new(&ctx->deliver.reuse);
	session(s);
	return smtpd_end(s);
}

int smtpd_refuse(void)
{
	struct smtpd *s = smtpd_new(NULL);

	if (s == NULL)
		return EX_CONFIG;
	shut(s, "4.3.5", "Error: server configuration error", EX_CONFIG);
	return smtpd_end(s);
}
