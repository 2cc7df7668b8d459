/* SPDX-License-Identifier: GPL-3.0-or-later */
/* smtp/session, the transaction: ESMTP parameters, SIZE and SMTPUTF8
 * checks, dot-stuffing, refused recipients with and without pipelining,
 * and the verdict for a 4xx or 5xx at every stage. */
#include <config.h>

#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "scripted.h"
#include "smtp/session.h"
#include "tap.h"

static void test_size_and_utf8(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	const struct session_result *res;
	struct session *s;

	env.size = 2000000;
	SCRIPT(&f, "220 mx\r\n", EHLO_BASIC, "221 bye\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_FAILED, "too big: failed");
	res = session_result(s);
	is_str(f.sent.data, "EHLO client.example\r\nQUIT\r\n", "too big: no MAIL");
	ok(res->err.cls == ERROR_REJECTED && !res->next_relay, "too big: rejected, no next relay");
	is_int(res->failure, SESSION_FAILURE_TOO_BIG, "too big: its kind");
	is_str(res->err.text, "message size 2000000 exceeds the size limit 1000000 of relay " RELAY,
	       "too big: text");
	session_free(s);
	scripted_fini(&f);

	struct scripted g = { 0 };
	st = scripted_settings(&g);
	env.size = 0;
	env.smtputf8 = true;
	SCRIPT(&g, "220 mx\r\n", EHLO_BASIC, "221 bye\r\n");
	is_int(scripted_run(&g, &st, &env, &s), SESSION_FAILED, "SMTPUTF8 missing: failed");
	res = session_result(s);
	ok(res->err.cls == ERROR_DATA && res->next_relay, "SMTPUTF8 missing: data, next relay");
	is_str(res->err.text, "relay " RELAY " does not support SMTPUTF8, which this message needs",
	       "SMTPUTF8 missing: text");
	session_free(s);
	scripted_fini(&g);
}

/* Header-only UTF-8: SMTPUTF8 when the relay offers it, else the message
 * goes without it. A non-ASCII address needs it, and the error names it. */
static void test_smtputf8_if_offered(void)
{
	static const char *const utf8_rcpt[] = { "bob@example.net", "j\xc3\xb6rg@example.net" };
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	struct session *s;

	env.nrcpts = 1;
	env.smtputf8_if_offered = true;
	f.body = scripted_body1;
	SCRIPT(&f, "220 mx\r\n", "250-mx\r\n250-SMTPUTF8\r\n250 PIPELINING\r\n",
	       "250 ok\r\n250 ok\r\n354 go\r\n", "250 ok\r\n", "221 bye\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_DONE, "if offered, offered: done");
	is_mem(f.sent.data, f.writes[0] + f.writes[1],
	       "EHLO client.example\r\nMAIL FROM:<alice@example.org> SMTPUTF8\r\n"
	       "RCPT TO:<bob@example.net>\r\nDATA\r\n",
	       strlen("EHLO client.example\r\nMAIL FROM:<alice@example.org> SMTPUTF8\r\n"
		      "RCPT TO:<bob@example.net>\r\nDATA\r\n"),
	       "if offered, offered: MAIL FROM with SMTPUTF8");
	session_free(s);
	scripted_fini(&f);

	struct scripted g = { 0 };
	st = scripted_settings(&g);
	g.body = scripted_body1;
	SCRIPT(&g, "220 mx\r\n", EHLO_PIPE, "250 ok\r\n250 ok\r\n354 go\r\n", "250 ok\r\n",
	       "221 bye\r\n");
	is_int(scripted_run(&g, &st, &env, &s), SESSION_DONE, "if offered, not offered: done");
	is_mem(g.sent.data, g.writes[0] + g.writes[1],
	       "EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\n"
	       "RCPT TO:<bob@example.net>\r\nDATA\r\n",
	       strlen("EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\n"
		      "RCPT TO:<bob@example.net>\r\nDATA\r\n"),
	       "if offered, not offered: MAIL FROM without SMTPUTF8");
	ok(session_result(s)->ok, "if offered, not offered: delivered");
	session_free(s);
	scripted_fini(&g);

	struct scripted h = { 0 };
	st = scripted_settings(&h);
	env.rcpts = utf8_rcpt;
	env.nrcpts = 2;
	env.smtputf8 = true;
	SCRIPT(&h, "220 mx\r\n", EHLO_PIPE, "221 bye\r\n");
	is_int(scripted_run(&h, &st, &env, &s), SESSION_FAILED, "UTF-8 address: failed");
	is_str(h.sent.data, "EHLO client.example\r\nQUIT\r\n", "UTF-8 address: no MAIL");
	ok(session_result(s)->err.cls == ERROR_DATA && session_result(s)->next_relay,
	   "UTF-8 address: data error, next relay allowed");
	is_str(session_result(s)->err.text,
	       "relay " RELAY " does not support SMTPUTF8, which the non-ASCII address "
	       "<j\xc3\xb6rg@example.net> needs",
	       "UTF-8 address: the error names the address");
	session_free(s);
	scripted_fini(&h);
}

static void test_parameters(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	struct session *s;

	env.size = 1234;
	env.eightbit = true;
	env.smtputf8 = true;
	env.dsn_notify = "SUCCESS,FAILURE";
	env.dsn_ret = "HDRS";
	env.dsn_envid = "QQ314159";
	SCRIPT(
	    &f, "220 mx\r\n",
	    "250-mx\r\n250-SIZE\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-DSN\r\n250 PIPELINING\r\n");
	scripted_run(&f, &st, &env, &s);
	is_str(f.sent.data,
	       "EHLO client.example\r\n"
	       "MAIL FROM:<alice@example.org> SIZE=1234 BODY=8BITMIME SMTPUTF8 RET=HDRS "
	       "ENVID=QQ314159\r\n"
	       "RCPT TO:<bob@example.net> NOTIFY=SUCCESS,FAILURE\r\n"
	       "RCPT TO:<carol@example.net> NOTIFY=SUCCESS,FAILURE\r\n"
	       "DATA\r\n",
	       "all ESMTP parameters when announced");
	session_free(s);
	scripted_fini(&f);

	struct scripted g = { 0 };
	st = scripted_settings(&g);
	env.smtputf8 = false;
	env.nrcpts = 1;
	SCRIPT(&g, "220 mx\r\n", "250-mx\r\n250 SIZE 0\r\n");
	scripted_run(&g, &st, &env, &s);
	is_str(g.sent.data, "EHLO client.example\r\nMAIL FROM:<alice@example.org> SIZE=1234\r\n",
	       "only announced parameters; SIZE 0 is no limit");
	session_free(s);
	scripted_fini(&g);

	struct scripted h = { 0 };
	static const char *const bad[] = { "bob@example.net\r\nRSET" };
	st = scripted_settings(&h);
	env.rcpts = bad;
	SCRIPT(&h, "220 mx\r\n", "250 mx\r\n", "221 bye\r\n");
	is_int(scripted_run(&h, &st, &env, &s), SESSION_FAILED, "CRLF in address: failed");
	is_str(h.sent.data, "EHLO client.example\r\nQUIT\r\n", "CRLF in address: never sent");
	is_int(session_result(s)->err.cls, ERROR_DATA, "CRLF in address: data error");
	is_str(session_result(s)->err.text,
	       "the envelope address <bob@example.net??RSET> contains a line break",
	       "CRLF in address: text names the address");
	ok(!session_result(s)->next_relay, "CRLF in address: no next relay");
	session_free(s);
	scripted_fini(&h);
}

static void test_dot_stuffing(void)
{
	static const char *const chunks[] = { ".start\r\nline\r\n.", "dot\r\n", "..two\r\n.\r",
					      "\nend", NULL };
	static const char *const empty[] = { NULL };
	/* QUIT ends the message's group (pipelining, no connection kept). */
	static const char stuffed[] =
	    "..start\r\nline\r\n..dot\r\n...two\r\n..\r\nend\r\n.\r\nQUIT\r\n";
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	struct session *s;

	env.nrcpts = 1;
	f.body = chunks;
	SCRIPT(&f, "220 mx\r\n", EHLO_PIPE, "250 ok\r\n250 ok\r\n354 go\r\n", "250 ok\r\n",
	       "221 bye\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_DONE, "dot-stuffing: done");
	is_mem(f.sent.data + f.writes[0] + f.writes[1], f.writes[2], stuffed, strlen(stuffed),
	       "dot-stuffing across chunks, CRLF added at the end");
	session_free(s);
	scripted_fini(&f);

	struct scripted g = { 0 };
	st = scripted_settings(&g);
	g.body = empty;
	SCRIPT(&g, "220 mx\r\n", EHLO_PIPE, "250 ok\r\n250 ok\r\n354 go\r\n", "250 ok\r\n",
	       "221 bye\r\n");
	scripted_run(&g, &st, &env, &s);
	is_mem(g.sent.data + g.writes[0] + g.writes[1], g.writes[2], ".\r\nQUIT\r\n", 9,
	       "empty body: only the dot (and QUIT)");
	session_free(s);
	scripted_fini(&g);
}

static void test_big_body(void)
{
	static char chunk[40001]; /* 400 lines of 100 bytes and a NUL */
	static const char *const chunks[] = { chunk, chunk, chunk, NULL };
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	struct session *s;
	size_t body = 0;

	for (size_t i = 0; i + 100 < sizeof(chunk); i += 100) {
		memset(chunk + i, 'x', 98);
		memcpy(chunk + i + 98, "\r\n", 2);
	}
	chunk[0] = '.';
	env.nrcpts = 1;
	f.body = chunks;
	SCRIPT(&f, "220 mx\r\n", EHLO_PIPE, "250 ok\r\n250 ok\r\n354 go\r\n", "250 ok\r\n",
	       "221 bye\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_DONE, "big body: done");
	for (size_t i = 2; i < f.nwrites && i < MAX_WRITES; i++)
		body += f.writes[i];
	is_int((long long)f.nwrites, 4, "big body: flushed once at 64 KiB, then the rest");
	ok(f.writes[2] >= 65536, "big body: first piece at least 64 KiB");
	is_int((long long)body, 3 * 40000 + 3 + 3 + 6,
	       "big body: every byte, 3 dots stuffed, end, QUIT");
	session_free(s);
	scripted_fini(&f);
}

static void test_rcpt_rejected(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	const struct session_result *res;
	struct session *s;

	f.body = scripted_body1;
	SCRIPT(&f, "220 mx\r\n", EHLO_BASIC, "250 ok\r\n",
	       "550 5.1.1 <bob@example.net>: no such user\r\n", "250 2.1.5 ok\r\n", "221 bye\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_FAILED, "RCPT 550: failed");
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
	is_int(res->failure, SESSION_FAILURE_REPLY, "RCPT 550: a reply");
	is_str(res->err.reply, "550 5.1.1 <bob@example.net>: no such user",
	       "RCPT 550: the reply that decided is quoted");
	session_free(s);
	scripted_fini(&f);

	/* 5xx wins over 4xx; both named. */
	struct scripted g = { 0 };
	st = scripted_settings(&g);
	SCRIPT(&g, "220 mx\r\n", EHLO_BASIC, "250 ok\r\n", "450 4.2.0 busy\r\n",
	       "550 5.1.1 unknown\r\n", "221 bye\r\n");
	is_int(scripted_run(&g, &st, &env, &s), SESSION_FAILED, "RCPT 450+550: failed");
	res = session_result(s);
	ok(res->err.cls == ERROR_RECIPIENT && !res->next_relay, "RCPT 450+550: 5xx wins");
	is_str(res->err.text,
	       "relay " RELAY " refused the message for these recipients: <bob@example.net> "
	       "(450 4.2.0 busy), <carol@example.net> (550 5.1.1 unknown)",
	       "RCPT 450+550: both named");
	is_str(res->err.reply, "550 5.1.1 unknown", "RCPT 450+550: the deciding reply");
	session_free(s);
	scripted_fini(&g);
}

/* A relay that checks the sender at RCPT (Postfix's
 * reject_sender_login_mismatch) refuses every recipient for the sender:
 * reported as the sender refused, a verdict on the message (69). f holds
 * the script: greeting, EHLO, MAIL, the two RCPT replies, QUIT. */
static void sender_check(struct scripted *f, bool want_sender, const char *name)
{
	struct session_settings st = scripted_settings(f);
	struct session_envelope env = scripted_envelope();
	const struct session_result *res;
	struct session *s;

	f->body = scripted_body1;
	is_int(scripted_run(f, &st, &env, &s), SESSION_FAILED, "%s: failed", name);
	res = session_result(s);
	ok(res->sender_refused == want_sender, "%s: sender refused is %d", name, want_sender);
	ok(res->err.cls == (want_sender ? ERROR_REJECTED : ERROR_RECIPIENT) && !res->next_relay,
	   "%s: class", name);
	ok(strstr(res->err.text, want_sender ? "refused the envelope sender <alice@example.org>: "
					     : "refused the message for these recipients") != NULL,
	   "%s: text (%s)", name, res->err.text);
	session_free(s);
	scripted_fini(f);
}

static void test_rcpt_sender_refused(void)
{
	struct scripted a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };

	SCRIPT(&a, "220 mx\r\n", EHLO_BASIC, "250 ok\r\n",
	       "553 5.7.1 <alice@example.org>: Sender address rejected: not owned by user u\r\n",
	       "553 5.7.1 <alice@example.org>: Sender address rejected: not owned by user u\r\n",
	       "221 bye\r\n");
	sender_check(&a, true, "RCPT 553 for the sender, Postfix's words");
	SCRIPT(&b, "220 mx\r\n", EHLO_BASIC, "250 ok\r\n",
	       "550 5.7.1 <ALICE@example.org> may not send through this server\r\n",
	       "550 5.7.1 <ALICE@example.org> may not send through this server\r\n", "221 bye\r\n");
	sender_check(&b, true, "RCPT 550 quoting the sender");
	SCRIPT(&c, "220 mx\r\n", EHLO_BASIC, "250 ok\r\n",
	       "553 5.1.8 domain of the sender does not resolve\r\n", "250 2.1.5 ok\r\n",
	       "221 bye\r\n");
	sender_check(&c, true, "RCPT 553 5.1.8 (bad sender's system address)");
	SCRIPT(&d, "220 mx\r\n", EHLO_BASIC, "250 ok\r\n",
	       "550 5.1.1 <bob@example.net>: no such user\r\n",
	       "553 5.7.1 <alice@example.org>: Sender address rejected: x\r\n", "221 bye\r\n");
	sender_check(&d, false, "one refusal for the recipient: a recipient problem");
}

static void test_pipelined_rcpt_rejected(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	const struct session_result *res;
	struct session *s;

	f.body = scripted_body1;
	SCRIPT(&f, "220 mx\r\n", EHLO_PIPE,
	       "250 ok\r\n550 5.1.1 no such user\r\n250 ok\r\n354 go ahead\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_FAILED, "pipelined 550+354: failed");
	res = session_result(s);
	is_str(f.sent.data,
	       "EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\n"
	       "RCPT TO:<bob@example.net>\r\nRCPT TO:<carol@example.net>\r\nDATA\r\n",
	       "pipelined 550+354: nothing after DATA, no dot, no QUIT");
	ok(res->err.cls == ERROR_RECIPIENT && !res->next_relay, "pipelined 550+354: recipient");
	ok(res->rcpt[0].code == 550 && res->rcpt[1].code == 250, "pipelined 550+354: codes");
	is_int((long long)f.next_body, 0, "pipelined 550+354: body never asked for");
	session_free(s);
	scripted_fini(&f);

	struct scripted g = { 0 };
	st = scripted_settings(&g);
	SCRIPT(&g, "220 mx\r\n", EHLO_PIPE,
	       "250 ok\r\n550 5.1.1 no\r\n550 5.1.1 no\r\n554 5.5.1 no valid recipients\r\n",
	       "221 bye\r\n");
	is_int(scripted_run(&g, &st, &env, &s), SESSION_FAILED, "pipelined 550+554: failed");
	ok(strstr(g.sent.data, "DATA\r\nQUIT\r\n") != NULL, "pipelined 550+554: QUIT");
	is_int(session_result(s)->err.cls, ERROR_RECIPIENT, "pipelined 550+554: recipient");
	session_free(s);
	scripted_fini(&g);

	struct scripted h = { 0 };
	st = scripted_settings(&h);
	SCRIPT(&h, "220 mx\r\n", EHLO_PIPE,
	       "451 4.3.0 try later\r\n503 5.5.1 no\r\n503 5.5.1 no\r\n503 5.5.1 no\r\n",
	       "221 bye\r\n");
	is_int(scripted_run(&h, &st, &env, &s), SESSION_FAILED, "pipelined MAIL 451: failed");
	res = session_result(s);
	ok(res->err.cls == ERROR_TEMP && res->next_relay, "pipelined MAIL 451: sender verdict");
	is_int(res->stage, SESSION_STAGE_MAIL, "pipelined MAIL 451: stage MAIL");
	ok(strstr(h.sent.data, "DATA\r\nQUIT\r\n") != NULL, "pipelined MAIL 451: QUIT");
	session_free(s);
	scripted_fini(&h);
}

struct stage_case {
	const char *name;
	const char *replies[8];
	size_t n;
	enum error_class cls;
	bool next;
	enum session_stage stage;
};

static const struct stage_case stage_cases[] = {
	{ "greeting 421", { "421 4.3.2 busy\r\n" }, 1, ERROR_TEMP, true, SESSION_STAGE_GREETING },
	{ "greeting 554",
	  { "554 5.7.1 go away\r\n" },
	  1,
	  ERROR_TEMP,
	  true,
	  SESSION_STAGE_GREETING },
	{ "MAIL 451",
	  { "220 mx\r\n", EHLO_BASIC, "451 4.3.0 later\r\n" },
	  3,
	  ERROR_TEMP,
	  true,
	  SESSION_STAGE_MAIL },
	{ "MAIL 553",
	  { "220 mx\r\n", EHLO_BASIC, "553 5.7.1 no\r\n" },
	  3,
	  ERROR_REJECTED,
	  false,
	  SESSION_STAGE_MAIL },
	{ "RCPT 450",
	  { "220 mx\r\n", EHLO_BASIC, "250 ok\r\n", "450 4.2.0 busy\r\n" },
	  4,
	  ERROR_TEMP,
	  true,
	  SESSION_STAGE_RCPT },
	{ "DATA 451",
	  { "220 mx\r\n", EHLO_BASIC, "250 ok\r\n", "250 ok\r\n", "451 no\r\n" },
	  5,
	  ERROR_TEMP,
	  true,
	  SESSION_STAGE_DATA },
	{ "DATA 554",
	  { "220 mx\r\n", EHLO_BASIC, "250 ok\r\n", "250 ok\r\n", "554 no\r\n" },
	  5,
	  ERROR_REJECTED,
	  false,
	  SESSION_STAGE_DATA },
	{ "end of data 452",
	  { "220 mx\r\n", EHLO_BASIC, "250 ok\r\n", "250 ok\r\n", "354 go\r\n",
	    "452 4.3.1 full\r\n" },
	  6,
	  ERROR_TEMP,
	  true,
	  SESSION_STAGE_DOT },
	{ "end of data 554",
	  { "220 mx\r\n", EHLO_BASIC, "250 ok\r\n", "250 ok\r\n", "354 go\r\n",
	    "554 5.7.1 spam\r\n" },
	  6,
	  ERROR_REJECTED,
	  false,
	  SESSION_STAGE_DOT },
};

static void test_reply_at_each_stage(void)
{

	for (size_t i = 0; i < sizeof(stage_cases) / sizeof(stage_cases[0]); i++) {
		const struct stage_case *c = &stage_cases[i];
		const char *replies[9];
		struct scripted f = { 0 };
		struct session_settings st = scripted_settings(&f);
		struct session_envelope env = scripted_envelope();
		const struct session_result *res;
		struct session *s;
		size_t len;

		env.nrcpts = 1;
		f.body = scripted_body1;
		memcpy(replies, c->replies, c->n * sizeof(replies[0]));
		replies[c->n] = "221 bye\r\n";
		f.replies = replies;
		f.nreplies = c->n + 1;
		is_int(scripted_run(&f, &st, &env, &s), SESSION_FAILED, "%s: failed", c->name);
		res = session_result(s);
		is_int(res->err.cls, c->cls, "%s: class %s", c->name, error_class_name(c->cls));
		is_int(res->next_relay, c->next, "%s: next relay %s", c->name,
		       c->next ? "yes" : "no");
		is_int(res->stage, c->stage, "%s: stage", c->name);
		len = strlen(c->replies[c->n - 1]) - 2;
		is_mem(res->err.reply, strlen(res->err.reply), c->replies[c->n - 1], len,
		       "%s: the relay's reply recorded", c->name);
		len = f.sent.len;
		ok(len >= 6 && memcmp(f.sent.data + len - 6, "QUIT\r\n", 6) == 0, "%s: QUIT sent",
		   c->name);
		ok(f.next_reply == f.nreplies, "%s: QUIT reply read", c->name);
		session_free(s);
		scripted_fini(&f);
	}
}

static void test_abort_during_body(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = scripted_envelope();
	struct error err = { 0 };
	struct session *s;

	env.nrcpts = 1;
	SCRIPT(&f, "220 mx\r\n", EHLO_PIPE, "250 ok\r\n250 ok\r\n354 go\r\n");
	s = session_new(&st, &env);
	f.stop_at_body = true;
	is_int(scripted_drive(&f, s), SESSION_BODY, "abort in body: body asked for");
	error_set(&err, ERROR_IO, "cannot read the spool");
	is_int(session_abort(s, &err, SESSION_END_QUIT), SESSION_FAILED,
	       "abort in body: failed at once");
	ok(memcmp(f.sent.data + f.sent.len - 6, "DATA\r\n", 6) == 0,
	   "abort in body: no QUIT inside the data");
	ok(session_result(s)->err.cls == ERROR_IO && session_result(s)->next_relay,
	   "abort in body: caller's class, next relay");
	session_free(s);
	scripted_fini(&f);
}

int main(void)
{
	test_size_and_utf8();
	test_parameters();
	test_smtputf8_if_offered();
	test_dot_stuffing();
	test_big_body();
	test_rcpt_rejected();
	test_rcpt_sender_refused();
	test_pipelined_rcpt_rejected();
	test_reply_at_each_stage();
	test_abort_during_body();
	return tap_done();
}
