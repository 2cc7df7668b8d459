/* SPDX-License-Identifier: GPL-3.0-or-later */
/* app: the sendmail command line (every flag, the combinations Postfix
 * refuses, hostile arguments) and the exit-status table. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "app/cli.h"
#include "app/exitcode.h"
#include "base/log.h"
#include "capture.h"
#include "tap.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define ARGC(v) ((int)(sizeof(v) / sizeof(v[0])) - 1)

static int parse(char **argv, int argc, struct options *o, struct error *err)
{
	error_clear(err);
	return cli_parse(argc, argv, o, err);
}

static int count(char **argv)
{
	int n = 0;

	while (argv[n] != NULL)
		n++;
	return n;
}

/* Parse argv (NULL-terminated); the warnings it logs, malloc'd. */
static char *parse_warn(char **argv, struct options *o, struct error *err, int *rc)
{
	struct capture cap;

	capture_begin(&cap);
	*rc = parse(argv, count(argv), o, err);
	return capture_end(&cap);
}

/* Refused with ERROR_USAGE and a message holding want. */
static void refused(char **argv, const char *want, const char *name)
{
	struct options o;
	struct error err = { 0 };
	int rc;
	char *warn = parse_warn(argv, &o, &err, &rc);

	ok(rc < 0 && err.cls == ERROR_USAGE, "%s: refused as usage", name);
	if (!ok(strstr(err.text, want) != NULL, "%s: message has \"%s\"", name, want))
		diag("message: %s", err.text);
	free(warn);
}

static void test_basic(void)
{
	char **v = ARGV("sendmail", "-t", "-i", "-f", "me@example.org", "-v", "a@x", "b@y", "c@z");
	struct options o;
	struct error err = { 0 };

	ok(parse(v, 9, &o, &err) == 0, "plain options parse");
	ok(o.extract && o.dot_ok, "-t and -i set");
	is_str(o.sender, "me@example.org", "-f with separate argument");
	is_int(o.verbose, 1, "-v counted");
	is_int(o.nrcpts, 3, "three recipients");
	is_str(o.rcpts[2], "c@z", "recipients in order");
	is_int(o.mode, CLI_DELIVER, "default mode is delivery");
	refused(ARGV("sendmail", "a@x", "-v"), "invalid recipient \"-v\"",
		"options stop at the first recipient: a later -v is a recipient");
}

static void test_forms(void)
{
	struct options o;
	struct error err = { 0 };
	char **v1 = ARGV("sendmail", "-oi", "-FCronDaemon", "-B8BITMIME", "-oem", "root");
	char **v2 =
	    ARGV("sendmail", "-rbounce@x", "-N", "success,Failure", "-R", "hdrs", "--", "x@y");
	char **v3 = ARGV("/usr/bin/mailq");
	char **v4 = ARGV("newaliases");
	char **v5 = ARGV("sendmail", "-bp");
	char **v6 = ARGV("sendmail", "-q15m");
	char **v7 = ARGV("sendmail", "-tif", "s@x");
	char **v8 = ARGV("sendmail", "-vv", "-bm", "-B", "7BIT", "a@x");

	ok(parse(v1, 6, &o, &err) == 0, "cron's argv parses");
	ok(o.dot_ok && !o.body_7bit && o.body_8bit, "-oi and -B8BITMIME");
	is_str(o.fullname, "CronDaemon", "-F attached argument");
	is_int(o.nrcpts, 1, "one recipient after cron's options");
	is_str(o.rcpts[0], "root", "cron's recipient");
	ok(parse(v2, 8, &o, &err) == 0, "-r, -N, -R, --");
	is_str(o.sender, "bounce@x", "-r is -f");
	is_str(o.notify, "SUCCESS,FAILURE", "-N upper-cased");
	is_str(o.ret, "HDRS", "-R hdrs");
	is_str(o.rcpts[0], "x@y", "-- ends options");
	ok(parse(v3, 1, &o, &err) == 0 && o.mode == CLI_QUEUE, "mailq (with a path) means -bp");
	ok(parse(v4, 1, &o, &err) == 0 && o.mode == CLI_ALIASES, "newaliases means -bi");
	ok(parse(v5, 2, &o, &err) == 0 && o.mode == CLI_QUEUE, "-bp");
	ok(parse(v6, 2, &o, &err) == 0 && o.mode == CLI_FLUSH, "-q15m: the queue-run mode");
	ok(parse(v7, 3, &o, &err) == 0 && o.extract && o.dot_ok, "grouped flags");
	is_str(o.sender, "s@x", "grouped flags end with one taking an argument");
	ok(parse(v8, 6, &o, &err) == 0, "-vv -bm -B 7BIT");
	is_int(o.verbose, 2, "-vv counts twice");
	ok(o.body_7bit && !o.body_8bit && o.mode == CLI_DELIVER, "-B 7BIT and -bm");
}

