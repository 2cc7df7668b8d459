/* SPDX-License-Identifier: GPL-3.0-or-later */
/* conf/config: main.cf syntax and expansion (reference/postfix.md §0.1,
 * §9.7), defaults, environment overrides, typed values, list splitting,
 * warnings and errors that name file, line and parameter; conf/lines, the
 * logical lines under it and the table parsers. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/error.h"
#include "conf/config.h"
#include "conf/config_check.h"
#include "conf/expand.h"
#include "conf/lines.h"
#include "capture.h"
#include "tap.h"

static char *const no_env[] = { NULL };

static struct config *parse(const char *text, struct error *err)
{
	error_clear(err);
	return config_parse("test.cf", text, strlen(text), no_env, err);
}

static void test_vector_9_7(void)
{
	static const char text[] =
	    "mydomain = example.com\n"
	    "sender_canonical_maps = regexp:{ {/^(.*)@host\\.example\\.com$$/ $${1}@$mydomain} }\n"
	    "relayhost = [smtp.$mydomain]:587\n"
	    "smtp_fallback_relay = ${relayhost?{[backup.$mydomain]:465}}\n"
	    "smtp_sasl_password_maps =\n"
	    "    texthash:/etc/postfix/sasl_passwd,\n"
	    "# comment in middle\n"
	    "    inline:{ {[smtp.example.com]:587 = u:p} }\n";
	struct error err;
	struct config *c = parse(text, &err);

	ok(c != NULL, "9.7 parses: %s", err.text);
	if (c == NULL)
		return;
	is_str(config_get(c, "sender_canonical_maps"),
	       "regexp:{ {/^(.*)@host\\.example\\.com$/ ${1}@example.com} }",
	       "9.7 $$ and $mydomain");
	is_str(config_get(c, "relayhost"), "[smtp.example.com]:587", "9.7 relayhost");
	is_str(config_get(c, "smtp_fallback_relay"), "[backup.example.com]:465",
	       "9.7 conditional fallback");
	is_str(config_get(c, "smtp_sasl_password_maps"),
	       "texthash:/etc/postfix/sasl_passwd,    inline:{ {[smtp.example.com]:587 = u:p} }",
	       "9.7 continuation keeps leading whitespace, comment skipped");
	is_str(config_where(c, "relayhost"), "test.cf, line 3", "where names file and line");
	is_str(config_where(c, "smtp_sasl_password_maps"), "test.cf, line 5",
	       "where of a continued line is its first line");
	is_str(config_file(c), "test.cf", "config_file");
	config_free(c);

	c = parse("relayhost = [smtp.example.com]:587\n"
		  "sender_canonical_maps = regexp:{ {/^(.*)@x$/ $1} }\n",
		  &err);
	ok(c == NULL, "bare $ followed by / is an error");
	is_int(err.cls, ERROR_CONFIG, "empty macro name is ERROR_CONFIG");
	is_str(err.text,
	       "test.cf, line 2: the value of parameter sender_canonical_maps has an empty "
	       "macro name after \"$\"; write $$ for a literal $",
	       "empty macro name names file, line and parameter");
}

static void test_syntax(void)
{
	struct error err;
	struct config *c = parse("# comment\n"
				 "\n"
				 "relayhost=a#b   \n"
				 "  \t\n"
				 "myhostname   =   one\n"
				 "myhostname = mail.example.org\n"
				 "mynote = x\n"
				 "   # comment inside\n"
				 "\ty\n",
				 &err);

	ok(c != NULL, "syntax sample parses: %s", err.text);
	if (c == NULL)
		return;
	is_str(config_get(c, "relayhost"), "a#b", "# later in a line is part of the value");
	is_str(config_get(c, "myhostname"), "mail.example.org", "last definition wins");
	is_str(config_where(c, "myhostname"), "test.cf, line 6", "where of the last definition");
	is_str(config_get(c, "mydomain"), "example.org", "mydomain derived from myhostname");
	is_str(config_get(c, "smtp_helo_name"), "mail.example.org", "smtp_helo_name default");
	is_str(config_get(c, "mynote"), "x\ty", "continuation joined, tab kept");
	config_free(c);

	c = parse("relayhost [x]\n", &err);
	ok(c == NULL, "a line without = is refused");
	is_str(err.text, "test.cf, line 1: missing \"=\" after parameter name relayhost",
	       "missing = names file and line");
	c = parse("relay-host = x\n", &err);
	ok(c == NULL && err.cls == ERROR_CONFIG, "a bad parameter name is refused");
}

/* Every logical line of text read with a buffer of at most max bytes,
 * as "N:line|" each, then "end" or the error as "class: text". */
