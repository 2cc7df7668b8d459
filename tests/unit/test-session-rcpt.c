/* SPDX-License-Identifier: GPL-3.0-or-later */
/* smtp/session, many recipients: RCPT commands pipelined in windows of
 * SESSION_RCPT_WINDOW whose replies are read before the next window, and
 * 452 "too many recipients": the message goes to the recipients the relay
 * took, then the rest follow in a new transaction on the same connection;
 * a 452 with none taken is an ordinary temporary refusal, and a failure
 * after part of the message was delivered allows no other relay. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "scripted.h"
#include "smtp/session.h"
#include "tap.h"

#define NMAX 300

static char names[NMAX][48];
static const char *rcpts[NMAX];

static struct session_envelope envelope(size_t n)
{
	struct session_envelope env = scripted_envelope();

	for (size_t i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "r%zu@example.net", i);
		rcpts[i] = names[i];
	}
	env.rcpts = rcpts;
	env.nrcpts = n;
	return env;
}

/* A growing script: replies kept in one buffer each. */
struct script {
	char *v[64];
	size_t n;
};

static void add(struct script *sc, const char *text)
{
	sc->v[sc->n++] = strdup(text);
}

/* count copies of line as one reply chunk. */
static void add_n(struct script *sc, const char *line, size_t count)
{
	struct buf b;

	buf_init(&b, 0);
	for (size_t i = 0; i < count; i++)
		buf_append_str(&b, line);
	sc->v[sc->n++] = strdup(b.data != NULL ? b.data : "");
	buf_fini(&b);
}

static void script_fini(struct script *sc)
{
	for (size_t i = 0; i < sc->n; i++)
		free(sc->v[i]);
}

/* The RCPT commands for recipients [from, to). */
static void rcpt_lines(struct buf *b, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		buf_printf(b, "RCPT TO:<r%zu@example.net>\r\n", i);
}

static void test_windows(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = envelope(250);
	struct script sc = { 0 };
	struct session *s;
	struct buf want;

	add(&sc, "220 mx\r\n");
	add(&sc, EHLO_PIPE);
	add(&sc, "250 ok\r\n");
	add_n(&sc, "250 ok\r\n", 100);
	add_n(&sc, "250 ok\r\n", 100);
	add_n(&sc, "250 ok\r\n", 50);
	add(&sc, "354 go\r\n");
	add(&sc, "250 queued\r\n");
	add(&sc, "221 bye\r\n");
	f.replies = (const char *const *)sc.v;
	f.nreplies = sc.n;
	f.body = scripted_body1;
	f.more_bodies = true;
	is_int(scripted_run(&f, &st, &env, &s), SESSION_DONE, "250 recipients: done");
	is_int((long long)f.nwrites, 5, "250 recipients: EHLO, three windows, body with QUIT");
	buf_init(&want, 0);
	buf_append_str(&want, "MAIL FROM:<alice@example.org>\r\n");
	rcpt_lines(&want, 0, 100);
	ok(f.nwrites > 1 && f.writes[1] == want.len &&
	       memcmp(f.sent.data + f.writes[0], want.data, want.len) == 0,
	   "first window: MAIL and 100 RCPT, no DATA");
	buf_reset(&want);
	rcpt_lines(&want, 200, 250);
	buf_append_str(&want, "DATA\r\n");
	ok(f.nwrites > 3 && f.writes[3] == want.len &&
	       memcmp(f.sent.data + f.writes[0] + f.writes[1] + f.writes[2], want.data, want.len) ==
		   0,
	   "last window: the last 50 RCPT and DATA");
	ok(session_result(s)->ok, "250 recipients: ok");
	is_int((long long)session_result(s)->ndelivered, 250, "250 recipients: all delivered");
	ok(session_result(s)->rcpt[249].delivered, "the last recipient is delivered");
	buf_fini(&want);
	session_free(s);
	scripted_fini(&f);
	script_fini(&sc);
}

