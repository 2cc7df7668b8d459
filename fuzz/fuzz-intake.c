/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: message intake (mail/intake.h, the push interface that
 * the command line and -bs feed; mail/message.c behind it). The first
 * byte chooses the options (the lone dot ends the input or not, a
 * header_size_limit and message_size_limit, smtp_line_length_limit 0,
 * 78 or unlimited, whether the body spills to a temporary file after
 * 64 bytes (that file is unlinked at once by the intake), and
 * sendmail_fix_line_endings always or strict); the second, how
 * many bytes each feed gets. The message is then read back every way the
 * callers read it: header fields, -t recipients, the 8-bit checks, a
 * field set, added and removed, and the whole text through the cursor.
 *
 * Fuzz with clang and libFuzzer (README, Fuzzing) in a build folder
 * beside the source; new inputs go to work/, the seeds stay as they are:
 *	../configure CC=clang --enable-fuzzing && make -j2
 *	mkdir -p work/intake
 *	nice -n 19 fuzz/fuzz-intake -max_total_time=120 \
 *	    work/intake ../fuzz/corpus/intake
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "fuzz.h"
#include "mail/address.h"
#include "mail/intake.h"
#include "mail/message.h"

static void read_back(struct message *m)
{
	static struct message_cursor c; /* 64 KiB: not on the stack */
	struct addrlist rcpts = { 0 };
	struct error err = { 0 };
	size_t n = message_header_count(m), total = 0;
	const char *p;
	ssize_t got;

	for (size_t i = 0; i < n; i++)
		total += strlen(message_header_name(m, i)) + strlen(message_header_value(m, i));
	(void)message_header_find(m, "subject");
	(void)message_header_recipients(m, &rcpts, &err);
	addrlist_fini(&rcpts);
	(void)message_is_8bit(m);
	(void)message_header_is_utf8(m);
	if (n > 0)
		(void)message_header_set(m, n - 1, "replaced value");
	(void)message_header_add(m, "X-Fuzz", "added", n % 2 == 0);
	(void)message_header_remove(m, "Bcc");
	total = 0;
	message_rewind(m, &c);
	while ((got = message_next(m, &c, &p, &err)) > 0)
		total += (size_t)got;
	if (got == 0 && total != message_size(m))
		__builtin_trap(); /* message_size is what the cursor gives */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t line_max[] = { 0, 78, MESSAGE_LINE_UNLIMITED, 998 };
	struct message_opts o = { 0 };
	struct error err = { 0 };
	struct intake *in;
	struct message *m;
	size_t chunk, pos = 0;

	fuzz_init();
	if (size < 2)
		return 0;
	o.dot_ends = data[0] & 1;
	o.header_max = data[0] & 2 ? 200 : 0;
	o.size_max = data[0] & 4 ? 300 : 0;
	o.line_max = line_max[data[0] >> 3 & 3];
	o.mem_max = data[0] & 32 ? 64 : 0;
	o.fix_eol = data[0] & 128 ? MESSAGE_EOL_STRICT : MESSAGE_EOL_ALWAYS;
	chunk = data[1] == 0 ? size : data[1];
	data += 2;
	size -= 2;
	in = intake_new(&o, &err);
	if (in == NULL)
		abort();
	while (pos < size) {
		size_t n = size - pos < chunk ? size - pos : chunk;

		if (intake_feed(in, (const char *)data + pos, n, &err) < 0 && (data[-2] & 64))
			break;
		pos += n;
	}
	m = intake_finish(in, &err);
	if (m != NULL)
		read_back(m);
	message_free(m);
	return 0;
}
