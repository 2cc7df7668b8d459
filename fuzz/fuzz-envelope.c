/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: building the envelope of a -t submission (app/envelope.c):
 * the recipients of To, Cc, Bcc and the Resent- fields, qualification,
 * aliases, canonical maps, A-labels and SMTPUTF8, and the header fixes
 * (Bcc removed, From, Date and Message-ID added), and the checks of the
 * body, of MIME parts and of attached messages. The input up to its
 * first NUL byte is the message; after it come an optional sender on the
 * first line (as -f gives it; else "alice") and recipients as the command
 * line gives them, one argument a line. The configuration has no
 * luser_relay, so no name is ever looked up in the passwd database, and
 * its only own address is 127.0.0.1, so no interface is listed and no
 * name resolved. Date and Message-ID come from the clock and getrandom:
 * they change the text added, never the path taken.
 *
 * Fuzz with clang and libFuzzer (README, Fuzzing) in a build folder
 * beside the source; new inputs go to work/, the seeds stay as they are:
 *	../configure CC=clang --enable-fuzzing && make -j2
 *	mkdir -p work/envelope
 *	nice -n 19 fuzz/fuzz-envelope -max_total_time=120 \
 *	    work/envelope ../fuzz/corpus/envelope
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "app/envelope.h"
#include "base/error.h"
#include "conf/config.h"
#include "deliver/locality.h"
#include "fuzz.h"
#include "mail/message.h"

#define RCPTS_MAX 8

static const char main_cf[] =
    "myhostname = host.example.org\n"
    "mydomain = example.org\n"
    "myorigin = $mydomain\n"
    "mydestination = $myhostname, localhost, $mydomain\n"
    "inet_interfaces = 127.0.0.1\n"
    "proxy_interfaces =\n"
    "recipient_delimiter = +\n"
    "luser_relay =\n"
    "alias_maps = inline:{ {root = alice}, {postmaster = root}, "
    "{team = bob, carol@example.net}, {loop = loop2}, {loop2 = loop} }\n"
    "canonical_maps = inline:{ {bob@example.org = robert@example.net} }\n"
    "sender_canonical_maps = regexp:{ {/^alice@/ Alice.Example@example.org} }\n"
    "body_checks = regexp:{ {/^secret/ REPLACE hidden}, {/^drop/ IGNORE}, "
    "{/^note/ PREPEND before} }\n"
    "body_checks_size_limit = 300\n"
    "mime_header_checks = regexp:{ {/^Content-Type: text/ REPLACE Content-Type: text/plain}, "
    "{/^X-Part/ IGNORE} }\n"
    "nested_header_checks = regexp:{ {/^Subject:/ PREPEND X-Nested: yes} }\n"
    "smtp_body_checks = regexp:{ {/^hidden/ REPLACE gone} }\n";

static const struct envelope_settings *setup(void)
{
	static char *const noenv[] = { NULL };
	static struct envelope_settings set;
	static struct config *cfg;
	static struct locality *loc;
	struct error err = { 0 };

	if (set.rw != NULL)
		return &set;
	cfg = config_parse("fuzz.cf", main_cf, sizeof(main_cf) - 1, noenv, &err);
	if (cfg == NULL || (loc = locality_new(cfg, &err)) == NULL ||
	    envelope_settings_load(cfg, loc, &set, &err) < 0)
		abort(); /* the configuration above is valid */
	return &set;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct envelope_settings *set;
	const uint8_t *msg, *args;
	size_t msg_size, args_size, n = 0;
	struct message_opts mo = { .dot_ends = true };
	struct submission sub = { .fullname = "Alice Example", .extract = true };
	const char *rcpts[RCPTS_MAX];
	struct envelope env;
	struct error err = { 0 };
	struct message *m;
	char *text, *line;

	fuzz_init();
	set = setup();
	fuzz_split(data, size, &msg, &msg_size, &args, &args_size);
	text = fuzz_strndup(args, args_size);
	sub.sender = "alice";
	line = text;
	for (size_t i = 0; line != NULL; i++) {
		char *next = strchr(line, '\n');

		if (next != NULL)
			*next++ = '\0';
		if (i == 0 && *line != '\0')
			sub.sender = line;
		else if (i > 0 && n < RCPTS_MAX)
			rcpts[n++] = line;
		line = next;
	}
	sub.rcpts = rcpts;
	sub.nrcpts = n;
	sub.body_8bit = size % 3 == 1;
	sub.body_7bit = size % 3 == 2;
	m = message_from_mem((const char *)msg, msg_size, &mo, &err);
	if (m != NULL) {
		memset(&env, 0, sizeof(env));
		(void)envelope_build(set, &sub, m, &env, &err);
		envelope_fini(&env);
		message_free(m);
	}
	free(text);
	return 0;
}
