/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mail/header_checks and mail/header_fix: every action of header_checks
 * and smtp_header_checks with the exact header that results, the mail log
 * records (Postfix's cleanup and smtp forms), the reasons of REJECT, a
 * folded field matched as one line with LF, a rejected message left
 * untouched; message_drop_headers, undisclosed_recipients_header and the
 * bad values of each parameter. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/error.h"
#include "base/maillog.h"
#include "conf/config.h"
#include "mail/header_checks.h"
#include "mail/header_fix.h"
#include "mail/message.h"
#include "capture.h"
#include "tap.h"

static char dir[] = "/tmp/test-headercheck.XXXXXX";
static char logpath[300];

static const char msg[] = "From: Joe <joe@example.com>\n"
			  "To: amy@example.org\n"
			  "Subject: buy now\n"
			  "X-Mailer: Spam Cannon 1.0\n"
			  "Return-Path: <x@example.com>\n"
			  "Bcc: secret@example.net\n"
			  "Content-Length: 12\n"
			  "Received: from a\n\tby b; Mon, 1 Jan 2024 00:00:00 +0000\n"
			  "\n"
			  "Body.\n";

static const char *table(const char *text)
{
	static char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/checks", dir);
	f = fopen(path, "w");
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

struct run {
	int rc;
	enum header_checks_verdict verdict;
	char redirect[256]; /* REDIRECT's address, "" when none */
	char bcc[256];	    /* BCC's addresses, each followed by a blank */
	struct error err;
	char header[2048]; /* the fields after, each with "\n" */
	char *warnings;	   /* stderr */
	char *log;	   /* the mail log records, without their prefix */
};

static char *slurp_log(void)
{
	struct buf out = { 0 };
	char line[4096];
	FILE *f = fopen(logpath, "r");

	buf_append_str(&out, "");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		/* "Mmm dd hh:mm:ss host relaymail/SERVICE[PID]: " */
		char *p = strstr(line, "relaymail/");
		char *q = p != NULL ? strstr(p, "]: ") : NULL;

		if (p != NULL && q != NULL) {
			buf_append(&out, p + 10, (size_t)(strchr(p, '[') - p - 10));
			buf_append_str(&out, ": ");
			buf_append_str(&out, q + 3);
		}
	}
	if (f != NULL)
		fclose(f);
	unlink(logpath);
	return buf_steal(&out);
}

/* Run the checks of param (table text) over message text. */
static void run(struct run *r, const char *param, const char *rules, const char *text)
{
	struct maillog_settings ls = { .name = "relaymail", .file = logpath, .hostname = "h" };
	struct header_checks_who who = { "4AB12C3", "joe@example.com", "amy@example.org" };
	struct message_opts mo = { 0 };
	struct message *m;
	struct capture cap;
	struct buf conf = { 0 };
	struct config *cfg;
	struct header_checks *hc = NULL;
	struct header_checks_result res;

	memset(r, 0, sizeof(*r));
	r->rc = -2;
	buf_printf(&conf, "%s = regexp:%s\n", param, table(rules));
	cfg = config_parse("test.cf", conf.data, conf.len, (char *[]){ NULL }, &r->err);
	buf_fini(&conf);
	m = message_from_mem(text, strlen(text), &mo, &r->err);
	maillog_init(&ls);
	capture_begin(&cap);
	if (cfg != NULL && m != NULL &&
	    (hc = header_checks_open(cfg, param,
				     strcmp(param, "smtp_header_checks") == 0
					 ? HEADER_CHECKS_SMTP
					 : HEADER_CHECKS_CLEANUP,
				     &r->err)) != NULL)
		r->rc = header_checks_apply(hc, m, &who, &res, &r->err);
	if (r->rc == 0) {
		r->verdict = res.verdict;
		snprintf(r->redirect, sizeof(r->redirect), "%s",
			 res.redirect != NULL ? res.redirect : "");
		for (size_t i = 0, n = 0; i < res.bcc.n; i++)
			n += (size_t)snprintf(r->bcc + n, sizeof(r->bcc) - n, "%s ", res.bcc.v[i]);
		header_checks_result_fini(&res);
	}
	r->warnings = capture_end(&cap);
	maillog_fini();
	r->log = slurp_log();
	for (size_t i = 0, n = 0; m != NULL && i < message_header_count(m); i++)
		n += (size_t)snprintf(r->header + n, sizeof(r->header) - n, "%s:%s\n",
				      message_header_name(m, i), message_header_value(m, i));
	header_checks_free(hc);
	message_free(m);
	config_free(cfg);
}

static void done(struct run *r)
{
	free(r->warnings);
	free(r->log);
}

static const char untouched[] = "From: Joe <joe@example.com>\n"
				"To: amy@example.org\n"
				"Subject: buy now\n"
				"X-Mailer: Spam Cannon 1.0\n"
				"Return-Path: <x@example.com>\n"
				"Bcc: secret@example.net\n"
				"Content-Length: 12\n"
				"Received: from a\r\n\tby b; Mon, 1 Jan 2024 00:00:00 +0000\n";

static void test_edit(void)
{
	struct run r;

	run(&r, "header_checks",
	    "/^Subject: (.*)/ REPLACE Subject: [SPAM] $1\n"
	    "/^X-Mailer:/ IGNORE\n"
	    "/^To:/ PREPEND X-Checked: yes\n",
	    msg);
	is_int(r.rc, 0, "REPLACE, IGNORE, PREPEND: accepted");
	is_int(r.verdict, HEADER_CHECKS_PASS, "REPLACE, IGNORE, PREPEND: sent");
	is_str(r.header,
	       "From: Joe <joe@example.com>\n"
	       "X-Checked: yes\n"
	       "To: amy@example.org\n"
	       "Subject: [SPAM] buy now\n"
	       "Return-Path: <x@example.com>\n"
	       "Bcc: secret@example.net\n"
	       "Content-Length: 12\n"
	       "Received: from a\r\n\tby b; Mon, 1 Jan 2024 00:00:00 +0000\n",
	       "REPLACE in place, IGNORE removes, PREPEND goes before the field");
	is_str(r.log,
	       "cleanup: 4AB12C3: prepend: header To: amy@example.org from local; "
	       "from=<joe@example.com> to=<amy@example.org>: X-Checked: yes\n"
	       "cleanup: 4AB12C3: replace: header Subject: buy now from local; "
	       "from=<joe@example.com> to=<amy@example.org>: Subject: [SPAM] buy now\n",
	       "REPLACE and PREPEND are logged as Postfix's cleanup logs them, IGNORE is not");
	is_str(r.warnings, "", "no warning");
	done(&r);

	run(&r, "header_checks", "/^Subject:/ STRIP\n/^From:/ DUNNO\n/^To:/ OK\n", msg);
	ok(r.rc == 0 && strstr(r.header, "Subject") == NULL && strstr(r.header, "From: Joe"),
	   "STRIP removes; DUNNO and OK keep");
	is_str(r.log,
	       "cleanup: 4AB12C3: strip: header Subject: buy now from local; "
	       "from=<joe@example.com> to=<amy@example.org>\n",
	       "STRIP is logged, without text");
	done(&r);

	run(&r, "header_checks",
	    "/^Received: from a by/ IGNORE\n/^Received: from a\\s+by b;/ STRIP\n", msg);
	ok(r.rc == 0 && strstr(r.header, "Received") == NULL,
	   "a folded field is one line, its folding kept (LF TAB)");
	ok(strstr(r.log, "strip: header Received: from a??by b;") != NULL,
	   "the LF and TAB of the folding are logged as '?', as Postfix's printable()");
	done(&r);

	run(&r, "header_checks", "/^Received: from a by b/ IGNORE\n", msg);
	is_str(r.header, untouched, "the folding is not unfolded to a blank");
	done(&r);
}

static void test_long_replace(void)
{
	char text[1400], want[1400];
	struct run r;
	int n;

	n = snprintf(text, sizeof(text), "To: a@example.org\nSubject:");
	for (int i = 0; i < 122; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, " word%03d", i);
	snprintf(text + n, sizeof(text) - (size_t)n, "\n\nx\n");
	run(&r, "header_checks",
	    "/^Subject: (.*)/ REPLACE Subject: [SUSPECTED SPAM, PLEASE CHECK] $1\n", text);
	ok(r.rc == 0, "a long REPLACE result: accepted");
	n = snprintf(want, sizeof(want),
		     "To: a@example.org\nSubject: [SUSPECTED SPAM, PLEASE CHECK]");
	for (int i = 0; i < 122; i++)
		n += snprintf(want + n, sizeof(want) - (size_t)n, "%sword%03d",
			      i == 119 ? "\r\n " : " ", i);
	snprintf(want + n, sizeof(want) - (size_t)n, "\n");
	is_str(r.header, want, "a REPLACE result longer than 998 octets is folded before a blank");
	done(&r);

	run(&r, "header_checks", "/^X-Long: (.*)/ REPLACE X-Copy: $1\n",
	    "X-Long: first\n  second\n\nx\n");
	is_str(r.header, "X-Copy: first\r\n  second\n",
	       "a REPLACE result with the folding of the field it matched: CRLF again");
	done(&r);
}

static void test_warn(void)
{
	struct run r;

	run(&r, "header_checks", "/^Subject:/ WARN looks like spam\n/^X-Mailer:/ INFO\n", msg);
	ok(r.rc == 0 && r.verdict == HEADER_CHECKS_PASS, "WARN, INFO: sent");
	is_str(r.header, untouched, "WARN, INFO: nothing changed");
	is_str(r.log,
	       "cleanup: 4AB12C3: warning: header Subject: buy now from local; "
	       "from=<joe@example.com> to=<amy@example.org>: looks like spam\n"
	       "cleanup: 4AB12C3: info: header X-Mailer: Spam Cannon 1.0 from local; "
	       "from=<joe@example.com> to=<amy@example.org>\n",
	       "WARN and INFO records");
	done(&r);

	run(&r, "smtp_header_checks", "/^Subject:/ WARN looks like spam\n", msg);
	is_str(r.log, "smtp: 4AB12C3: warning: header Subject: buy now: looks like spam\n",
	       "smtp_header_checks: the SMTP client's form");
	done(&r);
}

static void test_reject(void)
{
	struct run r;

	run(&r, "header_checks",
	    "/^To:/ REPLACE To: nobody@example.org\n/^Subject: buy/ REJECT no spam here\n", msg);
	is_int(r.rc, -1, "REJECT: refused");
	is_int(r.err.cls, ERROR_DATA, "REJECT: a data error (65)");
	is_str(r.err.text, "the message was rejected by header_checks: 5.7.1 no spam here",
	       "REJECT: the text with 5.7.1 before it");
	is_str(r.err.reply, "5.7.1 no spam here", "REJECT: the reason for a -bs reply");
	is_str(r.header, untouched, "REJECT: an earlier REPLACE is not applied, nothing changes");
	ok(strstr(r.log,
		  "cleanup: 4AB12C3: reject: header Subject: buy now from local; "
		  "from=<joe@example.com> to=<amy@example.org>: 5.7.1 no spam here\n") != NULL,
	   "REJECT: logged");
	done(&r);

	run(&r, "header_checks", "/^Subject:/ REJECT\n", msg);
	is_str(r.err.reply, "5.7.1 message content rejected", "REJECT without text");
	done(&r);

	run(&r, "header_checks", "/^Subject:/ REJECT 4.7.0 later please\n", msg);
	ok(r.rc == -1 && r.err.cls == ERROR_TEMP, "REJECT 4.x.x: try again later (75)");
	is_str(r.err.reply, "4.7.0 later please", "REJECT 4.x.x: its own code");
	done(&r);

	run(&r, "header_checks", "/^Subject:/ REJECT 2.0.0 fine\n", msg);
	ok(r.rc == -1 && r.err.cls == ERROR_TEMP, "REJECT 2.x.x: deferred, as Postfix does");
	is_str(r.err.reply, "4.0.0 fine", "REJECT 2.x.x: made 4.x.x");
	is_str(r.warnings,
	       "relaymail: warning: header_checks: bad DSN action in 2.0.0 fine -- need 4.x.x or "
	       "5.x.x\n",
	       "REJECT 2.x.x: warned");
	done(&r);

	run(&r, "header_checks", "/^Subject:/ HOLD\n", msg);
	ok(r.rc == -1 && r.err.cls == ERROR_TEMP, "HOLD: not sent, kept, 75");
	is_str(r.header, untouched, "HOLD: nothing changed");
	done(&r);

	run(&r, "header_checks", "/^Subject:/ DISCARD\n/^To:/ IGNORE\n", msg);
	ok(r.rc == 0 && r.verdict == HEADER_CHECKS_DISCARD, "DISCARD: a success, not sent");
	done(&r);

	run(&r, "smtp_header_checks", "/^Subject:/ REJECT\n/^To:/ DISCARD\n", msg);
	ok(r.rc == 0 && r.verdict == HEADER_CHECKS_PASS,
	   "smtp_header_checks: REJECT, DISCARD are not supported there");
	is_str(r.warnings,
	       "relaymail: warning: unsupported command in smtp_header_checks map: DISCARD\n"
	       "relaymail: warning: unsupported command in smtp_header_checks map: REJECT\n",
	       "smtp_header_checks: warned as Postfix's SMTP client warns");
	done(&r);
}

static void test_envelope_actions(void)
{
	struct run r;

	run(&r, "header_checks",
	    "/^From:/ REDIRECT first@example.net\n/^To:/ BCC copy@example.net\n"
	    "/^Subject:/ REDIRECT last@example.net\n/^X-Mailer:/ BCC other@example.net\n",
	    msg);
	ok(r.rc == 0 && r.verdict == HEADER_CHECKS_PASS, "REDIRECT, BCC: sent");
	is_str(r.redirect, "last@example.net", "REDIRECT: the last one wins");
	is_str(r.bcc, "copy@example.net other@example.net ", "BCC: each one, in order");
	is_str(r.header, untouched, "REDIRECT, BCC: the header unchanged");
	ok(strstr(r.log,
		  "cleanup: 4AB12C3: redirect: header From: Joe <joe@example.com> from "
		  "local; from=<joe@example.com> to=<amy@example.org>: first@example.net\n") !=
		   NULL &&
	       strstr(r.log, ": bcc: header To: amy@example.org from local; ") != NULL,
	   "REDIRECT, BCC: logged");
	done(&r);

	run(&r, "smtp_header_checks", "/^From:/ REDIRECT first@example.net\n/^To:/ FILTER x:y\n",
	    msg);
	ok(r.rc == 0 && r.redirect[0] == '\0', "smtp_header_checks: no REDIRECT");
	is_str(r.warnings,
	       "relaymail: warning: unsupported command in smtp_header_checks map: REDIRECT "
	       "first@example.net\n"
	       "relaymail: warning: unsupported command in smtp_header_checks map: FILTER x:y\n",
	       "smtp_header_checks: REDIRECT and FILTER unknown there");
	done(&r);

	run(&r, "header_checks", "/^To:/ FILTER smtp:[127.0.0.1]:10025\n", msg);
	ok(r.rc == 0 &&
	       strstr(r.warnings, "FILTER smtp:[127.0.0.1]:10025 is not supported") != NULL,
	   "FILTER: warned, ignored");
	done(&r);
}

static void test_bad_results(void)
{
	struct run r;

	run(&r, "header_checks",
	    "/^Subject:/ REPLACE no colon here\n/^To:/ PREPEND\n/^From:/ FROB it\n"
	    "/^X-Mailer:/ REDIRECT nobody\n/^Received:/ BCC\n",
	    msg);
	ok(r.rc == 0, "bad results: the message goes");
	is_str(r.header, untouched, "bad results: nothing changed");
	is_str(r.warnings,
	       "relaymail: warning: unknown command in header_checks map: FROB it\n"
	       "relaymail: warning: PREPEND action without text in header_checks map\n"
	       "relaymail: warning: bad REPLACE header text \"no colon here\" in header_checks "
	       "map -- need \"headername: headervalue\"\n"
	       "relaymail: warning: bad REDIRECT target \"nobody\" in header_checks map -- "
	       "need user@domain\n"
	       "relaymail: warning: bad BCC address \"\" in header_checks map -- need "
	       "user@domain\n",
	       "bad results: one warning each");
	done(&r);
}

/* header_fix over msg with conf; the header after drop and undisclosed. */
static int fix(const char *conf, const char *text, char *out, size_t size, struct error *err)
{
	struct message_opts mo = { 0 };
	struct header_fix f;
	struct config *cfg = config_parse("test.cf", conf, strlen(conf), (char *[]){ NULL }, err);
	struct message *m = message_from_mem(text, strlen(text), &mo, err);
	int rc = -1;

	out[0] = '\0';
	if (cfg != NULL && m != NULL && (rc = header_fix_load(cfg, &f, err)) == 0) {
		header_fix_drop(&f, m);
		rc = header_fix_undisclosed(&f, m);
		for (size_t i = 0, n = 0; i < message_header_count(m); i++)
			n += (size_t)snprintf(out + n, size - n, "%s ", message_header_name(m, i));
		header_fix_fini(&f);
	}
	message_free(m);
	config_free(cfg);
	return rc;
}

static void test_fix(void)
{
	struct error err = { 0 };
	char out[1024];

	fix("", msg, out, sizeof(out), &err);
	is_str(out, "From To Subject X-Mailer Received ",
	       "message_drop_headers default: Bcc, Content-Length, Resent-Bcc, Return-Path go");
	fix("message_drop_headers = x-mailer, RECEIVED\n", msg, out, sizeof(out), &err);
	is_str(out, "From To Subject Return-Path Bcc Content-Length ",
	       "message_drop_headers: the names listed, any case; Bcc kept when not listed");
	fix("message_drop_headers =\n", msg, out, sizeof(out), &err);
	is_str(out, "From To Subject X-Mailer Return-Path Bcc Content-Length Received ",
	       "message_drop_headers empty: nothing dropped");
	fix("undisclosed_recipients_header = To: undisclosed-recipients:;\n",
	    "Subject: x\nBcc: a@example.org\n\nx\n", out, sizeof(out), &err);
	is_str(out, "Subject To ", "undisclosed_recipients_header: added when only Bcc");
	fix("undisclosed_recipients_header = To: undisclosed-recipients:;\n",
	    "Subject: x\nResent-Cc: a@example.org\n\nx\n", out, sizeof(out), &err);
	is_str(out, "Subject Resent-Cc ", "undisclosed_recipients_header: a Resent-Cc counts");
	fix("", "Subject: x\n\nx\n", out, sizeof(out), &err);
	is_str(out, "Subject ", "undisclosed_recipients_header empty (default): nothing added");

	ok(fix("undisclosed_recipients_header = undisclosed\n", msg, out, sizeof(out), &err) < 0 &&
	       err.cls == ERROR_CONFIG &&
	       strstr(err.text, "undisclosed_recipients_header (test.cf, line 1)") != NULL,
	   "undisclosed_recipients_header not a field: refused, naming where");
	ok(fix("message_drop_headers = bcc, x:y\n", msg, out, sizeof(out), &err) < 0 &&
	       strstr(err.text, "\"x:y\"") != NULL,
	   "message_drop_headers with a colon: refused");
	ok(fix("header_from_format = fancy\n", msg, out, sizeof(out), &err) < 0 &&
	       strstr(err.text, "header_from_format") != NULL,
	   "header_from_format: only standard or obsolete");
	ok(fix("always_add_missing_headers = maybe\n", msg, out, sizeof(out), &err) < 0 &&
	       strstr(err.text, "always_add_missing_headers") != NULL,
	   "always_add_missing_headers: a boolean");
	ok(fix("header_checks = regexp:/nonexistent/checks\n", msg, out, sizeof(out), &err) < 0 &&
	       strstr(err.text, "header_checks") != NULL,
	   "header_checks: a table that cannot be opened is refused");
	ok(fix("smtp_header_checks = frob:x\n", msg, out, sizeof(out), &err) < 0 &&
	       strstr(err.text, "smtp_header_checks") != NULL,
	   "smtp_header_checks: an unknown table type is refused");
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(logpath, sizeof(logpath), "%s/maillog", dir);
	test_edit();
	test_long_replace();
	test_warn();
	test_reject();
	test_envelope_actions();
	test_bad_results();
	test_fix();
	unlink(logpath);
	unlink(table(""));
	rmdir(dir);
	return tap_done();
}
