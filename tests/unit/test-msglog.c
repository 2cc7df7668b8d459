/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The mail log's records (app/msglog, deliver/status): Postfix's delay
 * formatting (reference/postfix.md §9.6), the delivery record, the
 * reasons in Postfix's words for every way a session ends, the three
 * settings and their bad values, and the whole sequence of one message
 * written to a file, sent, deferred and bounced. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "app/envelope.h"
#include "app/msglog.h"
#include "base/deadline.h"
#include "base/maillog.h"
#include "conf/config.h"
#include "deliver/deliver.h"
#include "deliver/status.h"
#include "mail/message.h"
#include "tap.h"

static char dir[] = "/tmp/test-msglog.XXXXXX";
static char *const noenv[] = { NULL };

static void test_delay(void)
{
	/* postfix.md §9.6, checked against Postfix's format_tv. */
	static const struct {
		int64_t usec;
		const char *want;
	} v[] = {
		{ 123, "0" },		{ 4000, "0" },	    { 5000, "0.01" },
		{ 12300, "0.01" },	{ 50000, "0.05" },  { 123000, "0.12" },
		{ 200000, "0.2" },	{ 990000, "0.99" }, { 996000, "1" },
		{ 1050000, "1.1" },	{ 1234000, "1.2" }, { 2000000, "2" },
		{ 9960000, "10" },	{ 12340000, "12" }, { 99500000, "100" },
		{ 123400000, "123" },	{ 0, "0" },	    { -5, "0" },
		{ 10000000, "10" },	{ 1000000, "1" },   { 9999000, "10" },
		{ 995000, "1" },	{ 994000, "0.99" }, { 100000, "0.1" },
		{ 3600000000, "3600" },
	};
	char out[32];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		msglog_format_delay(out, sizeof(out), v[i].usec);
		is_str(out, v[i].want, "delay %lld us is logged as %s", (long long)v[i].usec,
		       v[i].want);
	}
}

static void test_record(void)
{
	struct deliver_status st;
	struct msglog_delivery d = { .queue_id = "4968E5F6C",
				     .rcpt = "bob@example.net",
				     .relay = "smtp.example.com[192.0.2.10]:587",
				     .status = "sent",
				     .delay_us = 850000,
				     .delays_us = { 20000, 0, 550000, 276000 },
				     .st = &st };
	char line[2048];

	status_sent(&st, "250 2.0.0 Ok: queued as 4ABCDEF");
	msglog_format_delivery(line, sizeof(line), &d);
	is_str(line,
	       "4968E5F6C: to=<bob@example.net>, relay=smtp.example.com[192.0.2.10]:587, "
	       "delay=0.85, delays=0.02/0/0.55/0.28, dsn=2.0.0, status=sent (250 2.0.0 Ok: "
	       "queued as 4ABCDEF)",
	       "the delivery record of postfix.md §8.1");
	d.conn_use = 3;
	msglog_format_delivery(line, sizeof(line), &d);
	is_str(line,
	       "4968E5F6C: to=<bob@example.net>, relay=smtp.example.com[192.0.2.10]:587, "
	       "conn_use=3, delay=0.85, delays=0.02/0/0.55/0.28, dsn=2.0.0, status=sent (250 2.0.0 "
	       "Ok: queued as 4ABCDEF)",
	       "a reused connection's record has conn_use, as Postfix's");
	is_str(msglog_failure_status(ERROR_TEMP), "deferred", "exit 75 is deferred");
	is_str(msglog_failure_status(ERROR_RECIPIENT), "bounced", "exit 67 is bounced");
	is_str(msglog_failure_status(ERROR_REJECTED), "bounced", "exit 69 is bounced");
	is_str(msglog_failure_status(ERROR_AUTH), "bounced", "exit 77 is bounced");
}

