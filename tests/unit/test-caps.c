/* SPDX-License-Identifier: GPL-3.0-or-later */
/* smtp/caps: EHLO keywords in any case, both AUTH forms merged without
 * duplicates, SIZE with and without a limit. */
#include <config.h>

#include <string.h>

#include "base/error.h"
#include "smtp/caps.h"
#include "smtp/reply.h"
#include "tap.h"

static void parse_caps(const char *text, struct caps *c)
{
	struct reply r;
	struct error err;
	size_t used;

	if (reply_parse(text, strlen(text), &r, &used, &err) != 1)
		diag("bad test reply: %s", text);
	caps_parse(c, &r);
}

static void test_typical(void)
{
	struct caps c;

	parse_caps("250-smtp.example.com Hello\r\n"
		   "250-pipelining\r\n"
		   "250-SIZE 10240000\r\n"
		   "250-STARTTLS\r\n"
		   "250-Auth plain login\r\n"
		   "250-ENHANCEDSTATUSCODES\r\n"
		   "250-8BITMIME\r\n"
		   "250-DSN\r\n"
		   "250 CHUNKING\r\n",
		   &c);
	ok(c.esmtp, "esmtp");
	ok(c.pipelining, "lower-case PIPELINING recognised");
	ok(c.size, "SIZE");
	is_int((long long)c.size_max, 10240000, "SIZE limit");
	ok(c.starttls, "STARTTLS");
	ok(c.auth, "AUTH");
	is_str(c.auth_mechs, "PLAIN LOGIN", "mechanisms upper-cased");
	ok(c.enhanced, "ENHANCEDSTATUSCODES");
	ok(c.eightbitmime, "8BITMIME");
	ok(c.dsn, "DSN");
	ok(c.chunking, "CHUNKING");
	ok(!c.smtputf8, "no SMTPUTF8");
	ok(caps_has_mech(&c, "login"), "has LOGIN, any case");
	ok(!caps_has_mech(&c, "PLAI"), "no prefix match");
	ok(!caps_has_mech(&c, "CRAM-MD5"), "CRAM-MD5 not offered");
	ok(!caps_has_mech(&c, ""), "empty name never offered");
}

static void test_greeting_line_ignored(void)
{
	struct caps c;

	parse_caps("250 STARTTLS PIPELINING\r\n", &c);
	ok(c.esmtp, "single-line EHLO reply is ESMTP");
	ok(!c.starttls && !c.pipelining, "the greeting line is not a keyword");
	ok(!c.auth && c.auth_mechs[0] == '\0', "no AUTH");
}

static void test_auth_forms(void)
{
	struct caps c;

	parse_caps("250-mx\r\n"
		   "250-AUTH=LOGIN PLAIN\r\n"
		   "250-AUTH PLAIN  CRAM-MD5 login\r\n"
		   "250-AUTH SCRAM-SHA-256 bad!mech THIS-NAME-IS-LONGER-THAN-TWENTY\r\n"
		   "250 AUTHX XOAUTH2\r\n",
		   &c);
	ok(c.auth, "AUTH seen");
	is_str(c.auth_mechs, "LOGIN PLAIN CRAM-MD5 SCRAM-SHA-256",
	       "both forms merged, duplicates and invalid names dropped");
	ok(!caps_has_mech(&c, "XOAUTH2"), "AUTHX is not AUTH");

	parse_caps("250-mx\r\n250 AUTH\r\n", &c);
	ok(c.auth, "AUTH without mechanisms still announced");
	is_str(c.auth_mechs, "", "empty list");
}

static void test_size(void)
{
	struct caps c;

	parse_caps("250-mx\r\n250 SIZE\r\n", &c);
	ok(c.size, "SIZE without a number");
	is_int((long long)c.size_max, 0, "no limit");
	parse_caps("250-mx\r\n250 size 0\r\n", &c);
	ok(c.size, "SIZE 0");
	is_int((long long)c.size_max, 0, "zero means no limit");
	parse_caps("250-mx\r\n250 SIZE 52428800 \r\n", &c);
	is_int((long long)c.size_max, 52428800, "trailing blank ignored");
	parse_caps("250-mx\r\n250 SIZE lots\r\n", &c);
	ok(c.size && c.size_max == 0, "unreadable limit counts as none");
	parse_caps("250-mx\r\n250 SIZE 999999999999999999999999999\r\n", &c);
	ok(c.size && c.size_max == 0, "overflowing limit counts as none");
}

static void test_smtputf8_implies_8bit(void)
{
	struct caps c;

	parse_caps("250-mx\r\n250 SMTPUTF8\r\n", &c);
	ok(c.smtputf8, "SMTPUTF8");
	ok(c.eightbitmime, "SMTPUTF8 implies 8BITMIME");
}

static void test_reset(void)
{
	struct caps c;

	parse_caps("250-mx\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n", &c);
	parse_caps("250-mx\r\n250 PIPELINING\r\n", &c);
	ok(!c.starttls && !c.auth && c.auth_mechs[0] == '\0', "a new parse forgets old keywords");
	ok(c.pipelining, "and keeps the new ones");
}

int main(void)
{
	test_typical();
	test_greeting_line_ignored();
	test_auth_forms();
	test_size();
	test_smtputf8_implies_8bit();
	test_reset();
	return tap_done();
}