static const char *read_lines(const char *text, size_t max)
{
	static struct buf got;
	struct error err = { 0 };
	struct buf line;
	struct lines l;
	size_t lineno = 0;
	int rc;

	buf_reset(&got);
	buf_init(&line, max);
	lines_init(&l, "f.cf", text, strlen(text));
	while ((rc = lines_next(&l, &line, &lineno, &err)) == 1)
		buf_printf(&got, "%zu:%s|", lineno, line.data);
	if (rc == 0)
		buf_append_str(&got, "end");
	else
		buf_printf(&got, "%s: %s", error_class_name(err.cls), err.text);
	buf_fini(&line);
	return got.data;
}

/* A line past the cap is ERROR_CONFIG naming file and first line of the
 * logical line; out of memory is ERROR_INTERNAL (test-torture shows it,
 * since only a failing allocation makes it). */
static void test_lines(void)
{
	struct error err;
	struct config *c;
	struct buf text = { 0 };

	is_str(read_lines("# c\na b \n  c\n\n d\ne\r\n", 0), "2:a b   c d|6:e|end",
	       "lines: joined, comments and blank lines skipped, trailing space trimmed");
	is_str(read_lines("ok\n12345678\n123456789\nnext\n", 8),
	       "1:ok|2:12345678|config: f.cf, line 3: the line is longer than 8 bytes",
	       "lines: a physical line past the cap names its line");
	is_str(read_lines("ok\nk v\n# c\n  vvvv\nnext\n", 8),
	       "1:ok|config: f.cf, line 2: the line is longer than 8 bytes",
	       "lines: a continuation past the cap names the first line");

	buf_append_str(&text, "relayhost = x\n# comment\nmynote = ");
	for (int i = 0; i < 1024 * 1024 / 8; i++)
		buf_append_str(&text, "xxxxxxxx");
	buf_append_str(&text, "\n");
	c = parse(text.data, &err);
	ok(c == NULL && err.cls == ERROR_CONFIG, "config: a line past 1 MiB is ERROR_CONFIG");
	is_str(err.text, "test.cf, line 3: the line is longer than 1048576 bytes",
	       "config: ... naming file and line");
	config_free(c);
	buf_fini(&text);
}

static void expect(const char *text, const char *name, const char *want, const char *what)
{
	struct error err;
	struct config *c = parse(text, &err);

	if (!ok(c != NULL, "%s: parses", what)) {
		diag("%s", err.text);
		return;
	}
	is_str(config_get(c, name), want, "%s", what);
	config_free(c);
}