/* Every -b mode, and the letters Postfix accepts and ignores. */
static void test_modes(void)
{
	static const struct {
		const char *arg;
		enum cli_mode mode;
	} modes[] = {
		{ "-bm", CLI_DELIVER },
		{ "-bs", CLI_SMTP },
		{ "-bv", CLI_VERIFY },
		{ "-bp", CLI_QUEUE },
		{ "-bi", CLI_ALIASES },
		{ "-I", CLI_ALIASES },
		{ "-bd", CLI_DAEMON },
		{ "-bl", CLI_DAEMON },
		{ "-bh", CLI_NOOP },
		{ "-bH", CLI_NOOP },
		{ "-q", CLI_FLUSH },
		{ "-q1h", CLI_FLUSH },
		{ "-qRexample.com", CLI_FLUSH },
		{ "-qIABC123", CLI_FLUSH },
		{ "--help", CLI_HELP },
		{ "--version", CLI_VERSION },
	};
	char **ignored = ARGV("sendmail", "-A", "x", "-c", "-e", "m", "-G", "-h", "20", "-L",
			      "label", "-m", "-om", "-oem", "-oep", "-oeq", "-odb", "-o7", "-o8",
			      "-oAfile", "-O", "DeliveryMode=b", "-p", "smtp", "-U", "-x", "a@x");
	struct options o;
	struct error err = { 0 };

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		char *v[] = { "sendmail", (char *)modes[i].arg, NULL };

		ok(parse(v, 2, &o, &err) == 0 && o.mode == modes[i].mode, "%s selects its mode",
		   modes[i].arg);
	}
	ok(parse(ignored, count(ignored), &o, &err) == 0, "ignored letters are accepted");
	ok(o.mode == CLI_DELIVER && !o.dot_ok && !o.extract && o.sender == NULL,
	   "ignored letters change nothing");
	is_int(o.nrcpts, 1, "ignored letters consume their arguments");
	is_str(o.rcpts[0], "a@x", "the recipient after them");
	{
		char **h = ARGV("sendmail", "--help", "-t", "-bv");

		ok(parse(h, 3, &o, &err) == 0 && o.mode == CLI_HELP,
		   "--help wins over conflicts later on the line");
	}
	{
		char **q = ARGV("sendmail", "-bd", "-q15m");

		ok(parse(q, 3, &o, &err) == 0 && o.mode == CLI_DAEMON,
		   "-bd -q15m stays daemon mode (refused by main)");
	}
	{
		char **qv = ARGV("relaymail", "--query", "-", "regexp:/etc/x", "texthash:/y");
		char **ev = ARGV("relaymail", "--expand", "myorigin", "relayhost");

		ok(parse(qv, 5, &o, &err) == 0 && o.mode == CLI_QUERY && o.nrcpts == 2,
		   "--query: table names are operands, not recipients to check");
		is_str(o.query_key, "-", "--query key");
		ok(parse(ev, 4, &o, &err) == 0 && o.mode == CLI_EXPAND && o.nrcpts == 2,
		   "--expand: parameter names are operands");
		refused(ARGV("relaymail", "--query"), "option --query needs a key",
			"--query alone");
	}
	{
		char **u = ARGV("sendmail", "-O", "smtputf8=yes", "-ooo", "a@x");

		ok(parse(u, 4, &o, &err) == 0 && o.smtputf8, "-O smtputf8=yes");
	}
}