static void test_dsn(void)
{
	char dsn[16];

	status_reply_dsn("250 2.0.0 Ok", "x", dsn, sizeof(dsn));
	is_str(dsn, "2.0.0", "dsn: the enhanced code");
	status_reply_dsn("550 5.1.1 <a@b>: unknown", "x", dsn, sizeof(dsn));
	is_str(dsn, "5.1.1", "dsn: 5.1.1");
	status_reply_dsn("452 4.5.3 Too many", "x", dsn, sizeof(dsn));
	is_str(dsn, "4.5.3", "dsn: 4.5.3");
	status_reply_dsn("554 go away", "x", dsn, sizeof(dsn));
	is_str(dsn, "5.0.0", "dsn: none sent, from the code");
	status_reply_dsn("550 4.1.1 mixed", "x", dsn, sizeof(dsn));
	is_str(dsn, "5.0.0", "dsn: an enhanced code of another class is not taken");
	status_reply_dsn("250 2.0.0x", "x", dsn, sizeof(dsn));
	is_str(dsn, "2.0.0", "dsn: not an enhanced code, from the code");
	status_reply_dsn("", "4.4.2", dsn, sizeof(dsn));
	is_str(dsn, "4.4.2", "dsn: no reply, the default");
}

static void test_reasons(void)
{
	static const char *const na = "mx.example[192.0.2.1]";
	struct session_result r = { 0 };
	struct deliver_status st;

	status_said(&st, na, "550 5.1.1 <x@y>: Recipient address rejected", SESSION_STAGE_RCPT);
	is_str(st.text,
	       "host mx.example[192.0.2.1] said: 550 5.1.1 <x@y>: Recipient address rejected "
	       "(in reply to RCPT TO command)",
	       "refused RCPT");
	is_str(st.dsn, "5.1.1", "refused RCPT: its dsn");
	status_said(&st, na, "554 5.7.1 spam", SESSION_STAGE_DOT);
	is_str(st.text,
	       "host mx.example[192.0.2.1] said: 554 5.7.1 spam (in reply to end of DATA command)",
	       "refused end of data");
	status_said(&st, na, "451 4.3.0 later", SESSION_STAGE_MAIL);
	is_str(st.text,
	       "host mx.example[192.0.2.1] said: 451 4.3.0 later (in reply to MAIL FROM command)",
	       "refused MAIL");
	status_said(&st, na, "554 5.3.0 no", SESSION_STAGE_DATA);
	is_str(st.text, "host mx.example[192.0.2.1] said: 554 5.3.0 no (in reply to DATA command)",
	       "refused DATA");
	status_said(&st, na, "554 go away", SESSION_STAGE_GREETING);
	is_str(st.text, "host mx.example[192.0.2.1] refused to talk to me: 554 go away",
	       "refused greeting");
	status_said(&st, na, "535 5.7.8 bad", SESSION_STAGE_AUTH);
	is_str(st.text,
	       "SASL authentication failed; server mx.example[192.0.2.1] said: 535 5.7.8 bad",
	       "refused AUTH");
	status_said(&st, na, "454 4.7.0 no TLS", SESSION_STAGE_STARTTLS);
	is_str(st.text,
	       "TLS is required, but host mx.example[192.0.2.1] refused to start TLS: 454 4.7.0 no "
	       "TLS",
	       "refused STARTTLS");
	status_connect(&st, "mx.example[192.0.2.1]:25", ECONNREFUSED);
	is_str(st.text, "connect to mx.example[192.0.2.1]:25: Connection refused",
	       "connection refused");
	is_str(st.dsn, "4.4.1", "connection refused: 4.4.1");
	status_connect(&st, "mx.example[192.0.2.1]:25", ETIMEDOUT);
	is_str(st.text, "connect to mx.example[192.0.2.1]:25: Connection timed out",
	       "connection timed out");
	status_io(&st, na, SESSION_STAGE_GREETING, false);
	is_str(st.text,
	       "lost connection with mx.example[192.0.2.1] while receiving the initial server "
	       "greeting",
	       "lost at the greeting");
	is_str(st.dsn, "4.4.2", "lost: 4.4.2");
	status_io(&st, na, SESSION_STAGE_DOT, true);
	is_str(st.text,
	       "conversation with mx.example[192.0.2.1] timed out while sending end of data -- "
	       "message may be sent more than once",
	       "timed out after the end of data");

	r.failure = SESSION_FAILURE_REPLY;
	r.stage = SESSION_STAGE_RCPT;
	r.err.cls = ERROR_RECIPIENT;
	snprintf(r.err.reply, sizeof(r.err.reply), "550 5.1.1 no such user");
	status_session(&st, &r, na, 100, 0);
	is_str(
	    st.text,
	    "host mx.example[192.0.2.1] said: 550 5.1.1 no such user (in reply to RCPT TO command)",
	    "session: the reply that decided");
	r.failure = SESSION_FAILURE_LOST;
	r.stage = SESSION_STAGE_BODY;
	status_session(&st, &r, na, 100, 0);
	is_str(st.text, "lost connection with mx.example[192.0.2.1] while sending message body",
	       "session: lost in the body");
	r.failure = SESSION_FAILURE_NO_STARTTLS;
	status_session(&st, &r, na, 100, 0);
	is_str(st.text, "TLS is required, but was not offered by host mx.example[192.0.2.1]",
	       "session: STARTTLS not offered");
	is_str(st.dsn, "4.7.4", "session: STARTTLS not offered is 4.7.4");
	r.failure = SESSION_FAILURE_TOO_BIG;
	status_session(&st, &r, na, 2000, 1000);
	is_str(st.text, "message size 2000 exceeds size limit 1000 of server mx.example[192.0.2.1]",
	       "session: too big");
	is_str(st.dsn, "5.3.4", "session: too big is 5.3.4");
	r.failure = SESSION_FAILURE_NO_SMTPUTF8;
	status_session(&st, &r, na, 100, 0);
	is_str(st.dsn, "5.6.7", "session: no SMTPUTF8 is 5.6.7");
	r.failure = SESSION_FAILURE_NO_AUTH;
	status_session(&st, &r, na, 100, 0);
	is_str(st.dsn, "4.7.0", "session: no AUTH is 4.7.0");
	r.failure = SESSION_FAILURE_PROTOCOL;
	r.stage = SESSION_STAGE_MAIL;
	snprintf(r.err.reply, sizeof(r.err.reply), "hello?");
	status_session(&st, &r, na, 100, 0);
	is_str(st.text,
	       "host mx.example[192.0.2.1] sent an invalid reply while sending MAIL FROM: hello?",
	       "session: garbage");
	r.failure = SESSION_FAILURE_LOCAL;
	r.err.cls = ERROR_CONFIG;
	status_session(&st, &r, na, 100, 0);
	is_str(st.text, "mail system configuration error", "session: a setting of ours");

	status_set(&st, "5.4.4", "x");
	status_set_class(&st, '4');
	is_str(st.dsn, "4.4.4", "a deferral's dsn starts with 4");
	status_set_class(&st, '5');
	is_str(st.dsn, "5.4.4", "a bounce's dsn starts with 5");
}