static void test_expansion(void)
{
	expect("a = 1\nrelayhost = $a ${a} $(a) $$a $undefined.\n", "relayhost", "1 1 1 $a .",
	       "$name ${name} $(name) $$ undefined");
	expect("a = x\nrelayhost = ${a?yes}|${a:no}|${b?yes}|${b:no}\n", "relayhost", "yes|||no",
	       "? and : without braces");
	expect("a = x\nrelayhost = ${a?{y e s}}|${a:{n o}}|${b:{n o}}\n", "relayhost", "y e s||n o",
	       "? and : with braces");
	expect("a = x\nrelayhost = ${a?{one}:{two}} ${b?{one}:{two}}\n", "relayhost", "one two",
	       "?{}:{} both ways");
	expect("a = 010\nrelayhost = ${{$a} == {10}?{eq}:{ne}} ${{abc} != {abd}?{ne}}"
	       " ${{9} < {10}?{lt}:{ge}} ${{b} >= {a}?{ge}}\n",
	       "relayhost", "eq ne lt ge", "relational: numeric and text");
	expect("a = $$b\nb = 2\nrelayhost = $a\n", "relayhost", "$b",
	       "$$ in a referenced value is turned into $ once");
	expect("relayhost = ${mydomain?[$mydomain]}\n", "relayhost", "[localdomain]",
	       "conditional value is expanded");
	expect("smtp_tls_cert_file = /c.pem\n", "smtp_tls_key_file", "/c.pem",
	       "default refers to another parameter");
	expect("mydomain = example.com\n", "myhostname", "localhost.example.com",
	       "host name without a dot gets .$mydomain");

	struct error err;
	struct config *c = parse("a = $b\nb = ${a}\nrelayhost = $a\n", &err);

	ok(c == NULL && err.cls == ERROR_CONFIG, "a loop is an error");
	ok(strstr(err.text, "loop") != NULL && strstr(err.text, "test.cf, line ") != NULL,
	   "loop error names the place: %s", err.text);
	c = parse("relayhost = ${a\n", &err);
	ok(c == NULL && strstr(err.text, "parameter relayhost") != NULL,
	   "unclosed ${ names the parameter: %s", err.text);

	/* ? and : test the value as written (postconf): the default
	 * "$fallback_relay" is not empty, though it expands to nothing, and
	 * a value may test itself without a loop. */
	expect("smtp_helo_name = ${smtp_fallback_relay?{backup}:{none}}\n", "smtp_helo_name",
	       "backup", "? tests the written default, not its expansion");
	expect("a = $b\nsmtp_helo_name = ${a?{set}:{unset}}${b:{-b-empty}}\n", "smtp_helo_name",
	       "set-b-empty", "? tests a value that expands to nothing as set");
	expect("smtp_helo_name = a${smtp_helo_name?b}\n", "smtp_helo_name", "ab",
	       "a value may test itself");
	expect("smtp_helo_name = <${myhostname?{h}}>\n", "smtp_helo_name", "<h>",
	       "a computed default (myhostname) is set");
	c = parse("smtp_helo_name = a${}b\n", &err);
	ok(c == NULL && strstr(err.text, "test.cf, line 1: the value of parameter smtp_helo_name "
					 "has an empty macro name") != NULL,
	   "${} is an empty macro name: %s", err.text);
	c = parse("smtp_helo_name = a$()b\n", &err);
	ok(c == NULL && strstr(err.text, "empty macro name") != NULL,
	   "$() is an empty macro name: %s", err.text);
	expect("smtp_helo_name = a${ }b${?x}c\n", "smtp_helo_name", "abc",
	       "${ } and ${?x} name nothing: undefined, as in Postfix");
}

/* luser_relay stays as written (postconf -x -h luser_relay); a value
 * referring to it gets it expanded; its syntax is its user's business. */
static void test_raw(void)
{
	char *env[] = { "RELAYMAIL_LUSER_RELAY=$local+$$@$mydomain", NULL };
	struct capture cap;
	struct error err;
	struct config *c;
	char *out;

	expect("mydomain = example.com\nluser_relay = ${extension?{$user+$extension}:{$user}}"
	       "@$mydomain $$x\n",
	       "luser_relay", "${extension?{$user+$extension}:{$user}}@$mydomain $$x",
	       "luser_relay is kept raw");
	expect("mydomain = example.com\nluser_relay = $user@$mydomain $$x\n"
	       "smtp_helo_name = <$luser_relay>\n",
	       "smtp_helo_name", "<@example.com $x>", "a reference to luser_relay expands it");
	expect("", "luser_relay", "", "luser_relay default");
	capture_begin(&cap);
	c = parse("luser_relay = ${user\n", &err);
	out = capture_end(&cap);
	ok(c != NULL, "bad syntax in luser_relay does not fail the load: %s", err.text);
	is_str(c != NULL ? config_get(c, "luser_relay") : NULL, "${user", "and is kept as is");
	is_str(out, "", "nor is it warned about at load");
	config_free(c);
	free(out);
	c = parse("luser_relay = ${user\nsmtp_helo_name = $luser_relay\n", &err);
	ok(c == NULL && strstr(err.text, "test.cf, line 1: the value of parameter luser_relay "
					 "has bad macro syntax") != NULL,
	   "but a used value referring to it fails: %s", err.text);
	c = config_parse("test.cf", "mydomain = example.com\n", 23, env, &err);
	is_str(c != NULL ? config_get(c, "luser_relay") : NULL, "$local+$$@$mydomain",
	       "RELAYMAIL_LUSER_RELAY is kept raw too");
	is_str(c != NULL ? config_where(c, "luser_relay") : NULL,
	       "environment variable RELAYMAIL_LUSER_RELAY", "and says where it came from");
	config_free(c);
}

