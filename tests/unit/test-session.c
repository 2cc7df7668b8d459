/* SPDX-License-Identifier: GPL-3.0-or-later */
/* smtp/session, the connection: greeting, EHLO and HELO, STARTTLS in every
 * mode (and the injection attack), AUTH with and without an initial
 * response, lost connections, malformed replies and QUIT. Each test
 * compares the exact bytes written and the result. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "scripted.h"
#include "smtp/session.h"
#include "tap.h"

static void test_plain(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	const struct session_result *res;
	struct session *s;

	f.body = scripted_body1;
	env.size = 25;
	SCRIPT(&f, "220 mx.example ESMTP\r\n", EHLO_BASIC, "250 2.1.0 Ok\r\n", "250 2.1.5 Ok\r\n",
	       "250 2.1.5 Ok\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n",
	       "250 2.0.0 Ok: queued as 4ABC\r\n", "221 2.0.0 Bye\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_DONE, "plain: done");
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
	is_int(res->failure, SESSION_FAILURE_NONE, "plain: no failure");
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
	scripted_fini(&f);
}

static void test_pipelining(bool bytewise)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	const char *group = "MAIL FROM:<alice@example.org>\r\n"
			    "RCPT TO:<bob@example.net>\r\n"
			    "RCPT TO:<carol@example.net>\r\n"
			    "DATA\r\n";
	struct session *s;

	f.body = scripted_body1;
	f.bytewise = bytewise;
	SCRIPT(&f, "220 mx.example ESMTP\r\n", EHLO_PIPE,
	       "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n",
	       "250 2.0.0 Ok: queued\r\n", "221 Bye\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_DONE, "pipelining%s: done",
	       bytewise ? " bytewise" : "");
	/* QUIT ends the group of the message's end (RFC 2920), as Postfix
	 * sends it on a connection it will not keep. */
	is_int((long long)f.nwrites, 3, "pipelining: EHLO, group, body with QUIT");
	ok(f.nwrites >= 2 && f.writes[1] == strlen(group) &&
	       memcmp(f.sent.data + f.writes[0], group, strlen(group)) == 0,
	   "pipelining: MAIL, both RCPTs and DATA in one write, exact bytes");
	is_str(f.sent.data + f.writes[0] + f.writes[1], "Subject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n",
	       "pipelining: body and QUIT");
	ok(f.nwrites == 3 && f.writes[2] == strlen("Subject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n"),
	   "pipelining: the end of the message and QUIT in one write");
	ok(session_result(s)->ok, "pipelining: ok");
	session_free(s);
	scripted_fini(&f);
}

static void test_no_pipelining_when_disabled(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	struct session *s;

	st.use_pipelining = false;
	env.nrcpts = 1;
	f.body = scripted_body1;
	SCRIPT(&f, "220 mx\r\n", EHLO_PIPE, "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 ok\r\n",
	       "221 bye\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_DONE, "use_pipelining=false: done");
	is_int((long long)f.nwrites, 6, "use_pipelining=false: one command per write");
	session_free(s);
	scripted_fini(&f);
}

static void test_starttls(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	struct session *s;

	env.nrcpts = 1;
	st.tls = SESSION_TLS_REQUIRE;
	f.body = scripted_body1;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n",
	       "220 2.0.0 Ready\r\n", "250-mx\r\n250 PIPELINING\r\n",
	       "250 ok\r\n250 ok\r\n354 go\r\n", "250 ok\r\n", "221 bye\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_DONE, "starttls required+offered: done");
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
	scripted_fini(&f);
}

static void test_starttls_not_offered(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	const struct session_result *res;
	struct session *s;

	st.tls = SESSION_TLS_REQUIRE;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250 PIPELINING\r\n", "221 bye\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_FAILED, "starttls not offered: failed");
	res = session_result(s);
	is_str(f.sent.data, "EHLO client.example\r\nQUIT\r\n", "starttls not offered: QUIT");
	is_int(res->err.cls, ERROR_TEMP, "starttls not offered: temp");
	ok(res->next_relay, "starttls not offered: next relay");
	is_str(res->err.text, "TLS is required, but was not offered by relay " RELAY,
	       "starttls not offered: text");
	is_int(res->stage, SESSION_STAGE_EHLO, "starttls not offered: stage EHLO");
	is_int(res->failure, SESSION_FAILURE_NO_STARTTLS, "starttls not offered: its kind");
	session_free(s);
	scripted_fini(&f);

	/* At "may", the same relay is used in plaintext. */
	struct scripted g = { 0 };
	st = scripted_settings(&g);
	st.tls = SESSION_TLS_MAY;
	env.nrcpts = 1;
	g.body = scripted_body1;
	SCRIPT(&g, "220 mx\r\n", "250 mx\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n",
	       "250 ok\r\n", "221 bye\r\n");
	is_int(scripted_run(&g, &st, &env, &s), SESSION_DONE, "may, not offered: plaintext");
	ok(!session_result(s)->tls, "may, not offered: no TLS");
	session_free(s);
	scripted_fini(&g);
}

