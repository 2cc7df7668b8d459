/* SPDX-License-Identifier: GPL-3.0-or-later */
/* app/envelope: what the content asks of the session (BODY=8BITMIME from
 * the content or -B, SMTPUTF8 required or only when offered, A-labels,
 * smtputf8_enable = no) and the From it adds (RFC 2047 for a name that is
 * not ASCII, quoting, the null sender), with exact values; address
 * literals of the host as local domains. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/envelope.h"
#include "app/submit.h"
#include "base/log.h"
#include "conf/config.h"
#include "mail/message.h"
#include "capture.h"
#include "tap.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define CONF "myorigin = example.org\nmyhostname = host.example.org\nalias_maps =\n"

static const char ascii_msg[] = "Subject: plain\n\nHello.\n";
static const char body8_msg[] = "Subject: plain\n\nGr\xc3\xbc\xc3\x9f"
				"e.\n";
static const char head8_msg[] = "Subject: Gr\xc3\xbc\xc3\x9f"
				"e\n\nHello.\n";

struct run {
	int rc;
	struct envelope env;
	struct error err;
	char from[512];	 /* the From value, "" when none */
	char names[512]; /* the field names in order, space-separated */
	char *warnings;	 /* what went to stderr */
};

/* Build the envelope for argv over msg and conf (CONF when NULL). */
static void build(struct run *r, char **argv, const char *msg, const char *conf)
{
	struct message_opts mo = { 0 };
	struct envelope_settings set;
	struct locality *loc = NULL;
	struct submission sub;
	struct capture cap;
	struct options o;
	struct config *cfg;
	struct message *m;
	const char *from;
	int argc = 0;

	memset(r, 0, sizeof(*r));
	r->rc = -1;
	conf = conf != NULL ? conf : CONF;
	while (argv[argc] != NULL)
		argc++;
	if (cli_parse(argc, argv, &o, &r->err) < 0)
		return;
	cfg = config_parse("test.cf", conf, strlen(conf), (char *[]){ NULL }, &r->err);
	m = message_from_mem(msg, strlen(msg), &mo, &r->err);
	submit_from_options(&o, &sub);
	if (cfg != NULL && m != NULL) {
		capture_begin(&cap);
		if ((loc = locality_new(cfg, &r->err)) != NULL &&
		    envelope_settings_load(cfg, loc, &set, &r->err) == 0) {
			r->rc = envelope_build(&set, &sub, m, &r->env, &r->err);
			envelope_settings_fini(&set);
		}
		locality_free(loc);
		r->warnings = capture_end(&cap);
		from = message_header_find(m, "From");
		snprintf(r->from, sizeof(r->from), "%s", from != NULL ? from : "");
		for (size_t i = 0, n = 0; i < message_header_count(m) && n < sizeof(r->names); i++)
			n += (size_t)snprintf(r->names + n, sizeof(r->names) - n, "%s%s",
					      i ? " " : "", message_header_name(m, i));
	}
	message_free(m);
	config_free(cfg);
}

static void done(struct run *r)
{
	if (r->rc == 0)
		envelope_fini(&r->env);
	free(r->warnings);
}

static void test_eightbit(void)
{
	struct run r;

	build(&r, ARGV("sendmail", "-f", "me@example.org", "to@example.net"), ascii_msg, NULL);
	ok(r.rc == 0 && !r.env.eightbit && !r.env.smtputf8 && !r.env.smtputf8_if_offered,
	   "ASCII: no BODY=8BITMIME, no SMTPUTF8");
	done(&r);
	build(&r, ARGV("sendmail", "-f", "me@example.org", "to@example.net"), body8_msg, NULL);
	ok(r.rc == 0 && r.env.eightbit && !r.env.smtputf8_if_offered,
	   "8-bit body: BODY=8BITMIME, no SMTPUTF8 (the header is ASCII)");
	done(&r);
	build(&r, ARGV("sendmail", "-B", "8BITMIME", "-f", "me@example.org", "to@example.net"),
	      ascii_msg, NULL);
	ok(r.rc == 0 && r.env.eightbit, "-B 8BITMIME with ASCII content: BODY=8BITMIME as asked");
	done(&r);
	build(&r, ARGV("sendmail", "-B", "7BIT", "-f", "me@example.org", "to@example.net"),
	      body8_msg, NULL);
	ok(r.rc == 0 && r.env.eightbit, "-B 7BIT with an 8-bit body: declared all the same");
	is_str(r.warnings,
	       "relaymail: warning: -B 7BIT was given, but the message holds 8-bit data; it is "
	       "sent as BODY=8BITMIME\n",
	       "-B 7BIT with an 8-bit body: one warning");
	done(&r);
	build(&r, ARGV("sendmail", "-B", "7BIT", "-f", "me@example.org", "to@example.net"),
	      ascii_msg, NULL);
	ok(r.rc == 0 && !r.env.eightbit, "-B 7BIT with ASCII content: nothing to declare");
	is_str(r.warnings, "", "-B 7BIT with ASCII content: no warning");
	done(&r);
}