static void test_defaults(void)
{
	struct error err;
	struct config *c = parse("", &err);

	ok(c != NULL, "empty text gives defaults");
	if (c == NULL)
		return;
	is_str(config_get(c, "myhostname"), "localhost.localdomain", "myhostname in tests");
	is_str(config_get(c, "mydomain"), "localdomain", "mydomain default");
	is_str(config_get(c, "myorigin"), "localhost.localdomain", "myorigin = $myhostname");
	is_str(config_get(c, "mydestination"),
	       "localhost.localdomain, localhost.localdomain, localhost", "mydestination");
	is_str(config_get(c, "smtp_sasl_tls_verified_security_options"), "noplaintext, noanonymous",
	       "security options chain");
	is_str(config_get(c, "smtp_tls_security_level"), "", "tls level unset is empty");
	is_str(config_get(c, "smtp_fallback_relay"), "", "fallback empty");
	is_str(config_get(c, "relaymail_deadline"), "15m", "relaymail_deadline");
	is_str(config_get(c, "smtp_tls_fingerprint_digest"), "sha256", "digest default");
	is_str(config_get(c, "empty_address_relayhost_maps_lookup_key"), "<>", "<> key");
	is_str(config_get(c, "no_such_parameter"), NULL, "unknown name gives NULL");
	ok(!config_is_set(c, "relayhost"), "relayhost not set");
	is_str(config_where(c, "relayhost"), "default", "where of a default");
	is_str(config_file(c), "test.cf", "file name kept");
	config_free(c);
	c = config_parse(NULL, "", 0, no_env, &err);
	ok(c != NULL && config_file(c) == NULL, "no name, no file");

	long t = 0;
	unsigned long u = 0;

	ok(config_get_time(c, "smtp_data_done_timeout", &t, &err) == 0 && t == 600, "600s default");
	ok(config_get_time(c, "relaymail_deadline", &t, &err) == 0 && t == 900, "15m");
	ok(config_get_ulong(c, "message_size_limit", &u, &err) == 0 && u == 10240000,
	   "message_size_limit");
	config_free(c);

	/* compatibility_level brings back Postfix's older defaults. */
	c = parse("compatibility_level = 0\n", &err);
	is_str(c ? config_get(c, "smtputf8_enable") : NULL, "no", "level 0: smtputf8_enable");
	is_str(c ? config_get(c, "append_dot_mydomain") : NULL, "yes",
	       "level 0: append_dot_mydomain");
	is_str(c ? config_get(c, "smtp_tls_fingerprint_digest") : NULL, "md5",
	       "level 0: fingerprint digest");
	config_free(c);
	c = parse("compatibility_level = 3.10\n", &err);
	is_str(c ? config_get(c, "smtp_tls_fingerprint_digest") : NULL, "sha256",
	       "level 3.10 is above 3.6, not below it");
	config_free(c);
	/* The major part is shifted 20 bits: the largest Postfix takes is
	 * LONG_MAX >> 20; one more, or 10000000000000, is no level (and no
	 * signed overflow, which a -fsanitize=undefined build would stop at). */
	ok(expand_compat_level("8796093022207", 13) == 8796093022207LL * 1024 * 1024,
	   "compatibility level 8796093022207 is the largest");
	ok(expand_compat_level("8796093022208", 13) == -1, "8796093022208 is too large");
	ok(expand_compat_level("10000000000000.1023.1023", 24) == -1,
	   "10000000000000.1023.1023 is too large");
	c = parse("compatibility_level = 10000000000000\n", &err);
	ok(c == NULL && strstr(err.text, "compatibility_level = 10000000000000 is not") != NULL,
	   "compatibility_level = 10000000000000 is a configuration error: %s", err.text);
	config_free(c);
	c = parse("compatibility_level = three\n", &err);
	ok(c == NULL && err.cls == ERROR_CONFIG &&
	       strstr(err.text, "test.cf, line 1: compatibility_level = three") != NULL &&
	       strstr(err.text, "compatibility level") != NULL,
	   "a bad compatibility_level is a configuration error: %s", err.text);
	config_free(c);

	c = parse("fallback_relay = [old.example]\n", &err);
	is_str(c ? config_get(c, "smtp_fallback_relay") : NULL, "[old.example]",
	       "legacy fallback_relay feeds smtp_fallback_relay");
	config_free(c);
}