static struct config *parse(const char *text, struct error *err)
{
	return config_parse("test.cf", text, strlen(text), noenv, err);
}

static void test_settings(void)
{
	static const struct {
		const char *line, *param;
	} bad[] = {
		{ "syslog_name = relay mail", "syslog_name" },
		{ "syslog_name = relay:mail", "syslog_name" },
		{ "syslog_name = relay[1]", "syslog_name" },
		{ "syslog_name =", "syslog_name" },
		{ "syslog_facility = bogus", "syslog_facility" },
		{ "maillog_file = maillog", "maillog_file" },
	};
	struct maillog_settings s;
	struct error err = { 0 };
	struct config *cfg;
	char text[256];

	cfg = parse("myhostname = host.example.org\n", &err);
	ok(cfg != NULL && msglog_settings_load(cfg, &s, &err) == 0, "defaults load");
	if (cfg != NULL) {
		is_str(s.name, "relaymail", "syslog_name defaults to relaymail");
		is_int(s.facility, LOG_MAIL, "syslog_facility defaults to mail");
		is_str(s.file, "", "maillog_file defaults to empty: syslog");
		is_str(s.hostname, "host.example.org", "the host name is myhostname");
	}
	config_free(cfg);
	cfg = parse(
	    "myhostname = h.example\nmydomain = tiny.example\nsyslog_name = ${mydomain}-mail\n"
	    "syslog_facility = LOCAL3\nmaillog_file = /dev/stdout\n",
	    &err);
	ok(cfg != NULL && msglog_settings_load(cfg, &s, &err) == 0, "values load");
	if (cfg != NULL) {
		is_str(s.name, "tiny.example-mail", "syslog_name is expanded");
		is_int(s.facility, LOG_LOCAL3, "syslog_facility: case is ignored");
		is_str(s.file, "/dev/stdout", "maillog_file = /dev/stdout");
	}
	config_free(cfg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s\n", bad[i].line);
		error_clear(&err);
		cfg = parse(text, &err);
		ok(cfg != NULL && msglog_settings_load(cfg, &s, &err) < 0 &&
		       err.cls == ERROR_CONFIG && strstr(err.text, bad[i].param) != NULL,
		   "%s: a configuration error naming %s (%s)", bad[i].line, bad[i].param, err.text);
		config_free(cfg);
	}
}