static void test_dsn(void)
{
	struct options o;
	struct error err = { 0 };
	char *warn;
	int rc;
	char **v1 = ARGV("sendmail", "-N", "never", "-R", "FULL", "-V", "id+1=a b", "a@x");
	char **v2 = ARGV("sendmail", "-N", "never,success", "a@x");
	char **v3 = ARGV("sendmail", "-N", "bogus", "-R", "some", "a@x");
	char **v4 = ARGV("sendmail", "-V", "tab\there", "a@x");
	char id[CLI_ENVID_MAX + 2];
	char *v5[] = { "sendmail", "-V", id, "a@x", NULL };
	char **v7 = ARGV("sendmail", "-Nsuccess,delay", "-Rhdrs", "-Vabc", "a@x");

	ok(parse(v1, 8, &o, &err) == 0, "-N never -R FULL -V");
	is_str(o.notify, "NEVER", "-N never");
	is_str(o.ret, "FULL", "-R FULL (any case)");
	is_str(o.envid, "id+2B1+3Da+20b", "-V is xtext-encoded: + = and space as +XX");
	warn = parse_warn(v2, &o, &err, &rc);
	ok(rc == 0 && o.notify == NULL, "-N never,success is ignored");
	ok(strstr(warn, "bad -N option value \"never,success\" ignored") != NULL,
	   "-N never,success: warning names the value");
	free(warn);
	warn = parse_warn(v3, &o, &err, &rc);
	ok(rc == 0 && o.notify == NULL && o.ret == NULL, "bad -N and -R values are ignored");
	ok(strstr(warn, "\"bogus\"") != NULL &&
	       strstr(warn, "bad -R option value \"some\"") != NULL,
	   "bad -N and -R: two warnings");
	free(warn);
	warn = parse_warn(v4, &o, &err, &rc);
	ok(rc == 0 && o.envid == NULL, "-V with a control character is ignored");
	ok(strstr(warn, "bad -V option value \"tab?here\"") != NULL, "-V warning made printable");
	free(warn);
	memset(id, 'x', CLI_ENVID_MAX + 1);
	id[CLI_ENVID_MAX + 1] = '\0';
	warn = parse_warn(v5, &o, &err, &rc);
	ok(rc == 0 && o.envid == NULL, "-V of 101 characters is ignored");
	free(warn);
	id[CLI_ENVID_MAX] = '\0';
	ok(parse(v5, 4, &o, &err) == 0 && o.envid != NULL && strlen(o.envid) == 100,
	   "-V of 100 characters is kept");
	ok(parse(v7, 5, &o, &err) == 0, "attached -N -R -V");
	is_str(o.notify, "SUCCESS,DELAY", "attached -N");
	is_str(o.ret, "HDRS", "attached -R");
	is_str(o.envid, "abc", "attached -V");
}

static void test_errors(void)
{
	refused(ARGV("sendmail", "-B", "foo"), "-B option needs 8BITMIME or 7BIT", "-B foo");
	refused(ARGV("sendmail", "-B", "8bitmime"), "-B option needs", "-B is case-sensitive");
	refused(ARGV("sendmail", "-n"), "-n option not supported", "-n");
	refused(ARGV("sendmail", "-bx"), "unsupported option: -bx", "-bx");
	refused(ARGV("sendmail", "-f"), "option -f needs an argument", "-f without argument");
	refused(ARGV("sendmail", "-k"), "unknown option -k", "unknown letter");
	refused(ARGV("sendmail", "-d0.1"), "unknown option -d", "sendmail's -d debug flag");
	refused(ARGV("sendmail", "--bogus"), "unknown option --bogus", "unknown long option");
	refused(ARGV("sendmail", "-qX"), "-qX is not implemented", "-qX");
	refused(ARGV("sendmail", "-qR"), "specify: -qRsitename", "-qR without a site");
	refused(ARGV("sendmail", "-qI"), "specify: -qIqueueid", "-qI without an id");
	refused(ARGV("sendmail", "-oA"), "-oA requires pathname", "-oA without a path");
	refused(ARGV("sendmail", "-XV"), "VERP (-XV) is not supported", "-XV");
	refused(ARGV("sendmail", "-X", "V+="), "VERP", "-X V+=");
	refused(ARGV("sendmail", "-V+="), "VERP", "old -Vxy VERP form");
	refused(ARGV("sendmail", "-V", "ab", "a@x"), "VERP", "-V with two characters");
}

/* Postfix's fatal combinations (reference/postfix.md §1.3). */
static void test_conflicts(void)
{
	refused(ARGV("sendmail", "-t", "-bv"), "-t option cannot be used with -bv", "-t -bv");
	refused(ARGV("sendmail", "-bv", "-t", "a@x"), "-t option cannot be used with -bv",
		"-bv -t");
	refused(ARGV("sendmail", "-bv", "-N", "success", "a@x"), "-N option cannot be used",
		"-bv -N");
	refused(ARGV("sendmail", "-bv", "-R", "full", "a@x"), "-R option cannot be used", "-bv -R");
	refused(ARGV("sendmail", "-bp", "a@x"), "-bp mode requires no recipient", "-bp rcpt");
	refused(ARGV("mailq", "a@x"), "-bp mode requires no recipient", "mailq rcpt");
	refused(ARGV("sendmail", "-bi", "a@x"), "-bi mode requires no recipient", "-bi rcpt");
	refused(ARGV("newaliases", "x"), "-bi mode requires no recipient", "newaliases rcpt");
	refused(ARGV("sendmail", "-bd", "a@x"), "-bd mode requires no recipient", "-bd rcpt");
	refused(ARGV("sendmail", "-bs", "a@x"), "-bs mode requires no recipient", "-bs rcpt");
	refused(ARGV("sendmail", "-q", "a@x"), "-q mode requires no recipient", "-q rcpt");
	refused(ARGV("sendmail", "-t", "-bs"), "-t can be used only in delivery mode", "-t -bs");
	refused(ARGV("sendmail", "-t", "-bp"), "-t can be used only in delivery mode", "-t -bp");
	{
		struct options o;
		struct error err = { 0 };
		char **v = ARGV("sendmail", "-bv", "-v", "a@x");
		char **s = ARGV("sendmail", "-bs", "-i");

		ok(parse(v, 4, &o, &err) == 0 && o.mode == CLI_VERIFY && o.verbose == 1,
		   "-bv -v is allowed (a live check later)");
		ok(parse(s, 3, &o, &err) == 0 && o.mode == CLI_SMTP && o.dot_ok,
		   "-bs -i (Laravel's command)");
	}
}

