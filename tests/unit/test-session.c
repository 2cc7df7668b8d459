/* SPDX-License-Identifier: GPL-3.0-or-later */
/* smtp/session: the engine driven by scripted relay replies. A fake
 * caller feeds each reply when asked, answers STARTTLS, AUTH and BODY
 * events, and records every byte written, so each test compares the exact
 * transcript and the result. */
#include <config.h>

#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "smtp/session.h"
#include "tap.h"

#define RELAY "mx.example[192.0.2.1]:587"
#define MAX_WRITES 64

struct fake {
	/* Script: replies fed in order, one chunk each; NULL means EOF. */
	const char *const *replies;
	size_t nreplies;
	bool bytewise;                /* feed every reply one byte at a time */
	const char *mech, *ir;        /* for SESSION_AUTH; mech NULL: abort */
	const char *const *responses; /* for SESSION_AUTH_CHALLENGE */
	const char *const *body;      /* chunks, NULL-terminated */
	bool tls_fails;
	bool stop_at_body;            /* return SESSION_BODY to the test */
	/* Record. */
	size_t next_reply, next_resp, next_body;
	bool body_ended;
	struct buf sent, trace, challenges;
	size_t writes[MAX_WRITES], nwrites;
	int starttls;
};

static void trace_fn(void *arg, bool from_relay, const char *line, size_t len)
{
	struct fake *f = arg;

	buf_append_str(&f->trace, from_relay ? "S: " : "C: ");
	buf_append(&f->trace, line, len);
	buf_append_char(&f->trace, '\n');
}

static struct session_settings settings(struct fake *f)
{
	struct session_settings st = {
		.helo_name = "client.example",
		.relay_name = RELAY,
		.tls = SESSION_TLS_NONE,
		.use_pipelining = true,
		.trace = trace_fn,
		.trace_arg = f,
	};
	return st;
}

static const char *const rcpts2[] = { "bob@example.net", "carol@example.net" };
static const char *const body1[] = { "Subject: hi\r\n\r\nhello\r\n", NULL };

static struct session_envelope envelope(void)
{
	struct session_envelope env = {
		.sender = "alice@example.org",
		.rcpts = rcpts2,
		.nrcpts = 2,
	};
	return env;
}

static enum session_event on_write(struct fake *f, struct session *s)
{
	const char *p;
	size_t n;

	session_output(s, &p, &n);
	buf_append(&f->sent, p, n);
	if (f->nwrites < MAX_WRITES)
		f->writes[f->nwrites] = n;
	f->nwrites++;
	return session_written(s);
}

static enum session_event on_read(struct fake *f, struct session *s)
{
	const char *r = f->replies[f->next_reply++];
	enum session_event ev = SESSION_READ;

	if (r == NULL)
		return session_input(s, "", 0);
	if (!f->bytewise)
		return session_input(s, r, strlen(r));
	for (size_t i = 0; r[i] != '\0' && ev == SESSION_READ; i++)
		ev = session_input(s, r + i, 1);
	return ev;
}

static enum session_event on_starttls(struct fake *f, struct session *s)
{
	struct error err = { 0 };

	f->starttls++;
	if (f->tls_fails) {
		error_set(&err, ERROR_TEMP, "TLS handshake failed");
		return session_abort(s, &err, true);
	}
	buf_append_str(&f->sent, "<TLS>");
	return session_tls_started(s);
}

static enum session_event on_auth(struct fake *f, struct session *s)
{
	struct error err = { 0 };

	if (f->mech != NULL)
		return session_auth(s, f->mech, f->ir);
	error_set(&err, ERROR_CONFIG, "no acceptable mechanism");
	return session_abort(s, &err, false);
}

static enum session_event on_body(struct fake *f, struct session *s)
{
	const char *chunk = f->body != NULL ? f->body[f->next_body] : NULL;

	if (chunk != NULL) {
		f->next_body++;
		return session_body(s, chunk, strlen(chunk));
	}
	if (f->body_ended) {
		ok(0, "BODY asked for again after the end");
		return SESSION_FAILED;
	}
	f->body_ended = true;
	return session_body_end(s);
}

/* Run the session until it is done, failed, or waits for a reply the
 * script does not have (then SESSION_READ). */
static enum session_event run(struct fake *f, struct session *s)
{
	enum session_event ev = session_start(s);

	for (int guard = 0; guard < 100000; guard++) {
		switch (ev) {
		case SESSION_WRITE:
			ev = on_write(f, s);
			break;
		case SESSION_READ:
			if (f->next_reply >= f->nreplies)
				return ev;
			ev = on_read(f, s);
			break;
		case SESSION_STARTTLS:
			ev = on_starttls(f, s);
			break;
		case SESSION_AUTH:
			ev = on_auth(f, s);
			break;
		case SESSION_AUTH_CHALLENGE:
			buf_append_str(&f->challenges, session_challenge(s));
			buf_append_char(&f->challenges, '|');
			ev = session_auth_response(s, f->responses[f->next_resp++]);
			break;
		case SESSION_BODY:
			if (f->stop_at_body)
				return ev;
			ev = on_body(f, s);
			break;
		case SESSION_DONE:
		case SESSION_FAILED:
			return ev;
		}
	}
	return SESSION_READ;
}

static void fake_fini(struct fake *f)
{
	buf_fini(&f->sent);
	buf_fini(&f->trace);
	buf_fini(&f->challenges);
}

#define SCRIPT(f, ...)                                                                     \
	do {                                                                               \
		static const char *const script_[] = { __VA_ARGS__ };                      \
		(f)->replies = script_;                                                    \
		(f)->nreplies = sizeof(script_) / sizeof(script_[0]);                      \
	} while (0)

/* One whole session with the given settings/envelope; returns the event. */
static enum session_event session_run(struct fake *f, const struct session_settings *st,
				      const struct session_envelope *env, struct session **out)
{
	struct session *s = session_new(st, env);
	enum session_event ev = run(f, s);

	*out = s;
	return ev;
}

#define EHLO_BASIC "250-mx.example\r\n250-SIZE 1000000\r\n250 8BITMIME\r\n"
#define EHLO_PIPE "250-mx.example\r\n250-PIPELINING\r\n250 SIZE\r\n"