/* A certificate that fails the checks after a handshake that worked:
 * QUIT goes over TLS, as Postfix's client sends it. */
static void test_starttls_cert_refused(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	const struct session_result *res;
	struct session *s;

	st.tls = SESSION_TLS_REQUIRE;
	f.tls_refused = true;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n", "220 2.0.0 Ready\r\n",
	       "221 bye\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_FAILED, "certificate refused: failed");
	res = session_result(s);
	is_str(f.sent.data, "EHLO client.example\r\nSTARTTLS\r\n<TLS>QUIT\r\n",
	       "certificate refused: QUIT over TLS");
	ok(res->err.cls == ERROR_TEMP && res->next_relay && res->tls,
	   "certificate refused: temp, next relay, over TLS");
	is_str(res->err.text, "certificate not verified",
	       "certificate refused: the caller's error");
	session_free(s);
	scripted_fini(&f);
}

static void test_starttls_refused(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	const struct session_result *res;
	struct session *s;

	st.tls = SESSION_TLS_REQUIRE;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n", "454 4.7.0 TLS not available\r\n",
	       "221 bye\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_FAILED, "starttls refused: failed");
	res = session_result(s);
	is_str(f.sent.data, "EHLO client.example\r\nSTARTTLS\r\nQUIT\r\n",
	       "starttls refused: QUIT");
	ok(res->err.cls == ERROR_TEMP && res->next_relay, "starttls refused: temp, next relay");
	is_str(res->err.text, "relay " RELAY " refused to start TLS: 454 4.7.0 TLS not available",
	       "starttls refused: text");
	is_str(res->err.reply, "454 4.7.0 TLS not available", "starttls refused: reply kept");
	ok(res->failure == SESSION_FAILURE_REPLY && res->stage == SESSION_STAGE_STARTTLS,
	   "starttls refused: a reply to STARTTLS");
	session_free(s);
	scripted_fini(&f);

	struct scripted g = { 0 };
	st = scripted_settings(&g);
	st.tls = SESSION_TLS_MAY;
	env.nrcpts = 1;
	g.body = scripted_body1;
	SCRIPT(&g, "220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n", "454 4.7.0 no\r\n", "250 ok\r\n",
	       "250 ok\r\n", "354 go\r\n", "250 ok\r\n", "221 bye\r\n");
	is_int(scripted_run(&g, &st, &env, &s), SESSION_DONE, "may, refused: plaintext");
	is_str(g.sent.data,
	       "EHLO client.example\r\nSTARTTLS\r\nMAIL FROM:<alice@example.org>\r\n"
	       "RCPT TO:<bob@example.net>\r\nDATA\r\nSubject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n",
	       "may, refused: transcript");
	session_free(s);
	scripted_fini(&g);
}

static void test_starttls_modes(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	struct session *s;

	env.nrcpts = 1;
	st.tls = SESSION_TLS_NONE;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_READ, "none: waits for MAIL reply");
	is_str(f.sent.data, "EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\n",
	       "none: never STARTTLS");
	session_free(s);
	scripted_fini(&f);

	struct scripted g = { 0 };
	st = scripted_settings(&g);
	st.tls = SESSION_TLS_IMPLICIT;
	SCRIPT(&g, "220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n");
	is_int(scripted_run(&g, &st, &env, &s), SESSION_READ, "implicit: waits for MAIL reply");
	is_str(g.sent.data, "EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\n",
	       "implicit: never STARTTLS");
	ok(session_result(s)->tls, "implicit: TLS active");
	session_free(s);
	scripted_fini(&g);
}