/* Every line of path with "Mmm dd hh:mm:ss host name/service[PID]: "
 * replaced by "service: " and the queue ID by "QID", one string. */
static char *records(const char *path)
{
	FILE *f = fopen(path, "r");
	char *out = calloc(1, 65536), line[4096], qid[32] = "";
	size_t o = 0;

	while (f != NULL && out != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *svc = strstr(line, " relaymail/"), *end, *text;
		size_t qlen;

		if (svc == NULL || (end = strchr(svc, '[')) == NULL ||
		    (text = strstr(end, "]: ")) == NULL)
			continue;
		svc += strlen(" relaymail/");
		text += 3;
		qlen = strspn(text, "0123456789ABCDEF");
		if (qid[0] == '\0' && qlen > 0 && text[qlen] == ':')
			snprintf(qid, sizeof(qid), "%.*s", (int)qlen, text);
		if (qid[0] != '\0' && strncmp(text, qid, strlen(qid)) == 0) {
			o += (size_t)snprintf(out + o, 65536 - o, "%.*s: QID%s", (int)(end - svc),
					      svc, text + strlen(qid));
		} else {
			o += (size_t)snprintf(out + o, 65536 - o, "%.*s: %s", (int)(end - svc), svc,
					      text);
		}
	}
	if (f != NULL)
		fclose(f);
	return out;
}

/* One message to bob and amy through msglog_begin and msglog_end, with
 * the times set: 20 ms to arrive, 1 s of set-up, 0.5 s to send. */
static void one_message(const char *path, struct deliver_outcome *out, bool refused_first)
{
	static const char text[] = "From: Joe <joe@example.com>\nTo: bob@example.net\n"
				   "Message-ID:\n <folded@example.com>\n\nHi.\n";
	char sender[] = "joe@example.com", given[] = "joe";
	struct message_opts mo = { 0 };
	struct envelope env = { 0 };
	struct error err = { 0 };
	struct message *m;
	struct msglog ml;
	FILE *f = fopen(path, "w");

	/* Emptied, not removed: the sink keeps the file it opened. */
	if (f != NULL)
		fclose(f);
	m = message_from_mem(text, strlen(text), &mo, &err);
	if (m == NULL) {
		diag("message_from_mem: %s", err.text);
		return;
	}
	env.sender = sender;
	env.sender_given = given;
	addrlist_add(&env.rcpts, "bob@example.net");
	addrlist_add(&env.rcpts, "amy@example.net");
	msglog_begin(&ml, &env, m);
	ml.arrival_ms = 1000;
	ml.active_ms = 1020;
	out->start_ms = 1020;
	out->setup_done_ms = out->connected ? 2020 : 0;
	out->end_ms = 2520;
	if (refused_first && ml.rcpt != NULL)
		status_said(&ml.rcpt[0], "mx.example[192.0.2.1]", "550 5.1.1 no such user",
			    SESSION_STAGE_RCPT);
	msglog_end(&ml, &env, out);
	addrlist_fini(&env.rcpts);
	message_free(m);
}

