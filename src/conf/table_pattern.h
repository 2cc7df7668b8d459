/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The rule language shared by regexp: and pcre: tables (reference/
 * postfix.md §2.3, §2.4): /pattern/flags result, negation, if/endif,
 * $number substitution. A backend supplies flags, compiling and
 * matching; this engine does the rest. */
#ifndef RELAYMAIL_CONF_TABLE_PATTERN_H
#define RELAYMAIL_CONF_TABLE_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "conf/table_impl.h"

struct pattern_where {
	const char *type; /* "regexp" or "pcre" */
	const char *map;  /* the file name, or the {...} text */
	size_t lineno;
};

/* Where group n matched: offsets into the key, so = -1 when it did not. */
struct pattern_span {
	long long so, eo;
};

struct pattern_backend {
	const char *type;
	bool second_pattern; /* regexp's /re1/!/re2/; its flags stop at '!' */
	/* regexp: a backslash that ends the line ends the pattern, as
	 * dict_regexp.c's scan stops there (no flags, no result follow);
	 * pcre: the closing delimiter is missing. */
	bool backslash_closes;
	/* dict_pcre's words where they differ from dict_regexp's ("ignoring
	 * this rule" for a missing delimiter, "out of range" for $0). */
	bool pcre_words;
	/* Flag letters into *opts; false after a warning (rule skipped). */
	bool (*flags)(const char *f, size_t n, unsigned *opts, const struct pattern_where *w);
	/* Compile pattern into *re (set only on success): 1 compiled, 0
	 * after a warning (rule skipped), -1 out of memory (the table fails). */
	int (*compile)(const char *pattern, unsigned opts, void **re, size_t *nsub,
		       const struct pattern_where *w);
	/* 1 match (spans[0..n) filled), 0 no match (a failed match is
	 * warned about and counts as none, as in Postfix), -1 out of memory
	 * (the lookup fails). */
	int (*match)(const void *re, const char *key, size_t n, struct pattern_span *spans,
		     const struct pattern_where *w);
	void (*free)(void *re);
};

/* "regexp map FILE, line N: TEXT" as a warning. */
void pattern_warn(const struct pattern_where *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Load name (a file, or "{ {rule}, {rule} }") into t. */
int pattern_open(struct table *t, const char *name, unsigned flags,
		 const struct pattern_backend *be, struct error *err);

#endif