static void test_smtputf8(void)
{
	struct run r;

	build(&r, ARGV("sendmail", "-f", "me@example.org", "to@example.net"), head8_msg, NULL);
	ok(r.rc == 0 && r.env.eightbit && !r.env.smtputf8 && r.env.smtputf8_if_offered,
	   "UTF-8 header only: SMTPUTF8 when offered, not required");
	done(&r);
	build(&r, ARGV("sendmail", "-f", "me@example.org", "to@example.net"), head8_msg,
	      CONF "smtputf8_autodetect_classes = smtpd, verify\n");
	ok(r.rc == 0 && r.env.eightbit && !r.env.smtputf8 && !r.env.smtputf8_if_offered,
	   "smtputf8_autodetect_classes without sendmail: a UTF-8 header asks nothing");
	done(&r);
	build(&r, ARGV("sendmail", "-f", "me@example.org", "to@example.net"), head8_msg,
	      CONF "smtputf8_autodetect_classes = all\n");
	ok(r.rc == 0 && r.env.smtputf8_if_offered,
	   "smtputf8_autodetect_classes = all: as sendmail");
	done(&r);
	build(&r, ARGV("sendmail", "-f", "me@example.org", "to@example.net"), head8_msg,
	      CONF "smtputf8_autodetect_classes = sendmail, everything\n");
	ok(r.rc == -1 && strstr(r.err.text, "smtputf8_autodetect_classes") != NULL,
	   "an unknown class is a configuration error");
	done(&r);
	build(&r, ARGV("sendmail", "-O", "smtputf8=yes", "-f", "me@example.org", "to@example.net"),
	      ascii_msg, NULL);
	ok(r.rc == 0 && r.env.smtputf8, "-O smtputf8=yes: SMTPUTF8 required");
	done(&r);
	build(&r, ARGV("sendmail", "-f", "me@example.org", "j\xc3\xb6rg@example.net"), head8_msg,
	      NULL);
	ok(r.rc == 0 && r.env.smtputf8 && !r.env.smtputf8_if_offered,
	   "UTF-8 local part: SMTPUTF8 required");
	is_str(r.rc == 0 ? r.env.rcpts.v[0] : "", "j\xc3\xb6rg@example.net",
	       "UTF-8 local part: the address kept as it is");
	done(&r);
	build(&r,
	      ARGV("sendmail", "-f",
		   "me@b\xc3\xbc"
		   "cher.example",
		   "bob@b\xc3\xbc"
		   "cher.example"),
	      ascii_msg, NULL);
	ok(r.rc == 0 && !r.env.smtputf8 && !r.env.smtputf8_if_offered,
	   "UTF-8 domains only: no SMTPUTF8");
	is_str(r.rc == 0 ? r.env.sender : "", "me@xn--bcher-kva.example",
	       "sender domain as A-label");
	is_str(r.rc == 0 ? r.env.rcpts.v[0] : "", "bob@xn--bcher-kva.example",
	       "recipient domain as A-label");
	done(&r);
	build(&r, ARGV("sendmail", "-O", "smtputf8=yes", "-f", "me@example.org", "to@example.net"),
	      head8_msg, CONF "smtputf8_enable = no\n");
	ok(r.rc == 0 && !r.env.smtputf8 && !r.env.smtputf8_if_offered,
	   "smtputf8_enable = no: neither -O smtputf8=yes nor the header asks for SMTPUTF8");
	done(&r);
	build(&r, ARGV("sendmail", "-f", "me@example.org", "j\xc3\xb6rg@example.net"), ascii_msg,
	      CONF "smtputf8_enable = no\n");
	ok(r.rc == -1 && r.err.cls == ERROR_DATA,
	   "smtputf8_enable = no, UTF-8 local part: data error");
	is_str(r.err.text,
	       "the address <j\xc3\xb6rg@example.net> needs SMTPUTF8, which smtputf8_enable = no "
	       "(test.cf, line 4) turns off",
	       "smtputf8_enable = no, UTF-8 local part: the error names address and parameter");
	done(&r);
}

