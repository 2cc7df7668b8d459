/* SPDX-License-Identifier: GPL-3.0-or-later */
/* smtp/server: command lines (verbs in any case, arguments, control
 * characters, overlong lines), MAIL and RCPT paths and parameters, the
 * DATA decoder fed whole and one byte at a time, and the reply lines. */
#include <config.h>

#include <limits.h>
#include <string.h>

#include "smtp/server.h"
#include "tap.h"

static char reply[SERVER_REPLY_MAX];

/* Parse a C string as a command line; returns the verb or -1. */
static int verb_of(const char *line, const char **arg)
{
	struct server_command c;

	reply[0] = '\0';
	if (server_command_parse(line, strlen(line), &c, reply, sizeof(reply)) < 0)
		return -1;
	if (arg != NULL) {
		static char a[SERVER_LINE_MAX + 1];

		memcpy(a, c.arg, c.arg_len);
		a[c.arg_len] = '\0';
		*arg = a;
	}
	return (int)c.verb;
}

static void test_verbs(void)
{
	const char *arg = NULL;

	is_int(verb_of("EHLO client.test", &arg), SERVER_EHLO, "EHLO");
	is_str(arg, "client.test", "EHLO argument");
	is_int(verb_of("ehlo  client.test  ", &arg), SERVER_EHLO, "ehlo in lower case");
	is_str(arg, "client.test", "blanks around the argument removed");
	is_int(verb_of("HeLo [127.0.0.1]", &arg), SERVER_HELO, "HeLo in mixed case");
	is_int(verb_of("DATA", &arg), SERVER_DATA, "DATA");
	is_str(arg, "", "DATA has an empty argument");
	is_int(verb_of("rset", NULL), SERVER_RSET, "rset");
	is_int(verb_of("NOOP", NULL), SERVER_NOOP, "NOOP");
	is_int(verb_of("NOOP anything goes", NULL), SERVER_NOOP, "NOOP with an argument");
	is_int(verb_of("QUIT", NULL), SERVER_QUIT, "QUIT");
	is_int(verb_of("quit now", NULL), SERVER_QUIT, "QUIT with an argument still quits");
	is_int(verb_of("VRFY root", NULL), SERVER_VRFY, "VRFY");
	is_int(verb_of("HELP", NULL), SERVER_HELP, "HELP");
	is_int(verb_of("HELP MAIL", NULL), SERVER_HELP, "HELP with a topic");
	is_int(verb_of("MAIL\tFROM:<a@b>", &arg), SERVER_MAIL, "a tab after the verb");
	is_str(arg, "FROM:<a@b>", "MAIL argument");
	is_int(verb_of("RCPT TO:<a@b>", NULL), SERVER_RCPT, "RCPT");
}