static void test_plain(void)
{
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	const struct session_result *res;
	struct session *s;

	f.body = body1;
	env.size = 25;
	SCRIPT(&f, "220 mx.example ESMTP\r\n", EHLO_BASIC, "250 2.1.0 Ok\r\n", "250 2.1.5 Ok\r\n",
	       "250 2.1.5 Ok\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n",
	       "250 2.0.0 Ok: queued as 4ABC\r\n", "221 2.0.0 Bye\r\n");
	is_int(session_run(&f, &st, &env, &s), SESSION_DONE, "plain: done");
	is_str(f.sent.data,
	       "EHLO client.example\r\n"
	       "MAIL FROM:<alice@example.org> SIZE=25\r\n"
	       "RCPT TO:<bob@example.net>\r\n"
	       "RCPT TO:<carol@example.net>\r\n"
	       "DATA\r\n"
	       "Subject: hi\r\n\r\nhello\r\n.\r\n"
	       "QUIT\r\n",
	       "plain: exact transcript");
	is_int((long long)f.nwrites, 7, "plain: one write per command and one for the body");
	res = session_result(s);
	ok(res->ok, "plain: ok");
	ok(!res->next_relay && !res->maybe_delivered, "plain: no next relay");
	is_int(res->err.cls, ERROR_NONE, "plain: no error");
	is_int(res->stage, SESSION_STAGE_DOT, "plain: ended at the final dot");
	is_int(res->last.code, 250, "plain: last reply is the final one, not QUIT's");
	is_str(res->last.text, "2.0.0 Ok: queued as 4ABC", "plain: last reply text");
	is_int(res->rcpt[0].code, 250, "plain: first recipient code");
	is_str(res->rcpt[1].reply, "250 2.1.5 Ok", "plain: second recipient reply");
	ok(!res->tls && !res->authenticated, "plain: no TLS, no AUTH");
	is_int(session_stage(s), SESSION_STAGE_END, "plain: stage END");
	is_str(f.trace.data,
	       "S: 220 mx.example ESMTP\nC: EHLO client.example\n"
	       "S: 250-mx.example\nS: 250-SIZE 1000000\nS: 250 8BITMIME\n"
	       "C: MAIL FROM:<alice@example.org> SIZE=25\nS: 250 2.1.0 Ok\n"
	       "C: RCPT TO:<bob@example.net>\nS: 250 2.1.5 Ok\n"
	       "C: RCPT TO:<carol@example.net>\nS: 250 2.1.5 Ok\n"
	       "C: DATA\nS: 354 End data with <CR><LF>.<CR><LF>\n"
	       "C: <body: 22 bytes>\nC: .\nS: 250 2.0.0 Ok: queued as 4ABC\n"
	       "C: QUIT\nS: 221 2.0.0 Bye\n",
	       "plain: exact trace, body summarised");
	session_free(s);
	fake_fini(&f);
}

static void test_pipelining(bool bytewise)
{
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	const char *group = "MAIL FROM:<alice@example.org>\r\n"
			    "RCPT TO:<bob@example.net>\r\n"
			    "RCPT TO:<carol@example.net>\r\n"
			    "DATA\r\n";
	struct session *s;

	f.body = body1;
	f.bytewise = bytewise;
	SCRIPT(&f, "220 mx.example ESMTP\r\n", EHLO_PIPE,
	       "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n",
	       "250 2.0.0 Ok: queued\r\n", "221 Bye\r\n");
	is_int(session_run(&f, &st, &env, &s), SESSION_DONE, "pipelining%s: done",
	       bytewise ? " bytewise" : "");
	is_int((long long)f.nwrites, 4, "pipelining: EHLO, group, body, QUIT");
	ok(f.nwrites >= 2 && f.writes[1] == strlen(group) &&
		   memcmp(f.sent.data + f.writes[0], group, strlen(group)) == 0,
	   "pipelining: MAIL, both RCPTs and DATA in one write, exact bytes");
	is_str(f.sent.data + f.writes[0] + f.writes[1],
	       "Subject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n", "pipelining: body and QUIT");
	ok(session_result(s)->ok, "pipelining: ok");
	session_free(s);
	fake_fini(&f);
}

static void test_no_pipelining_when_disabled(void)
{
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	struct session *s;

	st.use_pipelining = false;
	env.nrcpts = 1;
	f.body = body1;
	SCRIPT(&f, "220 mx\r\n", EHLO_PIPE, "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 ok\r\n",
	       "221 bye\r\n");
	is_int(session_run(&f, &st, &env, &s), SESSION_DONE, "use_pipelining=false: done");
	is_int((long long)f.nwrites, 6, "use_pipelining=false: one command per write");
	session_free(s);
	fake_fini(&f);
}

static void test_starttls(void)
{
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	struct session *s;

	env.nrcpts = 1;
	st.tls = SESSION_TLS_REQUIRE;
	f.body = body1;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n", "220 2.0.0 Ready\r\n",
	       "250-mx\r\n250 PIPELINING\r\n", "250 ok\r\n250 ok\r\n354 go\r\n", "250 ok\r\n",
	       "221 bye\r\n");
	is_int(session_run(&f, &st, &env, &s), SESSION_DONE, "starttls required+offered: done");
	is_str(f.sent.data,
	       "EHLO client.example\r\nSTARTTLS\r\n<TLS>EHLO client.example\r\n"
	       "MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.net>\r\nDATA\r\n"
	       "Subject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n",
	       "starttls: EHLO again after the handshake");
	ok(!session_caps(s)->auth && !session_caps(s)->starttls,
	   "starttls: capabilities from before TLS forgotten");
	ok(session_caps(s)->pipelining, "starttls: new capabilities learned");
	ok(session_result(s)->tls, "starttls: result says TLS");
	session_free(s);
	fake_fini(&f);
}

