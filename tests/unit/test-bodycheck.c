/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mail/body_checks: body_checks, mime_header_checks and
 * nested_header_checks (and the smtp_ forms) over whole messages, with
 * the exact body that results and the mail log records; the MIME walk
 * into attached messages, Postfix's 2048-octet pieces and
 * body_checks_size_limit per body segment, a rejected message left as it
 * came; and sendmail_fix_line_endings in the intake. The same cases
 * against Postfix itself are in tests/bodychecks.sh. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/error.h"
#include "base/maillog.h"
#include "conf/config.h"
#include "mail/body_checks.h"
#include "mail/header_checks.h"
#include "mail/intake.h"
#include "mail/message.h"
#include "capture.h"
#include "tap.h"

static char dir[] = "/tmp/test-bodycheck.XXXXXX";
static char logpath[300];

struct run {
	int rc;
	enum header_checks_verdict verdict;
	struct error err;
	struct buf body; /* the body after, CRLF as LF */
	char *warnings;	 /* stderr */
	char *log;	 /* the mail log records, without their prefix */
};

/* conf: main.cf lines, with %T for the folder of the tables; each table
 * is a file named after what follows %T/ (written from tables: "name",
 * "text", ..., NULL). */
static struct config *config_with(const char *conf, const char *const *tables, struct error *err)
{
	struct buf text = { 0 };
	struct config *cfg;

	for (size_t i = 0; tables != NULL && tables[i] != NULL; i += 2) {
		char path[400];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, tables[i]);
		if ((f = fopen(path, "w")) != NULL) {
			fputs(tables[i + 1], f);
			fclose(f);
		}
	}
	for (const char *p = conf; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 'T') {
			buf_append_str(&text, dir);
			p++;
		} else {
			buf_append(&text, p, 1);
		}
	}
	cfg = config_parse("test.cf", text.data, text.len, (char *[]){ NULL }, err);
	buf_fini(&text);
	return cfg;
}