static void test_starttls_injection(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	const struct session_result *res;
	struct session *s;

	st.tls = SESSION_TLS_MAY;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n",
	       "220 2.0.0 Ready\r\n250-evil\r\n250 AUTH PLAIN\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_FAILED, "injection: failed");
	res = session_result(s);
	is_int(f.starttls, 0, "injection: no handshake attempted");
	is_str(f.sent.data, "EHLO client.example\r\nSTARTTLS\r\n", "injection: nothing more sent");
	ok(res->err.cls == ERROR_PROTOCOL && res->next_relay, "injection: protocol, next relay");
	is_int(res->failure, SESSION_FAILURE_PROTOCOL, "injection: a protocol failure");
	is_str(res->err.text,
	       "relay " RELAY " sent data after its reply to STARTTLS (possible STARTTLS "
	       "injection)",
	       "injection: text");
	session_free(s);
	scripted_fini(&f);
}

static void test_tls_handshake_fails(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	const struct session_result *res;
	struct session *s;

	st.tls = SESSION_TLS_REQUIRE;
	f.tls_fails = true;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n", "220 go\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_FAILED, "handshake failure: failed");
	res = session_result(s);
	is_str(f.sent.data, "EHLO client.example\r\nSTARTTLS\r\n", "handshake failure: no QUIT");
	ok(res->err.cls == ERROR_TEMP && res->next_relay, "handshake failure: caller's class kept");
	is_str(res->err.text, "TLS handshake failed", "handshake failure: caller's text");
	is_int(res->stage, SESSION_STAGE_STARTTLS, "handshake failure: stage");
	is_int(res->failure, SESSION_FAILURE_ABORTED, "handshake failure: the caller's");
	session_free(s);
	scripted_fini(&f);
}

static void test_helo_fallback(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	struct session *s;

	env.nrcpts = 1;
	env.size = 10;
	env.eightbit = true;
	f.body = scripted_body1;
	SCRIPT(&f, "220 old.example SMTP\r\n", "502 5.5.2 EHLO not understood\r\n",
	       "250 old.example\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 ok\r\n",
	       "221 bye\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_DONE, "HELO fallback: done");
	is_str(f.sent.data,
	       "EHLO client.example\r\nHELO client.example\r\n"
	       "MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.net>\r\nDATA\r\n"
	       "Subject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n",
	       "HELO fallback: no ESMTP parameters");
	ok(!session_caps(s)->esmtp, "HELO fallback: no extensions");
	session_free(s);
	scripted_fini(&f);

	struct scripted g = { 0 };
	st = scripted_settings(&g);
	SCRIPT(&g, "220 mx\r\n", "502 no\r\n", "550 5.7.1 go away\r\n", "221 bye\r\n");
	is_int(scripted_run(&g, &st, &env, &s), SESSION_FAILED, "HELO refused: failed");
	ok(session_result(s)->next_relay && session_result(s)->err.cls == ERROR_TEMP,
	   "HELO refused: temp, next relay");
	is_str(session_result(s)->err.text,
	       "relay " RELAY " refused to talk to me: 550 5.7.1 go away", "HELO refused: text");
	session_free(s);
	scripted_fini(&g);

	struct scripted h = { 0 };
	st = scripted_settings(&h);
	SCRIPT(&h, "220 mx\r\n", "421 4.3.2 shutting down\r\n", "221 bye\r\n");
	is_int(scripted_run(&h, &st, &env, &s), SESSION_FAILED, "EHLO 421: failed");
	is_str(h.sent.data, "EHLO client.example\r\nQUIT\r\n", "EHLO 421: no HELO");
	ok(session_result(s)->next_relay, "EHLO 421: next relay");
	session_free(s);
	scripted_fini(&h);
}

#define SECRET_PLAIN "AGFsaWNlAHMzY3IzdA=="

static void test_auth_plain(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	struct session *s;

	env.nrcpts = 1;
	st.auth_wanted = true;
	f.mech = "PLAIN";
	f.ir = SECRET_PLAIN;
	f.body = scripted_body1;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250 AUTH LOGIN PLAIN\r\n", "235 2.7.0 ok\r\n",
	       "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 ok\r\n", "221 bye\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_DONE, "AUTH PLAIN: done");
	ok(strstr(f.sent.data, "EHLO client.example\r\nAUTH PLAIN " SECRET_PLAIN
			       "\r\nMAIL FROM:<alice@example.org>\r\n") == f.sent.data,
	   "AUTH PLAIN: initial response on the AUTH line");
	ok(session_result(s)->authenticated, "AUTH PLAIN: authenticated");
	ok(strstr(f.trace.data, "C: AUTH PLAIN <secret>\n") != NULL, "AUTH PLAIN: trace masked");
	ok(strstr(f.trace.data, SECRET_PLAIN) == NULL, "AUTH PLAIN: secret never traced");
	session_free(s);
	scripted_fini(&f);
}

static void test_auth_long_and_empty_ir(void)
{
	static char big[600];
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	struct session *s;

	memset(big, 'Q', sizeof(big) - 1);
	st.auth_wanted = true;
	f.mech = "XOAUTH2";
	f.ir = big;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250 AUTH XOAUTH2\r\n", "334 \r\n", "235 ok\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_READ, "long IR: reaches MAIL");
	ok(strncmp(f.sent.data, "EHLO client.example\r\nAUTH XOAUTH2\r\nQQQ", 38) == 0,
	   "long IR: AUTH without it, then the response after 334");
	is_int((long long)f.writes[2], (long long)sizeof(big) + 1, "long IR: response line");
	is_int((long long)f.challenges.len, 0, "long IR: the empty 334 is not the caller's");
	ok(strstr(f.trace.data, "QQQQ") == NULL, "long IR: never traced");
	ok(strstr(f.trace.data, "C: AUTH XOAUTH2\nS: 334 \nC: <secret>\n") != NULL,
	   "long IR: trace");
	session_free(s);
	scripted_fini(&f);

	struct scripted g = { 0 };
	st = scripted_settings(&g);
	st.auth_wanted = true;
	g.mech = "EXTERNAL";
	g.ir = "";
	SCRIPT(&g, "220 mx\r\n", "250-mx\r\n250 AUTH EXTERNAL\r\n");
	scripted_run(&g, &st, &env, &s);
	is_str(g.sent.data, "EHLO client.example\r\nAUTH EXTERNAL =\r\n",
	       "empty initial response sent as =");
	session_free(s);
	scripted_fini(&g);
}

