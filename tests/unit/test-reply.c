/* SPDX-License-Identifier: GPL-3.0-or-later */
/* smtp/reply: whole replies found in split input, every malformed kind
 * refused, enhanced status codes picked out, replies formatted on one line. */
#include <config.h>

#include <string.h>

#include "base/error.h"
#include "smtp/reply.h"
#include "tap.h"

static int parse(const char *s, struct reply *r, size_t *consumed, struct error *err)
{
	*consumed = 0;
	error_clear(err);
	return reply_parse(s, strlen(s), r, consumed, err);
}

static void test_single(void)
{
	struct reply r;
	struct error err;
	size_t used;
	char out[256];

	is_int(parse("250 OK\r\nextra", &r, &used, &err), 1, "single line parsed");
	is_int(r.code, 250, "code");
	is_int((long long)used, 8, "consumed up to and including CRLF");
	is_str(r.text, "OK", "text");
	is_int((long long)r.text_len, 2, "text length");
	is_int((long long)r.nlines, 1, "one line");
	is_str(r.enhanced, "", "no enhanced code");
	is_int(reply_class(&r), 2, "class 2");

	is_int(parse("354\r\n", &r, &used, &err), 1, "code without text");
	is_int(r.code, 354, "code 354");
	is_str(r.text, "", "empty text");
	reply_format(&r, out, sizeof(out));
	is_str(out, "354", "formatted bare code");

	is_int(parse("220 mx ESMTP\n", &r, &used, &err), 1, "bare LF accepted");
	is_int((long long)used, 13, "bare LF consumed");
	is_str(r.text, "mx ESMTP", "text before bare LF");
}

static void test_multi(void)
{
	struct reply r;
	struct error err;
	size_t used;
	char out[256];
	const char *ehlo = "250-mx.example.org\r\n250-PIPELINING\r\n250 SIZE 1000\r\n";

	is_int(parse(ehlo, &r, &used, &err), 1, "multi-line parsed");
	is_int((long long)used, (long long)strlen(ehlo), "whole reply consumed");
	is_int((long long)r.nlines, 3, "three lines");
	is_str(r.text, "mx.example.org\nPIPELINING\nSIZE 1000", "lines joined with LF");
	reply_format(&r, out, sizeof(out));
	is_str(out, "250 mx.example.org PIPELINING SIZE 1000", "formatted with spaces");

	/* The same reply fed in pieces: never complete before its last LF. */
	for (size_t cut = 0; cut < strlen(ehlo); cut++) {
		used = 99;
		if (reply_parse(ehlo, cut, &r, &used, &err) != 0 || used != 99) {
			ok(0, "prefix of %zu bytes is incomplete", cut);
			return;
		}
	}
	ok(1, "every prefix is incomplete and consumes nothing");

	is_int(parse("250-a\r\n250 b\r\n250 c\r\n", &r, &used, &err), 1, "two replies in a row");
	is_int((long long)used, 14, "only the first consumed");
	is_str(r.text, "a\nb", "first reply's text");
}