static void test_starttls_not_offered(void)
{
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	const struct session_result *res;
	struct session *s;

	st.tls = SESSION_TLS_REQUIRE;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250 PIPELINING\r\n", "221 bye\r\n");
	is_int(session_run(&f, &st, &env, &s), SESSION_FAILED, "starttls not offered: failed");
	res = session_result(s);
	is_str(f.sent.data, "EHLO client.example\r\nQUIT\r\n", "starttls not offered: QUIT");
	is_int(res->err.cls, ERROR_TEMP, "starttls not offered: temp");
	ok(res->next_relay, "starttls not offered: next relay");
	is_str(res->err.text, "TLS is required, but was not offered by relay " RELAY,
	       "starttls not offered: text");
	is_int(res->stage, SESSION_STAGE_EHLO, "starttls not offered: stage EHLO");
	session_free(s);
	fake_fini(&f);

	/* At "may", the same relay is used in plaintext. */
	struct fake g = { 0 };
	st = settings(&g);
	st.tls = SESSION_TLS_MAY;
	env.nrcpts = 1;
	g.body = body1;
	SCRIPT(&g, "220 mx\r\n", "250 mx\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n",
	       "250 ok\r\n", "221 bye\r\n");
	is_int(session_run(&g, &st, &env, &s), SESSION_DONE, "may, not offered: plaintext");
	ok(!session_result(s)->tls, "may, not offered: no TLS");
	session_free(s);
	fake_fini(&g);
}

static void test_starttls_refused(void)
{
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	const struct session_result *res;
	struct session *s;

	st.tls = SESSION_TLS_REQUIRE;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n", "454 4.7.0 TLS not available\r\n",
	       "221 bye\r\n");
	is_int(session_run(&f, &st, &env, &s), SESSION_FAILED, "starttls refused: failed");
	res = session_result(s);
	is_str(f.sent.data, "EHLO client.example\r\nSTARTTLS\r\nQUIT\r\n",
	       "starttls refused: QUIT");
	ok(res->err.cls == ERROR_TEMP && res->next_relay, "starttls refused: temp, next relay");
	is_str(res->err.text,
	       "relay " RELAY " refused to start TLS: 454 4.7.0 TLS not available",
	       "starttls refused: text");
	is_str(res->err.reply, "454 4.7.0 TLS not available", "starttls refused: reply kept");
	session_free(s);
	fake_fini(&f);

	struct fake g = { 0 };
	st = settings(&g);
	st.tls = SESSION_TLS_MAY;
	env.nrcpts = 1;
	g.body = body1;
	SCRIPT(&g, "220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n", "454 4.7.0 no\r\n", "250 ok\r\n",
	       "250 ok\r\n", "354 go\r\n", "250 ok\r\n", "221 bye\r\n");
	is_int(session_run(&g, &st, &env, &s), SESSION_DONE, "may, refused: plaintext");
	is_str(g.sent.data,
	       "EHLO client.example\r\nSTARTTLS\r\nMAIL FROM:<alice@example.org>\r\n"
	       "RCPT TO:<bob@example.net>\r\nDATA\r\nSubject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n",
	       "may, refused: transcript");
	session_free(s);
	fake_fini(&g);
}

static void test_starttls_modes(void)
{
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	struct session *s;

	env.nrcpts = 1;
	st.tls = SESSION_TLS_NONE;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n");
	is_int(session_run(&f, &st, &env, &s), SESSION_READ, "none: waits for MAIL reply");
	is_str(f.sent.data, "EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\n",
	       "none: never STARTTLS");
	session_free(s);
	fake_fini(&f);

	struct fake g = { 0 };
	st = settings(&g);
	st.tls = SESSION_TLS_IMPLICIT;
	SCRIPT(&g, "220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n");
	is_int(session_run(&g, &st, &env, &s), SESSION_READ, "implicit: waits for MAIL reply");
	is_str(g.sent.data, "EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\n",
	       "implicit: never STARTTLS");
	ok(session_result(s)->tls, "implicit: TLS active");
	session_free(s);
	fake_fini(&g);
}

static void test_starttls_injection(void)
{
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	const struct session_result *res;
	struct session *s;

	st.tls = SESSION_TLS_MAY;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n",
	       "220 2.0.0 Ready\r\n250-evil\r\n250 AUTH PLAIN\r\n");
	is_int(session_run(&f, &st, &env, &s), SESSION_FAILED, "injection: failed");
	res = session_result(s);
	is_int(f.starttls, 0, "injection: no handshake attempted");
	is_str(f.sent.data, "EHLO client.example\r\nSTARTTLS\r\n", "injection: nothing more sent");
	ok(res->err.cls == ERROR_PROTOCOL && res->next_relay, "injection: protocol, next relay");
	is_str(res->err.text,
	       "relay " RELAY " sent data after its reply to STARTTLS (possible STARTTLS "
	       "injection)",
	       "injection: text");
	session_free(s);
	fake_fini(&f);
}

static void test_tls_handshake_fails(void)
{
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	const struct session_result *res;
	struct session *s;

	st.tls = SESSION_TLS_REQUIRE;
	f.tls_fails = true;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n", "220 go\r\n");
	is_int(session_run(&f, &st, &env, &s), SESSION_FAILED, "handshake failure: failed");
	res = session_result(s);
	is_str(f.sent.data, "EHLO client.example\r\nSTARTTLS\r\n", "handshake failure: no QUIT");
	ok(res->err.cls == ERROR_TEMP && res->next_relay, "handshake failure: caller's class kept");
	is_str(res->err.text, "TLS handshake failed", "handshake failure: caller's text");
	is_int(res->stage, SESSION_STAGE_STARTTLS, "handshake failure: stage");
	session_free(s);
	fake_fini(&f);
}

static void test_helo_fallback(void)
{
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	struct session *s;

	env.nrcpts = 1;
	env.size = 10;
	env.eightbit = true;
	f.body = body1;
	SCRIPT(&f, "220 old.example SMTP\r\n", "502 5.5.2 EHLO not understood\r\n",
	       "250 old.example\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 ok\r\n",
	       "221 bye\r\n");
	is_int(session_run(&f, &st, &env, &s), SESSION_DONE, "HELO fallback: done");
	is_str(f.sent.data,
	       "EHLO client.example\r\nHELO client.example\r\n"
	       "MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.net>\r\nDATA\r\n"
	       "Subject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n",
	       "HELO fallback: no ESMTP parameters");
	ok(!session_caps(s)->esmtp, "HELO fallback: no extensions");
	session_free(s);
	fake_fini(&f);

	struct fake g = { 0 };
	st = settings(&g);
	SCRIPT(&g, "220 mx\r\n", "502 no\r\n", "550 5.7.1 go away\r\n", "221 bye\r\n");
	is_int(session_run(&g, &st, &env, &s), SESSION_FAILED, "HELO refused: failed");
	ok(session_result(s)->next_relay && session_result(s)->err.cls == ERROR_TEMP,
	   "HELO refused: temp, next relay");
	is_str(session_result(s)->err.text,
	       "relay " RELAY " refused to talk to me: 550 5.7.1 go away", "HELO refused: text");
	session_free(s);
	fake_fini(&g);

	struct fake h = { 0 };
	st = settings(&h);
	SCRIPT(&h, "220 mx\r\n", "421 4.3.2 shutting down\r\n", "221 bye\r\n");
	is_int(session_run(&h, &st, &env, &s), SESSION_FAILED, "EHLO 421: failed");
	is_str(h.sent.data, "EHLO client.example\r\nQUIT\r\n", "EHLO 421: no HELO");
	ok(session_result(s)->next_relay, "EHLO 421: next relay");
	session_free(s);
	fake_fini(&h);
}

