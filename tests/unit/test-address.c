/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mail/address: RFC 5322 address lists give exactly the expected
 * addr-specs, garbage gives ERROR_DATA naming the text, envelope checks
 * refuse what could break or inject into an SMTP command; a header read
 * for recipients (-t) as Postfix reads it, or refused where Postfix would
 * lose or make up a recipient (tests/extract.sh compares with Postfix). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/error.h"
#include "mail/address.h"
#include "tap.h"

/* The parser under test: address_parse_list, or address_parse_header. */
static int (*parser)(const char *, size_t, struct addrlist *, struct error *) = address_parse_list;

/* The addresses joined by '|', or "ERROR: text" (static buffer). */
static const char *parse_n(const char *text, size_t len)
{
	static char out[4096];
	struct addrlist l = { 0 };
	struct error e = { 0 };
	struct buf b = { 0 };

	if (parser(text, len, &l, &e) < 0) {
		snprintf(out, sizeof(out), "ERROR(%s): %s", error_class_name(e.cls), e.text);
		addrlist_fini(&l);
		return out;
	}
	for (size_t i = 0; i < l.n; i++) {
		if (i > 0)
			buf_append_char(&b, '|');
		buf_append_str(&b, l.v[i]);
	}
	snprintf(out, sizeof(out), "%s", b.data != NULL ? b.data : "");
	buf_fini(&b);
	addrlist_fini(&l);
	return out;
}

static const char *parse(const char *text)
{
	return parse_n(text, strlen(text));
}

static void test_lists(void)
{
	is_str(parse("a@b"), "a@b", "bare addr-spec");
	is_str(parse("Name <a@b>"), "a@b", "display name and angle-addr");
	is_str(parse("\"Quoted, Name\" <a@b>, c@d"), "a@b|c@d", "quoted name with comma");
	is_str(parse("a@b (comment (nested \\) still) done), c@d (x)"), "a@b|c@d",
	       "nested comments with quoted-pair dropped");
	is_str(parse("undisclosed-recipients:;"), "", "empty group adds nothing");
	is_str(parse("team: a@b, Carol <c@d>;, e@f"), "a@b|c@d|e@f", "group members");
	is_str(parse("\"a b\"@x"), "\"a b\"@x", "quoted local part kept quoted");
	is_str(parse("\"a\\\"b\"@x"), "\"a\\\"b\"@x", "quoted-pair kept in quoted local part");
	is_str(parse("Joe\r\n <joe@example.com>,\r\n\tann@example.org"),
	       "joe@example.com|ann@example.org", "folded whitespace");
	is_str(parse("\"Folded\r\n Name\" <f@x>, \"q\r\n r\"@y"), "f@x|\"q r\"@y",
	       "folding inside a quoted string is unfolded");
	is_str(parse("<@r1,@r2:a@b>"), "a@b", "obsolete route dropped");
	is_str(parse("Someone <@relay.example:s@example.com>"), "s@example.com",
	       "obsolete route after a name");
	is_str(parse("=?UTF-8?B?SsO8cmdlbg==?= <j@example.de>"), "j@example.de",
	       "encoded word in display name skipped");
	is_str(parse("root"), "root", "bare local name accepted");
	is_str(parse("root, postmaster"), "root|postmaster", "two local names");
	is_str(parse(""), "", "empty list");
	is_str(parse("  \r\n "), "", "blank list");
	is_str(parse(",,a@b,,"), "a@b", "empty entries ignored");
	is_str(parse("<>"), "", "empty angle-addr adds nothing");
	is_str(parse("a . b @ example . com"), "a.b@example.com", "obsolete CFWS around dots");
	is_str(parse("x@[192.0.2.1]"), "x@[192.0.2.1]", "domain literal");
	is_str(parse("J\303\274rgen <j\303\274@b\303\274"
		     "cher.example>"),
	       "j\303\274@b\303\274"
	       "cher.example",
	       "UTF-8 address kept");
	is_str(parse("J. Smith <j@x>"), "j@x", "obsolete phrase with a dot");
}