static void test_bad_commands(void)
{
	char line[SERVER_LINE_MAX + 2];

	is_int(verb_of("DATA now", NULL), -1, "DATA with an argument refused");
	is_str(reply, "501 5.5.4 Syntax: DATA", "DATA with an argument: reply");
	is_int(verb_of("RSET x", NULL), -1, "RSET with an argument refused");
	is_str(reply, "501 5.5.4 Syntax: RSET", "RSET syntax reply");
	is_int(verb_of("EHLO", NULL), -1, "EHLO without a name refused");
	is_str(reply, "501 5.5.4 Syntax: EHLO hostname", "EHLO syntax reply");
	is_int(verb_of("HELO   ", NULL), -1, "HELO with only blanks refused");
	is_str(reply, "501 5.5.4 Syntax: HELO hostname", "HELO syntax reply");
	is_int(verb_of("MAIL", NULL), -1, "MAIL without argument refused");
	is_str(reply, "501 5.5.4 Syntax: MAIL FROM:<address>", "MAIL syntax reply");
	is_int(verb_of("VRFY", NULL), -1, "VRFY without argument refused");
	is_int(verb_of("FOO bar", NULL), -1, "unknown verb");
	is_str(reply, "500 5.5.2 Error: command not recognized", "unknown verb: reply");
	is_int(verb_of("MAILX FROM:<a@b>", NULL), -1, "no prefix match of verbs");
	is_int(verb_of("STARTTLS", NULL), -1, "STARTTLS not offered");
	is_str(reply, "502 5.5.1 Error: command not implemented", "STARTTLS: 502");
	is_int(verb_of("auth PLAIN AGFiAGM=", NULL), -1, "AUTH not offered");
	is_str(reply, "502 5.5.1 Error: command not implemented", "AUTH: 502");
	is_int(verb_of("EXPN list", NULL), -1, "EXPN refused");
	is_int(verb_of("", NULL), -1, "empty line refused");
	is_str(reply, "500 5.5.2 Error: bad syntax", "empty line: reply");
	is_int(verb_of(" NOOP", NULL), -1, "leading blank refused");
	is_int(verb_of("NOOP\rRSET", NULL), -1, "CR inside refused");
	is_str(reply, "500 5.5.2 Error: bad character in command", "CR inside: reply");
	is_int(verb_of("EHLO a\033b", NULL), -1, "escape character refused");
	{
		struct server_command c;

		reply[0] = '\0';
		is_int(server_command_parse("NOOP\0x", 6, &c, reply, sizeof(reply)), -1,
		       "NUL inside refused");
		is_str(reply, "500 5.5.2 Error: bad character in command", "NUL: reply");
		memset(line, 'a', sizeof(line));
		memcpy(line, "NOOP ", 5);
		is_int(server_command_parse(line, SERVER_LINE_MAX, &c, reply, sizeof(reply)), 0,
		       "a line of exactly SERVER_LINE_MAX is accepted");
		is_int(server_command_parse(line, SERVER_LINE_MAX + 1, &c, reply, sizeof(reply)),
		       -1, "one octet more is refused");
		is_str(reply, "500 5.5.2 Error: line too long", "overlong: reply");
	}
}

/* Parse "FROM:..." or "TO:..."; the address in addr, -1 on refusal. */
static int path_of(bool mail, const char *arg, struct server_path *p, char *addr)
{
	int rc;

	reply[0] = '\0';
	addr[0] = '\0';
	rc = mail ? server_mail_parse(arg, strlen(arg), p, reply, sizeof(reply))
		  : server_rcpt_parse(arg, strlen(arg), p, reply, sizeof(reply));
	if (rc == 0) {
		memcpy(addr, p->addr, p->addr_len);
		addr[p->addr_len] = '\0';
	}
	return rc;
}

