/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the tables written in main.cf itself (conf/table.c,
 * conf/kvmap.c): the input up to its first NUL byte is the text of an
 * inline:{...} table and of a static: table, and also a whole map list
 * as a *_maps parameter holds it (so regexp:{...} and pcre:{...} inline
 * forms and unknown types are parsed too); the lines after the NUL are
 * the keys looked up (a fixed set of addresses when there are none). A
 * map list naming a file opens it; to keep every run free of file I/O,
 * a list is skipped unless each "type:" in it is static:, or inline:,
 * regexp: or pcre: followed by a brace.
 *
 * Fuzz with clang and libFuzzer (README, Fuzzing) in a build folder
 * beside the source; new inputs go to work/, the seeds stay as they are:
 *	../configure CC=clang --enable-fuzzing && make -j2
 *	mkdir -p work/table-inline
 *	nice -n 19 fuzz/fuzz-table-inline -max_total_time=120 \
 *	    work/table-inline ../fuzz/corpus/table-inline
 */
#include <config.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "conf/table.h"
#include "fuzz.h"

static bool ends_with(const char *s, size_t len, const char *word)
{
	size_t n = strlen(word);

	return len >= n && strncmp(s + len - n, word, n) == 0;
}

/* No type in value that reads a file. */
static bool no_file(const char *value)
{
	for (const char *c = strchr(value, ':'); c != NULL; c = strchr(c + 1, ':')) {
		size_t len = (size_t)(c - value);

		if (ends_with(value, len, "static"))
			continue;
		if (c[1] == '{' &&
		    (ends_with(value, len, "inline") || ends_with(value, len, "regexp") ||
		     ends_with(value, len, "pcre")))
			continue;
		return false;
	}
	return true;
}

static void map_list(const char *value, const uint8_t *keys, size_t keys_size)
{
	struct error err = { 0 };
	struct maps *m;
	char *key, *found = NULL;

	if (!no_file(value))
		return;
	m = maps_open(value, 0, "fuzz_maps", &err);
	if (m == NULL)
		return;
	(void)maps_empty(m);
	for (size_t i = 0; i < maps_count(m); i++)
		(void)table_spec(maps_table(m, i));
	key = fuzz_strndup(keys, keys_size);
	if (maps_lookup(m, keys_size > 0 ? key : "alice@example.org", &found, &err) == 1)
		free(found);
	free(key);
	maps_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *text, *keys;
	size_t text_size, keys_size;
	struct buf spec = { 0 };
	char *value;

	fuzz_init();
	fuzz_split(data, size, &text, &text_size, &keys, &keys_size);
	value = fuzz_strndup(text, text_size);
	if (buf_printf(&spec, "inline:{%s}", value) < 0)
		abort();
	fuzz_table(spec.data, keys, keys_size);
	buf_reset(&spec);
	if (buf_printf(&spec, "static:%s", value) < 0)
		abort();
	fuzz_table(spec.data, keys, keys_size);
	map_list(value, keys, keys_size);
	buf_fini(&spec);
	free(value);
	return 0;
}