static void test_list_errors(void)
{
	is_str(parse("Name <a@b"),
	       "ERROR(data): invalid address list \"Name <a@b\": a \"<\" is not closed by \">\"",
	       "unclosed angle bracket");
	is_str(parse("a@b>"), "ERROR(data): invalid address list \"a@b>\": a \">\" has no \"<\"",
	       "stray closing bracket");
	is_str(parse("\"abc@d"),
	       "ERROR(data): invalid address list \"\"abc@d\": a quoted string is not terminated",
	       "unterminated quote");
	is_str(parse("a@b (oops"),
	       "ERROR(data): invalid address list \"a@b (oops\": a comment is not terminated",
	       "unterminated comment");
	is_str(parse("a@b ((x)"),
	       "ERROR(data): invalid address list \"a@b ((x)\": a comment is not terminated",
	       "unbalanced nested comment");
	is_str(parse("x@[1.2"),
	       "ERROR(data): invalid address list \"x@[1.2\": a domain literal is not terminated",
	       "unterminated domain literal");
	is_str(parse("John Smith"),
	       "ERROR(data): invalid address list \"John Smith\": it holds a name without an "
	       "address",
	       "a name without an address");
	is_str(parse_n("a\0b@c", 5),
	       "ERROR(data): invalid address list \"a?b@c\": it contains a control character",
	       "NUL in a list");
	is_str(parse("a@b)"), "ERROR(data): invalid address list \"a@b)\": a \")\" has no \"(\"",
	       "stray closing parenthesis");
	is_str(parse("a\\@b"), "a\\@b", "backslash outside quotes is kept as text");
	is_str(parse("a]b@c"), "a]b@c", "stray bracket is kept as text");
	is_str(parse("<a<b@c>>"),
	       "ERROR(data): invalid address list \"<a<b@c>>\": a \"<\" is not closed by \">\"",
	       "nested angle brackets");
}

#define BAD(text, why) "ERROR(data): invalid address list \"" text "\": " why

/* address_parse_header: what Postfix's sendmail -t reads without loss is
 * read the same; the rest is refused, never read with a recipient less. */
static void test_header(void)
{
	parser = address_parse_header;
	is_str(parse("team: a@b, Carol <c@d>;, e@f"), "a@b|c@d|e@f", "header: group members");
	is_str(parse("a: b: c@d;;, e@f"), "c@d|e@f", "header: nested group");
	is_str(parse("undisclosed-recipients:;"), "", "header: empty group");
	is_str(parse("a@b c@d"), "a@b|c@d", "header: words in a row are two addresses");
	is_str(parse("\"x y\"@b c@d"), "\"x y\"@b|c@d", "header: ... a quoted local part too");
	is_str(parse("Doe, Bob <b@d>"), "Doe|b@d", "header: a lone word is a local name");
	is_str(parse("a@b>, c@d"), "a@b|c@d", "header: a '>' without '<' is ignored");
	is_str(parse("Bob <b@d> <c@d>"), "b@d|c@d", "header: a second <...> is another address");
	is_str(parse("Bob <@r:b@d>, J. Smith <j@x>"), "b@d|j@x", "header: route, dotted name");
	is_str(parse("a@b; c@d"), "a@b|c@d", "header: ';' as a separator");
	is_str(parse("b@example.com  Bcc: c@example.com"),
	       BAD("b@example.com  Bcc: c@example.com",
		   "a \":\" starts no group (\"name: address, ...;\"); was a line break lost "
		   "before a field name?"),
	       "header: PHP's lost CRLF before Bcc is refused");
	is_str(parse("b@x: c@y"),
	       BAD("b@x: c@y", "a \":\" starts no group (\"name: address, ...;\"); was a line "
			       "break lost before a field name?"),
	       "header: a stray ':'");
	is_str(parse("friends: a@b, c@d"),
	       BAD("friends: a@b, c@d", "a \":\" starts no group (\"name: address, ...;\"); "
					"was a line break lost before a field name?"),
	       "header: a group without ';'");
	is_str(parse("b@x Cc: c@y;"),
	       BAD("b@x Cc: c@y;", "a group name holds an address; was a line break lost "
				   "before a field name?"),
	       "header: a group name with an address");
	is_str(parse("Bob b@d"), BAD("Bob b@d", "it holds a name without an address"),
	       "header: a name next to an address");
	is_str(parse("<b@d> Bob"), BAD("<b@d> Bob", "text follows an address in \"<\" and \">\""),
	       "header: text after <...>");
	is_str(parse("=?UTF-8?B?YkBk?=, c@d"),
	       BAD("=?UTF-8?B?YkBk?=, c@d",
		   "an encoded-word (RFC 2047) stands where an address should be"),
	       "header: an encoded-word as an address");
	is_str(parse("b@d@e, c@d"), BAD("b@d@e, c@d", "an address holds more than one \"@\""),
	       "header: two '@'");
	is_str(parse("<b@d, c@d"), BAD("<b@d, c@d", "a \"<\" is not closed by \">\""),
	       "header: '<' never closed");
	is_str(parse("b@d (Bob, c@d"), BAD("b@d (Bob, c@d", "a comment is not terminated"),
	       "header: comment never closed");
	parser = address_parse_list;
}