static void test_paths(void)
{
	struct server_path p;
	char a[SERVER_LINE_MAX];
	char longpath[300];

	is_int(path_of(true, "FROM:<joe@example.com>", &p, a), 0, "FROM:<addr>");
	is_str(a, "joe@example.com", "FROM:<addr>: address");
	is_int(path_of(true, "from: <joe@example.com>", &p, a), 0,
	       "from: <addr> (blank after colon)");
	is_str(a, "joe@example.com", "blank after colon: address");
	is_int(path_of(true, "FROM:<>", &p, a), 0, "null sender");
	is_str(a, "", "null sender: empty address");
	is_int(path_of(true, "FROM:joe@example.com", &p, a), 0, "path without brackets");
	is_str(a, "joe@example.com", "no brackets: address");
	is_int(path_of(false, "To:<bob@example.net>", &p, a), 0, "To:<addr>");
	is_str(a, "bob@example.net", "To: address");
	is_int(path_of(false, "TO:<@relay.one,@relay.two:bob@example.net>", &p, a), 0,
	       "source route");
	is_str(a, "bob@example.net", "source route dropped");
	is_int(path_of(false, "TO:<\"a > b\"@example.net>", &p, a), 0, "quoted '>' inside");
	is_str(a, "\"a > b\"@example.net", "quoted local part kept as given");
	is_int(path_of(false, "TO:<>", &p, a), -1, "empty recipient refused");
	is_str(reply, "501 5.1.3 Bad recipient address syntax", "empty recipient: reply");
	is_int(path_of(true, "TO:<a@b>", &p, a), -1, "MAIL with TO: refused");
	is_str(reply, "501 5.5.4 Syntax: MAIL FROM:<address>", "wrong keyword: reply");
	is_int(path_of(false, "FROM:<a@b>", &p, a), -1, "RCPT with FROM: refused");
	is_str(reply, "501 5.5.4 Syntax: RCPT TO:<address>", "RCPT keyword: reply");
	is_int(path_of(true, "FROM", &p, a), -1, "FROM without colon");
	is_int(path_of(true, "FROM:", &p, a), -1, "FROM: without a path");
	is_str(reply, "501 5.5.4 Syntax: MAIL FROM:<address>", "no path: reply");
	is_int(path_of(true, "FROM:<joe@example.com", &p, a), -1, "unclosed bracket");
	is_str(reply, "501 5.1.7 Bad sender address syntax", "unclosed bracket: reply");
	is_int(path_of(true, "FROM:<a<b>", &p, a), -1, "'<' inside the path");
	is_int(path_of(true, "FROM:<a@b>x", &p, a), -1, "text glued to the path");
	is_int(path_of(false, "TO:<@relay.one>", &p, a), -1, "source route without mailbox");
	memset(longpath, 'x', sizeof(longpath));
	memcpy(longpath, "FROM:<", 6);
	longpath[6 + 254] = '>';
	longpath[6 + 255] = '\0';
	is_int(path_of(true, longpath, &p, a), 0, "path of 256 octets with brackets");
	longpath[6 + 254] = 'x';
	longpath[6 + 255] = '>';
	longpath[6 + 256] = '\0';
	is_int(path_of(true, longpath, &p, a), -1, "path of 257 octets refused");
}