static void test_too_many(bool pipelining)
{
	const char *how = pipelining ? "pipelined" : "one by one";
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = envelope(5);
	struct script sc = { 0 };
	const struct session_result *res;
	struct session *s;

	add(&sc, "220 mx\r\n");
	add(&sc, pipelining ? EHLO_PIPE : EHLO_BASIC);
	if (pipelining) {
		add(&sc, "250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n"
			 "452 4.5.3 Error: too many recipients\r\n"
			 "452 4.5.3 Error: too many recipients\r\n354 go\r\n");
		add(&sc, "250 queued as A\r\n");
		add(&sc, "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n");
	} else {
		add(&sc, "250 ok\r\n");
		add(&sc, "250 ok\r\n");
		add(&sc, "250 ok\r\n");
		add(&sc, "250 ok\r\n");
		add(&sc, "452 4.5.3 Error: too many recipients\r\n");
		add(&sc, "354 go\r\n");
		add(&sc, "250 queued as A\r\n");
		add(&sc, "250 ok\r\n");
		add(&sc, "250 ok\r\n");
		add(&sc, "250 ok\r\n");
		add(&sc, "354 go\r\n");
	}
	add(&sc, "250 queued as B\r\n");
	add(&sc, "221 bye\r\n");
	f.replies = (const char *const *)sc.v;
	f.nreplies = sc.n;
	f.body = scripted_body1;
	f.more_bodies = true;
	is_int(scripted_run(&f, &st, &env, &s), SESSION_DONE, "452 %s: done", how);
	/* Pipelined, r4 went in the group before the 452 came; one by one,
	 * nothing follows the 452 but DATA. */
	is_str(f.sent.data,
	       pipelining ? "EHLO client.example\r\n"
			    "MAIL FROM:<alice@example.org>\r\n"
			    "RCPT TO:<r0@example.net>\r\nRCPT TO:<r1@example.net>\r\n"
			    "RCPT TO:<r2@example.net>\r\nRCPT TO:<r3@example.net>\r\n"
			    "RCPT TO:<r4@example.net>\r\nDATA\r\n"
			    "Subject: hi\r\n\r\nhello\r\n.\r\n"
			    "MAIL FROM:<alice@example.org>\r\n"
			    "RCPT TO:<r3@example.net>\r\nRCPT TO:<r4@example.net>\r\nDATA\r\n"
			    "Subject: hi\r\n\r\nhello\r\n.\r\n"
			    "QUIT\r\n"
			  : "EHLO client.example\r\n"
			    "MAIL FROM:<alice@example.org>\r\n"
			    "RCPT TO:<r0@example.net>\r\nRCPT TO:<r1@example.net>\r\n"
			    "RCPT TO:<r2@example.net>\r\nRCPT TO:<r3@example.net>\r\n"
			    "DATA\r\n"
			    "Subject: hi\r\n\r\nhello\r\n.\r\n"
			    "MAIL FROM:<alice@example.org>\r\n"
			    "RCPT TO:<r3@example.net>\r\nRCPT TO:<r4@example.net>\r\nDATA\r\n"
			    "Subject: hi\r\n\r\nhello\r\n.\r\n"
			    "QUIT\r\n",
	       "452 %s: the message to r0-r2, then MAIL again for r3 and r4", how);
	res = session_result(s);
	ok(res->ok, "452 %s: ok in the end", how);
	is_int((long long)res->ndelivered, 5, "452 %s: every recipient delivered", how);
	is_str(res->last.text, "queued as B", "452 %s: the last transaction's reply", how);
	ok(res->rcpt[3].delivered && res->rcpt[4].delivered && !res->rcpt[3].deferred,
	   "452 %s: deferred recipients delivered in the second transaction", how);
	session_free(s);
	scripted_fini(&f);
	script_fini(&sc);
}

static void test_452_first(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = envelope(2);
	struct session *s;

	SCRIPT(&f, "220 mx\r\n", EHLO_PIPE,
	       "250 ok\r\n452 4.3.1 Insufficient system storage\r\n"
	       "452 4.3.1 Insufficient system storage\r\n554 5.5.1 no valid recipients\r\n",
	       "221 bye\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_FAILED, "452 with none taken: failed");
	is_int(session_result(s)->err.cls, ERROR_TEMP, "452 with none taken: temporary");
	ok(session_result(s)->next_relay, "452 with none taken: the next relay may try");
	is_int((long long)session_result(s)->ndelivered, 0, "452 with none taken: none delivered");
	is_str(f.sent.data,
	       "EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\n"
	       "RCPT TO:<r0@example.net>\r\nRCPT TO:<r1@example.net>\r\nDATA\r\nQUIT\r\n",
	       "452 with none taken: QUIT, no second MAIL");
	session_free(s);
	scripted_fini(&f);
}

static void test_fail_after_part(void)
{
	struct scripted f = { 0 };
	struct session_settings st = scripted_settings(&f);
	struct session_envelope env = envelope(3);
	const struct session_result *res;
	struct session *s;

	f.body = scripted_body1;
	f.more_bodies = true;
	SCRIPT(&f, "220 mx\r\n", EHLO_PIPE,
	       "250 ok\r\n250 ok\r\n452 4.5.3 too many\r\n452 4.5.3 too many\r\n354 go\r\n",
	       "250 queued as A\r\n", "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n",
	       "451 4.3.0 try later\r\n", "221 bye\r\n");
	is_int(scripted_run(&f, &st, &env, &s), SESSION_FAILED, "fail after part: failed");
	res = session_result(s);
	is_int((long long)res->ndelivered, 1, "fail after part: one recipient delivered");
	ok(res->rcpt[0].delivered && !res->rcpt[1].delivered && !res->rcpt[2].delivered,
	   "fail after part: which one");
	is_int(res->err.cls, ERROR_TEMP, "fail after part: the 451 is temporary");
	ok(!res->next_relay, "fail after part: no other relay (it would deliver r0 twice)");
	session_free(s);
	scripted_fini(&f);
}

int main(void)
{
	test_windows();
	test_too_many(true);
	test_too_many(false);
	test_452_first();
	test_fail_after_part();
	return tap_done();
}
