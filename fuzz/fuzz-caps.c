/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: EHLO capabilities (smtp/caps.c). The input is a relay's
 * reply to EHLO; it is parsed as a reply and, whether that works or not,
 * its lines are also handed to caps_parse as they are, so the keyword
 * parser sees bytes the reply parser would have refused.
 *
 * Fuzz with clang and libFuzzer (README, Fuzzing) in a build folder
 * beside the source; new inputs go to work/, the seeds stay as they are:
 *	../configure CC=clang --enable-fuzzing && make -j2
 *	mkdir -p work/caps
 *	nice -n 19 fuzz/fuzz-caps -max_total_time=120 \
 *	    work/caps ../fuzz/corpus/caps
 */
#include <config.h>

#include <string.h>

#include "base/error.h"
#include "fuzz.h"
#include "smtp/caps.h"
#include "smtp/reply.h"

static const char *const mechs[] = { "PLAIN", "login", "CRAM-MD5", "SCRAM-SHA-256", "", "X" };

static void check(const struct reply *r)
{
	struct caps c;

	memset(&c, 0, sizeof(c));
	caps_parse(&c, r);
	if (memchr(c.auth_mechs, '\0', sizeof(c.auth_mechs)) == NULL)
		__builtin_trap(); /* auth_mechs must stay a string */
	for (size_t i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++)
		(void)caps_has_mech(&c, mechs[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct reply r;
	struct error err = { 0 };
	size_t consumed = 0;

	fuzz_init();
	if (reply_parse((const char *)data, size, &r, &consumed, &err) == 1)
		check(&r);
	/* The raw lines as text: any byte but NUL, up to the cap. */
	memset(&r, 0, sizeof(r));
	r.code = 250;
	r.text_len = size < sizeof(r.text) - 1 ? size : sizeof(r.text) - 1;
	memcpy(r.text, data, r.text_len);
	r.nlines = 1;
	for (size_t i = 0; i < r.text_len; i++)
		if (r.text[i] == '\n')
			r.nlines++;
	r.text_len = strlen(r.text);
	check(&r);
	return 0;
}