static void test_params(void)
{
	struct server_path p;
	char a[SERVER_LINE_MAX];

	is_int(path_of(true, "FROM:<a@b> SIZE=1234 BODY=8BITMIME SMTPUTF8", &p, a), 0,
	       "SIZE, BODY, SMTPUTF8");
	ok(p.has_size && p.size == 1234, "SIZE value");
	ok(p.smtputf8, "SMTPUTF8 flag");
	is_int(path_of(true, "FROM:<a@b>   body=7bit   size=99  ", &p, a), 0,
	       "parameters in lower case, extra blanks");
	is_int((long long)p.size, 99, "size value");
	ok(!p.smtputf8, "no SMTPUTF8");
	is_int(path_of(true, "FROM:<a@b> SIZE=99999999999999999999", &p, a), 0, "huge SIZE");
	ok(p.size == ULONG_MAX, "huge SIZE saturates");
	is_int(path_of(true, "FROM:<a@b> SIZE=12x", &p, a), -1, "SIZE not a number");
	is_str(reply, "501 5.5.4 Bad SIZE parameter", "bad SIZE: reply");
	is_int(path_of(true, "FROM:<a@b> SIZE", &p, a), -1, "SIZE without a value");
	is_int(path_of(true, "FROM:<a@b> BODY=BINARYMIME", &p, a), -1, "BINARYMIME not offered");
	is_str(reply, "501 5.5.4 Bad BODY parameter", "BODY: reply");
	is_int(path_of(true, "FROM:<a@b> SMTPUTF8=yes", &p, a), -1, "SMTPUTF8 takes no value");
	is_int(path_of(true, "FROM:<a@b> RET=hdrs ENVID=QQ+2Bx", &p, a), 0, "RET and ENVID");
	is_str(p.ret, "HDRS", "RET upper-cased");
	is_mem(p.envid, p.envid_len, "QQ+2Bx", 6, "ENVID kept as xtext");
	is_int(path_of(true, "FROM:<a@b> RET=ALL", &p, a), -1, "bad RET");
	is_int(path_of(true, "FROM:<a@b> ENVID=a+2", &p, a), -1, "ENVID with a broken +XX");
	is_int(path_of(true, "FROM:<a@b> ENVID=a=b", &p, a), -1, "ENVID with '='");
	is_int(path_of(true, "FROM:<a@b> SIZE=1 SIZE=2", &p, a), -1, "duplicate SIZE");
	is_str(reply, "501 5.5.4 Duplicate SIZE parameter", "duplicate: reply");
	is_int(path_of(true, "FROM:<a@b> XYZZY=1", &p, a), -1, "unknown parameter");
	is_str(reply, "555 5.5.4 Unsupported option: XYZZY", "unknown parameter: reply");
	is_int(path_of(true, "FROM:<a@b> NOTIFY=NEVER", &p, a), -1,
	       "NOTIFY is not a MAIL parameter");
	is_str(reply, "555 5.5.4 Unsupported option: NOTIFY", "NOTIFY on MAIL: reply");
	is_int(path_of(true, "FROM:<a@b> =1", &p, a), -1, "parameter without a name");
	is_str(reply, "501 5.5.4 Bad parameter syntax", "no name: reply");
	is_int(path_of(true, "FROM:<a@b> A\xc3\xa9=1", &p, a), -1, "non-ASCII parameter name");
	is_str(reply, "501 5.5.4 Bad parameter syntax", "non-ASCII name not echoed");

	is_int(path_of(false, "TO:<a@b> NOTIFY=success,Delay", &p, a), 0, "NOTIFY list");
	is_str(p.notify, "SUCCESS,DELAY", "NOTIFY upper-cased in order");
	is_int(path_of(false, "TO:<a@b> NOTIFY=never", &p, a), 0, "NOTIFY=NEVER");
	is_str(p.notify, "NEVER", "NEVER");
	is_int(path_of(false, "TO:<a@b> NOTIFY=NEVER,FAILURE", &p, a), -1, "NEVER combined");
	is_str(reply, "501 5.5.4 Bad NOTIFY parameter", "NOTIFY: reply");
	is_int(path_of(false, "TO:<a@b> NOTIFY=FAILURE,FAILURE", &p, a), -1,
	       "NOTIFY repeated word");
	is_int(path_of(false, "TO:<a@b> NOTIFY=FAILURE,", &p, a), -1, "NOTIFY trailing comma");
	is_int(path_of(false, "TO:<a@b> NOTIFY=", &p, a), -1, "NOTIFY empty");
	is_int(path_of(false, "TO:<a@b> ORCPT=rfc822;a+40b", &p, a), 0, "ORCPT accepted");
	is_int(path_of(false, "TO:<a@b> ORCPT=rfc822", &p, a), -1, "ORCPT without type");
	is_int(path_of(false, "TO:<a@b> SIZE=1", &p, a), -1, "SIZE is not a RCPT parameter");
	is_str(p.notify, "", "no NOTIFY");
}

/* Run the decoder over input in pieces of chunk bytes (0: all at once),
 * as a driver does: undecided bytes stay and more input is appended. */
static size_t decode(const char *in, size_t len, size_t chunk, char *out, bool *done, size_t *rest)
{
	struct server_data d = { 0 };
	size_t have = 0, pos = 0, n = 0;

	while (!d.done) {
		size_t keep, used;

		used = server_data_step(&d, in + pos, have - pos, &keep);
		if (used == 0) {
			if (have == len)
				break;
			have = chunk == 0 || have + chunk > len ? len : have + chunk;
			continue;
		}
		memcpy(out + n, in + pos, keep);
		n += keep;
		pos += used;
	}
	*done = d.done;
	*rest = len - pos;
	return n;
}