/* 45000 nested group names and one ';' at the end: each ':' is judged
 * without reading the rest of the field again (a pass, not a square). */
static void test_header_colons(void)
{
	struct buf b = { 0 };
	struct timespec t0, t1;
	double s;

	for (int i = 0; i < 45000; i++)
		buf_append_str(&b, "g: ");
	buf_append_str(&b, "x@y;");
	parser = address_parse_header;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	is_str(parse(b.data), "x@y", "header: 45000 nested groups");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ok(s < 1.0, "header: ... in linear time (%.3f s)", s);
	parser = address_parse_list;
	buf_fini(&b);
}

static void test_list_caps(void)
{
	struct buf b = { 0 };
	const char *r;

	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "u%d@x,", i);
	r = parse(b.data);
	ok(strncmp(r, "u0@x|u1@x|", 10) == 0 && strstr(r, "ERROR") == NULL,
	   "1000 addresses accepted");
	buf_append_str(&b, "one@more");
	r = parse(b.data);
	ok(strstr(r, "ERROR(data): invalid address list \"u0@x,u1@x,") == r &&
	       strstr(r, "\": it holds more than 1000 addresses") != NULL,
	   "1001 addresses refused: %.60s", r);
	buf_reset(&b);
	for (int i = 0; i < 999; i++)
		buf_append_char(&b, 'a');
	buf_append_str(&b, "@x");
	r = parse(b.data);
	ok(strstr(r, "\": an address is longer than 998 bytes") != NULL, "long address refused");
	b.len = 996;
	b.data[996] = '\0';
	buf_append_str(&b, "@x");
	is_int((long long)strlen(parse(b.data)), 998, "998-byte address accepted");
	buf_fini(&b);
}

static const char *envelope(const char *addr, bool null_ok)
{
	static char out[2048];
	struct error e = { 0 };

	if (address_check_envelope(addr, null_ok, &e) == 0)
		return "ok";
	snprintf(out, sizeof(out), "%s: %s", error_class_name(e.cls), e.text);
	return out;
}

