/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: SMTP replies as a relay sends them (smtp/reply.c). The
 * input is what came off the wire; every complete reply in it is parsed
 * in turn, classed and formatted, as the session engine does.
 *
 * Fuzz with clang and libFuzzer (README, Fuzzing) in a build folder
 * beside the source; new inputs go to work/, the seeds stay as they are:
 *	../configure CC=clang --enable-fuzzing && make -j2
 *	mkdir -p work/reply
 *	nice -n 19 fuzz/fuzz-reply -max_total_time=120 \
 *	    work/reply ../fuzz/corpus/reply
 */
#include <config.h>

#include "base/error.h"
#include "fuzz.h"
#include "smtp/reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	static struct reply r; /* 8 KiB: not on the stack */
	char line[600];

	fuzz_init();
	while (size > 0) {
		struct error err = { 0 };
		size_t consumed = 0;

		if (reply_parse(p, size, &r, &consumed, &err) != 1)
			break;
		if (consumed == 0 || consumed > size)
			__builtin_trap(); /* the contract: a whole reply was taken */
		(void)reply_class(&r);
		reply_format(&r, line, sizeof(line));
		reply_format(&r, line, 1);
		p += consumed;
		size -= consumed;
	}
	return 0;
}