#define SECRET_PLAIN "AGFsaWNlAHMzY3IzdA=="

static void test_auth_plain(void)
{
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	struct session *s;

	env.nrcpts = 1;
	st.auth_wanted = true;
	f.mech = "PLAIN";
	f.ir = SECRET_PLAIN;
	f.body = body1;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250 AUTH LOGIN PLAIN\r\n", "235 2.7.0 ok\r\n",
	       "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 ok\r\n", "221 bye\r\n");
	is_int(session_run(&f, &st, &env, &s), SESSION_DONE, "AUTH PLAIN: done");
	ok(strstr(f.sent.data, "EHLO client.example\r\nAUTH PLAIN " SECRET_PLAIN
				"\r\nMAIL FROM:<alice@example.org>\r\n") == f.sent.data,
	   "AUTH PLAIN: initial response on the AUTH line");
	ok(session_result(s)->authenticated, "AUTH PLAIN: authenticated");
	ok(strstr(f.trace.data, "C: AUTH PLAIN <secret>\n") != NULL, "AUTH PLAIN: trace masked");
	ok(strstr(f.trace.data, SECRET_PLAIN) == NULL, "AUTH PLAIN: secret never traced");
	session_free(s);
	fake_fini(&f);
}

static void test_auth_long_and_empty_ir(void)
{
	static char big[600];
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	struct session *s;

	memset(big, 'Q', sizeof(big) - 1);
	st.auth_wanted = true;
	f.mech = "XOAUTH2";
	f.ir = big;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250 AUTH XOAUTH2\r\n", "334 \r\n", "235 ok\r\n");
	is_int(session_run(&f, &st, &env, &s), SESSION_READ, "long IR: reaches MAIL");
	ok(strncmp(f.sent.data, "EHLO client.example\r\nAUTH XOAUTH2\r\nQQQ", 38) == 0,
	   "long IR: AUTH without it, then the response after 334");
	is_int((long long)f.writes[2], (long long)sizeof(big) + 1, "long IR: response line");
	is_int((long long)f.challenges.len, 0, "long IR: the empty 334 is not the caller's");
	ok(strstr(f.trace.data, "QQQQ") == NULL, "long IR: never traced");
	ok(strstr(f.trace.data, "C: AUTH XOAUTH2\nS: 334 \nC: <secret>\n") != NULL,
	   "long IR: trace");
	session_free(s);
	fake_fini(&f);

	struct fake g = { 0 };
	st = settings(&g);
	st.auth_wanted = true;
	g.mech = "EXTERNAL";
	g.ir = "";
	SCRIPT(&g, "220 mx\r\n", "250-mx\r\n250 AUTH EXTERNAL\r\n");
	session_run(&g, &st, &env, &s);
	is_str(g.sent.data, "EHLO client.example\r\nAUTH EXTERNAL =\r\n",
	       "empty initial response sent as =");
	session_free(s);
	fake_fini(&g);
}

static void test_auth_login(void)
{
	static const char *const responses[] = { "Ym9i", "czNjcjN0LXB3" };
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	struct session *s;

	env.nrcpts = 1;
	st.auth_wanted = true;
	f.mech = "LOGIN";
	f.responses = responses;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250 AUTH=LOGIN\r\n", "334 VXNlcm5hbWU6\r\n",
	       "334 UGFzc3dvcmQ6\r\n", "235 2.7.0 Authentication successful\r\n");
	is_int(session_run(&f, &st, &env, &s), SESSION_READ, "AUTH LOGIN: reaches MAIL");
	is_str(f.sent.data,
	       "EHLO client.example\r\nAUTH LOGIN\r\nYm9i\r\nczNjcjN0LXB3\r\n"
	       "MAIL FROM:<alice@example.org>\r\n",
	       "AUTH LOGIN: transcript");
	is_str(f.challenges.data, "VXNlcm5hbWU6|UGFzc3dvcmQ6|", "AUTH LOGIN: both challenges");
	ok(session_result(s)->authenticated, "AUTH LOGIN: authenticated");
	ok(strstr(f.trace.data, "Ym9i") == NULL && strstr(f.trace.data, "czNjcjN0LXB3") == NULL,
	   "AUTH LOGIN: responses never traced");
	ok(strstr(f.trace.data, "C: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: <secret>\n"
				"S: 334 UGFzc3dvcmQ6\nC: <secret>\n") != NULL,
	   "AUTH LOGIN: trace");
	session_free(s);
	fake_fini(&f);
}