static void test_auth_login(void)
{
	static const char *const responses[] = { "Ym9i", "czNjcjN0LXB3" };
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	struct session *s;

	env.nrcpts = 1;
	st.auth_wanted = true;
	f.mech = "LOGIN";
	f.responses = responses;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250 AUTH=LOGIN\r\n", "334 VXNlcm5hbWU6\r\n",
	       "334 UGFzc3dvcmQ6\r\n", "235 2.7.0 Authentication successful\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_READ, "AUTH LOGIN: reaches MAIL");
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
	scripted_fini(&f);
}

static void test_auth_failures(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	const struct session_result *res;
	struct session *s;

	st.auth_wanted = true;
	f.mech = "PLAIN";
	f.ir = SECRET_PLAIN;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250 AUTH PLAIN\r\n",
	       "535 5.7.8 Authentication credentials invalid\r\n", "221 bye\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_FAILED, "AUTH 535: failed");
	res = session_result(s);
	ok(res->err.cls == ERROR_AUTH && res->next_relay, "AUTH 535: auth error, next relay");
	ok(res->failure == SESSION_FAILURE_REPLY && res->stage == SESSION_STAGE_AUTH,
	   "AUTH 535: a reply to AUTH");
	is_str(res->err.text,
	       "authentication to relay " RELAY
	       " failed: 535 5.7.8 Authentication credentials invalid",
	       "AUTH 535: text");
	is_str(res->err.reply, "535 5.7.8 Authentication credentials invalid", "AUTH 535: reply");
	ok(!res->authenticated, "AUTH 535: not authenticated");
	ok(strstr(f.sent.data, "\r\nQUIT\r\n") != NULL, "AUTH 535: QUIT");
	session_free(s);
	scripted_fini(&f);
}

/* The engine, not its caller, tells the relay's trouble from a refusal
 * (RFC 4954 §6): 454 is ERROR_TEMP, 535 ERROR_AUTH; both let the next
 * relay try, both end with QUIT. */
