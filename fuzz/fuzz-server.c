/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the server side of -bs (smtp/server.c) as app/smtpd.c
 * drives it, without I/O. The input is what an SMTP client writes: each
 * line is parsed as a command; MAIL and RCPT arguments as paths, whose
 * address is checked as smtpd checks it; after DATA the text goes
 * through the end-of-data and dot-unstuffing decoder, in pieces cut at
 * bytes chosen by the input, into a message intake; every line also
 * serves as a relay's reply that the server passes on, and EHLO's
 * argument as the host name of the EHLO reply.
 *
 * Fuzz with clang and libFuzzer (README, Fuzzing) in a build folder
 * beside the source; new inputs go to work/, the seeds stay as they are:
 *	../configure CC=clang --enable-fuzzing && make -j2
 *	mkdir -p work/server
 *	nice -n 19 fuzz/fuzz-server -max_total_time=120 \
 *	    work/server ../fuzz/corpus/server
 */
#include <config.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "fuzz.h"
#include "mail/address.h"
#include "mail/intake.h"
#include "mail/message.h"
#include "smtp/server.h"

static void check_address(const struct server_path *p)
{
	struct addrlist list = { 0 };
	struct error err = { 0 };
	char *text = fuzz_strndup((const uint8_t *)p->addr, p->addr_len);

	(void)address_is_utf8(text);
	if (address_check_envelope(text, true, &err) == 0)
		(void)address_parse_list(text, strlen(text), &list, &err);
	addrlist_fini(&list);
	free(text);
}

/* The text of DATA from p[0..n): returns the bytes used. A NUL byte in
 * the text cuts the piece there, so the fuzzer chooses the pieces. */
static size_t data(const char *p, size_t n)
{
	struct server_data dec = { 0 };
	struct error err = { 0 };
	struct intake *in = intake_new(NULL, &err);
	struct message *m;
	size_t pos = 0;

	if (in == NULL)
		abort();
	while (!dec.done && pos < n) {
		const char *nul = memchr(p + pos + 1, '\0', n - pos - 1);
		size_t piece = nul != NULL ? (size_t)(nul - (p + pos)) : n - pos;
		size_t keep = 0, used = server_data_step(&dec, p + pos, piece, &keep);

		if (used == 0) /* more needed: take the whole rest at once */
			used = server_data_step(&dec, p + pos, n - pos, &keep);
		if (used == 0)
			break;
		if (keep > used)
			__builtin_trap();
		(void)intake_feed(in, p + pos, keep, &err);
		pos += used;
	}
	m = intake_finish(in, &err);
	message_free(m);
	return pos;
}

/* One command line; true when it was a DATA that the parser took. */
static bool command(const char *line, size_t len)
{
	struct server_command cmd;
	struct server_path path;
	char reply[SERVER_REPLY_MAX];
	char relayed[SERVER_REPLY_MAX];
	char *text;

	text = fuzz_strndup((const uint8_t *)line, len);
	server_reply_relay(relayed, sizeof(relayed), 550, "5.0.0", "relay said: ", text, " (fuzz)");
	if (strlen(relayed) + 1 > SERVER_REPLY_MAX)
		__builtin_trap();
	server_reply_relay(relayed, 8, 250, "2.0.0", "", text, "");
	free(text);
	if (server_command_parse(line, len, &cmd, reply, sizeof(reply)) < 0)
		return false;
	if (cmd.verb == SERVER_MAIL &&
	    server_mail_parse(cmd.arg, cmd.arg_len, &path, reply, sizeof(reply)) == 0)
		check_address(&path);
	if (cmd.verb == SERVER_RCPT &&
	    server_rcpt_parse(cmd.arg, cmd.arg_len, &path, reply, sizeof(reply)) == 0)
		check_address(&path);
	if (cmd.verb == SERVER_EHLO) {
		struct buf out = { 0 };
		char *host = fuzz_strndup((const uint8_t *)cmd.arg, cmd.arg_len);

		(void)server_ehlo_reply(&out, host, cmd.arg_len);
		buf_fini(&out);
		free(host);
	}
	return cmd.verb == SERVER_DATA;
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
	const char *p = (const char *)bytes;
	size_t pos = 0;

	fuzz_init();
	while (pos < size) {
		const char *lf = memchr(p + pos, '\n', size - pos);
		size_t end = lf != NULL ? (size_t)(lf - p) : size;
		size_t len = end - pos;
		bool is_data;

		if (len > 0 && p[pos + len - 1] == '\r')
			len--;
		is_data = command(p + pos, len);
		pos = lf != NULL ? end + 1 : size;
		if (is_data)
			pos += data(p + pos, size - pos);
	}
	return 0;
}