static void test_auth_failures(void)
{
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	const struct session_result *res;
	struct session *s;

	st.auth_wanted = true;
	f.mech = "PLAIN";
	f.ir = SECRET_PLAIN;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250 AUTH PLAIN\r\n",
	       "535 5.7.8 Authentication credentials invalid\r\n", "221 bye\r\n");
	is_int(session_run(&f, &st, &env, &s), SESSION_FAILED, "AUTH 535: failed");
	res = session_result(s);
	ok(res->err.cls == ERROR_AUTH && res->next_relay, "AUTH 535: auth error, next relay");
	is_str(res->err.text,
	       "authentication to relay " RELAY
	       " failed: 535 5.7.8 Authentication credentials invalid",
	       "AUTH 535: text");
	is_str(res->err.reply, "535 5.7.8 Authentication credentials invalid", "AUTH 535: reply");
	ok(!res->authenticated, "AUTH 535: not authenticated");
	ok(strstr(f.sent.data, "\r\nQUIT\r\n") != NULL, "AUTH 535: QUIT");
	session_free(s);
	fake_fini(&f);

	struct fake g = { 0 };
	st = settings(&g);
	st.auth_wanted = true;
	g.mech = "PLAIN";
	SCRIPT(&g, "220 mx\r\n", "250-mx\r\n250 PIPELINING\r\n", "221 bye\r\n");
	is_int(session_run(&g, &st, &env, &s), SESSION_FAILED, "AUTH not offered: failed");
	res = session_result(s);
	ok(res->err.cls == ERROR_TEMP && res->next_relay, "AUTH not offered: temp, next relay");
	is_str(res->err.text, "relay " RELAY " did not offer authentication (AUTH)",
	       "AUTH not offered: text");
	is_str(g.sent.data, "EHLO client.example\r\nQUIT\r\n", "AUTH not offered: QUIT");
	session_free(s);
	fake_fini(&g);

	struct fake h = { 0 };
	st = settings(&h);
	st.auth_wanted = false;
	SCRIPT(&h, "220 mx\r\n", "250-mx\r\n250 AUTH PLAIN\r\n");
	session_run(&h, &st, &env, &s);
	is_str(h.sent.data, "EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\n",
	       "no credentials: no AUTH");
	session_free(s);
	fake_fini(&h);

	/* The caller finds no mechanism: a configuration error, QUIT sent. */
	struct fake k = { 0 };
	st = settings(&k);
	st.auth_wanted = true;
	SCRIPT(&k, "220 mx\r\n", "250-mx\r\n250 AUTH GSSAPI\r\n", "221 bye\r\n");
	is_int(session_run(&k, &st, &env, &s), SESSION_FAILED, "abort at AUTH: failed");
	res = session_result(s);
	ok(res->err.cls == ERROR_CONFIG && !res->next_relay, "abort: config error, no next relay");
	is_str(k.sent.data, "EHLO client.example\r\nQUIT\r\n", "abort at AUTH: QUIT");
	session_free(s);
	fake_fini(&k);
}

static void test_size_and_utf8(void)
{
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	const struct session_result *res;
	struct session *s;

	env.size = 2000000;
	SCRIPT(&f, "220 mx\r\n", EHLO_BASIC, "221 bye\r\n");
	is_int(session_run(&f, &st, &env, &s), SESSION_FAILED, "too big: failed");
	res = session_result(s);
	is_str(f.sent.data, "EHLO client.example\r\nQUIT\r\n", "too big: no MAIL");
	ok(res->err.cls == ERROR_REJECTED && !res->next_relay, "too big: rejected, no next relay");
	is_str(res->err.text,
	       "message size 2000000 exceeds the size limit 1000000 of relay " RELAY,
	       "too big: text");
	session_free(s);
	fake_fini(&f);

	struct fake g = { 0 };
	st = settings(&g);
	env.size = 0;
	env.smtputf8 = true;
	SCRIPT(&g, "220 mx\r\n", EHLO_BASIC, "221 bye\r\n");
	is_int(session_run(&g, &st, &env, &s), SESSION_FAILED, "SMTPUTF8 missing: failed");
	res = session_result(s);
	ok(res->err.cls == ERROR_DATA && res->next_relay, "SMTPUTF8 missing: data, next relay");
	is_str(res->err.text,
	       "relay " RELAY " does not support SMTPUTF8, which this message needs",
	       "SMTPUTF8 missing: text");
	session_free(s);
	fake_fini(&g);
}

static void test_parameters(void)
{
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	struct session *s;

	env.size = 1234;
	env.eightbit = true;
	env.smtputf8 = true;
	env.dsn_notify = "SUCCESS,FAILURE";
	env.dsn_ret = "HDRS";
	env.dsn_envid = "QQ314159";
	SCRIPT(&f, "220 mx\r\n",
	       "250-mx\r\n250-SIZE\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-DSN\r\n250 PIPELINING\r\n");
	session_run(&f, &st, &env, &s);
	is_str(f.sent.data,
	       "EHLO client.example\r\n"
	       "MAIL FROM:<alice@example.org> SIZE=1234 BODY=8BITMIME SMTPUTF8 RET=HDRS "
	       "ENVID=QQ314159\r\n"
	       "RCPT TO:<bob@example.net> NOTIFY=SUCCESS,FAILURE\r\n"
	       "RCPT TO:<carol@example.net> NOTIFY=SUCCESS,FAILURE\r\n"
	       "DATA\r\n",
	       "all ESMTP parameters when announced");
	session_free(s);
	fake_fini(&f);

	struct fake g = { 0 };
	st = settings(&g);
	env.smtputf8 = false;
	env.nrcpts = 1;
	SCRIPT(&g, "220 mx\r\n", "250-mx\r\n250 SIZE 0\r\n");
	session_run(&g, &st, &env, &s);
	is_str(g.sent.data, "EHLO client.example\r\nMAIL FROM:<alice@example.org> SIZE=1234\r\n",
	       "only announced parameters; SIZE 0 is no limit");
	session_free(s);
	fake_fini(&g);

	struct fake h = { 0 };
	static const char *const bad[] = { "bob@example.net\r\nRSET" };
	st = settings(&h);
	env.rcpts = bad;
	SCRIPT(&h, "220 mx\r\n", "250 mx\r\n", "221 bye\r\n");
	is_int(session_run(&h, &st, &env, &s), SESSION_FAILED, "CRLF in address: failed");
	is_str(h.sent.data, "EHLO client.example\r\nQUIT\r\n", "CRLF in address: never sent");
	is_int(session_result(s)->err.cls, ERROR_DATA, "CRLF in address: data error");
	session_free(s);
	fake_fini(&h);
}