static void test_auth_temporary_or_refused(void)
{
	static const struct {
		const char *reply;
		enum error_class cls;
	} cases[] = {
		{ "454 4.7.0 Temporary authentication failure", ERROR_TEMP },
		{ "535 5.7.8 Authentication credentials invalid", ERROR_AUTH },
	};
	char line[80], text[160];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *script[] = { "220 mx\r\n", "250-mx\r\n250 AUTH PLAIN\r\n", line,
					 "221 bye\r\n" };
		struct scripted f = { .replies = script, .nreplies = 4 };
		struct session_settings st = scripted_settings(&f);
		struct session_envelope env = scripted_envelope();
		const struct session_result *res;
		struct session *s;

		snprintf(line, sizeof(line), "%s\r\n", cases[i].reply);
		snprintf(text, sizeof(text), "authentication to relay %s failed: %s", RELAY,
			 cases[i].reply);
		st.auth_wanted = true;
		f.mech = "PLAIN";
		f.ir = SECRET_PLAIN;
		is_int(scripted_run(&f, &st, &env, &s), SESSION_FAILED, "AUTH %.3s: failed",
		       cases[i].reply);
		res = session_result(s);
		is_str(error_class_name(res->err.cls), error_class_name(cases[i].cls),
		       "AUTH %.3s: class", cases[i].reply);
		ok(res->next_relay && !res->maybe_delivered, "AUTH %.3s: next relay",
		   cases[i].reply);
		is_int(res->stage, SESSION_STAGE_AUTH, "AUTH %.3s: stage", cases[i].reply);
		is_str(res->err.text, text, "AUTH %.3s: text", cases[i].reply);
		is_str(res->err.reply, cases[i].reply, "AUTH %.3s: reply", cases[i].reply);
		ok(strstr(f.sent.data, "\r\nQUIT\r\n") != NULL, "AUTH %.3s: QUIT", cases[i].reply);
		session_free(s);
		scripted_fini(&f);
	}
}

static void test_auth_not_offered(void)
{
	struct scripted g = { 0 };
	struct session_settings st = scripted_settings(&g);
	struct session_envelope env = scripted_envelope();
	const struct session_result *res;
	struct session *s;

	st.auth_wanted = true;
	g.mech = "PLAIN";
	SCRIPT(&g, "220 mx\r\n", "250-mx\r\n250 PIPELINING\r\n", "221 bye\r\n");
	is_int(scripted_run(&g, &st, &env, &s), SESSION_FAILED, "AUTH not offered: failed");
	res = session_result(s);
	ok(res->err.cls == ERROR_TEMP && res->next_relay, "AUTH not offered: temp, next relay");
	is_int(res->failure, SESSION_FAILURE_NO_AUTH, "AUTH not offered: its kind");
	is_str(res->err.text, "relay " RELAY " did not offer authentication (AUTH)",
	       "AUTH not offered: text");
	is_str(g.sent.data, "EHLO client.example\r\nQUIT\r\n", "AUTH not offered: QUIT");
	session_free(s);
	scripted_fini(&g);

	struct scripted h = { 0 };
	st = scripted_settings(&h);
	st.auth_wanted = false;
	SCRIPT(&h, "220 mx\r\n", "250-mx\r\n250 AUTH PLAIN\r\n");
	scripted_run(&h, &st, &env, &s);
	is_str(h.sent.data, "EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\n",
	       "no credentials: no AUTH");
	session_free(s);
	scripted_fini(&h);
}

/* The caller finds no mechanism: a configuration error, QUIT sent. */
static void test_auth_abort(void)
{
	struct scripted k = { 0 };
	struct session_settings st = scripted_settings(&k);
	struct session_envelope env = scripted_envelope();
	const struct session_result *res;
	struct session *s;

	st.auth_wanted = true;
	SCRIPT(&k, "220 mx\r\n", "250-mx\r\n250 AUTH GSSAPI\r\n", "221 bye\r\n");
	is_int(scripted_run(&k, &st, &env, &s), SESSION_FAILED, "abort at AUTH: failed");
	res = session_result(s);
	ok(res->err.cls == ERROR_CONFIG && !res->next_relay, "abort: config error, no next relay");
	is_str(k.sent.data, "EHLO client.example\r\nQUIT\r\n", "abort at AUTH: QUIT");
	session_free(s);
	scripted_fini(&k);
}

/* The caller cannot answer a challenge: "*" cancels the exchange (RFC
 * 4954 §4), the relay's 501 is read, QUIT follows; the caller's failure
 * is the outcome whatever comes after "*". */