static char *slurp_log(void)
{
	struct buf out = { 0 };
	char line[4096];
	FILE *f = fopen(logpath, "r");

	buf_append_str(&out, "");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
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

/* The body of m, its CRLFs as LF. */
static void body_of(const struct message *m, struct buf *out)
{
	struct message_cursor *c = malloc(sizeof(*c));
	struct error err = { 0 };
	struct buf all = { 0 };
	const char *p, *start;
	ssize_t n;

	message_rewind(m, c);
	while ((n = message_next(m, c, &p, &err)) > 0)
		buf_append(&all, p, (size_t)n);
	free(c);
	buf_append(&all, "", 1);
	start = strstr(all.data, "\r\n\r\n");
	for (p = start != NULL ? start + 4 : ""; *p != '\0'; p++)
		if (!(p[0] == '\r' && p[1] == '\n'))
			buf_append(out, p, 1);
	buf_append(out, "", 1);
	buf_fini(&all);
}

static void run(struct run *r, enum header_checks_kind kind, const char *conf,
		const char *const *tables, const char *text)
{
	struct maillog_settings ls = { .name = "relaymail", .file = logpath, .hostname = "h" };
	struct header_checks_who who = { "4AB12C3", "joe@example.com", "amy@example.org" };
	struct message_opts mo = { .line_max = MESSAGE_LINE_UNLIMITED };
	struct config *cfg = config_with(conf, tables, &r->err);
	struct message *m = message_from_mem(text, strlen(text), &mo, &r->err);
	struct body_checks *bc = NULL;
	struct header_checks_result res;
	struct capture cap;

	r->rc = -2;
	r->verdict = HEADER_CHECKS_PASS;
	memset(&r->body, 0, sizeof(r->body));
	maillog_init(&ls);
	capture_begin(&cap);
	if (cfg != NULL && m != NULL && (bc = body_checks_open(cfg, kind, &r->err)) != NULL)
		r->rc = body_checks_apply(bc, m, &who, &res, &r->err);
	if (r->rc == 0) {
		r->verdict = res.verdict;
		header_checks_result_fini(&res);
	}
	r->warnings = capture_end(&cap);
	maillog_fini();
	r->log = slurp_log();
	if (m != NULL)
		body_of(m, &r->body);
	body_checks_free(bc);
	message_free(m);
	config_free(cfg);
}

static void done(struct run *r)
{
	free(r->warnings);
	free(r->log);
	buf_fini(&r->body);
}

static const char multipart[] = "From: joe@example.com\n"
				"MIME-Version: 1.0\n"
				"Content-Type: multipart/mixed; boundary=\"b1\"\n"
				"\n"
				"preamble\n"
				"--b1\n"
				"Content-Type: text/plain\n"
				"X-Part: one\n"
				"\n"
				"secret one\n"
				"--b1\n"
				"Content-Type: message/rfc822\n"
				"\n"
				"Subject: inner\n"
				"Content-Type: text/plain\n"
				"\n"
				"secret inner\n"
				"--b1--\n"
				"epilogue\n";

static void test_body(void)
{
	struct run r;

	run(&r, HEADER_CHECKS_CLEANUP, "body_checks = regexp:%T/body\n",
	    (const char *[]){ "body",
			      "/^secret (.*)/ REPLACE [hidden $1]\n"
			      "/^epilogue/ IGNORE\n"
			      "/^preamble/ PREPEND before the preamble\n"
			      "/^Subject:/ REPLACE wrong\n"
			      "/^$/ REPLACE never\n",
			      NULL },
	    multipart);
	is_int(r.rc, 0, "body_checks: accepted");
	is_str(r.body.data,
	       "before the preamble\npreamble\n--b1\nContent-Type: text/plain\nX-Part: one\n\n"
	       "[hidden one]\n--b1\nContent-Type: message/rfc822\n\nSubject: inner\n"
	       "Content-Type: text/plain\n\n[hidden inner]\n--b1--\n",
	       "body lines edited, part and nested headers and empty lines not looked up");
	ok(strstr(r.log, "cleanup: 4AB12C3: replace: body secret one from local; "
			 "from=<joe@example.com> to=<amy@example.org>: [hidden one]\n") != NULL,
	   "a body action is logged as Postfix's cleanup logs it");
	done(&r);

	run(&r, HEADER_CHECKS_CLEANUP,
	    "mime_header_checks = regexp:%T/mime\nnested_header_checks = regexp:%T/nested\n",
	    (const char *[]){
		"mime",
		"/^X-Part: (.*)/ PREPEND X-Seen: $1\n"
		"/^Content-Type: text\\/plain/ REPLACE Content-Type: text/x-checked\n",
		"nested",
		"/^Subject: (.*)/ REPLACE Subject: nested $1\n"
		"/^Content-Type:/ IGNORE\n",
		NULL },
	    multipart);
	is_str(r.body.data,
	       "preamble\n--b1\nContent-Type: text/x-checked\nX-Seen: one\nX-Part: one\n\n"
	       "secret one\n--b1\nContent-Type: message/rfc822\n\nSubject: nested inner\n"
	       "Content-Type: text/x-checked\n\nsecret inner\n--b1--\nepilogue\n",
	       "part fields to mime_header_checks, the nested header to nested_header_checks "
	       "but its MIME fields");
	done(&r);

	run(&r, HEADER_CHECKS_CLEANUP, "body_checks = regexp:%T/body\n",
	    (const char *[]){ "body",
			      "/^secret one/ REJECT 5.7.0 no secrets\n"
			      "/^preamble/ REPLACE changed\n",
			      NULL },
	    multipart);
	is_int(r.rc, -1, "REJECT: refused");
	is_int(r.err.cls, ERROR_DATA, "REJECT: a permanent failure");
	is_str(r.err.reply, "5.7.0 no secrets", "REJECT: the reason for a -bs reply");
	ok(strstr(r.body.data, "preamble\n") == r.body.data, "REJECT: the body is as it came");
	done(&r);

	{
		struct error err = { 0 };
		struct config *cfg =
		    config_with("header_checks = regexp:%T/hdr\nbody_checks = regexp:%T/body\n",
				(const char *[]){ "hdr", "/^From: (.*)/ REPLACE From: changed $1\n",
						  "body", "/^secret one/ REJECT no\n", NULL },
				&err);
		struct header_checks *hc =
		    header_checks_open(cfg, "header_checks", HEADER_CHECKS_CLEANUP, &err);
		struct body_checks *bc = body_checks_open(cfg, HEADER_CHECKS_CLEANUP, &err);
		struct message_opts mo = { 0 };
		struct message *m = message_from_mem(multipart, strlen(multipart), &mo, &err);
		struct header_checks_result res;
		int rc = hc != NULL && bc != NULL && m != NULL
			     ? body_checks_apply_message(hc, bc, m, NULL, &res, &err)
			     : -2;

		ok(rc == -1 && err.cls == ERROR_DATA &&
		       strcmp(message_header_value(m, 0), " joe@example.com") == 0,
		   "a REJECT in the body: the header is put back as it came");
		message_free(m);
		header_checks_free(hc);
		body_checks_free(bc);
		config_free(cfg);
	}

	run(&r, HEADER_CHECKS_SMTP, "smtp_body_checks = regexp:%T/body\n",
	    (const char *[]){ "body", "/^secret one/ REJECT no\n/^preamble/ REPLACE out\n", NULL },
	    multipart);
	is_int(r.rc, 0, "smtp_body_checks: REJECT is no action there");
	is_str(r.warnings,
	       "relaymail: warning: unsupported command in smtp_body_checks map: REJECT no\n",
	       "smtp_body_checks: warned about as Postfix's SMTP client does");
	ok(strstr(r.body.data, "out\n--b1\n") == r.body.data &&
	       strstr(r.log, "smtp: 4AB12C3: replace: body preamble: out\n") != NULL,
	   "smtp_body_checks: REPLACE, logged in the SMTP client's form");
	done(&r);

	run(&r, HEADER_CHECKS_CLEANUP, "body_checks = regexp:%T/body\n",
	    (const char *[]){ "body", "/^lottery/ DISCARD\n", NULL },
	    "From: joe@example.com\n\nlottery\n");
	ok(r.rc == 0 && r.verdict == HEADER_CHECKS_DISCARD, "DISCARD: a verdict, no error");
	done(&r);
}

static void test_limits(void)
{
	struct run r;
	struct buf text = { 0 };

	/* Offsets count from the blank line after each header (0): the
	 * lines are 11 octets with their end, at 1, 12, 23, 34. */
	run(&r, HEADER_CHECKS_CLEANUP,
	    "body_checks = regexp:%T/body\nbody_checks_size_limit = 30\n",
	    (const char *[]){ "body", "/^check(.*)/ REPLACE ok$1\n", NULL },
	    "Content-Type: multipart/mixed; boundary=b\n\ncheck 0001\ncheck 0002\ncheck 0003\n"
	    "check 0004\n--b\n\ncheck 0005\ncheck 0006\ncheck 0007\ncheck 0008\n--b\n"
	    "not a field\ncheck 0009\ncheck 0010\ncheck 0011\n--b--\ncheck 0012\n");
	is_str(r.body.data,
	       "ok 0001\nok 0002\nok 0003\ncheck 0004\n--b\n\nok 0005\nok 0006\nok 0007\n"
	       "check 0008\n--b\nnot a field\nok 0009\nok 0010\ncheck 0011\n--b--\nok 0012\n",
	       "body_checks_size_limit: per body segment, a close delimiter starts one");
	done(&r);

	buf_append_str(&text, "Subject: long\n\n");
	for (int i = 0; i < 3000; i++)
		buf_append_str(&text, "x");
	buf_append_str(&text, "\n");
	for (int i = 0; i < 2048; i++)
		buf_append_str(&text, "y");
	buf_append_str(&text, "\n");
	run(&r, HEADER_CHECKS_CLEANUP, "body_checks = regexp:%T/body\n",
	    (const char *[]){ "body", "/^x+$/ REPLACE [x]\n/^y+$/ REPLACE [y]\n/^$/ IGNORE\n",
			      NULL },
	    text.data);
	is_str(r.body.data, "[x][x]\n[y]\n",
	       "a long line in pieces of 2048 octets; the empty last piece is not looked up");
	done(&r);

	/* A part header field past 100 KiB, in lines of 3000 octets, then
	 * a stray continuation line of 3000 at the start of a part. */
	buf_reset(&text);
	buf_append_str(&text, "Content-Type: multipart/mixed; boundary=b\n\n--b\nX-Long: ");
	for (int i = 0; i < 40; i++) {
		for (int k = 0; k < 3000; k++)
			buf_append_str(&text, "x");
		buf_append_str(&text, "\n ");
	}
	buf_append_str(&text, "end\nX-After: yes\n\nbody\n--b\n\t");
	for (int k = 0; k < 3000; k++)
		buf_append_str(&text, "s");
	buf_append_str(&text, "\nX-Stray: after\n\nbody\n--b--\n");
	run(&r, HEADER_CHECKS_CLEANUP, "mime_header_checks = regexp:%T/mime\n",
	    (const char *[]){
		"mime", "/^X-Long:/ IGNORE\n/^X-(After|Stray):/ REPLACE X-Seen: yes\n", NULL },
	    text.data);
	{
		const char *want = strstr(text.data, "--b\nX-Long: ");
		const char *got = strstr(r.body.data != NULL ? r.body.data : "", "--b\nX-Long: ");
		size_t upto = (size_t)(strstr(want, "X-After") - want);

		ok(r.rc == 0 && got != NULL && strncmp(got, want, upto) == 0 &&
		       strncmp(got + upto, "X-Seen: yes\n\nbody\n--b\n\t", 23) == 0,
		   "a part header field past 100 KiB is kept as it is, the next one checked");
		ok(got != NULL && strstr(got, "sssss\nX-Seen: yes\n\nbody\n--b--\n") != NULL &&
		       strstr(got, "s\ns") == NULL,
		   "a stray continuation line in pieces is kept as one line");
	}
	done(&r);
	buf_fini(&text);
}

/* The body of text read under sendmail_fix_line_endings value. */
static void eol(const char *value, const char *text, const char *want, const char *what)
{
	struct error err = { 0 };
	struct message_opts mo = { 0 };
	struct buf conf = { 0 };
	struct config *cfg;
	struct message *m = NULL;
	struct buf body = { 0 };

	buf_printf(&conf, "sendmail_fix_line_endings = %s\n", value);
	cfg = config_parse("test.cf", conf.data, conf.len, (char *[]){ NULL }, &err);
	mo.dot_ends = true;
	if (cfg != NULL && intake_opts_load(cfg, &mo, &err) == 0)
		m = message_from_mem(text, strlen(text), &mo, &err);
	if (m != NULL)
		body_of(m, &body);
	is_str(m != NULL ? body.data : err.text, want, "%s", what);
	message_free(m);
	config_free(cfg);
	buf_fini(&conf);
	buf_fini(&body);
}

static void test_eol(void)
{
	static const char crlf[] = "Subject: x\r\n\r\none\r\ntwo\nthree\r\r\n.\r\nafter\n";
	static const char lf[] = "Subject: x\n\none\r\ntwo\n.\r\nafter\n";

	eol("always", crlf, "one\ntwo\nthree\n",
	    "always: CRs before LF dropped, the lone dot ends");
	eol("never", crlf, "one \ntwo\nthree  \n. \nafter\n",
	    "never: each CR a blank, and \".\" CR is no lone dot");
	eol("strict", crlf, "one\ntwo\nthree\n", "strict: a first line in CRLF, as always");
	eol("strict", lf, "one \ntwo\n. \nafter\n", "strict: a first line in LF, as never");
	eol("Always", lf,
	    "bad value \"Always\" for parameter sendmail_fix_line_endings (test.cf, line 1): use "
	    "always, strict or never",
	    "only lower case, as Postfix's sendmail");
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(logpath, sizeof(logpath), "%s/maillog", dir);
	test_body();
	test_limits();
	test_eol();
	for (const char *const *t =
		 (const char *const[]){ "body", "mime", "nested", "maillog", NULL };
	     *t != NULL; t++) {
		char path[400];

		snprintf(path, sizeof(path), "%s/%s", dir, *t);
		unlink(path);
	}
	rmdir(dir);
	return tap_done();
}