static void test_from(void)
{
	struct run r;

	build(&r,
	      ARGV("sendmail", "-F", "J\xc3\xb6rg M\xc3\xbcller", "-f", "me@example.org", "x@y"),
	      ascii_msg, NULL);
	is_str(r.from, " =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <me@example.org>",
	       "-F not ASCII: an RFC 2047 encoded-word");
	ok(!r.env.smtputf8_if_offered, "-F not ASCII: the header stays ASCII");
	done(&r);
	build(&r,
	      ARGV("sendmail", "-F",
		   "\xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e \xe3\x81\xae\xe3\x83\x86\xe3"
		   "\x82\xb9\xe3\x83\x88\xe9\x80\x81\xe4\xbf\xa1",
		   "-f", "yamada@example.jp", "x@y"),
	      ascii_msg, NULL);
	is_str(r.from,
	       " =?UTF-8?Q?=E5=B1=B1=E7=94=B0=E5=A4=AA=E9=83=8E_=E3=81=AE=E3=83=86?=\r\n"
	       " =?UTF-8?Q?=E3=82=B9=E3=83=88=E9=80=81=E4=BF=A1?= <yamada@example.jp>",
	       "a long name: two encoded-words of at most 75, folded, cut between characters");
	done(&r);
	build(&r, ARGV("sendmail", "-F", "Full, Name", "-f", "me@example.org", "x@y"), ascii_msg,
	      NULL);
	is_str(r.from, " \"Full, Name\" <me@example.org>", "-F with a comma: quoted");
	done(&r);
	build(&r, ARGV("sendmail", "-F", "", "-f", "me@example.org", "x@y"), ascii_msg, NULL);
	is_str(r.from, " me@example.org", "no name: the address alone, as Postfix writes it");
	done(&r);
	build(&r, ARGV("sendmail", "-F", "Someone", "-f", "<>", "x@y"), ascii_msg, NULL);
	is_str(r.from, " MAILER-DAEMON", "null sender: MAILER-DAEMON, no name (Postfix cleanup)");
	done(&r);
}

/* Missing fields are added as Postfix's cleanup adds them: Message-Id,
 * Date, From; for a resent message, their Resent- versions. */
static void test_added_fields(void)
{
	struct run r;

	build(&r, ARGV("sendmail", "-f", "me@example.org", "x@y"), ascii_msg, NULL);
	is_str(r.names, "Subject Message-Id Date From", "the fields added, in Postfix's order");
	done(&r);
	build(&r, ARGV("sendmail", "-f", "me@example.org", "x@y"),
	      "From: a@example.org\nResent-To: b@example.org\nResent-Bcc: c@example.org\n\nHi\n",
	      NULL);
	is_str(r.names, "From Resent-To Resent-Message-Id Resent-Date Resent-From",
	       "a resent message gets Resent-Message-Id, Resent-Date and Resent-From");
	done(&r);
	build(&r, ARGV("sendmail", "-f", "me@example.org", "x@y"),
	      "Resent-Bcc: c@example.org\n\nHi\n", NULL);
	is_str(r.names, "Resent-Message-Id Resent-Date Resent-From",
	       "a Resent-Bcc that goes still makes the message resent");
	done(&r);
}

/* The recipients joined by spaces, "(error CLASS: text)" when the build
 * failed. */
static char *rcpts_of(const struct run *r)
{
	char text[2048] = "";
	size_t n = 0;

	if (r->rc < 0)
		snprintf(text, sizeof(text), "(error %s: %s)", error_class_name(r->err.cls),
			 r->err.text);
	for (size_t i = 0; r->rc == 0 && i < r->env.rcpts.n && n < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s", i ? " " : "",
				      r->env.rcpts.v[i]);
	return strdup(text);
}

/* Address literals of inet_interfaces and proxy_interfaces are local
 * domains: aliases and the bare local part in canonical maps. */