static void test_auth_cancel(void)
{
	static const char *const responses[] = { "Ym9i", NULL };
	static const char *const after_star[][3] = {
		{ "501 5.7.0 Authentication aborted\r\n", "221 bye\r\n", "501 then 221" },
		{ "501 5.7.0 Authentication aborted\r\n", NULL, "501 then EOF" },
		{ NULL, NULL, "EOF at once" },
		{ "garbage\r\n", NULL, "garbage" },
		{ "235 2.7.0 ok\r\n", "221 bye\r\n", "235 anyway" },
	};

	for (size_t i = 0; i < sizeof(after_star) / sizeof(after_star[0]); i++) {
		const char *const *a = after_star[i];
		const char *script[] = { "220 mx\r\n",
					 "250-mx\r\n250 AUTH LOGIN\r\n",
					 "334 VXNlcm5hbWU6\r\n",
					 "334 UGFzc3dvcmQ6\r\n",
					 a[0],
					 a[1] };
		size_t n = a[0] == NULL ? 5 : 6; /* NULL in the script: EOF */
		struct scripted f = { 0 };
		struct session_settings st = scripted_settings(&f);
		struct session_envelope env = scripted_envelope();
		const struct session_result *res;
		struct session *s;
		bool quit = a[0] != NULL && strncmp(a[0], "garbage", 7) != 0;

		st.auth_wanted = true;
		f.mech = "LOGIN";
		f.responses = responses;
		f.replies = script;
		f.nreplies = n;
		is_int(scripted_run(&f, &st, &env, &s), SESSION_FAILED, "AUTH cancel, %s: failed",
		       a[2]);
		res = session_result(s);
		is_str(f.sent.data,
		       quit ? "EHLO client.example\r\nAUTH LOGIN\r\nYm9i\r\n*\r\nQUIT\r\n"
			    : "EHLO client.example\r\nAUTH LOGIN\r\nYm9i\r\n*\r\n",
		       "AUTH cancel, %s: \"*\" after the challenge%s", a[2],
		       quit ? ", then QUIT" : ", no QUIT");
		is_str(res->err.text, "the SASL step failed",
		       "AUTH cancel, %s: the caller's failure", a[2]);
		ok(res->err.cls == ERROR_AUTH && res->failure == SESSION_FAILURE_ABORTED &&
		       res->stage == SESSION_STAGE_AUTH && res->next_relay && !res->ok &&
		       !res->authenticated,
		   "AUTH cancel, %s: at AUTH, aborted, the next relay may be tried", a[2]);
		ok(res->last.code == 334, "AUTH cancel, %s: the last reply judged is the challenge",
		   a[2]);
		if (quit)
			ok(strstr(f.trace.data, "C: <secret>\nS: 334 UGFzc3dvcmQ6\nC: *\n") != NULL,
			   "AUTH cancel, %s: trace", a[2]);
		session_free(s);
		scripted_fini(&f);
	}
}

/* SMTPS with a certificate the caller refused: the greeting is read,
 * QUIT goes, and the caller's error is the outcome whatever follows. */
static void test_start_refused(void)
{
	static const char *const after[][3] = {
		{ "220 mx ESMTP\r\n", "221 bye\r\n", "greeting, 221" },
		{ "554 5.3.2 go away\r\n", "221 bye\r\n", "554 greeting" },
		{ NULL, NULL, "EOF before the greeting" },
		{ "garbage\r\n", NULL, "garbage" },
	};

	for (size_t i = 0; i < sizeof(after) / sizeof(after[0]); i++) {
		const char *script[] = { after[i][0], after[i][1] };
		struct scripted f = { 0 };
		struct session_settings st = scripted_settings(&f);
		struct session_envelope env = scripted_envelope();
		struct error err = { 0 };
		const struct session_result *res;
		struct session *s;
		bool quit = after[i][0] != NULL && after[i][0][0] != 'g';

		st.tls = SESSION_TLS_IMPLICIT;
		f.replies = script;
		f.nreplies = after[i][0] == NULL ? 1 : 2;
		s = session_new(&st, &env);
		error_set(&err, ERROR_TEMP, "certificate is for wrong.example");
		is_int(scripted_continue(&f, s, session_start_refused(s, &err)), SESSION_FAILED,
		       "refused at the handshake, %s: failed", after[i][2]);
		res = session_result(s);
		is_str(f.sent.data != NULL ? f.sent.data : "", quit ? "QUIT\r\n" : "",
		       "refused at the handshake, %s: %s", after[i][2],
		       quit ? "QUIT after the greeting" : "nothing sent");
		is_str(res->err.text, "certificate is for wrong.example",
		       "refused at the handshake, %s: the caller's error", after[i][2]);
		ok(res->err.cls == ERROR_TEMP && res->next_relay && res->tls &&
		       res->stage == SESSION_STAGE_GREETING && !res->ok,
		   "refused at the handshake, %s: temporary, next relay, over TLS", after[i][2]);
		session_free(s);
		scripted_fini(&f);
	}
}