static void test_dot_stuffing(void)
{
	static const char *const chunks[] = { ".start\r\nline\r\n.", "dot\r\n", "..two\r\n.\r",
					      "\nend", NULL };
	static const char *const empty[] = { NULL };
	static const char stuffed[] = "..start\r\nline\r\n..dot\r\n...two\r\n..\r\nend\r\n.\r\n";
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	struct session *s;

	env.nrcpts = 1;
	f.body = chunks;
	SCRIPT(&f, "220 mx\r\n", EHLO_PIPE, "250 ok\r\n250 ok\r\n354 go\r\n", "250 ok\r\n",
	       "221 bye\r\n");
	is_int(session_run(&f, &st, &env, &s), SESSION_DONE, "dot-stuffing: done");
	is_mem(f.sent.data + f.writes[0] + f.writes[1], f.writes[2], stuffed, strlen(stuffed),
	       "dot-stuffing across chunks, CRLF added at the end");
	session_free(s);
	fake_fini(&f);

	struct fake g = { 0 };
	st = settings(&g);
	g.body = empty;
	SCRIPT(&g, "220 mx\r\n", EHLO_PIPE, "250 ok\r\n250 ok\r\n354 go\r\n", "250 ok\r\n",
	       "221 bye\r\n");
	session_run(&g, &st, &env, &s);
	is_mem(g.sent.data + g.writes[0] + g.writes[1], g.writes[2], ".\r\n", 3,
	       "empty body: only the dot");
	session_free(s);
	fake_fini(&g);
}

static void test_big_body(void)
{
	static char chunk[40000];
	static const char *const chunks[] = { chunk, chunk, chunk, NULL };
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	struct session *s;
	size_t body = 0;

	for (size_t i = 0; i + 2 < sizeof(chunk); i += 100) {
		memset(chunk + i, 'x', 98);
		memcpy(chunk + i + 98, "\r\n", 2);
	}
	chunk[0] = '.';
	env.nrcpts = 1;
	f.body = chunks;
	SCRIPT(&f, "220 mx\r\n", EHLO_PIPE, "250 ok\r\n250 ok\r\n354 go\r\n", "250 ok\r\n",
	       "221 bye\r\n");
	is_int(session_run(&f, &st, &env, &s), SESSION_DONE, "big body: done");
	for (size_t i = 2; i + 1 < f.nwrites && i < MAX_WRITES; i++)
		body += f.writes[i];
	is_int((long long)f.nwrites, 5, "big body: flushed once at 64 KiB, then the rest");
	ok(f.writes[2] >= 65536, "big body: first piece at least 64 KiB");
	is_int((long long)body, 3 * 40000 + 3 + 3, "big body: every byte, 3 dots stuffed, end");
	session_free(s);
	fake_fini(&f);
}

static void test_rcpt_rejected(void)
{
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	const struct session_result *res;
	struct session *s;

	f.body = body1;
	SCRIPT(&f, "220 mx\r\n", EHLO_BASIC, "250 ok\r\n", "550 5.1.1 <bob@example.net>: no such user\r\n",
	       "250 2.1.5 ok\r\n", "221 bye\r\n");
	is_int(session_run(&f, &st, &env, &s), SESSION_FAILED, "RCPT 550: failed");
	res = session_result(s);
	is_str(f.sent.data,
	       "EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\n"
	       "RCPT TO:<bob@example.net>\r\nRCPT TO:<carol@example.net>\r\nQUIT\r\n",
	       "RCPT 550: no DATA, QUIT");
	ok(res->err.cls == ERROR_RECIPIENT && !res->next_relay,
	   "RCPT 550: recipient error, no next relay");
	is_int(res->rcpt[0].code, 550, "RCPT 550: first code");
	is_int(res->rcpt[1].code, 250, "RCPT 550: second code");
	is_str(res->rcpt[0].reply, "550 5.1.1 <bob@example.net>: no such user",
	       "RCPT 550: relay's words kept");
	is_str(res->err.text,
	       "relay " RELAY " refused the message for these recipients: <bob@example.net> "
	       "(550 5.1.1 <bob@example.net>: no such user)",
	       "RCPT 550: text names the recipient");
	is_int(res->stage, SESSION_STAGE_RCPT, "RCPT 550: stage");
	session_free(s);
	fake_fini(&f);

	/* 5xx wins over 4xx; both named. */
	struct fake g = { 0 };
	st = settings(&g);
	SCRIPT(&g, "220 mx\r\n", EHLO_BASIC, "250 ok\r\n", "450 4.2.0 busy\r\n",
	       "550 5.1.1 unknown\r\n", "221 bye\r\n");
	is_int(session_run(&g, &st, &env, &s), SESSION_FAILED, "RCPT 450+550: failed");
	res = session_result(s);
	ok(res->err.cls == ERROR_RECIPIENT && !res->next_relay, "RCPT 450+550: 5xx wins");
	is_str(res->err.text,
	       "relay " RELAY " refused the message for these recipients: <bob@example.net> "
	       "(450 4.2.0 busy), <carol@example.net> (550 5.1.1 unknown)",
	       "RCPT 450+550: both named");
	is_str(res->err.reply, "550 5.1.1 unknown", "RCPT 450+550: the deciding reply");
	session_free(s);
	fake_fini(&g);
}

static void test_pipelined_rcpt_rejected(void)
{
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	const struct session_result *res;
	struct session *s;

	f.body = body1;
	SCRIPT(&f, "220 mx\r\n", EHLO_PIPE,
	       "250 ok\r\n550 5.1.1 no such user\r\n250 ok\r\n354 go ahead\r\n");
	is_int(session_run(&f, &st, &env, &s), SESSION_FAILED, "pipelined 550+354: failed");
	res = session_result(s);
	is_str(f.sent.data,
	       "EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\n"
	       "RCPT TO:<bob@example.net>\r\nRCPT TO:<carol@example.net>\r\nDATA\r\n",
	       "pipelined 550+354: nothing after DATA, no dot, no QUIT");
	ok(res->err.cls == ERROR_RECIPIENT && !res->next_relay, "pipelined 550+354: recipient");
	ok(res->rcpt[0].code == 550 && res->rcpt[1].code == 250, "pipelined 550+354: codes");
	is_int((long long)f.next_body, 0, "pipelined 550+354: body never asked for");
	session_free(s);
	fake_fini(&f);

	struct fake g = { 0 };
	st = settings(&g);
	SCRIPT(&g, "220 mx\r\n", EHLO_PIPE,
	       "250 ok\r\n550 5.1.1 no\r\n550 5.1.1 no\r\n554 5.5.1 no valid recipients\r\n",
	       "221 bye\r\n");
	is_int(session_run(&g, &st, &env, &s), SESSION_FAILED, "pipelined 550+554: failed");
	ok(strstr(g.sent.data, "DATA\r\nQUIT\r\n") != NULL, "pipelined 550+554: QUIT");
	is_int(session_result(s)->err.cls, ERROR_RECIPIENT, "pipelined 550+554: recipient");
	session_free(s);
	fake_fini(&g);

	struct fake h = { 0 };
	st = settings(&h);
	SCRIPT(&h, "220 mx\r\n", EHLO_PIPE,
	       "451 4.3.0 try later\r\n503 5.5.1 no\r\n503 5.5.1 no\r\n503 5.5.1 no\r\n",
	       "221 bye\r\n");
	is_int(session_run(&h, &st, &env, &s), SESSION_FAILED, "pipelined MAIL 451: failed");
	res = session_result(s);
	ok(res->err.cls == ERROR_TEMP && res->next_relay, "pipelined MAIL 451: sender verdict");
	is_int(res->stage, SESSION_STAGE_MAIL, "pipelined MAIL 451: stage MAIL");
	ok(strstr(h.sent.data, "DATA\r\nQUIT\r\n") != NULL, "pipelined MAIL 451: QUIT");
	session_free(s);
	fake_fini(&h);
}

