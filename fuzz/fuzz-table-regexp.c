/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: regexp: tables (conf/table_regexp.c, conf/table_pattern.c):
 * the input up to its first NUL byte is the table's file (in a memfd,
 * closed after the run), the lines after it the keys looked up (a fixed
 * set of addresses when there are none). Patterns, flags, if/endif
 * blocks, $number substitution and continuation lines are all there.
 *
 * Fuzz with clang and libFuzzer (README, Fuzzing) in a build folder
 * beside the source; new inputs go to work/, the seeds stay as they are:
 *	../configure CC=clang --enable-fuzzing && make -j2
 *	mkdir -p work/table-regexp
 *	nice -n 19 fuzz/fuzz-table-regexp -max_total_time=120 \
 *	    work/table-regexp ../fuzz/corpus/table-regexp
 */
#include <config.h>

#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *text, *keys;
	size_t text_size, keys_size;
	char path[64], spec[80];
	int fd;

	fuzz_init();
	fuzz_split(data, size, &text, &text_size, &keys, &keys_size);
	fd = fuzz_memfd(text, text_size, path, sizeof(path));
	snprintf(spec, sizeof(spec), "regexp:%s", path);
	fuzz_table(spec, keys, keys_size);
	close(fd);
	return 0;
}