static void test_typed(void)
{
	static const struct {
		const char *v;
		long want;
	} times[] = {
		{ "45", 45 },	 { "30s", 30 },
		{ "5m", 300 },	 { "2h", 7200 },
		{ "1d", 86400 }, { "1w", 604800 },
		{ "0", 0 },	 { "x", -1 },
		{ "5x", -1 },	 { "m", -1 },
		{ "", -1 },	 { "1ss", -1 },
		{ "-1", -1 },	 { "99999999999999999999", -1 },
	};
	char text[128];
	struct error err;
	struct config *c;

	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		long t = -7;
		int rc;

		snprintf(text, sizeof(text), "smtp_helo_timeout = %s\n", times[i].v);
		c = parse(text, &err);
		rc = c ? config_get_time(c, "smtp_helo_timeout", &t, &err) : -2;
		if (times[i].want >= 0)
			ok(rc == 0 && t == times[i].want, "time \"%s\" = %ld", times[i].v, t);
		else
			ok(rc == -1 && err.cls == ERROR_CONFIG, "time \"%s\" refused", times[i].v);
		config_free(c);
	}
	c = parse("smtp_sasl_auth_enable = YES\nsmtp_use_tls = no\nsoft_bounce = maybe\n"
		  "message_size_limit = 12k\n",
		  &err);
	bool b = false;
	unsigned long u;

	ok(config_get_bool(c, "smtp_sasl_auth_enable", &b, &err) == 0 && b, "YES is true");
	ok(config_get_bool(c, "smtp_use_tls", &b, &err) == 0 && !b, "no is false");
	ok(config_get_bool(c, "soft_bounce", &b, &err) == -1, "maybe is refused");
	is_str(err.text,
	       "bad boolean value \"maybe\" for parameter soft_bounce (test.cf, line 3): use yes "
	       "or no",
	       "bad boolean names value, parameter, file and line");
	ok(config_get_ulong(c, "message_size_limit", &u, &err) == -1 && err.cls == ERROR_CONFIG,
	   "12k is not a number");
	ok(config_get_bool(c, "no_such", &b, &err) == -1 && err.cls == ERROR_INTERNAL,
	   "typed getter of an unknown name fails");
	config_free(c);
}

static void test_env(void)
{
	char *env[] = { "RELAYMAIL_RELAYHOST=[env.$mydomain]:587",
			"RELAYMAIL_CONFIG=/nonexistent",
			"RELAYMAIL_SMTP_TLS_CAFILE=/ca.pem",
			"HOME=/x",
			"RELAYMAIL_TEST_POSTFIX=yes",
			NULL };
	struct error err = { 0 };
	static const char text[] = "relayhost = file\nmydomain = example.com\n";
	struct config *c = config_parse("test.cf", text, strlen(text), env, &err);

	ok(c != NULL, "env overrides parse: %s", err.text);
	if (c == NULL)
		return;
	is_str(config_get(c, "relayhost"), "[env.example.com]:587", "env overrides the file");
	is_str(config_where(c, "relayhost"), "environment variable RELAYMAIL_RELAYHOST",
	       "where names the variable");
	ok(config_is_set(c, "relayhost"), "env counts as set");
	is_str(config_get(c, "smtp_tls_CAfile"), "/ca.pem",
	       "RELAYMAIL_SMTP_TLS_CAFILE means smtp_tls_CAfile");
	ok(config_get(c, "test_postfix") == NULL && !config_is_set(c, "test_postfix"),
	   "RELAYMAIL_TEST_POSTFIX names no parameter and is not configuration");
	config_free(c);
}

static void test_lists(void)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{ "a, b c,,d", "a|b|c|d|" },
		{ "", "" },
		{ " , ", "" },
		{ "inline:{ {k = v w} }, texthash:/x", "inline:{ {k = v w} }|texthash:/x|" },
		{ "{ foo bar }, x", "foo bar|x|" },
		{ "{ a {b} }", "a {b}|" },
		{ "{a}b c", "{a}b|c|" },
		{ "{a b", "{a b|" },
		{ "hash:/etc/a\n\thash:/etc/b", "hash:/etc/a|hash:/etc/b|" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char **v = config_list_split(cases[i].in), joined[256] = "";

		for (char **p = v; p != NULL && *p != NULL; p++) {
			strncat(joined, *p, sizeof(joined) - strlen(joined) - 2);
			strncat(joined, "|", sizeof(joined) - strlen(joined) - 1);
		}
		is_str(joined, cases[i].out, "list \"%s\"", cases[i].in);
		config_list_free(v);
	}
	config_list_free(NULL);
}