static void test_greeting_text(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	struct session *s;

	SCRIPT(&f, "554-5.7.1 no\r\n554 5.7.1 really not\r\n", NULL);
	is_int(scripted_run(&f, &st, &env, &s), SESSION_FAILED, "greeting 554: failed");
	is_str(session_result(s)->err.text,
	       "relay " RELAY " refused to talk to me: 554 5.7.1 no really not",
	       "greeting 554: text, lines joined");
	is_str(f.sent.data, "QUIT\r\n", "greeting 554: QUIT, EOF to it is fine");
	session_free(s);
	scripted_fini(&f);
}

static void test_lost_connection(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	const struct session_result *res;
	struct session *s;

	env.nrcpts = 1;
	f.body = scripted_body1;
	SCRIPT(&f, "220 mx\r\n", EHLO_PIPE, "250 ok\r\n250 ok\r\n354 go\r\n", "25", NULL);
	is_int(scripted_run(&f, &st, &env, &s), SESSION_FAILED, "lost after dot: failed");
	res = session_result(s);
	ok(res->maybe_delivered, "lost after dot: maybe delivered");
	ok(res->err.cls == ERROR_TEMP && res->next_relay, "lost after dot: temp, next relay");
	ok(res->failure == SESSION_FAILURE_LOST && res->stage == SESSION_STAGE_DOT,
	   "lost after dot: lost at the dot");
	is_str(res->err.text,
	       "lost connection with relay " RELAY " after the end of the message; it may have "
	       "been delivered, and sending it again may deliver it twice",
	       "lost after dot: text");
	ok(f.sent.len >= 11 && memcmp(f.sent.data + f.sent.len - 11, "\r\n.\r\nQUIT\r\n", 11) == 0,
	   "lost after dot: QUIT went with the dot, nothing after it");
	session_free(s);
	scripted_fini(&f);

	struct scripted g = { 0 };
	st = scripted_settings(&g);
	SCRIPT(&g, "220 mx\r\n", "250-mx\r\n", NULL);
	is_int(scripted_run(&g, &st, &env, &s), SESSION_FAILED, "lost at EHLO: failed");
	res = session_result(s);
	ok(!res->maybe_delivered && res->next_relay, "lost at EHLO: next relay");
	is_str(res->err.text,
	       "lost connection with relay " RELAY " while performing the EHLO handshake",
	       "lost at EHLO: text names the stage");
	is_str(g.sent.data, "EHLO client.example\r\n", "lost at EHLO: no QUIT");
	session_free(s);
	scripted_fini(&g);
}

static void test_protocol_errors(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	const struct session_result *res;
	struct session *s;

	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n550 mixed\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_FAILED, "malformed: failed");
	res = session_result(s);
	ok(res->err.cls == ERROR_PROTOCOL && res->next_relay, "malformed: protocol, next relay");
	is_str(f.sent.data, "EHLO client.example\r\n", "malformed: no QUIT");
	is_str(res->err.text,
	       "relay " RELAY " broke the protocol while performing the EHLO handshake: the "
	       "relay sent a multi-line reply whose lines have different codes",
	       "malformed: text");
	session_free(s);
	scripted_fini(&f);

	struct scripted g = { 0 };
	st = scripted_settings(&g);
	SCRIPT(&g, "220 mx\r\n", EHLO_BASIC, "354 what\r\n");
	is_int(scripted_run(&g, &st, &env, &s), SESSION_FAILED, "354 to MAIL: failed");
	res = session_result(s);
	ok(res->err.cls == ERROR_PROTOCOL && res->next_relay, "354 to MAIL: protocol error");
	is_str(res->err.text,
	       "relay " RELAY " sent an unexpected reply while sending MAIL FROM: 354 what",
	       "354 to MAIL: text");
	session_free(s);
	scripted_fini(&g);

	/* Long lines that never finish a reply: stopped at 64 KiB. */
	static char flood[2100];
	struct scripted h = { 0 };
	const char *replies[40];
	memset(flood, 'x', sizeof(flood) - 1);
	memcpy(flood, "250-", 4);
	memcpy(flood + 2040, "\r\n", 3);
	replies[0] = "220 mx\r\n";
	for (size_t i = 1; i < 40; i++)
		replies[i] = flood;
	st = scripted_settings(&h);
	h.replies = replies;
	h.nreplies = 40;
	is_int(scripted_run(&h, &st, &env, &s), SESSION_FAILED, "flood: failed");
	res = session_result(s);
	is_int(res->err.cls, ERROR_PROTOCOL, "flood: protocol error");
	is_str(res->err.text,
	       "relay " RELAY " sent more than 65536 bytes without completing a reply",
	       "flood: text");
	ok(h.next_reply < 40, "flood: stopped early");
	session_free(s);
	scripted_fini(&h);
}