static void test_errors(void)
{
	struct reply r;
	struct error err;
	size_t used;
	char longline[REPLY_LINE_MAX + 16];

	is_int(parse("25 short\r\n", &r, &used, &err), -1, "two-digit code refused");
	is_int(err.cls, ERROR_PROTOCOL, "protocol error class");
	is_int(parse("199 no\r\n", &r, &used, &err), -1, "1xx refused");
	is_int(parse("600 no\r\n", &r, &used, &err), -1, "6xx refused");
	is_int(parse("2a0 no\r\n", &r, &used, &err), -1, "letter in code refused");
	is_int(parse("250x no\r\n", &r, &used, &err), -1, "bad separator refused");
	is_int(parse("HTTP/1.1", &r, &used, &err), -1, "garbage refused before a line ends");
	is_int(parse("25", &r, &used, &err), 0, "valid prefix waits for more");
	is_int(parse("250-a\r\n550 b\r\n", &r, &used, &err), -1, "mixed codes refused");
	is_int(err.cls, ERROR_PROTOCOL, "mixed codes: protocol error");

	memset(longline, 'x', sizeof(longline));
	memcpy(longline, "250 ", 4);
	is_int(reply_parse(longline, REPLY_LINE_MAX, &r, &used, &err), -1,
	       "line without LF at the cap refused");
	is_int(reply_parse(longline, REPLY_LINE_MAX - 1, &r, &used, &err), 0,
	       "line below the cap waits for more");
	longline[REPLY_LINE_MAX - 1] = '\n';
	is_int(reply_parse(longline, REPLY_LINE_MAX, &r, &used, &err), 1,
	       "line of exactly the cap accepted");
	is_int((long long)r.text_len, REPLY_LINE_MAX - 5, "its text is whole");
}

static void test_too_many_lines(void)
{
	static char buf[(REPLY_LINES_MAX + 1) * 8 + 8];
	struct reply r;
	struct error err;
	size_t used, o = 0;

	for (int i = 0; i < REPLY_LINES_MAX + 1; i++) {
		memcpy(buf + o, "250-ab\r\n", 8);
		o += 8;
	}
	is_int(reply_parse(buf, o, &r, &used, &err), -1, "more than REPLY_LINES_MAX lines refused");
	buf[(REPLY_LINES_MAX - 1) * 8 + 3] = ' ';
	is_int(reply_parse(buf, o, &r, &used, &err), 1, "exactly REPLY_LINES_MAX lines accepted");
	is_int((long long)r.nlines, REPLY_LINES_MAX, "line count");
}

static void test_enhanced(void)
{
	struct reply r;
	struct error err;
	size_t used;
	char out[256];

	parse("550-5.1.1 The email account does not exist.\r\n"
	      "550 5.1.1 Please try again.\r\n",
	      &r, &used, &err);
	is_str(r.enhanced, "5.1.1", "enhanced code from the first line");
	is_str(r.text, "5.1.1 The email account does not exist.\n5.1.1 Please try again.",
	       "text keeps the enhanced code");
	reply_format(&r, out, sizeof(out));
	is_str(out, "550 5.1.1 The email account does not exist. Please try again.",
	       "formatted: repeated enhanced code said once");

	parse("452 4.123.456 full\r\n", &r, &used, &err);
	is_str(r.enhanced, "4.123.456", "three-digit subject and detail");
	parse("250 2.0.0\r\n", &r, &used, &err);
	is_str(r.enhanced, "2.0.0", "enhanced code alone on the line");
	parse("550 4.1.1 wrong class\r\n", &r, &used, &err);
	is_str(r.enhanced, "", "class must match the code");
	parse("550 5.1234.1 too long\r\n", &r, &used, &err);
	is_str(r.enhanced, "", "four-digit subject refused");
	parse("550 5.1.1x\r\n", &r, &used, &err);
	is_str(r.enhanced, "", "trailing garbage refused");
	parse("334 VXNlcm5hbWU6\r\n", &r, &used, &err);
	is_str(r.enhanced, "", "no enhanced code for 3xx");
}

static void test_format(void)
{
	struct reply r;
	struct error err;
	size_t used;
	char out[256], tiny[8];

	parse("421 bye\x1b[31m \xc3\xa9t\xc3\xa9\r\n", &r, &used, &err);
	reply_format(&r, out, sizeof(out));
	is_str(out, "421 bye?[31m \xc3\xa9t\xc3\xa9", "controls replaced, UTF-8 kept");
	reply_format(&r, tiny, sizeof(tiny));
	is_str(tiny, "421 bye", "truncated to the output size");
}

int main(void)
{
	test_single();
	test_multi();
	test_errors();
	test_too_many_lines();
	test_enhanced();
	test_format();
	return tap_done();
}