static void test_warnings(void)
{
	struct capture cap;
	struct error err;
	struct config *c;
	char *out;

	capture_begin(&cap);
	c = parse("frobnicate = 1\nsmtpd_banner = $myhostname ESMTP $mail_name\n"
		  "biff = no\nmine = x\nrelayhost = $mine\n  more\n",
		  &err);
	out = capture_end(&cap);
	ok(c != NULL, "unknown parameters never fail");
	is_str(
	    out,
	    "relaymail: warning: test.cf, line 1: unknown parameter frobnicate\n"
	    "relaymail: warning: test.cf, line 2: parameter smtpd_banner is not used by relaymail\n"
	    "relaymail: warning: test.cf, line 3: parameter biff is not used by relaymail\n",
	    "one warning each; a referenced name of one's own is not unknown");
	is_str(c ? config_get(c, "relayhost") : NULL, "x  more",
	       "continuation belongs to the line before");
	config_free(c);
	free(out);

	capture_begin(&cap);
	c = parse("  orphan = 1\nrelayhost = r\n", &err);
	out = capture_end(&cap);
	is_str(c ? config_get(c, "relayhost") : NULL, "r", "orphan continuation skipped");
	is_str(out,
	       "relaymail: warning: test.cf, line 1: ignoring a continuation line with no line "
	       "before it to continue\n",
	       "orphan continuation warned about");
	config_free(c);
	free(out);

	/* What copying from a guide does: each a warning naming file and line. */
	capture_begin(&cap);
	c = parse("\xef\xbb\xbfrelayhost = [a] # main\nsmtp_helo_name = $HOME.x $no_such\n", &err);
	out = capture_end(&cap);
	is_str(c ? config_get(c, "relayhost") : NULL, "[a] # main",
	       "a byte order mark is skipped; # stays in the value, as in Postfix");
	is_str(
	    out,
	    "relaymail: warning: test.cf, line 1: the file starts with a UTF-8 byte order mark; "
	    "relaymail skips it, Postfix would not: save the file without it\n"
	    "relaymail: warning: test.cf, line 1: the value of parameter relayhost goes on after "
	    "\"#\": \"# main\" is part of the value, as in Postfix; a comment must be on a line "
	    "of its own\n"
	    "relaymail: warning: test.cf, line 2: the value of parameter smtp_helo_name refers to "
	    "$HOME, which is not a parameter and expands to nothing; environment variables are "
	    "not expanded in this file\n"
	    "relaymail: warning: test.cf, line 2: the value of parameter smtp_helo_name refers to "
	    "$no_such, which is not a parameter and expands to nothing\n",
	    "BOM, # comment, $HOME, unknown $name");
	config_free(c);
	free(out);

	/* Postfix's own names are not unknown: main.cf.dist's debugger_command. */
	capture_begin(&cap);
	c = parse("debugger_command = ddd $daemon_directory/$process_name $process_id\n", &err);
	out = capture_end(&cap);
	is_str(out,
	       "relaymail: warning: test.cf, line 1: parameter debugger_command is not used by "
	       "relaymail\n",
	       "$process_name and $process_id are Postfix's: no warning about them");
	config_free(c);
	free(out);

	c = parse("relayhost =\xe3\x80\x80[a]\n", &err);
	ok(c == NULL && err.cls == ERROR_CONFIG &&
	       strcmp(err.text, "test.cf, line 1: the value of parameter relayhost holds a U+3000 "
				"(ideographic space), which Postfix does not take for a space; "
				"write an ASCII space") == 0,
	   "U+3000 in a used value is an error: %s", err.text);
	c = parse("relay\xc2\xa0host = [a]\n", &err);
	ok(c == NULL &&
	       strstr(err.text, "a U+00A0 (no-break space) stands where a parameter name") != NULL,
	   "U+00A0 in a name is an error: %s", err.text);

	{
		char *env[] = { "RELAYMAIL_Relay_Host=x", "RELAYMAIL_TEST_POSTFIX=yes",
				"RELAYMAIL_MYHOSTNAM=y", "RELAYMAIL_X=z", NULL };

		capture_begin(&cap);
		c = config_parse("test.cf", "", 0, env, &err);
		out = capture_end(&cap);
		is_str(
		    out,
		    "relaymail: warning: environment variable RELAYMAIL_Relay_Host names no "
		    "parameter and is ignored; for parameter relayhost, write RELAYMAIL_RELAYHOST\n"
		    "relaymail: warning: environment variable RELAYMAIL_MYHOSTNAM names no "
		    "parameter and is ignored; for parameter myhostname, write "
		    "RELAYMAIL_MYHOSTNAME\n",
		    "RELAYMAIL_ names close to a parameter are warned about; others are not");
		config_free(c);
		free(out);
	}

	capture_begin(&cap);
	c = parse("smtpd_banner = $ oops\n", &err);
	out = capture_end(&cap);
	ok(c != NULL, "bad syntax in an unused parameter does not fail");
	ok(strstr(out, "empty macro name") != NULL, "but is warned about: %s", out);
	config_free(c);
	free(out);
}