static void test_quit_errors_ignored(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	struct session *s;

	env.nrcpts = 1;
	f.body = scripted_body1;
	SCRIPT(&f, "220 mx\r\n", EHLO_PIPE, "250 ok\r\n250 ok\r\n354 go\r\n", "250 queued\r\n",
	       "HTTP/1.0 garbage\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_DONE, "garbage to QUIT: still done");
	ok(session_result(s)->ok && session_result(s)->err.cls == ERROR_NONE,
	   "garbage to QUIT: result unchanged");
	session_free(s);
	scripted_fini(&f);

	struct scripted g = { 0 };
	struct error err = { 0 };
	st = scripted_settings(&g);
	g.body = scripted_body1;
	SCRIPT(&g, "220 mx\r\n", EHLO_PIPE, "250 ok\r\n250 ok\r\n354 go\r\n", "250 queued\r\n");
	is_int(scripted_run(&g, &st, &env, &s), SESSION_READ, "waiting for the QUIT reply");
	error_set(&err, ERROR_TEMP, "timed out");
	is_int(session_abort(s, &err, SESSION_END_HANG_UP), SESSION_DONE,
	       "timeout at QUIT: still done");
	is_int(session_result(s)->err.cls, ERROR_NONE, "timeout at QUIT: no error");
	session_free(s);
	scripted_fini(&g);
}

/* QUIT went with the end of the message: a refusal of the message reads
 * QUIT's reply and sends no second QUIT; both replies may come in one
 * read. */
static void test_quit_with_dot(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	struct session *s;

	env.nrcpts = 1;
	f.body = scripted_body1;
	SCRIPT(&f, "220 mx\r\n", EHLO_PIPE, "250 ok\r\n250 ok\r\n354 go\r\n",
	       "451 4.3.0 try later\r\n", "221 bye\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_FAILED, "451 to the dot: failed");
	ok(session_result(s)->err.cls == ERROR_TEMP &&
	       strstr(session_result(s)->err.text, "451 4.3.0 try later") != NULL,
	   "451 to the dot: temporary, quoting the relay (%s)", session_result(s)->err.text);
	ok(strstr(f.sent.data, "QUIT") != NULL &&
	       strstr(f.sent.data, "QUIT") == strrchr(f.sent.data, 'Q') &&
	       strcmp(f.sent.data + f.sent.len - 11, "\r\n.\r\nQUIT\r\n") == 0,
	   "451 to the dot: the one QUIT went with the dot");
	session_free(s);
	scripted_fini(&f);

	struct scripted g = { 0 };
	st = scripted_settings(&g);
	g.body = scripted_body1;
	SCRIPT(&g, "220 mx\r\n", EHLO_PIPE, "250 ok\r\n250 ok\r\n354 go\r\n",
	       "250 queued\r\n221 bye\r\n");
	is_int(scripted_run(&g, &st, &env, &s), SESSION_DONE, "250 and 221 in one read: done");
	ok(session_result(s)->ok && session_result(s)->last.code == 250,
	   "250 and 221 in one read: the message's reply is the result");
	session_free(s);
	scripted_fini(&g);
}

int main(void)
{
	test_plain();
	test_pipelining(false);
	test_pipelining(true);
	test_quit_with_dot();
	test_no_pipelining_when_disabled();
	test_starttls();
	test_starttls_not_offered();
	test_starttls_refused();
	test_starttls_cert_refused();
	test_starttls_modes();
	test_starttls_injection();
	test_tls_handshake_fails();
	test_helo_fallback();
	test_auth_plain();
	test_auth_long_and_empty_ir();
	test_auth_login();
	test_auth_failures();
	test_auth_temporary_or_refused();
	test_auth_not_offered();
	test_auth_abort();
	test_auth_cancel();
	test_start_refused();
	test_greeting_text();
	test_lost_connection();
	test_protocol_errors();
	test_quit_errors_ignored();
	return tap_done();
}