static void test_envelope(void)
{
	char longaddr[300];

	is_str(envelope("user@example.com", false), "ok", "plain address");
	is_str(envelope("root", false), "ok", "local name");
	is_str(envelope("\"a b\"@x", false), "ok", "quoted space");
	is_str(envelope("a\r\nRCPT TO:<x@y>", false),
	       "usage: invalid address \"a??RCPT TO:<x@y>\": it contains a control character",
	       "CR LF refused");
	is_str(envelope("a\nb", false),
	       "usage: invalid address \"a?b\": it contains a control character", "LF refused");
	is_str(envelope("a\rb@x", false),
	       "usage: invalid address \"a?b@x\": it contains a control character", "CR refused");
	is_str(envelope("a\tb@x", false),
	       "usage: invalid address \"a?b@x\": it contains a control character", "TAB refused");
	is_str(envelope("-oQ/tmp/x", false),
	       "usage: invalid address \"-oQ/tmp/x\": it begins with \"-\"", "leading dash");
	is_str(envelope("a@", false), "usage: invalid address \"a@\": the domain is empty",
	       "empty domain");
	is_str(envelope("@x", false), "usage: invalid address \"@x\": the local part is empty",
	       "empty local part");
	is_str(envelope("a> SIZE=1@x", false),
	       "usage: invalid address \"a> SIZE=1@x\": it contains a space or an angle bracket "
	       "outside quotes",
	       "parameter injection refused");
	is_str(envelope("\"ab@x", false),
	       "usage: invalid address \"\"ab@x\": a quoted string is not terminated",
	       "open quote");
	is_str(envelope("", true), "ok", "null sender allowed");
	is_str(envelope("", false), "usage: the null address \"\" is not allowed here",
	       "null sender refused");
	memset(longaddr, 'a', 251);
	memcpy(longaddr + 251, "@x.y", 5);
	ok(strstr(envelope(longaddr, false), "\": it is longer than 254 bytes") != NULL,
	   "255 bytes refused");
	longaddr[249] = '\0';
	memcpy(longaddr + 249, "@x.y", 5);
	is_str(envelope(longaddr, false), "ok", "253 bytes accepted");
}

static void test_helpers(void)
{
	struct addrlist l = { 0 };
	char *q;

	is_str(address_domain("a@b@c.example"), "c.example", "domain after the last @");
	is_str(address_domain("\"x@y\"@z"), "z", "@ inside quotes is not the separator");
	is_str(address_domain("root"), NULL, "no domain");
	is_str(address_domain("\"x@y\""), NULL, "quoted @ only: no domain");
	q = address_qualify("root", "example.org");
	is_str(q, "root@example.org", "qualify adds the domain");
	free(q);
	q = address_qualify("a@b", "example.org");
	is_str(q, "a@b", "qualify keeps a domain");
	free(q);
	ok(address_is_utf8("j\303\274@x"), "UTF-8 detected");
	ok(!address_is_utf8("ju@x"), "ASCII is not UTF-8");
	addrlist_add_unique(&l, "Ann@Example.COM");
	addrlist_add_unique(&l, "Ann@example.com");
	addrlist_add_unique(&l, "ann@example.com");
	addrlist_add_unique(&l, "root");
	addrlist_add_unique(&l, "root");
	is_int((long long)l.n, 3, "duplicates (domain case-insensitive) dropped");
	is_str(l.v[1], "ann@example.com", "local part case matters");
	ok(addrlist_contains(&l, "Ann@EXAMPLE.com"), "contains ignores domain case");
	ok(!addrlist_contains(&l, "root@x"), "contains: root is not root@x");
	ok(!addrlist_contains(&l, "roo"), "contains: roo is not root");
	ok(!addrlist_contains(&l, "rootx"), "contains: rootx is not root");
	addrlist_add(&l, "\"a@b\"@Example.org");
	addrlist_add(&l, "a@b@example.org");
	ok(addrlist_contains(&l, "\"a@b\"@example.ORG"), "contains: a quoted @, domain case");
	ok(!addrlist_contains(&l, "\"a@c\"@example.org"), "contains: another quoted local part");
	ok(addrlist_contains(&l, "a@b@EXAMPLE.org"), "contains: the last @ starts the domain");
	ok(!addrlist_contains(&l, "a@c@example.org"), "contains: a@c@ is not a@b@");
	addrlist_fini(&l);
	ok(l.v == NULL && l.n == 0, "fini empties");
	addrlist_fini(&l);
}

int main(void)
{
	test_lists();
	test_list_errors();
	test_header();
	test_header_colons();
	test_list_caps();
	test_envelope();
	test_helpers();
	return tap_done();
}
