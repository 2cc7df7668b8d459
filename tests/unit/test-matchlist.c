/* SPDX-License-Identifier: GPL-3.0-or-later */
/* conf/matchlist: Postfix's string match list as smtp_sasl_mechanism_filter
 * uses it: separators, '!' toggling, case folding of patterns and of the
 * key tables see, type:table items whose value is ignored, /file/name
 * items read at open (nested, negated), first match wins, the #comment
 * check, and the errors at open and at match time. */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/error.h"
#include "conf/matchlist.h"
#include "conf/table.h"
#include "capture.h"
#include "tap.h"

#define WHERE "smtp_sasl_mechanism_filter (test.cf, line 4)"

static char dir[] = "/tmp/test-matchlist.XXXXXX";

static const char *put(const char *name, const char *text)
{
	static char path[8][256];
	static int next;
	char *p = path[next++ % 8];
	FILE *f;

	snprintf(p, 256, "%s/%s", dir, name);
	f = fopen(p, "w");
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
	return p;
}

/* The value with every "@" replaced by the test directory. */
static const char *in_dir(const char *value)
{
	static char out[32 * 1024];
	size_t n = 0;

	for (const char *p = value; *p != '\0' && n + strlen(dir) + 1 < sizeof(out); p++) {
		if (*p == '@') {
			memcpy(out + n, dir, strlen(dir));
			n += strlen(dir);
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
	return out;
}

/* The answer of the list for each name of names (blank separated), as
 * "1", "0" or "E", blank separated; "open: TEXT" when it does not open. */
static const char *answers(const char *value, unsigned flags, const char *names)
{
	static char out[ERROR_TEXT_MAX + 16];
	struct error err = { 0 };
	struct matchlist *l = matchlist_open(in_dir(value), flags, WHERE, &err);
	char name[64];
	size_t n = 0;

	if (l == NULL) {
		snprintf(out, sizeof(out), "open: %s", err.text);
		return out;
	}
	for (const char *p = names; *p != '\0' && n + 3 < sizeof(out);) {
		size_t len = strcspn(p, " ");
		int rc;

		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		rc = matchlist_match(l, name, &err);
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", n > 0 ? " " : "",
				      rc == 1	? "1"
				      : rc == 0 ? "0"
						: "E");
		p += len;
		p += strspn(p, " ");
	}
	out[n] = '\0';
	matchlist_free(l);
	return out;
}

struct match_case {
	const char *name;
	const char *value;
	unsigned flags;
	const char *names;
	const char *want;
};

static const struct match_case cases[] = {
	{ "one name", "plain", 0, "PLAIN plain LOGIN", "1 1 0" },
	{ "patterns fold", "PlAiN", 0, "plain PLAIN", "1 1" },
	{ "commas and blanks separate", " plain,login\tcram-md5 ,, \n scram-sha-1 ", 0,
	  "PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256", "1 1 1 1 0" },
	{ "negated only: nothing matches", "!plain, !login", 0, "PLAIN LOGIN CRAM-MD5", "0 0 0" },
	{ "Postfix's idiom: all but", "!gssapi, !login, static:all", 0, "GSSAPI LOGIN PLAIN",
	  "0 0 1" },
	{ "each '!' toggles", "!!plain, !!!login, static:all", 0, "PLAIN LOGIN CRAM-MD5", "1 0 1" },
	{ "first match wins", "plain, !plain, !login, login", 0, "PLAIN LOGIN", "1 0" },
	{ "static: matches every name", "static:all", 0, "PLAIN X-ANYTHING", "1 1" },
	{ "negated static: matches none", "!static:all", 0, "PLAIN", "0" },
	{ "the table value is ignored", "inline:{ plain=no, {cram-md5 = any value} }", 0,
	  "PLAIN CRAM-MD5 LOGIN", "1 1 0" },
	{ "regexp sees the folded name", "regexp:{ {/^plain$/i x}, {/^LOGIN$/i y} }", 0,
	  "PLAIN LOGIN login", "1 0 0" },
	{ "regexp default flags", "regexp:{ {/^scram-/ x} }", 0, "SCRAM-SHA-1 scram-sha-256 PLAIN",
	  "1 1 0" },
	{ "[...] with ':' is a string", "[Plain:X]", 0, "[plain:x] PLAIN", "1 0" },
	{ "braces are kept", "{plain}", 0, "PLAIN {PLAIN}", "0 1" },
	{ "a #comment ends the list", "plain #login, cram-md5", 0, "PLAIN LOGIN CRAM-MD5 #LOGIN",
	  "1 0 0 0" },
	{ "'#' inside an item is text", "pl#ain", 0, "PL#AIN", "1" },
	{ "empty", "", 0, "PLAIN", "0" },
	{ "separators only", " , ", 0, "PLAIN", "0" },
	{ "Unicode folding with TABLE_UTF8",
	  "Stra\xc3\x9f"
	  "e",
	  TABLE_UTF8, "STRASSE", "1" },
	{ "ASCII folding without",
	  "Stra\xc3\x9f"
	  "e",
	  0,
	  "STRASSE STRA\xc3\x9f"
	  "E",
	  "0 1" },
	{ "a name that is not UTF-8", "plain, static:all", TABLE_UTF8, "PL\xff", "0" },
	/* The pattern files of test_files. */
	{ "a pattern file", "@/mechs", 0,
	  "PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256 DIGEST-MD5", "1 1 1 0 1 0" },
	{ "a negated pattern file", "!@/mechs, static:all", 0,
	  "PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256 DIGEST-MD5", "0 0 0 1 0 1" },
	{ "pattern files nest", "@/outer", 0, "DIGEST-MD5 PLAIN SCRAM-SHA-1 NTLM", "1 1 0 0" },
	{ "a file's items take its place", "ntlm, @/mechs, static:all", 0,
	  "NTLM SCRAM-SHA-1 GSSAPI", "1 0 1" },
	{ "a #comment ends a file's line", "@/comment", 0, "PLAIN LOGIN CRAM-MD5", "1 0 1" },
	{ "an indented first line is skipped", "@/indented", 0, "PLAIN LOGIN", "0 1" },
	{ "a file of comments", "@/comments", 0, "PLAIN", "0" },
	/* Failing lookups: a result that is not UTF-8 is an error. */
	{ "a lookup error", "static:v\xff", TABLE_UTF8, "PLAIN", "E" },
	{ "decided before the failing table", "plain, static:v\xff", TABLE_UTF8, "PLAIN LOGIN",
	  "1 E" },
};

static void put_files(void)
{
	char outer[300];

	put("mechs", "# mechanisms we like\n"
		     "plain login\n"
		     "  cram-md5\n"
		     "\n"
		     "!scram-sha-1, inline:{scram-sha-256=x}\n");
	snprintf(outer, sizeof(outer), "%s/mechs\n!scram-sha-1\ndigest-md5\n", dir);
	put("outer", outer);
	put("comment", "plain #login\ncram-md5\n");
	put("indented", " plain\nlogin\n");
	put("comments", "# nothing\n\n   # at all\n");
	put("self", in_dir("plain @/self\n"));
	put("badtable", "plain\nbogus:table\n");
	put("refmissing", "plain\n\n!/no/such/file\n");
}

static void test_cases(void)
{
	struct capture cap;
	char *out;

	put_files();
	capture_begin(&cap);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_str(answers(cases[i].value, cases[i].flags, cases[i].names), cases[i].want,
		       "%s: %s", cases[i].name, cases[i].want);
	out = capture_end(&cap);
	diag("warnings:\n%s", out);
	free(out);
}

static char *open_warnings(const char *value)
{
	struct error err = { 0 };
	struct capture cap;
	struct matchlist *l;

	capture_begin(&cap);
	l = matchlist_open(in_dir(value), 0, WHERE, &err);
	matchlist_free(l);
	return capture_end(&cap);
}

static void test_warnings(void)
{
	char want[512], *out;
	struct error err = { 0 };
	struct capture cap;
	struct matchlist *l;

	out = open_warnings("plain #login, cram-md5");
	is_str(out,
	       "relaymail: warning: " WHERE ": #comment after other text is not allowed: #login  "
	       "cram-md5...\n",
	       "#comment warned about as Postfix does");
	free(out);
	out = open_warnings("@/comment");
	snprintf(want, sizeof(want),
		 "relaymail: warning: " WHERE ": %s/comment, line 1: #comment after other text "
		 "is not allowed: #login ...\n",
		 dir);
	is_str(out, want, "... naming the file and line when in a pattern file");
	free(out);
	out = open_warnings("@/indented");
	snprintf(want, sizeof(want),
		 "relaymail: warning: %s/indented: logical line must not start with "
		 "whitespace: \" plain\"\n",
		 dir);
	is_str(out, want, "an indented first line is warned about as readllines() does");
	free(out);
	capture_begin(&cap);
	l = matchlist_open("plain #, login cram-md5 scram-sha-256 scram-sha-1", 0, NULL, &err);
	out = capture_end(&cap);
	is_str(out,
	       "relaymail: warning: match list: #comment after other text is not allowed: #  "
	       "login cram-md5 scra...\n",
	       "without where: \"match list\", and 20 bytes of what follows");
	ok(l != NULL && matchlist_match(l, "PLAIN", &err) == 1 &&
	       matchlist_match(l, "LOGIN", &err) == 0,
	   "... and the list ends there");
	free(out);
	matchlist_free(l);
}

/* The error text when value does not open, "" when it does. */
static const char *open_error(const char *value, enum error_class *cls)
{
	static struct error err;
	struct matchlist *l;

	error_clear(&err);
	l = matchlist_open(in_dir(value), 0, WHERE, &err);
	matchlist_free(l);
	*cls = err.cls;
	return l == NULL ? err.text : "";
}

static void test_open_errors(void)
{
	enum error_class cls;
	char want[512];
	struct buf many = { 0 };

	is_str(open_error("!", &cls), WHERE ": no pattern after '!'", "'!' alone");
	is_int(cls, ERROR_CONFIG, "... is ERROR_CONFIG");
	is_str(open_error("plain, !!", &cls), WHERE ": no pattern after '!'", "'!!' at the end");
	ok(strstr(open_error("plain regexp:/no/such/table", &cls), WHERE ": ") ==
		   open_error("plain regexp:/no/such/table", &cls) &&
	       strstr(open_error("plain regexp:/no/such/table", &cls), "/no/such/table") != NULL,
	   "a table that does not open is named, after where: %s",
	   open_error("plain regexp:/no/such/table", &cls));
	is_int(cls, ERROR_CONFIG, "... is ERROR_CONFIG");
	ok(strstr(open_error("nosuch:x", &cls), "unsupported lookup table type nosuch") != NULL &&
	       cls == ERROR_CONFIG,
	   "an unknown table type: %s", open_error("nosuch:x", &cls));
	snprintf(want, sizeof(want), WHERE ": cannot open /no/such/file: %s", strerror(ENOENT));
	is_str(open_error("plain, !/no/such/file", &cls), want,
	       "a pattern file that does not exist is named");
	is_int(cls, ERROR_CONFIG, "... is ERROR_CONFIG");
	snprintf(want, sizeof(want), "%s/badtable, line 2: unsupported lookup table type", dir);
	ok(strstr(open_error("@/badtable", &cls), want) != NULL,
	   "a bad table in a pattern file names file and line: %s", open_error("@/badtable", &cls));
	snprintf(want, sizeof(want), WHERE ": %s/refmissing, line 3: cannot open /no/such/file: %s",
		 dir, strerror(ENOENT));
	is_str(open_error("@/refmissing", &cls), want,
	       "a missing file named in a pattern file: where it was named");
	snprintf(want, sizeof(want),
		 WHERE ": %s/self, line 1: more than 20 pattern files (does one of them name "
		       "itself?)",
		 dir);
	is_str(open_error("@/self", &cls), want, "a pattern file that names itself, said once");
	is_int(cls, ERROR_CONFIG, "... is ERROR_CONFIG");

	for (int i = 0; i <= MATCHLIST_PATTERNS_MAX; i++)
		buf_append_str(&many, "x ");
	is_str(open_error(many.data, &cls), WHERE ": more than 10000 patterns",
	       "more than MATCHLIST_PATTERNS_MAX patterns");
	buf_reset(&many);
	for (int i = 0; i < MATCHLIST_PATTERNS_MAX; i++)
		buf_append_str(&many, "x ");
	is_str(open_error(many.data, &cls), "", "MATCHLIST_PATTERNS_MAX patterns open");
	buf_append_str(&many, "static:all");
	is_str(open_error(many.data, &cls), WHERE ": more than 10000 patterns",
	       "... and a table past them counts");
	buf_reset(&many);
	buf_append_str(&many, "plain\nk ");
	for (int i = 0; i < 65536 / 8; i++)
		buf_append_str(&many, "xxxxxxxx");
	put("long", many.data);
	snprintf(want, sizeof(want), WHERE ": %s/long, line 2: the line is longer than 65536 bytes",
		 dir);
	is_str(open_error("@/long", &cls), want, "a pattern file line past 64 KiB");
	buf_fini(&many);
}

static void test_api(void)
{
	struct error err = { 0 };
	struct matchlist *l;

	l = matchlist_open("!plain, static:all", 0, NULL, &err);
	is_str(l != NULL ? matchlist_text(l) : NULL, "!plain, static:all", "text as given");
	ok(l != NULL && !matchlist_empty(l), "not empty");
	matchlist_free(l);
	l = matchlist_open(NULL, 0, NULL, &err);
	ok(l != NULL && matchlist_empty(l) && strcmp(matchlist_text(l), "") == 0,
	   "NULL is the empty list");
	matchlist_free(l);
	l = matchlist_open(" , ", 0, NULL, &err);
	ok(l != NULL && matchlist_empty(l), "separators only: empty");
	matchlist_free(l);
	l = matchlist_open("regexp:/no/such/table", 0, NULL, &err);
	ok(l == NULL && err.cls == ERROR_CONFIG && strncmp(err.text, "cannot open", 11) == 0,
	   "without where, the table's own error: %s", err.text);
	matchlist_free(NULL);
	ok(true, "matchlist_free(NULL) is harmless");

	l = matchlist_open("plain, static:v\xff", TABLE_UTF8, WHERE, &err);
	error_clear(&err);
	ok(l != NULL && matchlist_match(l, "LOGIN", &err) == -1 && err.cls == ERROR_CONFIG &&
	       strncmp(err.text, WHERE ": ", strlen(WHERE) + 2) == 0 &&
	       strstr(err.text, "not valid UTF-8") != NULL,
	   "a failing lookup: the table's error after where");
	matchlist_free(l);
	l = matchlist_open("static:v\xff", TABLE_UTF8, NULL, &err);
	error_clear(&err);
	ok(l != NULL && matchlist_match(l, "LOGIN", &err) == -1 &&
	       strncmp(err.text, "table ", 6) == 0,
	   "without where, a failing lookup is the table's error alone");
	matchlist_free(l);
}

/* Postfix's namadr_list as debug_peer_list uses it (match_ops.c). */
static int host(const char *list, const char *name, const char *addr)
{
	struct error err = { 0 };
	struct matchlist *l = matchlist_open(list, 0, NULL, &err);
	int rc = l != NULL ? matchlist_match_host(l, name, addr, &err) : -2;

	matchlist_free(l);
	return rc;
}

static void test_hosts(void)
{
	struct error err = { 0 };
	struct matchlist *l;

	ok(host("smtp.isp.example", "SMTP.ISP.example", "192.0.2.1") == 1, "a name, any case");
	ok(host("isp.example", "smtp.isp.example", "192.0.2.1") == 1,
	   "a parent domain matches its subdomains");
	ok(host("isp.example", "smtpisp.example", "192.0.2.1") == 0, "... only at a dot");
	ok(host(".isp.example", "smtp.isp.example", "192.0.2.1") == 0,
	   "a dotted domain is no parent pattern there (as in Postfix)");
	ok(host("192.0.2.1", "smtp.isp.example", "192.0.2.1") == 1, "an address");
	ok(host("[192.0.2.1]", "", "192.0.2.1") == 1, "an address in brackets");
	ok(host("192.0.2.0/24", "smtp.isp.example", "192.0.2.77") == 1, "a network");
	ok(host("192.0.2.0/24", "smtp.isp.example", "192.0.3.1") == 0, "... not another");
	ok(host("[2001:db8::]/32", "x", "2001:DB8::5") == 1, "an IPv6 network in brackets");
	ok(host("[2001:db8::]/32", "x", "192.0.2.1") == 0, "an IPv6 network, an IPv4 address");
	ok(host("0.0.0.0/0", "x", "203.0.113.9") == 1, "/0 holds every IPv4 address");
	ok(host("!192.0.2.9, 192.0.2.0/24", "x", "192.0.2.9") == 0, "the first match decides");
	ok(host("inline:{ isp.example=1 }", "mx.smtp.isp.example", "192.0.2.1") == 1,
	   "a table: the parent domains are asked too");
	ok(host("inline:{ 192.0.2.1=1 }", "x", "192.0.2.1") == 1, "a table: the address");
	ok(host("other.example, 10.0.0.0/8", "smtp.isp.example", "192.0.2.1") == 0, "none matches");
	ok(host("smtp.isp.example", NULL, NULL) == 0, "no name, no address");

	l = matchlist_open("10.1.2.3/8", 0, "debug_peer_list (here)", &err);
	ok(l != NULL && matchlist_check_networks(l, &err) == -1 && err.cls == ERROR_CONFIG &&
	       strstr(err.text, "\"10.1.2.3/8\" is not a network") != NULL,
	   "host bits past the length: %s", err.text);
	matchlist_free(l);
	l = matchlist_open("10.0.0.0/33", 0, "w", &err);
	ok(l != NULL && matchlist_check_networks(l, &err) == -1, "a length past 32");
	matchlist_free(l);
	l = matchlist_open("10.0.0.0/8, [2001:db8::]/32, host.example", 0, "w", &err);
	ok(l != NULL && matchlist_check_networks(l, &err) == 0, "good networks and a name");
	matchlist_free(l);
}

int main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL) {
		ok(false, "mkdtemp: %s", strerror(errno));
		return tap_done();
	}
	test_cases();
	test_warnings();
	test_open_errors();
	test_api();
	test_hosts();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ok(system(cmd) == 0, "cleanup");
	return tap_done();
}
