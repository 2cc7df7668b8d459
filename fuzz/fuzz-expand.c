/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: main.cf macro expansion alone (conf/expand.c): $name,
 * ${name}, $(name), $$, the ?/: conditionals and the relational
 * ${{a} op {b}?x:y}, with compatibility levels. The input is one value;
 * the names it may use are a fixed few (empty, set, a level, one that
 * fails), so the fuzzer reaches the syntax rather than the lookups. The
 * whole input is also read as a compatibility level.
 *
 * Fuzz with clang and libFuzzer (README, Fuzzing) in a build folder
 * beside the source; new inputs go to work/, the seeds stay as they are:
 *	../configure CC=clang --enable-fuzzing && make -j2
 *	mkdir -p work/expand
 *	nice -n 19 fuzz/fuzz-expand -max_total_time=120 \
 *	    work/expand ../fuzz/corpus/expand
 */
#include <config.h>

#include <stdbool.h>
#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "conf/expand.h"
#include "fuzz.h"

static const char *const names[][2] = {
	{ "myhostname", "host.example.com" },
	{ "mydomain", "example.com" },
	{ "empty", "" },
	{ "compatibility_level", "3.6" },
	{ "level", "2" },
	{ "x", "$x" },
};

static int resolve(void *arg, const char *name, size_t len, const char **value, struct error *err)
{
	(void)arg;
	*value = NULL;
	if (len == 4 && memcmp(name, "fail", 4) == 0) {
		error_set(err, ERROR_CONFIG, "fail: cannot be resolved");
		return -1;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i][0]) == len && memcmp(names[i][0], name, len) == 0)
			*value = names[i][1];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct expand_ctx ctx = { resolve, NULL, "fuzz.cf, line 1", "fuzz_parameter", NULL };
	struct error err = { 0 };
	struct buf out = { 0 };

	fuzz_init();
	(void)expand_text(&ctx, (const char *)data, size, &out, &err);
	buf_fini(&out);
	(void)expand_compat_level((const char *)data, size);
	return 0;
}