struct stage_case {
	const char *name;
	const char *replies[8];
	size_t n;
	enum error_class cls;
	bool next;
	enum session_stage stage;
};

static void test_reply_at_each_stage(void)
{
	static const struct stage_case cases[] = {
		{ "greeting 421", { "421 4.3.2 busy\r\n" }, 1, ERROR_TEMP, true,
		  SESSION_STAGE_GREETING },
		{ "greeting 554", { "554 5.7.1 go away\r\n" }, 1, ERROR_TEMP, true,
		  SESSION_STAGE_GREETING },
		{ "MAIL 451", { "220 mx\r\n", EHLO_BASIC, "451 4.3.0 later\r\n" }, 3, ERROR_TEMP,
		  true, SESSION_STAGE_MAIL },
		{ "MAIL 553", { "220 mx\r\n", EHLO_BASIC, "553 5.7.1 no\r\n" }, 3, ERROR_REJECTED,
		  false, SESSION_STAGE_MAIL },
		{ "RCPT 450", { "220 mx\r\n", EHLO_BASIC, "250 ok\r\n", "450 4.2.0 busy\r\n" }, 4,
		  ERROR_TEMP, true, SESSION_STAGE_RCPT },
		{ "DATA 451", { "220 mx\r\n", EHLO_BASIC, "250 ok\r\n", "250 ok\r\n", "451 no\r\n" },
		  5, ERROR_TEMP, true, SESSION_STAGE_DATA },
		{ "DATA 554", { "220 mx\r\n", EHLO_BASIC, "250 ok\r\n", "250 ok\r\n", "554 no\r\n" },
		  5, ERROR_REJECTED, false, SESSION_STAGE_DATA },
		{ "end of data 452",
		  { "220 mx\r\n", EHLO_BASIC, "250 ok\r\n", "250 ok\r\n", "354 go\r\n",
		    "452 4.3.1 full\r\n" },
		  6, ERROR_TEMP, true, SESSION_STAGE_DOT },
		{ "end of data 554",
		  { "220 mx\r\n", EHLO_BASIC, "250 ok\r\n", "250 ok\r\n", "354 go\r\n",
		    "554 5.7.1 spam\r\n" },
		  6, ERROR_REJECTED, false, SESSION_STAGE_DOT },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct stage_case *c = &cases[i];
		const char *replies[9];
		struct fake f = { 0 };
		struct session_settings st = settings(&f);
		struct session_envelope env = envelope();
		const struct session_result *res;
		struct session *s;
		size_t len;

		env.nrcpts = 1;
		f.body = body1;
		memcpy(replies, c->replies, c->n * sizeof(replies[0]));
		replies[c->n] = "221 bye\r\n";
		f.replies = replies;
		f.nreplies = c->n + 1;
		is_int(session_run(&f, &st, &env, &s), SESSION_FAILED, "%s: failed", c->name);
		res = session_result(s);
		is_int(res->err.cls, c->cls, "%s: class %s", c->name, error_class_name(c->cls));
		is_int(res->next_relay, c->next, "%s: next relay %s", c->name,
		       c->next ? "yes" : "no");
		is_int(res->stage, c->stage, "%s: stage", c->name);
		len = strlen(c->replies[c->n - 1]) - 2;
		is_mem(res->err.reply, strlen(res->err.reply), c->replies[c->n - 1], len,
		       "%s: the relay's reply recorded", c->name);
		len = f.sent.len;
		ok(len >= 6 && memcmp(f.sent.data + len - 6, "QUIT\r\n", 6) == 0,
		   "%s: QUIT sent", c->name);
		ok(f.next_reply == f.nreplies, "%s: QUIT reply read", c->name);
		session_free(s);
		fake_fini(&f);
	}
}

static void test_greeting_text(void)
{
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	struct session *s;

	SCRIPT(&f, "554-5.7.1 no\r\n554 5.7.1 really not\r\n", NULL);
	is_int(session_run(&f, &st, &env, &s), SESSION_FAILED, "greeting 554: failed");
	is_str(session_result(s)->err.text,
	       "relay " RELAY " refused to talk to me: 554 5.7.1 no really not",
	       "greeting 554: text, lines joined");
	is_str(f.sent.data, "QUIT\r\n", "greeting 554: QUIT, EOF to it is fine");
	session_free(s);
	fake_fini(&f);
}

static void test_lost_connection(void)
{
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	const struct session_result *res;
	struct session *s;

	env.nrcpts = 1;
	f.body = body1;
	SCRIPT(&f, "220 mx\r\n", EHLO_PIPE, "250 ok\r\n250 ok\r\n354 go\r\n", "25", NULL);
	is_int(session_run(&f, &st, &env, &s), SESSION_FAILED, "lost after dot: failed");
	res = session_result(s);
	ok(res->maybe_delivered, "lost after dot: maybe delivered");
	ok(res->err.cls == ERROR_TEMP && res->next_relay, "lost after dot: temp, next relay");
	is_str(res->err.text,
	       "lost connection with relay " RELAY " after the end of the message; it may have "
	       "been delivered, and sending it again may deliver it twice",
	       "lost after dot: text");
	ok(memcmp(f.sent.data + f.sent.len - 5, "\r\n.\r\n", 5) == 0, "lost after dot: no QUIT");
	session_free(s);
	fake_fini(&f);

	struct fake g = { 0 };
	st = settings(&g);
	SCRIPT(&g, "220 mx\r\n", "250-mx\r\n", NULL);
	is_int(session_run(&g, &st, &env, &s), SESSION_FAILED, "lost at EHLO: failed");
	res = session_result(s);
	ok(!res->maybe_delivered && res->next_relay, "lost at EHLO: next relay");
	is_str(res->err.text,
	       "lost connection with relay " RELAY " while performing the EHLO handshake",
	       "lost at EHLO: text names the stage");
	is_str(g.sent.data, "EHLO client.example\r\n", "lost at EHLO: no QUIT");
	session_free(s);
	fake_fini(&g);
}

