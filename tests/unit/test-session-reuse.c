/* SPDX-License-Identifier: GPL-3.0-or-later */
/* smtp/session, connection reuse: keep_open leaves the session idle after
 * an accepted message, session_reuse sends RSET and then the next
 * transaction over the same connection (no new EHLO, STARTTLS or AUTH),
 * a relay that closed the idle connection or refused RSET makes the
 * session stale, and session_close sends QUIT. Exact bytes throughout. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "scripted.h"
#include "smtp/session.h"
#include "tap.h"

#define GROUP2                                                                                     \
	"MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.net>\r\n"                           \
	"RCPT TO:<carol@example.net>\r\nDATA\r\n"

static const char *const rcpt_dave[] = { "dave@example.com" };

/* Run the first transaction of f's script with keep_open; the session is
 * then idle. */
static struct session *first(struct scripted *f, struct session_settings *st,
			     const struct session_envelope *env)
{
	struct session *s;

	st->keep_open = true;
	f->body = scripted_body1;
	is_int(scripted_run(f, st, env, &s), SESSION_DONE, "first transaction done");
	ok(session_result(s)->ok, "first transaction accepted");
	is_int(session_stage(s), SESSION_STAGE_END, "idle at stage END");
	ok(strstr(f->sent.data, "QUIT") == NULL, "keep_open: no QUIT after the message");
	return s;
}

static void rewind_body(struct scripted *f)
{
	f->next_body = 0;
	f->body_ended = false;
}

static void test_two_transactions(bool bytewise)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	struct session_envelope env2 = scripted_envelope();
	struct session *s;
	size_t mark, nw;

	f.bytewise = bytewise;
	env2.sender = "erin@example.org";
	env2.rcpts = rcpt_dave;
	env2.nrcpts = 1;
	SCRIPT(&f, "220 mx\r\n", EHLO_PIPE, "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n",
	       "250 2.0.0 queued as A\r\n", "250 2.0.0 Ok\r\n250 ok\r\n250 ok\r\n354 go\r\n",
	       "250 2.0.0 queued as B\r\n", "221 bye\r\n");
	s = first(&f, &st, &env);
	mark = f.sent.len;
	nw = f.nwrites;
	rewind_body(&f);
	st.keep_open = false;
	is_int(scripted_continue(&f, s, session_reuse(s, &env2)), SESSION_DONE,
	       "reuse%s: second transaction done", bytewise ? " bytewise" : "");
	is_str(f.sent.data + mark,
	       "RSET\r\n"
	       "MAIL FROM:<erin@example.org>\r\nRCPT TO:<dave@example.com>\r\nDATA\r\n"
	       "Subject: hi\r\n\r\nhello\r\n.\r\n"
	       "QUIT\r\n",
	       "reuse: RSET, then MAIL, RCPT and DATA pipelined, no EHLO again; QUIT "
	       "once keep_open is off");
	ok(f.nwrites > nw && f.writes[nw] == strlen("RSET\r\nMAIL FROM:<erin@example.org>\r\n"
						    "RCPT TO:<dave@example.com>\r\nDATA\r\n"),
	   "reuse: RSET leads the pipelined group, in one write");
	ok(session_result(s)->ok && !session_stale(s), "reuse: accepted, not stale");
	is_str(session_result(s)->last.text, "2.0.0 queued as B", "reuse: the second reply");
	is_int(session_result(s)->rcpt[0].code, 250, "reuse: the new envelope's recipient");
	session_free(s);
	scripted_fini(&f);
}

static void test_reuse_keeps_tls_and_auth(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	struct session *s;
	size_t mark;

	st.tls = SESSION_TLS_REQUIRE;
	st.auth_wanted = true;
	f.mech = "PLAIN";
	f.ir = "AGFsaWNlAHNlY3JldA==";
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n", "220 go\r\n",
	       "250-mx\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n", "235 ok\r\n",
	       "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n", "250 queued\r\n", "250 Ok\r\n",
	       "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n", "250 queued\r\n");
	s = first(&f, &st, &env);
	mark = f.sent.len;
	rewind_body(&f);
	is_int(scripted_continue(&f, s, session_reuse(s, &env)), SESSION_DONE,
	       "reuse over TLS and AUTH: done");
	is_str(f.sent.data + mark, "RSET\r\n" GROUP2 "Subject: hi\r\n\r\nhello\r\n.\r\n",
	       "reuse over TLS and AUTH: no STARTTLS, EHLO or AUTH again");
	is_int(f.starttls, 1, "reuse: one TLS handshake in all");
	ok(session_result(s)->tls && session_result(s)->authenticated,
	   "reuse: the result still says TLS and authenticated");
	is_int(scripted_continue(&f, s, session_close(s)), SESSION_READ,
	       "close: QUIT written, its reply awaited");
	ok(f.sent.len >= 6 && memcmp(f.sent.data + f.sent.len - 6, "QUIT\r\n", 6) == 0,
	   "close: QUIT");
	session_free(s);
	scripted_fini(&f);
}

static void test_stale(void)
{
	static const char *const cases[][2] = {
		{ NULL, "the relay closed the idle connection" },
		{ "421 4.4.2 mx Error: timeout exceeded\r\n", "a 421 to RSET" },
		{ "502 5.5.1 no\r\n", "RSET refused" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scripted f = { 0 };
		struct session_settings st = scripted_settings(&f);
		struct session_envelope env = scripted_envelope();
		const char *script[] = { "220 mx\r\n", EHLO_PIPE,
					 "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n",
					 "250 queued\r\n", cases[i][0] };
		struct session *s;
		size_t mark;

		f.replies = script;
		f.nreplies = 5;
		s = first(&f, &st, &env);
		mark = f.sent.len;
		rewind_body(&f);
		is_int(scripted_continue(&f, s, session_reuse(s, &env)), SESSION_FAILED,
		       "stale (%s): failed", cases[i][1]);
		ok(session_stale(s), "stale (%s): session_stale", cases[i][1]);
		is_str(f.sent.data + mark, "RSET\r\n" GROUP2,
		       "stale (%s): RSET and the pipelined group, no message data", cases[i][1]);
		ok(!session_result(s)->maybe_delivered, "stale (%s): not maybe delivered",
		   cases[i][1]);
		session_free(s);
		scripted_fini(&f);
	}
}

static void test_misuse(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	struct session *s;

	/* Without keep_open the session ends with QUIT: nothing to reuse. */
	f.body = scripted_body1;
	SCRIPT(&f, "220 mx\r\n", EHLO_PIPE, "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n",
	       "250 queued\r\n", "221 bye\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_DONE, "misuse: done with QUIT");
	is_int(session_reuse(s, &env), SESSION_FAILED, "misuse: reuse after QUIT fails");
	is_int(session_result(s)->err.cls, ERROR_INTERNAL, "misuse: an internal error");
	ok(!session_stale(s), "misuse: not stale (no RSET went out)");
	session_free(s);
	scripted_fini(&f);
}

int main(void)
{
	test_two_transactions(false);
	test_two_transactions(true);
	test_reuse_keeps_tls_and_auth();
	test_stale();
	test_misuse();
	return tap_done();
}
