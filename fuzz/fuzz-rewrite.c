/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: address rewriting and header rewriting (mail/rewrite.c,
 * mail/rewrite_header.c, mail/addrfind.c) under a configuration with
 * every kind of canonical map (fixed and pattern, classes, a loop,
 * @domain keys, recipient_delimiter). The input up to its first NUL byte
 * is a message whose header fields are rewritten (message intake
 * parses it first); the part after it (or the whole input when there is
 * no NUL) is an address given to the local rewrite and to the sender and
 * recipient rewrites of every class.
 *
 * Fuzz with clang and libFuzzer (README, Fuzzing) in a build folder
 * beside the source; new inputs go to work/, the seeds stay as they are:
 *	../configure CC=clang --enable-fuzzing && make -j2
 *	mkdir -p work/rewrite
 *	nice -n 19 fuzz/fuzz-rewrite -max_total_time=120 \
 *	    work/rewrite ../fuzz/corpus/rewrite
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "conf/config.h"
#include "fuzz.h"
#include "mail/message.h"
#include "mail/rewrite.h"

static const char main_cf[] =
    "myhostname = host.example.com\n"
    "mydomain = example.com\n"
    "myorigin = $mydomain\n"
    "mydestination = $myhostname, localhost.$mydomain, localhost, $mydomain\n"
    "recipient_delimiter = +\n"
    "propagate_unmatched_extensions = canonical\n"
    "canonical_maps = inline:{ {joe = joe-bare@example.com}, "
    "{@host.example.com = @example.com}, {jane@example.com = Jane.Doe@example.org}, "
    "{a@x = b@x}, {b@x = a@x}, {multi@x = one@x, two@x}, {bad@x = a b c} }\n"
    "sender_canonical_maps = regexp:{ {/^root@/ admin@example.com}, "
    "{/^(.*)[+]bounce@/ bounces@example.com} }\n"
    "recipient_canonical_maps = inline:{ {bob@example.com = robert@example.net}, "
    "{@old.example = @new.example} }\n"
    "canonical_classes = envelope_sender, envelope_recipient, header_sender, "
    "header_recipient\n";

static struct config *kept_cfg;
static struct rewriter *kept_rw;

/* At exit, so that the leak checker sees nothing left: a compiler may drop
 * a static that is only ever written, and the setup's memory with it. */
static void teardown(void)
{
	rewriter_free(kept_rw);
	config_free(kept_cfg);
}

static struct rewriter *setup(void)
{
	static char *const noenv[] = { NULL };
	struct error err = { 0 };

	if (kept_rw != NULL)
		return kept_rw;
	kept_cfg = config_parse("fuzz.cf", main_cf, sizeof(main_cf) - 1, noenv, &err);
	if (kept_cfg != NULL)
		kept_rw = rewriter_new(kept_cfg, NULL, &err);
	if (kept_rw == NULL)
		abort(); /* the configuration above is valid */
	atexit(teardown);
	return kept_rw;
}

static void address(const struct rewriter *rw, const char *addr)
{
	static const enum rewrite_class classes[] = {
		REWRITE_ENVELOPE_SENDER,
		REWRITE_ENVELOPE_RECIPIENT,
		REWRITE_HEADER_SENDER,
		REWRITE_HEADER_RECIPIENT,
	};
	char *local = rewrite_local(rw, addr);

	if (local == NULL)
		abort();
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		struct error err = { 0 };
		char *out = NULL;

		if (rewrite_sender(rw, local, classes[i], &out, &err) == 0)
			free(out);
		out = NULL;
		if (rewrite_recipient(rw, local, classes[i], &out, &err) == 0)
			free(out);
	}
	free(local);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct rewriter *rw;
	const uint8_t *msg, *addr;
	size_t msg_size, addr_size;
	struct error err = { 0 };
	struct message *m;
	char *text;

	fuzz_init();
	rw = setup();
	fuzz_split(data, size, &msg, &msg_size, &addr, &addr_size);
	m = message_from_mem((const char *)msg, msg_size, NULL, &err);
	if (m != NULL) {
		(void)rewrite_headers(rw, m, &err);
		message_free(m);
	}
	if (addr_size == 0) {
		addr = data;
		addr_size = size;
	}
	text = fuzz_strndup(addr, addr_size);
	address(rw, text);
	free(text);
	return 0;
}
