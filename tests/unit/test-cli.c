/* SPDX-License-Identifier: GPL-3.0-or-later */
/* app: the sendmail command line and the exit-status table. */
#include <config.h>

#include <string.h>
#include <sysexits.h>

#include "app/cli.h"
#include "app/exitcode.h"
#include "tap.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define ARGC(v) ((int)(sizeof(v) / sizeof(v[0])) - 1)

static int parse(char **argv, int argc, struct options *o, struct error *err)
{
	return cli_parse(argc, argv, o, err);
}

static void test_basic(void)
{
	char **v = ARGV("sendmail", "-t", "-i", "-f", "me@example.org", "-v", "a@x", "-b", "c@y");
	struct options o;
	struct error err = { 0 };

	ok(parse(v, 9, &o, &err) == 0, "plain options parse");
	ok(o.extract && o.dot_ok, "-t and -i set");
	is_str(o.sender, "me@example.org", "-f with separate argument");
	is_int(o.verbose, 1, "-v counted");
	is_int(o.nrcpts, 3, "options stop at the first recipient");
	is_str(o.rcpts[1], "-b", "later dashes are recipients");
}

static void test_forms(void)
{
	struct options o;
	struct error err = { 0 };
	char **v1 = ARGV("sendmail", "-oi", "-FCronDaemon", "-B8BITMIME", "-oem", "root");
	char **v2 = ARGV("sendmail", "-rbounce@x", "-N", "success,Failure", "-R", "hdrs", "--",
			 "-dash@x");
	char **v3 = ARGV("mailq");
	char **v4 = ARGV("newaliases");
	char **v5 = ARGV("sendmail", "-bp");
	char **v6 = ARGV("sendmail", "-q15m");
	char **v7 = ARGV("sendmail", "-tif", "s@x");

	ok(parse(v1, 6, &o, &err) == 0, "cron's argv parses");
	ok(o.dot_ok && !o.body_7bit, "-oi and -B8BITMIME");
	is_str(o.fullname, "CronDaemon", "-F attached argument");
	is_int(o.nrcpts, 1, "one recipient after cron's options");
	ok(parse(v2, 8, &o, &err) == 0, "-r, -N, -R, --");
	is_str(o.sender, "bounce@x", "-r is -f");
	is_str(o.notify, "SUCCESS,FAILURE", "-N upper-cased");
	is_str(o.ret, "HDRS", "-R hdrs");
	is_str(o.rcpts[0], "-dash@x", "-- ends options");
	ok(parse(v3, 1, &o, &err) == 0 && o.mode == CLI_QUEUE, "mailq means -bp");
	ok(parse(v4, 1, &o, &err) == 0 && o.mode == CLI_ALIASES, "newaliases means -bi");
	ok(parse(v5, 2, &o, &err) == 0 && o.mode == CLI_QUEUE, "-bp");
	ok(parse(v6, 2, &o, &err) == 0 && o.mode == CLI_NOOP, "-q15m does nothing");
	ok(parse(v7, 3, &o, &err) == 0 && o.extract && o.dot_ok, "grouped flags");
	is_str(o.sender, "s@x", "grouped flags end with one taking an argument");
}

static void test_errors(void)
{
	struct options o;
	struct error err = { 0 };
	char **v1 = ARGV("sendmail", "-B", "foo");
	char **v2 = ARGV("sendmail", "-n");
	char **v3 = ARGV("sendmail", "-bx");
	char **v4 = ARGV("sendmail", "-f");
	char **v5 = ARGV("sendmail", "-k");

	ok(parse(v1, 3, &o, &err) < 0 && err.cls == ERROR_USAGE, "-B foo refused");
	ok(strstr(err.text, "8BITMIME") != NULL, "message says what -B takes");
	ok(parse(v2, 2, &o, &err) < 0 && err.cls == ERROR_USAGE, "-n refused");
	ok(parse(v3, 2, &o, &err) < 0 && strstr(err.text, "-bx") != NULL, "-bx refused by name");
	ok(parse(v4, 2, &o, &err) < 0 && strstr(err.text, "-f") != NULL, "-f without argument");
	ok(parse(v5, 2, &o, &err) < 0 && strstr(err.text, "-k") != NULL, "unknown letter named");
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
	test_basic();
	test_forms();
	test_errors();
	test_exitcodes();
	return tap_done();
}