static void test_sequence(void)
{
	struct maillog_settings s = { .name = "relaymail", .hostname = "client.example.org" };
	struct deliver_outcome out;
	char path[256], want[2048];
	char *got;

	snprintf(path, sizeof(path), "%s/maillog", dir);
	s.file = path;
	maillog_init(&s);

	memset(&out, 0, sizeof(out));
	out.ok = true;
	out.connected = true;
	snprintf(out.relay, sizeof(out.relay), "mx.example[192.0.2.1]:587");
	status_sent(&out.why, "250 2.0.0 Ok: queued as 4ABCDEF");
	one_message(path, &out, false);
	got = records(path);
	snprintf(want, sizeof(want),
		 "pickup: QID: uid=%lu from=<joe>\n"
		 "cleanup: QID: message-id=<folded@example.com>\n"
		 "qmgr: QID: from=<joe@example.com>, size=93, nrcpt=2 (queue active)\n"
		 "smtp: QID: to=<bob@example.net>, relay=mx.example[192.0.2.1]:587, delay=1.5, "
		 "delays=0.02/0/1/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4ABCDEF)\n"
		 "smtp: QID: to=<amy@example.net>, relay=mx.example[192.0.2.1]:587, delay=1.5, "
		 "delays=0.02/0/1/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4ABCDEF)\n"
		 "qmgr: QID: removed\n",
		 (unsigned long)getuid());
	is_str(got, want, "sent: the six records of a message to two recipients");
	free(got);

	memset(&out, 0, sizeof(out));
	out.err.cls = ERROR_TEMP;
	status_connect(&out.why, "mx.example[192.0.2.1]:25", ECONNREFUSED);
	one_message(path, &out, false);
	got = records(path);
	ok(strstr(got, "smtp: QID: to=<bob@example.net>, relay=none, delay=1.5, "
		       "delays=0.02/0/0/1.5, dsn=4.4.1, status=deferred (connect to "
		       "mx.example[192.0.2.1]:25: Connection refused)\n") != NULL,
	   "deferred: relay=none, the walk's time in d, the connection's reason");
	free(got);

	memset(&out, 0, sizeof(out));
	out.err.cls = ERROR_RECIPIENT;
	out.connected = true;
	snprintf(out.relay, sizeof(out.relay), "mx.example[192.0.2.1]:25");
	status_said(&out.why, "mx.example[192.0.2.1]", "550 5.1.1 no such user",
		    SESSION_STAGE_RCPT);
	one_message(path, &out, true);
	got = records(path);
	ok(strstr(got, "smtp: QID: to=<bob@example.net>, relay=mx.example[192.0.2.1]:25, "
		       "delay=1.5, delays=0.02/0/1/0.5, dsn=5.1.1, status=bounced (host "
		       "mx.example[192.0.2.1] said: 550 5.1.1 no such user (in reply to RCPT TO "
		       "command))\n") != NULL,
	   "bounced: the refused recipient with its reply");
	ok(strstr(got, "smtp: QID: to=<amy@example.net>, relay=mx.example[192.0.2.1]:25, "
		       "delay=1.5, delays=0.02/0/1/0.5, dsn=5.0.0, status=bounced (message not "
		       "sent: another recipient was refused)\n") != NULL,
	   "bounced: the other recipient is not sent either");
	free(got);

	memset(&out, 0, sizeof(out));
	out.err.cls = ERROR_CONFIG;
	one_message(path, &out, false);
	got = records(path);
	ok(strstr(got, "relay=none, delay=1.5, delays=0.02/0/0/1.5, dsn=5.3.5, status=bounced "
		       "(mail system configuration error)\n") != NULL,
	   "no relay involved: a reason by class, bounced as exit 78 is permanent");
	free(got);
	maillog_fini();
}

int main(void)
{
	char cmd[128];

	if (mkdtemp(dir) == NULL) {
		diag("mkdtemp: %s", strerror(errno));
		return 1;
	}
	test_delay();
	test_record();
	test_dsn();
	test_reasons();
	test_settings();
	test_sequence();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return tap_done();
}