static void check_data(const char *in, const char *want, bool want_done, size_t want_rest,
		       const char *name)
{
	static const size_t chunks[] = { 0, 1, 2, 3, 7 };
	char out[512];

	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		bool done;
		size_t rest, n = decode(in, strlen(in), chunks[i], out, &done, &rest);

		if (!is_mem(out, n, want, strlen(want), "%s (pieces of %zu): text", name,
			    chunks[i]))
			continue;
		ok(done == want_done && rest == want_rest, "%s (pieces of %zu): end", name,
		   chunks[i]);
	}
}

static void test_data(void)
{
	check_data("Subject: x\r\n\r\nbody\r\n.\r\n", "Subject: x\r\n\r\nbody\r\n", true, 0,
		   "CRLF message");
	check_data("a\n.\nQUIT\n", "a\n", true, 5, "LF line ends; what follows stays");
	check_data("..\r\n...x\r\n.y\r\n.\r\n", ".\r\n..x\r\ny\r\n", true, 0,
		   "one leading dot removed");
	check_data("a.\r\n .\r\n.\r\n", "a.\r\n .\r\n", true, 0, "dots not at line start kept");
	check_data(".\rx\r\n.\r\n", "\rx\r\n", true, 0, "\".\\r\" without LF is not the end");
	check_data("no end\r\n", "no end\r\n", false, 0, "no end of data");
	check_data("text\r\n.", "text\r\n", false, 1, "a final \".\" waits");
	check_data("text\r\n.\r", "text\r\n", false, 2, "a final \".\\r\" waits");
	check_data(".\r\n", "", true, 0, "empty message");
}

static void test_replies(void)
{
	struct buf b = { 0 };
	char out[SERVER_REPLY_MAX + 64];
	char big[1000];

	is_int(server_ehlo_reply(&b, "host.test", 10240000), 0, "EHLO reply built");
	is_str(b.data,
	       "250-host.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
	       "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n"
	       "250 HELP\r\n",
	       "EHLO reply");
	buf_reset(&b);
	server_ehlo_reply(&b, "h", 0);
	ok(strstr(b.data, "250-SIZE\r\n") != NULL, "SIZE without a limit");
	buf_fini(&b);

	server_reply_relay(out, sizeof(out), 250, "2.0.0", "", "250 2.0.0 Ok: queued as 4ABC", "");
	is_str(out, "250 2.0.0 Ok: queued as 4ABC", "relay success passed on");
	server_reply_relay(out, sizeof(out), 550, "5.0.0",
			   "relay said: ", "553 5.7.1 <x@y>: Sender address rejected", " (saved)");
	is_str(out, "550 5.7.1 relay said: <x@y>: Sender address rejected (saved)",
	       "relay's enhanced code of the same class kept");
	server_reply_relay(out, sizeof(out), 451, "4.3.0", "", "553 5.7.1 no", "");
	is_str(out, "451 4.3.0 no", "enhanced code of another class replaced");
	server_reply_relay(out, sizeof(out), 554, "5.3.0", "", "554 too bad\r\nQUIT", "");
	is_str(out, "554 5.3.0 too bad??QUIT", "CR and LF made printable");
	server_reply_relay(out, sizeof(out), 451, "4.3.0", "x: ", NULL, "caf\xc3\xa9");
	is_str(out, "451 4.3.0 x: caf??", "non-ASCII made printable");
	server_reply_relay(out, sizeof(out), 451, "4.3.0", "", "4.4.1x text", "");
	is_str(out, "451 4.3.0 4.4.1x text", "not an enhanced code");
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	server_reply_relay(out, sizeof(out), 554, "5.3.0", "", big, "");
	is_int((long long)strlen(out), SERVER_REPLY_MAX - 2, "long reply cut to 510 octets");
	server_reply_relay(out, 8, 554, "5.3.0", "", big, "");
	is_str(out, "554 5.3", "cut to a small buffer");
}

int main(void)
{
	test_verbs();
	test_bad_commands();
	test_paths();
	test_params();
	test_data();
	test_replies();
	return tap_done();
}
