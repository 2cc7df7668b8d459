/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: DNS answer packets (net/dns.c, dns_mx_parse): what a
 * resolver, or anyone who can spoof its answers, returns for an MX query.
 * The packet is parsed keeping at most 10 records, then at most 1, and
 * read as the resolver library's parser reads it (tests/unit/dns_ref.c).
 *
 * Fuzz with clang and libFuzzer (README, Fuzzing) in a build folder
 * beside the source; new inputs go to work/, the seeds stay as they are:
 *	../configure CC=clang --enable-fuzzing && make -j2
 *	mkdir -p work/dns
 *	nice -n 19 fuzz/fuzz-dns -max_total_time=120 \
 *	    work/dns ../fuzz/corpus/dns
 */
#include <config.h>

#include <string.h>

#include "base/error.h"
#include "../tests/unit/dns_ref.h"
#include "fuzz.h"
#include "net/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_mx mx[10];
	struct error err = { 0 };
	int n;

	fuzz_init();
	n = dns_mx_parse(data, size, mx, 10, &err);
	if (n > 10)
		__builtin_trap();
	for (int i = 0; i < n; i++)
		if (memchr(mx[i].host, '\0', sizeof(mx[i].host)) == NULL ||
		    (i > 0 && mx[i].pref < mx[i - 1].pref))
			__builtin_trap(); /* a string each, sorted by preference */
	error_clear(&err);
	n = dns_mx_parse(data, size, mx, 1, &err);
	if (n > 1)
		__builtin_trap();
	{
		char why[512];

		if (!dns_ref_agrees(data, size, 10, why, sizeof(why)))
			__builtin_trap(); /* the two parsers read it differently */
	}
	return 0;
}
