/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: address lists (mail/address.c), as they come in header
 * fields and in the recipients of the command line: the list is parsed,
 * then every address it gave is checked as an envelope address,
 * qualified, and added to a list without duplicates.
 *
 * Fuzz with clang and libFuzzer (README, Fuzzing) in a build folder
 * beside the source; new inputs go to work/, the seeds stay as they are:
 *	../configure CC=clang --enable-fuzzing && make -j2
 *	mkdir -p work/address
 *	nice -n 19 fuzz/fuzz-address -max_total_time=120 \
 *	    work/address ../fuzz/corpus/address
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "fuzz.h"
#include "mail/address.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addrlist list = { 0 }, unique = { 0 };
	struct error err = { 0 };
	char *text;

	fuzz_init();
	text = fuzz_strndup(data, size);
	(void)address_parse_list(text, size, &list, &err);
	for (size_t i = 0; i < list.n; i++) {
		char *q;

		error_clear(&err);
		(void)address_check_envelope(list.v[i], i % 2 == 0, &err);
		(void)address_domain(list.v[i]);
		(void)address_is_utf8(list.v[i]);
		q = address_qualify(list.v[i], "example.org");
		if (q == NULL)
			abort();
		(void)addrlist_add_unique(&unique, q);
		if (!addrlist_contains(&unique, q))
			__builtin_trap();
		free(q);
	}
	/* The whole input as one envelope address, as -f gives it. */
	error_clear(&err);
	(void)address_check_envelope(text, true, &err);
	addrlist_fini(&list);
	addrlist_fini(&unique);
	free(text);
	return 0;
}