/* Hostile arguments: named, made printable, refused before any input. */
static void test_hostile(void)
{
	refused(ARGV("sendmail", "-f", "a@b\r\nRCPT TO:<x@evil>", "c@d"),
		"invalid -f argument \"a@b??RCPT TO:<x@evil>\": it contains a line break",
		"CRLF in -f");
	refused(ARGV("sendmail", "-fa@b\n", "c@d"), "it contains a line break", "LF in -f");
	refused(ARGV("sendmail", "-F", "Name\r\nBcc: x@evil", "c@d"),
		"invalid -F argument \"Name??Bcc: x@evil\": it contains a line break",
		"CRLF in -F");
	refused(ARGV("sendmail", "-F", "Na\x01me", "c@d"),
		"invalid -F argument \"Na?me\": it contains a control character", "SOH in -F");
	refused(ARGV("sendmail", "a@b\r\nDATA"),
		"invalid recipient \"a@b??DATA\": it contains a line break", "CRLF in a recipient");
	refused(ARGV("sendmail", "ok@x", "\x01@x"),
		"invalid recipient \"?@x\": it contains a control character",
		"SOH in the second recipient");
	refused(ARGV("sendmail", "a\x7f@x"), "it contains a control character", "DEL");
	refused(ARGV("sendmail", "a@x", "-oQ/tmp/"), "invalid recipient \"-oQ/tmp/\"",
		"an option after a recipient is a recipient, and refused");
	refused(ARGV("sendmail", "--", "-X/var/www/shell.php"), "it begins with \"-\"",
		"a recipient with a leading dash after --");
	refused(ARGV("sendmail", "-f", "-oQ/tmp", "a@x"), "invalid -f argument \"-oQ/tmp\"",
		"-f with a leading dash");
	refused(ARGV("sendmail", "a b@x"), "invalid recipient \"a b@x\"", "a space in a recipient");
	refused(ARGV("sendmail", "ok@x, bad@"), "the domain is empty",
		"the second address of a list argument");
	refused(ARGV("sendmail", "<a@x"), "invalid recipient \"<a@x\"", "unclosed angle bracket");
	refused(ARGV("sendmail", "Some Name"), "a name without an address", "a name alone");
	refused(ARGV("sendmail", "-bv", "a@x\r\n"), "line break", "hostile -bv recipient");
	{
		struct options o;
		struct error err = { 0 };
		char **v = ARGV("sendmail", "-f", "<>", "-F", "Doe, John\t(ops)",
				"\"Full, Name\" <a@x>, b@y", "root", "\"a b\"@x");
		char **n = ARGV("sendmail", "-f", "", "a@x");
		char **many = ARGV("sendmail", "-f", "a@x, -bad", "a@x");

		ok(parse(v, 8, &o, &err) == 0,
		   "null sender, a comma and TAB in -F, lists, "
		   "a bare local name and a quoted local part are accepted");
		ok(parse(n, 4, &o, &err) == 0 && strcmp(o.sender, "") == 0, "-f '' is accepted");
		ok(parse(many, 4, &o, &err) == 0, "-f: only the first address of a list counts");
	}
}

static void test_exitcodes(void)
{
	is_int(exitcode_for(ERROR_NONE), EX_OK, "success is 0");
	is_int(exitcode_for(ERROR_TEMP), EX_TEMPFAIL, "temporary is 75");
	is_int(exitcode_for(ERROR_CONFIG), EX_CONFIG, "configuration is 78");
	is_int(exitcode_for(ERROR_REJECTED), EX_UNAVAILABLE, "5xx verdict is 69");
	is_int(exitcode_for(ERROR_RECIPIENT), EX_NOUSER, "rejected recipient is 67");
	is_int(exitcode_for(ERROR_AUTH), EX_NOPERM, "authentication refused is 77");
	is_int(exitcode_for(ERROR_USAGE), EX_USAGE, "usage is 64");
	is_int(exitcode_for(ERROR_PROTOCOL), EX_PROTOCOL, "protocol is 76");
	is_int(exitcode_for(ERROR_NOHOST), EX_NOHOST, "no such host is 68");
}

int main(void)
{
	log_init("sendmail", 0);
	test_basic();
	test_forms();
	test_modes();
	test_dsn();
	test_errors();
	test_conflicts();
	test_hostile();
	test_exitcodes();
	return tap_done();
}