static void test_literals(void)
{
	const char *conf = "myorigin = example.org\nmyhostname = host.example.org\n"
			   "alias_maps = inline:{ {root = admin@example.net} }\n"
			   "inet_interfaces = 127.0.0.1\nproxy_interfaces = [2001:db8::25]\n"
			   "recipient_canonical_maps = inline:{ {joe = joe@example.net} }\n";
	struct run r;
	char *got;

	build(&r,
	      ARGV("sendmail", "-f", "me@example.org", "root@[127.0.0.1]",
		   "joe@[IPv6:2001:db8::25]", "joe@[192.0.2.3]", "joe@[IPv6:2001:db8::26]"),
	      ascii_msg, conf);
	got = rcpts_of(&r);
	is_str(got, "admin@example.net joe@example.net joe@[192.0.2.3] joe@[IPv6:2001:db8::26]",
	       "address literals: own ones are local, others are not");
	free(got);
	done(&r);
	build(&r, ARGV("sendmail", "-f", "me@example.org", "root@example.com"), ascii_msg,
	      CONF "inet_interfaces = 127.0.0.1 [::1\n");
	got = rcpts_of(&r);
	is_str(
	    got,
	    "(error config: inet_interfaces (test.cf, line 4): \"[::1\" is neither an IP address "
	    "nor a host name)",
	    "a bad inet_interfaces entry: ERROR_CONFIG naming parameter and line");
	free(got);
	done(&r);
}

/* An address that a table gave and that cannot be used is the
 * configuration's error (451 under -bs, not 554), and its text, which a
 * -bs client reads, names the tables and the address asked about, never
 * the table's contents: those go to a warning. */
static void test_table_gave_bad(void)
{
	char big[300], conf[2048], given[400];
	struct run r;
	char *got;

	/* "secret" and more: a local part past 254 octets. */
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "secret", 6);
	big[sizeof(big) - 1] = '\0';
	snprintf(conf, sizeof(conf),
		 "myorigin = example.org\nmyhostname = host.example.org\n"
		 "alias_maps = inline:{ {root = a%s@example.net} }\n"
		 "recipient_canonical_maps = inline:{ {joe@example.org = b%s@example.net} }\n"
		 "sender_canonical_maps = inline:{ {me@example.org = c%s@example.net} }\n",
		 big, big, big);

	build(&r, ARGV("sendmail", "-f", "you@example.org", "root"), ascii_msg, conf);
	got = rcpts_of(&r);
	is_str(got, "(error config: alias_maps gave an invalid address for <root@example.org>)",
	       "bad alias result: ERROR_CONFIG, no table contents");
	ok(r.warnings != NULL &&
	       strstr(r.warnings, "warning: alias_maps: invalid address") != NULL &&
	       strstr(r.warnings, "asecretxxx") != NULL,
	   "bad alias result: the details in a warning");
	free(got);
	done(&r);
	build(&r, ARGV("sendmail", "-f", "you@example.org", "joe"), ascii_msg, conf);
	got = rcpts_of(&r);
	is_str(got,
	       "(error config: recipient_canonical_maps or canonical_maps gave an invalid address "
	       "for <joe@example.org>)",
	       "bad canonical recipient: ERROR_CONFIG, no table contents");
	free(got);
	done(&r);
	build(&r, ARGV("sendmail", "-f", "me@example.org", "x@example.net"), ascii_msg, conf);
	got = rcpts_of(&r);
	is_str(got,
	       "(error config: sender_canonical_maps or canonical_maps gave an invalid address "
	       "for <me@example.org>)",
	       "bad canonical sender: ERROR_CONFIG, no table contents");
	free(got);
	done(&r);
	snprintf(given, sizeof(given), "d%s@example.net", big);
	build(&r, ARGV("sendmail", "-f", "you@example.org", given), ascii_msg, conf);
	got = rcpts_of(&r);
	is_str(strstr(got, "\": it is"), "\": it is longer than 254 bytes)",
	       "a bad recipient as given is the caller's error, quoted");
	ok(r.rc < 0 && r.err.cls == ERROR_USAGE, "... ERROR_USAGE (554 under -bs)");
	free(got);
	done(&r);
}

/* header_from_format, message_drop_headers, undisclosed_recipients_header
 * and header_checks as envelope_build applies them. */