static char dir[] = "/tmp/test-config.XXXXXX";

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_load(void)
{
	char path[256], cf[300], envc[300], home[300];
	struct error err = { 0 };
	struct config *c;

	if (mkdtemp(dir) == NULL) {
		ok(false, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/mailname", dir);
	put("mailname", "  mail.example.net \nother\n");
	snprintf(cf, sizeof(cf), "myorigin = %s\nsmtp_helo_name = $myorigin\n", path);
	put("sendmail.conf", cf);
	snprintf(cf, sizeof(cf), "%s/sendmail.conf", dir);
	c = config_load(cf, no_env, &err);
	ok(c != NULL, "config_load: %s", err.text);
	is_str(c ? config_get(c, "myorigin") : NULL, "mail.example.net", "myorigin = /file");
	is_str(c ? config_get(c, "smtp_helo_name") : NULL, "mail.example.net",
	       "$myorigin sees the file's first line");
	is_str(c ? config_file(c) : NULL, cf, "config_file names the file");
	config_free(c);

	c = config_load(dir, no_env, &err);
	is_str(c ? config_file(c) : NULL, cf, "-C DIR reads DIR/sendmail.conf");
	config_free(c);

	unlink(path);
	c = config_load(cf, no_env, &err);
	ok(c == NULL && err.cls == ERROR_CONFIG && strstr(err.text, path) != NULL &&
	       strstr(err.text, "myorigin") != NULL,
	   "missing mailname file is an error naming it: %s", err.text);

	snprintf(envc, sizeof(envc), "RELAYMAIL_CONFIG=%s/nope.conf", dir);
	char *env1[] = { envc, NULL };
	c = config_load(NULL, env1, &err);
	ok(c == NULL && err.cls == ERROR_CONFIG && strstr(err.text, "nope.conf") != NULL,
	   "RELAYMAIL_CONFIG must exist: %s", err.text);

	snprintf(cf, sizeof(cf), "%s/.config", dir);
	mkdir(cf, 0700);
	snprintf(cf, sizeof(cf), "%s/.config/relaymail", dir);
	mkdir(cf, 0700);
	put(".config/relaymail/sendmail.conf", "relayhost = [home.example]\n");
	snprintf(home, sizeof(home), "HOME=%s", dir);
	char *env2[] = { home, NULL };
	c = config_load(NULL, env2, &err);
	is_str(c ? config_get(c, "relayhost") : NULL, "[home.example]",
	       "~/.config/relaymail/sendmail.conf is found");
	config_free(c);

	c = config_load("/nonexistent/relaymail.conf", no_env, &err);
	ok(c == NULL && err.cls == ERROR_CONFIG, "-C FILE must exist");

	snprintf(cf, sizeof(cf), "rm -rf '%s'", dir);
	ok(system(cf) == 0, "cleanup");
}

/* The "# comment inside a value" check reads only the value: an empty
 * one (a line "name =") ends at once (valgrind found a read past it). */
static void test_comment_check(void)
{
	char *empty = malloc(1), *two = malloc(2);
	size_t at = 0;

	if (empty == NULL || two == NULL) {
		ok(false, "malloc");
		free(empty);
		free(two);
		return;
	}
	empty[0] = '\0';
	memcpy(two, "#", 2);
	ok(!config_check_comment(empty, &at), "an empty value holds no comment");
	ok(!config_check_comment(two, &at), "a value that is only \"#\" is not a trailing comment");
	ok(config_check_comment("a #b", &at) && at == 2, "\"a #b\": the comment at 2");
	ok(!config_check_comment("a#b", &at), "\"a#b\": no blank before, no comment");
	free(empty);
	free(two);
}

int main(void)
{
	test_comment_check();
	test_vector_9_7();
	test_syntax();
	test_lines();
	test_expansion();
	test_raw();
	test_defaults();
	test_typed();
	test_env();
	test_lists();
	test_warnings();
	test_load();
	return tap_done();
}