static void test_protocol_errors(void)
{
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	const struct session_result *res;
	struct session *s;

	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n550 mixed\r\n");
	is_int(session_run(&f, &st, &env, &s), SESSION_FAILED, "malformed: failed");
	res = session_result(s);
	ok(res->err.cls == ERROR_PROTOCOL && res->next_relay, "malformed: protocol, next relay");
	is_str(f.sent.data, "EHLO client.example\r\n", "malformed: no QUIT");
	is_str(res->err.text,
	       "relay " RELAY " broke the protocol while performing the EHLO handshake: the "
	       "relay sent a multi-line reply whose lines have different codes",
	       "malformed: text");
	session_free(s);
	fake_fini(&f);

	struct fake g = { 0 };
	st = settings(&g);
	SCRIPT(&g, "220 mx\r\n", EHLO_BASIC, "354 what\r\n");
	is_int(session_run(&g, &st, &env, &s), SESSION_FAILED, "354 to MAIL: failed");
	res = session_result(s);
	ok(res->err.cls == ERROR_PROTOCOL && res->next_relay, "354 to MAIL: protocol error");
	is_str(res->err.text, "relay " RELAY " sent an unexpected reply while sending MAIL FROM: 354 what",
	       "354 to MAIL: text");
	session_free(s);
	fake_fini(&g);

	/* Long lines that never finish a reply: stopped at 64 KiB. */
	static char flood[2100];
	struct fake h = { 0 };
	const char *replies[40];
	memset(flood, 'x', sizeof(flood) - 1);
	memcpy(flood, "250-", 4);
	memcpy(flood + 2040, "\r\n", 3);
	replies[0] = "220 mx\r\n";
	for (size_t i = 1; i < 40; i++)
		replies[i] = flood;
	st = settings(&h);
	h.replies = replies;
	h.nreplies = 40;
	is_int(session_run(&h, &st, &env, &s), SESSION_FAILED, "flood: failed");
	res = session_result(s);
	is_int(res->err.cls, ERROR_PROTOCOL, "flood: protocol error");
	is_str(res->err.text,
	       "relay " RELAY " sent more than 65536 bytes without completing a reply",
	       "flood: text");
	ok(h.next_reply < 40, "flood: stopped early");
	session_free(s);
	fake_fini(&h);
}

static void test_quit_errors_ignored(void)
{
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	struct session *s;

	env.nrcpts = 1;
	f.body = body1;
	SCRIPT(&f, "220 mx\r\n", EHLO_PIPE, "250 ok\r\n250 ok\r\n354 go\r\n", "250 queued\r\n",
	       "HTTP/1.0 garbage\r\n");
	is_int(session_run(&f, &st, &env, &s), SESSION_DONE, "garbage to QUIT: still done");
	ok(session_result(s)->ok && session_result(s)->err.cls == ERROR_NONE,
	   "garbage to QUIT: result unchanged");
	session_free(s);
	fake_fini(&f);

	struct fake g = { 0 };
	struct error err = { 0 };
	st = settings(&g);
	g.body = body1;
	SCRIPT(&g, "220 mx\r\n", EHLO_PIPE, "250 ok\r\n250 ok\r\n354 go\r\n", "250 queued\r\n");
	is_int(session_run(&g, &st, &env, &s), SESSION_READ, "waiting for the QUIT reply");
	error_set(&err, ERROR_TEMP, "timed out");
	is_int(session_abort(s, &err, true), SESSION_DONE, "timeout at QUIT: still done");
	is_int(session_result(s)->err.cls, ERROR_NONE, "timeout at QUIT: no error");
	session_free(s);
	fake_fini(&g);
}

static void test_abort_during_body(void)
{
	struct fake f = { 0 };
	struct session_settings st = settings(&f);
	struct session_envelope env = envelope();
	struct error err = { 0 };
	struct session *s;

	env.nrcpts = 1;
	SCRIPT(&f, "220 mx\r\n", EHLO_PIPE, "250 ok\r\n250 ok\r\n354 go\r\n");
	s = session_new(&st, &env);
	f.stop_at_body = true;
	is_int(run(&f, s), SESSION_BODY, "abort in body: body asked for");
	error_set(&err, ERROR_IO, "cannot read the spool");
	is_int(session_abort(s, &err, false), SESSION_FAILED, "abort in body: failed at once");
	ok(memcmp(f.sent.data + f.sent.len - 6, "DATA\r\n", 6) == 0,
	   "abort in body: no QUIT inside the data");
	ok(session_result(s)->err.cls == ERROR_IO && session_result(s)->next_relay,
	   "abort in body: caller's class, next relay");
	session_free(s);
	fake_fini(&f);
}

int main(void)
{
	test_plain();
	test_pipelining(false);
	test_pipelining(true);
	test_no_pipelining_when_disabled();
	test_starttls();
	test_starttls_not_offered();
	test_starttls_refused();
	test_starttls_modes();
	test_starttls_injection();
	test_tls_handshake_fails();
	test_helo_fallback();
	test_auth_plain();
	test_auth_long_and_empty_ir();
	test_auth_login();
	test_auth_failures();
	test_size_and_utf8();
	test_parameters();
	test_dot_stuffing();
	test_big_body();
	test_rcpt_rejected();
	test_pipelined_rcpt_rejected();
	test_reply_at_each_stage();
	test_greeting_text();
	test_lost_connection();
	test_protocol_errors();
	test_quit_errors_ignored();
	test_abort_during_body();
	return tap_done();
}