static void test_cleanup_settings(void)
{
	static const char rules[] = "/tmp/test-envelope-checks";
	char conf[512];
	struct run r;
	FILE *f;

	build(&r,
	      ARGV("sendmail", "-F", "Joe (Q) Public", "-f", "joe@example.org", "a@example.net"),
	      ascii_msg, CONF "header_from_format = obsolete\n");
	is_str(r.from, " joe@example.org (Joe (Q) Public)", "obsolete: addr (Full Name)");
	done(&r);
	build(&r, ARGV("sendmail", "-F", "Joe) \\", "-f", "joe@example.org", "a@example.net"),
	      ascii_msg, CONF "header_from_format = obsolete\n");
	is_str(r.from, " joe@example.org (Joe )", "obsolete: a stray ')' and a final '\\' dropped");
	done(&r);
	build(&r, ARGV("sendmail", "-F", "J\xc3\xb6rg", "-f", "joe@example.org", "a@example.net"),
	      ascii_msg, CONF "header_from_format = obsolete\n");
	is_str(r.from, " joe@example.org (=?UTF-8?Q?J=C3=B6rg?=)", "obsolete: encoded-words");
	done(&r);
	build(&r, ARGV("sendmail", "-F", "Joe", "-f", "joe@example.org", "a@example.net"),
	      "Subject: x\nBcc: b@example.net\nReturn-Path: <x@y>\nX-A: 1\n\nx\n",
	      CONF "undisclosed_recipients_header = To: undisclosed-recipients:;\n"
		   "message_drop_headers = bcc, x-a\n");
	is_str(r.names, "Subject Return-Path Message-Id Date From To",
	       "message_drop_headers as set; the undisclosed To added last");
	done(&r);

	f = fopen(rules, "w");
	if (f != NULL) {
		fputs("/^Subject: discard/ DISCARD\n/^Subject: reject/ REJECT go away\n"
		      "/^X-A:/ REPLACE Bcc: c@example.net\n/^X-B:/ BCC copy@example.net\n"
		      "/^X-R:/ REDIRECT z@example.net\n/^X-P:/ PREPEND Bcc: p@example.net\n"
		      "/^X-D:/ PREPEND Date: Tue, 02 Jan 2024 12:00:00 +0000\n",
		      f);
		fclose(f);
	}
	snprintf(conf, sizeof(conf), CONF "header_checks = regexp:%s\n", rules);
	build(&r, ARGV("sendmail", "-f", "joe@example.org", "a@example.net"),
	      "Subject: discard me\n\nx\n", conf);
	ok(r.rc == 0 && r.env.discard, "DISCARD: built, marked not to be sent");
	done(&r);
	build(&r, ARGV("sendmail", "-f", "joe@example.org", "a@example.net"),
	      "Subject: reject me\n\nx\n", conf);
	ok(r.rc < 0 && r.err.cls == ERROR_DATA, "REJECT: a data error");
	is_str(r.names, "Subject", "REJECT: no field added");
	done(&r);
	build(&r, ARGV("sendmail", "-t", "-f", "joe@example.org"),
	      "Subject: x\nTo: a@example.net\nX-A: 1\n\nx\n", conf);
	is_str(r.names, "Subject To Message-Id Date From",
	       "-t; a REPLACE into Bcc is dropped by message_drop_headers");
	is_str(r.rc == 0 ? r.env.rcpts.v[0] : "", "a@example.net",
	       "-t: the recipients as before header_checks, no c@example.net");
	done(&r);
	build(&r, ARGV("sendmail", "-f", "joe@example.org", "a@example.net", "b@example.net"),
	      "Subject: x\nX-B: 1\n\nx\n", conf);
	is_int(r.rc == 0 ? (long long)r.env.rcpts.n : -1, 3, "BCC: one recipient more");
	is_str(r.rc == 0 ? r.env.rcpts.v[2] : "", "copy@example.net", "BCC: added last");
	done(&r);
	build(&r, ARGV("sendmail", "-f", "joe@example.org", "a@example.net", "b@example.net"),
	      "Subject: x\nX-B: 1\nX-R: 1\n\nx\n", conf);
	ok(r.rc == 0 && r.env.rcpts.n == 1 && strcmp(r.env.rcpts.v[0], "z@example.net") == 0,
	   "REDIRECT: the only recipient, a BCC one too");
	done(&r);
	build(&r, ARGV("sendmail", "-f", "joe@example.org", "a@example.net"),
	      "Subject: x\nX-P: 1\nX-D: 1\n\nx\n", conf);
	is_str(r.names, "Subject Bcc X-P Date X-D Message-Id Date From",
	       "PREPEND: not dropped, and not counted as present (a second Date), as in Postfix");
	done(&r);
	unlink(rules);
}

int main(void)
{
	log_init("relaymail", 0);
	test_added_fields();
	test_eightbit();
	test_smtputf8();
	test_from();
	test_literals();
	test_table_gave_bad();
	test_cleanup_settings();
	return tap_done();
}
